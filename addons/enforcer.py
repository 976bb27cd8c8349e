"""Applies the policy to every AI request: block with a notice, or let it through.

The only code that turns a mitmproxy flow into the core's ``RequestInfo``; everything
else is decided by ``aipolicy.pipeline``. The outcome goes into ``flow.metadata`` for
the audit and metrics addons.
"""

from __future__ import annotations

import dataclasses
import ipaddress

from mitmproxy import connection, ctx, http
from mitmproxy.proxy.mode_specs import RegularMode, UpstreamMode

from aipolicy.extract.envelope import EnvelopeEdit
from aipolicy.model import ClientIdentity, DestinationNames, RequestInfo
from aipolicy.notices import Notice
from aipolicy.respond import frame_note

METADATA_KEY = "aipolicy"
DESTINATION_KEY = "aipolicy_destination"  # the Destination of every request: for metrics
# the PolicyInfo of the ruleset that decided (a reload may swap the ruleset meanwhile)
POLICY_KEY = "aipolicy_policy"
RESPONSE_HEADERS_KEY = "aipolicy_response_headers"
# (timestamp of the client's WebSocket message, its Outcome, the deciding ruleset's
# PolicyInfo): read by audit and metrics
WS_OUTCOME_KEY = "aipolicy_websocket"
# A ResponseNote for the streamed answer: the streaming addon adds it to the answer.
NOTE_KEY = "aipolicy_note"
# The FrameRewriter adding a note to the server's next WebSocket answer.
WS_NOTE_KEY = "aipolicy_websocket_note"
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
    # HTTP/2 :authority, absolute form inside a tunnel; raw (``authority`` decodes IDNA)
    authority = req.data.authority.decode("utf-8", "surrogateescape")
    if authority and authority not in hosts:
        hosts.append(authority)
    tls = bool(flow.client_conn.tls)
    return DestinationNames(
        destination=req.host or None,
        sni=(flow.client_conn.sni or None) if tls else None,  # only TLS sends a server name
        hosts=tuple(hosts),
        tls=tls,
        explicit=client_named_destination(flow.client_conn),
    )


def client_named_destination(client: connection.Client) -> bool:
    """An explicit proxy's client names the destination (CONNECT, absolute URL); in
    transparent and other modes it is the address the network saw."""
    return isinstance(client.proxy_mode, RegularMode | UpstreamMode)


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
        in_force = self.state.in_force  # read once: one ruleset decides the whole request
        if in_force is None:  # cannot happen after start-up; never pass unchecked
            flow.response = http.Response.make(
                503, b"aipolicy: no ruleset loaded", {"content-type": "text/plain"})
            return
        pipeline = in_force.pipeline
        info = describe(flow)
        destination = pipeline.destination(info)
        flow.metadata[DESTINATION_KEY] = destination
        app = destination.app
        if destination.host:  # the name the app was recognised by, for adapters and audit
            info = dataclasses.replace(info, host=destination.host)
        if destination.refusal is not None:  # names that disagree or cannot be read
            verdict = pipeline.refuse(info, destination)
        elif app is None:
            return
        elif not pipeline.needs_body(info):
            verdict = pipeline.evaluate(info, app)
        elif flow.request.raw_content is None:  # streamed past us: cannot be inspected
            verdict = pipeline.failure_verdict(info, app, "the request body was streamed")
        else:  # any method; an empty body still has a path, a query and header fields;
            # scanning is CPU work: the scan service does it off the event loop
            verdict = await in_force.evaluate_body(info, app, flow.request.raw_content)
        flow.metadata[METADATA_KEY] = verdict.outcome
        flow.metadata[POLICY_KEY] = pipeline.ruleset.policy
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
        if verdict.note is not None:
            flow.metadata[NOTE_KEY] = verdict.note
            # The note is added to the answer as it streams past: it must not be compressed.
            flow.request.headers["accept-encoding"] = "identity"

    async def websocket_message(self, flow: http.HTTPFlow) -> None:
        """Clients that talk over a WebSocket (Copilot's page, Codex) send prompts as
        client messages: each one is inspected like a request body and redacted, or
        dropped and answered with the client's notice messages."""
        assert flow.websocket is not None
        message = flow.websocket.messages[-1]
        if not message.from_client:
            self._note_answer(flow, message)
            return
        handshake = flow.metadata.get(METADATA_KEY)
        in_force = self.state.in_force  # read once, as for a request
        if handshake is None or in_force is None:
            return
        app = handshake.decision.app
        if app is None or in_force.scanner is None:
            return
        # Binary frames and text frames alike are read by content: JSON when they parse
        # as JSON, else text in any encoding (SignalR's JSON records end in 0x1E), a known
        # file format; what cannot be read is refused.
        content_type = "" if message.is_text else "application/octet-stream"
        # The handshake's path, query and header fields were inspected (and redacted)
        # with the handshake: a frame is its content only.
        info = dataclasses.replace(handshake.request, method="POST", websocket=True,
                                   path=flow.request.path.partition("?")[0], query="",
                                   fields=(), trailers=(),
                                   headers={**handshake.request.headers,
                                            "content-type": content_type,
                                            "content-encoding": ""})
        verdict = await in_force.evaluate_body(info, app, message.content)
        flow.metadata[WS_OUTCOME_KEY] = (message.timestamp, verdict.outcome,
                                         in_force.pipeline.ruleset.policy)
        if verdict.notice is not None:
            message.drop()
            for frame in verdict.notice.frames:
                ctx.master.commands.call("inject.websocket", flow, True, frame)
        elif verdict.new_body is not None:
            message.content = verdict.new_body
            if verdict.note is not None:
                flow.metadata[WS_NOTE_KEY] = frame_note(verdict.note.wire, verdict.note.text)

    @staticmethod
    def _note_answer(flow: http.HTTPFlow, message) -> None:
        """Add a pending redaction note to the server's answer (not to our own notices)."""
        rewriter = flow.metadata.get(WS_NOTE_KEY)
        if rewriter is None or message.injected or not message.is_text:
            return
        message.content = b"".join(rewriter(message.content))
        if rewriter.finished:
            del flow.metadata[WS_NOTE_KEY]

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        extra = flow.metadata.get(RESPONSE_HEADERS_KEY)
        if extra and flow.response is not None:
            for name, value in extra:
                flow.response.headers[name] = value
