"""Anthropic Messages (``/v1/messages``; also on Bedrock and Vertex AI)."""

from __future__ import annotations

from ..collect import JV, Collector, normalize_role


def image(block: JV, c: Collector) -> None:
    source = block.get("source")
    kind = source.get("type").string
    if kind == "base64":
        c.file(source.get("data"), source.get("media_type").string or "image/*")
    elif kind == "url":
        c.text(source.get("url"), "file")
    c.residual(block, "file")


def blocks(v: JV, role: str, c: Collector) -> None:
    """A content field: a string or a list of typed blocks."""
    if c.text(v, role):
        return
    for block in v.items():
        kind = block.get("type").string
        if kind == "text":
            c.text(block.get("text"), role)
        elif kind == "thinking":
            c.text(block.get("thinking"), role)
        elif kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
            c.text(block.get("name"), role)
            c.leaves(block.get("input"), role)  # the tool's arguments, any depth
        elif kind in ("tool_result", "mcp_tool_result"):
            blocks(block.get("content"), "tool", c)
            c.residual(block, "tool")
        elif kind == "document":
            document(block, c)
        elif kind == "search_result":
            blocks(block.get("content"), role, c)
        elif kind == "image":
            image(block, c)
        c.residual(block, role)


def document(block: JV, c: Collector) -> None:
    source = block.get("source")
    kind = source.get("type").string
    if kind == "text":
        c.text(source.get("data"), "file")
    elif kind == "base64":
        c.file(source.get("data"), source.get("media_type").string or "")
    elif kind == "content":
        blocks(source.get("content"), "file", c)
    c.residual(block, "file")  # a URL or file id is scanned as it is


def messages(root: JV, c: Collector) -> None:
    """``POST /v1/messages``. (Mirrored for plain bodies by ``extract.plain``: change
    both.)"""
    blocks(root.get("system"), "system", c)
    for message in root.get("messages").items():
        role = normalize_role(message.get("role").string)
        blocks(message.get("content"), role, c)
        c.residual(message, role)
    c.residual(root)
