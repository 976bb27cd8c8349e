"""Ollama ``/api/chat`` and ``/api/generate``."""

from __future__ import annotations

from ..collect import JV, Collector, normalize_role


def _images(v: JV, c: Collector) -> None:
    """``images``: base64 images (each must be one)."""
    for image in v.string_items():
        c.file(image, "image/*")


def chat(root: JV, c: Collector) -> None:
    for message in root.get("messages").items():
        role = normalize_role(message.get("role").string)
        c.text(message.get("content"), role)
        c.text(message.get("thinking"), role)
        _images(message.get("images"), c)
        for call in message.get("tool_calls").items():
            c.text(call.get("function").get("name"), role)
            c.leaves(call.get("function").get("arguments"), role)  # an object here
        c.residual(message, role)
    c.residual(root)


def generate(root: JV, c: Collector) -> None:
    c.text(root.get("system"), "system")
    c.text(root.get("prompt"), "user")
    c.text(root.get("suffix"), "user")
    _images(root.get("images"), c)
    c.skip(root.get("context"))  # token ids of the previous answer
    c.residual(root)
