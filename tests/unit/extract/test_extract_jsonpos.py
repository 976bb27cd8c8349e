"""The position-tracking JSON parser agrees with json.loads and knows every literal's span."""

from __future__ import annotations

import json

import pytest
from extract_helpers import BODIES

from aipolicy.extract import jsonpos
from aipolicy.extract.jsonpos import ARRAY, OBJECT, STRING, JNode, JsonError

DOCS = [
    '"just a string"',
    "[]",
    " {} ",
    '{"a": [1, -2.5e+3, 0, true, false, null, "x"], "b": {"c": "\\u00e9\\n\\t\\"\\\\\\/"}}',
    '["\\ud83d\\ude00 emoji", "raw \U0001f600", "lone \\ud800", ""]',
    '{"dup": "first", "dup": "second"}',
    '[NaN, Infinity, -Infinity, 1E5, 0.5, -0]',
    '\n\t{ "spaced" :\r\n [ 1 , "two" ] }\n',
    "[" * 50 + '"deep"' + "]" * 50,
]


def _strings(node: JNode) -> list[str]:
    if node.kind == STRING:
        return [node.value]
    if node.kind == OBJECT:
        return [s for _, child in node.value for s in _strings(child)]
    if node.kind == ARRAY:
        return [s for child in node.value for s in _strings(child)]
    return []


def _loads_strings(value) -> list[str]:
    """String values of json.loads(..., object_pairs_hook=tuple) output, in order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):  # an object: (key, value) pairs
        return [s for _, v in value for s in _loads_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _loads_strings(v)]
    return []


def _check_spans(text: str, node: JNode) -> None:
    if node.kind == STRING:
        assert json.loads(text[node.start : node.end]) == node.value
    for child in (c for _, c in node.value) if node.kind == OBJECT else (
        node.value if node.kind == ARRAY else ()
    ):
        _check_spans(text, child)


def _fixture_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(BODIES.glob("*.json"))]


@pytest.mark.parametrize("text", DOCS + _fixture_texts())
def test_agrees_with_json_loads(text: str) -> None:
    node = jsonpos.parse(text)
    expected = json.loads(text, object_pairs_hook=tuple)
    assert _strings(node) == _loads_strings(expected)
    _check_spans(text, node)
    assert (node.start, node.end) == (len(text) - len(text.lstrip()), len(text.rstrip()))


def test_constants_numbers_and_duplicates() -> None:
    node = jsonpos.parse('{"dup": 1, "dup": [NaN, true, null, false, -1e9]}')
    values = node.get("dup").value
    assert [v.kind for v in values] == ["number", "constant", "constant", "constant", "number"]
    assert [v.value for v in values[1:4]] == [True, None, False]
    assert node.get("missing") is None and jsonpos.parse("[]").get("x") is None
    root = jsonpos.parse(" 7 ")
    assert (root.kind, root.start, root.end) == ("number", 1, 2)
    assert jsonpos.ANY_NUMBER.start == -1  # the shared node was not touched


BAD = [
    "", " ", "[1,]", "[,1]", '{"a":1,}', '{"a" 1}', "{'a': 1}", '{"a":1}}', "[1 2]", "01",
    "1.", ".5", "-", "+1", '"\\x"', '"unterminated', '"tab\there"', "[1] [2]", "tru", "nul",
    "[-Infinityx]", '{"a":1} x', "{1: 2}",
]


@pytest.mark.parametrize("text", BAD)
def test_rejects_what_json_loads_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(JsonError):
        jsonpos.parse(text)


def test_depth_limit_and_error_text() -> None:
    jsonpos.parse("[" * 100 + "]" * 100)
    with pytest.raises(JsonError) as info:
        jsonpos.parse("[" * 101 + "]" * 101)
    assert info.value.reason == "nested too deeply"
    with pytest.raises(JsonError) as info:
        jsonpos.parse('{"secret-value": oops}')
    assert "secret-value" not in str(info.value)
