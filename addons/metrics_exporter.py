"""Counts decisions and serves Prometheus metrics plus health endpoints on their own port."""

from __future__ import annotations

import logging

from enforcer import DESTINATION_KEY, METADATA_KEY, WS_OUTCOME_KEY
from http_guard import FAILURE_KEY
from mitmproxy import ctx, exceptions, http

from aipolicy.metrics import MetricsServer, PolicyMetrics

log = logging.getLogger("aipolicy")


def parse_listen(value: str) -> tuple[str, int] | None:
    if value in ("", "off"):
        return None
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) < 65536:
        raise exceptions.OptionsError(
            f"aipolicy_metrics_listen: {value!r} is not HOST:PORT (or 'off')")
    return host.strip("[]") or "0.0.0.0", int(port)


class MetricsExporter:
    def __init__(self, state, metrics: PolicyMetrics) -> None:
        self.state = state
        self.metrics = metrics
        self.server: MetricsServer | None = None

    def load(self, loader) -> None:
        loader.add_option(
            "aipolicy_metrics_listen", str, "127.0.0.1:9464",
            """
            HOST:PORT for /metrics (Prometheus), /healthz and /readyz, or "off".
            """,
        )

    def configure(self, updated: set[str]) -> None:
        if "aipolicy_metrics_listen" in updated:
            parse_listen(ctx.options.aipolicy_metrics_listen)

    def running(self) -> None:
        if self.server is not None:
            return
        listen = parse_listen(ctx.options.aipolicy_metrics_listen)
        if listen is None:
            return
        try:
            self.server = MetricsServer(self.metrics, *listen, unready=self.state.unready)
        except OSError as exc:
            log.error(f"aipolicy: cannot serve metrics on {listen[0]}:{listen[1]}: {exc}")
            return
        self.server.start()
        host, port = self.server.address
        log.info(f"aipolicy: metrics on http://{host}:{port}/metrics")

    def request(self, flow: http.HTTPFlow) -> None:
        outcome = flow.metadata.get(METADATA_KEY)
        if outcome is not None:
            self.metrics.observe(outcome)
        destination = flow.metadata.get(DESTINATION_KEY)
        if destination is not None:
            self.metrics.observe_destination(destination, outcome)

    def error(self, flow: http.HTTPFlow) -> None:
        outcome = flow.metadata.get(FAILURE_KEY)
        if outcome is not None:
            self.metrics.observe(outcome)

    def websocket_message(self, flow: http.HTTPFlow) -> None:
        entry = flow.metadata.get(WS_OUTCOME_KEY)
        if flow.websocket and entry and entry[0] == flow.websocket.messages[-1].timestamp:
            self.metrics.observe(entry[1])

    def done(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
