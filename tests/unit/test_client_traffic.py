"""The clients' own traffic passes untouched: a coding agent's system prompt and tool
definitions (a vendor's role address in its commit instructions) and its telemetry
(OTLP JSON full of 19-digit nanosecond timestamps) hold no personal data."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest

from aipolicy.detect.pii_validators import luhn_ok
from aipolicy.model import Action, ClientIdentity, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "tests" / "fixtures" / "clients"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(load_ruleset(ROOT / "rulesets" / "default.yaml"))


def _request(host: str, path: str) -> RequestInfo:
    return RequestInfo("POST", "https", host, 443, path,
                       {"content-type": "application/json", "accept": "application/json"},
                       ClientIdentity(ipaddress.ip_address("192.0.2.10")))


@pytest.mark.parametrize(("fixture", "host", "path"), [
    ("claude_code_messages.json", "api.anthropic.com", "/v1/messages"),
    ("codex_otlp_metrics.json", "ab.chatgpt.com", "/otlp/v1/metrics"),
    ("codex_otlp_logs.json", "ab.chatgpt.com", "/otlp/v1/logs"),
])
def test_client_traffic_passes_unchanged(pipeline: Pipeline, fixture: str, host: str,
                                         path: str) -> None:
    body = (CLIENTS / fixture).read_bytes()
    request = _request(host, path)
    verdict = pipeline.evaluate(request, pipeline.classify(request), body)
    assert verdict.outcome.findings.total == 0, verdict.outcome.findings.by_type()
    assert verdict.new_body is None and verdict.notice is None
    assert verdict.outcome.enforced in (Action.ALLOW, Action.MONITOR)


def test_the_telemetry_fixture_holds_numbers_that_pass_luhn() -> None:
    """The timestamps include Luhn-valid ones: what used to be redacted as cards."""
    doc = json.loads((CLIENTS / "codex_otlp_logs.json").read_text())
    stamps = [r[k] for rl in doc["resourceLogs"] for sl in rl["scopeLogs"]
              for r in sl["logRecords"] for k in ("timeUnixNano", "observedTimeUnixNano")]
    assert any(luhn_ok(s) for s in stamps)
