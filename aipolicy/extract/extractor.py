"""``extract``: the segments of a decoded request body and how to write them back."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Extraction
from . import files, jsonpos
from .adapters import generic, uploads
from .collect import JV, Collector, Unrecognized
from .errors import ExtractionError
from .formenc import parse_form
from .layers import utf8
from .multipart import MultipartError
from .registry import FORM, JSON, RAW, Route, find_route

MULTIPART = "multipart/form-data"
FORM_URLENCODED = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class BodyInput:
    """What the proxy knows about a request. ``body`` is already decoded (see
    ``decode_body``); ``content_encoding`` is kept for the record."""

    method: str
    host: str
    path: str
    content_type: str
    content_encoding: str
    body: bytes

    def __repr__(self) -> str:  # never the body
        return f"BodyInput({self.method} {self.host}{self.path} {len(self.body)} bytes)"


def is_json_type(media: str) -> bool:
    return media in ("application/json", "text/json") or media.endswith("+json")


def extract(req: BodyInput, *, max_bytes: int) -> Extraction:
    """Pick the adapter for ``req`` and collect its segments.

    Raises ExtractionError (fixed reason, no content) when the body is larger than
    ``max_bytes`` or cannot be parsed as what its content type or route says it is.
    """
    if len(req.body) > max_bytes:
        raise ExtractionError("request body is larger than the inspection limit")
    try:
        return _extract(req, max_bytes)
    except RecursionError:
        raise ExtractionError("request body is nested too deeply") from None
    except MultipartError:
        raise ExtractionError("multipart request body is malformed") from None


def _extract(req: BodyInput, max_bytes: int) -> Extraction:
    body = req.body
    media = files.media_type(req.content_type)
    route = find_route(req.method, req.host, req.path)
    if not body:
        return _finish(route.adapter if route else "generic", Collector(body, max_bytes))
    if media == MULTIPART and (route is None or route.body != RAW):
        c = Collector(body, max_bytes)
        uploads.multipart_body(body, req.content_type, c)
        return _finish("multipart", c)
    if route is not None:
        done = _by_route(route, req, media, max_bytes)
        if done is not None:
            return done
    return _generic(req, media, max_bytes)


def _by_route(route: Route, req: BodyInput, media: str, max_bytes: int) -> Extraction | None:
    """The route's adapter, or None when the body is not what the route expects (the
    generic reader of its content type then takes over)."""
    c = Collector(req.body, max_bytes)
    if route.body == RAW:
        uploads.raw_upload(req.body, req.content_type, c)
        return _finish(route.adapter, c)
    if route.body == FORM:
        if media not in (FORM_URLENCODED, ""):
            return None
        try:
            route.handler(parse_form(req.body), c)
        except Unrecognized:
            return None
        return _finish(route.adapter, c)
    if route.body != JSON or media == FORM_URLENCODED:
        return None
    root = _json_root(c, strict=is_json_type(media) or not media)
    if root is None:
        return None
    try:
        route.handler(root, c)
    except Unrecognized:
        c = Collector(req.body, max_bytes)
        generic.json_body(_json_root(c, strict=True), c)
        return _finish("generic-json", c)
    return _finish(route.adapter, c)


def _generic(req: BodyInput, media: str, max_bytes: int) -> Extraction:
    c = Collector(req.body, max_bytes)
    if media == FORM_URLENCODED:
        generic.form_body(parse_form(req.body), c)
        return _finish("generic-form", c)
    if is_json_type(media):
        generic.json_body(_json_root(c, strict=True), c)
        return _finish("generic-json", c)
    if not media.startswith("text/") and req.body.lstrip()[:1] in (b"{", b"["):
        root = _json_root(c, strict=False)  # undeclared JSON (octet-stream, no type)
        if root is not None:
            generic.json_body(root, c)
            return _finish("generic-json", c)
    generic.file_body(req.body, req.content_type, c)
    return _finish("generic-body", c)


def _json_root(c: Collector, *, strict: bool) -> JV | None:
    """The body parsed as JSON (UTF-8, optional BOM). Failure raises ExtractionError
    when ``strict``, else returns None (and leaves ``c`` untouched)."""
    body = c.root.original
    bom = len(codecs.BOM_UTF8) if body.startswith(codecs.BOM_UTF8) else 0
    try:
        text = body[bom:].decode("utf-8")
        return c.open_json(c.root, bom, len(body), text, utf8, ())
    except (UnicodeDecodeError, jsonpos.JsonError) as exc:
        if not strict:
            return None
        reason = (
            "request body JSON is nested too deeply"
            if isinstance(exc, jsonpos.JsonError) and exc.reason == "nested too deeply"
            else "request body is not valid JSON"
        )
        raise ExtractionError(reason) from None


def _finish(adapter: str, c: Collector) -> Extraction:
    body: bytes = c.root.original
    segments = tuple(c.segments)
    root = c.root

    def rewrite(replacements: Mapping[int, str]) -> bytes:
        """The body with segment texts replaced; bytes outside them are unchanged."""
        changes: dict[int, str] = {}
        for index, text in replacements.items():
            if not 0 <= index < len(segments):
                raise IndexError(f"no segment {index}")
            if not segments[index].redactable:
                raise ValueError(f"segment {index} cannot be rewritten")
            if not isinstance(text, str):
                raise TypeError(f"replacement for segment {index} is not a str")
            if text != segments[index].text:
                changes[index] = text
        rendered = root.render(changes) if changes else None
        return body if rendered is None else rendered

    return Extraction(adapter, segments, rewrite, tuple(dict.fromkeys(c.uninspectable)))
