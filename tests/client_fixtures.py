"""What real clients send, captured as fixtures (`tests/fixtures/clients/<client>/`).

Each client's directory holds `requests.json` (the client, its version, the prompt and
every request in the order it arrived: method, host, path, query, content type and
encoding) and one file per non-empty body, exactly as sent (still content-encoded) except
for machine-specific values, which the capture replaces (`Scrubber`). The capture script
is `python -m tests.e2e.capture_clients`; `tests/unit/test_client_fixtures.py` runs every
request through the real pipeline.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import zstandard

from .e2e.standin.bodies import decode_content

CLIENT_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "clients"
MANIFEST = "requests.json"


@dataclass(frozen=True)
class CapturedRequest:
    client: str
    index: int
    method: str
    host: str
    path: str  # without the query
    query: str
    content_type: str
    content_encoding: str
    body_file: str | None  # relative to the client's directory; None: no body
    body: bytes = field(repr=False)  # as sent (content-encoded)

    @property
    def id(self) -> str:
        return f"{self.client}/{self.body_file or f'{self.index:02d}-{self.method.lower()}'}"


def load(client_dir: Path) -> list[CapturedRequest]:
    manifest = json.loads((client_dir / MANIFEST).read_text())
    out = []
    for index, entry in enumerate(manifest["requests"]):
        body_file = entry.get("body")
        out.append(CapturedRequest(
            client=manifest["client"], index=index, method=entry["method"],
            host=entry["host"], path=entry["path"], query=entry.get("query", ""),
            content_type=entry.get("content_type") or "",
            content_encoding=entry.get("content_encoding") or "", body_file=body_file,
            body=(client_dir / body_file).read_bytes() if body_file else b""))
    return out


def load_all(root: Path = CLIENT_FIXTURES) -> Iterator[CapturedRequest]:
    for manifest in sorted(root.glob(f"*/{MANIFEST}")):
        yield from load(manifest.parent)


# --- encoding ------------------------------------------------------------------------


def encode(body: bytes, content_encoding: str) -> bytes:
    """The inverse of the stand-in's `decode_content`, for a body the capture changed."""
    for coding in [c.strip().lower() for c in content_encoding.split(",") if c.strip()]:
        if coding in ("gzip", "x-gzip"):
            body = gzip.compress(body, mtime=0)
        elif coding == "deflate":
            body = zlib.compress(body)
        elif coding == "br":
            body = brotli.compress(body)
        elif coding == "zstd":
            body = zstandard.ZstdCompressor().compress(body)
        elif coding != "identity":
            raise ValueError(f"unsupported content-encoding {coding!r}")
    return body


_EXTENSIONS = {"gzip": ".gz", "x-gzip": ".gz", "deflate": ".deflate", "br": ".br",
               "zstd": ".zst"}


def body_file_name(index: int, method: str, host: str, path: str, content_type: str,
                   content_encoding: str) -> str:
    slug = re.sub(r"[^a-z0-9.]+", "-", f"{host}{path}".lower()).strip("-")[:80]
    kind = content_type.split(";")[0].strip().lower()
    ext = (".json" if kind.endswith("json") else ".txt" if kind.startswith("text/")
           else ".form" if kind == "application/x-www-form-urlencoded" else ".bin")
    for coding in [c.strip().lower() for c in content_encoding.split(",") if c.strip()]:
        ext += _EXTENSIONS.get(coding, "")
    return f"{index:02d}-{method.lower()}-{slug}{ext}"


# --- machine-specific values ---------------------------------------------------------

_BASE64_JSON = re.compile(rb'"(eyJ[A-Za-z0-9+/_-]{8,}={0,2})"')


@dataclass(frozen=True)
class Scrubber:
    """Replaces this machine's values (run directories, kernel release, host name) with
    fixed stand-ins, and refuses a body that still holds one, or a credential, where a
    plain replacement cannot reach (inside base64)."""

    replacements: tuple[tuple[str, str], ...]  # (machine value, stand-in), longest first
    forbidden: tuple[str, ...]  # credentials: must appear nowhere

    def text(self, value: str) -> str:
        for old, new in self.replacements:
            value = value.replace(old, new)
        self.check(value.encode(), "request line")
        return value

    def body(self, body: bytes, content_encoding: str) -> bytes:
        """The body with machine values replaced; re-encoded only if something changed."""
        plain = decode_content(body, content_encoding)
        scrubbed = plain
        for old, new in self.replacements:
            scrubbed = scrubbed.replace(old.encode(), new.encode())
        self.check(scrubbed, "body")
        return body if scrubbed == plain else encode(scrubbed, content_encoding)

    def check(self, data: bytes, where: str) -> None:
        views = [data]
        for m in _BASE64_JSON.finditer(data):
            raw = m.group(1)
            try:
                views.append(base64.b64decode(raw + b"=" * (-len(raw) % 4), altchars=b"-_"
                                              if b"-" in raw or b"_" in raw else None))
            except (binascii.Error, ValueError):
                continue
        for view in views:
            for value in (*[old for old, _ in self.replacements], *self.forbidden):
                if value.encode() in view:
                    raise ValueError(f"a machine-specific value or credential is left in a "
                                     f"{where} (inside base64: {view is not data})")
