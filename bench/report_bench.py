"""The usage report over a large audit log: DuckDB (what ``aipolicy report`` uses) against
plain Python reading the same lines.

Both compute the same headline figures and the apps table (requests, distinct users,
blocked per app) over the same period, so the comparison is like for like; the DuckDB
run then builds the whole report (every table) on top, as the command does.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from aipolicy.report.engine import build_report
from bench.audit_log import write

START = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)


def _plain_python(path: Path, since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    requests: dict[str, int] = defaultdict(int)
    users: dict[str, set[str]] = defaultdict(set)
    blocked: dict[str, int] = defaultdict(int)
    malformed = 0
    # The audit log writes times as ISO strings with milliseconds and Z: they sort as text.
    lo, hi = (t.isoformat(timespec="milliseconds").replace("+00:00", "Z")
              for t in (since, until))
    with path.open("rb") as f:
        for line in f:
            try:
                rec = json.loads(line)
                when = rec["time"]
            except (ValueError, KeyError, TypeError):
                malformed += 1
                continue
            if "event" in rec or not (lo <= when < hi):
                continue
            app = rec.get("app")
            requests[app] += 1
            users[app].add(rec.get("user") or rec.get("client"))
            if rec.get("enforced") == "block":
                blocked[app] += 1
    return {"apps": {a: (n, len(users[a]), blocked[a]) for a, n in requests.items()},
            "malformed": malformed}


def report_section(work: Path, lines: int) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    log = work / "audit.log"
    t = time.perf_counter()
    write(log, lines, start=START, days=60)
    generated = time.perf_counter() - t
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    t = time.perf_counter()
    report = build_report([log])
    duck = time.perf_counter() - t
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    t = time.perf_counter()
    plain = _plain_python(log, report.period.since, report.period.until)
    python = time.perf_counter() - t

    apps = {row["app"]: (row["requests"], row["users"], row["blocked"])
            for row in report.table("apps").as_dicts()}
    return {
        "lines": report.lines, "bytes": os.path.getsize(log),
        "generate_s": round(generated, 2),
        "duckdb_full_report_s": round(duck, 2),
        "plain_python_apps_table_s": round(python, 2),
        "speedup": round(python / duck, 2) if duck else None,
        "same_figures": apps == plain["apps"],
        "peak_rss_mb_growth": round(rss_after - rss_before, 1),
    }
