"""The request envelope as segments: path, query, header and trailer fields, and how a
redaction is written back into each (http_fields.yaml decides how a field is read)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aipolicy.errors import ConfigError
from aipolicy.extract.envelope import read_envelope
from aipolicy.extract.httpfields import (
    CREDENTIAL,
    MACHINE,
    STRUCTURED,
    TEXT,
    TRANSPORT,
    URL,
    load_http_fields,
    name_words,
)
from aipolicy.model import SCAN_ALL, SCAN_CREDENTIAL, SCAN_SECRETS

RULES = load_http_fields()


def _read(path="/", query="", fields=(), trailers=()):
    return read_envelope(path, query, list(fields), list(trailers), RULES)


def _by_where(envelope):
    return {s.where: s for s in envelope.segments}


def test_path_segments_are_decoded_and_rewritten_in_place():
    env = _read("/v1/users/bob%40corp.example/files%2Fx;v=1/")
    got = [(s.where, s.text) for s in env.segments]
    assert got == [("path[1]", "v1"), ("path[2]", "users"), ("path[3]", "bob@corp.example"),
                   ("path[4]", "files/x;v=1")]
    edit = env.rewrite({2: "[EMAIL_ADDRESS_1]"})
    assert edit.path == "/v1/users/%5BEMAIL_ADDRESS_1%5D/files%2Fx;v=1/"  # the rest as sent
    assert edit.query is None and edit.fields == ()


def test_query_names_and_values_are_decoded_and_rewritten_in_place():
    raw = "api-version=2024-10-21&note=mail+bob%40corp.example+now&flag&x%20y=1&key=AIzaXYZ"
    env = _read(query=raw)
    where = _by_where(env)
    assert where["query.note"].text == "mail bob@corp.example now"
    assert where["query.note"].context == "note="  # read with its name in front
    assert where["query.flag.(name)"].text == "flag"
    assert where["query.?.(name)"].text == "x y"
    # A credential parameter is scanned for foreign secrets only and never rewritten.
    key = where["query.key"]
    assert (key.scope, key.redactable) == (SCAN_CREDENTIAL, False)
    index = env.segments.index(where["query.note"])
    edit = env.rewrite({index: "mail [EMAIL_ADDRESS_1] now"})
    assert edit.query == ("api-version=2024-10-21&note=mail+%5BEMAIL_ADDRESS_1%5D+now&flag"
                          "&x%20y=1&key=AIzaXYZ")
    with pytest.raises(ValueError):
        env.rewrite({env.segments.index(key): "x"})


@pytest.mark.parametrize(("name", "value", "kind"), [
    ("content-length", "123", TRANSPORT),
    ("content-length", "123; bob@corp.example", STRUCTURED),  # not its syntax: read fully
    ("x-forwarded-for", "10.1.2.3, 203.0.113.9", TRANSPORT),
    ("accept-encoding", "gzip, deflate, br, zstd", TRANSPORT),
    ("authorization", "Bearer sk-x", CREDENTIAL),
    ("cookie", "a=1; b=2", CREDENTIAL),
    ("openai-sentinel-chat-requirements-token", "gAAAA", CREDENTIAL),
    ("user-agent", "Mozilla/5.0 Chrome/131.0.0.0", MACHINE),
    ("x-stainless-os", "Linux", MACHINE),
    ("referer", "https://chatgpt.com/?q=hi", URL),
    ("content-type", "application/json", STRUCTURED),
    ("x-customer-note", "anything", TEXT),
])
def test_how_each_header_is_read(name, value, kind):
    assert RULES.kind(name, value) == kind


def test_header_values_scopes_context_and_write_back():
    fields = [
        ("host", "api.openai.com"), ("content-length", "12"),
        ("authorization", "Bearer sk-test"), ("user-agent", "OpenAI/Python 1.54.3"),
        ("x-customer-note", "call Jane on +1 415 555 0142"), ("content-type", "text/plain"),
        ("x-note", "second"), ("x-customer-note", "again"),
    ]
    env = _read(fields=fields)
    rows = [(s.where, s.scope, s.redactable, s.context) for s in env.segments]
    # Only a chosen name (a custom header's, a credential header's) is read as context.
    assert rows == [
        ("header.host", SCAN_SECRETS, False, ""),
        ("header.content-length", SCAN_SECRETS, False, ""),
        ("header.authorization", SCAN_CREDENTIAL, False, "authorization: "),
        ("header.user-agent", SCAN_SECRETS, False, ""),
        ("header.x-customer-note.(name)", SCAN_ALL, False, ""),  # an unknown name, once
        ("header.x-customer-note", SCAN_ALL, True, "x-customer-note: "),
        ("header.content-type", SCAN_ALL, False, ""),
        ("header.x-note.(name)", SCAN_ALL, False, ""),
        ("header.x-note", SCAN_ALL, True, "x-note: "),
        ("header.x-customer-note", SCAN_ALL, True, "x-customer-note: "),
    ]
    edit = env.rewrite({5: "call Jane on [PHONE_NUMBER_1]", 9: "[X]"})
    assert edit.fields == ((4, "call Jane on [PHONE_NUMBER_1]"), (7, "[X]"))  # by position
    assert edit.path is None and edit.query is None and edit.trailers == ()


def test_url_headers_are_read_like_the_request_and_rewritten_inside_the_value():
    value = "https://user:pw@chatgpt.com/c/abc%20d?q=mail+bob%40corp.example&model=x#frag"
    env = _read(fields=[("referer", value)])
    where = _by_where(env)
    assert where["header.referer.host"].text == "user:pw@chatgpt.com"
    assert where["header.referer.host"].context == "https://"  # credentials in URLs
    assert where["header.referer.path[2]"].text == "abc d"
    assert where["header.referer.query.q"].text == "mail bob@corp.example"
    assert where["header.referer.fragment"].text == "frag"
    index = env.segments.index(where["header.referer.query.q"])
    (position, new), = env.rewrite({index: "mail [EMAIL_ADDRESS_1]"}).fields
    assert position == 0
    assert new == value.replace("bob%40corp.example", "%5BEMAIL_ADDRESS_1%5D")


def test_trailers_are_fields_too():
    env = _read(trailers=[("x-checksum-note", "AKIA in a trailer")])
    assert [s.where for s in env.segments] == ["trailer.x-checksum-note.(name)",
                                               "trailer.x-checksum-note"]
    assert env.rewrite({1: "[X]"}).trailers == ((0, "[X]"),)


def test_nothing_changed_is_no_edit_and_reprs_hold_no_values():
    env = _read("/a/secret-path", "q=secret-value", [("x-a", "secret-header")])
    edit = env.rewrite({})
    assert not edit and edit.path is None
    changed = env.rewrite({0: "x"})
    assert "secret" not in repr(env) + repr(changed)


@pytest.mark.parametrize(("name", "words", "credential"), [
    ("X-Amz-Signature", ["x", "amz", "signature"], True),
    ("sessionKey", ["session", "key"], True),
    ("accessToken", ["access", "token"], True),
    ("api_key", ["api", "key"], True),
    ("keyboard", ["keyboard"], False),
    ("x-request-id", ["x", "request", "id"], False),
])
def test_credential_positions_by_the_words_of_a_name(name, words, credential):
    assert name_words(name) == words
    assert RULES.is_credential(name) is credential


def test_broken_http_fields_file_names_file_line_and_field(tmp_path: Path):
    copy = tmp_path / "http_fields.yaml"
    shutil.copy(Path(RULES.source), copy)
    text = copy.read_text()
    assert "examples: {match: ['0', '18734']" in text
    copy.write_text(text.replace("examples: {match: ['0', '18734']",
                                 "examples: {match: ['0', 'twelve']"))
    with pytest.raises(ConfigError) as info:
        load_http_fields(copy)
    (problem,) = info.value.problems
    assert problem.field == "transport[0].examples.match[1]"
    assert "does not match the syntax" in problem.message and problem.line
    assert "twelve" in copy.read_text().splitlines()[problem.line - 1]
