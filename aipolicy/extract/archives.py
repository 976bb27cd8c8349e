"""Archives and compressed files, opened for real and unpacked member by member (bounded).

A ZIP (and the Office documents that are ZIPs), a tar file, gzip, bzip2 and xz are
opened with their libraries; a file that only starts like one is not one. The members
come back as bytes for the file reader to read, one level deeper.
"""

from __future__ import annotations

import bz2
import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from . import office

# Unpacked size an archive may have, relative to the inspection limit.
EXPANSION = 4
# Members read at most; an archive with more is refused (a "zip of many files" bomb).
MAX_MEMBERS = 2000
_CHUNK = 64 * 1024


class ArchiveError(Exception):
    """A broken archive, or one that unpacks past the limit. ``reason`` is
    ``unreadable`` or ``oversized``; ``office_kind`` the Office type when known."""

    def __init__(self, reason: str, office_kind: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.office_kind = office_kind


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes | None  # None: could not be unpacked (``problem`` says why)
    problem: str = ""  # "encrypted" | "unreadable"

    def __repr__(self) -> str:  # a member name can carry personal data
        return f"Member({len(self.data or b'')} bytes {self.problem})"


@dataclass(frozen=True)
class Zip:
    office_kind: str | None  # DOCX/XLSX/PPTX media type, or None for a plain ZIP
    document_text: str  # an Office document's text ("" for a plain ZIP)
    members: tuple[Member, ...]  # every other member


def decompress(data: bytes, limit: int) -> bytes | None:
    """The content of a gzip, bzip2 or xz file, or None when ``data`` is none of them.
    Raises ArchiveError when it is broken or unpacks past ``limit``."""
    if data.startswith(b"\x1f\x8b"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif data.startswith(b"BZh"):
        decoder = bz2.BZ2Decompressor()
    elif data.startswith(b"\xfd7zXZ\x00"):
        decoder = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    else:
        return None
    out = bytearray()
    try:
        for i in range(0, len(data), _CHUNK):
            out += decoder.decompress(data[i : i + _CHUNK])
            if len(out) > limit:
                raise ArchiveError("oversized")
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError):
        raise ArchiveError("unreadable") from None
    if not decoder.eof:
        raise ArchiveError("unreadable")
    return bytes(out)


def is_zip(data: bytes) -> bool:
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def read_zip(data: bytes, limit: int) -> Zip:
    """Raises ArchiveError when zipfile cannot open ``data`` or it unpacks past the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise ArchiveError("unreadable") from None
    with archive:
        names = [info.filename for info in infos]
        kind = office.kind_of(set(names))
        # zipfile never inflates a member past its declared size: this bounds the work.
        if (len(infos) > MAX_MEMBERS
                or sum(info.file_size for info in infos) > limit * EXPANSION):
            raise ArchiveError("oversized", kind)
        text, read = "", set()
        if kind is not None:
            try:
                text = office.document_text(kind, data, archive)
            except Exception:  # noqa: BLE001 - python-docx/lxml raise many types
                raise ArchiveError("unreadable", kind) from None
            read = set(office.text_parts(kind, names))
        members = tuple(_zip_members(archive, infos, read))
    return Zip(kind, text, members)


def _zip_members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], skip: set[str]
                 ) -> Iterator[Member]:
    for info in infos:
        if info.is_dir() or info.filename in skip:
            continue
        if info.flag_bits & 0x1:
            yield Member(info.filename, None, "encrypted")
            continue
        try:
            yield Member(info.filename, archive.read(info))
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
                RuntimeError, zlib.error):
            yield Member(info.filename, None, "unreadable")


def is_tar(data: bytes) -> bool:
    """A POSIX tar header: "ustar" at 257 and a header checksum that adds up."""
    if len(data) < 512 or data[257:262] != b"ustar":
        return False
    try:
        stored = int(data[148:156].split(b"\x00")[0].strip() or b"-1", 8)
    except ValueError:
        return False
    return stored == sum(data[:148]) + 8 * 32 + sum(data[156:512])


def read_tar(data: bytes, limit: int) -> tuple[Member, ...]:
    members: list[Member] = []
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for count, info in enumerate(archive):
                if count >= MAX_MEMBERS:
                    raise ArchiveError("oversized")
                if not info.isfile():
                    continue
                total += info.size
                if total > limit * EXPANSION:
                    raise ArchiveError("oversized")
                handle = archive.extractfile(info)
                members.append(Member(info.name, handle.read() if handle else b""))
    except (tarfile.TarError, OSError, EOFError, ValueError):
        raise ArchiveError("unreadable") from None
    return tuple(members)
