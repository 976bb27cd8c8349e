"""Text of Office Open XML documents: Word (python-docx), Excel and PowerPoint (their XML
text elements). Everything a reader of the file sees; the package's other parts are
read by ``archives`` for secrets only."""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from lxml import etree

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# The member that tells each format apart, and the parts whose text elements people read.
KINDS: tuple[tuple[str, str], ...] = (
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
)
_TEXT_PARTS = {
    XLSX: re.compile(r"xl/(?:sharedStrings|worksheets/sheet\d+|comments\d*|"
                     r"threadedComments/threadedComment\d+)\.xml"),
    PPTX: re.compile(r"ppt/(?:slides/slide|notesSlides/notesSlide|comments/comment)\d*\.xml"),
}
# Text elements: <t> in SpreadsheetML (shared and inline strings, comments), <a:t> in
# DrawingML (slides, notes).
_T = re.compile(r"\{[^}]*\}t")
# No DTDs, no entities, no network: these parts come from whoever sent the request.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False)

_W_P = qn("w:p")
_W_R = qn("w:r")
_W_T = qn("w:t")
_W_DEL_TEXT = qn("w:delText")
_W_TAB = qn("w:tab")
_W_BREAKS = (qn("w:br"), qn("w:cr"))
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# DOCX parts besides the main document that hold text people write.
_DOCX_TEXT_PARTS = ("/word/header", "/word/footer", "/word/footnotes", "/word/endnotes",
                    "/word/comments")


def kind_of(names: set[str]) -> str | None:
    return next((kind for member, kind in KINDS if member in names), None)


def text_parts(kind: str, names: list[str]) -> list[str]:
    """The members whose text ``document_text`` reads (DOCX: read by python-docx)."""
    if kind == DOCX:
        return [n for n in names if n == "word/document.xml"
                or ("/" + n).startswith(_DOCX_TEXT_PARTS)]
    pattern = _TEXT_PARTS[kind]
    return [n for n in names if pattern.fullmatch(n)]


def document_text(kind: str, data: bytes, archive: zipfile.ZipFile) -> str:
    """Raises on a broken document (python-docx and lxml raise many types)."""
    if kind == DOCX:
        return _docx_text(data)
    lines: list[str] = []
    for name in sorted(text_parts(kind, archive.namelist()), key=_natural):
        root = etree.fromstring(archive.read(name), _PARSER)
        lines.extend(el.text or "" for el in root.iter() if isinstance(el.tag, str)
                     and _T.fullmatch(el.tag))
    return "\n".join(lines)


def _natural(name: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


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
