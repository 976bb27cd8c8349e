"""Write-back through nested encodings.

A body is a *layer* (bytes or text) with *slots*: spans that hold a value in some
encoding. A slot either carries one segment directly (a JSON string literal, a form
value, a multipart part) or a child layer (the decoded value is itself a document: JSON
inside a JSON string inside a form field). Rewriting renders changed children first and
re-encodes them into their parent's span; every byte outside a changed slot is copied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus


@dataclass(frozen=True, eq=False)
class Slot:
    """``original[start:end]`` of a layer holds a value in some encoding.

    ``encode`` turns the slot's new value (the new segment text, or the child layer's
    rendering) into what replaces the span.
    """

    start: int
    end: int
    encode: Callable[[Any], str | bytes]
    segment: int | None = None
    child: Layer | None = None

    def __repr__(self) -> str:
        return f"Slot([{self.start}:{self.end}] segment={self.segment} child={self.child!r})"


@dataclass(eq=False)
class Layer:
    """A document (``original`` is str or bytes) and the slots found in it.

    ``depth`` counts the documents around this one (0 for the body). Built by the
    collector while extracting; only read afterwards.
    """

    original: str | bytes
    depth: int = 0
    slots: list[Slot] = field(default_factory=list)

    def __repr__(self) -> str:  # the document is content: never shown
        return f"Layer(depth={self.depth} {len(self.original)} units, {len(self.slots)} slots)"

    def render(self, replacements: Mapping[int, str]) -> str | bytes | None:
        """The document with the replacements applied, or None when nothing in it changed."""
        pieces: list = []
        pos = 0
        for slot in sorted(self.slots, key=lambda s: s.start):
            if slot.start < pos:
                raise RuntimeError("overlapping write-back slots")  # a collector bug
            if slot.segment is not None and slot.segment in replacements:
                new_value = replacements[slot.segment]
            elif slot.child is not None:
                new_value = slot.child.render(replacements)
                if new_value is None:
                    continue
            else:
                continue
            pieces.append(self.original[pos : slot.start])
            pieces.append(slot.encode(new_value))
            pos = slot.end
        if not pieces:
            return None
        pieces.append(self.original[pos:])
        empty = b"" if isinstance(self.original, bytes) else ""
        return empty.join(pieces)


def json_literal(value: str) -> str:
    """A JSON string literal for ``value``; non-ASCII stays as is unless it cannot be
    encoded as UTF-8 (a lone surrogate), in which case it is escaped."""
    literal = json.dumps(value, ensure_ascii=False)
    try:
        literal.encode("utf-8")
    except UnicodeEncodeError:
        literal = json.dumps(value)
    return literal


def utf8(value: str) -> bytes:
    return value.encode("utf-8")


def form_value(value: str) -> bytes:
    """application/x-www-form-urlencoded encoding of one value (as browsers do)."""
    return quote_plus(value.encode("utf-8"), safe="").encode("ascii")
