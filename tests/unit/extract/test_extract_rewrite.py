"""Write-back: only the changed literal changes, through every layer of nesting."""

from __future__ import annotations

import json

import pytest
from extract_helpers import assert_only_inside, fixture, literal_spans, run
from test_extract_adapters import CASES, Case

from aipolicy.extract.formenc import parse_form

# Needs JSON escaping, non-ASCII, and form encoding: a redaction marker can be anything.
MARKER = 'R\u00e9dig\u00e9 "<EMAIL>" \\ & + = %20 \U0001f600\n'
UNIQUE = [c for i, c in enumerate(CASES) if c.expected and c not in CASES[:i]]


def _value_spans(case: Case, body: bytes) -> list[tuple[int, int]]:
    if case.content_type.startswith("application/x-www-form-urlencoded"):
        return [(f.start, f.end) for f in parse_form(body)]
    return literal_spans(body)


def _check(case: Case, body: bytes, replacements: dict[int, str]) -> bytes:
    before = run(body, case.host, case.path, case.content_type)
    out = before.rewrite(replacements)
    if case.content_type == "application/json":
        json.loads(out)
    after = run(out, case.host, case.path, case.content_type)
    assert after.adapter == before.adapter
    if not any(before.segments[i].where.endswith(".(key)") for i in replacements):
        assert [s.where for s in after.segments] == [s.where for s in before.segments]
    for i, (old, new) in enumerate(zip(before.segments, after.segments, strict=True)):
        if old.redactable:  # a read-only view (a base64 value as it is) follows its file
            assert new.text == replacements.get(i, old.text)
    return out


@pytest.mark.parametrize("case", UNIQUE, ids=lambda c: c.fixture)
def test_each_segment_alone(case: Case) -> None:
    body = fixture(case.fixture)
    extraction = run(body, case.host, case.path, case.content_type)
    spans = _value_spans(case, body)
    for index, segment in enumerate(extraction.segments):
        if not segment.redactable:
            continue
        out = _check(case, body, {index: MARKER})
        assert_only_inside(body, out, spans)


@pytest.mark.parametrize("case", UNIQUE, ids=lambda c: c.fixture)
def test_all_segments_at_once_and_again(case: Case) -> None:
    body = fixture(case.fixture)
    extraction = run(body, case.host, case.path, case.content_type)
    indexes = [i for i, s in enumerate(extraction.segments) if s.redactable]
    first = _check(case, body, {i: f"{MARKER}#{i}" for i in indexes})
    # Redacting an already rewritten body (nested layers re-encoded once) works the same.
    second = _check(case, first, {i: f"second {i}" for i in indexes})
    assert second != first


def test_empty_and_identical_replacements_keep_the_body() -> None:
    body = fixture("openai_chat.json")
    extraction = run(body, "api.openai.com", "/v1/chat/completions")
    assert extraction.rewrite({}) == body
    # \u00e9 escapes would be re-encoded if an unchanged text were written back.
    assert extraction.rewrite({2: extraction.segments[2].text}) == body


def test_rewrite_rejects_bad_requests() -> None:
    extraction = run(fixture("openai_chat.json"), "api.openai.com", "/v1/chat/completions")
    with pytest.raises(IndexError):
        extraction.rewrite({999: "x"})
    with pytest.raises(TypeError):
        extraction.rewrite({0: b"x"})  # type: ignore[dict-item]


def test_two_leaves_of_one_tool_call_and_the_outer_message() -> None:
    body = fixture("openai_chat.json")
    extraction = run(body, "api.openai.com", "/v1/chat/completions")
    where = {s.where: i for i, s in enumerate(extraction.segments)}
    args = "messages[3].tool_calls[0].function.arguments"
    out = extraction.rewrite({
        where[f"{args}.email"]: "<EMAIL_ADDRESS>",
        where[f"{args}.fields[1]"]: "<LOCATION>",
        where["messages[2].content[0].text"]: "hello",
    })
    data = json.loads(out)
    inner = json.loads(data["messages"][3]["tool_calls"][0]["function"]["arguments"])
    assert inner == {"email": "<EMAIL_ADDRESS>", "fields": ["phone", "<LOCATION>"], "limit": 1}
    assert data["messages"][2]["content"][0]["text"] == "hello"
    # The untouched inner formatting (spaces after ':' and ',') survives.
    assert '\\"limit\\": 1}' in out.decode()


def test_gemini_web_prompt_three_layers_deep() -> None:
    case = next(c for c in CASES if c.fixture == "gemini_web.form")
    body = fixture(case.fixture)
    extraction = run(body, case.host, case.path, case.content_type)
    out = extraction.rewrite({0: "Hallo, mein Name ist <PERSON>"})
    fields = {f.name: f.value for f in parse_form(out)}
    original = {f.name: f.value for f in parse_form(body)}
    assert fields["at"] == original["at"]
    outer = json.loads(fields["f.req"])
    inner = json.loads(outer[1])
    assert inner[0][0] == "Hallo, mein Name ist <PERSON>"
    old_inner = json.loads(json.loads(original["f.req"])[1])
    assert inner[1:] == old_inner[1:] and inner[0][1:] == old_inner[0][1:]
    assert out.endswith(b"&at=AJvLN6M2x%3A1732186000000&")


def test_base64_text_file_is_rewritten_in_its_encoding() -> None:
    body = fixture("openai_responses.json")
    extraction = run(body, "api.openai.com", "/v1/responses")
    index = next(i for i, s in enumerate(extraction.segments) if s.where.endswith("file_data"))
    out = extraction.rewrite({index: "Meeting notes: <PERSON> agreed."})
    data_url = json.loads(out)["input"][0]["content"][2]["file_data"]
    assert data_url.startswith("data:text/plain;base64,")
    import base64

    assert base64.b64decode(data_url.split(",", 1)[1]) == b"Meeting notes: <PERSON> agreed."
