"""Request-body helpers shared by the stand-in's replies and the tests reading its records."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from email.message import Message
from email.utils import collapse_rfc2231_value

import brotli
import zstandard


@dataclass(frozen=True)
class MultipartPart:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)


def decode_content(body: bytes, content_encoding: str | None) -> bytes:
    """Undo `Content-Encoding` (possibly a list, applied in order); ValueError if undecodable."""
    if not content_encoding:
        return body
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    try:
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif coding == "deflate":
                try:
                    body = zlib.decompress(body)
                except zlib.error:  # raw deflate without the zlib wrapper, as some clients send
                    body = zlib.decompress(body, -zlib.MAX_WBITS)
            elif coding == "br":
                body = brotli.decompress(body)
            elif coding == "zstd":
                body = zstandard.ZstdDecompressor().decompressobj().decompress(body)
            elif coding != "identity":
                raise ValueError(f"unsupported content-encoding {coding!r}")
    except (OSError, EOFError, zlib.error, brotli.error, zstandard.ZstdError) as e:
        raise ValueError(f"cannot decode {content_encoding!r} body") from e
    return body


def content_type_params(content_type: str | None) -> tuple[str, dict[str, str]]:
    """Media type (lower case) and its parameters."""
    msg = Message()
    msg["content-type"] = content_type or ""
    params = {k.lower(): v for k, v in msg.get_params(failobj=[])[1:]}
    return msg.get_content_type(), params


def parse_multipart(body: bytes, content_type: str | None) -> tuple[MultipartPart, ...]:
    """Split a multipart/form-data body into parts; ValueError if it is not one."""
    media, params = content_type_params(content_type)
    boundary = params.get("boundary")
    if not media.startswith("multipart/") or not boundary:
        raise ValueError("not a multipart body")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise ValueError("multipart body without parts")
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("multipart part without header block")
        headers = Message()
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip():
                headers[name.strip()] = value.strip()
        disposition = Message()
        disposition["content-disposition"] = headers.get("content-disposition", "")
        parts.append(
            MultipartPart(
                name=str(disposition.get_param("name", "", "content-disposition")),
                filename=_optional_str(
                    disposition.get_param("filename", None, "content-disposition")
                ),
                content_type=headers.get("content-type"),
                data=data,
            )
        )
    return tuple(parts)


def _optional_str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231 encoded parameter
        return collapse_rfc2231_value(value)
    return str(value)
