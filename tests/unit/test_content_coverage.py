"""Every byte a client sends to an AI app is inspected or refused: the real pipeline with
the shipped default ruleset, in process, against each way content used to get through."""

from __future__ import annotations

import base64
import io
import ipaddress
import json
import random
import zlib

import pytest

from aipolicy.model import Action, ClientIdentity, RequestInfo

from .secret_values import AWS_KEY, CLIENTS, GITHUB_TOKEN, JWT, OPENAI_KEY, SLACK_TOKEN

CHAT = "/v1/chat/completions"
EMAIL = "dana.whitfield@corp-mail.com"


def _request(host="api.openai.com", path=CHAT, method="POST", query="", fields=(),
             content_type="application/json", content_encoding=""):
    headers = {"content-type": content_type} if content_type else {}
    if content_encoding:
        headers["content-encoding"] = content_encoding
    all_fields = (("host", host), *(("content-type", content_type),) * bool(content_type),
                  *fields)
    return RequestInfo(method, "https", host, 443, path, headers,
                       ClientIdentity(ipaddress.ip_address("10.1.2.3")), query=query,
                       fields=tuple(all_fields))


def _verdict(pipeline, request, body=b""):
    return pipeline.evaluate(request, pipeline.classify(request), body)


def _chat(text="Write a haiku about autumn.", **extra) -> bytes:
    return json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": text}],
                       **extra}).encode()


def _blocked_for_secret(verdict, rule="aws-access-key-id"):
    outcome = verdict.outcome
    assert outcome.enforced is Action.BLOCK, outcome.findings.by_type()
    assert rule in outcome.findings.by_type()
    assert AWS_KEY.encode() not in verdict.notice.body and GITHUB_TOKEN.encode() not in \
        verdict.notice.body


# ------------------------------------------------------------------ any method
@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS", "QUERY", "PROPFIND", "HEAD",
                                    "PUT", "PATCH", "SEARCH"])
def test_bodies_of_every_method_are_inspected(default_pipeline, method):
    body = json.dumps({"filter": {"note": f"key {AWS_KEY}"}}).encode()
    request = _request(path="/v1/files", method=method)
    assert default_pipeline.needs_body(request)
    _blocked_for_secret(_verdict(default_pipeline, request, body))


# ------------------------------------------------------------------ the envelope
@pytest.mark.parametrize(("where", "kwargs"), [
    ("query value", {"query": f"note=key+{AWS_KEY}"}),
    ("query name", {"query": f"{AWS_KEY}=1"}),
    ("percent-encoded query", {"query": "n=%41%4B%49%41Z3MHQ7TXKRV4PWUN"}),
    ("path", {"path": f"/v1/files/{AWS_KEY}"}),
    ("encoded path", {"path": "/v1/files/x%20%41KIAZ3MHQ7TXKRV4PWUN"}),
    ("custom header", {"fields": (("x-debug-note", f"key {AWS_KEY}"),)}),
    ("standard header", {"fields": (("accept-language", f"en, {AWS_KEY}"),)}),
    ("user agent", {"fields": (("user-agent", f"curl/8 ({AWS_KEY})"),)}),
    ("referer query", {"fields": (("referer", f"https://chatgpt.com/?q={AWS_KEY}"),)}),
    ("content type", {"fields": (("content-type", f"text/plain; x={AWS_KEY}"),)}),
    ("authorization", {"fields": (("authorization", f"Bearer {AWS_KEY}"),)}),
    ("cookie", {"fields": (("cookie", f"session=abc; note={AWS_KEY}"),)}),
    ("api key header", {"fields": (("x-api-key", AWS_KEY),)}),
    ("credential query", {"query": f"key={AWS_KEY}"}),
])
def test_a_secret_anywhere_in_the_envelope_blocks(default_pipeline, where, kwargs):
    _blocked_for_secret(_verdict(default_pipeline, _request(method="GET", **kwargs)))


def test_a_secret_named_only_by_its_header_or_parameter_is_found(default_pipeline):
    secret = "Ftx4TmLTZeVhDMXBzHugvCyQMKxaG/EC1RqNugLe"
    for kwargs in ({"fields": (("x-aws-secret-access-key", secret),)},
                   {"query": f"aws_secret_access_key={secret.replace('/', '%2F')}"}):
        verdict = _verdict(default_pipeline, _request(method="GET", **kwargs))
        _blocked_for_secret(verdict, "aws-secret-access-key")


def test_trailers_are_inspected(default_pipeline):
    request = _request()
    request = RequestInfo(**{**request.__dict__, "trailers": (("x-note", GITHUB_TOKEN),)})
    _blocked_for_secret(_verdict(default_pipeline, request, _chat()), "github-pat")


def test_personal_data_in_the_envelope_is_redacted_where_it_is(default_pipeline):
    request = _request(
        path="/v1/users/dana.whitfield%40corp-mail.com/files", method="GET",
        query=f"note=mail+{EMAIL.replace('@', '%40')}&limit=5",
        fields=(("x-customer", f"Customer {EMAIL}"),
                ("referer", f"https://chatgpt.com/?q={EMAIL}")))
    verdict = _verdict(default_pipeline, request)
    assert verdict.outcome.enforced is Action.REDACT
    edit = verdict.new_envelope
    assert edit.path == "/v1/users/%5BEMAIL_ADDRESS_1%5D/files"
    assert edit.query == "note=mail+%5BEMAIL_ADDRESS_1%5D&limit=5"
    fields = dict(edit.fields)
    assert fields[2] == "Customer [EMAIL_ADDRESS_1]"  # position in the request's field list
    assert fields[3] == "https://chatgpt.com/?q=%5BEMAIL_ADDRESS_1%5D"
    assert dict(verdict.response_headers)["x-aipolicy-redacted"] == "EMAIL_ADDRESS=4"
    assert verdict.new_body is None  # nothing in the body changed


def test_personal_data_where_it_cannot_be_written_back_blocks(default_pipeline):
    request = _request(fields=(("content-disposition",
                                f'inline; filename="notes for {EMAIL} (draft).txt"'),))
    verdict = _verdict(default_pipeline, request, _chat())
    assert verdict.outcome.enforced is Action.BLOCK
    assert "cannot be removed automatically" in verdict.outcome.decision.reason


# ------------------------------------------------------------------ credentials
@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_real_clients_own_credentials_and_sessions_pass(default_pipeline, client):
    host, path, fields = CLIENTS[client]
    body = (b"f.req=%5Bnull%2C%22%5B%5B%5C%22hello%5C%22%5D%5D%22%5D&at=AJvLN6x%3A1700000000000"
            if client == "gemini-web" else _chat())
    content_type = ("application/x-www-form-urlencoded;charset=UTF-8" if client == "gemini-web"
                    else "application/json")
    verdict = _verdict(default_pipeline, _request(host, path, fields=fields,
                                                  content_type=content_type), body)
    assert verdict.outcome.findings.total == 0, verdict.outcome.findings.by_type()
    assert verdict.outcome.enforced in (Action.ALLOW, Action.MONITOR)


@pytest.mark.parametrize(("host", "path", "field"), [
    ("api.openai.com", CHAT, ("authorization", f"Bearer {AWS_KEY}")),
    ("api.anthropic.com", "/v1/messages", ("x-api-key", GITHUB_TOKEN)),
    ("chatgpt.com", "/backend-api/f/conversation", ("cookie", f"a=1; slack={SLACK_TOKEN}")),
    ("generativelanguage.googleapis.com", "/v1beta/models/m:generateContent",
     ("x-goog-api-key", OPENAI_KEY)),  # an OpenAI key is not Google's own
    ("api.mistral.ai", CHAT, ("authorization", f"Bearer {OPENAI_KEY}")),
])
def test_foreign_secrets_in_credential_positions_block(default_pipeline, host, path, field):
    verdict = _verdict(default_pipeline, _request(host, path, fields=(field,)), _chat())
    assert verdict.outcome.enforced is Action.BLOCK
    assert verdict.outcome.findings.total == 1


def test_own_kinds_count_everywhere_else(default_pipeline):
    """An OpenAI key to the OpenAI API is expected in Authorization, not in a prompt or a
    custom header; a JWT is a session in Authorization, a secret in a prompt."""
    for body, fields in ((_chat(f"my key is {OPENAI_KEY}"), ()),
                         (_chat(), (("x-debug", OPENAI_KEY),)),
                         (_chat(f"token {JWT}"), ())):
        verdict = _verdict(default_pipeline, _request(fields=fields), body)
        assert verdict.outcome.enforced is Action.BLOCK


# ------------------------------------------------------------------ text and binaries
TEXT = f"Deployment notes.\naws_access_key_id={AWS_KEY}\n"


@pytest.mark.parametrize("prefix", [b"BM", b"MZ", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n",
                                    b"PK\x03\x04", b"\x1f\x8b\x08", b"GIF89a", b"OggS"])
@pytest.mark.parametrize("route", ["upload", "text", "raw"])
def test_text_behind_a_magic_number_is_scanned(default_pipeline, prefix, route):
    data = prefix + TEXT.encode()
    if route == "upload":
        boundary = "b0undary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"notes.txt\"\r\nContent-Type: image/bmp\r\n\r\n").encode() + data \
            + f"\r\n--{boundary}--\r\n".encode()
        request = _request(path="/v1/files",
                           content_type=f"multipart/form-data; boundary={boundary}")
    elif route == "text":
        body, request = data, _request(path="/v1/notes", content_type="text/plain")
    else:
        body = data
        request = _request("files.oaiusercontent.com", "/file-abc", "PUT",
                           content_type="application/octet-stream")
    _blocked_for_secret(_verdict(default_pipeline, request, body))


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16", "utf-32-le",
                                   "utf-32-be", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize("script", ["latin", "chinese", "russian"])
def test_unicode_bodies_in_every_encoding(default_pipeline, codec, script):
    lead = {"latin": "Notes", "chinese": "部署说明，请勿外传。",
            "russian": "Заметки о развёртывании."}
    body = (lead[script] + "\n" + TEXT).encode(codec)
    request = _request(path="/v1/notes", content_type="text/plain")
    _blocked_for_secret(_verdict(default_pipeline, request, body))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")


def _png(extra_chunk: bytes = b"") -> bytes:
    header = _chunk(b"IHDR", b"\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")
    pixels = _chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + extra_chunk + pixels + _chunk(b"IEND", b"")


def _upload(data: bytes, name: str = "file.bin") -> tuple[RequestInfo, bytes]:
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode() \
        + data + f"\r\n--{boundary}--\r\n".encode()
    return _request(path="/v1/files",
                    content_type=f"multipart/form-data; boundary={boundary}"), body


def test_unreadable_upload_is_refused_and_an_image_is_a_binary_upload(default_pipeline):
    blob = random.Random(3).randbytes(4096)
    verdict = _verdict(default_pipeline, *_upload(blob))
    assert verdict.outcome.enforced is Action.BLOCK
    assert "could not be read" in verdict.outcome.decision.reason
    image = _verdict(default_pipeline, *_upload(_png(), "logo.png"))
    assert image.outcome.enforced is Action.MONITOR  # binary_uploads: monitor
    hidden = _png(_chunk(b"tEXt", b"Comment\x00" + f"deploy key {AWS_KEY}".encode()))
    _blocked_for_secret(_verdict(default_pipeline, *_upload(hidden, "logo.png")))


def test_a_zip_of_text_is_read_and_a_zip_with_an_unreadable_member_refused(default_pipeline):
    import zipfile

    def make(members: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        return out.getvalue()

    _blocked_for_secret(_verdict(default_pipeline, *_upload(make({"notes.txt": TEXT.encode()}))))
    blob = random.Random(4).randbytes(4096)
    verdict = _verdict(default_pipeline, *_upload(make({"a.txt": b"hi", "b.bin": blob})))
    assert verdict.outcome.enforced is Action.BLOCK


# ------------------------------------------------------------------ fields of bodies
def _web(body: dict) -> bytes:
    return json.dumps(body).encode()


CHATGPT = {"action": "next", "model": "auto", "messages": [{
    "id": "m1", "author": {"role": "user"},
    "content": {"content_type": "text", "parts": ["Summarise the attached report."]},
    "metadata": {}}], "parent_message_id": "p1"}


@pytest.mark.parametrize(("host", "path", "body"), [
    ("api.openai.com", CHAT, {"model": "gpt-4o", "messages": [
        {"role": "user", "content": "hi"}], "metadata": {AWS_KEY: "x"}}),  # an object key
    ("api.openai.com", CHAT, {"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"},
         "text": f"key {AWS_KEY}"}]}]}),  # text beside an image
    ("api.openai.com", CHAT, {"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {
            "url": "data:text/plain;base64," + base64.b64encode(TEXT.encode()).decode()}}]}]}),
    ("api.openai.com", CHAT, {"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": AWS_KEY}}]}]}),  # valid base64 too
    ("api.openai.com", CHAT, {"model": "gpt-4o", "messages": [{"role": "assistant",
        "tool_calls": [{"id": "c1", "type": "function", "function": {
            "name": AWS_KEY, "arguments": "{}"}}]}]}),  # a tool-call name
    ("api.anthropic.com", "/v1/messages", {"model": "c", "max_tokens": 5, "messages": [
        {"role": "user", "content": [{"type": "image", "source": {
            "type": "base64", "media_type": "image/png",
            "data": base64.b64encode(TEXT.encode()).decode()}}]}]}),  # "an image"
    ("chatgpt.com", "/backend-api/f/conversation",
     {**CHATGPT, "messages": [{**CHATGPT["messages"][0], "metadata": {"note": TEXT}}]}),
    ("chatgpt.com", "/backend-api/f/conversation",
     {**CHATGPT, "messages": [{**CHATGPT["messages"][0],
                               "author": {"role": "user", "name": TEXT}}]}),
    ("chatgpt.com", "/backend-api/f/conversation", {**CHATGPT, "client_note": TEXT}),
    ("claude.ai", "/api/organizations/o/chat_conversations/c/completion",
     {"prompt": "hi", "personalized_styles": [{"prompt": TEXT}]}),
])
def test_fields_the_adapters_skipped_are_scanned(default_pipeline, host, path, body):
    _blocked_for_secret(_verdict(default_pipeline, _request(host, path), _web(body)))


def test_gemini_web_fields_besides_the_prompt(default_pipeline):
    inner = json.dumps([["hello"], None, ["c_1", TEXT]])
    from urllib.parse import quote

    form = f"f.req={quote(json.dumps([None, inner]))}&extra={quote(TEXT)}".encode()
    request = _request("gemini.google.com",
                       "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate",
                       content_type="application/x-www-form-urlencoded")
    verdict = _verdict(default_pipeline, request, form)
    _blocked_for_secret(verdict)
    assert verdict.outcome.findings.by_type()["aws-access-key-id"] == 2


# ------------------------------------------------------------------ WebSocket frames
def _frame_request():
    """What the enforcer hands the pipeline for a client frame: the handshake's request
    with no envelope (inspected with the handshake)."""
    request = _request("copilot.microsoft.com", "/c/api/chat", content_type="")
    return RequestInfo(**{**request.__dict__, "fields": ()})


@pytest.mark.parametrize(("content_type", "frame"), [
    ("application/octet-stream", TEXT.encode("utf-16")),
    ("application/octet-stream", b"BM" + TEXT.encode()),
    ("application/octet-stream", json.dumps({"event": "send", "content": [
        {"type": "text", "text": TEXT}]}).encode("utf-32")),
    ("text/plain", b"\x89PNG\r\n\x1a\n" + TEXT.encode()),
])
def test_websocket_frames_of_both_kinds_are_read_by_content(default_pipeline, content_type,
                                                            frame):
    request = _frame_request()
    request = RequestInfo(**{**request.__dict__,
                             "headers": {"content-type": content_type}})
    _blocked_for_secret(_verdict(default_pipeline, request, frame))


def test_unreadable_binary_frame_is_refused(default_pipeline):
    request = RequestInfo(**{**_frame_request().__dict__,
                             "headers": {"content-type": "application/octet-stream"}})
    frame = random.Random(9).randbytes(512)
    verdict = _verdict(default_pipeline, request, frame)
    assert verdict.outcome.enforced is Action.BLOCK and verdict.notice is not None


# ------------------------------------------------------------------ what is recorded
def test_a_path_that_carried_a_finding_is_recorded_without_it(default_pipeline):
    from aipolicy.audit import audit_record

    request = _request(path=f"/v1/files/{AWS_KEY}/content", method="GET")
    verdict = _verdict(default_pipeline, request)
    assert verdict.outcome.request.path == "/v1/files/%5BAWS_ACCESS_KEY_ID%5D/content"
    record = json.dumps(audit_record(verdict.outcome, default_pipeline.ruleset.policy))
    assert AWS_KEY not in record and "AWS_ACCESS_KEY_ID" in record
    # a body that cannot be read: the path is still scanned before it is recorded
    broken = _verdict(default_pipeline, _request(path=f"/v1/{AWS_KEY}/chat/completions"),
                      b"{not json")
    assert broken.outcome.failure and AWS_KEY not in broken.outcome.request.path
    # decided in the main process without a scanner (a scan that timed out): masked
    from aipolicy.extract.envelope import masked_path

    assert masked_path(f"/v1/files/{AWS_KEY}/x-1") == "/v1/files/[…]/x-1"
    assert masked_path("/v1/chat/completions") == "/v1/chat/completions"


def test_odd_encodings_of_the_envelope_and_forms(default_pipeline):
    # a header byte that is not UTF-8 (mitmproxy keeps it as a lone surrogate)
    verdict = _verdict(default_pipeline, _request(
        fields=(("x-note", f"caf\udcff mail {EMAIL}"),)), _chat())
    assert verdict.outcome.enforced is Action.REDACT and not verdict.outcome.failure
    assert dict(verdict.new_envelope.fields)[2] == "caf\udcff mail [EMAIL_ADDRESS_1]"
    # a Basic credential is read decoded
    basic = base64.b64encode(f"deploy:{AWS_KEY}".encode()).decode()
    _blocked_for_secret(_verdict(default_pipeline, _request(
        fields=(("authorization", f"Basic {basic}"),)), _chat()))
    # a form sent in UTF-16 is read as the text it is
    form = f"q=aws_access_key_id%3D{AWS_KEY}".encode("utf-16")
    _blocked_for_secret(_verdict(default_pipeline, _request(
        path="/v1/form", content_type="application/x-www-form-urlencoded"), form))
    # a percent-encoded cookie value is read decoded
    _blocked_for_secret(_verdict(default_pipeline, _request(
        fields=(("cookie", f"n=aws_access_key_id%3D{AWS_KEY}"),)), _chat()))


def test_text_frames_that_are_not_plain_json_are_read_as_text(default_pipeline):
    """SignalR (Microsoft 365 Copilot) ends each JSON record with 0x1E: read as text, not
    refused as broken JSON, and a secret in it is still found."""
    request = RequestInfo(**{**_frame_request().__dict__, "headers": {"content-type": ""}})
    benign = b'{"type":1,"target":"chat","arguments":[{"text":"hello"}]}\x1e'
    verdict = _verdict(default_pipeline, request, benign)
    assert verdict.outcome.enforced is Action.ALLOW and not verdict.outcome.failure
    leaked = benign.replace(b"hello", f"key {AWS_KEY}".encode())
    _blocked_for_secret(_verdict(default_pipeline, request, leaked))


def test_a_detector_crash_still_gives_a_verdict_and_records_no_path_content(
        default_pipeline, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("detector bug")

    monkeypatch.setattr(default_pipeline.inspector, "scan", boom)
    verdict = _verdict(default_pipeline, _request(path=f"/v1/{AWS_KEY}/chat/completions"),
                       _chat())
    assert verdict.outcome.enforced is Action.BLOCK and verdict.outcome.failure
    assert AWS_KEY not in verdict.outcome.request.path


@pytest.mark.parametrize(("arguments", "blocked"), [
    ({"aws_secret_access_key": "Ftx4TmLTZeVhDMXBzHugvCyQMKxaG/EC1RqNugLe"}, True),
    ({"db_password": "Xk9#mQ2$vLp7wRz4"}, True),
    ({"next_page_token": "eyJvZmZzZXQiOjEwLCJsaW1pdCI6MjB9"}, False),
    ({"cache_key": "user:123:profile:v2"}, False),
    ({"key_points": "revenue grew 12 percent, churn fell"}, False),
    ({"password_policy": "at least twelve characters"}, False),
])
def test_a_user_defined_key_names_its_value(default_pipeline, arguments, blocked):
    """A JSON key that is no API field name is read in front of its value, so a secret
    named only by its key is found; benign keys with the same words are not findings."""
    body = json.dumps({"model": "m", "messages": [{"role": "assistant", "tool_calls": [
        {"id": "c1", "type": "function", "function": {
            "name": "configure", "arguments": json.dumps(arguments)}}]}]}).encode()
    verdict = _verdict(default_pipeline, _request(), body)
    assert (verdict.outcome.enforced is Action.BLOCK) is blocked, \
        verdict.outcome.findings.by_type()
