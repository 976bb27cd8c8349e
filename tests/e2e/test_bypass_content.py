"""Every way content used to get past the proxy, tried from the outside.

The real proxy (launcher, real TLS) in front of the loopback stand-in: bodies of every
method, the query string, header fields, the path, text behind a magic number, UTF-16/32
bodies, object keys and unknown fields, credentials in their places, WebSocket frames of
both kinds. Each case asserts what the stand-in received (nothing, or the redacted
request) and that exactly one audit line was written for it.
"""

from __future__ import annotations

import json
import ssl
import time
import uuid
from urllib.parse import quote

import httpx2 as httpx
import pytest

from aipolicy.inspect import INSPECTION_FAILED

from .standin.websocket import WebSocketClient

AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"  # synthetic, well-formed
SECRET_TEXT = f"Deploy notes\naws_access_key_id={AWS_KEY}\n"
EMAIL = "ops.lead@corp-mail.com"
OPENAI_KEY = "sk-proj-" + "Q7vRk2LmZx9TgW4hNc8BfJd3YsPa6EuK" * 4 + "Ab12Cd34Ef56Gh78Ij90Kl12"


def client(proxy) -> httpx.Client:
    return httpx.Client(proxy=proxy.url, timeout=30,
                        verify=ssl.create_default_context(cafile=str(proxy.ca_cert)))


class Audit:
    """The audit lines written since it was made."""

    def __init__(self, proxy) -> None:
        self.proxy = proxy
        self.before = len(proxy.audit())

    def one(self, **expected) -> dict:
        """The single new line; waits for it (the proxy writes it asynchronously)."""
        deadline = time.monotonic() + 10
        lines: list[dict] = []
        while time.monotonic() < deadline:
            lines = self.proxy.audit()[self.before:]
            if lines:
                break
            time.sleep(0.05)
        assert len(lines) == 1, lines
        line = lines[0]
        for key, value in expected.items():
            assert line[key] == value, (key, line)
        text = self.proxy.audit_path.read_text()
        assert AWS_KEY not in text and EMAIL not in text
        return line


def _blocked(response, standin, host="api.openai.com") -> None:
    assert response.status_code == 403, response.text
    assert standin.requests.for_host(host) == []


# ------------------------------------------------------------------ any method
@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS", "QUERY", "PROPFIND"])
def test_a_body_of_any_method_is_inspected(proxy, standin_clean, method):
    audit = Audit(proxy)
    body = json.dumps({"filter": {"note": SECRET_TEXT}}).encode()
    with client(proxy) as c:
        r = c.request(method, "https://api.openai.com/v1/files", content=body,
                      headers={"content-type": "application/json"})
    _blocked(r, standin_clean)
    line = audit.one(method=method, action="block", rule="secrets-block")
    assert line["findings"] == {"aws-access-key-id": 1}


def test_a_benign_body_of_a_get_passes_byte_for_byte(proxy, standin_clean):
    audit = Audit(proxy)
    body = b'{"filter": {"purpose": "assistants"}}'
    with client(proxy) as c:
        r = c.request("GET", "https://api.openai.com/v1/files", content=body,
                      headers={"content-type": "application/json"})
    assert r.status_code != 403
    assert standin_clean.requests.last_for("api.openai.com", "/v1/files").body == body
    audit.one(method="GET", action="allow")


# ------------------------------------------------------------------ the envelope
@pytest.mark.parametrize(("where", "url", "headers"), [
    ("query", f"https://api.openai.com/v1/models?note={quote(SECRET_TEXT)}", {}),
    ("query name", f"https://api.openai.com/v1/models?{AWS_KEY}=1", {}),
    ("path", f"https://api.openai.com/v1/models/{AWS_KEY}", {}),
    ("header", "https://api.openai.com/v1/models", {"x-debug-note": f"key {AWS_KEY}"}),
    ("user agent", "https://api.openai.com/v1/models", {"user-agent": f"tool/1 ({AWS_KEY})"}),
    ("referer", "https://api.openai.com/v1/models",
     {"referer": f"https://platform.openai.com/?q={AWS_KEY}"}),
    ("authorization", "https://api.openai.com/v1/models",
     {"authorization": f"Bearer {AWS_KEY}"}),
    ("cookie", "https://api.openai.com/v1/models", {"cookie": f"a=1; note={AWS_KEY}"}),
])
def test_a_secret_in_the_request_envelope_blocks(proxy, standin_clean, where, url, headers):
    audit = Audit(proxy)
    with client(proxy) as c:
        r = c.get(url, headers=headers)
    _blocked(r, standin_clean)
    assert AWS_KEY not in r.text
    audit.one(action="block", rule="secrets-block", findings={"aws-access-key-id": 1})


def test_personal_data_in_the_envelope_is_redacted_in_place(proxy, standin_clean):
    audit = Audit(proxy)
    encoded = quote(EMAIL, safe="")
    with client(proxy) as c:
        r = c.get(f"https://api.openai.com/v1/models/{encoded}?user={encoded}&limit=5",
                  headers={"x-customer": f"Customer {EMAIL}", "x-trace": "unchanged"})
    assert r.status_code == 200
    got = standin_clean.requests.last_for("api.openai.com", "/v1/models")
    assert got.path == "/v1/models/%5BEMAIL_ADDRESS_1%5D?user=%5BEMAIL_ADDRESS_1%5D&limit=5"
    assert got.header("x-customer") == "Customer [EMAIL_ADDRESS_1]"
    assert got.header("x-trace") == "unchanged"
    assert r.headers["x-aipolicy-redacted"] == "EMAIL_ADDRESS=3"
    audit.one(action="redact", findings={"EMAIL_ADDRESS": 3})


def test_the_clients_own_key_passes_a_foreign_one_does_not(proxy, standin_clean):
    audit = Audit(proxy)
    body = b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}'
    with client(proxy) as c:
        r = c.post("https://api.openai.com/v1/chat/completions", content=body,
                   headers={"content-type": "application/json",
                            "authorization": f"Bearer {OPENAI_KEY}"})
    assert r.status_code == 200
    assert standin_clean.requests.last_for("api.openai.com").header("authorization") == \
        f"Bearer {OPENAI_KEY}"
    audit.one(action="allow")
    audit = Audit(proxy)
    with client(proxy) as c:  # the same key sent to another provider is a leak
        r = c.post("https://api.anthropic.com/v1/messages", content=body,
                   headers={"content-type": "application/json", "x-api-key": OPENAI_KEY})
    _blocked(r, standin_clean, "api.anthropic.com")
    audit.one(action="block", findings={"openai-api-key": 1})


# ------------------------------------------------------------------ text and encodings
def _multipart(data: bytes, filename: str, content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
            f"assistants\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode() \
        + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("prefix", [b"BM", b"MZ", b"%PDF-1.7\n"])
@pytest.mark.parametrize("carrier", ["upload", "text/plain"])
def test_text_behind_a_magic_number_is_text(proxy, standin_clean, prefix, carrier):
    audit = Audit(proxy)
    data = prefix + b"\n" + SECRET_TEXT.encode()
    if carrier == "upload":
        body, content_type = _multipart(data, "image.bmp", "image/bmp")
        url = "https://api.openai.com/v1/files"
    else:
        body, content_type = data, "text/plain"
        url = "https://api.openai.com/v1/notes"
    with client(proxy) as c:
        r = c.post(url, content=body, headers={"content-type": content_type})
    _blocked(r, standin_clean)
    audit.one(action="block", rule="secrets-block")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16", "utf-32-le", "utf-32"])
def test_utf16_and_utf32_bodies_are_read(proxy, standin_clean, codec):
    audit = Audit(proxy)
    body = ("部署说明，请勿外传。\n" + SECRET_TEXT).encode(codec)
    with client(proxy) as c:
        r = c.put("https://files.oaiusercontent.com/file-abc123", content=body,
                  headers={"content-type": "text/plain"})
    _blocked(r, standin_clean, "files.oaiusercontent.com")
    audit.one(action="block", method="PUT")


def test_an_unreadable_upload_is_refused(proxy, standin_clean):
    audit = Audit(proxy)
    body, content_type = _multipart(bytes(range(256)) * 16, "data.bin",
                                    "application/octet-stream")
    with client(proxy) as c:
        r = c.post("https://api.openai.com/v1/files", content=body,
                   headers={"content-type": content_type})
    _blocked(r, standin_clean)
    assert "could not be read" in r.json()["error"]["message"]
    audit.one(action="block", rule=INSPECTION_FAILED)


# ------------------------------------------------------------------ fields of bodies
@pytest.mark.parametrize(("url", "body"), [
    ("https://api.openai.com/v1/chat/completions", {
        "model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}],
        "metadata": {AWS_KEY: "an object key"}}),
    ("https://api.openai.com/v1/chat/completions", {
        "model": AWS_KEY, "messages": [{"role": "user", "content": "hi"}]}),
    ("https://chatgpt.com/backend-api/f/conversation", {
        "action": "next", "model": "auto", "parent_message_id": "p1",
        "messages": [{"id": "m1", "author": {"role": "user", "name": SECRET_TEXT},
                      "content": {"content_type": "text", "parts": ["hi"]},
                      "metadata": {"note": SECRET_TEXT}}]}),
    ("https://chatgpt.com/backend-api/f/conversation", {
        "action": "next", "client_contextual_info": {"note": SECRET_TEXT},
        "messages": [{"id": "m1", "author": {"role": "user"},
                      "content": {"content_type": "text", "parts": ["hi"]}}]}),
])
def test_keys_and_unknown_fields_are_scanned(proxy, standin_clean, url, body):
    audit = Audit(proxy)
    host = url.split("/")[2]
    with client(proxy) as c:
        r = c.post(url, content=json.dumps(body).encode(),
                   headers={"content-type": "application/json"})
    _blocked(r, standin_clean, host)
    audit.one(action="block", rule="secrets-block")


# ------------------------------------------------------------------ WebSocket frames
@pytest.fixture
def copilot(proxy, standin_clean):
    audit = Audit(proxy)
    with WebSocketClient(proxy.port, "copilot.microsoft.com", "/c/api/chat?api-version=2",
                         proxy.ca_cert) as ws:
        assert ws.status == 101
        audit.one(action="allow", path="/c/api/chat")  # the handshake
        yield ws


def _frame_refused(ws, proxy, standin, content) -> None:
    audit = Audit(proxy)
    ws.send(content)
    # the proxy's answer in Copilot's own message events (clients.yaml: copilot-web),
    # not the stand-in's "received"
    events = [json.loads(ws.receive())]
    while events[-1]["event"] != "done":
        events.append(json.loads(ws.receive()))
    assert [e["event"] for e in events] == ["startMessage", "appendText", "partCompleted",
                                            "done"]
    assert "could not be inspected" in events[1]["text"] or "Blocked" in events[1]["text"]
    assert AWS_KEY not in json.dumps(events)
    audit.one(method="WEBSOCKET", action="block")
    assert standin.websocket_messages.snapshot() == []


def test_websocket_frames_of_both_kinds(copilot, proxy, standin_clean):
    audit = Audit(proxy)
    frame = json.dumps({"event": "send", "content": [{"type": "text", "text": "hi"}]})
    copilot.send(frame)
    assert json.loads(copilot.receive()) == {"event": "received", "bytes": len(frame)}
    audit.one(method="WEBSOCKET", action="allow")
    standin_clean.websocket_messages.clear()
    # a binary frame in UTF-16, text behind a magic number, an unreadable binary frame
    _frame_refused(copilot, proxy, standin_clean, SECRET_TEXT.encode("utf-16"))
    _frame_refused(copilot, proxy, standin_clean, "BM\n" + SECRET_TEXT)
    _frame_refused(copilot, proxy, standin_clean, json.dumps(
        {"event": "send", "content": [{"type": "text", "text": SECRET_TEXT}]}).encode("utf-32"))
    _frame_refused(copilot, proxy, standin_clean, bytes(range(256)) * 4)
    # the connection still works: a benign binary frame in UTF-16 passes as sent
    audit = Audit(proxy)
    benign = "Summarise the meeting notes, please.".encode("utf-16")
    copilot.send(benign)
    assert json.loads(copilot.receive())["event"] == "received"
    assert standin_clean.websocket_messages.wait_count(1)[-1].content == benign
    audit.one(method="WEBSOCKET", action="allow")
