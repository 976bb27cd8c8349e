"""Content-Encoding decoding with a hard output cap.

Every decoder works incrementally and stops as soon as the output passes the cap, so a
small compressed body that expands to gigabytes (a "zip bomb") costs at most ``max_bytes``
of memory. Corrupt or truncated data is an error, never a silently shortened body: a
scanner that reads half a prompt would let the other half through.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable

import brotli
import zstandard

from .errors import BodyError

_CHUNK = 64 * 1024
# RFC 9659 recommends that HTTP zstd senders keep the window at 8 MiB; a larger window
# only lets a sender make us allocate more memory.
_ZSTD_MAX_WINDOW = 8 * 1024 * 1024

_TOO_LARGE = "request body is larger than the inspection limit"
_CORRUPT = "request body encoding is corrupt"
_TRUNCATED = "request body encoding is truncated"


class _Sink:
    """Collects decoded output and enforces the cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buf = bytearray()

    def add(self, chunk: bytes) -> None:
        self.buf += chunk
        if len(self.buf) > self.limit:
            raise BodyError(_TOO_LARGE)

    @property
    def room(self) -> int:
        """How much more output may be asked for (one byte more than allowed, to detect it)."""
        return self.limit + 1 - len(self.buf)


def _zlib_stream(data: bytes, wbits: int, sink: _Sink) -> bytes:
    """Inflate one zlib/gzip/raw stream; returns the input left after its end."""
    d = zlib.decompressobj(wbits=wbits)
    try:
        sink.add(d.decompress(data, sink.room))
        while d.unconsumed_tail and not d.eof:
            sink.add(d.decompress(d.unconsumed_tail, sink.room))
    except zlib.error as exc:
        raise BodyError(_CORRUPT) from exc
    if not d.eof:
        raise BodyError(_TRUNCATED)
    return d.unused_data


def _gzip(data: bytes, limit: int) -> bytes:
    sink = _Sink(limit)
    rest = data
    while True:  # a gzip body may hold several members, decoded one after another
        rest = _zlib_stream(rest, 16 + zlib.MAX_WBITS, sink)
        if not rest or not rest.strip(b"\x00"):  # trailing zero padding is tolerated
            return bytes(sink.buf)


def _deflate(data: bytes, limit: int) -> bytes:
    # HTTP "deflate" means a zlib stream, but some clients send raw deflate: a valid
    # zlib header (CM=8 and a header checksum divisible by 31) tells them apart.
    zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
    sink = _Sink(limit)
    rest = _zlib_stream(data, zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS, sink)
    if rest:
        raise BodyError(_CORRUPT)
    return bytes(sink.buf)


def _brotli(data: bytes, limit: int) -> bytes:
    sink = _Sink(limit)
    d = brotli.Decompressor()
    try:
        for i in range(0, len(data), _CHUNK):
            sink.add(d.process(data[i : i + _CHUNK], output_buffer_limit=_CHUNK))
            while not d.can_accept_more_data():
                sink.add(d.process(b"", output_buffer_limit=_CHUNK))
    except brotli.error as exc:
        raise BodyError(_CORRUPT) from exc
    if not d.is_finished():
        raise BodyError(_TRUNCATED)
    return bytes(sink.buf)


def _zstd(data: bytes, limit: int) -> bytes:
    sink = _Sink(limit)
    dctx = zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW)
    try:
        with dctx.stream_reader(io.BytesIO(data), read_across_frames=True) as reader:
            while chunk := reader.read(_CHUNK):
                sink.add(chunk)
        # The reader silently stops at a truncated frame. Walk the frames once more to
        # check that each one ends; this output is bounded by what the reader produced.
        rest = data
        while rest:
            frame = dctx.decompressobj()
            frame.decompress(rest)
            if not frame.eof:
                raise BodyError(_TRUNCATED)
            rest = frame.unused_data
    except zstandard.ZstdError as exc:
        raise BodyError(_CORRUPT) from exc
    return bytes(sink.buf)


_DECODERS: dict[str, Callable[[bytes, int], bytes]] = {
    "gzip": _gzip,
    "x-gzip": _gzip,
    "deflate": _deflate,
    "br": _brotli,
    "zstd": _zstd,
}


def decode_body(raw: bytes, content_encoding: str, max_bytes: int) -> bytes:
    """Undo every Content-Encoding of ``raw`` ("gzip", "br", chains like "gzip, br").

    Codings are listed in the order they were applied, so they are undone last first.
    Raises BodyError for an unknown coding, corrupt or truncated data, or a result (at any
    stage) larger than ``max_bytes``.
    """
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    data = raw
    for coding in reversed(codings):
        if coding in ("", "identity"):
            continue
        decoder = _DECODERS.get(coding)
        if decoder is None:
            raise BodyError("request body has an unsupported content encoding")
        if not data:  # an empty body stays empty whatever the header claims
            continue
        data = decoder(data, max_bytes)
    if len(data) > max_bytes:
        raise BodyError(_TOO_LARGE)
    return data
