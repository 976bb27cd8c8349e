"""Cohere Chat: v2 ``/v2/chat`` (OpenAI-like messages) and v1 ``/v1/chat``."""

from __future__ import annotations

from ..collect import JV, Collector, normalize_role

_V1_ROLES = {"USER": "user", "CHATBOT": "assistant", "SYSTEM": "system", "TOOL": "tool"}


def _documents(v: JV, c: Collector) -> None:
    """``documents``: strings, or objects whose ``data`` (or whole body) is the document."""
    for doc in v.items():
        if c.text(doc, "file"):
            continue
        data = doc.get("data")
        c.leaves(data if data.exists else doc, "file")


def chat_v2(root: JV, c: Collector) -> None:
    for message in root.get("messages").items():
        role = normalize_role(message.get("role").string)
        body = message.get("content")
        if not c.text(body, role):
            for part in body.items():
                c.text(part.get("text"), role)
                document = part.get("document")
                if document.exists:
                    data = document.get("data")
                    c.leaves(data if data.exists else document, "file")
                c.residual(part, role)
        c.text(message.get("tool_plan"), role)
        for call in message.get("tool_calls").items():
            c.text(call.get("function").get("name"), role)
            c.json_text(call.get("function").get("arguments"), role)
        c.residual(message, role)
    _documents(root.get("documents"), c)
    c.residual(root)


def chat_v1(root: JV, c: Collector) -> None:
    c.text(root.get("preamble"), "system")
    for turn in root.get("chat_history").items():
        role = _V1_ROLES.get((turn.get("role").string or "").upper(), "user")
        c.text(turn.get("message"), role)
        c.residual(turn, role)
    c.text(root.get("message"), "user")
    _documents(root.get("documents"), c)
    c.residual(root)
