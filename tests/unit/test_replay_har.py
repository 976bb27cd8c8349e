"""The HAR reader: requests described as the proxy describes them, bodies as sent, and
every way a HAR file can hold less than the request (said, never guessed)."""

from __future__ import annotations

import base64
import gzip
import ipaddress
import json

import pytest

from aipolicy.model import ClientIdentity
from aipolicy.replay.capture import (
    NOTE_DECODED,
    NOTE_FORM_PARAMS,
    NOTE_LOSSY,
    NOTE_MIME_TYPE,
    BodyState,
    CaptureError,
)
from aipolicy.replay.har import read_har

from ..conftest import FIXTURES

CAPTURES = FIXTURES / "captures"
NOBODY = ClientIdentity(None)


def har(*requests: dict, **entry_extra) -> bytes:
    entries = [{"startedDateTime": "2026-11-20T10:00:00.000Z", "time": 1, "request": r,
                "response": {"status": 200, "headers": []}, **entry_extra} for r in requests]
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
                               "entries": entries}}).encode()


def req(method="POST", url="https://api.openai.com/v1/chat/completions", headers=(),
        **extra) -> dict:
    return {"method": method, "url": url, "httpVersion": "HTTP/1.1",
            "headers": [{"name": k, "value": v} for k, v in headers], **extra}


def one(data: bytes, client: ClientIdentity = NOBODY):
    capture = read_har(data, "t.har", client)
    assert not capture.skipped, capture.skipped
    [request] = capture.requests
    return request


def test_chromium_http2_pseudo_headers_are_names_not_fields():
    r = one(har(req(headers=[(":authority", "api.openai.com"), (":method", "POST"),
                             (":path", "/v1/chat/completions"), (":scheme", "https"),
                             ("content-type", "application/json"), ("accept", "*/*")],
                    postData={"mimeType": "application/json", "text": "{}"})))
    info = r.info
    assert info.names.hosts == ("api.openai.com",)  # :authority, as the proxy reads it
    assert info.names.sni == "api.openai.com" and info.names.tls
    assert info.names.destination == "api.openai.com" and info.names.explicit
    assert all(not k.startswith(":") for k, _ in info.fields)
    assert info.headers == {"content-type": "application/json", "accept": "*/*"}
    assert (info.scheme, info.port, info.path) == ("https", 443, "/v1/chat/completions")
    assert r.body == b"{}" and r.body_state is BodyState.SENT


def test_url_gives_port_query_and_plain_http():
    r = one(har(req(method="GET", url="http://localhost:11434/api/tags?x=1&y=2")))
    assert (r.info.scheme, r.info.port, r.info.path, r.info.query) == (
        "http", 11434, "/api/tags", "x=1&y=2")
    assert r.info.names.sni is None and not r.info.names.tls
    assert r.body_state is BodyState.EMPTY


def test_client_identity_is_the_one_given():
    client = ClientIdentity(ipaddress.ip_address("10.99.1.2"), "intern")
    assert one(har(req(method="GET")), client).info.client == client


def test_base64_body_is_exact_and_keeps_its_content_encoding():
    raw = gzip.compress(b'{"messages":[{"role":"user","content":"hi"}]}', mtime=0)
    r = one(har(req(headers=[("content-encoding", "gzip"), ("content-type", "application/json")],
                    postData={"mimeType": "application/json", "encoding": "base64",
                              "text": base64.b64encode(raw).decode()})))
    assert r.body == raw and r.info.headers["content-encoding"] == "gzip"
    assert r.notes == ()


def test_text_body_is_the_decoded_body():
    """DevTools and mitmproxy write the body with Content-Encoding undone: reading it as
    gzip would fail (and block) where the proxy read it fine."""
    r = one(har(req(headers=[("Content-Encoding", "gzip"), ("content-type", "application/json")],
                    postData={"mimeType": "application/json", "text": '{"a": "b"}'})))
    assert r.body == b'{"a": "b"}'
    assert "content-encoding" not in r.info.headers
    assert all(k != "content-encoding" for k, _ in r.info.fields)
    assert r.notes == (NOTE_DECODED,)


def test_mitmproxy_har_bytes_come_back_exactly():
    """mitmproxy's hardump writes bytes that are not UTF-8 as lone surrogates."""
    text = b"\xff\xfeab\x80cd".decode("utf-8", "surrogateescape")
    r = one(har(req(headers=[("content-type", "application/octet-stream")],
                    postData={"mimeType": "application/octet-stream", "text": text})))
    assert r.body == b"\xff\xfeab\x80cd"


def test_lossy_text_of_a_binary_body_is_not_checked():
    r = one(har(req(headers=[("content-type", "application/octet-stream")],
                    postData={"mimeType": "application/octet-stream",
                              "text": "PK\ufffd\ufffd\u0003\u0004"})))
    assert r.body is None and r.body_state is BodyState.MISSING
    assert r.notes == (NOTE_LOSSY,)


def test_form_rebuilt_from_params():
    r = one(har(req(headers=[("content-type", "application/x-www-form-urlencoded")],
                    postData={"mimeType": "application/x-www-form-urlencoded",
                              "params": [{"name": "f.req", "value": '[null,"[[\\"hi\\"]]"]'},
                                         {"name": "at", "value": "x y"}]})))
    assert r.body == b"f.req=%5Bnull%2C%22%5B%5B%5C%22hi%5C%22%5D%5D%22%5D&at=x+y"
    assert r.notes == (NOTE_FORM_PARAMS,)


def test_multipart_params_without_bytes_are_missing():
    r = one(har(req(headers=[("content-type", "multipart/form-data; boundary=x")],
                    postData={"mimeType": "multipart/form-data; boundary=x",
                              "params": [{"name": "file", "fileName": "a.csv"}]})))
    assert r.body_state is BodyState.MISSING


@pytest.mark.parametrize("extra,headers,state", [
    ({"bodySize": 120}, [], BodyState.MISSING),  # a body the export left out
    ({}, [("content-length", "120")], BodyState.MISSING),
    ({"bodySize": 0}, [], BodyState.EMPTY),
    ({"bodySize": -1}, [], BodyState.EMPTY),
])
def test_body_missing_from_the_capture(extra, headers, state):
    r = one(har(req(headers=headers, **extra)))
    assert r.body_state is state and (r.body is None) == (state is BodyState.MISSING)


def test_mime_type_stands_in_for_a_missing_content_type():
    r = one(har(req(postData={"mimeType": "application/json", "text": "{}"})))
    assert r.info.content_type == "application/json" and r.notes == (NOTE_MIME_TYPE,)


def test_websocket_messages_from_the_client():
    messages = [
        {"type": "send", "time": 1.0, "opcode": 1, "data": '{"event":"send","content":[]}'},
        {"type": "receive", "time": 1.1, "opcode": 1, "data": '{"event":"appendText"}'},
        {"type": "send", "time": 1.2, "opcode": 2,
         "data": base64.b64encode(b"\x00\x01binary").decode()},
    ]
    r = one(har(req(method="GET", url="wss://copilot.microsoft.com/c/api/chat?api-version=2",
                    headers=[("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13")]),
                _resourceType="websocket", _webSocketMessages=messages))
    assert (r.info.scheme, r.info.port) == ("https", 443)
    assert [(m.number, m.content, m.is_text) for m in r.messages] == [
        (1, b'{"event":"send","content":[]}', True), (2, b"\x00\x01binary", False)]


def test_entries_that_are_no_http_request_are_skipped_with_a_reason():
    capture = read_har(har(req(method="CONNECT", url="https://api.openai.com:443/"),
                           req(method="GET", url="data:text/plain,hi"),
                           req(method="GET", url="blob:https://chatgpt.com/1234"),
                           req(method="GET", url="https://chatgpt.com/")), "t.har", NOBODY)
    assert [(s.index, s.reason) for s in capture.skipped] == [
        (1, "CONNECT"), (2, "not HTTP"), (3, "not HTTP")]
    assert [r.index for r in capture.requests] == [4]


@pytest.mark.parametrize("entry,field", [
    ({"request": {"method": "GET", "headers": []}}, "request.url"),
    ({"request": {"method": "GET", "url": "https://a.example/", "headers": {}}},
     "request.headers"),
    ({"request": {"method": "GET", "url": "https://a.example:99999/", "headers": []}},
     "request.url (port)"),
    ({"request": {"method": "GET", "url": "https:///x", "headers": []}}, "request.url (host)"),
    ({"request": {"method": "GET", "url": "https://[::1/", "headers": []}}, "request.url"),
    ({"request": {"method": "POST", "url": "https://a.example/", "headers": [],
                  "postData": {"encoding": "base64", "text": "not base64!"}}},
     "request.postData.text (not base64)"),
    ({"request": {"method": "GET", "url": "https://a.example/", "headers": [["a", "b"]]}},
     "request.headers[0]"),
    ({"oops": 1}, "request"),
])
def test_unreadable_entries_are_listed_by_field(entry, field):
    data = json.dumps({"log": {"entries": [entry]}}).encode()
    capture = read_har(data, "t.har", NOBODY)
    assert capture.requests == ()
    assert [(s.index, s.reason) for s in capture.skipped] == [(1, f"unreadable: {field}")]


@pytest.mark.parametrize("data,message", [
    (b"\x00\x01 not json", "t.har: not a HAR file (not JSON"),
    (b'{"log": {"pages": []}}', "t.har: not a HAR file (no log.entries list)"),
    (b'["secret-token-value"]', "t.har: not a HAR file (no log.entries list)"),
])
def test_not_a_har_file(data, message):
    with pytest.raises(CaptureError) as err:
        read_har(data, "t.har", NOBODY)
    assert str(err.value).startswith(message)
    assert "secret-token-value" not in str(err.value)


def test_fixture_hars_are_read_whole():
    chromium = read_har((CAPTURES / "chromium.har").read_bytes(), "chromium.har", NOBODY)
    assert chromium.creator == "WebInspector 537.36" and not chromium.skipped
    posts = [r for r in chromium.requests if r.info.method == "POST"]
    assert len(posts) == 3 and all(r.body_state is BodyState.SENT for r in posts)
    assert all(r.info.names.hosts == (r.info.host,) for r in chromium.requests)  # :authority
    mitm = read_har((CAPTURES / "traffic.har").read_bytes(), "traffic.har", NOBODY)
    assert mitm.creator.startswith("mitmproxy") and not mitm.skipped
    gzipped = next(r for r in mitm.requests if r.info.path == "/v1/messages")
    assert gzipped.notes == (NOTE_DECODED,) and gzipped.body.startswith(b"{")
