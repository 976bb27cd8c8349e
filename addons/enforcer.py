"""Applies the policy to every AI request: block with a notice, or let it through.

The only code that turns a mitmproxy flow into the core's ``RequestInfo``; everything
else is decided by ``aipolicy.pipeline``. The outcome goes into ``flow.metadata`` for
the audit and metrics addons.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mitmproxy import connection, ctx, exceptions, http
from mitmproxy.proxy.mode_specs import RegularMode, UpstreamMode

from aipolicy.coach_config import HEADER as JUSTIFICATION_HEADER
from aipolicy.csrf import PageKeys
from aipolicy.extract.envelope import EnvelopeEdit
from aipolicy.gate import Evaluate, Gate
from aipolicy.incidents.escalation import Escalations, who_of
from aipolicy.metrics import PolicyMetrics
from aipolicy.model import Action, App, RequestInfo
from aipolicy.notices import Notice
from aipolicy.pipeline import Pipeline, Verdict
from aipolicy.requests import client_identity, describe_request
from aipolicy.respond import frame_note

METADATA_KEY = "aipolicy"
DESTINATION_KEY = "aipolicy_destination"  # the Destination of every request: for metrics
# the PolicyInfo of the ruleset that decided (a reload may swap the ruleset meanwhile)
POLICY_KEY = "aipolicy_policy"
RESPONSE_HEADERS_KEY = "aipolicy_response_headers"
# (timestamp of the client's WebSocket message, its Outcome, the deciding ruleset's
# PolicyInfo): read by audit and metrics
WS_OUTCOME_KEY = "aipolicy_websocket"
# Acknowledgements and coach proceeds/cancels (aipolicy.events.PolicyEvent) a request
# made: one audit line each. For a WebSocket message: (its timestamp, the events).
EVENTS_KEY = "aipolicy_events"
WS_EVENTS_KEY = "aipolicy_websocket_events"
# A ResponseNote for the streamed answer: the streaming addon adds it to the answer.
NOTE_KEY = "aipolicy_note"
# The FrameRewriter adding a note to the server's next WebSocket answer.
WS_NOTE_KEY = "aipolicy_websocket_note"


def describe(flow: http.HTTPFlow) -> RequestInfo:
    req = flow.request
    peer = flow.client_conn.peername
    auth = flow.metadata.get("proxyauth")
    user = auth[0] if isinstance(auth, tuple | list) and auth else None
    return describe_request(
        method=req.method, scheme=req.scheme, host=req.host, port=req.port, target=req.path,
        fields=req.headers.items(multi=True),
        client=client_identity(peer[0] if peer else None, user),
        # HTTP/2 :authority, absolute form inside a tunnel; raw (``authority`` decodes IDNA)
        authority=req.data.authority.decode("utf-8", "surrogateescape"),
        tls=bool(flow.client_conn.tls), sni=flow.client_conn.sni,
        explicit=client_named_destination(flow.client_conn),
        trailers=req.trailers.items(multi=True) if req.trailers else (),
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
    def __init__(self, state, store=None, metrics: PolicyMetrics | None = None,
                 escalations: Escalations | None = None) -> None:
        """``store``: the StateStoreAddon whose store holds acknowledgements and coach
        decisions (without one, every check that needs it follows on_store_error);
        ``escalations``: who is blocked from every AI app (None: nobody)."""
        self.state = state
        self.escalations = escalations
        self.gate = Gate(lambda: store.store if store is not None else None,
                         PageKeys.random(), metrics)

    def load(self, loader) -> None:
        loader.add_option(
            "aipolicy_page_secret", str, "",
            """
            A file holding the secret (16 bytes or more) that protects the forms of the
            acknowledgement and coach pages. Empty: a random secret per process (a page
            opened before a restart must be reloaded). Replicas behind a load balancer need
            the same file.
            """,
        )

    def configure(self, updated: set[str]) -> None:
        if "aipolicy_page_secret" not in updated:
            return
        value = ctx.options.aipolicy_page_secret
        try:
            self.gate.keys = PageKeys.from_file(Path(value)) if value else PageKeys.random()
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise exceptions.OptionsError(f"aipolicy_page_secret: {reason}") from None

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
        elif (blocked := await self._escalated(pipeline, info, app)) is not None:
            verdict = blocked  # the person is blocked from every AI app
        elif self.gate.is_page(info, app):  # the proxy's own pages: never forwarded
            answer = await self.gate.page(pipeline, info, app, flow.request.raw_content)
            flow.metadata[EVENTS_KEY] = answer.events
            flow.metadata[POLICY_KEY] = pipeline.ruleset.policy
            respond(flow, answer.notice)
            return
        else:
            decided = await self.gate.decide(pipeline, info, app, flow.request.raw_content,
                                             _evaluator(in_force, app,
                                                        flow.request.raw_content))
            verdict = decided.verdict
            flow.metadata[EVENTS_KEY] = decided.events
        flow.metadata[METADATA_KEY] = verdict.outcome
        flow.metadata[POLICY_KEY] = pipeline.ruleset.policy
        if verdict.notice is not None:
            respond(flow, verdict.notice)
            return
        if verdict.new_envelope:  # before the body: its edits are by header position
            rewrite_envelope(flow.request, verdict.new_envelope)
        flow.request.headers.pop(JUSTIFICATION_HEADER, None)  # for the proxy only
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
        if app is None:
            return
        blocked = await self._escalated(
            in_force.pipeline, dataclasses.replace(handshake.request, websocket=True), app)
        if blocked is not None:
            self._answer_message(flow, message, blocked, in_force.pipeline)
            return
        if in_force.scanner is None:
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
        content = message.content

        async def evaluate(described: RequestInfo):
            return await in_force.evaluate_body(described, app, content)

        decided = await self.gate.decide(in_force.pipeline, info, app, content, evaluate)
        verdict = decided.verdict
        flow.metadata[WS_EVENTS_KEY] = (message.timestamp, decided.events)
        if verdict.notice is not None:
            self._answer_message(flow, message, verdict, in_force.pipeline)
            return
        flow.metadata[WS_OUTCOME_KEY] = (message.timestamp, verdict.outcome,
                                         in_force.pipeline.ruleset.policy)
        if verdict.new_body is not None:
            message.content = verdict.new_body
            if verdict.note is not None:
                flow.metadata[WS_NOTE_KEY] = frame_note(verdict.note.wire, verdict.note.text)

    @staticmethod
    def _answer_message(flow: http.HTTPFlow, message, verdict: Verdict,
                        pipeline: Pipeline) -> None:
        """Drop a client's WebSocket message and answer it with the notice's frames."""
        assert verdict.notice is not None
        flow.metadata[WS_OUTCOME_KEY] = (message.timestamp, verdict.outcome,
                                         pipeline.ruleset.policy)
        message.drop()
        for frame in verdict.notice.frames:
            ctx.master.commands.call("inject.websocket", flow, True, frame)

    async def _escalated(self, pipeline: Pipeline, info: RequestInfo,
                         app: App) -> Verdict | None:
        """The block notice for a person an escalation blocks from every AI app (or whose
        escalation the store cannot tell, when ``on_store_error: block``), else None."""
        settings = pipeline.ruleset.incidents.escalation
        if settings is None or self.escalations is None:
            return None
        check = await self.escalations.check(who_of(info.client), settings)
        if check.escalation is not None:
            return pipeline.escalated(info, app, check.escalation)
        if check.failed and settings.on_store_error is Action.BLOCK:
            return pipeline.escalation_unchecked(info, app)
        return None

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


def _evaluator(in_force, app: App, raw: bytes | None) -> Evaluate:
    """The pipeline's verdict for a request description (the gate asks again once a
    coach is cleared): scanning is CPU work, done by the scan service off the event loop."""
    pipeline = in_force.pipeline

    async def evaluate(info: RequestInfo):
        if not pipeline.needs_body(info):
            return pipeline.evaluate(info, app)
        if raw is None:  # streamed past us: cannot be inspected
            return pipeline.failure_verdict(info, app, "the request body was streamed")
        # any method; an empty body still has a path, a query and header fields
        return await in_force.evaluate_body(info, app, raw)

    return evaluate
