"""Protocol Buffers bodies read without their schema (gRPC, gRPC-Web, Connect, plain).

Some AI clients (coding assistants, Google's apps) send protobuf instead of JSON. The
wire format can be walked without the .proto file: every length-delimited field is a
string, a nested message or bytes. Strings are what people type; nested messages are
walked; bytes are read as files. Nothing can be written back (lengths are encoded in
front of every field), so the text is read-only: a redaction there becomes a block. A
body that is not well-formed protobuf is not taken for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import archives
from .textcodec import control_budget

# Content types that carry protobuf, and those with gRPC-style message framing.
PROTOBUF_TYPES = frozenset({
    "application/x-protobuf", "application/protobuf", "application/proto",
    "application/vnd.google.protobuf", "application/x-google-protobuf",
    "application/grpc", "application/grpc+proto", "application/grpc-web",
    "application/grpc-web+proto", "application/connect+proto",
})
FRAMED_TYPES = frozenset({
    "application/grpc", "application/grpc+proto", "application/grpc-web",
    "application/grpc-web+proto", "application/connect+proto",
})
MAX_DEPTH = 32
MAX_FIELDS = 100_000
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


class NotProtobuf(Exception):
    """The bytes are not well-formed protobuf (fixed text)."""


@dataclass
class Reading:
    texts: list[str] = field(default_factory=list)  # string fields
    blobs: list[bytes] = field(default_factory=list)  # bytes fields that are not text


def read(body: bytes, media: str, limit: int) -> Reading:
    """Every string and bytes field of a protobuf body. Raises NotProtobuf."""
    reading = Reading()
    for message in (_frames(body, limit) if media in FRAMED_TYPES else [body]):
        _walk(message, reading, 0, [0])
    return reading


def _frames(body: bytes, limit: int) -> list[bytes]:
    """gRPC/Connect framing: 1 flag byte (bit 0: compressed, bit 7: trailers), a 4-byte
    length, the message."""
    out, pos = [], 0
    while pos < len(body):
        if pos + 5 > len(body):
            raise NotProtobuf("truncated frame header")
        flags, size = body[pos], int.from_bytes(body[pos + 1 : pos + 5], "big")
        message = body[pos + 5 : pos + 5 + size]
        if len(message) != size:
            raise NotProtobuf("truncated frame")
        pos += 5 + size
        if flags & 0x80:  # end-of-stream trailers (gRPC-Web, Connect): text, read as such
            out.append(b"")
            continue
        if flags & 0x01:
            try:
                message = archives.decompress(message, limit) or b""
            except archives.ArchiveError:
                raise NotProtobuf("compressed frame that cannot be read") from None
            if not message and size:
                raise NotProtobuf("compressed frame that cannot be read")
        out.append(message)
    return out


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise NotProtobuf("bad varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _walk(data: bytes, reading: Reading, depth: int, count: list[int]) -> None:
    """All fields of one message (raises NotProtobuf when ``data`` is not one)."""
    if depth > MAX_DEPTH:
        raise NotProtobuf("nested too deeply")
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        count[0] += 1
        if number == 0 or count[0] > MAX_FIELDS:
            raise NotProtobuf("bad field")
        if wire == 0:
            _, pos = _varint(data, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            size, pos = _varint(data, pos)
            chunk = data[pos : pos + size]
            if len(chunk) != size:
                raise NotProtobuf("truncated field")
            pos += size
            _length_delimited(chunk, reading, depth, count)
        else:
            raise NotProtobuf("unknown wire type")
        if pos > len(data):
            raise NotProtobuf("truncated field")


def _length_delimited(chunk: bytes, reading: Reading, depth: int, count: list[int]) -> None:
    """A string (UTF-8 with few control characters), else a nested message, else bytes."""
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and len(_CONTROL.findall(text)) <= control_budget(len(text)) // 4:
        if text.strip():
            reading.texts.append(text)
        return
    mark = (len(reading.texts), len(reading.blobs), count[0])
    try:
        _walk(chunk, reading, depth + 1, count)
    except NotProtobuf:
        del reading.texts[mark[0]:], reading.blobs[mark[1]:]
        count[0] = mark[2]
        reading.blobs.append(chunk)
