"""OpenAI-shaped APIs: Chat Completions (also Azure OpenAI, Mistral and the many
compatible vendors), Responses, legacy Completions and Embeddings."""

from __future__ import annotations

from ..collect import JV, Collector, normalize_role

# Content part types by the field that holds their text.
TEXT_PARTS = {"text": "text", "input_text": "text", "output_text": "text", "refusal": "refusal"}
# Parts that carry a file, an image or a sound (data: URL, bare base64 or a URL).
FILE_PARTS = frozenset({"file", "input_file", "image_url", "input_image", "input_audio"})


def _media(part: JV, kind: str, c: Collector) -> None:
    if kind == "file":  # chat: {"type":"file","file":{"file_data","filename"}}
        c.file(part.get("file").get("file_data"))
    elif kind == "input_file":  # responses: {"type":"input_file","file_data",...}
        c.file(part.get("file_data"))
    elif kind in ("image_url", "input_image"):  # {"url": ...} (chat) or a string
        url = part.get("image_url")
        c.file(url.get("url") if url.is_obj else url, "image/*")
    else:  # input_audio: {"data": base64, "format": "wav" | "mp3"}
        audio = part.get("input_audio")
        c.file(audio.get("data"), f"audio/{audio.get('format').string or '*'}")


def content(v: JV, role: str, c: Collector) -> None:
    """A message ``content``: a string or a list of typed parts."""
    if c.text(v, role):
        return
    for part in v.items():
        if c.text(part, role):  # some clients send bare strings in the list
            continue
        kind = part.get("type").string or ("text" if part.get("text").exists else None)
        if kind in TEXT_PARTS:
            c.text(part.get(TEXT_PARTS[kind]), role)
        elif kind in FILE_PARTS:
            _media(part, kind, c)
        c.residual(part, role)  # every other field, e.g. a "text" beside an image


def chat(root: JV, c: Collector) -> None:
    """``POST /v1/chat/completions``: the whole history, every role. (Mirrored for plain
    bodies by ``extract.plain``: change both.)"""
    for message in root.get("messages").items():
        role = normalize_role(message.get("role").string)
        content(message.get("content"), role, c)
        c.text(message.get("refusal"), role)
        for call in message.get("tool_calls").items():
            c.text(call.get("function").get("name"), role)
            c.json_text(call.get("function").get("arguments"), role)
            c.text(call.get("custom").get("input"), role)
        c.text(message.get("function_call").get("name"), role)  # legacy function calling
        c.json_text(message.get("function_call").get("arguments"), role)
        c.residual(message, role)
    c.residual(root)


def _output(v: JV, c: Collector) -> None:
    """A tool output: a string or a list of input parts."""
    content(v, "tool", c)


def response_item(item: JV, c: Collector) -> None:
    kind = item.get("type").string
    if kind in (None, "message"):
        role = normalize_role(item.get("role").string)
        content(item.get("content"), role, c)
        c.residual(item, role)
        return
    if kind == "function_call":
        c.text(item.get("name"), "assistant")
        c.json_text(item.get("arguments"), "assistant")
    elif kind == "custom_tool_call":
        c.text(item.get("input"), "assistant")
    elif kind in ("function_call_output", "custom_tool_call_output"):
        _output(item.get("output"), c)
    elif kind == "reasoning":
        for summary in item.get("summary").items():
            c.text(summary.get("text"), "assistant")
    role = "tool" if kind.endswith("_output") else "assistant"
    c.residual(item, role)


def responses(root: JV, c: Collector) -> None:
    """``POST /v1/responses``: ``instructions`` and ``input`` (a string or items)."""
    instructions = root.get("instructions")
    if not c.text(instructions, "system"):
        for item in instructions.items():
            response_item(item, c)
    source = root.get("input")
    if not c.text(source, "user"):
        for item in source.items():
            if not c.text(item, "user"):
                response_item(item, c)
    c.residual(root)


def completions(root: JV, c: Collector) -> None:
    """Legacy ``POST /v1/completions`` (and Mistral FIM): ``prompt`` and ``suffix``;
    a prompt may be a list of strings (token arrays carry no text)."""
    for key in ("prompt", "suffix"):
        value = root.get(key)
        if not c.text(value, "user"):
            for item in value.string_items():
                c.text(item, "user")
    c.residual(root)


def embeddings(root: JV, c: Collector) -> None:
    """``POST /v1/embeddings``: ``input`` string or list of strings."""
    value = root.get("input")
    if not c.text(value, "user"):
        for item in value.string_items():
            c.text(item, "user")
    c.residual(root)
