"""Server-sent events: writing them, and rewriting a few of them in a passing stream.

A note about redaction is added to a streamed answer by changing one or a few of its
events. ``EventRewriter`` cuts the byte stream into whole events (a chunk may end in the
middle of one), hands each parsed event to a wire-specific ``transform`` and writes back
only the events it changed; once the transform says it is finished, the rest of the
stream passes through untouched, byte for byte.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_BOUNDARY = re.compile(rb"\r\n\r\n|\n\n|\r\r")
_MAX_EVENT = 1 << 20  # an event larger than this is not rewritten (the stream passes)


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def event(data: Any, name: str | None = None) -> bytes:
    """One SSE event: ``data`` is JSON-encoded unless it is already a string."""
    payload = data if isinstance(data, str) else dumps(data)
    head = f"event: {name}\n" if name else ""
    return f"{head}data: {payload}\n\n".encode()


@dataclass
class Event:
    """One parsed event: its name (None if it has none) and its data, parsed as JSON."""

    name: str | None
    data: Any


# A transform gets each event in order and returns None (leave it as it was) or the
# events to send in its place; it sets ``finished`` when no later event needs changing.
class Transform:
    finished: bool = False

    def __call__(self, ev: Event) -> list[Event] | None:  # pragma: no cover - interface
        raise NotImplementedError


class EventRewriter:
    """A ``flow.response.stream`` callable: chunk in, chunk out, ``b""`` at the end."""

    def __init__(self, transform: Transform) -> None:
        self.transform = transform
        self._buf = b""
        self._passing = False

    def __call__(self, chunk: bytes) -> bytes:
        if self._passing:
            return chunk
        if not chunk:  # end of the stream: whatever is left goes out as it came
            rest, self._buf = self._buf, b""
            return rest
        self._buf += chunk
        out: list[bytes] = []
        while not self._passing:
            m = _BOUNDARY.search(self._buf)
            if m is None:
                if len(self._buf) > _MAX_EVENT:
                    self._passing = True
                break
            raw, self._buf = self._buf[:m.end()], self._buf[m.end():]
            out.append(self._rewrite(raw, m.group()))
            if self.transform.finished:
                self._passing = True
        if self._passing:
            out.append(self._buf)
            self._buf = b""
        return b"".join(out)

    def _rewrite(self, raw: bytes, eol2: bytes) -> bytes:
        parsed = _parse(raw)
        if parsed is None:
            return raw
        replaced = self.transform(parsed)
        if replaced is None:
            return raw
        eol = eol2[: len(eol2) // 2].decode()
        return b"".join(_write(e, eol) for e in replaced)


def _parse(raw: bytes) -> Event | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    name, data = None, []
    for line in re.split(r"\r\n|\n|\r", text):
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif field not in ("", "id", "retry"):
            return None  # an event shape this code does not know: leave it alone
    if not data:
        return None
    joined = "\n".join(data)
    try:
        return Event(name, json.loads(joined))
    except ValueError:
        return Event(name, joined)  # e.g. [DONE]


def _write(ev: Event, eol: str) -> bytes:
    payload = ev.data if isinstance(ev.data, str) else dumps(ev.data)
    head = f"event: {ev.name}{eol}" if ev.name else ""
    return f"{head}data: {payload}{eol}{eol}".encode()


class FrameRewriter:
    """The same transforms for WebSocket messages that carry one JSON event each."""

    def __init__(self, transform: Transform) -> None:
        self.transform = transform

    @property
    def finished(self) -> bool:
        return self.transform.finished

    def __call__(self, message: bytes) -> list[bytes]:
        """The messages to send in place of ``message``."""
        if self.transform.finished:
            return [message]
        try:
            data = json.loads(message)
        except ValueError:
            return [message]
        replaced = self.transform(Event(None, data))
        if replaced is None:
            return [message]
        return [dumps(e.data).encode() for e in replaced]

