"""Protocol checks around the enforcer: what mitmproxy would otherwise carry past the policy.

``ProtocolGuard`` runs before the enforcer:

- ``stream_large_bodies`` is refused at start-up: mitmproxy starts sending a large (or a
  growing chunked) request body upstream before any hook sees it. Responses are
  streamed by the ``Streaming`` addon anyway. So is ``validate_inbound_headers=false``:
  it lets requests framed two ways through (request smuggling).
- ``request``: an HTTP/2 or HTTP/3 body gets a ``Content-Length`` of its real length.
  mitmproxy forwards it to an HTTP/1 upstream with whatever framing headers the client
  sent, none by default: the upstream then reads an empty body and the body as a second
  request, one nobody inspected (request smuggling).
  An AI request with trailer fields (HTTP/2, HTTP/3; HTTP/1 ones never get this far,
  see ``http1_reader``), with a body in a transfer coding besides ``chunked``
  (``gzip, chunked``: mitmproxy undoes the chunking only, so the scanner would read
  compressed bytes the upstream inflates) or asking to switch to anything but a
  WebSocket the proxy inspects (``Upgrade: h2c``, ``Upgrade: foo``, a WebSocket version
  mitmproxy does not speak: after a ``101`` mitmproxy would relay raw bytes) is refused
  with a notice.
- ``response``: an AI service that switches protocols anyway, to anything but an
  inspected WebSocket, has the flow killed before the ``101`` reaches the client.
- ``error``: an AI request that failed before a decision (mitmproxy could not read it,
  refused it, the client left, the proxy failed) gets one refusal outcome under
  ``FAILURE_KEY``, which the audit and metrics addons record. A request decided
  already gets no second record.

``DecisionGuard`` runs after the enforcer: mitmproxy logs an exception raised in an
addon hook and carries on, so an enforcer that raised would let the request through.
An AI request (or client WebSocket message) that leaves the enforcer without an outcome,
or with a block but no answer, is refused instead.
"""

from __future__ import annotations

import dataclasses
import logging

from connection_guard import PROXY_FAILED
from enforcer import METADATA_KEY, POLICY_KEY, WS_OUTCOME_KEY, describe, respond
from http1_reader import REQUEST_TRAILERS
from mitmproxy import ctx, exceptions, http

from aipolicy.model import Action, App, RequestInfo
from aipolicy.refusal import Refusal

log = logging.getLogger("aipolicy")

# A refusal Outcome for an AI request that failed before any decision; read by audit/metrics.
FAILURE_KEY = "aipolicy_failure"
# What a failed flow's error means, for the errors whose text we wrote ourselves.
_REFUSAL_BY_ERROR = {REQUEST_TRAILERS: Refusal.TRAILERS, PROXY_FAILED: Refusal.PROXY_FAILED}


def inspected_websocket(request: http.Request) -> bool:
    """A handshake whose 101 mitmproxy turns into WebSocket frames the enforcer inspects
    (mitmproxy checks the same header and version before it picks its WebSocket layer)."""
    return (bool(ctx.options.websocket)
            and request.headers.get("upgrade", "").strip().lower() == "websocket"
            and request.headers.get("sec-websocket-version", "").strip() == "13")


def refusal_for(request: http.Request) -> Refusal | None:
    if request.trailers:
        return Refusal.TRAILERS
    coding = request.headers.get("transfer-encoding")
    if coding is not None and coding.replace(" ", "").lower() != "chunked":
        return Refusal.TRANSFER_CODING  # mitmproxy undoes only "chunked" ("gzip,chunked")
    if "upgrade" in request.headers and not inspected_websocket(request):
        return Refusal.UPGRADE
    return None


def frame_for_http1(request: http.Request) -> None:
    """Frame an HTTP/2 or /3 body by its real length, as an HTTP/1 upstream needs it: the
    upstream then reads exactly the body that was inspected, however the client framed it."""
    if not (request.is_http2 or request.is_http3) or request.raw_content is None:
        return
    if request.raw_content or "content-length" in request.headers:
        request.headers["content-length"] = str(len(request.raw_content))
    request.headers.pop("transfer-encoding", None)


def classify(pipeline, flow: http.HTTPFlow) -> tuple[RequestInfo, App] | None:
    """The AI app a request goes to, by the request's names or else the connection's (a
    request mitmproxy refused may name no host yet, or another host than its tunnel).
    The request description then carries the name that matched."""
    req = flow.request
    names = (req.host, _host_of(req.host_header or ""), flow.client_conn.sni,
             flow.server_conn.address[0] if flow.server_conn.address else None)
    hosts = [h for h in dict.fromkeys((n or "").lower().rstrip(".") for n in names)
             if h and pipeline.ruleset.catalog.should_intercept(h)]  # cheap: most stop here
    if not hosts:
        return None
    info = describe(flow)
    for host in hosts:
        named = info if host == info.host else dataclasses.replace(info, host=host)
        app = pipeline.classify(named)
        if app is not None:
            return named, app
    return None


def _host_of(authority: str) -> str:
    """The host of a Host header value ("name:port", "[v6]:port"), as sent."""
    if authority.startswith("["):
        return authority[1:].partition("]")[0]
    host, sep, port = authority.rpartition(":")
    return host if sep and port.isdigit() else authority


class ProtocolGuard:
    def __init__(self, state) -> None:
        self.state = state

    def configure(self, updated: set[str]) -> None:
        if "stream_large_bodies" in updated and ctx.options.stream_large_bodies:
            raise exceptions.OptionsError(
                "stream_large_bodies cannot be used with aipolicy: mitmproxy sends a streamed "
                "request body upstream before the policy has seen it (responses are "
                "streamed anyway)")
        if "validate_inbound_headers" in updated and not ctx.options.validate_inbound_headers:
            raise exceptions.OptionsError(
                "validate_inbound_headers cannot be switched off with aipolicy: a request "
                "framed two ways (Transfer-Encoding and Content-Length) would reach the "
                "service as other requests than the ones inspected")

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response or not flow.live:
            return
        frame_for_http1(flow.request)
        pipeline = self.state.pipeline
        reason = refusal_for(flow.request)
        if reason is None or pipeline is None:
            return
        found = classify(pipeline, flow)
        if found is None:
            return
        verdict = pipeline.refusal_verdict(*found, reason)
        flow.metadata[METADATA_KEY] = verdict.outcome
        flow.metadata[POLICY_KEY] = pipeline.ruleset.policy
        respond(flow, verdict.notice)

    def response(self, flow: http.HTTPFlow) -> None:
        resp = flow.response
        if (resp is None or resp.status_code != 101 or flow.websocket is not None
                or METADATA_KEY not in flow.metadata or not flow.killable):
            return
        # mitmproxy would now relay raw bytes both ways: not to an AI service.
        flow.kill()
        log.warning(f"aipolicy: {flow.request.host} switched protocols without a WebSocket "
                    "the proxy inspects; the connection was closed")

    def error(self, flow: http.HTTPFlow) -> None:
        pipeline = self.state.pipeline
        if (flow.error is None or pipeline is None or METADATA_KEY in flow.metadata
                or FAILURE_KEY in flow.metadata):
            return
        found = classify(pipeline, flow)
        if found is None:
            return
        reason = _REFUSAL_BY_ERROR.get(flow.error.msg, Refusal.UNREADABLE)
        flow.metadata[FAILURE_KEY] = pipeline.refusal_verdict(*found, reason).outcome


class DecisionGuard:
    def __init__(self, state) -> None:
        self.state = state

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response or not flow.live:
            return
        decided = flow.metadata.get(METADATA_KEY)
        if decided is not None and decided.enforced is not Action.BLOCK:
            return  # decided, and nothing to answer (a block without an answer is not)
        pipeline = self.state.pipeline
        verdict = None
        try:
            if pipeline is not None:
                found = classify(pipeline, flow)
                if found is None:
                    return  # not an AI request: nothing to decide
                verdict = pipeline.refusal_verdict(*found, Refusal.UNDECIDED)
        except Exception as exc:  # cannot even tell what this is: do not pass it on
            log.error(f"aipolicy: a request could not be classified ({type(exc).__name__})")
        if verdict is None:
            flow.response = http.Response.make(
                403, b"aipolicy: this request could not be checked against the AI usage "
                     b"policy and was not forwarded.\n", {"content-type": "text/plain"})
            return
        log.error(f"aipolicy: the enforcer left a request to {verdict.outcome.request.host} "
                  "undecided; refused it")
        flow.metadata[METADATA_KEY] = verdict.outcome
        flow.metadata[POLICY_KEY] = pipeline.ruleset.policy
        respond(flow, verdict.notice)

    def websocket_message(self, flow: http.HTTPFlow) -> None:
        assert flow.websocket is not None
        message = flow.websocket.messages[-1]
        handshake = flow.metadata.get(METADATA_KEY)
        pipeline = self.state.pipeline
        if (not message.from_client or message.dropped or handshake is None or pipeline is None
                or handshake.decision.app is None or pipeline.ruleset.inspection is None):
            return  # the same frames the enforcer leaves alone
        decided = flow.metadata.get(WS_OUTCOME_KEY)
        if decided is not None and decided[0] == message.timestamp:
            return
        message.drop()
        verdict = pipeline.refusal_verdict(handshake.request, handshake.decision.app,
                                           Refusal.UNDECIDED)
        flow.metadata[WS_OUTCOME_KEY] = (message.timestamp, verdict.outcome,
                                         pipeline.ruleset.policy)
        log.error(f"aipolicy: the enforcer left a WebSocket message to {flow.request.host} "
                  "undecided; dropped it")
