"""claude.ai's completion endpoint (``.../chat_conversations/{id}/completion``).

Its answer is a Messages-style event stream (see ``anthropic``). A refusal outside the
stream is the Anthropic error object; Anthropic documents that its apps show
``{"type": "error", "error": {"type": "permission_error", "message": ...}}`` when a
network policy refuses a request (Claude support center, "tenant restrictions":
``anthropic-allowed-org-ids``). The notice uses that shape with its own message.
"""

from __future__ import annotations

from typing import Any

from . import anthropic


def error_body(message: str, ref: str) -> dict[str, Any]:
    return anthropic.error_body(message, ref, "permission_error")


def answer_stream(text: str, model: str, ref: str) -> bytes:
    return anthropic.message_stream(text, model, ref)
