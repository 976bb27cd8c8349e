"""The incident record and its severities."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, value: str) -> Severity:
        return cls[value.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Incident:
    """Time, reference, who, which app and rule, finding types and counts. Never a value
    of a finding, a prompt, a header or a query string."""

    kind: str  # "data" (a data rule), "access" (an access rule), "escalation"
    severity: Severity
    time: float
    reference: str
    rule: str
    user: str | None
    client: str | None
    groups: tuple[str, ...] = ()
    app: str | None = None
    app_name: str | None = None
    action: str | None = None  # what was done: block, redact, ...
    findings: tuple[tuple[str, int], ...] = ()  # (type, count)
    policy_version: str | None = None
    detail: str | None = None  # fixed text (an escalation: "3 high incidents in 1h")
    until: float | None = None  # an escalation: blocked until
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def who(self) -> str | None:
        return self.user or self.client

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = self.severity.label
        d["time"] = _iso(self.time)
        d["findings"] = dict(self.findings)
        d["groups"] = list(self.groups)
        if self.until is not None:
            d["until"] = _iso(self.until)
        if not d["extra"]:
            del d["extra"]
        return {k: v for k, v in d.items() if v is not None}

    def summary(self) -> str:
        """One line for people (Slack's ``text``, syslog's MSG)."""
        who = self.who or "unknown user"
        app = self.app_name or self.app or "an AI service"
        if self.kind == "escalation":
            head = f"{who} is blocked from all AI services"
            if self.until is not None:
                head += f" until {_iso(self.until)}"
            return f"[{self.severity.label}] {head}: {self.detail or self.rule} ({self.reference})"
        found = ", ".join(f"{t} ×{n}" if n > 1 else t for t, n in self.findings)
        what = f" — {found}" if found else ""
        return (f"[{self.severity.label}] {self.action or 'event'} by rule {self.rule}: "
                f"{who} → {app}{what} ({self.reference})")


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def from_outcome(outcome: Any, severity: Severity, kind: str,
                 policy_version: str | None) -> Incident:
    """The incident for a decided request (an ``aipolicy.outcome.Outcome``): who, where,
    which rule, what was done, finding types and counts — the same whitelist as the audit
    line, nothing from the body."""
    d = outcome.decision
    client = outcome.request.client
    return Incident(
        kind=kind, severity=severity, time=outcome.timestamp, reference=outcome.reference,
        rule=d.rule_id, user=client.user,
        client=str(client.address) if client.address else None, groups=tuple(d.groups),
        app=d.app.id if d.app else None, app_name=d.app.name if d.app else None,
        action=outcome.enforced.value,
        findings=tuple((t, n) for _, t, _, n in outcome.findings.counts),
        policy_version=policy_version)
