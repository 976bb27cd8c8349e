"""A JSON parser that remembers where every string literal sits in the text.

Python's ``json`` module returns values without positions, so a redaction could only be
written back by re-serialising the whole document, which changes formatting, escapes and
number spelling. ``parse`` returns a tree of ``JNode`` in which every string carries the
(start, end) character offsets of its literal, so a rewrite replaces exactly one literal
and leaves every other character as it was.

How: ``json.loads`` (C speed, exactly Python's notion of valid JSON, NaN included,
trailing garbage rejected) builds the values with objects kept as ordered (key, value)
pairs; one pass finds every string literal in document order. Outside strings JSON has
no quote characters, so the n-th literal is the n-th string (key or value) met when
walking the values in document order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

OBJECT = "object"
ARRAY = "array"
STRING = "string"
NUMBER = "number"
CONSTANT = "constant"

_WS = " \t\n\r"
# Real API bodies nest a few dozen levels at most; the limit keeps recursion bounded.
MAX_DEPTH = 100


class JsonError(ValueError):
    """The text is not valid JSON. ``reason`` is fixed text; ``pos`` a character offset."""

    def __init__(self, reason: str, pos: int) -> None:
        super().__init__(f"{reason} at offset {pos}")
        self.reason = reason
        self.pos = pos


class JNode:
    """One JSON value. For strings ``text[start:end]`` is the literal, quotes included;
    containers and scalars have no position (-1): nothing is ever written there.

    ``value`` is the decoded str for strings, True/False/None for constants, None for
    numbers (nothing reads them), a list of (key, JNode) pairs for objects (in order,
    duplicates kept) and a list of JNode for arrays. ``keys`` holds, for objects, the
    (start, end) of each member's key literal, in the same order.
    """

    __slots__ = ("kind", "start", "end", "value", "keys")

    def __init__(self, kind: str, start: int, end: int, value: Any,
                 keys: list[tuple[int, int]] | None = None) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value
        self.keys = keys

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


# An object as ``load`` returns it: its (key, value) pairs in order, duplicates kept. A
# tuple (arrays are lists, and json.loads makes no other tuples) is the cheapest hook.
Pairs = tuple


# Numbers share one node: nothing reads a number's value or position.
ANY_NUMBER = JNode(NUMBER, -1, -1, None)
_CONSTANT_NODES = {id(c): JNode(CONSTANT, -1, -1, c) for c in (True, False, None)}


def parse(text: str, *, max_depth: int = MAX_DEPTH) -> JNode:
    """Parse a complete JSON document; raises JsonError."""
    return build(load(text), text, max_depth=max_depth)


def load(text: str) -> Any:
    """The values of a complete JSON document, objects as ``Pairs``; raises JsonError.

    Cheap (C speed): a reader that needs no positions can use these values directly, and
    ``build`` adds the positions later without parsing again."""
    try:
        return json.loads(text, object_pairs_hook=tuple)
    except json.JSONDecodeError as exc:
        raise JsonError("invalid JSON", exc.pos) from None
    except RecursionError:
        raise JsonError("nested too deeply", 0) from None
    except ValueError:  # an integer longer than Python's digit limit
        raise JsonError("number out of range", 0) from None


def build(value: Any, text: str, *, max_depth: int = MAX_DEPTH) -> JNode:
    """The JNode tree of ``value`` (what ``load(text)`` returned); raises JsonError when
    it nests deeper than ``max_depth``."""
    node = _build(value, _literals(text), 0, max_depth)
    if node.kind == STRING:
        return node
    # The root's span: the document without surrounding blanks (a fresh node: scalars
    # are shared).
    start = len(text) - len(text.lstrip(_WS))
    return JNode(node.kind, start, len(text.rstrip(_WS)), node.value, node.keys)


def _literals(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every string literal of valid JSON ``text``, quotes included.

    ``str.find`` jumps from quote to quote at C speed (a regex over the whole text is
    several times slower); a quote after an odd run of backslashes is escaped."""
    find = text.find
    start = find('"')
    while start >= 0:
        end = find('"', start + 1)
        while end > 0 and text[end - 1] == "\\":
            run = end - 1
            while text[run - 1] == "\\":
                run -= 1
            if (end - run) % 2 == 0:
                break
            end = find('"', end + 1)
        if end < 0:
            raise JsonError("unterminated string", start)  # not valid JSON: a caller bug
        yield start, end + 1
        start = find('"', end + 1)


def _build(value: Any, literals: Iterator[tuple[int, int]], depth: int, max_depth: int
           ) -> JNode:
    kind = type(value)
    if kind is str:
        start, end = next(literals)
        return JNode(STRING, start, end, value)
    if kind is Pairs or kind is list:
        if depth >= max_depth:
            raise JsonError("nested too deeply", 0)
        depth += 1
        if kind is list:
            return JNode(ARRAY, -1, -1, [
                ANY_NUMBER if type(v) in (int, float) else _build(v, literals, depth, max_depth)
                for v in value
            ])
        members = []
        keys = []
        for key, v in value:
            keys.append(next(literals))  # the key's literal
            members.append((key, ANY_NUMBER if type(v) in (int, float)
                            else _build(v, literals, depth, max_depth)))
        return JNode(OBJECT, -1, -1, members, keys)
    if kind is int or kind is float:
        return ANY_NUMBER
    return _CONSTANT_NODES[id(value)]
