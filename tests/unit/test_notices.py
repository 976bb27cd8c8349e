"""Notices: provider-native errors for SDKs, an HTML page for browsers, nothing sensitive."""

from __future__ import annotations

import ipaddress
import json

import pytest

from aipolicy.decide import decide_access
from aipolicy.model import ClientIdentity, RequestInfo
from aipolicy.notices import NoticeFacts, choose_format, describe_findings, render
from aipolicy.outcome import FindingSummary
from aipolicy.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ruleset(test_ruleset_path):
    return load_ruleset(test_ruleset_path)


def request(host="api.openai.com", method="POST", **headers) -> RequestInfo:
    return RequestInfo(method, "https", host, 443, "/v1/chat/completions",
                       {k.replace("_", "-"): v for k, v in headers.items()},
                       ClientIdentity(ipaddress.ip_address("192.0.2.1")))


@pytest.mark.parametrize("method,headers,app_id,expected", [
    ("GET", {"accept": "text/html,application/xhtml+xml"}, "openai-api", "html"),
    ("POST", {"sec_fetch_mode": "navigate", "accept": "*/*"}, "deepseek-chat", "html"),
    ("POST", {"accept": "application/json"}, "openai-api", "openai"),
    ("POST", {"accept": "application/json"}, "anthropic-api", "anthropic"),
    ("POST", {"accept": "text/event-stream"}, "deepseek-chat", "json"),
])
def test_choose_format(ruleset, method, headers, app_id, expected):
    assert choose_format(request(method=method, **headers), ruleset.catalog.get(app_id)) == expected


def facts(ruleset, app_id="deepseek-chat", findings: FindingSummary | None = None):
    d = decide_access(ruleset, ruleset.catalog.get(app_id),
                      ClientIdentity(ipaddress.ip_address("192.0.2.1")))
    return NoticeFacts("AIP-TESTREF234", d, ruleset.policy, "chat.deepseek.com",
                       findings or FindingSummary())


def test_openai_shape(ruleset):
    n = render("openai", facts(ruleset))
    body = json.loads(n.body)
    assert n.status == 403
    assert set(body["error"]) == {"message", "type", "param", "code"}
    msg = body["error"]["message"]
    for part in ("Banned service.", "Microsoft Copilot", "AIP-TESTREF234",
                 "https://example.com/ai-policy", "security@example.com", "Test Policy"):
        assert part in msg
    assert dict(n.headers)["x-should-retry"] == "false"


def test_anthropic_and_gemini_shapes(ruleset):
    a = json.loads(render("anthropic", facts(ruleset)).body)
    assert a["type"] == "error" and a["error"]["type"] == "permission_error"
    assert a["request_id"] == "AIP-TESTREF234"
    g = json.loads(render("gemini", facts(ruleset)).body)
    assert g["error"]["code"] == 403 and g["error"]["status"] == "PERMISSION_DENIED"
    j = json.loads(render("json", facts(ruleset)).body)
    assert j["error"]["reference"] == "AIP-TESTREF234"


def test_html_page(ruleset):
    n = render("html", facts(ruleset))
    page = n.body.decode()
    assert n.status == 403 and dict(n.headers)["content-type"].startswith("text/html")
    assert '<html lang="en">' in page and 'name="viewport"' in page
    for part in ("DeepSeek", "Banned service.", "Microsoft Copilot", "AIP-TESTREF234",
                 "mailto:security@example.com", 'href="https://example.com/ai-policy"',
                 'href="https://copilot.microsoft.com"'):
        assert part in page
    # self-contained: no external scripts, styles, fonts or images
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert "http://" not in page


def test_findings_are_described_by_kind_and_count_only(ruleset):
    summary = FindingSummary((("secret", "aws-access-key-id", "AWS access key", 1),
                              ("secret", "github-pat", "GitHub token", 1),
                              ("pii", "EMAIL_ADDRESS", "e-mail address", 3)))
    text = describe_findings(summary)
    assert text == ("2 secrets: AWS access key, GitHub token; "
                    "3 items of personal data: e-mail address ×3")
    msg = json.loads(render("openai", facts(ruleset, findings=summary)).body)["error"]["message"]
    assert "2 secrets: AWS access key, GitHub token" in msg


def test_html_escapes_policy_text(ruleset):
    import dataclasses

    f = facts(ruleset)
    evil = dataclasses.replace(f.decision, reason="<script>alert(1)</script>")
    page = render("html", dataclasses.replace(f, decision=evil)).body.decode()
    assert "<script>" not in page and "&lt;script&gt;" in page
