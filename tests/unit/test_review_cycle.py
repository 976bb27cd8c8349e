"""The policy's review cycle: an overdue next_review shows in metrics and `aipolicy check`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from aipolicy.cli import main
from aipolicy.metrics import PolicyMetrics, review_overdue_days

ROOT = Path(__file__).resolve().parents[2]


def _sample(metrics: PolicyMetrics, name: str) -> float:
    for line in metrics.exposition().decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not exposed")


def test_overdue_days():
    due = dt.date(2026, 5, 1)
    assert review_overdue_days(due, dt.date(2026, 5, 1)) == 0
    assert review_overdue_days(due, dt.date(2026, 5, 2)) == 1
    assert review_overdue_days(due, dt.date(2026, 4, 1)) == 0


def test_gauges_follow_the_ruleset_in_force():
    m = PolicyMetrics()
    assert _sample(m, "aipolicy_policy_review_overdue") == 0.0
    past = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=12)
    m.ruleset_loaded_now("p", "1", "r.yaml", 0.0, past)
    assert _sample(m, "aipolicy_policy_review_overdue") == 1.0
    assert _sample(m, "aipolicy_policy_review_overdue_days") == 12.0
    m.ruleset_loaded_now("p", "2", "r.yaml", 0.0, past + dt.timedelta(days=400))
    assert _sample(m, "aipolicy_policy_review_overdue") == 0.0
    assert _sample(m, "aipolicy_policy_review_overdue_days") == 0.0


def test_check_warns_when_the_review_is_overdue(tmp_path, capsys):
    text = (ROOT / "rulesets" / "default.yaml").read_text()
    text = text.replace('effective: "2026-11-01"', 'effective: "2020-01-01"').replace(
        'next_review: "2027-05-01"', 'next_review: "2021-01-01"').replace(
        "catalog: catalog.yaml", f"catalog: {ROOT / 'rulesets' / 'catalog.yaml'}").replace(
        "patterns: pii.yaml", f"patterns: {ROOT / 'rulesets' / 'pii.yaml'}").replace(
        "rules: secrets.yaml", f"rules: {ROOT / 'rulesets' / 'secrets.yaml'}").replace(
        "clients: clients.yaml", f"clients: {ROOT / 'rulesets' / 'clients.yaml'}")
    path = tmp_path / "ruleset.yaml"
    path.write_text(text)
    assert main(["check", str(path)]) == 0  # a warning, not an error
    err = capsys.readouterr().err
    assert "review is overdue by" in err and "2021-01-01" in err
