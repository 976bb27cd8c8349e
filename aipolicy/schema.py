"""A small schema checker for YAML configuration.

Every check records a ``ConfigProblem`` (file, line, field, message) instead of raising
at the first one, so a security engineer sees every mistake of a file at once. Checks
return the converted value, or ``None`` when the value was invalid.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import ipaddress
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .errors import ConfigError, ConfigProblem
from .yamlsrc import LineDict, Src

T = TypeVar("T")


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Checker:
    """Collects problems while converting a parsed YAML document into typed objects."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    # -- bookkeeping -------------------------------------------------------------------
    def fail(self, src: Src, message: str) -> None:
        self.problems.append(ConfigProblem(src.file, src.line, src.field or "(root)", message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ConfigError(self.problems)

    # -- structure ---------------------------------------------------------------------
    def mapping(
        self,
        value: Any,
        src: Src,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
    ) -> LineDict | None:
        """Check that ``value`` is a mapping with exactly the allowed keys."""
        if not isinstance(value, dict):
            self.fail(src, f"must be a mapping, got {_type_name(value)}")
            return None
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                tail = f"; did you mean {hint[0]!r}?" if hint else ""
                self.fail(
                    src.key(value, key),
                    f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))}){tail}",
                )
        for key in required:
            if key not in value:
                self.fail(Src(src.file, f"{src.field}.{key}" if src.field else key, src.line),
                          "is required")
        return value if isinstance(value, LineDict) else _as_linedict(value, src)

    def sequence(self, value: Any, src: Src, *, nonempty: bool = False) -> list | None:
        if not isinstance(value, list):
            self.fail(src, f"must be a list, got {_type_name(value)}")
            return None
        if nonempty and not value:
            self.fail(src, "must not be empty")
        return value

    def unique_items(self, parent: Any, key: str, src: Src,
                     parse: Callable[[Any, Src], T | None]) -> list[T]:
        """Parse ``parent[key]``, a list of items with an ``id``; ids must be unique."""
        if key not in parent:
            return []
        lsrc = src.key(parent, key)
        out: list[T] = []
        seen: set[str] = set()
        for i, item in enumerate(self.sequence(parent[key], lsrc) or []):
            isrc = lsrc.item(parent[key], i)
            parsed = parse(item, isrc)
            if parsed is None:
                continue
            item_id = parsed.id  # type: ignore[attr-defined]
            if item_id in seen:
                self.fail(isrc, f"duplicate rule id {item_id!r}")
            seen.add(item_id)
            out.append(parsed)
        return out

    # -- scalars -----------------------------------------------------------------------
    def string(
        self, value: Any, src: Src, *, pattern: re.Pattern[str] | None = None,
        what: str = "", allow_empty: bool = False,
    ) -> str | None:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(src, f"must be a string, got {_type_name(value)}")
            return None
        text = str(value)
        if not allow_empty and not text.strip():
            self.fail(src, "must not be empty")
            return None
        if pattern is not None and not pattern.fullmatch(text):
            self.fail(src, f"{text!r} is not {what or 'valid'}")
            return None
        return text

    def identifier(self, value: Any, src: Src) -> str | None:
        return self.string(
            value, src, pattern=_IDENT,
            what="a valid id (lower-case letters, digits, '-', '_', '.'; starts with a letter)",
        )

    def choice(self, value: Any, src: Src, choices: Iterable[str]) -> str | None:
        choices = tuple(choices)
        text = self.string(value, src)
        if text is None:
            return None
        if text not in choices:
            hint = difflib.get_close_matches(text, choices, n=1)
            tail = f"; did you mean {hint[0]!r}?" if hint else ""
            self.fail(src, f"{text!r} is not one of: {', '.join(choices)}{tail}")
            return None
        return text

    def boolean(self, value: Any, src: Src) -> bool | None:
        if not isinstance(value, bool):
            self.fail(src, f"must be true or false, got {_type_name(value)}")
            return None
        return value

    def number(
        self, value: Any, src: Src, *, minimum: float | None = None,
        maximum: float | None = None, integer: bool = False,
    ) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(src, f"must be a number, got {_type_name(value)}")
            return None
        if integer and not isinstance(value, int):
            self.fail(src, "must be a whole number")
            return None
        if minimum is not None and value < minimum:
            self.fail(src, f"must be >= {minimum}, got {value}")
            return None
        if maximum is not None and value > maximum:
            self.fail(src, f"must be <= {maximum}, got {value}")
            return None
        return value

    def duration(self, value: Any, src: Src, *, minimum: float = 0.0,
                 maximum: float | None = None, alternative: str = "") -> float | None:
        """Seconds, from a number or a string such as ``90s``, ``15m``, ``4h``, ``7d``.
        ``alternative`` names a word the field also accepts (for the message)."""
        what = "a duration such as 30s, 15m, 4h or 7d" + (
            f", or {alternative}" if alternative else "")
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(src, f"must be {what}, got {_type_name(value)}")
            return None
        if isinstance(value, str):
            m = _DURATION.fullmatch(value.strip())
            if m is None:
                self.fail(src, f"{value!r} is not {what}")
                return None
            seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
        else:
            seconds = float(value)
        if seconds < minimum or (maximum is not None and seconds > maximum):
            limits = f">= {minimum:g}s" + (f" and <= {maximum:g}s" if maximum else "")
            self.fail(src, f"must be {limits}, got {seconds:g}s")
            return None
        return seconds

    def date(self, value: Any, src: Src) -> _dt.date | None:
        text = self.string(value, src)
        if text is None:
            return None
        try:
            return _dt.date.fromisoformat(text)
        except ValueError:
            self.fail(src, f"{text!r} is not a date (YYYY-MM-DD)")
            return None

    def network(self, value: Any, src: Src) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
        text = self.string(value, src)
        if text is None:
            return None
        try:
            return ipaddress.ip_network(text, strict=False)
        except ValueError:
            self.fail(src, f"{text!r} is not an IP network in CIDR form (e.g. 10.0.0.0/8)")
            return None

    def regex(self, value: Any, src: Src, flags: int = 0) -> re.Pattern[str] | None:
        text = self.string(value, src)
        if text is None:
            return None
        try:
            return re.compile(text, flags)
        except re.error as exc:
            self.fail(src, f"invalid regular expression: {exc.msg} at position {exc.pos}")
            return None

    def string_list(
        self, value: Any, src: Src, *, nonempty: bool = False, ident: bool = False,
    ) -> tuple[str, ...]:
        """A list of strings; a single string is accepted as a one-item list."""
        if isinstance(value, str):
            value = [value]
        items = self.sequence(value, src, nonempty=nonempty)
        if items is None:
            return ()
        out: list[str] = []
        for i, item in enumerate(items):
            check = self.identifier if ident else self.string
            text = check(item, src.item(value, i))
            if text is not None:
                out.append(text)
        return tuple(out)


_IDENT = re.compile(r"[a-z][a-z0-9_.-]*")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|h|d)")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _as_linedict(value: dict, src: Src) -> LineDict:
    out = LineDict(value)
    out.line = src.line or 0
    out.key_lines = {}
    return out
