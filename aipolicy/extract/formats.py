"""Binary formats recognised by their structure, not by a magic number alone.

``identify`` names an image, audio or video file, or an archive this package cannot
open, only when more than its first bytes agree: the header fields after the magic
number must be consistent (a chunk checksum, a size that fits the file, a known header
length). Two bytes of ``BM`` in front of text do not make a bitmap. What is identified
here is out of the inspection's scope (``binary_uploads`` decides); anything else that
is not text is unreadable, and the request is refused.

``printable_runs`` pulls the readable strings out of such a file (ASCII and UTF-16LE,
like ``strings -el``): metadata, comments and anything appended after the image data,
so a key hidden in an image's comment is still found.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

MEDIA = "media"  # image, audio, video
ARCHIVE = "archive"  # an archive whose members cannot be read here


@dataclass(frozen=True)
class Format:
    mime: str
    kind: str  # MEDIA | ARCHIVE


def _be32(data: bytes, at: int) -> int:
    return struct.unpack_from(">I", data, at)[0] if len(data) >= at + 4 else -1


def _le32(data: bytes, at: int) -> int:
    return struct.unpack_from("<I", data, at)[0] if len(data) >= at + 4 else -1


def _png(data: bytes) -> bool:
    # The IHDR chunk comes first: length 13, type, 13 bytes, CRC over type + data.
    return (data[8:16] == b"\x00\x00\x00\x0dIHDR" and len(data) >= 33
            and zlib.crc32(data[12:29]) == _be32(data, 29))


def _jpeg(data: bytes) -> bool:
    # SOI, then a marker segment (APPn, DQT, DHT, SOF, COM...) whose length fits.
    if len(data) < 6 or data[3] < 0xC0 or data[3] in (0xD8, 0xD9, 0xFF):
        return False
    length = (data[4] << 8) | data[5]
    return 2 <= length <= len(data) - 4


def _gif(data: bytes) -> bool:
    # Logical screen of a non-zero size, and the trailer byte at the end.
    return (len(data) >= 14 and data[6:10] != b"\x00\x00\x00\x00"
            and data.rstrip(b"\x00")[-1:] == b";")


def _riff(form: bytes, first_chunks: tuple[bytes, ...]) -> Callable[[bytes], bool]:
    """RIFF: a size that fits the file, the form type, a known first chunk."""
    def check(data: bytes) -> bool:
        size = _le32(data, 4)
        return 4 <= size <= len(data) and data[8:12] == form and data[12:16] in first_chunks
    return check


def _bmp(data: bytes) -> bool:
    size, offset, header = _le32(data, 2), _le32(data, 10), _le32(data, 14)
    return (14 < size <= len(data) + 16 and data[6:10] == b"\x00\x00\x00\x00"
            and header in (12, 16, 40, 52, 56, 64, 108, 124) and 14 + header <= offset < size)


def _tiff(data: bytes) -> bool:
    unpack = "<I" if data[:2] == b"II" else ">I"
    return len(data) >= 8 and 8 <= struct.unpack_from(unpack, data, 4)[0] < len(data)


def _ftyp(data: bytes) -> bool:
    # ISO base media (MP4, MOV, HEIC, AVIF, M4A): the first box is "ftyp" with a size that
    # fits and a brand of four printable characters.
    size = _be32(data, 0)
    brand = data[8:12]
    return (16 <= size <= min(len(data), 4096) and len(brand) == 4
            and all(0x20 <= b < 0x7F for b in brand))


def _ebml(data: bytes) -> bool:
    # Matroska/WebM: the EBML header names its document type near the start.
    head = data[4:64]
    return b"\x42\x82" in head and (b"webm" in head or b"matroska" in head)


def _mp3(data: bytes) -> bool:
    if data[:3] == b"ID3":  # ID3v2 tag: version 2-4, a syncsafe size
        return len(data) >= 10 and data[3] in (2, 3, 4) and all(b < 0x80 for b in data[6:10])
    # An MPEG audio frame header: valid version, layer, bitrate and sample rate bits.
    if len(data) < 4:
        return False
    b1, b2 = data[1], data[2]
    return ((b1 & 0x18) != 0x08 and (b1 & 0x06) != 0 and (b2 >> 4) not in (0, 15)
            and (b2 >> 2) & 3 != 3)


def _ogg(data: bytes) -> bool:
    # Page header: version 0, known flags; the next page (if any) starts where the
    # segment table says this one ends.
    if len(data) < 27 or data[4] != 0 or data[5] > 7:
        return False
    count = data[26]
    if len(data) < 27 + count:
        return False
    end = 27 + count + sum(data[27 : 27 + count])
    return end == len(data) or data[end : end + 4] == b"OggS"


def _flac(data: bytes) -> bool:
    # The first metadata block is STREAMINFO, 34 bytes long.
    return len(data) >= 8 and data[4] & 0x7F == 0 and data[5:8] == b"\x00\x00\x22"


def _seven_zip(data: bytes) -> bool:
    # Signature header: version, then the CRC of the next 20 bytes.
    return len(data) >= 32 and data[6] == 0 and zlib.crc32(data[12:32]) == _le32(data, 8)


def _rar(data: bytes) -> bool:
    return data[6:7] == b"\x00" or data[6:8] == b"\x01\x00"


# (magic at offset 0 or (offset, magic), format, structural check). The checks are
# deliberately lenient about everything except what text after a magic number would get
# wrong: ``read_file`` tries text first, so these only judge bytes that are not text.
_FORMATS: tuple[tuple[bytes | tuple[int, bytes], Format, Callable[[bytes], bool]], ...] = (
    (b"\x89PNG\r\n\x1a\n", Format("image/png", MEDIA), _png),
    (b"\xff\xd8\xff", Format("image/jpeg", MEDIA), _jpeg),
    (b"GIF87a", Format("image/gif", MEDIA), _gif),
    (b"GIF89a", Format("image/gif", MEDIA), _gif),
    (b"RIFF", Format("image/webp", MEDIA), _riff(b"WEBP", (b"VP8 ", b"VP8L", b"VP8X"))),
    (b"RIFF", Format("audio/wav", MEDIA), _riff(b"WAVE", (b"fmt ", b"JUNK", b"LIST", b"bext"))),
    (b"RIFF", Format("video/x-msvideo", MEDIA), _riff(b"AVI ", (b"LIST", b"JUNK"))),
    (b"BM", Format("image/bmp", MEDIA), _bmp),
    (b"II*\x00", Format("image/tiff", MEDIA), _tiff),
    (b"MM\x00*", Format("image/tiff", MEDIA), _tiff),
    ((4, b"ftypheic"), Format("image/heic", MEDIA), _ftyp),
    ((4, b"ftypheix"), Format("image/heic", MEDIA), _ftyp),
    ((4, b"ftypmif1"), Format("image/heif", MEDIA), _ftyp),
    ((4, b"ftypavif"), Format("image/avif", MEDIA), _ftyp),
    ((4, b"ftypM4A "), Format("audio/mp4", MEDIA), _ftyp),
    ((4, b"ftyp"), Format("video/mp4", MEDIA), _ftyp),
    (b"\x1a\x45\xdf\xa3", Format("video/webm", MEDIA), _ebml),
    (b"ID3", Format("audio/mpeg", MEDIA), _mp3),
    (b"\xff\xfb", Format("audio/mpeg", MEDIA), _mp3),
    (b"\xff\xf3", Format("audio/mpeg", MEDIA), _mp3),
    (b"\xff\xf2", Format("audio/mpeg", MEDIA), _mp3),
    (b"OggS", Format("audio/ogg", MEDIA), _ogg),
    (b"fLaC", Format("audio/flac", MEDIA), _flac),
    (b"7z\xbc\xaf\x27\x1c", Format("application/x-7z-compressed", ARCHIVE), _seven_zip),
    (b"Rar!\x1a\x07", Format("application/vnd.rar", ARCHIVE), _rar),
)


def identify(data: bytes) -> Format | None:
    """The format of ``data`` when its structure confirms its magic number, else None."""
    for magic, fmt, check in _FORMATS:
        offset, value = magic if isinstance(magic, tuple) else (0, magic)
        if data[offset : offset + len(value)] == value and check(data):
            return fmt
    return None


# Runs of printable characters long enough to hold a key (the shortest common formats
# have 16-20 characters), in ASCII and in UTF-16LE.
_RUN = 16
_MARK = b"a"
_PRINTABLE = bytes(0x61 if b == 0x09 or 0x20 <= b <= 0x7E else 0 for b in range(256))
_ZERO = bytes(0x61 if b == 0 else 0 for b in range(256))


def printable_runs(data: bytes) -> str:
    """The readable strings of a binary file, one per line. Runs are looked for in a
    mask of the data (one translate, then ``bytes.find`` jumps at C speed), not by a
    regex at every position: a megabyte of image data costs a few milliseconds."""
    runs = [data[start:end].decode("ascii")
            for start, end in _runs(data.translate(_PRINTABLE))]
    for align in (0, 1):  # UTF-16LE: a printable low byte, then a zero byte
        low, high = data[align::2], data[align + 1::2]
        size = len(high)
        if size < _RUN:
            continue
        both = (int.from_bytes(low[:size].translate(_PRINTABLE), "big")
                & int.from_bytes(high.translate(_ZERO), "big")).to_bytes(size, "big")
        runs.extend(data[align + 2 * start : align + 2 * end].decode("utf-16-le")
                    for start, end in _runs(both))
    return "\n".join(runs)


def _runs(mask: bytes) -> list[tuple[int, int]]:
    """(start, end) of every run of at least ``_RUN`` marks."""
    out = []
    needle = _MARK * _RUN
    start = mask.find(needle)
    while start >= 0:
        end = mask.find(b"\x00", start)
        end = len(mask) if end < 0 else end
        out.append((start, end))
        start = mask.find(needle, end)
    return out
