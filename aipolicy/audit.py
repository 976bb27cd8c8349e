"""The audit trail: one JSON line per decision on AI traffic.

What the record may hold is decided here and nowhere else: time, reference, client
address, user and groups, app, host, method, path WITHOUT query string, action, rule,
activity (prompt, upload, other), policy version, latency, finding types and counts, the
notice's shape and the client profile it was shaped for. Never bodies, query strings,
credentials or matched values.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
from pathlib import Path
from typing import IO, Any

from .outcome import Outcome
from .ruleset import PolicyInfo


def audit_record(outcome: Outcome, policy: PolicyInfo) -> dict[str, Any]:
    req = outcome.request
    d = outcome.decision
    app = d.app
    record: dict[str, Any] = {
        "time": dt.datetime.fromtimestamp(outcome.timestamp, dt.UTC).isoformat(
            timespec="milliseconds").replace("+00:00", "Z"),
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
    return record


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
