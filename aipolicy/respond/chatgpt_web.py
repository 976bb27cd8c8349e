"""The ChatGPT page's conversation stream (``POST /backend-api/(f/)conversation``).

The page's script reads an SSE stream of conversation events and shows an event's
``error`` field as an error in the conversation. Sources:

- the stream and its ``error`` field: Pandora, an open-source server for ChatGPT's own
  front end, answers a failed upstream call with one event carrying an assistant
  message and the text in ``error``, then ``[DONE]`` (yuyixg/pandora-web,
  ``src/pandora/openai/api.py``, ``wrap_stream_out``);
- the delta encoding of current streams (``event: delta_encoding`` ``"v1"``, then
  ``add`` / ``append`` / ``patch`` operations on ``/message/content/parts/0``), as
  captured in tests/e2e/standin/replies.py ``chatgpt_conversation``;
- errors outside a stream are ``{"detail": "..."}`` with a 4xx status (ChatGPT's 403
  "Unusual activity has been detected from your device", quoted in many public bug
  reports and client repositories).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from .sse import Event, Transform, event

_PARTS = "/message/content/parts/0"


def error_body(message: str) -> dict[str, Any]:
    return {"detail": message}


def conversation_stream(text: str, ref: str, conversation_id: str | None) -> bytes:
    message = {
        "id": str(uuid.uuid4()),
        "author": {"role": "assistant", "name": None, "metadata": {}},
        "create_time": time.time(), "update_time": None,
        "content": {"content_type": "text", "parts": [text]},
        "status": "finished_successfully", "end_turn": True, "weight": 1.0,
        "metadata": {"aipolicy_reference": ref}, "recipient": "all",
    }
    return event({"message": message, "conversation_id": conversation_id, "error": text}) \
        + event("[DONE]")


def _assistant_text(message: Any) -> bool:
    if not isinstance(message, dict):
        return False
    author, content = message.get("author"), message.get("content")
    return (isinstance(author, dict) and author.get("role") == "assistant"
            and isinstance(content, dict) and content.get("content_type") == "text"
            and isinstance(content.get("parts"), list))


class ConversationNote(Transform):
    """Puts the note in front of the assistant's text, in both stream encodings: whole
    message snapshots (every event repeats the text so far: each one gets the note) and
    delta encoding v1 (the first ``append`` to the text gets it)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.pending = False  # v1: an assistant text message was added, no text yet
        self.snapshot_id: str | None = None  # snapshots: the message being noted

    def __call__(self, ev: Event) -> list[Event] | None:
        data = ev.data
        if data == "[DONE]":
            self.finished = True
            return None
        if not isinstance(data, dict):
            return None
        if "o" in data or ("v" in data and "message" not in data):
            return [ev] if self._delta(data) else None
        return [ev] if self._snapshot(data.get("message")) else None

    def _snapshot(self, message: Any) -> bool:
        if not _assistant_text(message):
            return False
        if self.snapshot_id not in (None, message.get("id")):
            return False
        self.snapshot_id = message.get("id")
        parts = message["content"]["parts"]
        if parts and isinstance(parts[0], str):
            parts[0] = self.prefix + parts[0]
            return True
        return False

    def _delta(self, op: dict[str, Any]) -> bool:
        if op.get("o") == "add" and isinstance(op.get("v"), dict):
            message = op["v"].get("message")
            self.pending = _assistant_text(message)
            if self.pending and message["content"]["parts"] and \
                    isinstance(message["content"]["parts"][0], str) and \
                    message["content"]["parts"][0]:
                message["content"]["parts"][0] = self.prefix + message["content"]["parts"][0]
                self.pending, self.finished = False, True
                return True
            return False
        if not self.pending:
            return False
        if op.get("o") == "patch" and isinstance(op.get("v"), list):
            return any(self._append(sub) for sub in op["v"] if isinstance(sub, dict))
        return self._append(op)

    def _append(self, op: dict[str, Any]) -> bool:
        if op.get("p") == _PARTS and op.get("o") == "append" and isinstance(op.get("v"), str):
            op["v"] = self.prefix + op["v"]
            self.pending, self.finished = False, True
            return True
        return False
