"""Decisions: what the access rules say about a request, and how every decision on one
request becomes the one that happens.

Pure functions over the ruleset and the request description; no I/O, no mitmproxy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .model import ACTION_STRENGTH, App, ClientIdentity, Decision, Status, Unmet
from .ruleset import AccessRule, Ruleset


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


def choose_access_rule(ruleset: Ruleset, app: App, status: Status,
                       groups: tuple[str, ...]) -> RuleChoice[AccessRule]:
    return first_match(ruleset.rules, ruleset.default_rule,
                       lambda rule: rule.when.unmet(app, status, groups))


def decide_access(ruleset: Ruleset, app: App, client: ClientIdentity) -> Decision:
    """First matching rule wins; the explicit default applies when none matches."""
    status = ruleset.status_of(app)
    groups = ruleset.directory.groups_for(client)
    rule = choose_access_rule(ruleset, app, status, groups).rule
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
