"""The stand-in alone (no proxy): official SDKs accept its replies; it records what it got."""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import ssl
from collections.abc import Iterator

import anthropic
import httpx
import httpx2
import openai
import pytest

pytestmark = pytest.mark.e2e

PROMPT = "Summarise the quarterly figures."


@pytest.fixture(scope="module")
def tls_context(standin_pki) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(standin_pki.ca_cert))


@pytest.fixture
def http(tls_context) -> Iterator[httpx.Client]:
    with httpx.Client(verify=tls_context, timeout=10) as client:
        yield client


@pytest.fixture
def sdk_http(tls_context) -> Iterator[httpx2.Client]:
    # Both official SDKs are built on httpx2 (anthropic rejects an httpx.Client).
    with httpx2.Client(verify=tls_context, timeout=10) as client:
        yield client


@pytest.fixture
def oai(standin_clean, sdk_http) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=standin_clean.url("/v1"), api_key="sk-test", http_client=sdk_http, max_retries=0
    )


@pytest.fixture
def claude(standin_clean, sdk_http) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        base_url=standin_clean.url(), api_key="sk-ant-test", http_client=sdk_http, max_retries=0
    )


def _peer_sha256(port: int, server_name: str, ctx: ssl.SSLContext) -> str:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return hashlib.sha256(der).hexdigest()


# --- OpenAI -------------------------------------------------------------------


def test_openai_chat_completion(oai, standin_clean):
    reply = oai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}]
    )
    assert reply.object == "chat.completion"
    assert reply.choices[0].message.content == standin_clean.reply_text
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None and reply.usage.total_tokens > 0

    seen = standin_clean.requests.last_for("localhost", "/v1/chat/completions")
    assert seen is not None and seen.method == "POST" and seen.tls
    assert seen.header("authorization") == "Bearer sk-test"
    assert seen.json()["messages"] == [{"role": "user", "content": PROMPT}]


def test_openai_chat_streaming(oai, standin_clean):
    stream = oai.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": PROMPT}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == standin_clean.reply_text
    assert len([c for c in chunks if c.choices]) > 3  # really streamed in pieces
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_openai_rejects_malformed_request_in_openai_error_shape(oai):
    with pytest.raises(openai.BadRequestError) as caught:
        oai.chat.completions.create(model="gpt-4o-mini", messages="not a list")  # type: ignore[arg-type]
    assert caught.value.status_code == 400
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert caught.value.body["type"] == "invalid_request_error"


def test_openai_responses(oai, standin_clean):
    reply = oai.responses.create(model="gpt-4.1", input=PROMPT, instructions="Be brief.")
    assert reply.status == "completed"
    assert reply.output_text == standin_clean.reply_text
    seen = standin_clean.requests.last_for("localhost", "/v1/responses")
    assert seen is not None and seen.json()["input"] == PROMPT


def test_openai_responses_streaming(oai, standin_clean):
    with oai.responses.stream(model="gpt-4.1", input=PROMPT) as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == standin_clean.reply_text
    assert final.output_text == standin_clean.reply_text


def test_openai_file_upload_and_models(oai, standin_clean):
    data = b"name,email\nAda,ada@example.com\n"
    uploaded = oai.files.create(file=("people.csv", data), purpose="assistants")
    assert uploaded.object == "file"
    assert uploaded.bytes == len(data) and uploaded.filename == "people.csv"

    seen = standin_clean.requests.last_for("localhost", "/v1/files")
    assert seen is not None
    parts = {p.name: p for p in seen.multipart()}
    assert parts["file"].data == data and parts["purpose"].data == b"assistants"

    assert "gpt-4o-mini" in [m.id for m in oai.models.list()]


# --- Anthropic ----------------------------------------------------------------


def test_anthropic_messages(claude, standin_clean):
    reply = claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=100,
        system="You are terse.",
        messages=[{"role": "user", "content": PROMPT}],
    )
    assert reply.type == "message" and reply.stop_reason == "end_turn"
    assert reply.content[0].type == "text"
    assert reply.content[0].text == standin_clean.reply_text

    seen = standin_clean.requests.last_for("localhost", "/v1/messages")
    assert seen is not None
    # SDK versions differ: x-api-key, or Authorization: Bearer.
    assert "sk-ant-test" in (seen.header("x-api-key") or seen.header("authorization") or "")
    assert seen.header("anthropic-version")
    assert seen.json()["system"] == "You are terse."


def test_anthropic_messages_streaming(claude, standin_clean):
    with claude.messages.stream(
        model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": PROMPT}]
    ) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 3
    assert "".join(pieces) == standin_clean.reply_text
    assert final.stop_reason == "end_turn"


def test_anthropic_file_upload_uses_anthropic_shape(claude, standin_clean):
    uploaded = claude.beta.files.upload(file=("notes.txt", b"meeting notes", "text/plain"))
    assert uploaded.type == "file" and uploaded.size_bytes == len(b"meeting notes")


# --- Gemini and the consumer web apps (plain httpx) ----------------------------


def test_gemini_generate_and_sse_stream(http, standin_clean):
    base = standin_clean.url("/v1beta/models/gemini-2.5-flash")
    body = {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}]}
    plain = http.post(f"{base}:generateContent", json=body).json()
    assert plain["candidates"][0]["content"]["parts"][0]["text"] == standin_clean.reply_text

    with http.stream("POST", f"{base}:streamGenerateContent?alt=sse", json=body) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in resp.iter_lines() if line.startswith("data: ")]
    text = "".join(e["candidates"][0]["content"]["parts"][0]["text"] for e in events)
    assert text == standin_clean.reply_text
    assert events[-1]["candidates"][0]["finishReason"] == "STOP"
    seen = standin_clean.requests.last_for("localhost", "/v1beta/models/gemini-2.5-flash:stream")
    assert seen is not None and seen.query == {"alt": ["sse"]}


def test_web_apps_reply(http, standin_clean):
    chatgpt = http.post(
        standin_clean.url("/backend-api/f/conversation"),
        json={"action": "next", "messages": [{"content": {"parts": [PROMPT]}}]},
    )
    assert chatgpt.headers["content-type"].startswith("text/event-stream")
    assert chatgpt.text.rstrip().endswith("data: [DONE]")

    claude_ai = http.post(
        standin_clean.url("/api/organizations/org1/chat_conversations/c1/completion"),
        json={"prompt": PROMPT, "attachments": []},
    )
    assert "event: message_stop" in claude_ai.text

    gemini = http.post(
        standin_clean.url("/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate"),
        data={"f.req": json.dumps([None, json.dumps([[PROMPT]])])},
    )
    assert gemini.text.startswith(")]}'")
    assert standin_clean.reply_text in gemini.text.replace('\\"', '"')

    page = http.get(standin_clean.url("/"))
    assert page.headers["content-type"].startswith("text/html") and "<h1>" in page.text
    assert [r.path_only for r in standin_clean.requests][:3] == [
        "/backend-api/f/conversation",
        "/api/organizations/org1/chat_conversations/c1/completion",
        "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate",
    ]
    assert standin_clean.requests[2].form()["f.req"]


def test_unknown_path_is_a_vendor_404(http, standin_clean):
    resp = http.get(standin_clean.url("/v1/nothing-here"))
    assert resp.status_code == 404 and "error" in resp.json()


# --- recording, TLS, gate -------------------------------------------------------


def test_records_body_bytes_exactly_as_received(http, standin_clean):
    raw = gzip.compress(json.dumps({"model": "m", "messages": []}).encode())
    resp = http.post(
        standin_clean.url("/v1/chat/completions"),
        content=raw,
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert resp.status_code == 200  # the stand-in decoded it to answer
    chunked = http.post(
        standin_clean.url("/v1/chat/completions"),
        content=iter([b'{"model":"m",', b'"messages":[]}']),  # no length: chunked framing
        headers={"content-type": "application/json"},
    )
    assert chunked.status_code == 200
    first, second = standin_clean.requests.for_host("localhost", "/v1/chat/completions")
    assert first.body == raw and first.json() == {"model": "m", "messages": []}
    assert second.header("transfer-encoding") == "chunked"
    assert second.body == b'{"model":"m","messages":[]}'
    assert first.connection_id == second.connection_id  # keep-alive


def test_certificates_chosen_by_sni(standin_clean, standin_pki, tls_context):
    port = standin_clean.port
    assert _peer_sha256(port, "api.openai.com", tls_context) == standin_pki.ai.sha256
    assert _peer_sha256(port, "plain.example.test", tls_context) == standin_pki.plain.sha256
    # A hostname outside the fixed list gets its own certificate from the test CA.
    other = _peer_sha256(port, "api.example-ai.test", tls_context)
    assert other not in (standin_pki.ai.sha256, standin_pki.plain.sha256)


def test_plain_http_on_the_same_port(standin_clean):
    with httpx.Client() as client:
        resp = client.get(standin_clean.url("/", scheme="http"), headers={"host": "chatgpt.com"})
    assert "chatgpt.com" in resp.text
    seen = standin_clean.requests.last_for("chatgpt.com")
    assert seen is not None and not seen.tls


def test_gate_holds_stream_after_first_event(oai, standin_clean):
    stream = oai.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": PROMPT}],
        stream=True,
        extra_headers={"x-test-gate": "first"},
    )
    chunks = iter(stream)
    first = next(chunks)  # arrives while the server is still held at the gate
    assert first.choices[0].delta.role == "assistant"
    assert standin_clean.wait_gate_reached("first")
    standin_clean.release("first")
    rest = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert rest == standin_clean.reply_text
    assert standin_clean.gate_timeouts() == []


def test_unreleased_gate_cuts_the_stream(standin_clean, standin_pki, tls_context):
    short_gate = type(standin_clean)(standin_pki, gate_timeout=0.3)
    with short_gate as server, httpx.Client(verify=tls_context) as client:
        with (
            pytest.raises(httpx.RemoteProtocolError),
            client.stream(
                "POST",
                server.url("/v1/messages"),
                json={"model": "m", "max_tokens": 5, "messages": [], "stream": True},
                headers={"x-test-gate": "never"},
            ) as resp,
        ):
            for _ in resp.iter_raw():
                pass
        assert server.gate_timeouts() == ["never"]
