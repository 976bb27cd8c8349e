"""What the proxy did with one AI request: the record shared by enforcement, audit and metrics.

The enforcer addon stores an ``Outcome`` in ``flow.metadata``; the audit and metrics
addons read it. It holds counts and types of findings, never their values.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from .model import Action, Decision, RequestInfo

_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: people read these aloud


def new_reference() -> str:
    """A short random reference id that people can quote to the help desk."""
    return "AIP-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(10))


@dataclass(frozen=True)
class FindingSummary:
    """Types and counts of what inspection found, for notices, audit and metrics."""

    counts: tuple[tuple[str, str, str, int], ...] = ()  # (kind, type, label, count)

    @property
    def total(self) -> int:
        return sum(c for *_, c in self.counts)

    def by_type(self) -> dict[str, int]:
        return {t: c for _, t, _, c in self.counts}


@dataclass(frozen=True)
class Outcome:
    reference: str
    request: RequestInfo
    decision: Decision
    enforced: Action  # what actually happened (report mode never blocks)
    notice_format: str | None = None  # html or <wire>-<error|reply>, when blocked
    findings: FindingSummary = field(default_factory=FindingSummary)
    decision_seconds: float = 0.0
    scan_seconds: float | None = None
    failure: str | None = None  # fixed reason when inspection could not be done
    client_profile: str | None = None  # rulesets/clients.yaml id, when a notice or note
    #                                    was shaped for the client
    timestamp: float = field(default_factory=time.time)
