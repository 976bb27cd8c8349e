"""Plain chat bodies read straight from ``jsonpos.load``'s values, without positions.

Chat clients re-send the whole conversation on every turn. The full reader (``jsonpos``
nodes walked by an adapter through ``Collector``) costs microseconds per JSON value, so
a long history costs milliseconds before any scanning. For the shapes almost every
request has (OpenAI chat messages with string or text-part content, Anthropic messages
with text blocks) these readers produce the very same segments from the parsed values
in a fraction of that. Anything they do not know exactly (files, documents, JSON or
base64 inside strings other than tool arguments, repeated keys, deep nesting) makes them
give up and the full reader runs instead. A rewrite needs positions: the full reader
runs then (only when something is redacted).

They mirror ``adapters/openai.py`` (``chat``) and ``adapters/anthropic.py``
(``messages``) plus ``Collector``'s residual walk: a change there must be made here too.
tests/unit/test_history_cache.py compares both readers on many shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import SCAN_ALL, SCAN_SECRETS, Segment
from . import jsonpos
from .adapters import anthropic, openai
from .collect import ENUM_LIKE, KEY, key_context, normalize_role, render_path, takes_as_text
from .files import has_embedded_data
from .jsonpos import MAX_DEPTH, Pairs
from .keys import KNOWN_JSON_KEYS, NON_PROSE_JSON_KEYS

_NO_KEYS: frozenset[str] = frozenset()
# "messages[i].content" for the first messages, made once: a history has one per message.
_CONTENT_WHERE = tuple(f"messages[{i}].content" for i in range(512))
_CONTAINERS = (Pairs, list)
_TOOL_USE = ("tool_use", "server_tool_use", "mcp_tool_use")
_TOOL_RESULT = ("tool_result", "mcp_tool_result")


class _NotPlain(Exception):
    """The body has something only the full reader handles."""


class Read:
    """The segments a plain reader found, each with the path of its JSON string in the
    document (for a rewrite), or None when it lies in a nested document or is an object
    key (the full reader writes those back)."""

    __slots__ = ("segments", "paths", "keys")

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.paths: list[tuple[Any, ...] | None] = []
        self.keys: set[str] = set()  # object keys already made a segment

    def add(self, text: str, where: str, role: str, path: tuple[Any, ...],
            scope: str = SCAN_ALL) -> None:
        self.segments.append(Segment(text, where, role, True, key_context(path), scope))
        self.paths.append(path)


def read(handler: Callable[..., Any] | None, value: Any) -> Read | None:
    """The segments the full reader would give for a body routed to ``handler``, or None
    when there is no plain reader for it or the body is not plain."""
    reader = _READERS.get(handler)  # type: ignore[arg-type]
    if reader is None or type(value) is not Pairs:
        return None
    out = Read()
    try:
        reader(value, out)
    except _NotPlain:
        return None
    return out


# ----------------------------------------------------------------------------- helpers
def _fields(pairs: Pairs) -> dict[str, Any]:
    """An object's members by key; repeated keys are not plain (``get`` takes the last,
    the residual walk the others)."""
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise _NotPlain
    return fields


def _text(out: Read, value: str, path: tuple[Any, ...], role: str, where: str | None = None
          ) -> None:
    """``Collector.text`` on a string: one segment unless blank."""
    if value and not value.isspace():  # not value.strip(), without copying the text
        if has_embedded_data(value):
            raise _NotPlain  # a data: URL inside the text: the full reader decodes it
        out.add(value, render_path(path) if where is None else where, role, path)


def _key(out: Read, key: str, path: tuple[Any, ...], role: str, scope: str = SCAN_ALL
         ) -> None:
    """``Collector._key``: an object key that is no API field name, once per text."""
    if key in KNOWN_JSON_KEYS or key in out.keys or not key.strip():
        return
    out.keys.add(key)
    out.segments.append(Segment(key, render_path((*path, key, KEY)), role, True, scope=scope))
    out.paths.append(None)


def _check_depth(value: Any, depth: int) -> None:
    """A subtree the full reader skips is still built: nesting too deep for ``jsonpos``
    must reach the full reader, which fails it."""
    if type(value) in _CONTAINERS:
        if depth >= MAX_DEPTH:
            raise _NotPlain
        for child in (v for _, v in value) if type(value) is Pairs else value:
            _check_depth(child, depth + 1)


def _walk(out: Read, value: Any, path: tuple[Any, ...], role: str,
          skip_keys: frozenset[str], depth: int, scope: str = SCAN_ALL) -> None:
    """``Collector._walk``: every string below ``value`` (``depth`` its nesting); under
    ``skip_keys`` only what does not look like an id or enum, for secrets."""
    kind = type(value)
    if kind is str:
        if value.strip() and not (scope != SCAN_ALL and ENUM_LIKE.fullmatch(value)):
            if not takes_as_text(value) or has_embedded_data(value):
                raise _NotPlain
            out.add(value, render_path(path), role, path, scope)
        return
    if kind is not Pairs and kind is not list:
        return  # numbers and constants hold no text
    if depth >= MAX_DEPTH:
        raise _NotPlain
    if kind is list:
        for index, child in enumerate(value):
            _walk(out, child, (*path, index), role, skip_keys, depth + 1, scope)
        return
    for key, child in value:
        _key(out, key, path, role, scope)
        _walk(out, child, (*path, key), role, skip_keys, depth + 1,
              SCAN_SECRETS if key in skip_keys else scope)


def _residual(out: Read, pairs: Pairs, path: tuple[Any, ...], role: str,
              taken: tuple[str, ...], depth: int) -> None:
    """``Collector.residual`` on an object whose ``taken`` members the adapter handled
    (and the caller has read or depth-checked)."""
    for key, child in pairs:
        _key(out, key, path, role)
        if key not in taken:
            _walk(out, child, (*path, key), role, NON_PROSE_JSON_KEYS, depth + 1,
                  SCAN_SECRETS if key in NON_PROSE_JSON_KEYS else SCAN_ALL)


# ----------------------------------------------------------------------------- OpenAI
def _openai_chat(root: Pairs, out: Read) -> None:
    """``openai.chat``."""
    messages = _fields(root).get("messages")
    if type(messages) is not list:
        raise _NotPlain
    segments, paths = out.segments, out.paths
    for i, message in enumerate(messages):
        if type(message) is not Pairs:
            raise _NotPlain
        if len(message) == 2:  # {"role": "...", "content": "..."}: most of every history
            (key, role), (other, content) = message
            if key == "content":
                key, other, role, content = other, key, content, role
            if (key == "role" and other == "content" and type(role) is str
                    and type(content) is str and ENUM_LIKE.fullmatch(role)):
                if content and not content.isspace():
                    if has_embedded_data(content):
                        raise _NotPlain
                    where = (_CONTENT_WHERE[i] if i < len(_CONTENT_WHERE)
                             else f"messages[{i}].content")
                    segments.append(Segment(content, where,
                                            normalize_role(role), True))
                    paths.append(("messages", i, "content"))
                continue
        _openai_message(out, message, i)
    _residual(out, root, (), "field", ("messages",), 0)


def _openai_message(out: Read, message: Pairs, i: int) -> None:
    fields = _fields(message)
    role_value = fields.get("role")
    role = normalize_role(role_value if type(role_value) is str else None)
    path = ("messages", i)
    taken: tuple[str, ...] = ()
    content = fields.get("content")
    if type(content) is str:
        _text(out, content, (*path, "content"), role)
        taken = ("content",)
    elif type(content) is list:
        for j, part in enumerate(content):
            _openai_part(out, part, i, j, role)
        taken = ("content",)  # every part is handled
    refusal = fields.get("refusal")
    if type(refusal) is str:
        _text(out, refusal, (*path, "refusal"), role)
        taken = (*taken, "refusal")
    calls = fields.get("tool_calls")
    if type(calls) is list:
        for j, call in enumerate(calls):
            if type(call) is Pairs:
                _tool_call(out, _fields(call), (*path, "tool_calls", j), role)
    function_call = fields.get("function_call")  # legacy function calling
    if type(function_call) is Pairs:
        _function(out, _fields(function_call), (*path, "function_call"), role)
    # The residual walk; tool calls were handled in part.
    for key, child in message:
        _key(out, key, path, role)
        if key in taken:
            continue
        if key in NON_PROSE_JSON_KEYS:
            _walk(out, child, (*path, key), role, NON_PROSE_JSON_KEYS, 3, SCAN_SECRETS)
        elif key == "tool_calls" and type(child) is list:
            for j, call in enumerate(child):
                call_path = (*path, key, j)
                if type(call) is Pairs:
                    _call_residual(out, call, call_path, role)
                else:
                    _walk(out, call, call_path, role, NON_PROSE_JSON_KEYS, 4)
        elif key == "function_call" and type(child) is Pairs:
            _function_residual(out, child, (*path, key), role, 3)
        else:
            _walk(out, child, (*path, key), role, NON_PROSE_JSON_KEYS, 3)


def _tool_call(out: Read, call: dict[str, Any], path: tuple[Any, ...], role: str
               ) -> None:
    function = call.get("function")
    if type(function) is Pairs:
        _function(out, _fields(function), (*path, "function"), role)
    custom = call.get("custom")
    if type(custom) is Pairs:
        text = _fields(custom).get("input")
        if type(text) is str:
            _text(out, text, (*path, "custom", "input"), role)


def _function(out: Read, function: dict[str, Any], path: tuple[Any, ...],
              role: str) -> None:
    """A function call: the name is text, the arguments are ``Collector.json_text``."""
    name = function.get("name")
    if type(name) is str:
        _text(out, name, (*path, "name"), role)
    arguments = function.get("arguments")
    if type(arguments) is not str:
        return
    at = (*path, "arguments")
    if arguments.lstrip()[:1] in ("{", "["):
        try:
            document = jsonpos.load(arguments)
            _check_depth(document, 0)  # too deep for jsonpos: taken as text
        except (jsonpos.JsonError, _NotPlain):
            pass
        else:
            first = len(out.paths)
            _walk(out, document, at, role, _NO_KEYS, 0)
            out.paths[first:] = [None] * (len(out.paths) - first)  # inside the arguments
            return
    _text(out, arguments, at, role)


def _call_residual(out: Read, call: Pairs, path: tuple[Any, ...], role: str) -> None:
    for key, child in call:
        _key(out, key, path, role)
        if key in NON_PROSE_JSON_KEYS:
            _walk(out, child, (*path, key), role, NON_PROSE_JSON_KEYS, 5, SCAN_SECRETS)
        elif key == "function" and type(child) is Pairs:
            _function_residual(out, child, (*path, key), role, 5)
        elif key == "custom" and type(child) is Pairs:
            text = dict(child).get("input")
            _residual(out, child, (*path, key), role,
                      ("input",) if type(text) is str else (), 5)
        else:
            _walk(out, child, (*path, key), role, NON_PROSE_JSON_KEYS, 5)


def _function_residual(out: Read, function: Pairs, path: tuple[Any, ...], role: str,
                       depth: int) -> None:
    fields = dict(function)
    taken = tuple(key for key in ("name", "arguments") if type(fields.get(key)) is str)
    _residual(out, function, path, role, taken, depth)


def _openai_part(out: Read, part: Any, i: int, j: int, role: str) -> None:
    """``openai.content`` on one element of a content list."""
    path = ("messages", i, "content", j)
    if type(part) is str:
        _text(out, part, path, role)
        return
    if type(part) is not Pairs:
        _walk(out, part, path, role, NON_PROSE_JSON_KEYS, 4)
        return
    fields = _fields(part)
    kind_value = fields.get("type")
    kind = (kind_value if type(kind_value) is str else None) or (
        "text" if "text" in fields else None)
    taken: tuple[str, ...] = ()
    if kind in openai.TEXT_PARTS:
        key = openai.TEXT_PARTS[kind]
        text = fields.get(key)
        if type(text) is str:
            _text(out, text, (*path, key), role)
            taken = (key,)
    elif kind in openai.FILE_PARTS:
        raise _NotPlain
    _residual(out, part, path, role, taken, 4)


# ----------------------------------------------------------------------------- Anthropic
def _anthropic_messages(root: Pairs, out: Read) -> None:
    """``anthropic.messages``."""
    fields = _fields(root)
    messages = fields.get("messages")
    if type(messages) is not list:
        raise _NotPlain
    taken = ["messages"]
    if _blocks(out, fields.get("system"), ("system",), "system", 1):
        taken.append("system")
    for i, message in enumerate(messages):
        if type(message) is not Pairs:
            raise _NotPlain
        message_fields = _fields(message)
        role_value = message_fields.get("role")
        role = normalize_role(role_value if type(role_value) is str else None)
        path = ("messages", i)
        content = message_fields.get("content")
        if type(content) is str:  # the common case, without building a path
            _text(out, content, (*path, "content"), role,
                  _CONTENT_WHERE[i] if i < len(_CONTENT_WHERE) else None)
            done = True
        else:
            done = _blocks(out, content, (*path, "content"), role, 3)
        _residual(out, message, path, role, ("content",) if done else (), 2)
    _residual(out, root, (), "field", tuple(taken), 0)


def _blocks(out: Read, value: Any, path: tuple[Any, ...], role: str,
            depth: int) -> bool:
    """``anthropic.blocks``; True when ``value`` counts as handled (a string or a list,
    all of whose elements are)."""
    if type(value) is str:
        _text(out, value, path, role)
        return True
    if type(value) is not list:
        return False
    if depth >= MAX_DEPTH:
        raise _NotPlain
    for j, block in enumerate(value):
        if type(block) is Pairs:
            _block(out, block, (*path, j), role, depth + 1)
        else:  # a bare string is swept up as a loose string, as anything else
            _walk(out, block, (*path, j), role, NON_PROSE_JSON_KEYS, depth + 1)
    return True


def _block(out: Read, block: Pairs, path: tuple[Any, ...], role: str,
           depth: int) -> None:
    fields = _fields(block)
    kind_value = fields.get("type")
    kind = kind_value if type(kind_value) is str else None
    taken: tuple[str, ...] = ()
    if kind in ("text", "thinking"):
        text = fields.get(kind)
        if type(text) is str:
            _text(out, text, (*path, kind), role)
            taken = (kind,)
    elif kind in _TOOL_USE:
        name = fields.get("name")
        if type(name) is str:
            _text(out, name, (*path, "name"), role)
        if "input" in fields:  # the tool's arguments, any key, any depth
            _walk(out, fields["input"], (*path, "input"), role, _NO_KEYS, depth + 1)
        taken = ("name", "input") if type(name) is str else ("input",)
    elif kind in _TOOL_RESULT:
        if _blocks(out, fields.get("content"), (*path, "content"), "tool", depth + 1):
            taken = ("content",)
        role = "tool"
    elif kind == "search_result":
        if _blocks(out, fields.get("content"), (*path, "content"), role, depth + 1):
            taken = ("content",)
    elif kind in ("document", "image"):
        raise _NotPlain
    _residual(out, block, path, role, taken, depth)


_READERS: dict[Callable[..., Any], Callable[[Pairs, Read], None]] = {
    openai.chat: _openai_chat,
    anthropic.messages: _anthropic_messages,
}
