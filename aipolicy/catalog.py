"""The catalog of generative-AI services, and the matcher that recognises their traffic.

The catalog is data (``rulesets/catalog.yaml``); this module validates it and compiles
it once into two indexes:

* a trie of host labels read from the right, so ``match`` costs one dict lookup per
  label of the request host and matches only on label boundaries (``notopenai.com``
  and ``openai.com.evil`` are not ``openai.com``; ``sub.chat.openai.com`` is);
* a dict of exact hosts carrying path prefixes, for services that share a host with
  non-AI traffic (``www.bing.com/chat``). A matching path entry beats a domain entry.

Nothing here uses regular expressions or substring tests on host names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .errors import ConfigError
from .hostnames import HostKind, parse_host
from .model import App, DataHandling
from .schema import Checker
from .sources import Sources
from .yamlsrc import Src, load_yaml

API_FORMATS = ("openai", "anthropic", "gemini")

_TOP_KEYS = {"required": ("version", "categories", "apps"), "optional": ("shared_domains",)}
_APP_REQUIRED = ("id", "name", "vendor", "category")
_APP_OPTIONAL = ("url", "domains", "paths", "api_format", "data", "credentials")
_DATA_KEYS = ("trains_on_user_data", "retention", "enterprise_tier", "notes")

# Used only while loading: one DNS label, lower-case letters/digits/hyphens.
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_URL = re.compile(r"https?://[^\s/]+\S*")


# --------------------------------------------------------------------------- normalising
def _name(host: str) -> str:
    """The normalised DNS name ``host`` stands for, or "" for anything else."""
    parsed = parse_host(host)
    return parsed.name if parsed is not None and parsed.kind is HostKind.NAME else ""


def _normalise_path(path: str) -> str:
    """The form path prefixes are compared in.

    Servers treat ``/Chat``, ``/%63hat``, ``//chat`` and ``/x/../chat`` alike, so
    compare case-insensitively after decoding escapes and removing dot segments and
    empty segments; the query and fragment are dropped. Erring towards a match is
    the safe side: a match means the request is inspected, not that it is blocked.
    """
    for sep in ("?", "#"):
        path = path.partition(sep)[0]
    if "%" in path:
        path = unquote(path)
    path = path.lower()
    parts = path_segments(path)
    trailing = "/" if path.endswith("/") and parts else ""
    return "/" + "/".join(parts) + trailing


def path_segments(path: str, *, strip_params: bool = False) -> list[str]:
    """The segments of a decoded path as a server resolves them: empty and ``.``
    segments dropped, ``..`` removing the one before; with ``strip_params`` each
    segment's ``;parameters`` go first (``/v1;x/chat``)."""
    parts: list[str] = []
    for segment in path.split("/"):
        if strip_params:
            segment = segment.partition(";")[0]
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts:
                parts.pop()
            continue
        parts.append(segment)
    return parts


def _path_has_prefix(path: str, prefix: str) -> bool:
    """Prefix match on a segment boundary: ``/chat`` covers ``/chat/x``, not ``/chatter``."""
    if not path.startswith(prefix):
        return False
    if len(path) == len(prefix) or prefix.endswith("/"):
        return True
    return path[len(prefix)] in "/;"


# --------------------------------------------------------------------------- catalog
class _Node:
    """One label in the domain trie; ``app`` is set where a catalog domain ends."""

    __slots__ = ("app", "children")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.app: App | None = None


class Catalog:
    """A validated, immutable set of apps with compiled host and path indexes."""

    __slots__ = ("_apps", "_by_id", "_categories", "_credential_sources", "_paths", "_root",
                 "_vendors", "_version")

    def __init__(
        self, apps: Iterable[App], version: str, categories: Iterable[str] | None = None,
        credential_sources: Iterable[tuple[str, Src]] = (),
    ) -> None:
        self._apps = tuple(apps)
        self._version = version
        # (secret rule id, where an app names it): checked against the secret rules by
        # the ruleset that uses this catalog with inspection.
        self._credential_sources = tuple(credential_sources)
        self._by_id: dict[str, App] = {}
        for app in self._apps:
            if app.id in self._by_id:
                raise ValueError(f"duplicate app id {app.id!r}")
            self._by_id[app.id] = app
        used = frozenset(app.category for app in self._apps)
        self._categories = frozenset(categories) if categories is not None else used
        if not used <= self._categories:
            raise ValueError(f"undeclared categories: {sorted(used - self._categories)}")
        self._vendors = frozenset(app.vendor for app in self._apps)
        self._root = _Node()
        self._paths: dict[str, tuple[tuple[str, App], ...]] = {}
        self._compile()

    def _compile(self) -> None:
        paths: dict[str, list[tuple[str, App]]] = {}
        for app in self._apps:
            for domain in app.domains:
                node = self._root
                for label in reversed(domain.split(".")):
                    node = node.children.setdefault(label, _Node())
                if node.app is not None and node.app is not app:
                    raise ValueError(
                        f"domain {domain!r} is claimed by {node.app.id!r} and {app.id!r}"
                    )
                node.app = app
            for host, prefix in app.paths:
                if not _name(host):
                    raise ValueError(f"path host {host!r} is not a host name")
                entries = paths.setdefault(_name(host), [])
                norm = _normalise_path(prefix)
                if any(p == norm and a is not app for p, a in entries):
                    raise ValueError(f"path {host}{prefix} is claimed by two apps")
                entries.append((norm, app))
        # Longest prefix first, so the most specific path entry wins.
        self._paths = {
            host: tuple(sorted(entries, key=lambda e: len(e[0]), reverse=True))
            for host, entries in paths.items()
        }

    # -- read-only views ---------------------------------------------------------------
    @property
    def apps(self) -> tuple[App, ...]:
        return self._apps

    @property
    def version(self) -> str:
        return self._version

    @property
    def credential_sources(self) -> tuple[tuple[str, Src], ...]:
        """Every secret rule id an app's ``credentials`` names, with its location."""
        return self._credential_sources

    @property
    def vendors(self) -> frozenset[str]:
        return self._vendors

    @property
    def categories(self) -> frozenset[str]:
        """The declared categories (every app's category is one of them)."""
        return self._categories

    def __len__(self) -> int:
        return len(self._apps)

    def __iter__(self) -> Iterator[App]:
        return iter(self._apps)

    def __repr__(self) -> str:
        return f"Catalog(version={self._version!r}, apps={len(self._apps)})"

    def get(self, app_id: str) -> App | None:
        return self._by_id.get(app_id)

    # -- matching ----------------------------------------------------------------------
    def _match_domain(self, host: str) -> App | None:
        node = self._root
        found: App | None = None
        for label in reversed(host.split(".")):
            child = node.children.get(label)
            if child is None:
                break
            node = child
            if node.app is not None:
                found = node.app
        return found

    def match(self, host: str, path: str = "/") -> App | None:
        """The app a request to ``host`` + ``path`` belongs to, or None.

        ``host`` is read by ``parse_host``: case, Unicode or punycode, trailing dots and a
        port do not matter; an IP address or unreadable value matches nothing.
        """
        name = _name(host)
        return self.match_name(name, path) if name else None

    def match_name(self, name: str, path: str = "/") -> App | None:
        """``match`` for a name ``parse_host`` has normalised already. A path entry for
        exactly this host wins when its prefix matches; otherwise the longest domain
        entry that ends on a label boundary of the host."""
        entries = self._paths.get(name)
        if entries:
            norm = _normalise_path(path or "/")
            for prefix, app in entries:
                if _path_has_prefix(norm, prefix):
                    return app
        return self._match_domain(name)

    def should_intercept(self, host: str) -> bool:
        """True iff some request to ``host`` could match an app: only these are decrypted."""
        name = _name(host)
        return bool(name) and self.intercepts_name(name)

    def intercepts_name(self, name: str) -> bool:
        """``should_intercept`` for a name ``parse_host`` has normalised already."""
        return name in self._paths or self._match_domain(name) is not None


# --------------------------------------------------------------------------- loading
def load_catalog(path: str | Path, sources: Sources | None = None) -> Catalog:
    """Load and validate a catalog file; every problem is reported as file:line: field."""
    file = str(path)
    doc = load_yaml(path, sources)
    checker = Checker()
    root = Src(file, "", getattr(doc, "line", 1))
    top = checker.mapping(doc, root, **_TOP_KEYS)
    if top is None:
        checker.raise_if_any()
        raise AssertionError("unreachable")  # pragma: no cover - mapping() failed above

    version = None
    if "version" in top:
        version = checker.string(top["version"], root.key(top, "version"))
    categories = _check_categories(checker, top, root)
    shared = _check_shared(checker, top, root)
    check_apps = _AppsCheck(checker, categories, shared)
    apps = check_apps.run(top.get("apps"), root.key(top, "apps"))
    checker.raise_if_any()
    try:
        return Catalog(apps, version or "", categories, check_apps.credential_sources)
    except ValueError as exc:  # the checks above should have caught it: report, do not crash
        raise ConfigError.single(file, None, "apps", str(exc)) from None


def _check_categories(checker: Checker, top: Any, root: Src) -> tuple[str, ...]:
    if "categories" not in top:
        return ()
    src = root.key(top, "categories")
    items = checker.sequence(top["categories"], src, nonempty=True)
    names: list[str] = []
    for i, item in enumerate(items or ()):
        item_src = src.item(items, i)
        name = checker.identifier(item, item_src)
        if name in names:
            checker.fail(item_src, f"category {name!r} is listed twice")
        elif name is not None:
            names.append(name)
    return tuple(names)


def _check_shared(checker: Checker, top: Any, root: Src) -> frozenset[str]:
    """Registrable domains of multi-service vendors that no app may claim whole."""
    if "shared_domains" not in top:
        return frozenset()
    src = root.key(top, "shared_domains")
    return frozenset(host for host, _ in host_list(checker, top["shared_domains"], src))


def host_list(checker: Checker, value: Any, src: Src) -> Iterator[tuple[str, Src]]:
    """Yield each valid host of a list with its location; report the invalid ones."""
    items = checker.sequence(value, src, nonempty=True)
    for i, item in enumerate(items or ()):
        item_src = src.item(items, i)
        host = checker.string(item, item_src)
        if host is not None and _check_host(checker, host, item_src):
            yield host, item_src


def _check_host(checker: Checker, host: str, src: Src) -> bool:
    """A lower-case DNS name with at least two labels, not an IP literal, no wildcard."""
    if host.startswith("*."):
        checker.fail(src, f"{host!r}: write it without '*.'; a domain entry covers its "
                          "subdomains already")
        return False
    if host != host.lower():
        checker.fail(src, f"{host!r} must be lower-case")
        return False
    labels = host.split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
    ):
        checker.fail(src, f"{host!r} is not a valid DNS name with at least two labels "
                          "(letters, digits, '-'; punycode for non-ASCII)")
        return False
    if _name(host) != host:
        checker.fail(src, f"{host!r} is an IP address (or a loopback name); the catalog "
                          "lists host names")
        return False
    return True


class _AppsCheck:
    """Validates the ``apps`` list, tracking ids, domains and paths across apps."""

    def __init__(self, checker: Checker, categories: tuple[str, ...],
                 shared: frozenset[str]) -> None:
        self.c = checker
        self.categories = categories
        self.shared = shared
        # Every suffix of a shared domain: claiming any of them would claim it whole.
        self.shared_parents = {
            ".".join(d.split(".")[i:]) for d in shared for i in range(len(d.split(".")))
        }
        self.ids: dict[str, int | None] = {}
        self.credential_sources: list[tuple[str, Src]] = []
        self.domains: dict[str, tuple[str, int | None]] = {}
        self.paths: dict[tuple[str, str], tuple[str, int | None]] = {}

    def run(self, value: Any, src: Src) -> list[App]:
        items = self.c.sequence(value, src, nonempty=True) if value is not None else None
        if items is None:
            return []
        apps = []
        for i, item in enumerate(items):
            app = self.app(item, src.item(items, i))
            if app is not None:
                apps.append(app)
        return apps

    def app(self, value: Any, src: Src) -> App | None:
        m = self.c.mapping(value, src, required=_APP_REQUIRED, optional=_APP_OPTIONAL)
        if m is None:
            return None
        before = len(self.c.problems)
        app_id = self.c.identifier(m["id"], src.key(m, "id")) if "id" in m else None
        if app_id is not None:
            id_src = src.key(m, "id")
            if app_id in self.ids:
                self.c.fail(id_src, f"duplicate id {app_id!r} (first at line {self.ids[app_id]})")
            else:
                self.ids[app_id] = id_src.line
        owner = app_id or "?"
        name = self.c.string(m["name"], src.key(m, "name")) if "name" in m else None
        vendor = self.c.string(m["vendor"], src.key(m, "vendor")) if "vendor" in m else None
        category = None
        if "category" in m:
            category = self.c.choice(m["category"], src.key(m, "category"), self.categories)
        url = None
        if "url" in m:
            url = self.c.string(m["url"], src.key(m, "url"), pattern=_URL,
                                what="an http(s) URL")
        api_format = None
        if "api_format" in m:
            api_format = self.c.choice(m["api_format"], src.key(m, "api_format"), API_FORMATS)
        domains = self.domain_list(m, src, owner)
        paths = self.path_list(m, src, owner)
        if "domains" not in m and "paths" not in m:
            self.c.fail(src, "needs 'domains' or 'paths': an app without them never matches")
        data = self.data(m["data"], src.key(m, "data")) if "data" in m else DataHandling()
        credentials: tuple[str, ...] = ()
        if "credentials" in m:
            csrc = src.key(m, "credentials")
            credentials = self.c.string_list(m["credentials"], csrc, nonempty=True, ident=True)
            value = m["credentials"]
            self.credential_sources.extend(
                (rule_id, csrc.item(value, i) if isinstance(value, list) else csrc)
                for i, rule_id in enumerate(credentials))
        if len(self.c.problems) > before or None in (app_id, name, vendor, category, data):
            return None
        return App(
            id=app_id, name=name, vendor=vendor, category=category,  # type: ignore[arg-type]
            domains=domains, paths=paths, api_format=api_format,
            data=data, url=url, credentials=credentials,  # type: ignore[arg-type]
        )

    def domain_list(self, m: Any, src: Src, owner: str) -> tuple[str, ...]:
        if "domains" not in m:
            return ()
        out = []
        for host, item_src in host_list(self.c, m["domains"], src.key(m, "domains")):
            if host in self.shared_parents:
                self.c.fail(item_src, f"{host!r} is shared with non-AI services (see "
                                      "shared_domains): list exact hosts or 'paths' entries")
                continue
            if host in self.domains:
                first_app, first_line = self.domains[host]
                self.c.fail(item_src, f"domain {host!r} is already claimed by {first_app!r} "
                                      f"(line {first_line}); a domain belongs to one app")
                continue
            self.domains[host] = (owner, item_src.line)
            out.append(host)
        return tuple(out)

    def path_list(self, m: Any, src: Src, owner: str) -> tuple[tuple[str, str], ...]:
        if "paths" not in m:
            return ()
        list_src = src.key(m, "paths")
        items = self.c.sequence(m["paths"], list_src, nonempty=True)
        if items is None:
            return ()
        out = []
        for i, item in enumerate(items):
            item_src = list_src.item(items, i)
            entry = self.c.mapping(item, item_src, required=("host", "path"))
            if entry is None or "host" not in entry or "path" not in entry:
                continue
            host_src, path_src = item_src.key(entry, "host"), item_src.key(entry, "path")
            host = self.c.string(entry["host"], host_src)
            path = self.c.string(entry["path"], path_src)
            if host is None or path is None or not _check_host(self.c, host, host_src):
                continue
            if not path.startswith("/"):
                self.c.fail(path_src, f"{path!r} must start with '/'")
                continue
            if "?" in path or "#" in path or any(ch.isspace() for ch in path):
                self.c.fail(path_src, f"{path!r} must be a plain path prefix "
                                      "(no query, fragment or spaces)")
                continue
            key = (host, _normalise_path(path))
            if key in self.paths:
                first_app, first_line = self.paths[key]
                self.c.fail(path_src, f"{host}{path} is already claimed by {first_app!r} "
                                      f"(line {first_line})")
                continue
            self.paths[key] = (owner, path_src.line)
            out.append((host, path))
        return tuple(out)

    def data(self, value: Any, src: Src) -> DataHandling | None:
        m = self.c.mapping(value, src, optional=_DATA_KEYS)
        if m is None:
            return None
        before = len(self.c.problems)
        trains = enterprise = retention = notes = None
        if "trains_on_user_data" in m:
            trains = self.c.boolean(m["trains_on_user_data"], src.key(m, "trains_on_user_data"))
        if "enterprise_tier" in m:
            enterprise = self.c.boolean(m["enterprise_tier"], src.key(m, "enterprise_tier"))
        if "retention" in m:
            retention = self.c.string(m["retention"], src.key(m, "retention"))
        if "notes" in m:
            notes = self.c.string(m["notes"], src.key(m, "notes"))
        if len(self.c.problems) > before:
            return None
        return DataHandling(trains_on_user_data=trains, retention=retention,
                            enterprise_tier=enterprise, notes=notes)
