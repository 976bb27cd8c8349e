"""Decisions: what the access rules say about a request, and how every decision on one
request becomes the one that happens.

Pure functions over the ruleset and the request description; no I/O, no mitmproxy.
"""

from __future__ import annotations

from .model import (
    ACTION_STRENGTH,
    App,
    ClientIdentity,
    CoachOptions,
    CoachStep,
    Decision,
    IncidentMark,
)
from .ruleset import AccessRule, Ruleset

ACCESS_SCOPE = "access"  # what an access rule's coach is remembered for (per user and app)


def decide_access(ruleset: Ruleset, app: App, client: ClientIdentity,
                  proceeded: frozenset[str] = frozenset()) -> Decision:
    """First matching rule wins; the explicit default applies when none matches.
    ``proceeded``: the coach scopes this person has proceeded past for ``app``."""
    status = ruleset.status_of(app)
    groups = ruleset.directory.groups_for(client)
    rule: AccessRule = next(
        (r for r in ruleset.rules if r.when.applies(app, status, groups)), ruleset.default_rule
    )
    mode = rule.mode or ruleset.mode
    return Decision(
        action=rule.action,
        rule_id=rule.id,
        reason=rule.reason,
        mode=mode,
        app=app,
        status=status,
        groups=groups,
        alternative=ruleset.alternative_app(rule),
        alternative_text=rule.alternative_text,
        coach=coach_step(ACCESS_SCOPE, rule.coach, proceeded),
        incident=IncidentMark(rule.incident, rule.id, "access", mode) if rule.incident else None,
    )


def coach_step(scope: str, options: CoachOptions | None, proceeded: frozenset[str]
               ) -> CoachStep | None:
    """The gate of a coach rule (None for other rules): cleared once proceeded past."""
    if options is None:
        return None
    return CoachStep(scope, options, cleared=scope in proceeded)


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


def highest_incident(*marks: IncidentMark | None) -> IncidentMark | None:
    """The incident of a request on which several decisions fired: the highest severity
    any of them marks, whichever decision's action won in ``combine``. Severity says how
    much the security team must hear about what was caught; the action says what was done
    with the request. A ``monitor`` rule marked critical (a merger code name that may be
    sent, but must be reported at once) must not be hidden by an ordinary secret block
    marked high on the same request. Ties go to the earlier mark (access before content)."""
    best: IncidentMark | None = None
    for mark in marks:
        if mark is not None and (best is None or mark.severity > best.severity):
            best = mark
    return best
