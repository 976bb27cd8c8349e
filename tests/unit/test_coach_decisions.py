"""The coach action in the one decision: its place in the action order, report mode, a
cleared coach, per-kind coaches of data rules, and the ruleset's policy text."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest

from aipolicy.decide import ACCESS_SCOPE, combine, decide_access
from aipolicy.model import (
    Action,
    ClientIdentity,
    CoachOptions,
    CoachStep,
    Decision,
    Mode,
    RequestInfo,
)
from aipolicy.paths import DEFAULT_RULESET
from aipolicy.pipeline import Pipeline
from aipolicy.policy_text import AckRequirement, UnacknowledgedApi, major_version
from aipolicy.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
ACKCOACH = ROOT / "tests" / "fixtures" / "rulesets" / "ackcoach.yaml"
OPTIONS = CoachOptions(3600.0, api_header=True)


def d(action: Action, rule: str, mode: Mode = Mode.ENFORCE, cleared: bool = False
      ) -> Decision:
    coach = CoachStep(ACCESS_SCOPE, OPTIONS, cleared) if action is Action.COACH else None
    return Decision(action, rule, f"reason {rule}", mode, None, None, coach=coach)


@pytest.mark.parametrize("decisions,winner", [
    # a coach is a gate in front of the request: a redaction does not get past it
    ([d(Action.REDACT, "r"), d(Action.COACH, "c")], "c"),
    ([d(Action.COACH, "c"), d(Action.MONITOR, "m")], "c"),
    # ... and never opens what a rule blocks
    ([d(Action.COACH, "c"), d(Action.BLOCK, "b")], "b"),
    # once proceeded past, it counts as monitor: the redaction applies
    ([d(Action.COACH, "c", cleared=True), d(Action.REDACT, "r")], "r"),
    # ... and still names the coach rule over a plain monitor (same enforced action)
    ([d(Action.MONITOR, "m"), d(Action.COACH, "c", cleared=True)], "c"),
    # report mode records a coach, it never stops a request
    ([d(Action.COACH, "c", Mode.REPORT), d(Action.REDACT, "r")], "r"),
])
def test_coach_sits_between_redact_and_block(decisions, winner):
    assert combine(*decisions).rule_id == winner


def test_enforced_action_and_pending_coach():
    assert d(Action.COACH, "c").enforced_action is Action.COACH
    assert d(Action.COACH, "c").pending_coach is not None
    assert d(Action.COACH, "c", cleared=True).enforced_action is Action.MONITOR
    assert d(Action.COACH, "c", cleared=True).pending_coach is None
    assert d(Action.COACH, "c", Mode.REPORT).enforced_action is Action.MONITOR
    assert d(Action.COACH, "c", Mode.REPORT).pending_coach is None


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(load_ruleset(ACKCOACH))  # with detectors: data rules coach too


def _req(host: str, path: str = "/v1/chat/completions", proceeded=frozenset(),
         user: str | None = None, ip: str = "192.0.2.1") -> RequestInfo:
    return RequestInfo("POST", "https", host, 443, path,
                       {"content-type": "application/json", "accept": "application/json"},
                       ClientIdentity(ipaddress.ip_address(ip), user),
                       proceeded=frozenset(proceeded))


def _body(text: str) -> bytes:
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": text}]}).encode()


def test_access_coach_with_its_options(pipeline):
    rs = pipeline.ruleset
    app = rs.catalog.get("anthropic-api")
    decision = decide_access(rs, app, _req("api.anthropic.com", "/v1/messages"))
    assert decision.action is Action.COACH and decision.rule_id == "coach-anthropic"
    assert decision.coach == CoachStep(ACCESS_SCOPE, CoachOptions(3600.0, True))
    cleared = decide_access(rs, app, _req("api.anthropic.com", "/v1/messages",
                                          proceeded={ACCESS_SCOPE}))
    assert cleared.enforced_action is Action.MONITOR and cleared.coach.cleared
    # the default rule coaches unreviewed apps; remembered 8 hours; no header there
    poe = decide_access(rs, rs.catalog.get("poe"), _req("poe.com", "/"))
    assert poe.rule_id == "default" and poe.coach.options == CoachOptions(8 * 3600.0, False)


def test_a_pending_access_coach_is_not_scanned(pipeline):
    req = _req("api.anthropic.com", "/v1/messages")
    verdict = pipeline.evaluate(req, pipeline.classify(req), _body("mail ops@corp-mail.com"))
    assert verdict.outcome.enforced is Action.COACH and verdict.outcome.scan_seconds is None
    assert verdict.notice is None  # the gate shows coaches, not the pipeline


def test_a_cleared_access_coach_lets_the_redaction_apply(pipeline):
    req = _req("api.anthropic.com", "/v1/messages", proceeded={ACCESS_SCOPE})
    verdict = pipeline.evaluate(req, pipeline.classify(req), _body("mail ops@corp-mail.com"))
    assert verdict.outcome.enforced is Action.REDACT
    assert b"ops@corp-mail.com" not in verdict.new_body


def test_a_cleared_access_coach_never_opens_a_block(pipeline):
    req = _req("api.anthropic.com", "/v1/messages", proceeded={ACCESS_SCOPE})
    verdict = pipeline.evaluate(req, pipeline.classify(req),
                                _body("key AKIAZ3MHQ7TXKRV4PWUN secret "
                                      "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"))
    assert verdict.outcome.enforced is Action.BLOCK
    assert verdict.outcome.decision.rule_id == "secrets-block"


def test_data_rule_coach_per_finding_kind(pipeline):
    req = _req("api.openai.com")
    app = pipeline.classify(req)
    body = _body("Status of Project Nightjar for ops@corp-mail.com?")
    verdict = pipeline.evaluate(req, app, body)
    decision = verdict.outcome.decision
    assert verdict.outcome.enforced is Action.COACH and decision.rule_id == "codenames-coach"
    assert decision.coach == CoachStep("custom", CoachOptions(7200.0, True))
    # proceeded past the custom-term coach: the e-mail address is still redacted
    verdict = pipeline.evaluate(_req("api.openai.com", proceeded={"custom"}), app, body)
    assert verdict.outcome.enforced is Action.REDACT
    assert b"Project Nightjar" in verdict.new_body and b"corp-mail.com" not in verdict.new_body
    # proceeding past an access coach does not clear a data coach
    verdict = pipeline.evaluate(_req("api.openai.com", proceeded={ACCESS_SCOPE}), app, body)
    assert verdict.outcome.enforced is Action.COACH


def _copy(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """The fixture with changes, beside the shipped rulesets' files."""
    text = ACKCOACH.read_text().replace("../../../rulesets/", f"{ROOT}/rulesets/")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "ackcoach.yaml"
    path.write_text(text)
    return path


def test_report_mode_records_a_coach(tmp_path):
    pipe = Pipeline(load_ruleset(_copy(tmp_path, ("mode: enforce", "mode: report"))),
                    inspect_here=False)
    req = _req("api.anthropic.com", "/v1/messages")
    verdict = pipe.evaluate(req, pipe.classify(req))
    assert verdict.outcome.decision.action is Action.COACH
    assert verdict.outcome.enforced is Action.MONITOR and verdict.notice is None


def test_policy_text_and_acknowledgement_settings():
    policy = load_ruleset(ACKCOACH).policy
    assert policy.summary.dos == ("Use the approved tools first.",
                                  "Check what AI tells you before you rely on it.")
    assert policy.summary.training == "https://intranet.example.test/learning/ai"
    ack = policy.acknowledgement
    assert ack.ask is AckRequirement.REQUIRED and ack.version == "3"
    assert ack.reacknowledge_days == 30 and ack.api_clients is UnacknowledgedApi.ALLOW


def test_default_ruleset_asks_for_acknowledgement_and_coaches_unreviewed_apps():
    rs = load_ruleset(DEFAULT_RULESET)
    assert rs.policy.acknowledgement.required and rs.policy.acknowledgement.version == "2026.11"
    assert rs.policy.summary.purpose and rs.policy.summary.dos and rs.policy.summary.donts
    assert rs.default_rule.action is Action.COACH and rs.coach is not None
    assert rs.on_store_error is Action.BLOCK
    client = _req("poe.com", "/", ip="10.20.1.1")
    assert decide_access(rs, rs.catalog.get("poe"), client).enforced_action is Action.COACH
    # contractors are still blocked, banned apps too: a coach never opens those
    contractor = _req("poe.com", "/", ip="10.99.1.1")
    assert decide_access(rs, rs.catalog.get("poe"), contractor).action is Action.BLOCK
    assert decide_access(rs, rs.catalog.get("deepseek-chat"), client).action is Action.BLOCK


@pytest.mark.parametrize("version,major", [
    ("2026.11.1", "2026.11"), ("3.2", "3"), ("1", "1"), ("e2e-1", "e2e-1"), ("v2.0.0", "v2.0"),
])
def test_major_version(version, major):
    assert major_version(version) == major


def test_stated_acknowledgement_version_wins(tmp_path):
    path = _copy(tmp_path, ("    ask: required\n", "    ask: required\n    version: 2026-Q1\n"))
    assert load_ruleset(path).policy.acknowledgement.version == "2026-Q1"
