"""Client profiles: which client sent a request, and how that client shows a notice.

Each client shows errors differently: the official SDKs raise a provider error whose text
says why, Claude Code prefixes a 403 with "Failed to authenticate.", Codex retries
anything but a 400, litellm retries a 403 with backoff, the ChatGPT page renders an error
field of its own stream. ``rulesets/clients.yaml`` says, per client, which answer it
shows to its user and does not retry. Profiles are data with examples (requests that
must and must not match), validated at load like every other ruleset file, so a new
client version is a data change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from .schema import Checker
from .sources import Sources
from .yamlsrc import Src, load_yaml

# Statuses a notice must never use: SDKs and agents retry 408/409/429 and 5xx, a 401
# starts a login or token refresh, a 407 asks for proxy credentials.
_FORBIDDEN_STATUSES = frozenset({401, 407, 408, 409, 429})
_HEADER_NAME = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+")


class AnswerKind(StrEnum):
    ERROR = "error"  # the API's own error shape, with a status the client treats as final
    REPLY = "reply"  # a well-formed answer whose assistant text is the notice


class ErrorBody(StrEnum):
    PROVIDER = "provider"  # the API's JSON error shape
    TEXT = "text"  # the message as text/plain (Codex shows a 400 body verbatim)


@dataclass(frozen=True)
class NoticeStyle:
    """How one client is answered on one transport."""

    answer: AnswerKind
    status: int = 403  # for errors
    body: ErrorBody = ErrorBody.PROVIDER
    error_type: str | None = None  # overrides the shape's default type (openai, anthropic)


@dataclass(frozen=True)
class RequestPattern:
    """One way to recognise a client; every condition given must hold."""

    apps: tuple[str, ...] = ()  # catalog app ids; empty: any
    path: re.Pattern[str] | None = None  # searched in the path (no query string)
    headers: tuple[tuple[str, re.Pattern[str]], ...] = ()  # searched in the first value

    def matches(self, app_id: str | None, path: str, fields: Mapping[str, str]) -> bool:
        if self.apps and app_id not in self.apps:
            return False
        if self.path is not None and not self.path.search(path):
            return False
        return all(name in fields and rx.search(fields[name]) for name, rx in self.headers)


@dataclass(frozen=True)
class ClientProfile:
    id: str
    name: str
    patterns: tuple[RequestPattern, ...]  # any may match; empty only for the default
    http: NoticeStyle
    websocket: NoticeStyle
    redaction_note: bool  # the client shows a note at the start of a streamed answer
    hint: str | None = None  # appended to content blocks: what to do in this client


@dataclass(frozen=True)
class ClientProfiles:
    path: Path
    profiles: tuple[ClientProfile, ...]
    default: ClientProfile

    def match(self, app_id: str | None, path: str,
              fields: tuple[tuple[str, str], ...]) -> ClientProfile:
        """The first profile one of whose patterns matches, else the default."""
        first: dict[str, str] = {}
        for name, value in fields:
            first.setdefault(name.lower(), value)
        for profile in self.profiles:
            if any(p.matches(app_id, path, first) for p in profile.patterns):
                return profile
        return self.default


def load_client_profiles(path: Path, app_ids: frozenset[str],
                         sources: Sources | None = None) -> ClientProfiles:
    """Load and validate a client profile file (through ``sources``, by default from
    disk); raises ``ConfigError`` listing every problem with file, line and field."""
    doc = load_yaml(path, sources)
    root = Src(str(path), "", 1)
    check = Checker()
    top = check.mapping(doc, root, required=("profiles", "default"))
    check.raise_if_any()
    assert top is not None
    profiles = check.unique_items(
        top, "profiles", root, lambda item, src: _profile(check, item, src, app_ids))
    default = _profile(check, top["default"], root.key(top, "default"), app_ids,
                       is_default=True)
    check.raise_if_any()
    assert default is not None
    result = ClientProfiles(path, tuple(profiles), default)
    _check_examples(check, top, root, result, app_ids)
    check.raise_if_any()
    return result


def _profile(check: Checker, value: Any, src: Src, app_ids: frozenset[str], *,
             is_default: bool = False) -> ClientProfile | None:
    required = ("id", "name", "notice", "redaction_note", "source")
    optional = ("hint",) if is_default else ("when", "examples", "hint")
    m = check.mapping(value, src, required=required + (() if is_default else ("when",)),
                      optional=optional)
    if m is None or any(k not in m for k in required):
        return None
    pid = check.identifier(m["id"], src.key(m, "id"))
    name = check.string(m["name"], src.key(m, "name"))
    check.string(m["source"], src.key(m, "source"))  # required: where the shape comes from
    note = check.boolean(m["redaction_note"], src.key(m, "redaction_note"))
    hint = check.string(m["hint"], src.key(m, "hint")) if "hint" in m else None
    patterns: tuple[RequestPattern, ...] = ()
    if "when" in m:
        patterns = _patterns(check, m["when"], src.key(m, "when"), app_ids)
    styles = _notice(check, m["notice"], src.key(m, "notice"))
    if pid is None or name is None or note is None or styles is None or (
            not is_default and not patterns):
        return None
    http, ws = styles
    return ClientProfile(pid, name.strip(), patterns, http, ws, note,
                         hint.strip() if hint else None)


def _patterns(check: Checker, value: Any, src: Src, app_ids: frozenset[str]
              ) -> tuple[RequestPattern, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        isrc = src.item(value, i) if isinstance(value, list) else src
        p = _pattern(check, item, isrc, app_ids)
        if p is not None:
            out.append(p)
    return tuple(out)


def _pattern(check: Checker, value: Any, src: Src, app_ids: frozenset[str]
             ) -> RequestPattern | None:
    m = check.mapping(value, src, optional=("app", "path", "headers"))
    if m is None:
        return None
    if not m:
        check.fail(src, "needs at least one condition (app, path, headers)")
        return None
    apps: tuple[str, ...] = ()
    if "app" in m:
        asrc = src.key(m, "app")
        apps = check.string_list(m["app"], asrc, nonempty=True)
        for i, app in enumerate(apps):
            if app not in app_ids:
                check.fail(asrc.item(m["app"], i) if isinstance(m["app"], list) else asrc,
                           f"unknown app {app!r} (not in the catalog)")
    path = check.regex(m["path"], src.key(m, "path")) if "path" in m else None
    headers: list[tuple[str, re.Pattern[str]]] = []
    if "headers" in m:
        hsrc = src.key(m, "headers")
        hm = check.mapping(m["headers"], hsrc, optional=_keys(m["headers"]))
        for header, rx in (hm or {}).items():
            ksrc = hsrc.key(hm, header)
            if not _HEADER_NAME.fullmatch(header):
                check.fail(ksrc, f"{header!r} is not a lower-case header name")
                continue
            compiled = check.regex(rx, ksrc)
            if compiled is not None:
                headers.append((header, compiled))
    return RequestPattern(apps, path, tuple(headers))


def _notice(check: Checker, value: Any, src: Src) -> tuple[NoticeStyle, NoticeStyle] | None:
    m = check.mapping(value, src, required=("http", "websocket"))
    if m is None or "http" not in m or "websocket" not in m:
        return None
    http = _style(check, m["http"], src.key(m, "http"))
    ws = _style(check, m["websocket"], src.key(m, "websocket"))
    return (http, ws) if http and ws else None


def _style(check: Checker, value: Any, src: Src) -> NoticeStyle | None:
    m = check.mapping(value, src, required=("answer",),
                      optional=("status", "body", "error_type"))
    if m is None or "answer" not in m:
        return None
    answer = check.choice(m["answer"], src.key(m, "answer"), [a.value for a in AnswerKind])
    if answer == AnswerKind.REPLY and any(k in m for k in ("status", "body", "error_type")):
        check.fail(src, "status, body and error_type apply to answer: error only")
        return None
    status = 403
    if "status" in m:
        ssrc = src.key(m, "status")
        number = check.number(m["status"], ssrc, minimum=400, maximum=499, integer=True)
        if number is not None and int(number) in _FORBIDDEN_STATUSES:
            check.fail(ssrc, f"{int(number)} must not be used: clients retry it or start a "
                             "login (use 400, 403, 422 or 451)")
            number = None
        if number is None:
            return None
        status = int(number)
    body = ErrorBody.PROVIDER
    if "body" in m:
        b = check.choice(m["body"], src.key(m, "body"), [e.value for e in ErrorBody])
        if b is None:
            return None
        body = ErrorBody(b)
    error_type = (check.identifier(m["error_type"], src.key(m, "error_type"))
                  if "error_type" in m else None)
    if answer is None or ("error_type" in m and error_type is None):
        return None
    return NoticeStyle(AnswerKind(answer), status, body, error_type)


def _check_examples(check: Checker, top: Any, root: Src, profiles: ClientProfiles,
                    app_ids: frozenset[str]) -> None:
    """Every profile's ``match`` examples must be recognised as that profile (not as an
    earlier one: the first match wins), its ``no_match`` examples must not."""
    by_id = {p.id: p for p in profiles.profiles}
    psrc = root.key(top, "profiles")
    for i, item in enumerate(top["profiles"]):
        isrc = psrc.item(top["profiles"], i)
        if not isinstance(item, dict) or item.get("id") not in by_id:
            continue
        profile = by_id[item["id"]]
        if "examples" not in item:
            check.fail(isrc, "examples are required (requests that must and must not match)")
            continue
        esrc = isrc.key(item, "examples")
        ex = check.mapping(item["examples"], esrc, required=("match",), optional=("no_match",))
        if ex is None or "match" not in ex:
            continue
        for key, wanted in (("match", True), ("no_match", False)):
            if key not in ex:
                continue
            lsrc = esrc.key(ex, key)
            for j, example in enumerate(check.sequence(ex[key], lsrc, nonempty=True) or []):
                xsrc = lsrc.item(ex[key], j)
                parsed = _example(check, example, xsrc, app_ids)
                if parsed is None:
                    continue
                got = profiles.match(*parsed)
                if wanted and got is not profile:
                    check.fail(xsrc, f"is recognised as {got.id!r}, not {profile.id!r}")
                elif not wanted and any(p.matches(parsed[0], parsed[1], dict(parsed[2]))
                                        for p in profile.patterns):
                    check.fail(xsrc, f"must not match {profile.id!r}, but does")


def _example(check: Checker, value: Any, src: Src, app_ids: frozenset[str]
             ) -> tuple[str | None, str, tuple[tuple[str, str], ...]] | None:
    m = check.mapping(value, src, optional=("app", "path", "headers"))
    if m is None:
        return None
    app = check.string(m["app"], src.key(m, "app")) if "app" in m else None
    if app is not None and app not in app_ids:
        check.fail(src.key(m, "app"), f"unknown app {app!r} (not in the catalog)")
    path = check.string(m["path"], src.key(m, "path")) if "path" in m else "/"
    headers: list[tuple[str, str]] = []
    if "headers" in m:
        hsrc = src.key(m, "headers")
        hm = check.mapping(m["headers"], hsrc, optional=_keys(m["headers"]))
        for name, v in (hm or {}).items():
            text = check.string(v, hsrc.key(hm, name))
            if text is not None:
                headers.append((name.lower(), text))
    return app, path or "/", tuple(headers)


def _keys(value: Any) -> tuple[str, ...]:
    """Any key is allowed in a header mapping (the header names are the data)."""
    return tuple(value) if isinstance(value, dict) else ()
