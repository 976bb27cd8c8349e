"""Applies the policy to every AI request: block with a notice, or let it through.

The only code that turns a mitmproxy flow into the core's ``RequestInfo``; everything
else is decided by ``aipolicy.pipeline``. The outcome goes into ``flow.metadata`` for
the audit and metrics addons.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json

from mitmproxy import ctx, http

from aipolicy.model import ClientIdentity, DestinationNames, RequestInfo
from aipolicy.notices import Notice

METADATA_KEY = "aipolicy"
# the PolicyInfo of the ruleset that decided (a reload may swap the ruleset meanwhile)
POLICY_KEY = "aipolicy_policy"
RESPONSE_HEADERS_KEY = "aipolicy_response_headers"
# (timestamp of the client's WebSocket message, its Outcome, the deciding ruleset's
# PolicyInfo): read by audit and metrics
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


def respond(flow: http.HTTPFlow, notice: Notice) -> None:
    flow.response = http.Response.make(notice.status, notice.body, dict(notice.headers))


class Enforcer:
    def __init__(self, state) -> None:
        self.state = state

    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.response or not flow.live:
            return
        in_force = self.state.in_force  # read once: one ruleset decides the whole request
        if in_force is None:  # cannot happen after start-up; never pass unchecked
            flow.response = http.Response.make(
                503, b"aipolicy: no ruleset loaded", {"content-type": "text/plain"})
            return
        pipeline = in_force.pipeline
        info = describe(flow)
        app = pipeline.classify(info, flow.request.host_header)
        if app is None:
            return
        if not pipeline.needs_body(info):
            verdict = pipeline.evaluate(info, app)
        elif flow.request.raw_content is None:  # streamed past us: cannot be inspected
            verdict = pipeline.failure_verdict(info, app, "the request body was streamed")
        elif not flow.request.raw_content:
            verdict = pipeline.evaluate(info, app)
        else:  # scanning is CPU work: the scan service does it off the event loop
            verdict = await in_force.evaluate_body(info, app, flow.request.raw_content)
        flow.metadata[METADATA_KEY] = verdict.outcome
        flow.metadata[POLICY_KEY] = pipeline.ruleset.policy
        if verdict.notice is not None:
            respond(flow, verdict.notice)
            return
        if verdict.new_body is not None:
            # The redacted body goes out identity-encoded with a correct Content-Length.
            flow.request.headers.pop("content-encoding", None)
            flow.request.content = verdict.new_body
        if verdict.response_headers:
            flow.metadata[RESPONSE_HEADERS_KEY] = verdict.response_headers

    async def websocket_message(self, flow: http.HTTPFlow) -> None:
        """Chat UIs that talk over a WebSocket (Copilot) send prompts as client frames:
        each one is inspected like a request body and redacted, or dropped with an error
        frame to the client."""
        assert flow.websocket is not None
        message = flow.websocket.messages[-1]
        handshake = flow.metadata.get(METADATA_KEY)
        in_force = self.state.in_force  # read once, as for a request
        if not message.from_client or handshake is None or in_force is None:
            return
        app = handshake.decision.app
        if app is None or in_force.scanner is None:
            return
        content_type = "text/plain" if message.is_text else "application/octet-stream"
        if message.is_text and message.content[:1] in (b"{", b"["):
            content_type = "application/json"
        info = dataclasses.replace(handshake.request, method="POST",
                                   headers={**handshake.request.headers,
                                            "content-type": content_type,
                                            "content-encoding": ""})
        verdict = await in_force.evaluate_body(info, app, message.content)
        flow.metadata[WS_OUTCOME_KEY] = (message.timestamp, verdict.outcome,
                                         in_force.pipeline.ruleset.policy)
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
