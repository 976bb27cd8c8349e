"""Bodies without a dedicated adapter, fallbacks, and broken bodies."""

from __future__ import annotations

import base64
import json

import pytest
from extract_helpers import fixture, run

from aipolicy.extract import ExtractionError

PDF = fixture("sample.pdf")
PNG_B64 = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
           "RU5ErkJggg==")


def _segments(result) -> list[tuple[str, str]]:
    return [(s.where, s.text) for s in result.segments]


def test_generic_json_walks_every_prose_string() -> None:
    token = "ghp_" + "x1Y2z3" * 50  # long, base64-alphabet, but not a file: stays text
    body = json.dumps({
        "query_str": "Who is the CEO of Initech? Reply to peter@initech.example",
        "model": "sonar-pro",
        "params": {"timezone": "Europe/Berlin", "frontend_uuid": "f-1", "type": "ask",
                   "history": [{"role": "user", "id": 1, "text": "earlier question"}]},
        "payload": json.dumps({"note": "nested JSON string", "n": 2}),
        "attachment": "data:text/plain;base64," + base64.b64encode(b"file text").decode(),
        "picture": "data:image/png;base64," + PNG_B64,
        "pdf": base64.b64encode(PDF).decode(),
        "token": token,
        "weird key with spaces": "shown with a placeholder",
        "empty": "   ",
    }).encode()
    result = run(body, "www.perplexity.ai", "/rest/sse/perplexity_ask")
    assert result.adapter == "generic-json"
    values = [(s.where, s.text) for s in result.segments
              if not s.where.endswith(".(key)") and s.scope == "all"]
    assert values[:5] == [
        ("query_str", "Who is the CEO of Initech? Reply to peter@initech.example"),
        ("params.frontend_uuid", "f-1"),
        ("params.history[0].text", "earlier question"),
        ("payload.note", "nested JSON string"),
        ("attachment", "file text"),
    ]
    pdf = next(s for s in result.segments if s.where == "pdf" and s.scope == "all")
    assert "jane.roe@example.org" in pdf.text and pdf.redactable is False
    assert values[6:] == [("token", token), ("?", "shown with a placeholder")]
    # Every key that is not an API field name is scanned too (weird ones included).
    keys = [s.text for s in result.segments if s.where.endswith(".(key)")]
    assert keys == ["query_str", "params", "frontend_uuid", "history", "payload", "note",
                    "attachment", "picture", "pdf", "token", "weird key with spaces", "empty"]
    assert result.uninspectable == () and result.media == ()  # an image in JSON is quiet
    # Nested JSON and data: URLs are written back in their own encoding.
    index = {s.where: i for i, s in enumerate(result.segments)}
    out = json.loads(result.rewrite({index["payload.note"]: "<X>", index["attachment"]: "<Y>",
                                     index["?.(key)"]: "<K>"}))
    assert json.loads(out["payload"]) == {"note": "<X>", "n": 2}
    assert base64.b64decode(out["attachment"].split(",", 1)[1]) == b"<Y>"
    assert out["<K>"] == "shown with a placeholder"  # a key is written back as a key


def test_generic_form() -> None:
    body = b"q=hello+J%C3%BCrgen&at=XSRF123&meta=%7B%22city%22%3A%22Berlin%22%7D&flag"
    result = run(body, "example-ai.app", "/submit", "application/x-www-form-urlencoded")
    assert result.adapter == "generic-form"
    assert _segments(result) == [("q", "hello Jürgen"), ("meta.(key)", "meta"),
                                 ("meta.city.(key)", "city"), ("meta.city", "Berlin"),
                                 ("flag.(key)", "flag")]
    out = result.rewrite({0: "hello <PERSON>", 3: "<CITY>", 4: "<F>"})
    assert out == (b"q=hello+%3CPERSON%3E&at=XSRF123&meta=%7B%22city%22%3A%22%3CCITY%3E%22%7D"
                   b"&%3CF%3E")


@pytest.mark.parametrize(("content_type", "body", "adapter", "segments"), [
    ("text/plain; charset=utf-8", "Prompt für Jürgen".encode(), "generic-body",
     [("body", "Prompt für Jürgen")]),
    ("", b'  {"prompt": "undeclared JSON"}', "generic-json", [("prompt", "undeclared JSON")]),
    ("application/octet-stream", b'["a", "b"]', "generic-json", [("[0]", "a"), ("[1]", "b")]),
    ("application/octet-stream", b"{not json but text", "generic-body",
     [("body", "{not json but text")]),
    ("application/vnd.api+json", b'{"data": {"attributes": {"body": "hi"}}}', "generic-json",
     [("data.attributes.(key)", "attributes"), ("data.attributes.body.(key)", "body"),
      ("data.attributes.body", "hi")]),
])
def test_generic_by_content_type(content_type: str, body: bytes, adapter: str,
                                 segments: list) -> None:
    result = run(body, "example-ai.app", "/x", content_type)
    assert result.adapter == adapter
    assert _segments(result) == segments


def test_generic_text_body_rewrite_keeps_its_charset() -> None:
    body = "Caf\u00e9 f\u00fcr Anna".encode("latin-1")
    result = run(body, "example-ai.app", "/x", "text/plain; charset=ISO-8859-1")
    assert result.segments[0].role == "user"
    expected = "Café für <PERSON>".encode("latin-1")
    assert result.rewrite({0: "Caf\u00e9 f\u00fcr <PERSON>"}) == expected


def test_image_body_is_media_and_unknown_binary_is_uninspectable() -> None:
    result = run(base64.b64decode(PNG_B64), "example-ai.app", "/x", "image/png")
    assert result.segments == ()
    assert (result.media, result.uninspectable) == (("media body image/png",), ())
    blob = bytes((i * 7919 + 13) % 251 for i in range(4096))
    result = run(blob, "example-ai.app", "/x", "application/octet-stream")
    assert result.uninspectable == ("unknown body application/octet-stream",)


def test_empty_body() -> None:
    result = run(b"", "api.openai.com", "/v1/chat/completions")
    assert (result.adapter, result.segments, result.rewrite({})) == ("openai-chat", (), b"")


def test_web_adapter_falls_back_to_the_generic_walk_on_an_unknown_shape() -> None:
    body = b'{"conversation_id": "c1", "new_field": {"prompt_text": "hi there"}}'
    result = run(body, "chatgpt.com", "/backend-api/f/conversation")
    assert result.adapter == "generic-json"
    assert _segments(result) == [("new_field.(key)", "new_field"),
                                 ("new_field.prompt_text.(key)", "prompt_text"),
                                 ("new_field.prompt_text", "hi there")]
    broken = b"f.req=%5Bnull%2C%22not%20json%22%5D&at=x"
    result = run(broken, "gemini.google.com",
                 "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate",
                 "application/x-www-form-urlencoded")
    assert result.adapter == "generic-form"
    assert _segments(result) == [("f.req[1]", "not json")]


def test_api_route_with_text_plain_json_and_with_plain_text() -> None:
    body = b'{"messages": [{"role": "user", "content": "hi"}]}'
    result = run(body, "api.openai.com", "/v1/chat/completions", "text/plain;charset=UTF-8")
    assert (result.adapter, _segments(result)) == ("openai-chat", [("messages[0].content", "hi")])
    result = run(b"just words", "api.openai.com", "/v1/chat/completions", "text/plain")
    assert (result.adapter, _segments(result)) == ("generic-body", [("body", "just words")])


SECRET = "s3cr3t-Content"


@pytest.mark.parametrize("body", [
    b'{"messages": [{"content": "' + SECRET.encode() + b'"}',  # truncated
    b'{"prompt": "' + SECRET.encode() + b'"} trailing',
    b"{'prompt': '" + SECRET.encode() + b"'}",
    b'{"prompt": "' + SECRET.encode() + b'\x01"}',  # raw control character
    b'{"prompt": "' + SECRET.encode() + b'\xff\xfe"}',  # not UTF-8
    b'{"prompt": "' + SECRET.encode() + b'",}',
    b'{"prompt" "' + SECRET.encode() + b'"}',
])
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/unknown"])
def test_broken_json_is_an_error_without_content(body: bytes, path: str) -> None:
    with pytest.raises(ExtractionError) as info:
        run(body, "api.openai.com", path, "application/json")
    assert info.value.reason == "request body is not valid JSON"
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_nesting_bomb_and_size_limit() -> None:
    with pytest.raises(ExtractionError) as info:
        run(b"[" * 100_000 + b"]" * 100_000, "api.openai.com", "/v1/chat/completions")
    assert info.value.reason == "request body JSON is nested too deeply"
    with pytest.raises(ExtractionError) as info:
        run(b'{"prompt": "' + b"a" * 2000 + b'"}', max_bytes=1000)
    assert info.value.reason == "request body is larger than the inspection limit"


@pytest.mark.parametrize(("content_type", "body"), [
    ("multipart/form-data", b"--x\r\n\r\nabc\r\n--x--"),  # no boundary parameter
    ("multipart/form-data; boundary=x", b"no delimiter at all"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\nabc"),
    ("multipart/form-data; boundary=x", b"--x\r\nbroken header line\r\n\r\nabc\r\n--x--"),
])
def test_malformed_multipart(content_type: str, body: bytes) -> None:
    with pytest.raises(ExtractionError) as info:
        run(body, "api.openai.com", "/v1/files", content_type)
    assert info.value.reason == "multipart request body is malformed"


def test_json_with_a_byte_order_mark_keeps_it() -> None:
    body = b'\xef\xbb\xbf{"prompt": "hi Bob"}'
    result = run(body, "localhost", "/api/generate", "application/json; charset=utf-8")
    assert [(s.where, s.text) for s in result.segments] == [("prompt", "hi Bob")]
    assert result.rewrite({0: "hi <PERSON>"}) == b'\xef\xbb\xbf{"prompt": "hi <PERSON>"}'


def test_reprs_never_show_content() -> None:
    from aipolicy.extract import BodyInput, files
    from aipolicy.extract.collect import Collector
    from aipolicy.extract.formenc import parse_form

    secret = "Jane-Roe-4111"
    text = files.read_file(secret.encode(), "", 1000)
    collector = Collector(secret.encode(), 1000)
    shown = [repr(text), repr(collector.root), repr(parse_form(f"a={secret}".encode())),
             repr(BodyInput("POST", "h", "/", "text/plain", "", secret.encode()))]
    assert all(secret not in s for s in shown)


def _pb_field(number: int, payload: bytes) -> bytes:
    def varint(value: int) -> bytes:
        out = bytearray()
        while True:
            out.append((value & 0x7F) | (0x80 if value > 0x7F else 0))
            value >>= 7
            if not value:
                return bytes(out)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def test_protobuf_bodies_are_read_without_their_schema() -> None:
    inner = _pb_field(1, b"mail jane.roe@example.org") + _pb_field(2, bytes(range(40)))
    message = (_pb_field(1, b"Summarise this file") + _pb_field(3, inner)
               + b"\x20\x96\x01")  # field 4, varint 150
    for content_type, body in (
            ("application/x-protobuf", message),
            ("application/connect+proto", b"\x00" + len(message).to_bytes(4, "big") + message),
            ("application/grpc-web+proto", b"\x00" + len(message).to_bytes(4, "big") + message
             + b"\x80\x00\x00\x00\x0bgrpc-status")):
        result = run(body, "api2.cursor.sh", "/aiserver.v1.ChatService/StreamChat",
                     content_type)
        assert result.adapter == "protobuf"
        texts = [s.text for s in result.segments if s.scope == "all"]
        assert texts[:2] == ["Summarise this file", "mail jane.roe@example.org"]
        assert not any(s.redactable for s in result.segments)  # lengths are encoded
        assert result.uninspectable == ()
    # not protobuf after all: read by content (here: unknown binary, refused)
    result = run(b"\x07\xff\xff\xff" * 50, "api2.cursor.sh", "/x", "application/proto")
    assert result.adapter == "generic-body" and result.uninspectable
