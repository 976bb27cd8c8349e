"""mitmproxy entry point for aipolicy.

    mitmdump -s addons/aipolicy_addons.py --set aipolicy_ruleset=rulesets/default.yaml

or, better for production, the launcher (fails hard on any start-up problem):

    aipolicy run --ruleset rulesets/default.yaml

Each addon does one thing; they share the policy state object and talk through
``flow.metadata``. Order matters: enforcement first, then audit and metrics.
"""

from __future__ import annotations

from audit_log import AuditLog
from enforcer import Enforcer
from metrics_exporter import MetricsExporter
from policy_state import PolicyState
from streaming import Streaming
from tls_scope import TlsScope

from aipolicy.metrics import PolicyMetrics


def build_addons() -> list[object]:
    metrics = PolicyMetrics()
    state = PolicyState(metrics)
    return [
        state,
        TlsScope(state, metrics),
        Enforcer(state),
        AuditLog(state),
        MetricsExporter(state, metrics),
        Streaming(),
    ]


addons = build_addons()
