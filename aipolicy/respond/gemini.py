"""Gemini API answers: errors, ``generateContent`` and ``streamGenerateContent``.

Shapes follow the Gemini API reference (``GenerateContentResponse``: ``candidates[]``
with ``content.parts[].text``, ``finishReason``) and Google's error model
``{"error": {"code", "message", "status"}}``. ``streamGenerateContent?alt=sse`` sends one
``data:`` event per response chunk; without ``alt=sse`` the stream is one JSON array.
"""

from __future__ import annotations

import json
from typing import Any

from .sse import Event, Transform, event

# google.rpc.Code names for the statuses a notice may use
_STATUS_NAMES = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}


def error_body(message: str, status: int) -> dict[str, Any]:
    return {"error": {"code": status, "message": message,
                      "status": _STATUS_NAMES.get(status, "FAILED_PRECONDITION")}}


def generate_content(text: str, model: str, ref: str) -> dict[str, Any]:
    return {"candidates": [{"content": {"parts": [{"text": text}], "role": "model"},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 0, "candidatesTokenCount": 0,
                              "totalTokenCount": 0},
            "modelVersion": model, "responseId": ref}


def stream(text: str, model: str, ref: str, sse: bool) -> bytes:
    chunk = generate_content(text, model, ref)
    return event(chunk) if sse else json.dumps([chunk]).encode()


class GenerateNote(Transform):
    """Puts the note in front of the first text part (not a thought summary)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, ev: Event) -> list[Event] | None:
        data = ev.data
        candidates = data.get("candidates") if isinstance(data, dict) else None
        for cand in candidates if isinstance(candidates, list) else ():
            content = cand.get("content") if isinstance(cand, dict) else None
            parts = content.get("parts") if isinstance(content, dict) else None
            for part in parts if isinstance(parts, list) else ():
                if isinstance(part, dict) and isinstance(part.get("text"), str) \
                        and not part.get("thought"):
                    part["text"] = self.prefix + part["text"]
                    self.finished = True
                    return [ev]
        return None
