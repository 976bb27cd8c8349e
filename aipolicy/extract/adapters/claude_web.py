"""claude.ai ``/api/organizations/{org}/chat_conversations/{conv}/completion``: the prompt,
the text the web app extracted from attached files, and (residual walk) every other field
(file names, personal styles, whatever is added later)."""

from __future__ import annotations

from ..collect import JV, Collector, Unrecognized


def completion(root: JV, c: Collector) -> None:
    prompt = root.get("prompt")
    if prompt.string is None:
        raise Unrecognized
    c.text(prompt, "user")
    for attachment in root.get("attachments").items():
        c.text(attachment.get("extracted_content"), "file")
        c.residual(attachment, "file")
    c.residual(root)
