"""claude.ai ``/api/organizations/{org}/chat_conversations/{conv}/completion``: the prompt
and the text the web app extracted from attached files."""

from __future__ import annotations

from ..collect import JV, Collector, Unrecognized


def completion(root: JV, c: Collector) -> None:
    prompt = root.get("prompt")
    if prompt.string is None:
        raise Unrecognized
    c.text(prompt, "user")
    for attachment in root.get("attachments").items():
        c.text(attachment.get("extracted_content"), "file")
