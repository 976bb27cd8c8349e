"""A JSON parser that remembers where every value sits in the text.

Python's ``json`` module returns values without positions, so a redaction could only be
written back by re-serialising the whole document, which changes formatting, escapes and
number spelling. This parser returns a tree of ``JNode`` with the (start, end) character
offsets of each value in the source text, so a rewrite replaces exactly one string literal
and leaves every other character as it was.

It accepts what ``json.loads`` accepts (including NaN and Infinity) and rejects trailing
garbage. String literals are decoded by the json module's own (C) scanner.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from json.decoder import scanstring
from typing import Any

OBJECT = "object"
ARRAY = "array"
STRING = "string"
NUMBER = "number"
CONSTANT = "constant"

_WS = re.compile(r"[ \t\n\r]*")
_WS_CHARS = frozenset(" \t\n\r")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_NUMBER_START = frozenset("-0123456789")
# A run of numbers in an array ("1, 2, 3"): token ids and embeddings come in long runs,
# and one regex match per run instead of per number keeps them cheap.
_NUMBER_RUN = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
    r"(?:[ \t\n\r]*,[ \t\n\r]*-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)*"
)
_CONSTANTS: tuple[tuple[str, Any], ...] = (
    ("true", True),
    ("false", False),
    ("null", None),
    ("NaN", math.nan),
    ("Infinity", math.inf),
    ("-Infinity", -math.inf),
)
# Real API bodies nest a few dozen levels at most; the limit keeps recursion bounded.
MAX_DEPTH = 100


class JsonError(ValueError):
    """The text is not valid JSON. ``reason`` is fixed text; ``pos`` a character offset."""

    def __init__(self, reason: str, pos: int) -> None:
        super().__init__(f"{reason} at offset {pos}")
        self.reason = reason
        self.pos = pos


class JNode:
    """One JSON value and its span ``text[start:end]`` (for strings: including quotes).

    ``value`` is the decoded str for strings, the constant (True, None, NaN...) for
    constants, None for numbers (nothing reads them), a list
    of (key, JNode) pairs for objects (in order, duplicates kept) and a list of JNode for
    arrays.
    """

    __slots__ = ("kind", "start", "end", "value")

    def __init__(self, kind: str, start: int, end: int, value: Any) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value

    def __repr__(self) -> str:  # positions only: values may be sensitive
        return f"JNode({self.kind} [{self.start}:{self.end}])"

    def get(self, key: str) -> JNode | None:
        """The member ``key`` of an object (the last one if repeated, as json.loads does)."""
        if self.kind != OBJECT:
            return None
        found = None
        for k, node in self.value:
            if k == key:
                found = node
        return found

    def members(self) -> Iterator[tuple[str, JNode]]:
        if self.kind == OBJECT:
            yield from self.value

    def elements(self) -> Iterator[JNode]:
        if self.kind == ARRAY:
            yield from self.value


# Numbers inside arrays share this node: nothing reads a number's value or position.
ANY_NUMBER = JNode(NUMBER, -1, -1, None)


def parse(text: str, *, max_depth: int = MAX_DEPTH) -> JNode:
    """Parse a complete JSON document; raises JsonError."""
    node, end = _value(text, _skip_ws(text, 0), 0, max_depth)
    end = _skip_ws(text, end)
    if end != len(text):
        raise JsonError("unexpected data after the JSON value", end)
    return node


def _skip_ws(text: str, i: int) -> int:
    # Compact JSON has no whitespace: test one character before running the regex.
    return _WS.match(text, i).end() if text[i : i + 1] in _WS_CHARS else i


def _string(text: str, i: int) -> tuple[str, int]:
    try:
        return scanstring(text, i + 1, True)
    except ValueError as exc:  # json.JSONDecodeError: bad escape, control char, unterminated
        raise JsonError("invalid string literal", i) from exc


def _value(text: str, i: int, depth: int, max_depth: int) -> tuple[JNode, int]:
    c = text[i : i + 1]
    if c == '"':
        s, end = _string(text, i)
        return JNode(STRING, i, end, s), end
    if c in _NUMBER_START:
        m = _NUMBER.match(text, i)
        if m:  # numbers are not needed by any reader: their value is not converted
            return JNode(NUMBER, i, m.end(), None), m.end()
    if c == "{" or c == "[":
        if depth >= max_depth:
            raise JsonError("nested too deeply", i)
        return (_object if c == "{" else _array)(text, i, depth + 1, max_depth)
    for word, constant in _CONSTANTS:
        if text.startswith(word, i):
            return JNode(CONSTANT, i, i + len(word), constant), i + len(word)
    raise JsonError("expected a JSON value", i)


def _object(text: str, i: int, depth: int, max_depth: int) -> tuple[JNode, int]:
    members: list[tuple[str, JNode]] = []
    j = _skip_ws(text, i + 1)
    if text[j : j + 1] == "}":
        return JNode(OBJECT, i, j + 1, members), j + 1
    while True:
        if text[j : j + 1] != '"':
            raise JsonError("expected an object key", j)
        key, j = _string(text, j)
        j = _skip_ws(text, j)
        if text[j : j + 1] != ":":
            raise JsonError("expected ':'", j)
        node, j = _value(text, _skip_ws(text, j + 1), depth, max_depth)
        members.append((key, node))
        j = _skip_ws(text, j)
        c = text[j : j + 1]
        if c == ",":
            j = _skip_ws(text, j + 1)
        elif c == "}":
            return JNode(OBJECT, i, j + 1, members), j + 1
        else:
            raise JsonError("expected ',' or '}'", j)


def _array(text: str, i: int, depth: int, max_depth: int) -> tuple[JNode, int]:
    elements: list[JNode] = []
    j = _skip_ws(text, i + 1)
    if text[j : j + 1] == "]":
        return JNode(ARRAY, i, j + 1, elements), j + 1
    while True:
        run = _NUMBER_RUN.match(text, j) if text[j : j + 1] in _NUMBER_START else None
        if run:
            elements.extend([ANY_NUMBER] * (run.group().count(",") + 1))
            j = run.end()
        else:
            node, j = _value(text, j, depth, max_depth)
            elements.append(node)
        j = _skip_ws(text, j)
        c = text[j : j + 1]
        if c == ",":
            j = _skip_ws(text, j + 1)
        elif c == "]":
            return JNode(ARRAY, i, j + 1, elements), j + 1
        else:
            raise JsonError("expected ',' or ']'", j)
