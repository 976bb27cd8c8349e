"""The web apps' own scripts, through the real proxy with the default ruleset: a prompt
posted the way each page posts it (fetch, not a page load) gets the notice in the shape
the page shows in its conversation, and a redacted prompt's answer starts with the note.

The requests are made the way the pages make them (method, path, body encoding, the
browser's fetch headers); the headless-browser test of the pages themselves comes with
the coach pages (issue 12 item 3).
"""

from __future__ import annotations

import json
import ssl
import urllib.parse
import uuid

import httpx2 as httpx
import pytest

from .standin.replies import DEFAULT_REPLY

AWS = ("aws_access_key_id = AKIAZ3MHQ7TXKRV4PWUN "
       "aws_secret_access_key = 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")
SECRET_REASON = "Credentials and keys must never be sent to AI services."
EMAIL = "jane.roe@corp-mail.com"
CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/141.0.0.0 Safari/537.36")


@pytest.fixture
def browser(default_proxy, standin_clean):
    """An HTTP client sending what a page's fetch() sends."""
    with httpx.Client(proxy=default_proxy.url, timeout=60, verify=ssl.create_default_context(
            cafile=str(default_proxy.ca_cert))) as client:
        yield client


def _fetch_headers(origin: str, accept: str, content_type: str) -> dict[str, str]:
    return {"user-agent": CHROME, "origin": origin, "referer": origin + "/",
            "accept": accept, "content-type": content_type, "sec-fetch-mode": "cors",
            "sec-fetch-site": "same-origin", "sec-fetch-dest": "empty"}


def _chatgpt(browser, prompt: str) -> httpx.Response:
    body = {"action": "next", "conversation_id": "c-41", "parent_message_id": str(uuid.uuid4()),
            "model": "auto", "messages": [{"id": str(uuid.uuid4()), "author": {"role": "user"},
                                           "content": {"content_type": "text",
                                                       "parts": [prompt]}}]}
    return browser.post("https://chatgpt.com/backend-api/f/conversation", json=body,
                        headers=_fetch_headers("https://chatgpt.com", "text/event-stream",
                                               "application/json"))


def _events(text: str) -> list:
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[6:] for line in block.splitlines() if line.startswith("data: "))
        if data:
            out.append(json.loads(data) if data.startswith(("{", '"')) else data)
    return out


def test_chatgpt_page_gets_the_notice_in_its_stream(browser, default_proxy, standin_clean):
    r = _chatgpt(browser, f"why does boto3 reject {AWS}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    first = events[0]
    assert SECRET_REASON in first["error"] and first["conversation_id"] == "c-41"
    assert first["message"]["author"]["role"] == "assistant"
    assert events[-1] == "[DONE]"
    ref = r.headers["x-aipolicy-reference"]
    line = default_proxy.wait_audit(lambda x: x["reference"] == ref)
    assert line["action"] == "block" and line["client_profile"] == "chatgpt-web"
    assert line["notice"] == "chatgpt-web-reply"
    assert not standin_clean.requests.for_host("chatgpt.com")


def test_chatgpt_page_answer_starts_with_the_note(browser, standin_clean):
    r = _chatgpt(browser, f"Draft a thank-you note to {EMAIL}.")
    assert r.status_code == 200
    sent = standin_clean.requests.last_for("chatgpt.com", "/backend-api/f/conversation")
    assert EMAIL.encode() not in sent.body and b"[EMAIL_ADDRESS_1]" in sent.body
    text = ""
    for op in _events(r.text):  # the page's delta encoding: add, then appends
        if isinstance(op, dict) and op.get("o") == "add":
            text = op["v"]["message"]["content"]["parts"][0]
        elif isinstance(op, dict) and isinstance(op.get("v"), str):
            text += op["v"]
    assert text.startswith("1 e-mail address was replaced before sending — policy: ")
    assert text.endswith(DEFAULT_REPLY) and EMAIL not in r.text


def _claude(browser, prompt: str) -> httpx.Response:
    url = ("https://claude.ai/api/organizations/6f1c0c6a-org/chat_conversations/"
           "5d2b7e8a-conv/completion")
    return browser.post(url, json={"prompt": prompt, "timezone": "Europe/Berlin",
                                   "attachments": [], "files": [], "rendering_mode": "messages"},
                        headers=_fetch_headers("https://claude.ai", "text/event-stream",
                                               "application/json"))


def test_claude_page_gets_its_permission_error(browser, standin_clean):
    r = _claude(browser, f"fix this config: {AWS}")
    assert r.status_code == 403
    body = r.json()
    assert body["type"] == "error" and body["error"]["type"] == "permission_error"
    assert SECRET_REASON in body["error"]["message"]
    assert not standin_clean.requests.for_host("claude.ai")


def test_claude_page_answer_starts_with_the_note(browser, standin_clean):
    r = _claude(browser, f"Draft a thank-you note to {EMAIL}.")
    assert r.status_code == 200
    text = "".join(e["delta"]["text"] for e in _events(r.text)
                   if isinstance(e, dict) and e.get("type") == "content_block_delta")
    assert text.startswith("1 e-mail address was replaced before sending")
    assert text.endswith(DEFAULT_REPLY)


def test_gemini_page_gets_the_notice_as_its_answer(browser, standin_clean):
    inner = json.dumps([[f"what is wrong with {AWS}"], None, ["", "", ""]])
    form = urllib.parse.urlencode({"f.req": json.dumps([None, inner]), "at": "AJvLN6M:1"})
    r = browser.post(
        "https://gemini.google.com/_/BardChatUi/data/assistant.lamda.BardFrontendService/"
        "StreamGenerate?bl=boq_assistant-bard-web-server_20261201.08_p0&_reqid=123&rt=c",
        content=form, headers=_fetch_headers("https://gemini.google.com", "*/*",
                                             "application/x-www-form-urlencoded;charset=UTF-8"))
    assert r.status_code == 200 and r.text.startswith(")]}'")
    frame = r.text.split("\n", 3)[3]
    answer = json.loads(json.loads(frame)[0][2])[4][0][1][0]
    assert SECRET_REASON in answer
    assert not standin_clean.requests.for_host("gemini.google.com")
