"""Tenant restriction: the vendors' "corporate account only" headers, set on the way out.

The vendors' headers are data (``rulesets/tenant_headers.yaml``: presets with value
formats, hosts and sources); the ruleset's ``tenants`` section switches presets on with
the company's ids. ``TenantRestriction`` answers two questions, both pure:

* ``for_names``: which headers a request gets, from every name it gave for its
  destination (so no Host, ``:authority`` or SNI game moves it off the list);
* ``rewrite``: the request's header fields with every client copy of every known tenant
  header removed (any case, duplicates, ``_`` for ``-``, Connection tokens) and the
  proxy's own added once.

Identity-provider hosts (Microsoft and Google sign-in, GitHub) are no AI apps: the proxy
decrypts them only for presets the ruleset switches on with ``sign_in: true``
(``sign_in_hosts``, used by ``aipolicy.destination``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .catalog import host_list
from .hostnames import HostKind, parse_host
from .model import DestinationNames
from .paths import RULESETS
from .schema import Checker
from .sources import Sources, load_referenced
from .yamlsrc import Src, load_yaml

DEFAULT_PRESETS_PATH = RULESETS / "tenant_headers.yaml"

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")  # a header name the presets may use
_SEPARATORS = (",", ", ")
_PRESET_KEYS = ("id", "name", "vendor", "header", "format", "value", "separator", "max_values",
                "hosts", "sign_in_hosts", "requires", "source")


def header_key(name: str) -> str:
    """The form header names are compared in: case-insensitive, and ``_`` read as ``-``
    (CGI-style servers map both to one variable, so either can carry a value)."""
    return name.strip().lower().replace("_", "-")


@dataclass(frozen=True)
class ValueFormat:
    id: str
    pattern: re.Pattern[str]
    description: str


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    vendor: str
    header: str  # lower-case
    format: ValueFormat | None  # None: ``value`` is fixed
    value: str | None
    separator: str | None  # None: exactly one value
    max_values: int | None
    hosts: tuple[str, ...]  # label-boundary suffixes
    sign_in_hosts: tuple[str, ...]  # exact host names
    requires: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Presets:
    presets: Mapping[str, Preset]
    header_keys: frozenset[str]  # every preset's header, as ``header_key`` reads it


@dataclass(frozen=True)
class TenantHeader:
    """One header the ruleset switched on, with where it goes."""

    preset: str
    name: str  # lower-case
    value: str
    hosts: tuple[str, ...]  # label-boundary suffixes (the preset's hosts)
    exact_hosts: tuple[str, ...]  # sign-in hosts, when the ruleset said sign_in: true

    def applies_to(self, name: str) -> bool:
        return name in self.exact_hosts or any(
            name == h or name.endswith("." + h) for h in self.hosts)


@dataclass(frozen=True)
class TenantRestriction:
    headers: tuple[TenantHeader, ...]
    strip: frozenset[str]  # header keys removed from every request that gets headers

    @property
    def sign_in_hosts(self) -> frozenset[str]:
        """Hosts that are decrypted only so that their requests get tenant headers."""
        return frozenset(h for header in self.headers for h in header.exact_hosts)

    def for_names(self, names: DestinationNames) -> tuple[TenantHeader, ...]:
        """The headers a request gets: those of every preset any of its names belongs to
        (names read as ``aipolicy.hostnames`` reads them; addresses name nothing)."""
        hosts = names_in((*names.hosts, names.sni, names.destination))
        return tuple(t for t in self.headers if any(t.applies_to(h) for h in hosts))

    def rewrite(self, fields: Sequence[tuple[str, str]],
                headers: Sequence[TenantHeader]) -> list[tuple[str, str]]:
        """``fields`` without any client copy of a tenant header, plus ``headers``."""
        out: list[tuple[str, str]] = []
        for name, value in fields:
            key = header_key(name)
            if key in self.strip:
                continue
            if key == "connection":
                # "Connection: close, ChatGPT-Allowed-Workspace-Id" would have a server on
                # the way drop the proxy's header as hop-by-hop (RFC 9110 7.6.1).
                tokens = [t.strip() for t in value.split(",")]
                kept = [t for t in tokens if t and header_key(t) not in self.strip]
                if len(kept) != len([t for t in tokens if t]):
                    if kept:
                        out.append((name, ", ".join(kept)))
                    continue
            out.append((name, value))
        out.extend((h.name, h.value) for h in headers)
        return out

    def strip_fields(self, fields: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """Trailer fields without any tenant header."""
        return [(n, v) for n, v in fields if header_key(n) not in self.strip]


# ----------------------------------------------------------------------------- presets
def load_presets(path: str | Path = DEFAULT_PRESETS_PATH,
                 sources: Sources | None = None) -> Presets:
    """Load and validate a presets file; every problem is reported as file:line: field."""
    file = str(path)
    doc = load_yaml(path, sources)
    check = Checker()
    root = Src(file, "", getattr(doc, "line", 1))
    top = check.mapping(doc, root, required=("formats", "presets"))
    check.raise_if_any()
    assert top is not None
    formats = _formats(check, top["formats"], root.key(top, "formats"))
    presets: dict[str, Preset] = {}
    psrc = root.key(top, "presets")
    for i, item in enumerate(check.sequence(top["presets"], psrc, nonempty=True) or ()):
        preset = _preset(check, item, psrc.item(top["presets"], i), formats)
        if preset is None:
            continue
        if preset.id in presets:
            check.fail(psrc.item(top["presets"], i), f"duplicate preset id {preset.id!r}")
        presets[preset.id] = preset
    for preset in presets.values():
        for other in preset.requires:
            if other not in presets:
                check.fail(psrc, f"preset {preset.id!r} requires unknown preset {other!r}")
    check.raise_if_any()
    return Presets(MappingProxyType(presets),
                   frozenset(header_key(p.header) for p in presets.values()))


def _formats(check: Checker, value: Any, src: Src) -> dict[str, ValueFormat]:
    m = check.mapping(value, src, optional=tuple(value) if isinstance(value, dict) else ())
    out: dict[str, ValueFormat] = {}
    for fid in m or {}:
        fsrc = src.key(m, fid)
        f = check.mapping(m[fid], fsrc, required=("pattern", "description", "examples"))
        if f is None or any(k not in f for k in ("pattern", "description", "examples")):
            continue
        if check.identifier(fid, fsrc) is None:
            continue
        pattern = check.regex(f["pattern"], fsrc.key(f, "pattern"))
        description = check.string(f["description"], fsrc.key(f, "description"))
        esrc = fsrc.key(f, "examples")
        ex = check.mapping(f["examples"], esrc, required=("valid", "invalid"))
        if pattern is None or description is None or ex is None:
            continue
        for kind, want in (("valid", True), ("invalid", False)):
            if kind not in ex:
                continue
            for j, sample in enumerate(check.sequence(ex[kind], esrc.key(ex, kind),
                                                      nonempty=True) or ()):
                if bool(pattern.fullmatch(str(sample))) != want:
                    check.fail(esrc.key(ex, kind).item(ex[kind], j),
                               f"{sample!r} should {'' if want else 'not '}match the pattern")
        out[fid] = ValueFormat(fid, pattern, description.strip())
    return out


def _preset(check: Checker, value: Any, src: Src,
            formats: Mapping[str, ValueFormat]) -> Preset | None:
    required = ("id", "name", "vendor", "header", "source")
    p = check.mapping(value, src, required=required, optional=_PRESET_KEYS)
    if p is None or any(k not in p for k in required):
        return None
    before = len(check.problems)
    pid = check.identifier(p["id"], src.key(p, "id"))
    name = check.string(p["name"], src.key(p, "name"))
    vendor = check.string(p["vendor"], src.key(p, "vendor"))
    header = check.string(p["header"], src.key(p, "header"), pattern=_TOKEN,
                          what="a header name (letters, digits, '-')")
    source = check.string(p["source"], src.key(p, "source"))
    if source and not source.startswith("https://"):
        check.fail(src.key(p, "source"), f"{source!r} is not an https URL")
    fmt, fixed = None, None
    if ("format" in p) == ("value" in p):
        check.fail(src, "a preset needs either format (the ruleset gives the values) or a "
                        "fixed value")
    elif "format" in p:
        fid = check.choice(p["format"], src.key(p, "format"), tuple(formats))
        fmt = formats.get(fid) if fid else None
    else:
        fixed = check.string(p["value"], src.key(p, "value"))
    separator = None
    if "separator" in p:
        separator = check.choice(p["separator"], src.key(p, "separator"), _SEPARATORS)
    max_values = None
    if "max_values" in p:
        v = check.number(p["max_values"], src.key(p, "max_values"), minimum=1, integer=True)
        max_values = int(v) if v is not None else None
    hosts = tuple(h for h, _ in host_list(check, p["hosts"], src.key(p, "hosts"))) \
        if "hosts" in p else ()
    sign_in = tuple(h for h, _ in host_list(check, p["sign_in_hosts"],
                                            src.key(p, "sign_in_hosts"))) \
        if "sign_in_hosts" in p else ()
    if not hosts and not sign_in:
        check.fail(src, "a preset needs hosts or sign_in_hosts: where the header goes")
    requires = check.string_list(p["requires"], src.key(p, "requires"), ident=True) \
        if "requires" in p else ()
    if len(check.problems) > before:
        return None
    return Preset(pid, name, vendor, header.lower(), fmt, fixed, separator,  # type: ignore[arg-type]
                  max_values, hosts, sign_in, requires, source)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- ruleset
def parse_tenants(check: Checker, value: Any, src: Src, base: Path,
                  sources: Sources) -> TenantRestriction | None:
    """The ruleset's ``tenants`` section: ``presets`` (a file relative to the ruleset;
    absent: the shipped one) and ``restrict`` (preset id -> values, or a mapping with
    ``values`` and ``sign_in``)."""
    m = check.mapping(value, src, required=("restrict",), optional=("presets",))
    if m is None:
        return None
    presets = _load_presets_ref(check, m.get("presets"), src.key(m, "presets"), base,
                                sources)
    if presets is None or "restrict" not in m:
        return None
    rsrc = src.key(m, "restrict")
    r = check.mapping(m["restrict"], rsrc, optional=tuple(m["restrict"])
                      if isinstance(m["restrict"], dict) else ())
    if r is None:
        return None
    if not r:
        check.fail(rsrc, "must name at least one preset")
    headers: list[TenantHeader] = []
    by_header: dict[str, str] = {}
    for pid in r:
        esrc = rsrc.key(r, pid)
        preset = presets.presets.get(pid)
        if preset is None:
            hint = difflib.get_close_matches(pid, sorted(presets.presets), n=1)
            check.fail(esrc, f"unknown preset {pid!r} (presets: "
                             f"{', '.join(sorted(presets.presets))})"
                             + (f"; did you mean {hint[0]!r}?" if hint else ""))
            continue
        header = _entry(check, r[pid], esrc, preset)
        if header is None:
            continue
        if preset.header in by_header:
            check.fail(esrc, f"{pid!r} and {by_header[preset.header]!r} both set "
                             f"{preset.header}: switch on one of them")
            continue
        by_header[preset.header] = pid
        headers.append(header)
    configured = {h.preset for h in headers}
    for h in headers:
        for needed in presets.presets[h.preset].requires:
            if needed not in configured and needed in presets.presets:
                check.fail(rsrc.key(r, h.preset),
                           f"{h.preset!r} needs {needed!r} as well (the vendor reads both)")
    return TenantRestriction(tuple(headers), presets.header_keys)


def _entry(check: Checker, value: Any, src: Src, preset: Preset) -> TenantHeader | None:
    """One switched-on preset: a list of values (short form) or {values, sign_in}."""
    if isinstance(value, dict):
        e = check.mapping(value, src, optional=("values", "sign_in"))
        if e is None:
            return None
        raw, vsrc = e.get("values"), src.key(e, "values")
        sign_in = False
        if "sign_in" in e:
            sign_in = bool(check.boolean(e["sign_in"], src.key(e, "sign_in")))
    else:
        raw, vsrc, sign_in = value, src, False
    if preset.format is None:  # a fixed value
        if raw is not None:
            check.fail(vsrc, f"{preset.id!r} sends the fixed value {preset.value!r}; give no "
                             "values")
            return None
        values: tuple[str, ...] = (preset.value,)  # type: ignore[assignment]
    else:
        values = _values(check, raw, vsrc, preset)
        if not values:
            return None
    if sign_in and not preset.sign_in_hosts:
        check.fail(src, f"{preset.id!r} has no sign-in hosts; remove sign_in")
        return None
    if not preset.hosts and not sign_in:
        check.fail(src, f"{preset.id!r} is sent to sign-in hosts only "
                        f"({', '.join(preset.sign_in_hosts)}): set sign_in: true, which "
                        "has the proxy decrypt them")
        return None
    value_text = (preset.separator or "").join(values)
    return TenantHeader(preset.id, preset.header, value_text, preset.hosts,
                        preset.sign_in_hosts if sign_in else ())


def _values(check: Checker, raw: Any, src: Src, preset: Preset) -> tuple[str, ...]:
    assert preset.format is not None
    if raw is None:
        check.fail(src, f"{preset.id!r} needs values: {preset.format.description}")
        return ()
    items = check.string_list(raw, src, nonempty=True)
    if len(items) != (len(raw) if isinstance(raw, list) else 1):
        return ()
    limit = 1 if preset.separator is None else preset.max_values
    if limit is not None and len(items) > limit:
        check.fail(src, f"{preset.id!r} takes at most {limit} value(s), got {len(items)}")
        return ()
    bad = False
    for i, item in enumerate(items):
        isrc = src.item(raw, i) if isinstance(raw, list) else src
        if not preset.format.pattern.fullmatch(item):
            check.fail(isrc, f"{item!r} is not {preset.format.description}")
            bad = True
        elif item in items[:i]:
            check.fail(isrc, f"{item!r} is listed twice")
            bad = True
    return () if bad else items


def _load_presets_ref(check: Checker, value: Any, src: Src, base: Path,
                      sources: Sources) -> Presets | None:
    return load_referenced(check, value, src, base, sources, DEFAULT_PRESETS_PATH, "presets",
                           load_presets)


def names_in(values: Iterable[str | None]) -> list[str]:
    """The host names among ``values`` (addresses and unreadable values name nothing)."""
    return [h.name for h in (parse_host(v) for v in values)
            if h is not None and h.kind is HostKind.NAME]
