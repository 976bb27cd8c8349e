"""Bodies of AI apps without a dedicated adapter, by content type: every string of a
JSON body (minus non-prose keys), every form field, a text body as one segment, and a
file body by its content."""

from __future__ import annotations

from ...model import SCAN_SECRETS
from .. import files, formats, protobuf
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


def protobuf_body(body: bytes, content_type: str, c: Collector) -> bool:
    """A protobuf body (gRPC, Connect, plain) read without its schema: every string field
    read-only, every bytes field read as a file (a hash or an id: its readable strings,
    for secrets). False when the body is not well-formed protobuf."""
    try:
        reading = protobuf.read(body, files.media_type(content_type), c.max_bytes)
    except protobuf.NotProtobuf:
        return False
    for index, text in enumerate(reading.texts):
        c.add_readonly(text, (Label(f"(field {index})"),), "field")
    for index, blob in enumerate(reading.blobs):
        path = (Label(f"(bytes {index})"),)
        result = files.read_file(blob, "", c.max_bytes)
        if isinstance(result, files.Opaque) and result.reason == "unknown":
            c.add_readonly(formats.printable_runs(blob), path, "field", SCAN_SECRETS)
            continue
        c.add_file(c.root, 0, 0, blob, _same, "", path, "field", quiet_media=True,
                   role="field", read=_read_only(result))
    return True


def _read_only(result: files.FileText | files.Opaque) -> files.FileText | files.Opaque:
    if isinstance(result, files.FileText) and result.redactable:
        return files.FileText("field", result.mime, result.text)
    return result


def file_body(body: bytes, content_type: str, c: Collector) -> None:
    """A text body is one segment; a PDF/DOCX body is read; other binaries are noted."""
    c.add_file(c.root, 0, len(body), body, _same, content_type, (Label("body"),), "body",
               quiet_media=False, role="user")


def _same(data: bytes) -> bytes:
    return data
