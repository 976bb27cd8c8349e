"""Prometheus metrics in an app-owned registry, and the small HTTP server that serves them.

Labels come only from bounded sets: app ids from the catalog, actions, finding types
from the rules, fixed failure reasons. Never users, addresses, URLs or text.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)

from .destination import ConnectionScope, Destination, Scope
from .outcome import Outcome

_CHECK_ONLY = frozenset({Scope.FRONT, Scope.NO_SNI, Scope.IP_CONNECT, Scope.ALL})
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                    2.5, 5.0)


class PolicyMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "aipolicy_requests", "AI requests decided, by app and enforced action.",
            ["app", "action"], registry=r)
        self.decision_seconds = Histogram(
            "aipolicy_decision_seconds", "Time to decide on one AI request (incl. inspection).",
            buckets=_LATENCY_BUCKETS, registry=r)
        self.scan_seconds = Histogram(
            "aipolicy_scan_seconds", "Time spent inspecting one request body.",
            buckets=_LATENCY_BUCKETS, registry=r)
        self.findings = Counter(
            "aipolicy_findings", "Findings in AI requests, by kind and type.",
            ["kind", "type"], registry=r)
        self.inspection_failures = Counter(
            "aipolicy_inspection_failures",
            "AI requests that could not be inspected (blocked unless policy says otherwise).",
            ["reason"], registry=r)
        self.tunnelled = Counter(
            "aipolicy_tunnelled_connections", "TLS connections passed through undecrypted.",
            registry=r)
        self.decrypted = Counter(
            "aipolicy_decrypted_connections",
            "TLS connections decrypted, by why: ai, sign-in, front, no-sni, ip-connect, all.",
            ["reason"], registry=r)
        self.no_sni = Counter(
            "aipolicy_no_sni_connections",
            "TLS connections whose client sent no server name, by what was done: "
            "decrypted or tunnelled.", ["action"], registry=r)
        self.mismatches = Counter(
            "aipolicy_destination_mismatches",
            "Requests whose names disagree (SNI, CONNECT target, Host, :authority, URL), by "
            "kind (different-apps, non-ai-name, unreadable-name) and enforced action.",
            ["kind", "action"], registry=r)
        self.non_ai_requests = Counter(
            "aipolicy_non_ai_requests",
            "Requests on connections decrypted only to be checked (front, no-sni, ip-connect, "
            "all) that named no AI service: forwarded untouched, not audited.",
            ["connection"], registry=r)
        self.tenant_headers = Counter(
            "aipolicy_tenant_headers",
            "Requests forwarded with a tenant restriction header, by preset "
            "(rulesets/tenant_headers.yaml).", ["preset"], registry=r)
        self.ruleset = Info("aipolicy_ruleset", "The ruleset in force.", registry=r)
        self.ruleset_loaded = Gauge(
            "aipolicy_ruleset_loaded_timestamp_seconds", "When the ruleset in force was loaded.",
            registry=r)
        self.reloads = Counter(
            "aipolicy_ruleset_reloads", "Successful ruleset (re)loads.", registry=r)
        self.reload_failures = Counter(
            "aipolicy_ruleset_reload_failures",
            "Ruleset reloads rejected because the new file was invalid.", registry=r)
        self._next_review: Callable[[], dt.date | None] = lambda: None
        self.review_overdue = Gauge(
            "aipolicy_policy_review_overdue",
            "1 when the policy in force is past its next_review date, else 0.", registry=r)
        self.review_overdue.set_function(lambda: 1.0 if self._overdue_days() > 0 else 0.0)
        self.review_overdue_days = Gauge(
            "aipolicy_policy_review_overdue_days",
            "Days since the policy's next_review date passed (0 when not overdue).",
            registry=r)
        self.review_overdue_days.set_function(lambda: float(self._overdue_days()))
        self.scan_worker_restarts = Counter(
            "aipolicy_scan_worker_restarts",
            "Scan worker processes replaced, by why the previous one was dropped "
            "(timeout: a scan ran past its budget; crash: the process died or failed).",
            ["reason"], registry=r)
        for reason in ("timeout", "crash"):
            self.scan_worker_restarts.labels(reason=reason)
        self.coach = Counter(
            "aipolicy_coach",
            "Coach stops, by app and outcome: shown (a page or a notice), proceeded (a reason "
            "given on the page or in the justification header), cancelled.",
            ["app", "outcome"], registry=r)
        self.acknowledgements = Counter(
            "aipolicy_acknowledgements", "Acknowledgements of the policy recorded.",
            registry=r)
        self.store_failures = Counter(
            "aipolicy_state_store_failures",
            "Acknowledgement and coach records the state store could not read or write "
            "(on_store_error decides what the request gets).", ["operation"], registry=r)
        for operation in ("read", "write"):
            self.store_failures.labels(operation=operation)
        self.scan_workers_ready = Gauge(
            "aipolicy_scan_workers_ready",
            "Scanners of the ruleset in force that are ready to take a body.", registry=r)
        self.scan_queue_depth = Gauge(
            "aipolicy_scan_queue_depth",
            "Request bodies waiting for a free scanner.", registry=r)

        self.incidents = Counter(
            "aipolicy_incidents",
            "Incidents raised, by severity (escalations included).", ["severity"],
            registry=r)
        for severity in ("low", "medium", "high", "critical"):
            self.incidents.labels(severity=severity)
        self.incident_deliveries = Counter(
            "aipolicy_incident_deliveries",
            "Incident delivery attempts, by sink (ids from the ruleset) and result "
            "(delivered, failed: retried with backoff).", ["sink", "result"], registry=r)
        self.incident_queue = Gauge(
            "aipolicy_incident_queue_depth",
            "Incidents waiting on disk for delivery, by sink.", ["sink"], registry=r)
        self.incidents_dropped_total = Counter(
            "aipolicy_incidents_dropped",
            "Queued incidents dropped, oldest first, because a sink's queue was full "
            "(incidents.queue_limit).", ["sink"], registry=r)
        self.escalations = Counter(
            "aipolicy_escalations",
            "People blocked from every AI app by an escalation threshold, by threshold id.",
            ["threshold"], registry=r)
        self.escalation_store_errors = Counter(
            "aipolicy_escalation_store_errors",
            "Escalation checks and counts that could not use the state store, by operation "
            "(check: on_store_error applied; count: an incident was not counted).",
            ["operation"], registry=r)
        for operation in ("check", "count"):
            self.escalation_store_errors.labels(operation=operation)

    # -- incidents: the Dispatcher's DeliveryMetrics ------------------------------------
    def incident_raised(self, severity: str) -> None:
        self.incidents.labels(severity=severity).inc()

    def incident_delivered(self, sink: str) -> None:
        self.incident_deliveries.labels(sink=sink, result="delivered").inc()

    def incident_delivery_failed(self, sink: str) -> None:
        self.incident_deliveries.labels(sink=sink, result="failed").inc()

    def incidents_dropped(self, sink: str, count: int) -> None:
        self.incidents_dropped_total.labels(sink=sink).inc(count)

    def incident_queue_depth(self, sink: str, depth: int) -> None:
        self.incident_queue.labels(sink=sink).set(depth)

    def observe(self, outcome: Outcome) -> None:
        app = outcome.decision.app.id if outcome.decision.app else "unknown"
        self.requests.labels(app=app, action=outcome.enforced.value).inc()
        self.decision_seconds.observe(outcome.decision_seconds)
        if outcome.scan_seconds is not None:
            self.scan_seconds.observe(outcome.scan_seconds)
        for kind, type_, _label, count in outcome.findings.counts:
            self.findings.labels(kind=kind, type=type_).inc(count)
        if outcome.failure:
            self.inspection_failures.labels(reason=outcome.failure).inc()

    def observe_connection(self, scope: ConnectionScope) -> None:
        if not scope.server_name:
            self.no_sni.labels(action="decrypted" if scope.decrypt else "tunnelled").inc()
        if scope.decrypt:
            self.decrypted.labels(reason=scope.scope.value).inc()
        else:
            self.tunnelled.inc()

    def observe_destination(self, destination: Destination, outcome: Outcome | None) -> None:
        if destination.disagreement is not None and outcome is not None:
            self.mismatches.labels(kind=destination.disagreement.value,
                                   action=outcome.enforced.value).inc()
        elif destination.app is None and destination.scope in _CHECK_ONLY:
            self.non_ai_requests.labels(connection=destination.scope.value).inc()

    def watch_scanning(self, ready: Callable[[], float], queued: Callable[[], float]) -> None:
        """Read the scanning gauges from these when scraped."""
        self.scan_workers_ready.set_function(ready)
        self.scan_queue_depth.set_function(queued)

    def _overdue_days(self) -> int:
        due = self._next_review()
        return 0 if due is None else review_overdue_days(due)

    def ruleset_loaded_now(self, name: str, version: str, path: str, loaded_at: float,
                           next_review: dt.date | None = None) -> None:
        """``next_review`` is read at every scrape, so the review gauges turn on the day
        the date passes, without a reload."""
        self._next_review = lambda: next_review
        self.ruleset.info({"name": name, "version": version, "file": path})
        self.ruleset_loaded.set(loaded_at)
        self.reloads.inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def review_overdue_days(next_review: dt.date, today: dt.date | None = None) -> int:
    """Days past the policy's next review date (0 until the day after it)."""
    today = today or dt.datetime.now(dt.UTC).date()
    return max(0, (today - next_review).days)


class MetricsServer:
    """Serves /metrics, /healthz (process up) and /readyz (200 when ``unready()`` returns
    None; otherwise 503 with the reason it returns)."""

    def __init__(self, metrics: PolicyMetrics, host: str, port: int,
                 unready: Callable[[], str | None]) -> None:
        handler = _handler(metrics, unready)
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="aipolicy-metrics",
                                       daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.httpd.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(metrics: PolicyMetrics,
             unready: Callable[[], str | None]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, metrics.exposition())
            elif path == "/healthz":
                self._send(200, "text/plain", b"ok\n")
            elif path == "/readyz":
                problem = unready()
                self._send(200 if problem is None else 503, "text/plain",
                           f"{problem or 'ready'}\n".encode())
            else:
                self._send(404, "text/plain", b"not found\n")

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return  # scrapes are not worth a log line each

    return Handler
