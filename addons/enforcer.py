"""Applies the policy to every AI request: block with a notice, or let it through.

The only code that turns a mitmproxy flow into the core's ``RequestInfo``; everything
else is decided by ``aipolicy.pipeline``. The outcome goes into ``flow.metadata`` for
the audit and metrics addons.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import json
import logging

from mitmproxy import ctx, http

from aipolicy.extract.envelope import EnvelopeEdit
from aipolicy.model import ClientIdentity, DestinationNames, RequestInfo
from aipolicy.notices import Notice

log = logging.getLogger("aipolicy")

METADATA_KEY = "aipolicy"
RESPONSE_HEADERS_KEY = "aipolicy_response_headers"
# (timestamp of the client's WebSocket message, its Outcome): read by audit and metrics
WS_OUTCOME_KEY = "aipolicy_websocket"
# Request headers the decisions look at; nothing else is copied out of the flow.
_HEADERS = ("accept", "content-type", "content-encoding", "sec-fetch-mode", "sec-fetch-dest",
            "user-agent")


def describe(flow: http.HTTPFlow) -> RequestInfo:
    req = flow.request
    address = None
    peer = flow.client_conn.peername
    if peer:
        try:
            address = ipaddress.ip_address(peer[0])
        except ValueError:
            address = None
    auth = flow.metadata.get("proxyauth")
    user = auth[0] if isinstance(auth, tuple | list) and auth else None
    headers = {name: req.headers[name] for name in _HEADERS if name in req.headers}
    path, _, query = req.path.partition("?")
    return RequestInfo(
        method=req.method,
        scheme=req.scheme,
        host=req.host.lower().rstrip("."),
        port=req.port,
        path=path,
        headers=headers,
        client=ClientIdentity(address, user),
        names=destination_names(flow),
        query=query,
        fields=tuple((k.lower(), v) for k, v in req.headers.items(multi=True)),
        trailers=tuple((k.lower(), v) for k, v in req.trailers.items(multi=True))
        if req.trailers else (),
    )


def destination_names(flow: http.HTTPFlow) -> DestinationNames:
    """Every name the client gave for this request's destination, as sent."""
    req = flow.request
    hosts = list(req.headers.get_all("host"))
    if req.authority and req.authority not in hosts:  # HTTP/2 :authority, absolute form
        hosts.append(req.authority)
    return DestinationNames(
        destination=req.host or None,
        sni=flow.client_conn.sni or None,
        hosts=tuple(hosts),
        tls=bool(flow.client_conn.tls),
    )


def _notice_text(notice: Notice) -> str:
    """The human message inside a JSON notice (any provider shape)."""
    try:
        body = json.loads(notice.body)
    except ValueError:
        return "Blocked by the AI usage policy."
    error = body.get("error", {})
    return str(error.get("message", "Blocked by the AI usage policy."))


def rewrite_envelope(request: http.Request, edit: EnvelopeEdit) -> None:
    """Redacted path, query string and header/trailer values, written into the request
    (field positions as ``describe`` listed them; names and order are kept)."""
    if edit.path is not None or edit.query is not None:
        path, _, query = request.path.partition("?")
        path = edit.path if edit.path is not None else path
        query = edit.query if edit.query is not None else query
        request.path = f"{path}?{query}" if query else path
    if edit.fields:
        request.headers.fields = _replaced(request.headers.fields, edit.fields)
    if edit.trailers and request.trailers is not None:
        request.trailers.fields = _replaced(request.trailers.fields, edit.trailers)


def _replaced(fields: tuple[tuple[bytes, bytes], ...], values: tuple[tuple[int, str], ...]
              ) -> tuple[tuple[bytes, bytes], ...]:
    out = list(fields)
    for index, value in values:
        out[index] = (out[index][0], value.encode("utf-8", "surrogateescape"))
    return tuple(out)


def respond(flow: http.HTTPFlow, notice: Notice) -> None:
    flow.response = http.Response.make(notice.status, notice.body, dict(notice.headers))


class Enforcer:
    def __init__(self, state) -> None:
        self.state = state

    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.response or not flow.live:
            return
        pipeline = self.state.pipeline
        if pipeline is None:  # cannot happen after start-up; never pass unchecked
            flow.response = http.Response.make(
                503, b"aipolicy: no ruleset loaded", {"content-type": "text/plain"})
            return
        info = describe(flow)
        app = pipeline.classify(info, flow.request.host_header)
        if app is None:
            return
        if not pipeline.needs_body(info):
            verdict = pipeline.evaluate(info, app)
        elif flow.request.raw_content is None:  # streamed past us: cannot be inspected
            verdict = pipeline.failure_verdict(info, app, "the request body was streamed")
        else:  # any method; an empty body still has a path, a query and header fields
            verdict = await self._inspect(pipeline, info, app, flow.request.raw_content)
        flow.metadata[METADATA_KEY] = verdict.outcome
        if verdict.notice is not None:
            respond(flow, verdict.notice)
            return
        if verdict.new_envelope:  # before the body: its edits are by header position
            rewrite_envelope(flow.request, verdict.new_envelope)
        if verdict.new_body is not None:
            # The redacted body goes out identity-encoded with a correct Content-Length.
            flow.request.headers.pop("content-encoding", None)
            flow.request.content = verdict.new_body
        if verdict.response_headers:
            flow.metadata[RESPONSE_HEADERS_KEY] = verdict.response_headers

    async def _inspect(self, pipeline, info: RequestInfo, app, body: bytes):
        """Scanning is CPU work: in the scan workers (or a thread), never on the event loop."""
        workers = self.state.workers
        key = str(info.client.address or "")  # one client's history -> one worker's cache
        try:
            if workers is not None:
                future = asyncio.wrap_future(workers.submit(key, info, app.id, body))
            else:
                future = asyncio.to_thread(pipeline.evaluate, info, app, body)
            return await asyncio.wait_for(future, pipeline.timeout_seconds)
        except TimeoutError:
            if workers is not None:
                workers.restart(key)  # a stuck worker would delay every later request
            return pipeline.failure_verdict(info, app, "inspection exceeded its time budget")
        except Exception as exc:  # a crashed worker: fail closed, start a fresh one
            log.error(f"aipolicy: scan worker failed ({type(exc).__name__})")
            if workers is not None:
                workers.restart(key)
            return pipeline.failure_verdict(info, app, "the scanner failed")

    async def websocket_message(self, flow: http.HTTPFlow) -> None:
        """Chat UIs that talk over a WebSocket (Copilot) send prompts as client frames:
        each one is inspected like a request body and redacted, or dropped with an error
        frame to the client."""
        assert flow.websocket is not None
        message = flow.websocket.messages[-1]
        handshake = flow.metadata.get(METADATA_KEY)
        pipeline = self.state.pipeline
        if not message.from_client or handshake is None or pipeline is None:
            return
        app = handshake.decision.app
        if app is None or pipeline.ruleset.inspection is None:
            return
        # Binary frames and text frames alike are read by content: JSON when they parse
        # as JSON, else text in any encoding (SignalR's JSON records end in 0x1E), a known
        # file format; what cannot be read is refused.
        content_type = "" if message.is_text else "application/octet-stream"
        # The handshake's path, query and header fields were inspected (and redacted)
        # with the handshake: a frame is its content only.
        info = dataclasses.replace(handshake.request, method="POST",
                                   path=flow.request.path.partition("?")[0], query="",
                                   fields=(), trailers=(),
                                   headers={**handshake.request.headers,
                                            "content-type": content_type,
                                            "content-encoding": ""})
        verdict = await self._inspect(pipeline, info, app, message.content)
        flow.metadata[WS_OUTCOME_KEY] = (message.timestamp, verdict.outcome)
        if verdict.notice is not None:
            message.drop()
            text = _notice_text(verdict.notice)
            ctx.master.commands.call("inject.websocket", flow, True,
                                     json.dumps({"event": "error", "message": text}).encode())
        elif verdict.new_body is not None:
            message.content = verdict.new_body

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        extra = flow.metadata.get(RESPONSE_HEADERS_KEY)
        if extra and flow.response is not None:
            for name, value in extra:
                flow.response.headers[name] = value
