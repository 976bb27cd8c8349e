"""Real clients' own traffic passes the default ruleset unchanged.

Every request the real clients sent with a benign prompt (tests/fixtures/clients/, made by
`python -m tests.e2e.capture_clients`) goes through the real `Pipeline` with
`rulesets/default.yaml`: system prompts, tool definitions, telemetry and OTLP uploads must
be allowed or monitored, never redacted or blocked.
"""

from __future__ import annotations

import base64
import ipaddress
import json

import pytest
import zstandard

from aipolicy.model import Action, ClientIdentity, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset

from ..client_fixtures import CLIENT_FIXTURES, CapturedRequest, Scrubber, load_all
from ..conftest import ROOT
from ..e2e.clients import FAKE_KEYS
from ..e2e.standin.bodies import decode_content

# An engineering workstation in the default ruleset's `engineering` group.
CLIENT = ClientIdentity(ipaddress.ip_address("10.20.4.17"), None)


def _cases() -> list:
    # Claude Code's attribution reminder (noreply@anthropic.com, "Claude Code") and
    # Codex's OTLP metrics (19-digit, partly Luhn-valid timeUnixNano values) were redacted
    # before issue 11; every request here must now pass as it is.
    return [pytest.param(req, id=req.id) for req in load_all()]


CASES = _cases()


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(load_ruleset(ROOT / "rulesets" / "default.yaml"))


def test_every_client_has_fixtures():
    clients = {p.parent.name for p in CLIENT_FIXTURES.glob("*/requests.json")}
    assert {"claude-code", "codex", "codex-default", "aider"} <= clients
    # Each client's conversation request is among them (not only telemetry).
    sent = {(c.values[0].client, c.values[0].path) for c in CASES}
    assert {("claude-code", "/v1/messages"), ("codex", "/v1/responses"),
            ("codex-default", "/v1/responses"), ("aider", "/v1/chat/completions")} <= sent


@pytest.mark.parametrize("req", CASES)
def test_client_traffic_passes_unchanged(pipeline: Pipeline, req: CapturedRequest):
    headers = {"content-type": req.content_type} if req.content_type else {}
    if req.content_encoding:
        headers["content-encoding"] = req.content_encoding
    info = RequestInfo(req.method, "https", req.host, 443, req.path, headers, CLIENT,
                       query=req.query)
    app = pipeline.classify(info)
    if app is None:  # decrypted (the host has AI paths) but not an AI request: untouched
        assert pipeline.ruleset.catalog.should_intercept(req.host)
        return
    body = req.body if pipeline.needs_body(info) else None
    verdict = pipeline.evaluate(info, app, body)
    outcome = verdict.outcome
    found = outcome.findings.by_type()
    assert outcome.failure is None, f"could not be inspected: {outcome.failure}"
    assert outcome.enforced in (Action.ALLOW, Action.MONITOR), (
        f"{outcome.enforced.value} by {outcome.decision.rule_id}; findings {found}")
    assert verdict.new_body is None and verdict.notice is None


# --- the capture's scrubbing of machine-specific values ------------------------------

SCRUB = Scrubber((("/tmp/run1/project", "/home/user/project"), ("/tmp/run1", "/tmp/capture")),
                 ("sk-fake-key",))


def test_scrubber_replaces_machine_values_and_keeps_the_encoding():
    body = json.dumps({"cwd": "/tmp/run1/project", "tmp": "/tmp/run1/x"}).encode()
    packed = zstandard.ZstdCompressor().compress(body)
    out = SCRUB.body(packed, "zstd")
    assert json.loads(decode_content(out, "zstd")) == {"cwd": "/home/user/project",
                                                        "tmp": "/tmp/capture/x"}
    untouched = zstandard.ZstdCompressor().compress(b'{"a": 1}')
    assert SCRUB.body(untouched, "zstd") is untouched  # nothing to replace: bytes as sent


@pytest.mark.parametrize("body", [
    b'{"meta": "' + base64.b64encode(b'{"cwd": "/tmp/run1/project"}') + b'"}',
    b'{"meta": "' + base64.urlsafe_b64encode(b'{"k": "sk-fake-key"}').rstrip(b"=") + b'"}',
    b'{"auth": "Bearer sk-fake-key"}',
])
def test_scrubber_refuses_what_it_cannot_replace(body):
    with pytest.raises(ValueError) as info:
        SCRUB.body(body, "")
    assert "sk-fake-key" not in str(info.value) and "/tmp/run1" not in str(info.value)


def test_fixtures_hold_no_test_keys():
    for req in load_all():
        for text in (req.path, req.query):
            assert not any(key in text for key in FAKE_KEYS)
        assert not any(key.encode() in decode_content(req.body, req.content_encoding)
                       for key in FAKE_KEYS)
