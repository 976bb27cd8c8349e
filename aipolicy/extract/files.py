"""Text of uploaded or embedded files, by content (file names and declared types lie).

``read_file`` believes a format only after a real parse: a PDF is what pypdf opens, an
archive or Office document what zipfile/tarfile/gzip open, an image or a sound what
passes ``formats.identify``'s structural checks. Everything else is tried as text in
every common encoding (``textcodec``). What is left is unreadable.

Results: ``FileText`` (plain text, which can be written back; or the text of a PDF, an
Office document or an archive's members, which cannot), or ``Opaque`` (an identified
image/audio/video or an archive of a kind this package cannot open, out of scope; or a
file that could not be read, which the policy refuses).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import io
import logging
import re
from dataclasses import dataclass, field

from pypdf import PdfReader

from . import archives, formats, office
from .textcodec import decode_text

# pypdf logs its repairs of malformed files with excerpts of the raw file bytes, which may
# be the very personal data being inspected: nothing from it may reach the logs.
logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)

PDF = "application/pdf"
DOCX = office.DOCX
XLSX = office.XLSX
PPTX = office.PPTX
ZIP = "application/zip"
OCTET = "application/octet-stream"
# Archives inside archives are followed this many levels deep; deeper ones are refused.
MAX_DEPTH = 3

_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,127}")
# Reasons an Opaque is out of scope rather than unreadable.
IDENTIFIED = frozenset({formats.MEDIA, formats.ARCHIVE, "textless"})


@dataclass(frozen=True)
class Opaque:
    """A file whose text could not be read. ``reason``: media (a validated image, audio
    or video file) | archive (a validated archive of a kind that cannot be opened here) |
    textless (a PDF without text: scanned pages) | encrypted | unreadable (looks like a
    format but does not parse) | unknown (neither text nor a known format) | oversized |
    nested (archives nested too deep).

    ``strings``: the file's readable strings (metadata, comments), for a secret scan."""

    mime: str
    reason: str
    strings: str = field(default="", repr=False, compare=False)

    @property
    def identified(self) -> bool:
        """Positively identified and out of scope (``binary_uploads`` decides); otherwise
        the content could not be inspected and the policy refuses it."""
        return self.reason in IDENTIFIED

    @property
    def is_media(self) -> bool:
        return self.reason == formats.MEDIA

    def describe(self, what: str) -> str:
        """Fixed-vocabulary description, e.g. "media upload image/png"."""
        return f"{self.reason} {what} {self.mime}"

    def __repr__(self) -> str:
        return f"Opaque({self.reason} {self.mime})"


@dataclass(frozen=True)
class FileText:
    """Readable text of a file. For ``kind == "text"`` it can be encoded back.

    ``extra``: more text of the file (an Office package's other parts, an ASCII PDF's
    source, readable strings of embedded binaries) to scan for secrets only. ``parts``:
    members of an archive that could not be read, or are media."""

    kind: str  # "text" | "pdf" | "docx" | "xlsx" | "pptx" | "zip" | "tar" | "compressed"
    mime: str
    text: str
    codec: str = "utf-8"
    bom: bytes = b""
    extra: str = field(default="", repr=False)
    parts: tuple[Opaque, ...] = ()

    @property
    def redactable(self) -> bool:
        return self.kind == "text"

    def __repr__(self) -> str:  # never the text
        return f"FileText({self.kind} {self.mime} {len(self.text)} chars {self.codec})"

    def encode(self, text: str) -> bytes:
        """The file bytes for a new text, in the file's own encoding (and BOM)."""
        return self.bom + text.encode(self.codec, errors="replace")


def media_type(content_type: str) -> str:
    """The lower-case media type of a Content-Type value, or "" when it is not one."""
    value = content_type.split(";", 1)[0].strip().lower()
    return value if _MIME.fullmatch(value) else ""


def charset(content_type: str) -> str | None:
    """The charset parameter of a Content-Type value when Python knows the codec."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            value = value.strip().strip('"').lower()
            try:
                return codecs.lookup(value).name
            except LookupError:
                return None
    return None


def read_text(data: bytes, declared: str = "") -> FileText | None:
    """``data`` as a plain text file (see ``textcodec.decode_text``), or None."""
    decoded = decode_text(data, charset(declared))
    if decoded is None:
        return None
    return FileText("text", "text/plain", decoded.text, decoded.codec, decoded.bom)


def read_file(data: bytes, declared: str, limit: int, *, depth: int = 0
              ) -> FileText | Opaque:
    """The text of a file, judged by its bytes; ``declared`` (a Content-Type value or a
    media type) only names a charset and the type reported for unknown binaries.
    ``limit`` caps the characters of extracted text and the unpacked size of archives."""
    if depth > MAX_DEPTH:
        return Opaque(OCTET, "nested")
    broken: Opaque | None = None  # a format that started but did not parse
    if b"%PDF-" in data[:1024]:
        pdf = _pdf(data, limit)
        if pdf is not None:
            return pdf
        broken = Opaque(PDF, "unreadable")
    elif archives.is_zip(data):
        try:
            return _zip(data, limit, depth)
        except archives.ArchiveError as exc:
            broken = Opaque(exc.office_kind or ZIP, exc.reason)
            if exc.reason == "oversized":
                return broken
    elif archives.is_tar(data):
        try:
            members = archives.read_tar(data, limit)
        except archives.ArchiveError as exc:
            return Opaque("application/x-tar", exc.reason)
        return _from_members("tar", "application/x-tar", "", members, limit, depth,
                             package=False)
    else:
        try:
            content = archives.decompress(data, limit)
        except archives.ArchiveError as exc:
            content, broken = None, Opaque("application/gzip", exc.reason)
            if exc.reason == "oversized":
                return broken
        if content is not None:
            return _compressed(read_file(content, "", limit, depth=depth + 1))
    text = read_text(data, declared)
    if text is not None:
        return Opaque(text.mime, "oversized") if len(text.text) > limit else text
    fmt = formats.identify(data)
    if fmt is not None:
        return Opaque(fmt.mime, fmt.kind, formats.printable_runs(data))
    return broken or Opaque(media_type(declared) or OCTET, "unknown")


# A base64 data: URL inside a text (a prompt that says "decode this: data:...").
_EMBEDDED = re.compile(r"data:[\w.+/-]{0,100}(?:;[\w.+=-]{0,100}){0,5};base64,"
                       r"([A-Za-z0-9+/_-]{4,}={0,2})", re.IGNORECASE)


def has_embedded_data(text: str) -> bool:
    """Whether ``text`` may hold a base64 data: URL (cheap; ``embedded_texts`` reads it)."""
    return ";base64," in text or (";" in text and ";base64," in text.lower())


def embedded_texts(text: str, limit: int) -> list[str]:
    """The text of every base64 data: URL inside ``text`` that holds text (a model reads
    base64 as easily as plain text). Images and anything unreadable are left alone: the
    URL itself was scanned as text."""
    if not has_embedded_data(text):
        return []
    out = []
    for match in _EMBEDDED.finditer(text):
        payload = match.group(1)
        try:
            data = base64.b64decode(payload + "=" * (-len(payload) % 4),
                                    altchars=b"-_" if "-" in payload or "_" in payload
                                    else None)
        except (binascii.Error, ValueError):
            continue
        result = read_file(data, "", limit, depth=MAX_DEPTH)
        if isinstance(result, FileText):
            out.extend(t for t in (result.text, result.extra) if t.strip())
    return out


def _compressed(inner: FileText | Opaque) -> FileText | Opaque:
    """A gzip/bzip2/xz file's content: read like the file it holds; never rewritten."""
    if isinstance(inner, Opaque):
        return inner
    return FileText("compressed", inner.mime, inner.text, extra=inner.extra,
                    parts=inner.parts)


def _pdf(data: bytes, limit: int) -> FileText | Opaque | None:
    """A PDF's page text; None when pypdf cannot open ``data`` as a PDF with pages."""
    # pypdf raises many exception types on malformed files (its own, KeyError, ValueError,
    # struct errors...); any of them means the same thing here: not a readable PDF.
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:  # a PDF with only an owner password opens with the empty user password
                if not reader.decrypt(""):
                    return Opaque(PDF, "encrypted")
            except Exception:  # noqa: BLE001 - e.g. the AES dependency is missing
                return Opaque(PDF, "encrypted")
        if not reader.pages:
            return None
        pages: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > limit:
                return Opaque(PDF, "oversized")
            pages.append(text)
    except Exception:  # noqa: BLE001 - see above
        return None
    text = "\n".join(pages)
    # A PDF written as plain text (uncommon, or made to order) can carry text outside
    # its pages; such source is scanned for secrets too.
    source = decode_text(data)
    if not text.strip():
        return Opaque(PDF, "textless", source.text if source else formats.printable_runs(data))
    return FileText("pdf", PDF, text, extra=source.text if source else "")


def _zip(data: bytes, limit: int, depth: int) -> FileText | Opaque:
    archive = archives.read_zip(data, limit)
    kind = archive.office_kind
    if kind is None:
        return _from_members("zip", ZIP, "", archive.members, limit, depth, package=False)
    name = {DOCX: "docx", XLSX: "xlsx", PPTX: "pptx"}[kind]
    result = _from_members(name, kind, archive.document_text, archive.members, limit, depth,
                           package=True)
    if isinstance(result, FileText) and not result.text.strip():
        return Opaque(kind, "textless", result.extra)
    return result


def _from_members(kind: str, mime: str, text: str, members: tuple[archives.Member, ...],
                  limit: int, depth: int, *, package: bool) -> FileText | Opaque:
    """An archive's reading from its members. ``package``: the members are the parts of
    an Office document besides its text (read for secrets only; a binary part that is
    not a known format is part of the format, its strings are scanned)."""
    texts = [text] if text else []
    secrets_only: list[str] = []
    parts: list[Opaque] = []
    for member in members:
        if member.data is None:
            parts.append(Opaque(OCTET, member.problem))
            continue
        result = read_file(member.data, "", limit, depth=depth + 1)
        if isinstance(result, FileText):
            (secrets_only if package else texts).append(result.text)
            if result.extra:
                secrets_only.append(result.extra)
            parts.extend(result.parts)
        else:
            if result.strings:
                secrets_only.append(result.strings)
            # An Office document's images and binary parts belong to the format.
            if not (package and (result.identified or result.reason == "unknown")):
                parts.append(result)
    joined = "\n".join(t for t in texts if t)
    extra = "\n".join(t for t in secrets_only if t)
    if len(joined) > limit or len(extra) > limit:
        return Opaque(mime, "oversized")
    return FileText(kind, mime, joined, extra=extra, parts=tuple(parts))
