"""mitmproxy entry point for aipolicy.

    mitmdump -s addons/aipolicy_addons.py --set aipolicy_ruleset=rulesets/default.yaml

or, better for production, the launcher (fails hard on any start-up problem):

    aipolicy run --ruleset rulesets/default.yaml

Each addon does one thing; they share the policy state object and talk through
``flow.metadata``. Order matters: the protocol guard, enforcement (escalated people
first), the decision guard, incidents (delivered, counted towards escalation), tenant
headers (on what is forwarded), then audit and metrics.
"""

from __future__ import annotations

import http1_reader
import log_privacy
from audit_log import AuditLog
from connection_guard import ConnectionGuard
from enforcer import Enforcer
from http_guard import DecisionGuard, ProtocolGuard
from incidents import IncidentsAddon
from metrics_exporter import MetricsExporter
from policy_state import PolicyState
from state_store import StateStoreAddon
from streaming import Streaming
from tenant_headers import TenantHeaders
from tls_scope import TlsScope

from aipolicy.incidents.escalation import Escalations
from aipolicy.metrics import PolicyMetrics


def build_addons() -> list[object]:
    http1_reader.install()  # raises if this mitmproxy is not the one it was written for
    log_privacy.install()
    metrics = PolicyMetrics()
    state = PolicyState(metrics)
    store = StateStoreAddon()  # shared with the addons that remember decisions
    escalations = Escalations(
        lambda: store.store,
        lambda: metrics.escalation_store_errors.labels(operation="check").inc())
    return [
        store,
        state,
        TlsScope(state, metrics),
        ConnectionGuard(state),
        ProtocolGuard(state),
        Enforcer(state, store, metrics, escalations),
        DecisionGuard(state),
        IncidentsAddon(state, escalations, metrics),
        TenantHeaders(state, metrics),
        AuditLog(state),
        MetricsExporter(state, metrics),
        Streaming(),
    ]


addons = build_addons()
