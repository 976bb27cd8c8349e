"""Bodies of AI apps without a dedicated adapter, by content type: every string of a
JSON body (minus non-prose keys), every form field, a text body as one segment, and a
file body by its content."""

from __future__ import annotations

from .. import files
from ..collect import JV, KEY, Collector, Label
from ..formenc import FormField, parse_form
from ..keys import KNOWN_FORM_FIELDS, NON_PROSE_FORM_FIELDS
from ..layers import form_value


def json_body(root: JV, c: Collector) -> None:
    c.residual(root, "field")


def form_body(fields: list[FormField], c: Collector) -> None:
    """Every field value (a JSON document in one is walked) and every field name that is
    not a known one."""
    for field in fields:
        if field.name not in KNOWN_FORM_FIELDS:
            c.add_text(c.root, field.name_start, field.name_end, field.name, form_value,
                       (field.name, KEY), "field")
        if field.name not in NON_PROSE_FORM_FIELDS:
            c.value(c.root, field.start, field.end, field.value, form_value, (field.name,),
                    "field")


def wide_form_body(body: bytes, content_type: str, c: Collector) -> None:
    """A form sent in a wide encoding (UTF-16, UTF-32): its text decoded, then its names
    and values, read-only (no server parses such a form, but it receives it)."""
    text = files.read_text(body, content_type)
    if text is None:
        file_body(body, content_type, c)  # not text after all: read by content
        return
    for field in parse_form(text.text.encode("utf-8", "surrogatepass")):
        c.add_readonly(field.name, (field.name, KEY), "field")
        c.add_readonly(field.value, (field.name,), "field")


def file_body(body: bytes, content_type: str, c: Collector) -> None:
    """A text body is one segment; a PDF/DOCX body is read; other binaries are noted."""
    c.add_file(c.root, 0, len(body), body, _same, content_type, (Label("body"),), "body",
               quiet_media=False, role="user")


def _same(data: bytes) -> bytes:
    return data
