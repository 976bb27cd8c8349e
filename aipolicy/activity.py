"""What a request does with an AI app: send a prompt, upload a file, or something else.

Decided here and nowhere else, from data (``rulesets/activities.yaml``): the body's
media type, endpoints the extraction routes do not describe, and the extraction route
(``aipolicy.extract.registry``) that reads the body. Only the request line and the
Content-Type are needed, so access rules can match an activity before the body is read.
``carries_files`` is the second look, after extraction: an inspected body that holds a
file makes the request an upload as well (``Pipeline.evaluate``).

The table is validated like every ruleset file (file, line and field for every problem),
every extraction route's adapter must be given an activity, and the file's examples
must come out as stated, or it is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urlsplit

from .catalog import host_list, path_segments
from .extract.files import media_type
from .extract.registry import ROUTES, Route, find_route
from .model import SCAN_ALL, Activity, Extraction, RequestInfo
from .paths import RULESETS
from .schema import Checker
from .sources import Sources, load_referenced
from .yamlsrc import Src, load_yaml

DEFAULT_ACTIVITIES_PATH = RULESETS / "activities.yaml"

_KEYS = ("upload_media_types", "adapters", "endpoints", "examples")
_MEDIA = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/(?:\*|[a-z0-9][a-z0-9!#$&^_.+-]*\*?)")
_METHOD = re.compile(r"[A-Z]+")
_ACTIVITIES = tuple(a.value for a in Activity)
_FETCHED_SCHEMES = frozenset({"http", "https", "gs", "s3"})  # file references, not data


@dataclass(frozen=True)
class Endpoint:
    activity: Activity
    path: re.Pattern[str]  # searched in the normalised path
    hosts: tuple[str, ...] = ()  # label-boundary suffixes; empty: any host
    methods: tuple[str, ...] = ()  # empty: any method

    def matches(self, method: str, host: str, path: str) -> bool:
        if self.methods and method not in self.methods:
            return False
        if self.hosts and not any(host == h or host.endswith("." + h) for h in self.hosts):
            return False
        return self.path.search(path) is not None


@dataclass(frozen=True)
class ActivityTable:
    upload_media: tuple[str, ...]  # exact media types, and prefixes ending in "/" or "."
    endpoints: tuple[Endpoint, ...]
    adapters: Mapping[str, Activity]  # route adapter -> activity
    routes: tuple[Route, ...] = ROUTES

    def of(self, request: RequestInfo) -> Activity:
        return self.activity_of(request.method, request.host, request.path,
                                request.content_type)

    def activity_of(self, method: str, host: str, path: str, content_type: str) -> Activity:
        media = media_type(content_type)
        if media and any(media == m or (m[-1] in "/." and media.startswith(m))
                         for m in self.upload_media):
            return Activity.UPLOAD
        method = method.upper()
        host = host.lower().rstrip(".")
        path = normalise_path(path)
        for endpoint in self.endpoints:
            if endpoint.matches(method, host, path):
                return endpoint.activity
        route = find_route(method, host, path, self.routes)
        if route is None:
            return Activity.OTHER
        return self.adapters[route.adapter]


def normalise_path(path: str) -> str:
    """The path as servers read it: %-escapes decoded, empty and dot segments and
    ``;parameters`` removed, no trailing slash; the query dropped. Case is kept: route
    patterns are case-sensitive (``:generateContent``)."""
    path = path.partition("?")[0].partition("#")[0]
    if "%" in path:
        path = unquote(path)
    return "/" + "/".join(path_segments(path, strip_params=True))


def carries_files(extraction: Extraction) -> bool:
    """The body holds a file: a document or attachment (as text or as file data), an
    image or a sound sent inline, or content that could not be read. A screenshot
    pasted into a chat is an upload: its text is not read, so "uploads blocked" must
    cover it. A URL or a file id the provider fetches itself carries no file; text a
    file part holds besides its data (ids, media types) is no file either."""
    return bool(extraction.uninspectable) or extraction.files > 0 or any(
        s.role == "file" and s.scope == SCAN_ALL and not _reference(s.text)
        for s in extraction.segments)


def _reference(text: str) -> bool:
    """A lone URL: the provider fetches what it names, nothing of it is in the request."""
    text = text.strip()
    if not text or any(c.isspace() for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in _FETCHED_SCHEMES and bool(parts.netloc)


# ----------------------------------------------------------------------------- loading
def load_activities(path: str | Path = DEFAULT_ACTIVITIES_PATH, sources: Sources | None = None,
                    routes: tuple[Route, ...] = ROUTES) -> ActivityTable:
    """Load and validate an activity table; every problem is reported as file:line: field."""
    file = str(path)
    doc = load_yaml(path, sources)
    check = Checker()
    root = Src(file, "", getattr(doc, "line", 1))
    top = check.mapping(doc, root, required=("adapters",), optional=_KEYS)
    if top is None:
        check.raise_if_any()
        raise AssertionError("unreachable")  # pragma: no cover - mapping() failed above
    media = _media_types(check, top, root)
    adapters = _adapters(check, top, root, routes)
    endpoints = _endpoints(check, top, root)
    check.raise_if_any()
    table = ActivityTable(media, endpoints, MappingProxyType(adapters), routes)
    if "examples" in top:
        _examples(check, top["examples"], root.key(top, "examples"), table)
    check.raise_if_any()
    return table


def _media_types(check: Checker, top: Any, root: Src) -> tuple[str, ...]:
    if "upload_media_types" not in top:
        return ()
    src = root.key(top, "upload_media_types")
    out: list[str] = []
    for i, item in enumerate(check.sequence(top["upload_media_types"], src) or ()):
        isrc = src.item(top["upload_media_types"], i)
        text = check.string(item, isrc, pattern=_MEDIA,
                            what="a lower-case media type (type/subtype or type/*)")
        if text is not None:
            out.append(text[:-1] if text.endswith("*") else text)  # "image/*" -> "image/"
    return tuple(out)


def _adapters(check: Checker, top: Any, root: Src,
              routes: tuple[Route, ...]) -> dict[str, Activity]:
    src = root.key(top, "adapters")
    m = check.mapping(top.get("adapters"), src, optional=_ACTIVITIES)
    known = tuple(dict.fromkeys(r.adapter for r in routes))
    out: dict[str, Activity] = {}
    for activity in _ACTIVITIES:
        if m is None or activity not in m:
            continue
        asrc = src.key(m, activity)
        value = m[activity]
        items = [] if value == [] else check.string_list(value, asrc)
        for i, name in enumerate(items):
            isrc = asrc.item(value, i) if isinstance(value, list) else asrc
            if name not in known:
                check.fail(isrc, f"unknown extraction route adapter {name!r} "
                                 "(aipolicy/extract/registry.py)")
            elif name in out:
                check.fail(isrc, f"adapter {name!r} is already listed as {out[name].value!r}")
            else:
                out[name] = Activity(activity)
    if m is not None:
        for name in known:
            if name not in out:
                check.fail(src, f"the extraction route adapter {name!r} has no activity: "
                                "list it under prompt, upload or other")
    return out


def _endpoints(check: Checker, top: Any, root: Src) -> tuple[Endpoint, ...]:
    if "endpoints" not in top:
        return ()
    src = root.key(top, "endpoints")
    out: list[Endpoint] = []
    for i, item in enumerate(check.sequence(top["endpoints"], src) or ()):
        isrc = src.item(top["endpoints"], i)
        e = check.mapping(item, isrc, required=("activity", "path"),
                          optional=("hosts", "methods"))
        if e is None or "activity" not in e or "path" not in e:
            continue
        activity = check.choice(e["activity"], isrc.key(e, "activity"), _ACTIVITIES)
        path = check.regex(e["path"], isrc.key(e, "path"))
        hosts: tuple[str, ...] = ()
        if "hosts" in e and e["hosts"] != []:
            hosts = tuple(h for h, _ in host_list(check, e["hosts"], isrc.key(e, "hosts")))
        methods: tuple[str, ...] = ()
        if "methods" in e:
            msrc = isrc.key(e, "methods")
            methods = check.string_list(e["methods"], msrc, nonempty=True)
            for method in methods:
                if not _METHOD.fullmatch(method):
                    check.fail(msrc, f"{method!r} is not an upper-case HTTP method")
        if activity is not None and path is not None:
            out.append(Endpoint(Activity(activity), path, hosts, methods))
    return tuple(out)


def _examples(check: Checker, value: Any, src: Src, table: ActivityTable) -> None:
    for i, item in enumerate(check.sequence(value, src) or ()):
        isrc = src.item(value, i)
        ex = check.mapping(item, isrc, required=("request", "activity"),
                           optional=("content_type",))
        if ex is None or "request" not in ex or "activity" not in ex:
            continue
        request = check.string(ex["request"], isrc.key(ex, "request"))
        want = check.choice(ex["activity"], isrc.key(ex, "activity"), _ACTIVITIES)
        ctype = ""
        if "content_type" in ex:
            ctype = check.string(ex["content_type"], isrc.key(ex, "content_type")) or ""
        if request is None or want is None:
            continue
        method, _, url = request.partition(" ")
        parts = urlsplit(url.strip())
        if not _METHOD.fullmatch(method) or not parts.hostname:
            check.fail(isrc.key(ex, "request"), f"{request!r} is not 'METHOD URL'")
            continue
        got = table.activity_of(method, parts.hostname, parts.path or "/", ctype)
        if got.value != want:
            check.fail(isrc, f"{request} is {got.value!r} by this table, the example says "
                             f"{want!r}")


def load_activities_ref(check: Checker, value: Any, src: Src, base: Path,
                        sources: Sources) -> ActivityTable | None:
    """The ruleset's ``activities: FILE`` (relative to the ruleset), or the shipped table
    when ``value`` is None. Problems are added to ``check``."""
    return load_referenced(check, value, src, base, sources, DEFAULT_ACTIVITIES_PATH,
                           "activities", load_activities)
