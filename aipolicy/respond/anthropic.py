"""Anthropic-shaped answers: errors, Messages responses, whole or streamed.

Shapes follow the Messages API reference and anthropic-sdk-python's types
(``types/message.py``, ``raw_message_stream_event.py``): a stream is ``message_start``,
per content block ``content_block_start`` / ``content_block_delta`` /
``content_block_stop``, then ``message_delta`` and ``message_stop``; every event is sent
with its ``event:`` name. Errors are ``{"type": "error", "error": {"type", "message"}}``.
claude.ai's completion endpoint streams the same events.
"""

from __future__ import annotations

from typing import Any

from .sse import Event, Transform, event

_USAGE = {"input_tokens": 0, "output_tokens": 0}


def error_body(message: str, ref: str, error_type: str | None) -> dict[str, Any]:
    return {"type": "error", "error": {"type": error_type or "permission_error",
                                       "message": message}, "request_id": ref}


def message(text: str, model: str, ref: str) -> dict[str, Any]:
    return {"id": f"msg_{ref}", "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
            "stop_sequence": None, "usage": dict(_USAGE)}


def _text_block(index: int, text: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("content_block_start", {"type": "content_block_start", "index": index,
                                 "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": index,
                                 "delta": {"type": "text_delta", "text": text}}),
        ("content_block_stop", {"type": "content_block_stop", "index": index}),
    ]


def message_stream(text: str, model: str, ref: str) -> bytes:
    start = {**message(text, model, ref), "content": [], "stop_reason": None}
    events = [("message_start", {"type": "message_start", "message": start}),
              *_text_block(0, text),
              ("message_delta", {"type": "message_delta",
                                 "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                 "usage": {"output_tokens": 0}}),
              ("message_stop", {"type": "message_stop"})]
    return b"".join(event(data, name) for name, data in events)


class MessagesNote(Transform):
    """Puts the note in front of the answer's text.

    The note goes into the first text block (a delta right after its start), so thinking
    blocks, which must stay first when the answer is sent back, keep their place. An
    answer that calls a tool before any text gets a text block of its own in front of the
    tool call, and the later blocks' indexes move up by one.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.shift = 0  # added to the index of every later block event

    def __call__(self, ev: Event) -> list[Event] | None:
        data = ev.data
        if not isinstance(data, dict):
            return None
        kind = data.get("type")
        if kind == "message_stop":
            self.finished = True
            return None
        if not kind or not str(kind).startswith("content_block_") or \
                not isinstance(data.get("index"), int):
            return None
        if self.shift:
            data["index"] += self.shift
            return [ev]
        block = data.get("content_block")
        if kind != "content_block_start" or not isinstance(block, dict):
            return None
        if block.get("type") == "text":
            note = _text_block(data["index"], self.prefix)[1]
            self.finished = True
            return [ev, Event(note[0], note[1])]
        if block.get("type") in ("thinking", "redacted_thinking"):
            return None
        inserted = [Event(name, d) for name, d in _text_block(data["index"], self.prefix)]
        self.shift = 1
        data["index"] += 1
        return [*inserted, ev]
