"""The collector: adapters call it to turn places in a body into segments.

Each call records the segment and the slot that lets ``rewrite`` put a new text back in
exactly that place (through every layer of encoding). The collector also remembers which
JSON nodes an adapter has handled, so ``residual`` can sweep up every string the adapter
did not know about: a new API field must not become a blind spot.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes

from ..model import SCAN_ALL, SCAN_SECRETS, Segment
from . import files, jsonpos
from .jsonpos import ARRAY, OBJECT, STRING, JNode
from .keys import KNOWN_JSON_KEYS, NON_PROSE_JSON_KEYS
from .layers import Layer, Slot, json_literal

# Documents inside documents (JSON in a JSON string in a form field...) are followed this
# many levels deep; deeper ones are scanned as plain text.
MAX_NESTING = 4
# A string this long made only of base64 characters (and MIME line breaks, but no spaces:
# prose must not qualify) is tried as an embedded file.
_BASE64_MIN = 256
# A bare string in a file field up to this long is also scanned as text: a key in an
# image field decodes as base64 too. (Longer values are files; keys are shorter.)
_RAW_SCAN_MAX = 1024
_BASE64 = re.compile(r"[A-Za-z0-9+/\r\n]+={0,2}\s*|[A-Za-z0-9_\-\r\n]+={0,2}\s*")
_DATA_URL = re.compile(r"data:([^,;]*)((?:;[^,;]*)*),", re.IGNORECASE)
# A value under a non-prose key that is an enum, a model name, a UUID, a lower-case id or
# a word without digits (USER, Europe/Berlin): not scanned. Anything else there (mixed
# case with digits, '=', spaces: a pasted key) is scanned for secrets: a client can put
# any text in any field.
ENUM_LIKE = re.compile(r"[a-z0-9][a-z0-9_.:/-]{0,79}|[A-Za-z][A-Za-z_/-]{0,39}")
_SAFE_KEY = re.compile(r"[A-Za-z0-9_$@.:\-]{1,64}")
_CONTAINERS_AND_STRINGS = frozenset({OBJECT, ARRAY, STRING})
_ROLES = {
    "user": "user", "human": "user",
    "system": "system", "developer": "developer",
    "assistant": "assistant", "model": "assistant", "chatbot": "assistant", "bot": "assistant",
    "tool": "tool", "function": "tool", "ipython": "tool",
}


def takes_as_text(value: str) -> bool:
    """True when ``Collector._loose_string`` surely takes the non-blank ``value`` as plain
    text: no ``data:`` URL, no JSON document, no base64 file. False when it might not
    (only the full reader can tell)."""
    return not (
        value[:5].lower() == "data:"
        or value.lstrip()[:1] in ("{", "[")
        or (len(value) >= _BASE64_MIN and _BASE64.fullmatch(value) is not None)
    )


class Unrecognized(Exception):
    """Raised by an adapter whose body does not have the shape it knows; the body is then
    walked generically instead."""


class Label(str):
    """A path component shown as it is ("file:report.pdf"), not as an object key."""


KEY = Label("(key)")  # the last step of an object key's path: "metadata.?.(key)"


Path = tuple[Any, ...]


def render_path(path: Path) -> str:
    """``messages[3].content[0].text``. Keys that do not look like identifiers are shown
    as ``?``: the description must not carry content."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif isinstance(part, Label):
            out.append(("." if out else "") + part)
        else:
            out.append(("." if out else "") + (part if _SAFE_KEY.fullmatch(part) else "?"))
    return "".join(out) or "body"


def file_label(filename: str | None) -> Label:
    """``file:<name>`` with any directory, control characters and excess length removed."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:100].strip()
    return Label(f"file:{name or 'upload'}")


def key_context(path: Path) -> str:
    """The key a JSON string sits under when it is not an API field name, as context for
    the detectors: ``{"aws_secret_access_key": "..."}`` names what its value is."""
    key = path[-1] if path else None
    if type(key) is str and key not in KNOWN_JSON_KEYS:
        return f"{key}: "
    return ""


def normalize_role(role: str | None, default: str = "user") -> str:
    if not role:
        return default
    return _ROLES.get(role.lower(), default)


@dataclass(frozen=True, slots=True)
class JV:
    """A view of one JSON value: the node (None when absent), the layer it lives in and
    its path. Navigating through absent values yields absent values, so adapters read
    like the documentation of the format."""

    node: JNode | None
    layer: Layer
    path: Path

    def __repr__(self) -> str:
        return f"JV({render_path(self.path)} {self.node!r})"

    def get(self, key: str) -> JV:
        child = self.node.get(key) if self.node is not None else None
        return JV(child, self.layer, (*self.path, key))

    def first(self, *keys: str) -> JV:
        """The first key present (for APIs that accept camelCase and snake_case)."""
        for key in keys:
            value = self.get(key)
            if value.exists:
                return value
        return self.get(keys[0])

    def items(self) -> Iterator[JV]:
        if self.node is not None and self.node.kind == ARRAY:
            for i, node in enumerate(self.node.value):
                yield JV(node, self.layer, (*self.path, i))

    def string_items(self) -> Iterator[JV]:
        """The string elements of a list (skips the numbers of token-id arrays cheaply)."""
        if self.node is not None and self.node.kind == ARRAY:
            for i, node in enumerate(self.node.value):
                if node.kind == STRING:
                    yield JV(node, self.layer, (*self.path, i))

    def members(self) -> Iterator[tuple[str, JV]]:
        if self.node is not None and self.node.kind == OBJECT:
            for key, node in self.node.value:
                yield key, JV(node, self.layer, (*self.path, key))

    @property
    def exists(self) -> bool:
        return self.node is not None

    @property
    def string(self) -> str | None:
        node = self.node
        return node.value if node is not None and node.kind == STRING else None

    @property
    def is_list(self) -> bool:
        return self.node is not None and self.node.kind == ARRAY

    @property
    def is_obj(self) -> bool:
        return self.node is not None and self.node.kind == OBJECT


class Collector:
    """Segments, write-back slots and unreadable parts of one body."""

    def __init__(self, body: bytes, max_bytes: int) -> None:
        self.root = Layer(body)
        self.max_bytes = max_bytes
        self.segments: list[Segment] = []
        self.uninspectable: list[str] = []
        self.media: list[str] = []
        self.files = 0  # file contents in message fields (``add_file`` with role "file")
        # JSON nodes already taken care of. The set holds the nodes themselves (identity
        # hash): ids of freed nodes of an earlier nested document could be reused.
        self._handled: set[JNode] = set()
        # Object keys that are not API field names, by text: one segment each, written
        # back wherever the key occurs.
        self._keys: dict[str, int] = {}

    # -- segments --------------------------------------------------------------------------
    def add_text(
        self, layer: Layer, start: int, end: int, text: str, encode: Callable,
        path: Path, role: str, scope: str = SCAN_ALL, context: str = "",
    ) -> None:
        """A redactable segment stored in ``layer[start:end]`` as ``encode(text)``."""
        if not text.strip():
            return
        index = len(self.segments)
        self.segments.append(Segment(text, render_path(path), role, True, context, scope))
        layer.slots.append(Slot(start, end, encode, segment=index))
        for embedded in files.embedded_texts(text, self.max_bytes):
            self.segments.append(Segment(embedded, render_path((*path, Label("(data)"))),
                                         role, False, scope=scope))

    def add_file(
        self, layer: Layer, start: int, end: int, data: bytes, encode: Callable,
        declared: str, path: Path, what: str, quiet_media: bool, role: str = "file",
        read: files.FileText | files.Opaque | None = None,
    ) -> None:
        """A file stored in ``layer[start:end]`` as ``encode(file bytes)``.

        Text files become redactable segments, PDF/Office/archive text read-only ones,
        their other readable text (metadata, package parts, strings of binaries) a
        segment scanned for secrets only. An identified image, sound or archive is
        noted in ``media`` (``binary_uploads`` decides), except images/audio/video
        inside JSON when ``quiet_media`` (out of scope and very common); anything that
        could not be read in ``uninspectable`` ("unknown upload application/x-foo").
        ``read`` is the result of reading ``data`` when the caller already has it.
        """
        if role == "file":
            self.files += 1
        result = read if read is not None else files.read_file(data, declared, self.max_bytes)
        where = render_path(path)
        if isinstance(result, files.Opaque):
            self._opaque(result, what, quiet_media)
            self._secrets_only(result.strings, where, role)
            return
        if result.text.strip():
            if result.redactable:
                self.add_text(layer, start, end, result.text,
                              lambda text: encode(result.encode(text)), path, role)
            else:
                self.segments.append(Segment(result.text, where, role, False))
        self._secrets_only(result.extra, where, role)
        for part in result.parts:
            self._opaque(part, what, quiet_media=False)

    def _opaque(self, result: files.Opaque, what: str, quiet_media: bool) -> None:
        if not result.identified:
            self.uninspectable.append(result.describe(what))
        elif not (quiet_media and result.is_media):
            self.media.append(result.describe(what))

    def _secrets_only(self, text: str, where: str, role: str) -> None:
        if text.strip():
            self.segments.append(Segment(text, where, role, False, scope=SCAN_SECRETS))

    def add_readonly(self, text: str, path: Path, role: str, scope: str = SCAN_ALL) -> None:
        """Text that is scanned but cannot be written back (a name in a part header)."""
        if text.strip():
            self.segments.append(Segment(text, render_path(path), role, False, scope=scope))

    def value(
        self, layer: Layer, start: int, end: int, text: str, encode: Callable,
        path: Path, role: str,
    ) -> None:
        """A form or multipart field value: a JSON document (its strings are walked) or
        text."""
        if layer.depth < MAX_NESTING and text.lstrip()[:1] in ("{", "["):
            try:
                inner = self.open_json(layer, start, end, text, encode, path)
            except jsonpos.JsonError:
                pass
            else:
                self.residual(inner, role)
                return
        self.add_text(layer, start, end, text, encode, path, role)

    # -- JSON values -----------------------------------------------------------------------
    def open_json(
        self, layer: Layer, start: int, end: int, text: str, encode: Callable, path: Path,
        node: JNode | None = None,
    ) -> JV:
        """Parse ``text`` (stored in ``layer[start:end]`` as ``encode(text)``) as a JSON
        document whose strings can be written back (``node``: already parsed). Raises
        jsonpos.JsonError."""
        if node is None:
            node = jsonpos.parse(text)
        child = Layer(text, depth=layer.depth + 1)
        layer.slots.append(Slot(start, end, encode, child=child))
        return JV(node, child, path)

    def text(self, v: JV, role: str, scope: str = SCAN_ALL) -> bool:
        """The string at ``v`` as one segment (nothing when ``v`` is not a string)."""
        value = v.string
        if value is None:
            return False
        self._handled.add(v.node)
        self.add_text(v.layer, v.node.start, v.node.end, value, json_literal, v.path, role,
                      scope, key_context(v.path))
        return True

    def skip(self, v: JV) -> None:
        """Mark ``v`` as handled without a segment (images, ids)."""
        if v.node is not None:
            self._handled.add(v.node)

    def nested_json(self, v: JV) -> JV | None:
        """The JSON object/array held in the string ``v``, or None when it holds none."""
        value = v.string
        if value is None or v.layer.depth >= MAX_NESTING or value.lstrip()[:1] not in ("{", "["):
            return None
        try:
            node = jsonpos.parse(value)
        except jsonpos.JsonError:
            return None
        self._handled.add(v.node)
        child = Layer(value, depth=v.layer.depth + 1)
        v.layer.slots.append(Slot(v.node.start, v.node.end, json_literal, child=child))
        return JV(node, child, v.path)

    def json_text(self, v: JV, role: str) -> None:
        """A string that should hold JSON (tool call arguments): its string leaves, or the
        whole string when it is not valid JSON (a model can emit broken arguments)."""
        inner = self.nested_json(v)
        if inner is not None:
            self.leaves(inner, role)
        else:
            self.text(v, role)

    def file(self, v: JV, declared: str = "") -> None:
        """A string holding a file: a ``data:`` URL or bare base64. Falls back to plain text
        when it is neither. A short bare string that happens to be valid base64 ("AKIA"
        plus 16 letters is) is also scanned as it is."""
        value = v.string
        if value is None:
            return
        self._handled.add(v.node)
        read = None
        if len(value) <= _RAW_SCAN_MAX and not _DATA_URL.match(value):
            data = _b64decode(value)
            if data is None:
                self.text(v, "file")
                return
            read = files.read_file(data, declared, self.max_bytes)
            if not _surely_a_file(read):
                self._secrets_only(value, render_path(v.path), "file")
        if not self._file_string(v, value, declared, read):
            self.text(v, "file")

    def _file_string(
        self, v: JV, value: str, declared: str,
        read: files.FileText | files.Opaque | None = None,
    ) -> bool:
        match = _DATA_URL.match(value)
        if match:
            declared = match.group(1) or declared
            is_base64 = ";base64" in match.group(2).lower()
            payload_start = match.end()
        else:
            is_base64, payload_start = True, 0
        payload = value[payload_start:]
        if is_base64:
            data = _b64decode(payload)
            if data is None:
                return False
            encode_payload: Callable[[bytes], str] = _b64encode
        else:
            data = unquote_to_bytes(payload)
            encode_payload = _percent_encode
        child = Layer(value, depth=v.layer.depth + 1)
        v.layer.slots.append(Slot(v.node.start, v.node.end, json_literal, child=child))
        self.add_file(child, payload_start, len(value), data, encode_payload, declared,
                      v.path, "file", quiet_media=True, read=read)
        return True

    # -- generic walks ---------------------------------------------------------------------
    def leaves(self, v: JV, role: str) -> None:
        """Every string below ``v``, whatever its key (tool inputs, document data)."""
        self._walk(v, role, frozenset())

    def residual(self, v: JV, role: str = "field") -> None:
        """Every string below ``v`` not handled yet; under non-prose keys (ids, enums,
        model names) only values that do not look like one, and only for secrets."""
        self._walk(v, role, NON_PROSE_JSON_KEYS)

    def _walk(self, v: JV, role: str, skip_keys: frozenset[str], scope: str = SCAN_ALL
              ) -> None:
        node = v.node
        if node is None or node in self._handled:
            return
        self._handled.add(node)
        if node.kind == STRING:
            self._loose_string(v, role, skip_keys, scope)
            return
        if node.kind == OBJECT:
            for index, (key, child) in enumerate(node.value):
                if key not in KNOWN_JSON_KEYS:
                    self._key(v, index, key, role, scope)
                if child.kind in _CONTAINERS_AND_STRINGS:  # numbers and constants: no text
                    self._walk(JV(child, v.layer, (*v.path, key)), role, skip_keys,
                               SCAN_SECRETS if key in skip_keys else scope)
        elif node.kind == ARRAY:
            for index, child in enumerate(node.value):
                if child.kind in _CONTAINERS_AND_STRINGS:
                    self._walk(JV(child, v.layer, (*v.path, index)), role, skip_keys, scope)

    def _key(self, v: JV, index: int, key: str, role: str, scope: str) -> None:
        """An object key that is not an API field name (a name in a tool's arguments, a
        user's own data as a key): a segment, written back wherever the same key text
        occurs in this body."""
        if not key.strip():
            return
        segment = self._keys.get(key)
        if segment is None:
            segment = self._keys[key] = len(self.segments)
            self.segments.append(Segment(key, render_path((*v.path, key, KEY)), role, True,
                                         scope=scope))
        start, end = v.node.keys[index]
        v.layer.slots.append(Slot(start, end, json_literal, segment=segment))

    def _loose_string(self, v: JV, role: str, skip_keys: frozenset[str], scope: str
                      ) -> None:
        """A string of unknown meaning: a data: URL, a JSON document, a base64 file, or
        text."""
        value = v.node.value
        if not value.strip() or (scope != SCAN_ALL and ENUM_LIKE.fullmatch(value)):
            return
        if value[:5].lower() == "data:" and _DATA_URL.match(value):
            if not self._file_string(v, value, ""):
                self.text(v, role, scope)
            return
        inner = self.nested_json(v)
        if inner is not None:
            self._walk(inner, role, skip_keys, scope)
            return
        if len(value) >= _BASE64_MIN and _BASE64.fullmatch(value) and self._base64_file(v):
            return
        self.text(v, role, scope)

    def _base64_file(self, v: JV) -> bool:
        """Take a long base64 string as a file when its bytes are a known format or
        Unicode text; anything else (a long token whose bytes happen to read as 8-bit
        text, a hex dump) stays text so it is still scanned as it is."""
        data = _b64decode(v.node.value)
        if data is None:
            return False
        result = files.read_file(data, "", self.max_bytes)
        if not _surely_a_file(result):
            return False
        return self._file_string(v, v.node.value, "", read=result)


def _surely_a_file(result: files.FileText | files.Opaque) -> bool:
    """Whether decoded base64 is surely a file (a parsed format, an identified image, or
    Unicode text), not a token that happens to be valid base64 and to read as 8-bit text
    or as nothing."""
    if isinstance(result, files.Opaque):
        return result.identified
    return result.kind != "text" or result.codec.startswith("utf-")


def _b64decode(payload: str) -> bytes | None:
    compact = "".join(payload.split())
    try:
        if "-" in compact or "_" in compact:
            return base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _percent_encode(data: bytes) -> str:
    return quote_from_bytes(data, safe="")
