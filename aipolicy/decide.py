"""Decisions: what the access rules say about a request, and how every decision on one
request becomes the one that happens.

Pure functions over the ruleset and the request description; no I/O, no mitmproxy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .model import (
    ACTION_STRENGTH,
    Activity,
    App,
    CoachOptions,
    CoachStep,
    Decision,
    IncidentMark,
    RequestInfo,
    Status,
    Unmet,
)
from .ruleset import AccessRule, Ruleset

ACCESS_SCOPE = "access"  # what an access rule's coach is remembered for (per user and app)


class _Rule(Protocol):
    @property
    def id(self) -> str: ...


@dataclass(frozen=True)
class Passed:
    """A rule before the deciding one, and the conditions of it that did not hold."""

    rule_id: str
    unmet: tuple[Unmet, ...]


@dataclass(frozen=True)
class RuleChoice[R: _Rule]:
    """The rule that decides (the first that matches, else the default) and why each
    rule before it did not: the decision and its explanation come from one walk, so an
    explanation cannot say anything the decision did not do."""

    rule: R
    passed: tuple[Passed, ...]


def first_match[R: _Rule](rules: Sequence[R], default: R,
                          unmet: Callable[[R], Iterable[Unmet]]) -> RuleChoice[R]:
    """First matching rule wins; ``unmet(rule)`` says which of its conditions fail."""
    passed: list[Passed] = []
    for rule in rules:
        failed = tuple(unmet(rule))
        if not failed:
            return RuleChoice(rule, tuple(passed))
        passed.append(Passed(rule.id, failed))
    return RuleChoice(default, tuple(passed))


def choose_access_rule(ruleset: Ruleset, app: App, status: Status, groups: tuple[str, ...],
                       activity: Activity) -> RuleChoice[AccessRule]:
    return first_match(ruleset.rules, ruleset.default_rule,
                       lambda rule: rule.when.unmet(app, status, groups, activity))


def decide_access(ruleset: Ruleset, app: App, request: RequestInfo,
                  activity: Activity | None = None) -> Decision:
    """First matching rule wins; the explicit default applies when none matches.

    ``activity`` is what the request does as the ruleset's activity table reads its
    request line; a caller passes another only when the body showed more (a file). The
    request's ``proceeded``: the coach scopes this person has proceeded past for ``app``."""
    status = ruleset.status_of(app)
    groups = ruleset.directory.groups_for(request.client)
    activity = activity or ruleset.activities.of(request)
    rule = choose_access_rule(ruleset, app, status, groups, activity).rule
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
        coach=coach_step(ACCESS_SCOPE, rule.coach, request.proceeded),
        incident=IncidentMark(rule.incident, rule.id, "access", mode) if rule.incident else None,
        activity=activity,
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
