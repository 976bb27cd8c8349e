"""HAR files (HTTP Archive 1.2: a browser's DevTools export, mitmproxy's ``hardump``).

Each ``log.entries[].request`` becomes a request described as the proxy describes one:

- ``url`` gives the scheme, the host the client connects to (and, over HTTPS, the TLS
  server name a browser sends), the port, the path and the query; ``ws``/``wss`` URLs
  are the HTTP handshakes they start with.
- ``headers`` are every header field as sent; HTTP/2 pseudo-headers (``:authority``,
  ``:method`` ...; Chromium lists them) are not header fields, and ``:authority`` is read
  as the request's authority, as the proxy reads it.
- ``postData.text`` is the body. The spec defines no encoding for request bodies; where
  a tool writes ``postData.encoding: "base64"`` (some do for binary bodies), the bytes
  are decoded exactly. A plain-text body is the body *as decoded* (DevTools and
  mitmproxy write the text after Content-Encoding is undone), so it is read as an
  identity-encoded body. Text written with U+FFFD replacement characters is a lossy copy
  of a binary body: it is not checked, and the request says so. Without ``text``, a form
  is rebuilt from ``postData.params``.
- HAR has no client address: the identity is the one given (``--client-ip``,
  ``--user``), else unknown (the group ``everyone`` only).
- ``_webSocketMessages`` (Chromium, mitmproxy) with type ``send`` are the client's
  WebSocket messages; binary ones (opcode 2) are base64.
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

from ..model import ClientIdentity
from ..requests import describe_request
from .capture import (
    NOTE_DECODED,
    NOTE_FORM_PARAMS,
    NOTE_LOSSY,
    NOTE_MIME_TYPE,
    BodyState,
    Capture,
    CapturedMessage,
    CapturedRequest,
    CaptureError,
    Skipped,
)

_SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class _Unreadable(Exception):
    """An entry field this reader cannot use; the message is the field's name."""


def read_har(data: bytes, source: str, client: ClientIdentity) -> Capture:
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CaptureError(f"{source}: not a HAR file (not JSON: {type(exc).__name__} at "
                           f"position {getattr(exc, 'pos', getattr(exc, 'start', '?'))})"
                           ) from None
    log = doc.get("log") if isinstance(doc, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise CaptureError(f"{source}: not a HAR file (no log.entries list)")
    creator = log.get("creator")
    creator_name = None
    if isinstance(creator, dict) and isinstance(creator.get("name"), str):
        version = creator.get("version")
        creator_name = creator["name"] + (f" {version}" if isinstance(version, str) else "")
    requests: list[CapturedRequest] = []
    skipped: list[Skipped] = []
    for index, entry in enumerate(entries, 1):
        try:
            request = _entry(index, entry, client)
        except _Unreadable as exc:
            skipped.append(Skipped(index, f"unreadable: {exc}"))
            continue
        if isinstance(request, Skipped):
            skipped.append(request)
        else:
            requests.append(request)
    return Capture(source, "har", creator_name, tuple(requests), tuple(skipped))


def _entry(index: int, entry: Any, client: ClientIdentity) -> CapturedRequest | Skipped:
    req = _field(entry, "request", dict, "entry")
    method = _field(req, "method", str, "request").upper()
    url = _field(req, "url", str, "request")
    if method == "CONNECT":
        return Skipped(index, "CONNECT")
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # an unbalanced IPv6 bracket
        raise _Unreadable("request.url") from None
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        return Skipped(index, "not HTTP")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise _Unreadable("request.url (port)") from None
    host = parts.hostname or ""
    if not host:
        raise _Unreadable("request.url (host)")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    fields: list[tuple[str, str]] = []
    authority = ""
    for i, header in enumerate(_field(req, "headers", list, "request")):
        if not (isinstance(header, dict) and isinstance(header.get("name"), str)
                and isinstance(header.get("value"), str)):
            raise _Unreadable(f"request.headers[{i}]")
        name, value = header["name"], header["value"]
        if name.startswith(":"):  # HTTP/2 pseudo-headers are not header fields
            if name.lower() == ":authority":
                authority = value
            continue
        fields.append((name, value))
    notes: list[str] = []
    body, state = _body(req, method, fields, notes)
    tls = scheme == "https"
    info = describe_request(
        method=method, scheme=scheme, host=host, port=port, target=target, fields=fields,
        client=client, authority=authority, tls=tls, sni=host if tls else None)
    return CapturedRequest(index, info, body, state, tuple(notes), _messages(entry))


def _body(req: Mapping[str, Any], method: str, fields: list[tuple[str, str]],
          notes: list[str]) -> tuple[bytes | None, BodyState]:
    post = req.get("postData")
    if post is None:
        size = req.get("bodySize")
        had_body = isinstance(size, int) and size > 0
        if had_body or (method in _BODY_METHODS and _declared_length(fields)):
            return None, BodyState.MISSING
        return b"", BodyState.EMPTY
    if not isinstance(post, dict):
        raise _Unreadable("request.postData")
    mime = post.get("mimeType")
    if isinstance(mime, str) and mime and not any(k.lower() == "content-type"
                                                  for k, _ in fields):
        fields.append(("content-type", mime))
        notes.append(NOTE_MIME_TYPE)
    text = post.get("text")
    if text is None:
        return _from_params(post, mime if isinstance(mime, str) else "", notes)
    if not isinstance(text, str):
        raise _Unreadable("request.postData.text")
    if post.get("encoding") == "base64":
        try:
            body = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise _Unreadable("request.postData.text (not base64)") from None
        return body, BodyState.SENT if body else BodyState.EMPTY
    if "\ufffd" in text:
        notes.append(NOTE_LOSSY)
        return None, BodyState.MISSING
    encoded = [i for i, (k, v) in enumerate(fields)
               if k.lower() == "content-encoding" and v.strip().lower() not in ("", "identity")]
    if encoded:
        for i in reversed(encoded):
            del fields[i]
        notes.append(NOTE_DECODED)
    # mitmproxy writes bytes that are not UTF-8 as lone surrogates: they come back exactly
    body = text.encode("utf-8", "surrogateescape")
    return body, BodyState.SENT if body else BodyState.EMPTY


def _from_params(post: Mapping[str, Any], mime: str,
                 notes: list[str]) -> tuple[bytes | None, BodyState]:
    params = post.get("params")
    if not isinstance(params, list) or not params:
        return None, BodyState.MISSING
    if mime.split(";", 1)[0].strip().lower() != "application/x-www-form-urlencoded":
        return None, BodyState.MISSING  # multipart parts without their bytes
    pairs = []
    for i, p in enumerate(params):
        if not (isinstance(p, dict) and isinstance(p.get("name"), str)
                and isinstance(p.get("value", ""), str)):
            raise _Unreadable(f"request.postData.params[{i}]")
        pairs.append((p["name"], p.get("value", "")))
    notes.append(NOTE_FORM_PARAMS)
    return urllib.parse.urlencode(pairs).encode(), BodyState.SENT


def _declared_length(fields: list[tuple[str, str]]) -> bool:
    return any(k.lower() == "content-length" and v.strip() not in ("", "0") for k, v in fields)


def _messages(entry: Mapping[str, Any]) -> tuple[CapturedMessage, ...]:
    raw = entry.get("_webSocketMessages")
    if not isinstance(raw, list):
        return ()
    out: list[CapturedMessage] = []
    for i, m in enumerate(raw):
        if not isinstance(m, dict) or m.get("type") != "send":
            continue
        data = m.get("data")
        if not isinstance(data, str):
            raise _Unreadable(f"_webSocketMessages[{i}].data")
        if m.get("opcode") == 2:
            try:
                out.append(CapturedMessage(len(out) + 1, base64.b64decode(data), False))
            except (binascii.Error, ValueError):
                raise _Unreadable(f"_webSocketMessages[{i}].data (not base64)") from None
        else:
            out.append(CapturedMessage(len(out) + 1, data.encode("utf-8", "surrogateescape"),
                                       True))
    return tuple(out)


def _field(obj: Any, key: str, kind: type, where: str) -> Any:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, kind):
        raise _Unreadable(f"{where}.{key}" if where != "entry" else key)
    return value
