"""Inspection: custom detectors, redaction placeholders, content decisions, config errors."""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path

import pytest

from aipolicy.detect.custom import RegexDetector, TermListDetector
from aipolicy.errors import ConfigError
from aipolicy.extract import BodyInput, extract
from aipolicy.model import Action, ClientIdentity, Finding, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.redact import merge_overlaps, redact
from aipolicy.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "tests" / "fixtures" / "rulesets" / "e2e.yaml"


# ------------------------------------------------------------------ custom detectors
def test_term_list_whole_words_case_insensitive_multiword():
    d = TermListDetector.build("codes", "project code name",
                               ["Bluebird", "Project Nightjar", "X-Ray Vision"])
    text = "bluebird, BLUEBIRDS, project  nightjar, Project-Nightjar, x ray vision, nightjar"
    found = [text[m.start:m.end] for m in d.scan(text)]
    assert found == ["bluebird", "project  nightjar", "Project-Nightjar", "x ray vision"]


def test_term_list_scales_to_thousands_of_terms():
    terms = [f"customer{i} holdings" for i in range(5000)] + ["Acme Widgets"]
    d = TermListDetector.build("customers", "customer name", terms)
    assert d.size == 5001
    text = ("lorem ipsum " * 2000) + "acme widgets and customer4999 holdings"
    assert [text[m.start:m.end] for m in d.scan(text)] == ["acme widgets",
                                                           "customer4999 holdings"]


def test_regex_detector_value_group_and_validator():
    d = RegexDetector("card", "card", re.compile(r"card (?P<value>[\d ]{13,19}\d)"), "luhn")
    text = "card 4111 1111 1111 1111 and card 4111 1111 1111 1112"
    assert [text[m.start:m.end] for m in d.scan(text)] == ["4111 1111 1111 1111"]


# ------------------------------------------------------------------ redaction
def _openai_extraction(messages):
    body = json.dumps({"model": "m", "messages": messages}, indent=2).encode()
    return body, extract(BodyInput("POST", "api.openai.com", "/v1/chat/completions",
                                   "application/json", "", body), max_bytes=1 << 20)


def _find(ex, needle, kind="pii", type_="EMAIL_ADDRESS"):
    out = []
    for i, seg in enumerate(ex.segments):
        for m in re.finditer(re.escape(needle), seg.text):
            out.append(Finding(kind, type_, type_, i, m.start(), m.end(), 0.9, "t"))
    return out


def test_repeated_values_share_a_placeholder_and_json_stays_valid():
    body, ex = _openai_extraction([
        {"role": "user", "content": "mail a@x.io and b@x.io"},
        {"role": "assistant", "content": "ok, a@x.io"},
        {"role": "user", "content": "unrelated"}])
    findings = _find(ex, "a@x.io") + _find(ex, "b@x.io")
    result = redact(ex.segments, findings)
    new = ex.rewrite(result.texts)
    doc = json.loads(new)
    assert doc["messages"][0]["content"] == "mail [EMAIL_ADDRESS_1] and [EMAIL_ADDRESS_2]"
    assert doc["messages"][1]["content"] == "ok, [EMAIL_ADDRESS_1]"
    assert result.replaced == {"EMAIL_ADDRESS": 3}
    assert result.distinct == {"EMAIL_ADDRESS": 2}  # two addresses, in three places
    # untouched fields keep their bytes: everything after the last changed literal
    tail = body[body.index(b'"unrelated"') - 40:]
    assert new.endswith(tail)


def test_overlapping_findings_longest_wins():
    f = [Finding("pii", "A", "A", 0, 0, 5, 1, "t"), Finding("secret", "B", "B", 0, 2, 12, 1, "t"),
         Finding("pii", "C", "C", 0, 20, 25, 1, "t")]
    assert [x.type for x in merge_overlaps(f)] == ["B", "C"]


# ------------------------------------------------------------------ pipeline decisions
@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(load_ruleset(E2E))


def _req(host="api.openai.com", ip="192.0.2.1"):
    return RequestInfo("POST", "https", host, 443, "/v1/chat/completions",
                       {"content-type": "application/json", "accept": "application/json"},
                       ClientIdentity(ipaddress.ip_address(ip)))


def _body(text):
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": text}]}).encode()


def test_pipeline_redacts_and_reports(pipeline):
    req = _req()
    v = pipeline.evaluate(req, pipeline.classify(req), _body("ping ops@corp-mail.com now"))
    assert v.outcome.enforced is Action.REDACT and v.notice is None
    assert json.loads(v.new_body)["messages"][0]["content"] == "ping [EMAIL_ADDRESS_1] now"
    assert dict(v.response_headers)["x-aipolicy-redacted"] == "EMAIL_ADDRESS=1"
    assert v.outcome.findings.by_type() == {"EMAIL_ADDRESS": 1}


def test_pipeline_secret_blocks_and_notice_names_type_not_value(pipeline):
    req = _req()
    token = "ghp_" + "Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
    v = pipeline.evaluate(req, pipeline.classify(req), _body(f"my token {token}"))
    assert v.outcome.enforced is Action.BLOCK
    msg = json.loads(v.notice.body)["error"]["message"]
    assert "GitHub" in msg and token not in msg and "1 secret:" in msg


def test_pipeline_benign_passes_without_rewrite(pipeline):
    req = _req()
    v = pipeline.evaluate(req, pipeline.classify(req),
                          _body("Write a short biography of Marie Curie."))
    assert v.outcome.enforced is Action.ALLOW and v.new_body is None
    assert v.outcome.findings.total == 0


def test_pipeline_fail_closed_on_bad_body(pipeline):
    req = _req()
    v = pipeline.evaluate(req, pipeline.classify(req), b"{not json")
    assert v.outcome.enforced is Action.BLOCK and v.outcome.failure
    assert v.outcome.decision.rule_id == "inspection-failed"
    assert "{not json" not in v.notice.body.decode()


def test_pipeline_detector_crash_fails_closed(pipeline, monkeypatch):
    def boom(texts):
        raise RuntimeError("secret value ABC123 leaked in message")

    monkeypatch.setattr(pipeline.inspector, "scan", boom)
    req = _req()
    v = pipeline.evaluate(req, pipeline.classify(req), _body("hello"))
    assert v.outcome.enforced is Action.BLOCK
    assert "ABC123" not in v.notice.body.decode() and "ABC123" not in v.outcome.failure


def test_report_mode_records_but_passes(tmp_path):
    text = E2E.read_text().replace("mode: enforce", "mode: report").replace(
        "../../../rulesets/", str(ROOT / "rulesets") + "/")
    p = tmp_path / "report.yaml"
    p.write_text(text)
    pipe = Pipeline(load_ruleset(p))
    req = _req()
    v = pipe.evaluate(req, pipe.classify(req), _body("key AKIAZ3MHQ7TXKRV4PWUN"))
    assert v.outcome.decision.action is Action.BLOCK
    assert v.outcome.enforced is Action.MONITOR and v.notice is None and v.new_body is None


# ------------------------------------------------------------------ config validation
@pytest.mark.parametrize("old,new,field,message", [
    ("      action: redact\n", "      action: scrub\n", "inspection.rules[2].action",
     "'scrub' is not one of"),
    ("when: {finding: secret}", "when: {finding: secrets}", "inspection.rules[0].when.finding",
     "unknown finding kind or type 'secrets'"),
    ("on_error: block", "on_error: ignore", "inspection.on_error", "is not one of"),
    ("person: contextual", "person: sometimes", "inspection.pii.person", "is not one of"),
    ("      EMAIL_ADDRESS: {label: e-mail address}\n",
     "      EMAIL: {label: e-mail address}\n", "inspection.pii.entities.EMAIL",
     "unknown key 'EMAIL'"),
    ("terms: [Bluebird, Project Nightjar]", "regex: '(unclosed'",
     "inspection.custom[0].regex", "invalid regular expression"),
    ("rules: ../../../rulesets/secrets.yaml", "rules: ../../../rulesets/nope.yaml",
     "inspection.secrets.rules", "not found"),
    ("timeout_seconds: 20", "timeout_seconds: 0", "inspection.limits.timeout_seconds",
     "must be >= 0.1"),
])
def test_inspection_config_errors_name_file_line_field(tmp_path, old, new, field, message):
    text = E2E.read_text()
    assert old in text
    text = text.replace(old, new).replace("../../../rulesets/", str(ROOT / "rulesets") + "/")
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_ruleset(p)
    problem = next(pr for pr in info.value.problems if pr.field == field)
    assert message in problem.message and problem.line
    assert new.strip().split(":")[0].strip("{ -'") in p.read_text().splitlines()[problem.line - 1]


def test_resent_history_is_served_from_cache(pipeline, monkeypatch):
    insp = pipeline.inspector
    texts = [f"turn {i}: reach me at user{i}@corp-mail.com" for i in range(5)]
    first = insp.scan(texts)
    calls = []
    real = insp._detect

    def counting(batch, data=None, scopes=None):
        calls.append(len(batch))
        return real(batch, data, scopes)

    monkeypatch.setattr(insp, "_detect", counting)
    again = insp.scan(texts + ["turn 5: new text with ops@corp-mail.com"])
    # only the new segment was scanned, then at most its two new joins (joins.pairs)
    assert calls[0] == 1 and sum(calls[1:]) <= 2
    assert [(f.segment, f.type, f.start, f.end) for f in again[:len(first)]] == \
        [(f.segment, f.type, f.start, f.end) for f in first]
    assert again[-1].segment == 5 and again[-1].type == "EMAIL_ADDRESS"
