"""Decrypt only what must be checked; every other TLS connection is tunnelled untouched.

Decrypted: connections whose SNI or CONNECT target names an AI host, configured front
hosts, connections that give no name to check (no SNI, or a CONNECT to an IP address;
as the ruleset's ``destinations`` section says), or all with ``decrypt: all``. A
tunnelled connection's client sees the real server's certificate and the proxy never
sees its content.
"""

from __future__ import annotations

from enforcer import client_named_destination
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
        # Both names count: an innocent SNI inside a CONNECT to an AI host is decrypted,
        # and so is the other way round.
        address = data.context.server.address
        scope = pipeline.connection_scope(data.client_hello.sni,
                                          address[0] if address else None,
                                          client_named_destination(data.context.client))
        self.metrics.observe_connection(scope)
        if not scope.decrypt:
            data.ignore_connection = True
