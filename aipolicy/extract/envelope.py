"""The request envelope: path, query string, header and trailer fields, as segments.

A secret or a customer's e-mail address in a query parameter or a custom header reaches
the AI service as surely as one in the body. ``read_envelope`` turns every part of the
envelope into segments: each path segment and query name and value percent-decoded, each
header value (how, ``http_fields.yaml`` says: network metadata, credentials, client
identification, URLs, structured values, everything else as text) with the field's name
as context, and any header name that is not a known one.

A redaction rewrites the value in place (``Envelope.rewrite`` returns an
``EnvelopeEdit`` the proxy applies): a path segment or query value is re-encoded, a
header value replaced. Where a value cannot be written back safely (a credential, a
header whose syntax matters to the server, a header name, a value outside the syntax its
header should have), the segment is read-only and a redaction there becomes a block.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit

from ..model import SCAN_ALL, SCAN_CREDENTIAL, SCAN_SECRETS, Segment
from .collect import Label, render_path
from .files import embedded_texts
from .httpfields import CREDENTIAL, MACHINE, STRUCTURED, TEXT, TRANSPORT, URL, HttpFields
from .layers import Layer, Slot

Fields = Sequence[tuple[str, str]]
# A data: URL in a header or parameter is small: what it may unpack to.
_EMBEDDED_LIMIT = 1 << 20
# Characters a path segment may hold unencoded (RFC 3986 pchar minus '%').
_PCHAR = "-._~!$&'()*+,;=:@"


@dataclass(frozen=True)
class EnvelopeEdit:
    """What a redaction changes in the envelope: the new raw path (without query) and
    query string when they changed, and new values of header/trailer fields by their
    index in the request's field list."""

    path: str | None = None
    query: str | None = None
    fields: tuple[tuple[int, str], ...] = ()
    trailers: tuple[tuple[int, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.path is not None or self.query is not None or self.fields
                    or self.trailers)

    def __repr__(self) -> str:  # never the values
        return (f"EnvelopeEdit(path={self.path is not None} query={self.query is not None}"
                f" fields={[i for i, _ in self.fields]} trailers={[i for i, _ in self.trailers]})")


@dataclass(frozen=True)
class Envelope:
    segments: tuple[Segment, ...]
    rewrite: Callable[[Mapping[int, str]], EnvelopeEdit]
    path_segments: frozenset[int] = frozenset()  # indexes of the request path's segments

    def __repr__(self) -> str:
        return f"Envelope({len(self.segments)} segments)"


class _Reader:
    def __init__(self, rules: HttpFields) -> None:
        self.rules = rules
        self.segments: list[Segment] = []
        self._names: set[str] = set()
        self.path_segments: set[int] = set()

    def add(self, text: str, where: str, *, layer: Layer | None = None, start: int = 0,
            end: int = 0, encode: Callable[[str], str] | None = None, context: str = "",
            scope: str = SCAN_ALL) -> None:
        """A segment; written back into ``layer[start:end]`` as ``encode(text)`` when a
        layer is given, else read-only."""
        if not text.strip():
            return
        index = len(self.segments)
        self.segments.append(Segment(text, where, "field", layer is not None, context, scope))
        if layer is not None:
            layer.slots.append(Slot(start, end, encode or _same, segment=index))
        for embedded in embedded_texts(text, _EMBEDDED_LIMIT):
            self.segments.append(Segment(embedded, f"{where}.(data)", "field", False,
                                         scope=scope))

    # -- path and query -------------------------------------------------------------------
    def path(self, layer: Layer, where: str, base: int = 0, end: int | None = None) -> None:
        """The path segments of ``layer.original[base:end]``, each percent-decoded."""
        raw = layer.original
        end = len(raw) if end is None else end
        position = base
        for number, piece in enumerate(raw[base:end].split("/")):
            if piece:
                if where == "path":
                    self.path_segments.add(len(self.segments))
                self.add(unquote(piece, errors="replace"), f"{where}[{number}]", layer=layer,
                         start=position, end=position + len(piece), encode=_path_piece)
            position += len(piece) + 1

    def query(self, layer: Layer, where: str, base: int = 0, end: int | None = None) -> None:
        """Every parameter name and value of ``layer.original[base:end]``, decoded."""
        raw = layer.original
        end = len(raw) if end is None else end
        position = base
        for pair in raw[base:end].split("&"):
            name_raw, has_value, value_raw = pair.partition("=")
            name = unquote_plus(name_raw, errors="replace")
            label = render_path((Label(where), name))
            self.add(name, render_path((Label(where), name, Label("(name)"))), layer=layer,
                     start=position, end=position + len(name_raw), encode=_query_part)
            if has_value:
                value = unquote_plus(value_raw, errors="replace")
                value_start = position + len(name_raw) + 1
                if self.rules.is_credential(name):
                    self.add(value, label, context=f"{name}=", scope=SCAN_CREDENTIAL)
                else:
                    self.add(value, label, layer=layer, start=value_start,
                             end=value_start + len(value_raw), encode=_query_part,
                             context=f"{name}=")
            position += len(pair) + 1

    # -- header fields --------------------------------------------------------------------
    def field(self, name: str, value: str, layer: Layer, where: str) -> None:
        if not self.rules.is_known(name) and name not in self._names:
            self._names.add(name)
            self.add(name, f"{where}.(name)")
        kind = self.rules.kind(name, value)
        # A name someone chose (x-aws-secret-key, a credential header) is read in front of
        # its value; a protocol's own name (Sec-WebSocket-Key) would only mislead the
        # rules that look for "key" or "token" before a value.
        context = f"{name}: " if kind in (TEXT, CREDENTIAL) else ""
        scope = SCAN_ALL
        if kind == TEXT:
            self.add(value, where, layer=layer, end=len(value), context=context)
        elif kind == URL:
            self.url(layer, where)
            return
        elif kind == CREDENTIAL:
            scope = SCAN_CREDENTIAL
            self.add(value, where, context=context, scope=scope)
            basic = _basic_credentials(value)
            if basic:  # user:password, read decoded
                self.add(basic, f"{where}.(decoded)", context=context, scope=scope)
        elif kind in (TRANSPORT, MACHINE):
            scope = SCAN_SECRETS
            self.add(value, where, scope=scope)
        else:
            assert kind == STRUCTURED
            self.add(value, where)
        if "%" in value:  # cookies and custom headers percent-encode: read decoded too
            decoded = unquote(value, errors="replace")
            if decoded != value:
                self.add(decoded, f"{where}.(decoded)", context=context, scope=scope)

    def url(self, layer: Layer, where: str) -> None:
        """A URL value (Referer, Origin): its path and query like the request's, user
        information in its authority as text."""
        value = layer.original
        try:
            parts = urlsplit(value)
        except ValueError:  # not a URL after all: read it as text, read-only
            self.add(value, where)
            return
        after_host = 0
        if parts.netloc:
            after_host = value.index(parts.netloc) + len(parts.netloc)
            if "@" in parts.netloc:  # user:password@host
                self.add(parts.netloc, f"{where}.host", context=f"{parts.scheme}://")
        if parts.path:
            start = value.index(parts.path, after_host)
            self.path(layer, f"{where}.path", start, start + len(parts.path))
        if parts.query:
            start = value.index("?", after_host) + 1
            self.query(layer, f"{where}.query", start, start + len(parts.query))
        if parts.fragment:
            self.add(unquote(parts.fragment, errors="replace"), f"{where}.fragment")


def read_envelope(path: str, query: str, fields: Fields, trailers: Fields,
                  rules: HttpFields) -> Envelope:
    """The envelope's segments and how to write changed texts back."""
    reader = _Reader(rules)
    path_layer, query_layer = Layer(path), Layer(query)
    reader.path(path_layer, "path")
    reader.query(query_layer, "query")
    field_layers = _fields(reader, fields, "header")
    trailer_layers = _fields(reader, trailers, "trailer")
    segments = tuple(reader.segments)

    def rewrite(replacements: Mapping[int, str]) -> EnvelopeEdit:
        for index in replacements:
            if not 0 <= index < len(segments):
                raise IndexError(f"no segment {index}")
            if not segments[index].redactable:
                raise ValueError(f"segment {index} cannot be rewritten")
        new_path = path_layer.render(replacements)
        new_query = query_layer.render(replacements)
        return EnvelopeEdit(
            path=new_path if isinstance(new_path, str) else None,
            query=new_query if isinstance(new_query, str) else None,
            fields=_changed(field_layers, replacements),
            trailers=_changed(trailer_layers, replacements))

    return Envelope(segments, rewrite, frozenset(reader.path_segments))


# A path segment that is surely a route word or an id: lower-case letters, digits and
# separators (v1, chat, completions, a UUID). Used where a path must be recorded and
# could not be scanned.
_ROUTE_WORD = re.compile(r"[a-z0-9._~-]{1,40}")


def masked_path(path: str) -> str:
    """``path`` with every segment that is not surely a route word or an id replaced by
    ``[…]``: for the audit log when the path could not be scanned."""
    return "/".join(piece if not piece or _ROUTE_WORD.fullmatch(piece) else "[…]"
                    for piece in path.split("/"))


def _fields(reader: _Reader, fields: Fields, what: str) -> list[tuple[int, Layer]]:
    layers = []
    for index, (name, value) in enumerate(fields):
        layer = Layer(value)
        reader.field(name, value, layer, render_path((Label(what), name)))
        if layer.slots:
            layers.append((index, layer))
    return layers


def _changed(layers: list[tuple[int, Layer]], replacements: Mapping[int, str]
             ) -> tuple[tuple[int, str], ...]:
    out = []
    for index, layer in layers:
        value = layer.render(replacements)
        if isinstance(value, str):
            out.append((index, value))
    return tuple(out)


def _basic_credentials(value: str) -> str:
    """The ``user:password`` of a Basic credential, or ""."""
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(token.strip(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def _same(text: str) -> str:
    return text


def _path_piece(text: str) -> str:
    return quote(text, safe=_PCHAR)


def _query_part(text: str) -> str:
    return quote_plus(text, safe="")
