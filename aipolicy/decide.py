"""Decisions: what the access rules say about a request, and how every decision on one
request becomes the one that happens.

Pure functions over the ruleset and the request description; no I/O, no mitmproxy.
"""

from __future__ import annotations

from .model import ACTION_STRENGTH, Activity, App, Decision, RequestInfo
from .ruleset import AccessRule, Ruleset


def decide_access(ruleset: Ruleset, app: App, request: RequestInfo,
                  activity: Activity | None = None) -> Decision:
    """First matching rule wins; the explicit default applies when none matches.

    ``activity`` is what the request does as the ruleset's activity table reads its
    request line; a caller passes another only when the body showed more (a file)."""
    status = ruleset.status_of(app)
    groups = ruleset.directory.groups_for(request.client)
    activity = activity or ruleset.activities.of(request)
    rule: AccessRule = next(
        (r for r in ruleset.rules if r.when.applies(app, status, groups, activity)),
        ruleset.default_rule,
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
        activity=activity,
    )



def combine(first: Decision, *others: Decision | None) -> Decision:
    """The decision that happens when several apply to one request (access, content,
    a failure to inspect): the one whose *enforced* action is strongest, so a report-mode
    block never hides an enforced redaction and ``on_error: monitor`` never weakens a
    block. Ties go to the stronger nominal action, then to the earlier decision (access
    before content before failure). The only place where decisions are merged."""
    best = first
    for decision in others:
        if decision is not None and _strength(decision) > _strength(best):
            best = decision
    return best


def _strength(decision: Decision) -> tuple[int, int]:
    return ACTION_STRENGTH[decision.enforced_action], ACTION_STRENGTH[decision.action]
