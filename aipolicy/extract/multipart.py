"""multipart/form-data bodies (RFC 7578), with the byte span of every part's content.

The parser only locates parts; it never copies the body, so a rewrite can replace one
part's content and keep the boundaries and every other part byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote


class MultipartError(ValueError):
    """The body is not well-formed multipart. The message is fixed text."""


@dataclass(frozen=True)
class Part:
    name: str | None
    filename: str | None  # None for a plain field
    content_type: str  # as declared, "" when absent
    start: int  # content span in the body
    end: int
    other_headers: str = field(default="", repr=False)  # every header line but
    #                                                     Content-Disposition


@dataclass(frozen=True)
class Multipart:
    parts: list[Part]
    preamble_end: int  # body[:preamble_end] comes before the first boundary
    epilogue_start: int  # body[epilogue_start:] comes after the closing boundary

    def __repr__(self) -> str:  # names only: a filename can carry personal data
        return f"Part({self.name!r} file={self.filename is not None} [{self.start}:{self.end}])"


# A part's Content-Type that is only a media type (and a charset): nothing to scan.
_PLAIN_TYPE = re.compile(r"[\w!#$&^.+-]{1,64}/[\w!#$&^.+-]{1,128}"
                         r"(?:\s*;\s*charset=\"?[\w.:-]{1,40}\"?)?", re.IGNORECASE)
_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def boundary_of(content_type: str) -> bytes:
    for name, value in _PARAM.findall(content_type):
        if name.lower() == "boundary":
            value = _unquote(value.strip())
            if 0 < len(value) <= 200:
                try:
                    return value.encode("ascii")
                except UnicodeEncodeError:
                    break
    raise MultipartError("multipart body without a valid boundary")


def _unquote(value: str) -> str:
    # Only \" and \\ are unescaped: old browsers send Windows paths with bare backslashes.
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(["\\])', r"\1", value[1:-1])
    return value


def _disposition(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, raw in _PARAM.findall(value):
        name = name.lower()
        raw = raw.strip()
        if name.endswith("*"):  # RFC 5987: charset'lang'percent-encoded
            charset, _, rest = raw.partition("'")
            _, _, encoded = rest.partition("'")
            try:
                params[name[:-1]] = unquote(encoded, encoding=charset or "utf-8", errors="replace")
            except LookupError:
                params[name[:-1]] = unquote(encoded, errors="replace")
        elif name not in params:  # an extended (name*) value wins over the plain one
            params[name] = _unquote(raw)
    return params


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    return read_multipart(body, content_type).parts


def read_multipart(body: bytes, content_type: str) -> Multipart:
    """The parts, and where the preamble ends and the epilogue starts (both reach the
    server as they are, so they are content too)."""
    delimiter = b"--" + boundary_of(content_type)
    pos = body.find(delimiter)
    if pos < 0 or (pos > 0 and body[pos - 1 : pos] != b"\n"):
        raise MultipartError("multipart body without an opening boundary")
    preamble_end = pos
    parts: list[Part] = []
    while True:
        pos += len(delimiter)
        if body.startswith(b"--", pos):  # the close delimiter; an epilogue may follow
            return Multipart(parts, preamble_end, pos + 2)
        eol = body.find(b"\n", pos)
        if eol < 0 or body[pos:eol].strip(b" \t\r"):
            raise MultipartError("multipart boundary line is malformed")
        headers: dict[str, str] = {}
        other: list[str] = []
        line_start = eol + 1
        while True:
            eol = body.find(b"\n", line_start)
            if eol < 0:
                raise MultipartError("multipart part headers are not terminated")
            line = body[line_start:eol].rstrip(b"\r")
            line_start = eol + 1
            if not line:
                break
            name, sep, value = line.partition(b":")
            if not sep:
                raise MultipartError("multipart part header is malformed")
            key = name.strip().lower().decode("latin-1")
            headers[key] = value.strip().decode("utf-8", "replace")
            if key != "content-disposition" and not (
                    key == "content-type" and _PLAIN_TYPE.fullmatch(headers[key])):
                other.append(line.decode("utf-8", "replace"))
        content_start = line_start
        nxt = body.find(b"\n" + delimiter, content_start - 1)
        if nxt < 0:
            raise MultipartError("multipart body without a closing boundary")
        content_end = nxt - 1 if nxt > content_start - 1 and body[nxt - 1 : nxt] == b"\r" else nxt
        content_end = max(content_end, content_start)
        disposition = _disposition(headers.get("content-disposition", ""))
        parts.append(Part(disposition.get("name"), disposition.get("filename"),
                          headers.get("content-type", ""), content_start, content_end,
                          "\n".join(other)))
        pos = nxt + 1
