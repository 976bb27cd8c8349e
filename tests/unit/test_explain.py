"""Why a rule decided: the deciding rule and, for each rule before it, the conditions
that did not hold, from the same walk that makes the decision."""

from __future__ import annotations

import ipaddress

import pytest

from aipolicy.decide import choose_access_rule, decide_access, first_match
from aipolicy.inspect import choose_data_rule
from aipolicy.model import (
    Activity,
    AppConditions,
    ClientIdentity,
    Finding,
    RequestInfo,
    Status,
    Unmet,
)
from aipolicy.ruleset import load_ruleset

from ..conftest import FIXTURES


@pytest.fixture(scope="module")
def ruleset(test_ruleset_path):
    return load_ruleset(test_ruleset_path)


@pytest.fixture(scope="module")
def e2e_ruleset():
    return load_ruleset(FIXTURES / "rulesets" / "e2e.yaml")


def choice(ruleset, app_id: str, ip: str | None, user: str | None = None):
    app = ruleset.catalog.get(app_id)
    client = ClientIdentity(ipaddress.ip_address(ip) if ip else None, user)
    groups = ruleset.directory.groups_for(client)
    return choose_access_rule(ruleset, app, ruleset.status_of(app), groups, Activity.PROMPT)


def prompt(client: ClientIdentity) -> RequestInfo:
    """A chat request from ``client`` (activity ``prompt``)."""
    return RequestInfo("POST", "https", "example.test", 443, "/v1/chat/completions", {},
                       client)


def test_group_condition_names_the_clients_groups(ruleset):
    # cursor: unsanctioned, coding-assistant. An engineer's address.
    c = choice(ruleset, "cursor", "10.20.5.5")
    assert c.rule.id == "engineering-coding"
    banned, contractors = c.passed
    assert banned.rule_id == "banned"
    assert banned.unmet == (Unmet("status", ("banned",), ("unsanctioned",)),)
    assert contractors.rule_id == "contractors-only-sanctioned"
    assert contractors.unmet == (Unmet("group", ("contractors",), ("engineering", "everyone")),)
    assert str(contractors.unmet[0]) == "group: contractors (has engineering, everyone)"


def test_every_failing_condition_of_a_rule_is_listed(ruleset):
    c = choice(ruleset, "openai-api", "192.0.2.10")
    assert c.rule.id == "approved"
    by_rule = {p.rule_id: p.unmet for p in c.passed}
    assert list(by_rule) == ["banned", "contractors-only-sanctioned", "engineering-coding",
                             "report-anthropic"]
    # both conditions of engineering-coding fail, in the rule's key order
    assert [u.key for u in by_rule["engineering-coding"]] == ["category", "group"]
    assert by_rule["report-anthropic"] == (Unmet("vendor", ("Anthropic",), ("OpenAI",)),)


def test_default_rule_lists_every_rule(ruleset):
    c = choice(ruleset, "cursor", "192.0.2.10", "bob")
    assert c.rule.id == "default"
    assert [p.rule_id for p in c.passed] == [r.id for r in ruleset.rules]
    assert all(p.unmet for p in c.passed)


def test_unknown_client_address_has_only_everyone(ruleset):
    c = choice(ruleset, "openai-chatgpt", None)
    contractors = next(p for p in c.passed if p.rule_id == "contractors-only-sanctioned")
    assert contractors.unmet == (Unmet("group", ("contractors",), ("everyone",)),)


@pytest.mark.parametrize("app_id,ip,user", [
    ("deepseek-chat", "10.20.1.1", None), ("openai-chatgpt", "10.99.3.4", None),
    ("cursor", "192.0.2.10", "alice"), ("cursor", "192.0.2.10", "bob"),
    ("anthropic-api", "192.0.2.10", None), ("microsoft-copilot", "10.99.3.4", None),
])
def test_explanation_is_the_decision(ruleset, app_id, ip, user):
    """The chosen rule is the one decide_access applies, and no rule it passed over
    matches (the walk that explains is the walk that decides)."""
    app = ruleset.catalog.get(app_id)
    client = ClientIdentity(ipaddress.ip_address(ip), user)
    groups = ruleset.directory.groups_for(client)
    c = choose_access_rule(ruleset, app, ruleset.status_of(app), groups, Activity.PROMPT)
    assert decide_access(ruleset, app, prompt(client), Activity.PROMPT).rule_id == c.rule.id
    rules = {r.id: r for r in ruleset.rules}
    for passed in c.passed:
        assert tuple(rules[passed.rule_id].when.unmet(app, ruleset.status_of(app), groups,
                                                      Activity.PROMPT)) == passed.unmet


def test_first_match_stops_at_the_first_rule_that_holds():
    class Rule:
        def __init__(self, id_, ok):
            self.id, self.ok = id_, ok

    rules = [Rule("a", False), Rule("b", True), Rule("c", True)]
    seen = []

    def unmet(rule):
        seen.append(rule.id)
        return () if rule.ok else (Unmet("app", ("x",), ("y",)),)

    c = first_match(rules, Rule("default", True), unmet)
    assert c.rule.id == "b" and [p.rule_id for p in c.passed] == ["a"]
    assert seen == ["a", "b"]  # c is never looked at


def test_empty_conditions_match_anything(ruleset):
    app = ruleset.catalog.get("openai-api")
    assert tuple(AppConditions().unmet(app, Status.BANNED, (), Activity.OTHER)) == ()


def finding(kind: str, type_: str, score: float = 1.0) -> Finding:
    return Finding(kind, type_, type_, 0, 0, 5, score, "test")


def test_data_rule_explanation(e2e_ruleset):
    settings = e2e_ruleset.inspection
    app = e2e_ruleset.catalog.get("openai-api")
    c = choose_data_rule(settings, finding("pii", "EMAIL_ADDRESS"), app, Status.TOLERATED,
                         ("everyone",), Activity.PROMPT)
    assert c.rule.id == "pii-redact"
    assert [(p.rule_id, p.unmet) for p in c.passed] == [
        ("secrets-block", (Unmet("finding", ("secret",), ("pii", "EMAIL_ADDRESS")),)),
        ("codenames-block",
         (Unmet("finding", ("project-codenames",), ("pii", "EMAIL_ADDRESS")),)),
    ]
    c = choose_data_rule(settings, finding("secret", "aws-access-key-id"), app,
                         Status.TOLERATED, ("everyone",), Activity.PROMPT)
    assert c.rule.id == "secrets-block" and c.passed == ()


def test_data_rule_min_score_and_request_conditions(tmp_path):
    text = (FIXTURES / "rulesets" / "e2e.yaml").read_text().replace(
        "../../../rulesets/", str(FIXTURES.parents[1] / "rulesets") + "/").replace(
        """    - id: pii-redact
      when: {finding: pii}""",
        """    - id: sure-names-for-restricted
      when: {finding: PERSON, group: restricted}
      min_score: 0.9
      action: block
      reason: No names from the restricted pool.
    - id: pii-redact
      when: {finding: pii}""")
    path = tmp_path / "rs.yaml"
    path.write_text(text)
    rs = load_ruleset(path)
    app = rs.catalog.get("openai-api")
    c = choose_data_rule(rs.inspection, finding("pii", "PERSON", 0.7), app, Status.TOLERATED,
                         ("everyone",), Activity.PROMPT)
    assert c.rule.id == "pii-redact"
    names = next(p for p in c.passed if p.rule_id == "sure-names-for-restricted")
    assert names.unmet == (Unmet("min_score", ("0.9",), ("0.70",)),
                           Unmet("group", ("restricted",), ("everyone",)))
    c = choose_data_rule(rs.inspection, finding("pii", "PERSON", 0.95), app,
                         Status.TOLERATED, ("restricted", "everyone"), Activity.PROMPT)
    assert c.rule.id == "sure-names-for-restricted"
