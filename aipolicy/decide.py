"""Access decisions: which app is this, what is its status, what does the policy say.

Pure functions over the ruleset and the request description; no I/O, no mitmproxy.
"""

from __future__ import annotations

from .model import App, ClientIdentity, Decision
from .ruleset import AccessRule, Ruleset


def decide_access(ruleset: Ruleset, app: App, client: ClientIdentity) -> Decision:
    """First matching rule wins; the explicit default applies when none matches."""
    status = ruleset.status_of(app)
    groups = ruleset.directory.groups_for(client)
    rule: AccessRule = next(
        (r for r in ruleset.rules if r.when.applies(app, status, groups)), ruleset.default_rule
    )
    return Decision(
        action=rule.action,
        rule_id=rule.id,
        reason=rule.reason,
        mode=rule.mode or ruleset.mode,
        app=app,
        status=status,
        groups=groups,
        alternative=ruleset.alternative_app(rule),
        alternative_text=rule.alternative_text,
    )

