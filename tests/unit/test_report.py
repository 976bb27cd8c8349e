"""`aipolicy report`: every figure checked against an independent count of the same lines."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from aipolicy.cli import main
from aipolicy.report.engine import ReportError, build_report
from aipolicy.report.render import html_page, text, write_csv
from bench.audit_log import lines

START = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
SINCE = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
UNTIL = dt.datetime(2026, 10, 31, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def records() -> list[dict]:
    recs = list(lines(6000, start=START, days=60, users=80, seed=11))
    # an app that only appears inside the period, and one that appears before it too
    recs.append({**recs[-10], "time": "2026-10-20T10:00:00.000Z", "app": "new-ai-tool",
                 "app_name": "New AI Tool", "status": "unsanctioned", "reference": "AIP-NEW1"})
    return recs


@pytest.fixture(scope="module")
def logs(tmp_path_factory, records) -> list[Path]:
    """The lines in two files, the older one gzip-rotated; plus a malformed line, a
    blank line, a line without a time and an empty file."""
    d = tmp_path_factory.mktemp("audit")
    half = len(records) // 2
    rotated = d / "audit.log.1.gz"
    with gzip.open(rotated, "wt") as f:
        for r in records[:half]:
            f.write(json.dumps(r) + "\n")
        f.write("this is not json {\n\n")
    current = d / "audit.log"
    with current.open("w") as f:
        for r in records[half:]:
            f.write(json.dumps(r) + "\n")
        f.write('{"app": "no-time-here"}\n')
    empty = d / "empty.log"
    empty.write_text("")
    return [rotated, current, empty]


def _t(rec: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(rec["time"].replace("Z", "+00:00"))


def _who(rec: dict) -> str:
    return rec.get("user") or rec["client"]


@pytest.fixture(scope="module")
def report(logs):
    return build_report(logs, since=SINCE, until=UNTIL)


def _in(rec: dict, since=SINCE, until=UNTIL) -> bool:
    return since <= _t(rec) < until


def test_lines_and_malformed(report, records):
    assert report.lines == len(records) + 2  # + the non-JSON line and the line without time
    assert report.malformed == 2


def test_apps_table_matches_an_independent_count(report, records):
    reqs = [r for r in records if "event" not in r and _in(r)]
    count = Counter(r["app"] for r in reqs)
    users = defaultdict(set)
    blocked = Counter()
    for r in reqs:
        users[r["app"]].add(_who(r))
        if r["enforced"] == "block":
            blocked[r["app"]] += 1
    got = {row["app"]: row for row in report.table("apps").as_dicts()}
    assert set(got) == set(count)
    for app, n in count.items():
        assert got[app]["requests"] == n
        assert got[app]["users"] == len(users[app])
        assert got[app]["blocked"] == blocked[app]
    assert report.headline["period"]["requests"] == len(reqs)
    prev = [r for r in records if "event" not in r and
            _in(r, SINCE - (UNTIL - SINCE), SINCE)]
    assert report.headline["previous"]["requests"] == len(prev)


def test_groups_findings_rules_justifications_incidents(report, records):
    reqs = [r for r in records if "event" not in r and _in(r)]
    groups = Counter(g for r in reqs for g in r["groups"])
    assert {row["group"]: row["requests"] for row in report.table("groups").as_dicts()} \
        == dict(groups)
    found = Counter()
    for r in reqs:
        for t, n in r.get("findings", {}).items():
            found[(t, r["app"])] += n
    assert {(row["type"], row["app"]): row["found"]
            for row in report.table("findings").as_dicts()} == dict(found)
    rules = Counter((r["rule"], r["enforced"]) for r in reqs
                    if r["enforced"] in ("block", "coach", "redact", "monitor"))
    assert {(row["rule"], row["action"]): row["requests"]
            for row in report.table("rules").as_dicts()} == dict(rules)
    just = Counter((r["justification"], r["app"]) for r in records
                   if r.get("event") == "coach-proceed" and _in(r))
    assert {(row["justification"], row["app"]): row["proceeded"]
            for row in report.table("justifications").as_dicts()} == dict(just)
    incidents = Counter((r["incident"]["severity"], r["rule"], r["app"]) for r in reqs
                        if "incident" in r)
    assert {(row["severity"], row["rule"], row["app"]): row["incidents"]
            for row in report.table("incidents").as_dicts()} == dict(incidents)


def test_new_apps_trend_top_users_and_acknowledgements(report, records):
    assert [row["app"] for row in report.table("new_apps").as_dicts()] == ["new-ai-tool"]
    reqs = [r for r in records if "event" not in r and _in(r)]
    per_day = Counter(_t(r).date().isoformat() for r in reqs)
    trend = report.table("trend").as_dicts()
    assert len(trend) == 30 and trend[0]["day"] == "2026-10-01"
    assert {row["day"]: row["requests"] for row in trend if row["requests"]} == dict(per_day)
    assert sum(row["previous_period_requests"] for row in trend) == \
        report.headline["previous"]["requests"]
    by_app_user = Counter((r["app"], _who(r)) for r in reqs)
    top = report.table("top_users").as_dicts()
    for row in top:
        assert by_app_user[(row["app"], row["user"])] == row["requests"]
    chatgpt = [row["requests"] for row in top if row["app"] == "openai-chatgpt"]
    assert chatgpt == sorted((n for (a, _), n in by_app_user.items() if a == "openai-chatgpt"),
                             reverse=True)[:5]
    acked = {_who(r) for r in records if r.get("event") == "acknowledgement"
             and _t(r) < UNTIL and r["ack_version"] == "2026.11"}
    active = {_who(r) for r in reqs}
    missing = {row["user"] for row in report.table("acknowledgements").as_dicts()}
    assert missing == active - acked
    assert f"{len(active) - len(missing)} of {len(active)} active users" in \
        report.table("acknowledgements").note


def test_pseudonymised_users_never_appear(logs, records):
    r = build_report(logs, since=SINCE, until=UNTIL, pseudonym_key=b"k" * 32)
    page = html_page(r) + text(r) + json.dumps([t.rows for t in r.tables], default=str)
    for rec in records:
        if rec.get("user"):
            assert rec["user"] not in page
        assert rec["client"] not in page
    again = build_report(logs, since=SINCE, until=UNTIL, pseudonym_key=b"k" * 32)
    assert again.table("top_users").rows == r.table("top_users").rows  # stable with a key


def test_empty_logs_give_an_empty_report(tmp_path):
    empty = tmp_path / "a.log"
    empty.write_text("")
    r = build_report([empty])
    assert r.lines == 0 and r.headline["period"]["requests"] == 0
    assert "None in this period." in html_page(r)
    assert "(none)" in text(r)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ReportError, match="no such audit log"):
        build_report([tmp_path / "nope.log"])


def test_csv_cells_cannot_become_formulas(tmp_path):
    log = tmp_path / "a.log"
    log.write_text(json.dumps({"time": "2026-10-02T00:00:00Z", "app": "=HYPERLINK(1)",
                               "user": "@evil", "client": "10.0.0.1", "groups": ["x"],
                               "enforced": "allow"}) + "\n")
    r = build_report([log])
    write_csv(r, tmp_path / "csv")
    rows = list(csv.reader((tmp_path / "csv" / "apps.csv").open()))
    assert rows[1][0] == "'=HYPERLINK(1)"
    hostile = tmp_path / "b.log"
    hostile.write_text(json.dumps({"time": "2026-10-02T00:00:00Z", "app": "<script>x</script>",
                                   "client": "10.0.0.1", "groups": []}) + "\n")
    assert "<script>x" not in html_page(build_report([hostile]))


def test_cli_writes_every_output(logs, tmp_path, capsys):
    code = main(["report", *map(str, logs), "--since", "2026-10-01", "--until", "2026-10-31",
                 "--html", str(tmp_path / "r.html"), "--csv", str(tmp_path / "csv"),
                 "--json", str(tmp_path / "r.json")])
    assert code == 0
    out = capsys.readouterr().out
    assert "Example Corp Acceptable Use of Generative AI" in out and "next review" in out
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["malformed"] == 2 and "apps" in doc["tables"]
    assert {p.name for p in (tmp_path / "csv").iterdir()} >= {"apps.csv", "trend.csv",
                                                             "top_users.csv"}
    page = (tmp_path / "r.html").read_text()
    for asset in ("<script", "<link", "<img", "url(", "@import"):  # self-contained
        assert asset not in page
