"""Content-Encoding: round trips, chains, corrupt data and decompression bombs."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import brotli
import pytest
import zstandard
from extract_helpers import fixture

from aipolicy.extract import BodyError, decode_body

BODY = fixture("openai_chat.json")
LIMIT = 1024 * 1024


def _raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


ENCODERS = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda d: zstandard.ZstdCompressor().compress(d),
}


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_round_trip(coding: str) -> None:
    assert decode_body(ENCODERS[coding](BODY), coding, LIMIT) == BODY
    assert decode_body(ENCODERS[coding](BODY), coding.upper(), LIMIT) == BODY


def test_identity_empty_and_raw_deflate() -> None:
    assert decode_body(BODY, "", LIMIT) == BODY
    assert decode_body(BODY, "identity", LIMIT) == BODY
    assert decode_body(b"", "br", LIMIT) == b""
    assert decode_body(_raw_deflate(BODY), "deflate", LIMIT) == BODY


def test_chained_codings_are_undone_last_first() -> None:
    # "gzip, br": gzip was applied first, then br.
    raw = brotli.compress(gzip.compress(BODY))
    assert decode_body(raw, "gzip, br", LIMIT) == BODY
    raw = zstandard.ZstdCompressor().compress(zlib.compress(gzip.compress(BODY)))
    assert decode_body(raw, "gzip,deflate , zstd", LIMIT) == BODY


def test_multi_member_gzip_and_multi_frame_zstd() -> None:
    half = len(BODY) // 2
    assert decode_body(gzip.compress(BODY[:half]) + gzip.compress(BODY[half:]), "gzip",
                       LIMIT) == BODY
    zc = zstandard.ZstdCompressor()
    assert decode_body(zc.compress(BODY[:half]) + zc.compress(BODY[half:]), "zstd",
                       LIMIT) == BODY


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_truncated_and_corrupt_data_are_errors(coding: str) -> None:
    encoded = ENCODERS[coding](BODY)
    with pytest.raises(BodyError):
        decode_body(encoded[: len(encoded) // 2], coding, LIMIT)
    with pytest.raises(BodyError):
        decode_body(encoded + b"trailing garbage", coding, LIMIT)
    with pytest.raises(BodyError):
        decode_body(b"this is not compressed at all", coding, LIMIT)


def test_unknown_coding() -> None:
    with pytest.raises(BodyError) as info:
        decode_body(BODY, "compress", LIMIT)
    assert info.value.reason == "request body has an unsupported content encoding"


def _bombs() -> dict[str, bytes]:
    """64 MiB of zeros in each coding (made incrementally, a few KB to 60 KB each)."""
    chunk, count = b"\x00" * (1 << 20), 64
    out = {}
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    out["gzip"] = b"".join(z.compress(chunk) for _ in range(count)) + z.flush()
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
    out["deflate"] = b"".join(z.compress(chunk) for _ in range(count)) + z.flush()
    b = brotli.Compressor(quality=5)
    out["br"] = b"".join(b.process(chunk) for _ in range(count)) + b.finish()
    s = zstandard.ZstdCompressor(level=3).compressobj()
    out["zstd"] = b"".join(s.compress(chunk) for _ in range(count)) + s.flush()
    return out


def test_decompression_bombs_stop_at_the_cap_without_inflating() -> None:
    bombs = _bombs()
    for coding, data in bombs.items():
        assert len(data) < 100_000
        tracemalloc.start()
        try:
            with pytest.raises(BodyError) as info:
                decode_body(data, coding, LIMIT)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert info.value.reason == "request body is larger than the inspection limit"
        assert peak < 8 * LIMIT, coding  # far below the 64 MiB the bomb expands to
    # A bomb wrapped in a second coding is caught at the inner stage too.
    with pytest.raises(BodyError):
        decode_body(gzip.compress(bombs["br"]), "br, gzip", LIMIT)


def test_exact_limit_is_allowed_one_more_byte_is_not() -> None:
    data = b"a" * 1000
    assert decode_body(gzip.compress(data), "gzip", 1000) == data
    with pytest.raises(BodyError):
        decode_body(gzip.compress(data), "gzip", 999)
    with pytest.raises(BodyError):
        decode_body(data, "identity", 999)


def test_compressed_request_through_decode_extract_rewrite() -> None:
    from extract_helpers import run

    raw = brotli.compress(gzip.compress(BODY))
    body = decode_body(raw, "gzip, br", LIMIT)
    plain = run(BODY, "api.openai.com", "/v1/chat/completions")
    decoded = run(body, "api.openai.com", "/v1/chat/completions")
    assert decoded.segments == plain.segments
    assert decoded.rewrite({0: "x"}) == plain.rewrite({0: "x"}) != BODY
