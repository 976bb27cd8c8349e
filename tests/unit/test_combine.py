"""One decision per request: access, content and failures merged by ``combine`` only."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest

from aipolicy.decide import combine
from aipolicy.model import Action, ClientIdentity, Decision, Mode, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "tests" / "fixtures" / "rulesets" / "e2e.yaml"
AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"


def d(action: Action, rule: str, mode: Mode = Mode.ENFORCE) -> Decision:
    return Decision(action, rule, f"reason {rule}", mode, None, None)


@pytest.mark.parametrize("decisions,winner", [
    ([d(Action.ALLOW, "a"), d(Action.REDACT, "c")], "c"),
    ([d(Action.BLOCK, "a"), d(Action.REDACT, "c")], "a"),
    ([d(Action.ALLOW, "a"), d(Action.MONITOR, "c"), d(Action.BLOCK, "f")], "f"),
    # on_error: monitor never weakens a block
    ([d(Action.BLOCK, "a"), d(Action.MONITOR, "f")], "a"),
    # a report-mode block (enforced: monitor) does not hide an enforced redaction
    ([d(Action.BLOCK, "a", Mode.REPORT), d(Action.REDACT, "c")], "c"),
    # ... but beats a plain monitor: same enforced action, stronger nominal one
    ([d(Action.MONITOR, "a"), d(Action.BLOCK, "c", Mode.REPORT)], "c"),
    # ties go to the earlier decision
    ([d(Action.BLOCK, "a"), d(Action.BLOCK, "c")], "a"),
    ([d(Action.ALLOW, "a"), None], "a"),
])
def test_combine_keeps_the_strongest_enforced_action(decisions, winner):
    assert combine(*decisions).rule_id == winner


def _ruleset_file(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = E2E.read_text().replace("../../../rulesets/", str(ROOT / "rulesets") + "/")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "ruleset.yaml"
    path.write_text(text)
    return path


def _req(host: str, path: str = "/v1/chat/completions", ip: str = "192.0.2.1") -> RequestInfo:
    return RequestInfo("POST", "https", host, 443, path,
                       {"content-type": "application/json", "accept": "application/json"},
                       ClientIdentity(ipaddress.ip_address(ip)))


def _body(text: str) -> bytes:
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": text}]}).encode()


def test_on_error_monitor_never_lets_a_banned_app_through(tmp_path):
    pipe = Pipeline(load_ruleset(_ruleset_file(
        tmp_path, ("on_error: block", "on_error: monitor"))), inspect_here=False)
    req = _req("api.deepseek.com")
    v = pipe.failure_verdict(req, pipe.classify(req), "inspection exceeded its time budget")
    assert v.outcome.enforced is Action.BLOCK and v.notice is not None
    assert v.outcome.decision.rule_id == "banned-apps"
    assert v.outcome.failure == "inspection exceeded its time budget"


def test_on_error_monitor_passes_an_allowed_app_and_records_the_failure(tmp_path):
    pipe = Pipeline(load_ruleset(_ruleset_file(
        tmp_path, ("on_error: block", "on_error: monitor"))))
    req = _req("api.openai.com")
    v = pipe.evaluate(req, pipe.classify(req), b"{not json")
    assert v.outcome.enforced is Action.MONITOR and v.notice is None
    assert v.outcome.decision.rule_id == "inspection-failed" and v.outcome.failure


def test_report_mode_data_rule_does_not_hide_an_enforced_redaction(tmp_path):
    pipe = Pipeline(load_ruleset(_ruleset_file(tmp_path, (
        "      reason: Credentials must never be sent to AI services.\n",
        "      reason: Credentials must never be sent to AI services.\n      mode: report\n"))))
    req = _req("api.openai.com")
    v = pipe.evaluate(req, pipe.classify(req), _body(f"key {AWS_KEY}, mail ops@corp-mail.com"))
    assert v.outcome.enforced is Action.REDACT and v.notice is None
    sent = json.loads(v.new_body)["messages"][0]["content"]
    assert "[EMAIL_ADDRESS_1]" in sent
    assert AWS_KEY in sent  # the report-mode secret rule records, it does not redact


def test_report_mode_access_block_does_not_hide_an_enforced_redaction(tmp_path):
    pipe = Pipeline(load_ruleset(_ruleset_file(tmp_path, (
        "      reason: This workstation pool may not use Anthropic services.\n",
        "      reason: This workstation pool may not use Anthropic services.\n"
        "      mode: report\n"))))
    req = _req("api.anthropic.com", "/v1/messages", ip="127.0.0.2")
    body = json.dumps({"model": "m", "max_tokens": 5, "messages": [
        {"role": "user", "content": "mail ops@corp-mail.com"}]}).encode()
    v = pipe.evaluate(req, pipe.classify(req), body)
    assert v.outcome.enforced is Action.REDACT
    assert "ops@corp-mail.com" not in v.new_body.decode()


def test_a_body_without_detectors_is_an_error_not_an_allow():
    pipe = Pipeline(load_ruleset(E2E), inspect_here=False)
    req = _req("api.openai.com")
    with pytest.raises(RuntimeError):
        pipe.evaluate(req, pipe.classify(req), _body("hello"))
    assert pipe.evaluate(req, pipe.classify(req)).outcome.enforced is Action.ALLOW
