"""Access decisions: which app is this, what is its status, what does the policy say.

Pure functions over the ruleset and the request description; no I/O, no mitmproxy.
"""

from __future__ import annotations

from .model import App, ClientIdentity, Decision
from .ruleset import AccessRule, Match, Ruleset


def _matches(when: Match, app: App, status: str, groups: tuple[str, ...]) -> bool:
    return (
        (not when.apps or app.id in when.apps)
        and (not when.vendors or app.vendor in when.vendors)
        and (not when.categories or app.category in when.categories)
        and (not when.statuses or status in when.statuses)
        and (not when.groups or any(g in when.groups for g in groups))
    )


def decide_access(ruleset: Ruleset, app: App, client: ClientIdentity) -> Decision:
    """First matching rule wins; the explicit default applies when none matches."""
    status = ruleset.status_of(app)
    groups = ruleset.directory.groups_for(client)
    rule: AccessRule = next(
        (r for r in ruleset.rules if _matches(r.when, app, status, groups)), ruleset.default_rule
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

