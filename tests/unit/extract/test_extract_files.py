"""File text: sniffing, PDF, DOCX, and uploads (multipart and raw PUT) with write-back."""

from __future__ import annotations

import base64
import codecs
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


JPEG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + bytes(range(256)) * 2 + b"\xff\xd9")
RANDOM = bytes((i * 7919 + 13) % 251 for i in range(4096))  # binary, no known format


@pytest.mark.parametrize(("data", "description"), [
    (PNG, "media upload image/png"),
    (JPEG, "media upload image/jpeg"),
    (RANDOM, "unknown upload application/x-custom"),
    (_zip({"xl/workbook.xml": b"<workbook/>"}),
     "textless upload application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"%PDF-1.4\n" + RANDOM, "unreadable upload application/pdf"),
    (b"PK\x03\x04" + RANDOM, "unreadable upload application/zip"),
    (b"\x1f\x8b\x08\x00" + RANDOM, "unreadable upload application/gzip"),
])
def test_binaries_are_described(data: bytes, description: str) -> None:
    result = files.read_file(data, "application/x-custom", LIMIT)
    assert isinstance(result, files.Opaque)
    assert result.describe("upload") == description
    # Images and sounds are out of scope; a file that does not parse is refused.
    assert result.identified == (description.split()[0] in ("media", "textless"))


SECRET = "AKIAZ3MHQ7TXKRV4PWUN"
TEXT = f"Notes for the deploy. key {SECRET}\n"


@pytest.mark.parametrize("magic", [
    b"BM", b"MZ", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a",
    b"PK\x03\x04", b"\x1f\x8b\x08", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07\x00", b"OggS",
    b"ID3\x03\x00", b"\x7fELF", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"II*\x00", b"fLaC",
    b"RIFF\x24\x00\x00\x00WEBPVP8 ", b"\x00\x00\x00\x18ftypmp42",
])
def test_text_behind_a_magic_number_is_text(magic: bytes) -> None:
    """The first bytes of a format followed by text are text: a format is believed only
    after a real parse or a structural check."""
    result = files.read_file(magic + TEXT.encode(), "image/png", LIMIT)
    assert isinstance(result, files.FileText), result
    assert SECRET in result.text


def test_pdf_marker_inside_text_is_text() -> None:
    data = ("A note about file formats: every PDF starts with %PDF-1.7 and ends with %%EOF.\n"
            + TEXT).encode()
    result = files.read_file(data, "text/plain", LIMIT)
    assert isinstance(result, files.FileText) and result.kind == "text"
    assert result.encode(result.text) == data


SAMPLE = "客户 名单：王伟，电话 13800138000。Ключ: " + SECRET + "。这是一个测试。" * 3


@pytest.mark.parametrize(("codec", "bom"), [
    ("utf-16-le", b""), ("utf-16-be", b""), ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-32-le", b""), ("utf-32-be", b""),
    ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE),
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""),
])
@pytest.mark.parametrize("text", [
    SAMPLE, "Привет, это Иван Петров. " * 4 + SECRET, "这是一个没有任何拉丁字母的中文文本" * 5,
    "Πελάτης: Γιώργος Παπαδόπουλος, κλειδί " + SECRET,
])
def test_unicode_text_with_and_without_bom(codec: str, bom: bytes, text: str) -> None:
    if codec == "gb18030" and not text.startswith(("客户", "这是")):
        return  # a legacy encoding is guessed: only the Chinese texts are meant for it
    data = bom + text.encode(codec)
    result = files.read_file(data, "", LIMIT)
    assert isinstance(result, files.FileText), (codec, result)
    assert result.text == text
    assert result.encode(result.text) == data  # written back exactly, BOM included


def test_random_bytes_are_not_text() -> None:
    import random

    r = random.Random(5)
    for size in (64, 1000, 65536):
        for _ in range(20):
            data = bytes(r.getrandbits(8) for _ in range(size))
            result = files.read_file(data, "", LIMIT)
            assert isinstance(result, files.Opaque) and result.reason == "unknown"


def test_media_strings_are_kept_for_a_secret_scan() -> None:
    hidden = PNG[:-12] + b"tEXtComment\x00deploy key " + SECRET.encode() + PNG[-12:]
    result = files.read_file(hidden, "", LIMIT)
    assert isinstance(result, files.Opaque) and result.is_media
    assert SECRET in result.strings
    appended = files.read_file(PNG + ("\n" + TEXT).encode("utf-16-le"), "", LIMIT)
    assert isinstance(appended, files.Opaque) and SECRET in appended.strings


def test_archives_are_read_member_by_member() -> None:
    import gzip
    import tarfile

    archive = _zip({"notes.txt": TEXT.encode(), "img.png": PNG,
                    "inner.zip": _zip({"deep.txt": b"deeper text"})})
    result = files.read_file(archive, "", LIMIT)
    assert isinstance(result, files.FileText) and result.kind == "zip"
    assert SECRET in result.text and "deeper text" in result.text and not result.redactable
    assert [p.describe("x") for p in result.parts] == ["media x image/png"]
    unknown = files.read_file(_zip({"blob.bin": RANDOM}), "", LIMIT)
    assert [p.describe("x") for p in unknown.parts] == ["unknown x application/octet-stream"]
    packed = files.read_file(gzip.compress(TEXT.encode("utf-16")), "", LIMIT)
    assert isinstance(packed, files.FileText) and SECRET in packed.text
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo("a.txt")
        info.size = len(TEXT)
        tar.addfile(info, io.BytesIO(TEXT.encode()))
    tarred = files.read_file(out.getvalue(), "", LIMIT)
    assert isinstance(tarred, files.FileText) and SECRET in tarred.text


def test_encrypted_zip_member_is_unreadable() -> None:
    archive = bytearray(_zip({"a.txt": TEXT.encode()}))
    archive[6] |= 1  # the local header's "encrypted" flag
    central = archive.rindex(b"PK\x01\x02")
    archive[central + 8] |= 1  # and the central directory's
    result = files.read_file(bytes(archive), "", LIMIT)
    assert [p.describe("x") for p in result.parts] == ["encrypted x application/octet-stream"]


def test_office_package_parts_are_scanned_for_secrets_only() -> None:
    document = io.BytesIO(_docx())
    with zipfile.ZipFile(document, "a") as archive:
        archive.writestr("customXml/item9.xml", f"<x>{SECRET}</x>")
        archive.writestr("word/printerSettings1.bin", RANDOM)
    result = files.read_file(document.getvalue(), "", LIMIT)
    assert isinstance(result, files.FileText) and result.kind == "docx"
    assert SECRET not in result.text and SECRET in result.extra
    assert result.parts == ()  # a binary part of the format is not refused


def test_xlsx_and_pptx_text() -> None:
    sheet = _zip({
        "xl/workbook.xml": b"<workbook/>",
        "xl/sharedStrings.xml": b'<sst xmlns="urn:s"><si><t>Jane Roe</t></si>'
                                b"<si><t>jane.roe@example.org</t></si></sst>",
        "xl/worksheets/sheet1.xml": b'<worksheet xmlns="urn:s"><sheetData><row><c t="inlineStr">'
                                    b"<is><t>inline cell</t></is></c></row></sheetData>"
                                    b"</worksheet>",
    })
    result = files.read_file(sheet, "", LIMIT)
    assert isinstance(result, files.FileText) and result.kind == "xlsx"
    assert result.text.split("\n") == ["Jane Roe", "jane.roe@example.org", "inline cell"]
    slides = _zip({
        "ppt/presentation.xml": b"<presentation/>",
        "ppt/slides/slide1.xml": b'<sld xmlns:a="urn:a"><a:t>Q3 numbers</a:t></sld>',
    })
    assert files.read_file(slides, "", LIMIT).text == "Q3 numbers"


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
    textless = files.read_file(scanned.getvalue(), "", LIMIT)
    assert textless == files.Opaque(files.PDF, "textless") and textless.identified
    assert "/MediaBox" in textless.strings  # its (text) source is scanned for secrets


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
    got = [(s.where, s.role, s.redactable, s.scope) for s in result.segments]
    assert got == [
        # field names that are not known words, and file names, are read (not rewritten)
        ("note.(key)", "field", False, "all"),
        ("note", "field", True, "all"),
        ("file:people.csv.(name)", "file", False, "all"),
        ("file:people.csv", "file", True, "all"),
        ("file2.(key)", "field", False, "all"),
        ("file:report.pdf.(name)", "file", False, "all"),
        ("file:report.pdf", "file", False, "all"),
        ("file:report.pdf", "file", False, "secrets"),  # the PDF's source is text
        ("file3.(key)", "field", False, "all"),
        ("file:offer.docx.(name)", "file", False, "all"),
        ("file:offer.docx", "file", False, "all"),
        ("file:offer.docx", "file", False, "secrets"),  # the package's other parts
        ("file4.(key)", "field", False, "all"),
        ("file:logo.txt.(name)", "file", False, "all"),
        ("meta.(key)", "field", False, "all"),
        ("meta.title", "field", True, "all"),
        ("empty.(key)", "field", False, "all"),
    ]
    texts = {s.where: s.text for s in result.segments if s.scope == "all"}
    assert texts["note"] == "Für Jürgen: call 555-0100"
    assert texts["file:people.csv"] == CSV.decode()
    assert texts["file:people.csv.(name)"] == "C:\\Users\\jr\\people.csv"
    assert texts["file:report.pdf"].strip() == PDF_TEXT
    assert "Max Mustermann" in texts["file:offer.docx"]
    assert texts["meta.title"] == "Q3 people list"
    assert result.uninspectable == ()
    assert result.media == ("media upload image/png",)  # a PNG that calls itself text


def test_multipart_rewrite_keeps_every_other_part_byte_identical() -> None:
    body = _upload_body()
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    result = run(body, "api.openai.com", "/v1/files", content_type)
    new_csv = "name,email,card\n<PERSON>,<EMAIL>,<CARD>\n"
    index = {s.where: i for i, s in enumerate(result.segments) if s.redactable}
    out = result.rewrite({index["file:people.csv"]: new_csv, index["meta.title"]: "<TITLE>",
                          index["note"]: "Für <PERSON>"})
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


@pytest.mark.parametrize(("data", "scopes", "media", "uninspectable"), [
    (PDF, ["all", "secrets"], (), ()),
    (PNG, [], ("media upload image/png",), ()),
    (RANDOM, [], (), ("unknown upload application/octet-stream",)),
])
def test_raw_put_of_binaries(data: bytes, scopes: list, media: tuple,
                             uninspectable: tuple) -> None:
    result = run(data, "acct.blob.core.windows.net", "/c/file-x", "application/octet-stream",
                 method="PUT")
    assert [s.scope for s in result.segments] == scopes
    assert all(not s.redactable for s in result.segments)
    assert (result.media, result.uninspectable) == (media, uninspectable)


def test_multipart_with_lf_line_ends_and_rfc5987_filename() -> None:
    body = (b"--b\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"; "
            b"filename*=UTF-8''J%C3%BCrgen.txt\n\nhello J\xc3\xbcrgen\n--b--\n")
    result = run(body, "claude.ai", "/api/org/upload", 'multipart/form-data; boundary="b"')
    assert [(s.where, s.text) for s in result.segments] == [
        ("f.(key)", "f"), ("file:Jürgen.txt.(name)", "Jürgen.txt"),
        ("file:Jürgen.txt", "hello Jürgen")]
    out = result.rewrite({2: "hello <PERSON>"})
    start, old_end, new_end = changed_region(body, out)
    assert out[start:new_end] == b"<PERSON>" and body[start:old_end] == b"J\xc3\xbcrgen"


def test_broken_pdfs_log_nothing(caplog: pytest.LogCaptureFixture) -> None:
    broken = PDF.replace(b"/Type /Page ", b"/Type /Page /Secret-Jane-Roe [ ")
    with caplog.at_level("DEBUG"):
        result = files.read_file(PDF[:200] + PDF[260:], "", LIMIT)
        files.read_file(broken, "", LIMIT)
    assert isinstance(result, files.Opaque | files.FileText)
    assert caplog.records == []


def test_text_outside_the_parts_and_extra_part_headers_are_read() -> None:
    """A preamble, an epilogue and a part's other header lines reach the server too."""
    body = (b"preamble: aws_access_key_id=AKIAZ3MHQ7TXKRV4PWUN\r\n--b\r\n"
            b"Content-Disposition: form-data; name=\"q\"\r\nX-Note: ghp_token-in-a-header\r\n"
            b"Content-Type: text/plain; x=1\r\n\r\nhello\r\n--b--\r\nepilogue text\r\n")
    result = run(body, "api.openai.com", "/v1/files", 'multipart/form-data; boundary="b"')
    got = [(s.where, s.text, s.redactable, s.scope) for s in result.segments]
    assert got == [
        ("(preamble)", "preamble: aws_access_key_id=AKIAZ3MHQ7TXKRV4PWUN\r\n", False, "all"),
        ("(epilogue)", "\r\nepilogue text\r\n", False, "all"),
        ("q.(headers)", "X-Note: ghp_token-in-a-header\nContent-Type: text/plain; x=1",
         False, "secrets"),
        ("q", "hello", True, "all"),
    ]
    binary = RANDOM + b"\r\n--b\r\nContent-Disposition: form-data; name=\"q\"" \
        b"\r\n\r\nhi\r\n--b--\r\n"
    result = run(binary, "api.openai.com", "/v1/files", "multipart/form-data; boundary=b")
    assert result.uninspectable == ("unknown preamble application/octet-stream",)
