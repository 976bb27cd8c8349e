"""Text of uploaded or embedded files, by content (file names and declared types lie).

``read_file`` returns ``FileText`` for text files (any UTF-8/UTF-16/UTF-32 text, or a
declared 8-bit charset), PDF and DOCX, and ``Opaque`` for everything else. Only plain
text can be written back: the text of a PDF or DOCX is for scanning, a redaction there
has to become a block.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import zipfile
from dataclasses import dataclass

import docx
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from pypdf import PdfReader

# pypdf logs its repairs of malformed files with excerpts of the raw file bytes, which may
# be the very personal data being inspected: nothing from it may reach the logs.
logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OCTET = "application/octet-stream"

# Magic numbers of common binary formats: ((offset, bytes), ...) all must match.
_MAGIC: tuple[tuple[tuple[tuple[int, bytes], ...], str], ...] = (
    (((0, b"\x89PNG\r\n\x1a\n"),), "image/png"),
    (((0, b"\xff\xd8\xff"),), "image/jpeg"),
    (((0, b"GIF87a"),), "image/gif"),
    (((0, b"GIF89a"),), "image/gif"),
    (((0, b"RIFF"), (8, b"WEBP")), "image/webp"),
    (((0, b"RIFF"), (8, b"WAVE")), "audio/wav"),
    (((0, b"BM"),), "image/bmp"),
    (((0, b"II*\x00"),), "image/tiff"),
    (((0, b"MM\x00*"),), "image/tiff"),
    (((4, b"ftypheic"),), "image/heic"),
    (((4, b"ftypavif"),), "image/avif"),
    (((4, b"ftyp"),), "video/mp4"),
    (((0, b"\x1a\x45\xdf\xa3"),), "video/webm"),
    (((0, b"ID3"),), "audio/mpeg"),
    (((0, b"\xff\xfb"),), "audio/mpeg"),
    (((0, b"OggS"),), "audio/ogg"),
    (((0, b"fLaC"),), "audio/flac"),
    (((0, b"\x1f\x8b"),), "application/gzip"),
    (((0, b"7z\xbc\xaf\x27\x1c"),), "application/x-7z-compressed"),
    (((0, b"Rar!\x1a\x07"),), "application/vnd.rar"),
    (((0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),), "application/x-ole-storage"),  # .doc/.xls
    (((0, b"\x7fELF"),), "application/x-elf"),
    (((0, b"MZ"),), "application/x-msdownload"),
)
# Members of a ZIP that tell the Office formats apart.
_ZIP_KINDS: tuple[tuple[str, str], ...] = (
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# C0 controls other than whitespace, ESC and form feed, and DEL: binary data is full of
# them, text almost never has any.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,127}")
# DOCX parts besides the main document that hold text people write.
_DOCX_TEXT_PARTS = ("/word/header", "/word/footer", "/word/footnotes", "/word/endnotes",
                    "/word/comments")
# Uncompressed size a DOCX may have, relative to the inspection limit (images included).
_DOCX_EXPANSION = 4


@dataclass(frozen=True)
class FileText:
    """Readable text of a file. For ``kind == "text"`` it can be encoded back."""

    kind: str  # "text" | "pdf" | "docx"
    mime: str
    text: str
    codec: str = "utf-8"
    bom: bytes = b""

    @property
    def redactable(self) -> bool:
        return self.kind == "text"

    def __repr__(self) -> str:  # never the text
        return f"FileText({self.kind} {self.mime} {len(self.text)} chars {self.codec})"

    def encode(self, text: str) -> bytes:
        """The file bytes for a new text, in the file's own encoding (and BOM)."""
        return self.bom + text.encode(self.codec, errors="replace")


@dataclass(frozen=True)
class Opaque:
    """A file whose text could not be read. ``reason``: binary | encrypted | unreadable |
    textless (a PDF of scanned pages) | oversized."""

    mime: str
    reason: str

    @property
    def is_media(self) -> bool:
        return self.mime.split("/", 1)[0] in ("image", "audio", "video")

    def describe(self, what: str) -> str:
        """Fixed-vocabulary description, e.g. "binary upload image/png"."""
        return f"{self.reason} {what} {self.mime}"

    def __repr__(self) -> str:
        return f"Opaque({self.reason} {self.mime})"


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


def sniff_binary(data: bytes) -> str | None:
    """The media type of a known binary format, or None."""
    for conditions, mime in _MAGIC:
        if all(data[off : off + len(magic)] == magic for off, magic in conditions):
            return mime
    return None


def read_text(data: bytes, declared: str = "") -> FileText | None:
    """Decode ``data`` as text if it is text: BOM, then UTF-16 without BOM, UTF-8, the
    declared charset, and finally Windows-1252 for 8-bit text with no control bytes."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _decode(data[len(bom) :], codec)
            return FileText("text", "text/plain", text, codec, bom) if text is not None else None
    candidates: list[str] = []
    if b"\x00" in data:
        candidates.extend(_utf16_guess(data))
    else:
        candidates.append("utf-8")
        declared_charset = charset(declared)
        if declared_charset and declared_charset not in candidates:
            candidates.append(declared_charset)
        candidates.append("cp1252")
    for codec in candidates:
        text = _decode(data, codec)
        if text is not None:
            return FileText("text", "text/plain", text, codec)
    return None


def _decode(data: bytes, codec: str) -> str | None:
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    # A handful of stray control characters is tolerated; binary has them everywhere.
    if len(_CONTROL.findall(text)) * 1000 > max(len(text), 1):
        return None
    return text


def _utf16_guess(data: bytes) -> list[str]:
    """UTF-16 without BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 2:
        return []
    odd = sample[1::2].count(0) / len(sample[1::2])
    even = sample[0::2].count(0) / len(sample[0::2])
    if odd > 0.4 and even < 0.05:
        return ["utf-16-le"]
    if even > 0.4 and odd < 0.05:
        return ["utf-16-be"]
    return []


def read_file(data: bytes, declared: str, limit: int) -> FileText | Opaque:
    """The text of a file, judged by its bytes; ``declared`` (a Content-Type value or a
    media type) only names a charset and the type reported for unknown binaries.
    ``limit`` caps the characters of extracted text and the unpacked size of a DOCX."""
    head = data[:1024]
    if b"%PDF-" in head:
        return _pdf(data, limit)
    if data.startswith(b"PK\x03\x04"):
        return _zip(data, limit)
    mime = sniff_binary(data)
    if mime is not None:
        return Opaque(mime, "binary")
    text = read_text(data, declared)
    if text is not None:
        if len(text.text) > limit:
            return Opaque(text.mime, "oversized")
        return text
    return Opaque(media_type(declared) or OCTET, "binary")


def _pdf(data: bytes, limit: int) -> FileText | Opaque:
    # pypdf raises many exception types on malformed files (its own, KeyError, ValueError,
    # struct errors...); any of them means the same thing here: the PDF is unreadable.
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:  # a PDF with only an owner password opens with the empty user password
                if not reader.decrypt(""):
                    return Opaque(PDF, "encrypted")
            except Exception:  # noqa: BLE001 - e.g. the AES dependency is missing
                return Opaque(PDF, "encrypted")
        pages: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > limit:
                return Opaque(PDF, "oversized")
            pages.append(text)
    except Exception:  # noqa: BLE001 - see above
        return Opaque(PDF, "unreadable")
    text = "\n".join(pages)
    if not text.strip():
        return Opaque(PDF, "textless")
    return FileText("pdf", PDF, text)


def _zip(data: bytes, limit: int) -> FileText | Opaque:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return Opaque("application/zip", "unreadable")
    mime = next((kind for member, kind in _ZIP_KINDS if member in names), "application/zip")
    if mime != DOCX:
        return Opaque(mime, "binary")
    # zipfile never inflates a member past its declared size, so this bounds the work.
    if unpacked > limit * _DOCX_EXPANSION:
        return Opaque(DOCX, "oversized")
    try:
        text = _docx_text(data)
    except Exception:  # noqa: BLE001 - python-docx/lxml raise many types on broken files
        return Opaque(DOCX, "unreadable")
    if len(text) > limit:
        return Opaque(DOCX, "oversized")
    if not text.strip():
        return Opaque(DOCX, "textless")
    return FileText("docx", DOCX, text)


_W_P = qn("w:p")
_W_R = qn("w:r")
_W_T = qn("w:t")
_W_DEL_TEXT = qn("w:delText")
_W_TAB = qn("w:tab")
_W_BREAKS = (qn("w:br"), qn("w:cr"))
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _docx_text(data: bytes) -> str:
    """Every paragraph of the body (tables, text boxes and tracked changes included),
    then headers, footers, notes and comments: all text a reader of the file can see."""
    document = docx.Document(io.BytesIO(data))
    lines = _paragraphs(document.element.body)
    for part in document.part.package.iter_parts():
        if str(part.partname).startswith(_DOCX_TEXT_PARTS):
            lines.extend(_paragraphs(parse_xml(part.blob)))
    return "\n".join(lines)


def _paragraphs(root) -> list[str]:
    lines: list[str] = []
    for paragraph in root.iter(_W_P):
        # Text boxes are stored twice (modern and fallback markup): read one copy.
        if any(ancestor.tag == _MC_FALLBACK for ancestor in paragraph.iterancestors()):
            continue
        pieces: list[str] = []
        for node in paragraph.iter(_W_T, _W_DEL_TEXT, _W_TAB, *_W_BREAKS):
            if node.tag in (_W_T, _W_DEL_TEXT):
                pieces.append(node.text or "")
            elif node.getparent().tag != _W_R:  # tab stops and breaks outside runs
                continue
            else:
                pieces.append("\t" if node.tag == _W_TAB else "\n")
        lines.append("".join(pieces))
    return lines
