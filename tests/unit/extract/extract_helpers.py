"""Shared helpers for the extraction tests."""

from __future__ import annotations

import difflib
import io
import re
from pathlib import Path

import docx

from aipolicy.extract import BodyInput, extract
from aipolicy.model import Extraction

BODIES = Path(__file__).resolve().parents[2] / "fixtures" / "bodies"
MAX = 10 * 1024 * 1024
JSON_LITERAL = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def fixture(name: str) -> bytes:
    return (BODIES / name).read_bytes()


def run(
    body: bytes,
    host: str = "api.example.com",
    path: str = "/",
    content_type: str = "application/json",
    method: str = "POST",
    max_bytes: int = MAX,
) -> Extraction:
    return extract(BodyInput(method, host, path, content_type, "", body), max_bytes=max_bytes)


def changed_region(old: bytes, new: bytes) -> tuple[int, int, int]:
    """(start, old_end, new_end) of the one region where ``new`` differs from ``old``."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < limit - prefix
        and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    return prefix, len(old) - suffix, len(new) - suffix


def literal_spans(body: bytes) -> list[tuple[int, int]]:
    """Spans of the top-level JSON string literals of a JSON body."""
    return [m.span() for m in JSON_LITERAL.finditer(body)]


def assert_only_inside(body: bytes, out: bytes, spans: list[tuple[int, int]]) -> None:
    """Every byte outside one of ``spans`` (of ``body``) is unchanged in ``out``: one
    changed region, or (an object key written back wherever it occurs) several, each
    inside a span."""
    start, old_end, _ = changed_region(body, out)
    if any(s <= start and old_end <= e for s, e in spans):
        return
    matcher = difflib.SequenceMatcher(None, body, out, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            assert any(s <= i1 and i2 <= e for s, e in spans), (
                f"bytes changed outside a literal: [{i1}:{i2}]")


def make_docx(paragraphs: list[str], table: list[list[str]], header: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    grid = document.add_table(rows=len(table), cols=len(table[0]))
    for r, row in enumerate(table):
        for col, text in enumerate(row):
            grid.cell(r, col).text = text
    document.sections[0].header.paragraphs[0].text = header
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def multipart(parts: list[tuple[dict[str, str], bytes]], boundary: str) -> bytes:
    """A multipart/form-data body from (headers, content) pairs, CRLF line ends."""
    out = bytearray()
    for headers, content in parts:
        out += b"--" + boundary.encode() + b"\r\n"
        for name, value in headers.items():
            out += f"{name}: {value}\r\n".encode()
        out += b"\r\n" + content + b"\r\n"
    out += b"--" + boundary.encode() + b"--\r\n"
    return bytes(out)
