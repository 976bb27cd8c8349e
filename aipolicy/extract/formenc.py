"""application/x-www-form-urlencoded bodies, with the position of every value."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes


@dataclass(frozen=True)
class FormField:
    name: str
    value: str  # decoded; invalid UTF-8 shows as U+FFFD
    start: int  # span of the encoded value in the body
    end: int
    name_start: int = 0  # span of the encoded name
    name_end: int = 0

    def __repr__(self) -> str:  # names only: values are content
        return f"FormField({self.name!r} [{self.start}:{self.end}])"


def _decode(raw: bytes) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")


def parse_form(body: bytes) -> list[FormField]:
    fields: list[FormField] = []
    pos = 0
    while pos <= len(body):
        amp = body.find(b"&", pos)
        end = len(body) if amp < 0 else amp
        if end > pos:
            eq = body.find(b"=", pos, end)
            if eq < 0:  # a bare name: its (empty) value sits at the end of the pair
                fields.append(FormField(_decode(body[pos:end]), "", end, end, pos, end))
            else:
                fields.append(FormField(_decode(body[pos:eq]), _decode(body[eq + 1 : end]),
                                        eq + 1, end, pos, eq))
        pos = end + 1
    return fields
