"""Two rulesets over one capture: the requests whose decision changes.

A request's decision is its app, the deciding rule, the action and the enforced action
(report mode counts). A request that is an AI request under one ruleset only (a
catalog change) changes too. Requests whose decision stays but whose findings differ
(types or counts: detectors changed) are listed apart and do not count as changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .results import Replay, Result


@dataclass(frozen=True)
class Change:
    index: int
    message: int | None
    method: str
    host: str
    path: str
    old: Result | None  # None: not an AI request under that ruleset
    new: Result | None


@dataclass(frozen=True)
class Comparison:
    old: Replay
    new: Replay
    changed: tuple[Change, ...]  # decision changes
    findings_only: tuple[Change, ...]  # same decision, other findings

    @property
    def compared(self) -> int:
        """Requests that are AI requests under either ruleset."""
        return len({r.key for r in self.old.results} | {r.key for r in self.new.results})


def decision_of(result: Result | None) -> tuple | None:
    if result is None:
        return None
    return (result.app.id if result.app else None, result.rule, result.action,
            result.enforced)


def compare(old: Replay, new: Replay) -> Comparison:
    before = {r.key: r for r in old.results}
    after = {r.key: r for r in new.results}
    changed: list[Change] = []
    findings_only: list[Change] = []
    raw_paths = {r.index: r.info.path for r in old.capture.requests}
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[0], k[1] or 0)):
        a, b = before.get(key), after.get(key)
        shown = a or b
        assert shown is not None
        # each side's path is as its audit log records it: a ruleset that scans it
        # leaves out what it found, one that does not keeps it; show the one left out
        paths = [r.path for r in (a, b) if r is not None]
        path = next((p for p in paths if p != raw_paths.get(key[0])), paths[0])
        change = Change(key[0], key[1], shown.method, shown.host, path, a, b)
        if decision_of(a) != decision_of(b):
            changed.append(change)
        elif a is not None and b is not None and sorted(a.counts) != sorted(b.counts):
            findings_only.append(change)
    return Comparison(old, new, tuple(changed), tuple(findings_only))
