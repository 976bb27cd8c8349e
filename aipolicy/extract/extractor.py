"""``extract``: the segments of a decoded request body and how to write them back."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model import Extraction, Segment
from . import files, jsonpos, plain
from .adapters import generic, uploads
from .collect import JV, Collector, Unrecognized
from .errors import ExtractionError
from .formenc import parse_form
from .layers import Slot, json_literal, utf8
from .multipart import MultipartError
from .protobuf import PROTOBUF_TYPES
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


def extract(req: BodyInput, *, max_bytes: int, shortcut: bool = True) -> Extraction:
    """Pick the adapter for ``req`` and collect its segments.

    Raises ExtractionError (fixed reason, no content) when the body is larger than
    ``max_bytes`` or cannot be parsed as what its content type or route says it is.
    With ``shortcut`` plain chat bodies are read without positions (``plain``) and the
    full reader runs only if ``rewrite`` is called; the result is the same either way.
    """
    if len(req.body) > max_bytes:
        raise ExtractionError("request body is larger than the inspection limit")
    try:
        return _extract(req, max_bytes, shortcut)
    except RecursionError:
        raise ExtractionError("request body is nested too deeply") from None
    except MultipartError:
        raise ExtractionError("multipart request body is malformed") from None


def _extract(req: BodyInput, max_bytes: int, shortcut: bool) -> Extraction:
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
        done = _by_route(route, req, media, max_bytes, shortcut)
        if done is not None:
            return done
    return _generic(req, media, max_bytes)


def _by_route(route: Route, req: BodyInput, media: str, max_bytes: int, shortcut: bool
              ) -> Extraction | None:
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
    strict = is_json_type(media) or not media
    loaded = _load_json(req.body, strict=strict)
    if loaded is None:
        return None
    if shortcut:
        found = plain.read(route.handler, loaded[2])
        if found is not None:
            return _deferred(route.adapter, req, loaded, found, max_bytes)
    root = _open_json_root(c, loaded, strict=strict)
    if root is None:
        return None
    try:
        route.handler(root, c)
    except Unrecognized:  # the generic reader takes the already parsed document
        c = Collector(req.body, max_bytes)
        generic.json_body(_open_json_root(c, loaded, strict=True), c)
        return _finish("generic-json", c)
    return _finish(route.adapter, c)


def _generic(req: BodyInput, media: str, max_bytes: int) -> Extraction:
    c = Collector(req.body, max_bytes)
    if media == FORM_URLENCODED:
        if b"\x00" in req.body:  # a form in UTF-16 or UTF-32: its fields, read-only
            generic.wide_form_body(req.body, req.content_type, c)
        else:
            generic.form_body(parse_form(req.body), c)
        return _finish("generic-form", c)
    if is_json_type(media):
        generic.json_body(_json_root(c, strict=True), c)
        return _finish("generic-json", c)
    if media in PROTOBUF_TYPES and generic.protobuf_body(req.body, req.content_type, c):
        return _finish("protobuf", c)
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
    loaded = _load_json(c.root.original, strict=strict)
    return None if loaded is None else _open_json_root(c, loaded, strict=strict)


_Loaded = tuple[int, str, Any]  # (BOM length, document text, jsonpos.load's values)


def _load_json(body: bytes, *, strict: bool) -> _Loaded | None:
    bom = len(codecs.BOM_UTF8) if body.startswith(codecs.BOM_UTF8) else 0
    try:
        text = body[bom:].decode("utf-8")
        return bom, text, jsonpos.load(text)
    except (UnicodeDecodeError, jsonpos.JsonError) as exc:
        return _json_failure(exc, strict)


def _open_json_root(c: Collector, loaded: _Loaded, *, strict: bool) -> JV | None:
    bom, text, value = loaded
    try:
        node = jsonpos.build(value, text)
    except jsonpos.JsonError as exc:
        return _json_failure(exc, strict)
    body = c.root.original
    return c.open_json(c.root, bom, len(body), text, utf8, (), node=node)


def _json_failure(exc: Exception, strict: bool) -> None:
    if not strict:
        return None
    reason = (
        "request body JSON is nested too deeply"
        if isinstance(exc, jsonpos.JsonError) and exc.reason == "nested too deeply"
        else "request body is not valid JSON"
    )
    raise ExtractionError(reason) from None


def _deferred(adapter: str, req: BodyInput, loaded: _Loaded, found: plain.Read,
              max_bytes: int) -> Extraction:
    """An extraction by a plain reader. Positions are found only for a rewrite: from the
    parsed values when every changed segment is a string of the body's JSON, else by
    the full reader."""
    segments = tuple(found.segments)
    body = req.body

    def rewrite(replacements: Mapping[int, str]) -> bytes:
        changes = _changes(segments, replacements)
        if not changes:
            return body
        c = Collector(body, max_bytes)
        root = _open_json_root(c, loaded, strict=True)
        slots = _string_slots(root.node, found.paths, changes)
        if slots is None:
            full = extract(req, max_bytes=max_bytes, shortcut=False)
            if full.adapter != adapter or full.segments != segments:
                raise RuntimeError("plain and full extraction disagree")  # a reader bug
            return full.rewrite(changes)
        root.layer.slots.extend(slots)
        rendered = c.root.render(changes)
        return body if rendered is None else rendered

    return Extraction(adapter, segments, rewrite)


def _string_slots(root: jsonpos.JNode, paths: list[tuple[Any, ...] | None],
                  changes: Mapping[int, str]) -> list[Slot] | None:
    """A write-back slot for each changed segment's string literal, or None when one of
    them cannot be found by its path alone (inside a nested document, under a repeated
    key)."""
    slots = []
    for index in changes:
        path = paths[index]
        if path is None:
            return None
        node: jsonpos.JNode | None = root
        for step in path:
            if node is None:
                return None
            if type(step) is int:
                node = node.value[step] if node.kind == jsonpos.ARRAY else None
            else:
                same = [n for k, n in node.members() if k == step]
                node = same[0] if len(same) == 1 else None
        if node is None or node.kind != jsonpos.STRING:
            return None
        slots.append(Slot(node.start, node.end, json_literal, segment=index))
    return slots


def _changes(segments: tuple[Segment, ...], replacements: Mapping[int, str]
             ) -> dict[int, str]:
    """The replacements that change a segment; raises for a bad one."""
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
    return changes


def _finish(adapter: str, c: Collector) -> Extraction:
    body: bytes = c.root.original
    segments = tuple(c.segments)
    root = c.root

    def rewrite(replacements: Mapping[int, str]) -> bytes:
        """The body with segment texts replaced; bytes outside them are unchanged."""
        changes = _changes(segments, replacements)
        rendered = root.render(changes) if changes else None
        return body if rendered is None else rendered

    return Extraction(adapter, segments, rewrite, tuple(dict.fromkeys(c.uninspectable)),
                      tuple(dict.fromkeys(c.media)), c.files)
