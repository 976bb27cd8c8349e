"""Access decisions, table-driven over the test ruleset."""

from __future__ import annotations

import ipaddress

import pytest

from aipolicy.decide import decide_access
from aipolicy.model import Action, ClientIdentity, Mode, RequestInfo
from aipolicy.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ruleset(test_ruleset_path):
    return load_ruleset(test_ruleset_path)


def client(ip: str, user: str | None = None) -> RequestInfo:
    """A page load from this client (activity ``other``)."""
    return RequestInfo("GET", "https", "example.test", 443, "/", {},
                       ClientIdentity(ipaddress.ip_address(ip), user))


CASES = [
    # (app, client ip, user, expected rule, expected action, enforced action)
    ("deepseek-chat", "192.0.2.10", None, "banned", Action.BLOCK, Action.BLOCK),
    ("deepseek-chat", "10.20.1.1", None, "banned", Action.BLOCK, Action.BLOCK),
    ("openai-chatgpt", "10.99.3.4", None, "contractors-only-sanctioned", Action.BLOCK,
     Action.BLOCK),
    ("microsoft-copilot", "10.99.3.4", None, "approved", Action.ALLOW, Action.ALLOW),
    ("cursor", "10.20.5.5", None, "engineering-coding", Action.ALLOW, Action.ALLOW),
    ("cursor", "192.0.2.10", "alice", "engineering-coding", Action.ALLOW, Action.ALLOW),
    ("cursor", "192.0.2.10", "bob", "default", Action.MONITOR, Action.MONITOR),
    ("cursor", "::ffff:10.20.0.9", None, "engineering-coding", Action.ALLOW, Action.ALLOW),
    ("cursor", "fd00:20::1", None, "engineering-coding", Action.ALLOW, Action.ALLOW),
    ("anthropic-api", "192.0.2.10", None, "report-anthropic", Action.BLOCK, Action.MONITOR),
    ("openai-api", "192.0.2.10", None, "approved", Action.ALLOW, Action.ALLOW),
]


@pytest.mark.parametrize("app_id,ip,user,rule,action,enforced", CASES)
def test_decisions(ruleset, app_id, ip, user, rule, action, enforced):
    app = ruleset.catalog.get(app_id)
    d = decide_access(ruleset, app, client(ip, user))
    assert (d.rule_id, d.action, d.enforced_action) == (rule, action, enforced)
    assert "everyone" in d.groups


def test_alternatives_and_reason(ruleset):
    d = decide_access(ruleset, ruleset.catalog.get("deepseek-chat"), client("192.0.2.1"))
    assert d.alternative is not None and d.alternative.id == "microsoft-copilot"
    assert d.reason == "Banned service."
    d = decide_access(ruleset, ruleset.catalog.get("openai-chatgpt"), client("10.99.0.1"))
    assert d.alternative_text == "the company Copilot tenant"


def test_report_mode_never_blocks(ruleset):
    import dataclasses

    report = dataclasses.replace(ruleset, mode=Mode.REPORT)
    d = decide_access(report, report.catalog.get("deepseek-chat"), client("192.0.2.1"))
    assert d.action is Action.BLOCK and d.enforced_action is Action.MONITOR
