"""File uploads: multipart/form-data (OpenAI and Anthropic ``/v1/files``, claude.ai,
transcriptions, any form with a file input) and raw-bytes uploads (ChatGPT's PUT of the
file to blob storage)."""

from __future__ import annotations

from ...model import SCAN_SECRETS
from .. import files
from ..collect import KEY, Collector, Label, file_label
from ..keys import KNOWN_FORM_FIELDS, NON_PROSE_FORM_FIELDS
from ..multipart import read_multipart


def _same(data: bytes) -> bytes:
    return data


def _text_field_codec(content_type: str) -> str | None:
    """The charset of a part that is a plain field, or None when it is a file."""
    media = files.media_type(content_type)
    if media and not (media.startswith("text/") or media == "application/json"):
        return None
    return files.charset(content_type) or "utf-8"


def multipart_body(body: bytes, content_type: str, c: Collector) -> None:
    """Every part's content, its field name and file name when they are not known words
    (they sit in part headers: read-only, a redaction there becomes a block), its other
    header lines (for secrets), and whatever stands before the first boundary or after
    the last: the server receives all of it."""
    multipart = read_multipart(body, content_type)
    for where, start, end in (("preamble", 0, multipart.preamble_end),
                              ("epilogue", multipart.epilogue_start, len(body))):
        if body[start:end].strip():
            c.add_file(c.root, start, end, body[start:end], _same, "",
                       (Label(f"({where})"),), where, quiet_media=False, role="field",
                       read=_read_only(files.read_file(body[start:end], "", c.max_bytes)))
    for index, part in enumerate(multipart.parts):
        label = part.name if part.name else Label(f"part[{index}]")
        if part.name and part.name not in KNOWN_FORM_FIELDS:
            c.add_readonly(part.name, (label, KEY), "field")
        if part.filename:
            c.add_readonly(part.filename, (file_label(part.filename), Label("(name)")), "file")
        if part.other_headers:
            c.add_readonly(part.other_headers, (label, Label("(headers)")), "field",
                           SCAN_SECRETS)
        data = body[part.start : part.end]
        codec = _text_field_codec(part.content_type) if part.filename is None else None
        if codec is not None:
            if part.name in NON_PROSE_FORM_FIELDS:
                continue
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                pass  # not text after all: read it as a file below
            else:
                c.value(c.root, part.start, part.end, text,
                        lambda new, codec=codec: new.encode(codec, errors="replace"),
                        (label,), "field")
                continue
        if not data:
            continue  # an empty file input
        c.add_file(c.root, part.start, part.end, data, _same, part.content_type,
                   (file_label(part.filename),), "upload", quiet_media=False)


def _read_only(result: files.FileText | files.Opaque) -> files.FileText | files.Opaque:
    """A reading that is scanned but never written back (text outside the parts)."""
    if isinstance(result, files.FileText) and result.redactable:
        return files.FileText("outside", result.mime, result.text)
    return result


def raw_upload(body: bytes, content_type: str, c: Collector) -> None:
    """The body is the file itself (its name travelled in an earlier request)."""
    c.add_file(c.root, 0, len(body), body, _same, content_type, (file_label(None),), "upload",
               quiet_media=False)
