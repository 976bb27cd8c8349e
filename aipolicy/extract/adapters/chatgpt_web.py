"""ChatGPT web app: ``/backend-api/(f/)conversation`` and the logged-out
``/backend-anon/...`` equivalents, plus ``.../conversation/prepare`` (sent while typing).

Messages carry ``content.parts``: strings, and objects for images etc. in
``multimodal_text``. Other content types (code, user_editable_context with the custom
instructions) are swept up from the content object; the rest of each message (author,
metadata with attachment names) and of the body (client settings) by the residual walk:
every field the web app adds tomorrow is scanned too.
"""

from __future__ import annotations

from ..collect import JV, Collector, Unrecognized, normalize_role


def _message(message: JV, c: Collector) -> None:
    role = normalize_role(message.get("author").get("role").string)
    body = message.get("content")
    for part in body.get("parts").items():
        if not c.text(part, role):
            c.residual(part, role)  # image pointers carry nothing; transcripts carry text
    c.text(body.get("text"), role)
    c.residual(body, role)
    c.residual(message, role)


def conversation(root: JV, c: Collector) -> None:
    messages = root.get("messages")
    partial = root.get("partial_query")
    if not messages.is_list and not partial.is_obj:
        raise Unrecognized
    for message in messages.items():
        _message(message, c)
    if partial.is_obj:
        _message(partial, c)
    c.residual(root)
