"""File text: sniffing, PDF, DOCX, and uploads (multipart and raw PUT) with write-back."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
from extract_helpers import changed_region, fixture, make_docx, multipart, run
from pypdf import PdfWriter

from aipolicy.extract import files
from aipolicy.extract.multipart import parse_multipart

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PDF = fixture("sample.pdf")
PDF_TEXT = ("Quarterly review - confidential\n"
            "Contact: Jane Roe, jane.roe@example.org, +1 415 555 0142\n"
            "Server password: hunter2-Example")
LIMIT = 1 << 20


def _docx() -> bytes:
    return make_docx(["Offer letter for Max Mustermann", "Salary: 85,000 EUR"],
                     [["IBAN", "DE89 3704 0044 0532 0130 00"], ["Phone", "+49 30 1234567"]],
                     header="Strictly confidential")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(("data", "declared", "codec", "text"), [
    (b"plain ascii\n", "", "utf-8", "plain ascii\n"),
    ("Grüße, Jürgen\n".encode(), "application/octet-stream", "utf-8", "Grüße, Jürgen\n"),
    ("\ufeffa,b\n1,2\n".encode(), "", "utf-8", "a,b\n1,2\n"),
    ("\ufeffHallo Jürgen".encode("utf-16-le"), "", "utf-16-le", "Hallo Jürgen"),
    ("\ufeffHallo".encode("utf-16-be"), "", "utf-16-be", "Hallo"),
    ("no BOM, still UTF-16".encode("utf-16-le"), "", "utf-16-le", "no BOM, still UTF-16"),
    ("Caf\u00e9 \u20ac5".encode("cp1252"), "text/plain", "cp1252", "Café €5"),
    (b'{"k": "v"}', "application/json", "utf-8", '{"k": "v"}'),
])
def test_text_is_sniffed(data: bytes, declared: str, codec: str, text: str) -> None:
    result = files.read_file(data, declared, LIMIT)
    assert isinstance(result, files.FileText)
    assert (result.kind, result.codec, result.text) == ("text", codec, text)
    assert result.encode(result.text) == data  # written back exactly, BOM included


@pytest.mark.parametrize(("data", "description"), [
    (PNG, "binary upload image/png"),
    (b"\xff\xd8\xff\xe0" + bytes(range(256)), "binary upload image/jpeg"),
    (bytes(range(256)) * 4, "binary upload application/x-custom"),
    (_zip({"a.bin": b"\x00\x01"}), "binary upload application/zip"),
    (_zip({"xl/workbook.xml": b"<workbook/>"}),
     "binary upload application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"%PDF-1.4\n garbage", "unreadable upload application/pdf"),
    (b"PK\x03\x04 not really a zip", "unreadable upload application/zip"),
])
def test_binaries_are_described(data: bytes, description: str) -> None:
    result = files.read_file(data, "application/x-custom", LIMIT)
    assert isinstance(result, files.Opaque)
    assert result.describe("upload") == description


def test_pdf_text() -> None:
    result = files.read_file(PDF, "application/octet-stream", LIMIT)
    assert isinstance(result, files.FileText)
    assert (result.kind, result.redactable) == ("pdf", False)
    assert result.text.strip() == PDF_TEXT


def test_encrypted_and_textless_pdfs() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(PDF))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    assert files.read_file(locked.getvalue(), "", LIMIT) == files.Opaque(files.PDF, "encrypted")
    # Owner password only: opens with the empty user password, text is readable.
    writer = PdfWriter(clone_from=io.BytesIO(PDF))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    owner_only = io.BytesIO()
    writer.write(owner_only)
    assert files.read_file(owner_only.getvalue(), "", LIMIT).text.strip() == PDF_TEXT
    blank = PdfWriter()
    blank.add_blank_page(200, 200)
    scanned = io.BytesIO()
    blank.write(scanned)
    assert files.read_file(scanned.getvalue(), "", LIMIT) == files.Opaque(files.PDF, "textless")


def test_docx_paragraphs_tables_and_header() -> None:
    result = files.read_file(_docx(), "application/octet-stream", LIMIT)
    assert isinstance(result, files.FileText)
    assert (result.kind, result.redactable) == ("docx", False)
    lines = result.text.split("\n")
    for expected in ("Offer letter for Max Mustermann", "Salary: 85,000 EUR", "IBAN",
                     "DE89 3704 0044 0532 0130 00", "+49 30 1234567", "Strictly confidential"):
        assert expected in lines


def test_docx_that_unpacks_too_large_is_not_opened() -> None:
    assert files.read_file(_docx(), "", 1000) == files.Opaque(files.DOCX, "oversized")


def test_text_over_the_limit() -> None:
    assert files.read_file(b"a" * 2000, "", 1000) == files.Opaque("text/plain", "oversized")


# ---------------------------------------------------------------------------- uploads
BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
CSV = b"name,email,card\nJane Roe,jane.roe@example.org,4111 1111 1111 1111\n"


def _upload_body() -> bytes:
    return multipart([
        ({"Content-Disposition": 'form-data; name="purpose"'}, b"assistants"),
        ({"Content-Disposition": 'form-data; name="note"'}, "Für Jürgen: call 555-0100".encode()),
        ({"Content-Disposition": 'form-data; name="file"; filename="C:\\Users\\jr\\people.csv"',
          "Content-Type": "text/csv"}, CSV),
        ({"Content-Disposition": 'form-data; name="file2"; filename="report.pdf"',
          "Content-Type": "application/pdf"}, PDF),
        ({"Content-Disposition": 'form-data; name="file3"; filename="offer.docx"',
          "Content-Type": "application/octet-stream"}, _docx()),
        ({"Content-Disposition": 'form-data; name="file4"; filename="logo.txt"',
          "Content-Type": "text/plain"}, PNG),  # lies about its type
        ({"Content-Disposition": 'form-data; name="meta"',
          "Content-Type": "application/json"}, b'{"title": "Q3 people list", "id": "x1"}'),
        ({"Content-Disposition": 'form-data; name="empty"; filename=""',
          "Content-Type": "application/octet-stream"}, b""),
    ], BOUNDARY)


def test_multipart_upload_segments() -> None:
    body = _upload_body()
    result = run(body, "api.openai.com", "/v1/files",
                 f"multipart/form-data; boundary={BOUNDARY}")
    assert result.adapter == "multipart"
    got = [(s.where, s.role, s.redactable) for s in result.segments]
    assert got == [
        ("note", "field", True),
        ("file:people.csv", "file", True),
        ("file:report.pdf", "file", False),
        ("file:offer.docx", "file", False),
        ("meta.title", "field", True),
    ]
    assert result.segments[0].text == "Für Jürgen: call 555-0100"
    assert result.segments[1].text == CSV.decode()
    assert result.segments[2].text.strip() == PDF_TEXT
    assert "Max Mustermann" in result.segments[3].text
    assert result.segments[4].text == "Q3 people list"
    assert result.uninspectable == ("binary upload image/png",)


def test_multipart_rewrite_keeps_every_other_part_byte_identical() -> None:
    body = _upload_body()
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    result = run(body, "api.openai.com", "/v1/files", content_type)
    new_csv = "name,email,card\n<PERSON>,<EMAIL>,<CARD>\n"
    out = result.rewrite({1: new_csv, 4: "<TITLE>", 0: "Für <PERSON>"})
    old_parts = parse_multipart(body, content_type)
    new_parts = parse_multipart(out, content_type)
    assert len(old_parts) == len(new_parts)
    for old, new in zip(old_parts, new_parts, strict=True):
        assert (old.name, old.filename, old.content_type) == (new.name, new.filename,
                                                              new.content_type)
        old_bytes, new_bytes = body[old.start : old.end], out[new.start : new.end]
        if old.name == "file":
            assert new_bytes == new_csv.encode()
        elif old.name == "meta":
            assert new_bytes == b'{"title": "<TITLE>", "id": "x1"}'
        elif old.name == "note":
            assert new_bytes == "Für <PERSON>".encode()
        else:
            assert new_bytes == old_bytes
    # Headers and boundaries in between are untouched: only the contents moved.
    assert out.count(BOUNDARY.encode()) == body.count(BOUNDARY.encode())


def test_raw_put_of_a_utf16_text_file() -> None:
    data = "\ufeffname;iban\nJane;DE89 3704 0044 0532 0130 00\n".encode("utf-16-le")
    result = run(data, "files.oaiusercontent.com", "/file-abc123", "text/csv", method="PUT")
    assert result.adapter == "blob-upload"
    (segment,) = result.segments
    assert (segment.where, segment.role, segment.redactable) == ("file:upload", "file", True)
    assert segment.text == "name;iban\nJane;DE89 3704 0044 0532 0130 00\n"
    out = result.rewrite({0: "name;iban\nJane;<IBAN>\n"})
    assert out == "\ufeffname;iban\nJane;<IBAN>\n".encode("utf-16-le")


@pytest.mark.parametrize(("data", "segments", "uninspectable"), [
    (PDF, 1, ()),
    (PNG, 0, ("binary upload image/png",)),
])
def test_raw_put_of_binaries(data: bytes, segments: int, uninspectable: tuple) -> None:
    result = run(data, "acct.blob.core.windows.net", "/c/file-x", "application/octet-stream",
                 method="PUT")
    assert len(result.segments) == segments
    assert all(not s.redactable for s in result.segments)
    assert result.uninspectable == uninspectable


def test_multipart_with_lf_line_ends_and_rfc5987_filename() -> None:
    body = (b"--b\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"; "
            b"filename*=UTF-8''J%C3%BCrgen.txt\n\nhello J\xc3\xbcrgen\n--b--\n")
    result = run(body, "claude.ai", "/api/org/upload", 'multipart/form-data; boundary="b"')
    assert [(s.where, s.text) for s in result.segments] == [("file:Jürgen.txt", "hello Jürgen")]
    out = result.rewrite({0: "hello <PERSON>"})
    start, old_end, new_end = changed_region(body, out)
    assert out[start:new_end] == b"<PERSON>" and body[start:old_end] == b"J\xc3\xbcrgen"


def test_broken_pdfs_log_nothing(caplog: pytest.LogCaptureFixture) -> None:
    broken = PDF.replace(b"/Type /Page ", b"/Type /Page /Secret-Jane-Roe [ ")
    with caplog.at_level("DEBUG"):
        result = files.read_file(PDF[:200] + PDF[260:], "", LIMIT)
        files.read_file(broken, "", LIMIT)
    assert isinstance(result, files.Opaque | files.FileText)
    assert caplog.records == []
