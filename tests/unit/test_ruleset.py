"""Ruleset validation: the valid fixture loads; every broken fixture names file, line, field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aipolicy.errors import ConfigError
from aipolicy.model import Action, Mode, Status
from aipolicy.paths import DEFAULT_RULESET
from aipolicy.ruleset import load_ruleset

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "rulesets" / "broken"


def test_valid_fixture_loads(test_ruleset_path):
    rs = load_ruleset(test_ruleset_path)
    assert rs.policy.name == "Test Policy"
    assert rs.mode is Mode.ENFORCE
    assert [r.id for r in rs.rules] == [
        "banned", "contractors-only-sanctioned", "engineering-coding", "report-anthropic",
        "approved"]
    assert rs.rules[0].action is Action.BLOCK
    assert rs.rules[3].mode is Mode.REPORT
    assert rs.app_status["deepseek-chat"] is Status.BANNED
    assert rs.default_status is Status.UNSANCTIONED
    assert rs.default_rule.action is Action.MONITOR
    with pytest.raises(TypeError):
        rs.app_status["x"] = Status.BANNED  # read-only view


def test_default_ruleset_loads():
    rs = load_ruleset(DEFAULT_RULESET)
    assert rs.policy.contact and rs.policy.url.startswith("https://")
    assert len(rs.catalog) >= 150
    assert any(s is Status.BANNED for s in rs.app_status.values())


def _expectations(path: Path) -> dict[str, str]:
    head = {}
    for line in path.read_text().splitlines():
        m = re.match(r"# expect-([a-z-]+): ?(.*)$", line)
        if m:
            head[m.group(1)] = m.group(2)
    return head


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_broken_ruleset_names_file_line_field(path: Path):
    expect = _expectations(path)
    with pytest.raises(ConfigError) as info:
        load_ruleset(path)
    problems = info.value.problems
    matching = [p for p in problems if p.field == expect["field"]]
    assert matching, f"no problem for field {expect['field']!r} in:\n{info.value}"
    problem = matching[0]
    assert expect["message"] in problem.message
    assert problem.file == str(path) or problem.file.endswith(path.name)
    assert problem.line is not None
    if expect.get("line-contains"):
        line_text = path.read_text().splitlines()[problem.line - 1]
        assert expect["line-contains"] in line_text, (problem.line, line_text)
    # the text a person reads has all three parts
    assert f"{path.name}:{problem.line}" in str(info.value)
    assert expect["field"] in str(info.value)


def test_all_problems_reported_at_once(tmp_path, test_ruleset_path):
    catalog = test_ruleset_path.parent / "catalog.yaml"
    text = test_ruleset_path.read_text().replace("catalog: catalog.yaml", f"catalog: {catalog}")
    text = text.replace("mode: enforce", "mode: enforcing").replace("10.99.0.0/16", "10.99.0/x")
    p = tmp_path / "two.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_ruleset(p)
    fields = {pr.field for pr in info.value.problems}
    assert {"mode", "identity.groups[1].cidrs[0]"} <= fields


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_ruleset(tmp_path / "absent.yaml")
    assert "absent.yaml" in str(info.value)
