"""Decrypt only AI destinations: every other TLS connection is tunnelled untouched.

The client then sees the real server's certificate and the proxy never sees the content.
"""

from __future__ import annotations

from mitmproxy import tls

from aipolicy.metrics import PolicyMetrics


class TlsScope:
    def __init__(self, state, metrics: PolicyMetrics) -> None:
        self.state = state
        self.metrics = metrics

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        pipeline = self.state.pipeline
        if pipeline is None:
            return  # no ruleset yet: intercept, and the enforcer blocks (fail closed)
        # Check both names: a client must not escape inspection by sending an innocent
        # SNI inside a CONNECT to an AI host, or the other way round.
        names = [data.client_hello.sni]
        if data.context.server.address:
            names.append(data.context.server.address[0])
        if not any(name and pipeline.should_intercept(name) for name in names):
            data.ignore_connection = True
            self.metrics.tunnelled.inc()
