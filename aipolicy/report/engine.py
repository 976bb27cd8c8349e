"""The usage report computed from audit logs with DuckDB.

DuckDB reads newline-delimited JSON (plain and gzip-rotated files) natively, in parallel
and column by column, so a million audit lines load in about a second on two cores and
every table is one SQL aggregate; a memory limit keeps it bounded (it spills to a temp
directory past it). ``bench/report_bench.py`` compares it with plain Python.

A line that is not a JSON object, or has no valid ``time``, is counted as malformed and
left out; it never stops the report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from .model import Period, PolicyStatus, Report, Table

# The audit line fields the report reads (``aipolicy.audit.audit_record`` and the event
# lines), with their types; anything else on a line is ignored.
COLUMNS = {
    "time": "TIMESTAMPTZ", "event": "VARCHAR", "reference": "VARCHAR", "client": "VARCHAR",
    "user": "VARCHAR", "groups": "VARCHAR[]", "app": "VARCHAR", "app_name": "VARCHAR",
    "vendor": "VARCHAR", "category": "VARCHAR", "status": "VARCHAR", "action": "VARCHAR",
    "enforced": "VARCHAR", "rule": "VARCHAR", "policy_version": "VARCHAR",
    "ack_version": "VARCHAR", "findings": "MAP(VARCHAR, BIGINT)",
    "justification": "VARCHAR", "incident": "STRUCT(severity VARCHAR)",
}
TOP_USERS = 5
MEMORY_LIMIT = "1GB"


class ReportError(Exception):
    """The logs cannot be read at all (a missing file, an unreadable gzip)."""


def build_report(files: Sequence[Path], *, since: dt.datetime | None = None,
                 until: dt.datetime | None = None, policy: PolicyStatus | None = None,
                 ack_version: str | None = None, pseudonym_key: bytes | None = None,
                 days: int = 30) -> Report:
    """The report over ``[since, until)``; by default the last ``days`` days up to the
    newest line. The previous period of the same length is the comparison."""
    for f in files:
        if not Path(f).is_file():
            raise ReportError(f"no such audit log: {f}")
    with tempfile.TemporaryDirectory(prefix="aipolicy-report-") as spill:
        con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill})
        con.execute("SET enable_progress_bar = false")
        try:
            return _Builder(con, files, since, until, policy, ack_version, pseudonym_key,
                            days).run()
        finally:
            con.close()


class _Builder:
    def __init__(self, con: duckdb.DuckDBPyConnection, files: Sequence[Path],
                 since: dt.datetime | None, until: dt.datetime | None,
                 policy: PolicyStatus | None, ack_version: str | None,
                 key: bytes | None, days: int) -> None:
        self.con = con
        self.files = [str(f) for f in files]
        self.policy = policy
        self.ack_version = ack_version
        self.key = key
        self._load()
        newest = self.scalar("SELECT max(time) FROM a") or dt.datetime.now(dt.UTC)
        # By default whole UTC days: the newest line's day and the days before it.
        end_of_day = dt.datetime.combine(newest.astimezone(dt.UTC).date(), dt.time(),
                                         dt.UTC) + dt.timedelta(days=1)
        until = _utc(until) if until else end_of_day
        since = _utc(since) if since else until - dt.timedelta(days=days)
        if since >= until:
            raise ReportError("--since must be before --until")
        self.period = Period(since, until)
        self.previous = self.period.previous()

    # -- loading -------------------------------------------------------------------------
    def _load(self) -> None:
        self.con.execute("SET TimeZone='UTC'")
        columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
        if self.files:
            source = (f"read_json(?, format='newline_delimited', ignore_errors=true, "
                      f"maximum_object_size=16777216, columns={columns})")
            try:
                self.con.execute(f"CREATE TABLE raw AS SELECT * FROM {source}", [self.files])
            except duckdb.Error as exc:
                raise ReportError(f"cannot read the audit logs: {type(exc).__name__}") from None
        else:
            self.con.execute("CREATE TABLE raw AS SELECT * FROM (SELECT "
                             + ", ".join(f"NULL::{v} AS \"{k}\"" for k, v in COLUMNS.items())
                             + ") WHERE false")
        # who: the proxy-auth user, else the client address (the proxy's identity rule)
        self.con.execute("CREATE VIEW a AS SELECT *, coalesce(\"user\", client) AS who "
                         "FROM raw WHERE time IS NOT NULL")
        # Every non-empty line is a row of raw (all NULL when it is not a JSON object).
        self.lines = self.scalar("SELECT count(*) FROM raw")
        self.malformed = self.lines - self.scalar("SELECT count(*) FROM a")

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.con.execute(sql, list(params)).fetchone()
        return row[0] if row else None

    def rows(self, sql: str, params: Sequence[Any] = ()) -> tuple[tuple[Any, ...], ...]:
        return tuple(tuple(r) for r in self.con.execute(sql, list(params)).fetchall())

    # -- the report ----------------------------------------------------------------------
    def run(self) -> Report:
        p, q = self.period, self.previous
        # A view cannot take parameters; the bounds are our own datetimes, not input.
        self.con.execute(f"CREATE VIEW req AS SELECT * FROM a WHERE event IS NULL AND "
                         f"time >= '{p.since.isoformat()}'::TIMESTAMPTZ AND "
                         f"time < '{p.until.isoformat()}'::TIMESTAMPTZ")
        tables = (self.apps(), self.groups(), self.statuses(), self.new_apps(),
                  self.findings(), self.by_rule(), self.justifications(),
                  self.incidents(), self.acknowledgements(), self.trend(),
                  self.top_users())
        return Report(
            period=p, previous=q, files=tuple(self.files), lines=self.lines,
            malformed=self.malformed, headline=self.headline(), tables=tables,
            policy=self.policy, pseudonymised=self.key is not None)

    def headline(self) -> dict[str, Any]:
        def figures(since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
            row = self.rows(
                "SELECT count(*), count(DISTINCT who), count(DISTINCT app), "
                "count(*) FILTER (WHERE status IN ('unsanctioned', 'banned')), "
                "count(*) FILTER (WHERE enforced = 'block'), "
                "count(*) FILTER (WHERE enforced = 'redact'), "
                "count(*) FILTER (WHERE enforced = 'coach'), "
                "count(*) FILTER (WHERE incident IS NOT NULL) "
                "FROM a WHERE event IS NULL AND time >= ? AND time < ?", [since, until])[0]
            keys = ("requests", "users", "apps", "unsanctioned_or_banned", "blocked",
                    "redacted", "coached", "incidents")
            return dict(zip(keys, row, strict=True))

        now = figures(self.period.since, self.period.until)
        before = figures(self.previous.since, self.previous.until)
        change = None
        if before["requests"]:
            change = round(100 * (now["requests"] - before["requests"]) / before["requests"], 1)
            change += 0.0  # no "-0.0"
        return {"period": now, "previous": before, "requests_change_percent": change}

    def apps(self) -> Table:
        rows = self.rows("""
            SELECT app, arg_max(app_name, time), arg_max(vendor, time),
                   arg_max(category, time), arg_max(status, time),
                   count(*) AS requests, count(DISTINCT who),
                   count(*) FILTER (WHERE enforced = 'block'),
                   count(*) FILTER (WHERE enforced = 'coach'),
                   count(*) FILTER (WHERE enforced = 'redact'),
                   count(*) FILTER (WHERE enforced = 'monitor')
            FROM req WHERE app IS NOT NULL GROUP BY app ORDER BY requests DESC, app""")
        return Table("apps", "AI apps by requests and distinct users",
                     ("app", "name", "vendor", "category", "status", "requests", "users",
                      "blocked", "coached", "redacted", "monitored"), rows)

    def groups(self) -> Table:
        rows = self.rows("""
            SELECT g, count(*) AS requests, count(DISTINCT who), count(DISTINCT app),
                   count(*) FILTER (WHERE status IN ('unsanctioned', 'banned'))
            FROM (SELECT unnest(groups) AS g, who, app, status FROM req)
            GROUP BY g ORDER BY requests DESC, g""")
        return Table("groups", "Usage by group", ("group", "requests", "users", "apps",
                                                  "unsanctioned_or_banned"), rows)

    def statuses(self) -> Table:
        rows = self.rows("""
            SELECT status, category, count(*) AS requests, count(DISTINCT who),
                   count(DISTINCT app)
            FROM req GROUP BY status, category
            ORDER BY CASE status WHEN 'banned' THEN 0 WHEN 'unsanctioned' THEN 1
                     WHEN 'tolerated' THEN 2 ELSE 3 END, requests DESC, category""")
        return Table("statuses", "Usage by app status and category",
                     ("status", "category", "requests", "users", "apps"), rows)

    def new_apps(self) -> Table:
        rows = self.rows("""
            WITH first AS (SELECT app, min(time) AS first_seen FROM a
                           WHERE event IS NULL AND app IS NOT NULL GROUP BY app)
            SELECT r.app, arg_max(r.app_name, r.time), arg_max(r.status, r.time),
                   strftime(any_value(f.first_seen), '%Y-%m-%d %H:%M'),
                   count(*) AS requests, count(DISTINCT r.who)
            FROM req r JOIN first f USING (app)
            WHERE f.first_seen >= ? GROUP BY r.app ORDER BY requests DESC, r.app""",
                         [self.period.since])
        return Table("new_apps", "Apps first seen in this period (in the logs given)",
                     ("app", "name", "status", "first_seen", "requests", "users"), rows)

    def findings(self) -> Table:
        rows = self.rows("""
            SELECT type, app, sum(n) AS found, count(DISTINCT reference)
            FROM (SELECT unnest(map_keys(findings)) AS type,
                         unnest(map_values(findings)) AS n, app, reference
                  FROM req WHERE findings IS NOT NULL)
            GROUP BY type, app ORDER BY found DESC, type, app""")
        return Table("findings", "Data found in prompts, by type and app",
                     ("type", "app", "found", "requests"), rows)

    def by_rule(self) -> Table:
        rows = self.rows("""
            SELECT rule, enforced, count(*) AS requests, count(DISTINCT who)
            FROM req WHERE enforced IN ('block', 'coach', 'redact', 'monitor')
            GROUP BY rule, enforced ORDER BY requests DESC, rule""")
        return Table("rules", "Blocked, coached, redacted and monitored, by rule",
                     ("rule", "action", "requests", "users"), rows)

    def justifications(self) -> Table:
        rows = self.rows("""
            SELECT coalesce(justification, '(none)'), app, count(*) AS proceeded,
                   count(DISTINCT who)
            FROM a WHERE event = 'coach-proceed' AND time >= ? AND time < ?
            GROUP BY ALL ORDER BY proceeded DESC, 1, app""",
                         [self.period.since, self.period.until])
        return Table("justifications", "Coach: justifications given to proceed",
                     ("justification", "app", "proceeded", "users"), rows)

    def incidents(self) -> Table:
        rows = self.rows("""
            SELECT incident.severity AS severity, rule, app, count(*) AS incidents,
                   count(DISTINCT who)
            FROM req WHERE incident IS NOT NULL
            GROUP BY incident.severity, rule, app
            ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1
                     WHEN 'medium' THEN 2 ELSE 3 END, incidents DESC, rule, app""")
        return Table("incidents", "Incidents by severity and rule",
                     ("severity", "rule", "app", "incidents", "users"), rows)

    def acknowledgements(self) -> Table:
        current = self.ack_version or self.scalar(
            "SELECT arg_max(ack_version, time) FROM a WHERE event = 'acknowledgement'")
        rows = self.rows("""
            WITH active AS (SELECT who, count(*) AS requests FROM req
                            WHERE who IS NOT NULL GROUP BY who),
                 acks AS (SELECT who, arg_max(ack_version, time) AS version,
                                 max(time) AS at FROM a
                          WHERE event = 'acknowledgement' AND time < ? GROUP BY who)
            SELECT active.who, acks.version, strftime(acks.at, '%Y-%m-%d %H:%M'),
                   active.requests
            FROM active LEFT JOIN acks USING (who)
            WHERE acks.version IS DISTINCT FROM ?
            ORDER BY active.requests DESC, active.who""", [self.period.until, current])
        active = self.scalar("SELECT count(DISTINCT who) FROM req")
        rows = tuple((self._user(w), v, at, n) for w, v, at, n in rows)
        note = (f"current version {current or '(none recorded)'}: {active - len(rows)} of "
                f"{active} active users acknowledged it")
        return Table("acknowledgements", "Active users who have not acknowledged the "
                     "current policy version", ("user", "acknowledged_version",
                                                "acknowledged_at", "requests"), rows, note)

    def trend(self) -> Table:
        p, q = self.period, self.previous
        rows = self.rows("""
            WITH cur AS (SELECT floor(epoch(time - ?::TIMESTAMPTZ) / 86400)::INT AS d,
                                count(*) AS requests, count(DISTINCT who) AS users,
                                count(*) FILTER (WHERE enforced = 'block') AS blocked,
                                count(*) FILTER (WHERE enforced = 'redact') AS redacted
                         FROM req GROUP BY d),
                 prev AS (SELECT floor(epoch(time - ?::TIMESTAMPTZ) / 86400)::INT AS d,
                                 count(*) AS requests
                          FROM a WHERE event IS NULL AND time >= ? AND time < ? GROUP BY d),
                 days AS (SELECT unnest(range(0, ?)) AS d)
            SELECT strftime(?::TIMESTAMPTZ + to_days(days.d::INT), '%Y-%m-%d'),
                   coalesce(cur.requests, 0), coalesce(cur.users, 0),
                   coalesce(cur.blocked, 0), coalesce(cur.redacted, 0),
                   coalesce(prev.requests, 0)
            FROM days LEFT JOIN cur USING (d) LEFT JOIN prev USING (d) ORDER BY days.d""",
                         [p.since, q.since, q.since, q.until, max(1, round(p.days + 0.4999)),
                          p.since])
        return Table("trend", "Requests per day, against the previous period",
                     ("day", "requests", "users", "blocked", "redacted",
                      "previous_period_requests"), rows)

    def top_users(self) -> Table:
        rows = self.rows("""
            SELECT app, who, requests, rank FROM (
                SELECT app, who, count(*) AS requests,
                       row_number() OVER (PARTITION BY app ORDER BY count(*) DESC, who)
                       AS rank
                FROM req WHERE app IS NOT NULL AND who IS NOT NULL GROUP BY app, who)
            WHERE rank <= ? ORDER BY app, rank""", [TOP_USERS])
        rows = tuple((app, self._user(who), n, rank) for app, who, n, rank in rows)
        return Table("top_users", f"Top {TOP_USERS} users per app",
                     ("app", "user", "requests", "rank"), rows)

    def _user(self, who: str) -> str:
        if self.key is None:
            return who
        return "u-" + hmac.new(self.key, who.encode(), hashlib.sha256).hexdigest()[:12]


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
