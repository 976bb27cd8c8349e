"""Sets the ruleset's tenant restriction headers on every request the proxy forwards to
a vendor that reads them, and removes every copy the client sent.

Runs after the decision (a blocked request is answered here and goes nowhere) and for
every forwarded request, AI or not: allowed, monitored, redacted, report-mode blocks,
WebSocket handshakes, and requests to identity providers' sign-in hosts (decrypted for
this alone, see ``aipolicy.destination``). Each HTTP/2 request is its own flow, so a
reused connection cannot carry a request past it. Which headers and how the fields are
rewritten is ``aipolicy.tenants``; this is the glue.
"""

from __future__ import annotations

from enforcer import describe
from mitmproxy import http

from aipolicy.metrics import PolicyMetrics

_CODEC = ("utf-8", "surrogateescape")  # header bytes round-trip unchanged


def _decoded(fields) -> list[tuple[str, str]]:
    return [(k.decode(*_CODEC), v.decode(*_CODEC)) for k, v in fields]


def _encoded(fields: list[tuple[str, str]]) -> http.Headers:
    return http.Headers([(k.encode(*_CODEC), v.encode(*_CODEC)) for k, v in fields])


class TenantHeaders:
    def __init__(self, state, metrics: PolicyMetrics) -> None:
        self.state = state
        self.metrics = metrics

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response or not flow.live:
            return  # answered by the proxy: nothing goes upstream
        pipeline = self.state.pipeline
        restriction = pipeline.ruleset.tenants if pipeline is not None else None
        if restriction is None:
            return
        headers = restriction.for_names(describe(flow).names)
        if not headers:
            return
        req = flow.request
        req.headers = _encoded(restriction.rewrite(_decoded(req.headers.fields), headers))
        if req.trailers:
            req.trailers = _encoded(restriction.strip_fields(_decoded(req.trailers.fields)))
        for header in headers:
            self.metrics.tenant_headers.labels(preset=header.preset).inc()
