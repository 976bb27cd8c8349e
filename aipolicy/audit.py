"""The audit trail: one JSON line per decision on AI traffic.

What the record may hold is decided here and nowhere else: time, reference, client
address, user and groups, app, host, method, path WITHOUT query string, action, rule,
activity (prompt, upload, other), policy version, latency, finding types and counts, the
notice's shape and the client profile it was shaped for, whether the user acknowledged
the policy, a state store failure, the incident's severity and rule. Never bodies, query
strings, credentials or matched values. Besides request lines, event lines (``event``):
acknowledgements, coach proceeds and cancels, an escalation that blocks a person, and its
release.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import sys
import threading
from pathlib import Path
from typing import IO, Any

from .events import PolicyEvent
from .incidents.escalation import Escalation
from .incidents.model import Incident
from .outcome import Outcome
from .ruleset import PolicyInfo


def audit_record(outcome: Outcome, policy: PolicyInfo) -> dict[str, Any]:
    req = outcome.request
    d = outcome.decision
    app = d.app
    record: dict[str, Any] = {
        "time": _time(outcome.timestamp),
        "reference": outcome.reference,
        "client": str(req.client.address) if req.client.address else None,
        "user": req.client.user,
        "groups": list(d.groups),
        "app": app.id if app else None,
        "app_name": app.name if app else None,
        "vendor": app.vendor if app else None,
        "category": app.category if app else None,
        "status": d.status.value if d.status else None,
        "host": req.host,
        "method": req.method,
        "path": req.path.split("?", 1)[0],
        "action": d.action.value,
        "enforced": outcome.enforced.value,
        "mode": d.mode.value,
        "rule": d.rule_id,
        "activity": d.activity.value if d.activity else None,
        "policy_version": policy.version,
        "latency_ms": round(outcome.decision_seconds * 1000, 3),
    }
    if outcome.notice_format:
        record["notice"] = outcome.notice_format
    if outcome.client_profile:
        record["client_profile"] = outcome.client_profile
    if outcome.findings.total:
        record["findings"] = outcome.findings.by_type()
    if outcome.scan_seconds is not None:
        record["scan_ms"] = round(outcome.scan_seconds * 1000, 3)
    if outcome.failure:
        record["failure"] = outcome.failure
    if outcome.acknowledgement:
        record["acknowledgement"] = outcome.acknowledgement
    if outcome.store_error:
        record["store_error"] = outcome.store_error
    if outcome.incident is not None:
        record["incident"] = {"severity": outcome.incident.severity.label,
                              "rule": outcome.incident.rule_id}
    return record


def event_record(event: PolicyEvent) -> dict[str, Any]:
    """An acknowledgement or a coach proceeded past (or cancelled): who, when, which
    policy version, app, rule and the reason chosen; the person's free text only when the
    ruleset keeps it. Never anything from a request's content."""
    app = event.app
    record: dict[str, Any] = {
        "time": _time(event.timestamp),
        "event": event.kind.value,
        "reference": event.reference,
        "client": str(event.client.address) if event.client.address else None,
        "user": event.client.user,
        "groups": list(event.groups),
        "app": app.id if app else None,
        "app_name": app.name if app else None,
        "vendor": app.vendor if app else None,
        "category": app.category if app else None,
        "status": event.status.value if event.status else None,
        "host": event.host,
        "policy_version": event.policy.version,
        "via": event.via.value,
    }
    optional = {"rule": event.rule, "scope": event.scope, "ack_version": event.ack_version,
                "justification": event.justification,
                "justification_text": event.justification_text}
    record.update({k: v for k, v in optional.items() if v is not None})
    if event.remember_seconds is not None:
        record["remember_seconds"] = event.remember_seconds
    return record


def _time(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")


def escalation_record(esc: Escalation, incident: Incident) -> dict[str, Any]:
    """The event line of an escalation (``incident`` is the escalation's own incident):
    who, which threshold, since and until when, which incident triggered it."""
    return {
        "time": _time(esc.since),
        "event": "escalation",
        "reference": esc.reference,
        "client": incident.client,
        "user": incident.user,
        "groups": list(incident.groups),
        "app": incident.app,
        "rule": esc.threshold,
        "incident": {"severity": incident.severity.label, "rule": esc.threshold},
        "until": _time(esc.until) if esc.until is not None else None,
        "count": esc.count,
        "window_seconds": esc.window,
        "trigger": incident.trigger,
        "policy_version": incident.policy_version,
    }


def release_record(esc: Escalation | None, who: str, operator: str | None,
                   at: float) -> dict[str, Any]:
    """The event line of ``aipolicy release``: whose escalation was lifted (None: there
    was none; the counters were cleared), by which operator account."""
    address = _is_address(who)
    return {
        "time": _time(at),
        "event": "escalation-release",
        "reference": esc.reference if esc else None,
        "client": who if address else None,
        "user": None if address else who,
        "rule": esc.threshold if esc else None,
        "released": esc is not None,
        "operator": operator,
    }


class AuditWriter:
    """Appends JSON lines to stdout or a file; reopens the file after log rotation."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._stream: IO[str] | None = None
        self._inode: int | None = None
        if target != "-":
            path = Path(target)
            if not path.parent.is_dir():
                raise ValueError(f"audit log directory {str(path.parent)!r} does not exist")
            self._open()

    def _open(self) -> None:
        self._stream = open(self.target, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
        self._inode = os.fstat(self._stream.fileno()).st_ino

    def _rotated(self) -> bool:
        try:
            return os.stat(self.target).st_ino != self._inode
        except FileNotFoundError:
            return True

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        # A path or header with bytes that are not UTF-8 reaches us as lone surrogates
        # (mitmproxy decodes with surrogateescape); written as \udcXX JSON escapes they
        # keep the line valid JSON instead of failing the write and losing the line.
        line = line.encode("utf-8", "backslashreplace").decode("utf-8")
        with self._lock:
            if self.target == "-":
                sys.stdout.write(line)
                sys.stdout.flush()
                return
            if self._stream is None or self._rotated():
                if self._stream is not None:
                    self._stream.close()
                self._open()
            assert self._stream is not None
            self._stream.write(line)

    def close(self) -> None:
        with self._lock:
            if self._stream is not None:
                self._stream.close()
                self._stream = None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
