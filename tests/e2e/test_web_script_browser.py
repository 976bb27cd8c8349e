"""A web app's own script in a real browser (headless Chromium over the DevTools
protocol) through the real proxy with the shipped default ruleset: a page on the AI
origin posts a prompt with a credential the way the app's front end does (fetch from the
page, same origin, the page's headers and JSON body) and gets the notice in the shape
that front end shows in its conversation; the service never sees the request."""

from __future__ import annotations

import json
import uuid

import pytest

from .cdp import Chromium
from .proxy_harness import ROOT, start_proxy
from .test_ackcoach_browser import PNG
from .test_browser import CHROMIUM
from .test_web_notices_e2e import AWS, SECRET_REASON, _events

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

KEY_PARTS = ("AKIAZ3MHQ7TXKRV4PWUN", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLQKX")
CHATGPT_PATH = "/backend-api/f/conversation"
CLAUDE_PATH = ("/api/organizations/6f1c0c6a-org/chat_conversations/5d2b7e8a-conv/"
               "completion")

# The page's fetch: same origin, the headers its script sets, the stream read with a
# reader as the front end does; status, headers and the text come back to the test.
_FETCH = """(async () => {{
    const r = await fetch({path}, {{
        method: 'POST', credentials: 'include',
        headers: {headers},
        body: JSON.stringify({body}),
    }});
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {{
        const {{done, value}} = await reader.read();
        if (done) break;
        text += decoder.decode(value, {{stream: true}});
    }}
    return {{status: r.status, type: r.headers.get('content-type'),
             ref: r.headers.get('x-aipolicy-reference'), text}};
}})()"""


def page_fetch(b: Chromium, path: str, headers: dict, body: dict) -> dict:
    expression = _FETCH.format(path=json.dumps(path), headers=json.dumps(headers),
                               body=json.dumps(body))
    result = b.call("Runtime.evaluate", session=True, expression=expression,
                    awaitPromise=True, returnByValue=True)
    assert "exceptionDetails" not in result, result
    return result["result"]["value"]


def chatgpt_body(prompt: str) -> dict:
    return {"action": "next", "conversation_id": "c-41",
            "parent_message_id": str(uuid.uuid4()), "model": "auto",
            "messages": [{"id": str(uuid.uuid4()), "author": {"role": "user"},
                          "content": {"content_type": "text", "parts": [prompt]}}],
            "timezone_offset_min": -60, "conversation_mode": {"kind": "primary_assistant"}}


CHATGPT_HEADERS = {"accept": "text/event-stream", "content-type": "application/json",
                   "oai-language": "en-US", "oai-device-id": str(uuid.uuid4())}
CLAUDE_HEADERS = {"accept": "text/event-stream", "content-type": "application/json"}


def claude_body(prompt: str) -> dict:
    return {"prompt": prompt, "timezone": "Europe/Berlin", "attachments": [], "files": [],
            "rendering_mode": "messages"}


def assert_notice(text: str, ref: str) -> None:
    assert SECRET_REASON in text and f"Reference: {ref}." in text, text
    assert not any(part in text for part in KEY_PARTS)


def assert_one_block_line(proxy, ref: str) -> dict:
    line = proxy.wait_audit(lambda x: x.get("reference") == ref)
    lines = [x for x in proxy.audit() if x.get("reference") == ref]
    assert len(lines) == 1 and line["action"] == "block", lines
    return line


@pytest.fixture
def proxy(standin, standin_pki, tmp_path):
    """Its own proxy with the default ruleset: the acknowledgement given here must not
    change the state the session's shared default proxy is in."""
    p = start_proxy(tmp_path / "proxy", ROOT / "rulesets" / "default.yaml", standin.port,
                    standin_pki.ca_cert, ["--set", f"aipolicy_data_dir={tmp_path / 'data'}",
                                          "--set", "aipolicy_scan_workers=1"], timeout=180)
    yield p
    p.stop()


def test_page_script_posting_a_key_gets_the_app_shaped_notice(proxy, standin_clean,
                                                              tmp_path):
    b = Chromium(proxy, tmp_path / "profile")
    try:
        # the default asks for an acknowledgement on the first visit
        b.navigate("https://chatgpt.com/")
        b.wait_for("location.pathname === '/.aipolicy/acknowledge'")
        assert "Never paste passwords, keys, tokens or other credentials." in b.text()
        b.evaluate("document.querySelector('button[value=acknowledge]').click()")
        b.wait_for("document.querySelector('h1')?.textContent === 'chatgpt.com'")

        # a clean prompt from the page reaches the service (the path works end to end)
        ok = page_fetch(b, CHATGPT_PATH, CHATGPT_HEADERS, chatgpt_body("hello there"))
        assert ok["status"] == 200
        assert standin_clean.requests.last_for("chatgpt.com", CHATGPT_PATH) is not None
        standin_clean.requests.clear()

        # the key: the stream event whose `error` the front end shows, then [DONE]
        r = page_fetch(b, CHATGPT_PATH, CHATGPT_HEADERS,
                       chatgpt_body(f"why does boto3 reject {AWS}"))
        assert r["status"] == 200 and r["type"].startswith("text/event-stream")
        events = _events(r["text"])
        assert len(events) == 2 and events[-1] == "[DONE]", events
        first = events[0]
        assert first["conversation_id"] == "c-41"
        assert first["message"]["author"]["role"] == "assistant"
        assert first["message"]["content"]["parts"] == [first["error"]]
        assert_notice(first["error"], r["ref"])
        assert not any(part in r["text"] for part in KEY_PARTS)
        assert not standin_clean.requests.for_host("chatgpt.com", "/backend-")
        line = assert_one_block_line(proxy, r["ref"])
        assert line["client_profile"] == "chatgpt-web" and line["notice"] == "chatgpt-web-reply"

        data = b.screenshot(tmp_path / "chatgpt.png")  # the page still renders
        assert data.startswith(PNG) and len(data) > 1000

        # claude.ai (allowed, acknowledged already): the page's completion post gets the
        # 403 permission_error the app shows
        b.navigate("https://claude.ai/")
        b.wait_for("document.querySelector('h1')?.textContent === 'claude.ai'")
        r = page_fetch(b, CLAUDE_PATH, CLAUDE_HEADERS, claude_body(f"fix this config: {AWS}"))
        assert r["status"] == 403 and r["type"].startswith("application/json")
        body = json.loads(r["text"])
        assert body["type"] == "error" and body["error"]["type"] == "permission_error"
        assert_notice(body["error"]["message"], r["ref"])
        assert not any(part in r["text"] for part in KEY_PARTS)
        assert not standin_clean.requests.for_host("claude.ai", "/api/")
        assert assert_one_block_line(proxy, r["ref"])["client_profile"] == "claude-web"
    finally:
        b.close()
    audit = proxy.audit_path.read_text()
    assert not any(part in audit for part in KEY_PARTS)
