"""The Gemini page's answer stream (``.../BardFrontendService/StreamGenerate``).

The reply is ``)]}'`` and then frames of ``<length>\\n<JSON>\\n``; the length counts
UTF-16 code units from the newline after the number. Each frame's JSON is
``[["wrb.fr", null, "<inner JSON>"]]``; in the inner array ``[1]`` is the conversation
and response id, ``[4]`` the candidates, and a candidate is ``[candidate id, [text]]``
with the whole text so far. Source: HanaokaYuzu/Gemini-API,
``src/gemini_webapi/utils/parsing.py`` (framing) and ``src/gemini_webapi/client.py``
(``body[1]``, ``body[4]``, ``candidate[0]``, ``candidate[1][0]``). The page shows no text
of an error frame, so a notice is always an answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

_XSSI = b")]}'"
_LENGTH = re.compile(rb"\s*(\d+)\n")
_MAX_BUFFER = 1 << 20


def _frame(envelope: list[Any], trailing: str = "") -> bytes:
    """``<length>\\n<JSON><trailing>``; the length covers the newline, the JSON and the
    trailing whitespace counted by the frame being replaced (none for new frames)."""
    payload = "\n" + json.dumps(envelope, ensure_ascii=False, separators=(",", ":")) + trailing
    units = len(payload.encode("utf-16-le")) // 2
    return f"{units}{payload}".encode()


def answer_stream(text: str, ref: str) -> bytes:
    inner = [None, [f"c_{ref}", f"r_{ref}"], None, None, [[f"rc_{ref}", [text]]]]
    envelope = [["wrb.fr", None, json.dumps(inner, ensure_ascii=False)]]
    return _XSSI + b"\n\n" + _frame(envelope) + b"\n"


class AnswerNote:
    """A ``flow.response.stream`` callable putting the note in front of the text of
    every frame (each repeats the whole text so far)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._buf = b""
        self._passing = False

    def __call__(self, chunk: bytes) -> bytes:
        if self._passing:
            return chunk
        if not chunk:
            rest, self._buf = self._buf, b""
            return rest
        self._buf += chunk
        out: list[bytes] = []
        if self._buf.startswith(_XSSI):
            head = self._buf.find(b"\n\n")
            if head < 0:
                return b""
            out.append(self._buf[:head + 2])
            self._buf = self._buf[head + 2:]
        while True:
            frame = self._next_frame()
            if frame is None:
                break
            out.append(frame)
        if len(self._buf) > _MAX_BUFFER:  # not this framing after all: let it pass
            self._passing = True
            out.append(self._buf)
            self._buf = b""
        return b"".join(out)

    def _next_frame(self) -> bytes | None:
        m = _LENGTH.match(self._buf)
        if m is None:
            return None
        units = int(m.group(1))
        body_start = m.start(1) + len(m.group(1))
        text = self._buf[body_start:].decode("utf-8", "ignore")
        # find how many characters make up ``units`` UTF-16 units
        count = used = 0
        while used < units and count < len(text):
            used += 2 if ord(text[count]) > 0xFFFF else 1
            count += 1
        if used < units:
            return None
        payload = text[:count]
        end = body_start + len(payload.encode())
        original, self._buf = self._buf[:end], self._buf[end:]
        try:
            envelope = json.loads(payload)
        except ValueError:
            return original
        if not self._prefix(envelope):
            return original
        trailing = payload[len(payload.rstrip()):]
        return original[:m.start(1)] + _frame(envelope, trailing)

    def _prefix(self, envelope: Any) -> bool:
        changed = False
        for item in envelope if isinstance(envelope, list) else ():
            if not (isinstance(item, list) and len(item) > 2 and item[0] == "wrb.fr"
                    and isinstance(item[2], str)):
                continue
            try:
                inner = json.loads(item[2])
                candidate = inner[4][0]
                if isinstance(candidate[1][0], str):
                    candidate[1][0] = self.prefix + candidate[1][0]
                    item[2] = json.dumps(inner, ensure_ascii=False)
                    changed = True
            except (ValueError, TypeError, IndexError, KeyError):
                continue
        return changed
