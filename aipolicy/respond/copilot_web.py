"""Microsoft Copilot's chat WebSocket (``wss://copilot.microsoft.com/c/api/chat``).

The page sends ``{"event": "send", ...}`` and reads server messages such as
``startMessage``, ``appendText`` (``text``: the next piece of the answer),
``partCompleted`` and ``done``; an ``error`` message is not shown with its text. Source:
xtekky/gpt4free, ``g4f/Provider/Copilot.py`` (the events a client handles). A notice is
therefore always an answer.
"""

from __future__ import annotations

from typing import Any

from .sse import Event, Transform, dumps


def answer_frames(text: str, ref: str) -> tuple[bytes, ...]:
    mid = f"aipolicy-{ref}"
    events: list[dict[str, Any]] = [
        {"event": "startMessage", "messageId": mid},
        {"event": "appendText", "messageId": mid, "partId": "0", "text": text},
        {"event": "partCompleted", "messageId": mid, "partId": "0"},
        {"event": "done", "messageId": mid},
    ]
    return tuple(dumps(e).encode() for e in events)


class AnswerNote(Transform):
    """Puts the note in front of the first piece of answer text."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, ev: Event) -> list[Event] | None:
        data = ev.data
        if not isinstance(data, dict):
            return None
        if data.get("event") in ("appendText", "replaceText") and \
                isinstance(data.get("text"), str):
            data["text"] = self.prefix + data["text"]
            self.finished = True
            return [ev]
        if data.get("event") == "done":
            self.finished = True
        return None
