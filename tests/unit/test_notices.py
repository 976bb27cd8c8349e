"""Notices: provider-native errors for SDKs, an HTML page for browsers, each client's own
shape where a profile names it, nothing sensitive."""

from __future__ import annotations

import ipaddress
import json

import pytest

from aipolicy.decide import decide_access
from aipolicy.model import ClientIdentity, RequestInfo
from aipolicy.notices import (
    NoticeContent,
    NoticeFacts,
    NoticeKind,
    block_notice,
    describe_findings,
    identify,
    plural,
    redaction_note,
    render,
)
from aipolicy.outcome import FindingSummary
from aipolicy.paths import DEFAULT_RULESET
from aipolicy.respond import ReplyContext
from aipolicy.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ruleset(test_ruleset_path):
    return load_ruleset(test_ruleset_path)


@pytest.fixture(scope="module")
def default_ruleset():
    return load_ruleset(DEFAULT_RULESET)


def request(host="api.openai.com", method="POST", path="/v1/chat/completions",
            **headers) -> RequestInfo:
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
    return RequestInfo(method, "https", host, 443, path, hdrs,
                       ClientIdentity(ipaddress.ip_address("192.0.2.1")),
                       fields=tuple(hdrs.items()))


@pytest.mark.parametrize("method,headers,app_id,expected", [
    ("GET", {"accept": "text/html,application/xhtml+xml"}, "openai-api", "html"),
    ("POST", {"sec_fetch_mode": "navigate", "accept": "*/*"}, "deepseek-chat", "html"),
    ("POST", {"accept": "application/json"}, "openai-api", "openai-chat-error"),
    ("POST", {"accept": "application/json"}, "anthropic-api", "openai-chat-error"),
    ("POST", {"accept": "text/event-stream"}, "deepseek-chat", "openai-chat-error"),
])
def test_format_without_client_profiles(ruleset, method, headers, app_id, expected):
    """A ruleset without client profiles: HTML for navigations, else the provider's 403
    in the shape of the API the request used."""
    assert ruleset.clients is None
    app = ruleset.catalog.get(app_id)
    view = identify(request(method=method, **headers), app, None)
    notice = block_notice(facts(ruleset, app_id), view, ReplyContext())
    assert notice.format == expected
    assert notice.status == 403


# (host, path, user agent) -> (status, content type, format) with the shipped profiles
@pytest.mark.parametrize("host,path,ua,expected", [
    ("api.anthropic.com", "/v1/messages", "claude-cli/2.1.332 (external, sdk-cli)",
     (451, "application/json", "anthropic-messages-error")),
    ("api.openai.com", "/v1/responses", "codex_exec/0.171.0",
     (400, "text/plain; charset=utf-8", "openai-responses-error")),
    ("api.openai.com", "/v1/chat/completions", "litellm/1.81.10",
     (400, "application/json", "openai-chat-error")),
    ("api.openai.com", "/v1/chat/completions", "OpenAI/Python 2.20.0",
     (403, "application/json", "openai-chat-error")),
    ("chatgpt.com", "/backend-api/f/conversation", "Mozilla/5.0",
     (200, "text/event-stream; charset=utf-8", "chatgpt-web-reply")),
    ("claude.ai", "/api/organizations/o/chat_conversations/c/completion", "Mozilla/5.0",
     (403, "application/json", "claude-web-error")),
    ("gemini.google.com",
     "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate", "Mozilla/5.0",
     (200, "application/json; charset=utf-8", "gemini-web-reply")),
])
def test_client_shaped_block(default_ruleset, host, path, ua, expected):
    req = request(host=host, path=path, user_agent=ua, accept="*/*")
    app = default_ruleset.catalog.match(host, path)
    view = identify(req, app, default_ruleset.clients)
    notice = block_notice(facts(default_ruleset, app.id), view, ReplyContext())
    headers = dict(notice.headers)
    assert (notice.status, headers["content-type"], notice.format) == expected
    assert headers["x-aipolicy-reference"] == "AIP-TESTREF234"
    assert ("x-should-retry" in headers) == (notice.status >= 400)
    assert "AIP-TESTREF234" in notice.body.decode()


def test_hint_only_for_blocks_caused_by_content(default_ruleset):
    req = request(host="api.anthropic.com", path="/v1/messages",
                  user_agent="claude-cli/2.1.332 (external, sdk-cli)")
    app = default_ruleset.catalog.get("anthropic-api")
    view = identify(req, app, default_ruleset.clients)
    hint = view.profile.hint
    by_app = block_notice(facts(default_ruleset, "anthropic-api"), view, ReplyContext())
    assert hint not in by_app.body.decode()
    summary = FindingSummary((("secret", "aws-access-key-id", "AWS access key", 1),))
    by_content = block_notice(facts(default_ruleset, "anthropic-api", findings=summary),
                              view, ReplyContext())
    assert hint in json.loads(by_content.body)["error"]["message"]


def test_coach_notice_carries_its_link_and_code(default_ruleset):
    """Item 3's coach notices: same client shapes, a link to the page to go on from."""
    content = NoticeContent(NoticeKind.COACH, "Check the policy before using this app.",
                            "AIP-COACH23456", link="https://proxy.example/coach/AIP-COACH23456")
    sdk = identify(request(user_agent="OpenAI/Python 2.20.0"),
                   default_ruleset.catalog.get("openai-api"), default_ruleset.clients)
    error = json.loads(render(content, sdk, ReplyContext()).body)["error"]
    assert error["code"] == "policy_confirmation_required"
    assert error["message"].endswith("https://proxy.example/coach/AIP-COACH23456")
    page = identify(request(host="chatgpt.com", path="/backend-api/f/conversation",
                            user_agent="Mozilla/5.0"),
                    default_ruleset.catalog.get("openai-chatgpt"), default_ruleset.clients)
    assert b"https://proxy.example/coach/AIP-COACH23456" in render(
        content, page, ReplyContext()).body


def test_redaction_note_text_and_who_gets_it(default_ruleset):
    policy = default_ruleset.policy
    agent = identify(request(host="api.anthropic.com", path="/v1/messages",
                             user_agent="claude-cli/2.1.332"),
                     default_ruleset.catalog.get("anthropic-api"), default_ruleset.clients)
    note = redaction_note(agent, policy, "AIP-TESTREF234",
                          (("e-mail address", 2), ("phone number", 1)), ReplyContext())
    assert note.text == ("2 e-mail addresses and 1 phone number were replaced before "
                         f"sending — policy: {policy.url} (reference AIP-TESTREF234)")
    one = redaction_note(agent, policy, "AIP-TESTREF234", (("IBAN", 1),), ReplyContext())
    assert one.text.startswith("1 IBAN was replaced")
    sdk = identify(request(user_agent="OpenAI/Python 2.20.0"),
                   default_ruleset.catalog.get("openai-api"), default_ruleset.clients)
    assert redaction_note(sdk, policy, "AIP-TESTREF234", (("IBAN", 1),), ReplyContext()) is None
    embeddings = identify(request(path="/v1/embeddings", user_agent="litellm/1.0"),
                          default_ruleset.catalog.get("openai-api"), default_ruleset.clients)
    assert redaction_note(embeddings, policy, "AIP-TESTREF234", (("IBAN", 1),),
                          ReplyContext()) is None
    # an answer a program parses (JSON output, a forced tool call) gets no note
    assert redaction_note(agent, policy, "AIP-TESTREF234", (("IBAN", 1),),
                          ReplyContext(structured=True)) is None


@pytest.mark.parametrize("body,structured", [
    ({"messages": [], "stream": True}, False),
    ({"response_format": {"type": "json_schema", "json_schema": {}}}, True),
    ({"response_format": {"type": "text"}}, False),
    ({"text": {"format": {"type": "json_schema"}}}, True),
    ({"text": {"verbosity": "low"}}, False),
    ({"output_format": {"type": "json_schema"}}, True),
    ({"output_config": {"effort": "medium"}}, False),
    ({"tool_choice": {"type": "tool", "name": "extract"}}, True),
    ({"tool_choice": "auto"}, False),
    ({"tool_choice": "required"}, True),
    ({"generationConfig": {"responseMimeType": "application/json"}}, True),
])
def test_structured_output_is_recognised(body, structured):
    from aipolicy.respond import reply_context
    ctx = reply_context("/v1/x", "", "", "", json.dumps(body).encode())
    assert ctx.structured is structured


@pytest.mark.parametrize("label,expected", [
    ("e-mail address", "e-mail addresses"), ("phone number", "phone numbers"),
    ("IBAN", "IBANs"), ("secret key", "secret keys"), ("policy", "policies"),
    ("survey", "surveys"), ("match", "matches")])
def test_plural(label, expected):
    assert plural(label) == expected


def facts(ruleset, app_id="deepseek-chat", findings: FindingSummary | None = None):
    d = decide_access(ruleset, ruleset.catalog.get(app_id),
                      RequestInfo("GET", "https", "chat.deepseek.com", 443, "/", {},
                                  ClientIdentity(ipaddress.ip_address("192.0.2.1"))))
    return NoticeFacts("AIP-TESTREF234", d, ruleset.policy, "chat.deepseek.com",
                       findings or FindingSummary())


def _provider(ruleset, fmt: str):
    """The provider-native 403 a ruleset without client profiles gives."""
    host, path = {"openai": ("api.openai.com", "/v1/chat/completions"),
                  "anthropic": ("api.anthropic.com", "/v1/messages"),
                  "gemini": ("generativelanguage.googleapis.com",
                             "/v1beta/models/g:generateContent"),
                  "json": ("chat.deepseek.com", "/api/v0/chat/completion"),
                  "html": ("chat.deepseek.com", "/")}[fmt]
    req = request(host=host, path=path, method="GET" if fmt == "html" else "POST",
                  accept="text/html" if fmt == "html" else "*/*")
    view = identify(req, ruleset.catalog.match(host, path), None)
    return view


def test_openai_shape(ruleset):
    n = block_notice(facts(ruleset), _provider(ruleset, "openai"), ReplyContext())
    body = json.loads(n.body)
    assert n.status == 403
    assert set(body["error"]) == {"message", "type", "param", "code"}
    msg = body["error"]["message"]
    for part in ("Banned service.", "Microsoft Copilot", "AIP-TESTREF234",
                 "https://example.com/ai-policy", "security@example.com", "Test Policy"):
        assert part in msg
    assert dict(n.headers)["x-should-retry"] == "false"


def test_anthropic_and_gemini_shapes(ruleset):
    def body(fmt):
        return json.loads(block_notice(facts(ruleset), _provider(ruleset, fmt),
                                       ReplyContext()).body)
    a = body("anthropic")
    assert a["type"] == "error" and a["error"]["type"] == "permission_error"
    assert a["request_id"] == "AIP-TESTREF234"
    g = body("gemini")
    assert g["error"]["code"] == 403 and g["error"]["status"] == "PERMISSION_DENIED"
    j = body("json")
    assert j["error"]["reference"] == "AIP-TESTREF234"


def test_html_page(ruleset):
    n = block_notice(facts(ruleset), _provider(ruleset, "html"), ReplyContext())
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
    msg = json.loads(block_notice(facts(ruleset, findings=summary), _provider(ruleset, "openai"),
                                  ReplyContext()).body)["error"]["message"]
    assert "2 secrets: AWS access key, GitHub token" in msg


def test_html_escapes_policy_text(ruleset):
    import dataclasses

    f = facts(ruleset)
    evil = dataclasses.replace(f.decision, reason="<script>alert(1)</script>")
    page = block_notice(dataclasses.replace(f, decision=evil), _provider(ruleset, "html"),
                        ReplyContext()).body.decode()
    assert "<script>" not in page and "&lt;script&gt;" in page
