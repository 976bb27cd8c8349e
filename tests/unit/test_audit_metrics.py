"""Audit records hold only what they may; metrics use bounded labels in an own registry."""

from __future__ import annotations

import dataclasses
import ipaddress
import json

import pytest

from aipolicy.audit import AuditWriter, audit_record
from aipolicy.metrics import MetricsServer, PolicyMetrics
from aipolicy.model import ClientIdentity, RequestInfo
from aipolicy.outcome import FindingSummary
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset


@pytest.fixture(scope="module")
def pipeline(test_ruleset_path):
    return Pipeline(load_ruleset(test_ruleset_path))


def verdict(pipeline, host="chat.deepseek.com", path="/api/v0/chat?token=SECRET123", user=None):
    info = RequestInfo("POST", "https", host, 443, path.split("?")[0],
                       {"accept": "application/json"},
                       ClientIdentity(ipaddress.ip_address("10.99.1.2"), user))
    app = pipeline.classify(info)
    return pipeline.evaluate(info, app)


def test_audit_record_fields(pipeline):
    v = verdict(pipeline, user="carol")
    rec = audit_record(v.outcome, pipeline.ruleset.policy)
    assert rec["reference"] == v.outcome.reference
    assert rec["app"] == "deepseek-chat" and rec["action"] == "block"
    assert rec["rule"] == "banned" and rec["policy_version"] == "1.0"
    assert rec["client"] == "10.99.1.2" and rec["user"] == "carol"
    assert rec["groups"] == ["contractors", "everyone"]
    assert rec["path"] == "/api/v0/chat" and rec["method"] == "POST"
    assert rec["latency_ms"] >= 0
    assert "SECRET123" not in json.dumps(rec)


def test_audit_writer_file_and_rotation(tmp_path, pipeline):
    target = tmp_path / "audit.log"
    w = AuditWriter(str(target))
    w.write({"a": 1})
    target.rename(tmp_path / "audit.log.1")  # logrotate moves the file away
    w.write({"a": 2})
    w.close()
    assert json.loads((tmp_path / "audit.log.1").read_text()) == {"a": 1}
    assert json.loads(target.read_text()) == {"a": 2}


def test_audit_writer_keeps_lines_with_bytes_that_are_not_utf8(tmp_path, capsys):
    """mitmproxy hands over a path with byte 0xff as a lone surrogate: the line must still
    be written, as valid JSON that gives the same value back."""
    record = {"path": "/v1/chat\udcff\\x", "app": "caf\u00e9"}
    target = tmp_path / "audit.log"
    w = AuditWriter(str(target))
    w.write(record)
    w.close()
    assert json.loads(target.read_text(encoding="utf-8")) == record
    AuditWriter("-").write(record)
    assert json.loads(capsys.readouterr().out) == record


def test_refusal_is_a_block_whatever_the_mode(pipeline):
    from aipolicy.refusal import REQUEST_REFUSED, Refusal

    info = RequestInfo("POST", "https", "api.openai.com", 443, "/v1/chat/completions",
                       {"accept": "application/json"},
                       ClientIdentity(ipaddress.ip_address("10.20.1.2")))
    app = pipeline.classify(info)
    v = pipeline.refusal_verdict(info, app, Refusal.TRAILERS)
    rec = audit_record(v.outcome, pipeline.ruleset.policy)
    assert rec["action"] == rec["enforced"] == "block" and rec["mode"] == "enforce"
    assert rec["rule"] == REQUEST_REFUSED and rec["failure"] == Refusal.TRAILERS.value
    assert rec["groups"] == ["engineering", "everyone"]  # the client's groups, as usual
    assert v.notice is not None and v.notice.status == 403
    assert Refusal.TRAILERS.value in json.loads(v.notice.body)["error"]["message"]
    # An app access already blocks keeps that block (and its notice); the refusal is
    # recorded as the failure.
    contractor = dataclasses.replace(
        info, client=ClientIdentity(ipaddress.ip_address("10.99.1.2")))
    v = pipeline.refusal_verdict(contractor, app, Refusal.TRAILERS)
    assert v.outcome.decision.rule_id == "contractors-only-sanctioned"
    assert v.outcome.enforced.value == "block" and v.outcome.failure == Refusal.TRAILERS.value


def test_audit_writer_rejects_missing_directory(tmp_path):
    with pytest.raises(ValueError):
        AuditWriter(str(tmp_path / "nope" / "audit.log"))


def test_metrics_registry_is_per_instance_and_labels_bounded(pipeline):
    m1, m2 = PolicyMetrics(), PolicyMetrics()  # a reload never collides with itself
    v = verdict(pipeline)
    import dataclasses

    outcome = dataclasses.replace(v.outcome, findings=FindingSummary(
        (("secret", "aws-access-key-id", "AWS access key", 2),)))
    m1.observe(outcome)
    text = m1.exposition().decode()
    assert 'aipolicy_requests_total{action="block",app="deepseek-chat"} 1.0' in text
    assert 'aipolicy_findings_total{kind="secret",type="aws-access-key-id"} 2.0' in text
    assert "10.99.1.2" not in text and "chat.deepseek.com" not in text
    assert "aipolicy_requests_total{" not in m2.exposition().decode()


def test_metrics_server_endpoints():
    import urllib.error
    import urllib.request

    m = PolicyMetrics()
    problem: dict[str, str | None] = {"v": "no scan worker is ready"}
    server = MetricsServer(m, "127.0.0.1", 0, unready=lambda: problem["v"])
    server.start()
    try:
        host, port = server.address
        base = f"http://{host}:{port}"
        assert b"aipolicy_ruleset_reload_failures_total" in urllib.request.urlopen(
            base + "/metrics").read()
        assert urllib.request.urlopen(base + "/healthz").status == 200
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(base + "/readyz")
        assert e.value.code == 503 and e.value.read() == b"no scan worker is ready\n"
        problem["v"] = None
        assert urllib.request.urlopen(base + "/readyz").status == 200
    finally:
        server.stop()
