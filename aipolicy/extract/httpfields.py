"""What the proxy knows about HTTP header fields and query parameters (``http_fields.yaml``).

The file is data with examples; ``load_http_fields`` validates it (file, line, field for
every problem, and every syntax against its examples) and returns one immutable
``HttpFields``, built once per ruleset.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..schema import Checker
from ..yamlsrc import Src, load_yaml

DEFAULT_PATH = Path(__file__).with_name("http_fields.yaml")

# How a header value is read (HttpFields.kind).
TRANSPORT = "transport"
CREDENTIAL = "credential"
MACHINE = "machine"
URL = "url"
STRUCTURED = "structured"
TEXT = "text"

_MISSING = object()
_MEMO_SIZE = 4096
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_NAME = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+")


def name_words(name: str) -> list[str]:
    """``X-Amz-Signature`` -> [x, amz, signature]; ``sessionKey`` -> [session, key]."""
    return [w.lower() for w in _WORDS.findall(name)]


@dataclass(frozen=True)
class HttpFields:
    transport: Mapping[str, re.Pattern[str]]  # header name -> syntax of values to skip
    credential_names: frozenset[str]
    credential_words: frozenset[str]
    credential_formats: frozenset[str]  # secret rule ids any service uses for sessions
    machine_names: frozenset[str]
    machine_prefixes: tuple[str, ...]
    url_names: frozenset[str]
    structured_names: frozenset[str]
    known_names: frozenset[str]
    source: str = ""
    # Per-name answers, worked out once per name (a client sends the same few dozen): a
    # bounded memo of pure functions of the fields above (a race only computes twice).
    _memo: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False,
                                               compare=False)

    def _remember(self, kind: str, name: str, compute: Callable[[str], Any]) -> Any:
        key = (kind, name)
        found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            if len(self._memo) > _MEMO_SIZE:
                self._memo.clear()
            found = self._memo[key] = compute(name)
        return found

    def is_credential(self, name: str) -> bool:
        """A header or query parameter that carries a key, a token or a session."""
        return self._remember("credential", name, self._credential)

    def _credential(self, name: str) -> bool:
        return name.lower() in self.credential_names or any(
            word in self.credential_words for word in name_words(name))

    def _name_kind(self, name: str) -> tuple[str, bool]:
        """(how the header's value is read, not considering a transport syntax; whether
        its name is a fixed word)."""
        if name in self.transport:
            kind = TRANSPORT
        elif self.is_credential(name):
            kind = CREDENTIAL
        elif name in self.machine_names or name.startswith(self.machine_prefixes):
            kind = MACHINE
        elif name in self.url_names:
            kind = URL
        elif name in self.structured_names:
            kind = STRUCTURED
        else:
            return TEXT, name in self.known_names
        return kind, True

    def kind(self, name: str, value: str) -> str:
        """How the value of header ``name`` (lower-case) is read."""
        kind = self._remember("name", name, self._name_kind)[0]
        if kind == TRANSPORT and not self.transport[name].fullmatch(value):
            return STRUCTURED
        return kind

    def is_known(self, name: str) -> bool:
        """A header name that is a fixed word (not scanned as text)."""
        return self._remember("name", name, self._name_kind)[1]

    def __repr__(self) -> str:
        return f"HttpFields({self.source})"


def load_http_fields(path: Path = DEFAULT_PATH) -> HttpFields:
    """Raises ConfigError listing every problem."""
    file = str(path)
    doc = load_yaml(path)
    check = Checker()
    root = Src(file, "", 1)
    groups = ("transport", "credentials", "machine", "url", "structured", "known_names")
    top = check.mapping(doc, root, required=groups)
    check.raise_if_any()
    assert top is not None
    transport = _transport(check, top["transport"], root.key(top, "transport"))
    csrc = root.key(top, "credentials")
    creds = check.mapping(top["credentials"], csrc,
                          required=("names", "name_words", "formats", "examples"))
    msrc = root.key(top, "machine")
    machine = check.mapping(top["machine"], msrc, required=("names",), optional=("prefixes",))
    url = check.mapping(top["url"], root.key(top, "url"), required=("names",))
    structured = check.mapping(top["structured"], root.key(top, "structured"),
                               required=("names",))
    check.raise_if_any()
    assert creds is not None and machine is not None and url is not None
    assert structured is not None
    fields = HttpFields(
        transport=MappingProxyType(transport),
        credential_names=_names(check, creds["names"], csrc.key(creds, "names")),
        credential_words=frozenset(check.string_list(creds["name_words"],
                                                     csrc.key(creds, "name_words"))),
        credential_formats=frozenset(check.string_list(creds["formats"],
                                                       csrc.key(creds, "formats"))),
        machine_names=_names(check, machine["names"], msrc.key(machine, "names")),
        machine_prefixes=tuple(check.string_list(machine.get("prefixes", []),
                                                 msrc.key(machine, "prefixes"))),
        url_names=_names(check, url["names"], root.key(top, "url").key(url, "names")),
        structured_names=_names(check, structured["names"],
                                root.key(top, "structured").key(structured, "names")),
        known_names=_names(check, top["known_names"], root.key(top, "known_names")),
        source=file,
    )
    _credential_examples(check, fields, creds["examples"], csrc.key(creds, "examples"))
    check.raise_if_any()
    return fields


def _names(check: Checker, value: Any, src: Src) -> frozenset[str]:
    names = check.string_list(value, src, nonempty=True)
    for i, name in enumerate(names):
        if not _NAME.fullmatch(name):
            check.fail(src.item(value, i), f"{name!r} is not a lower-case header name")
    return frozenset(names)


def _transport(check: Checker, value: Any, src: Src) -> dict[str, re.Pattern[str]]:
    out: dict[str, re.Pattern[str]] = {}
    for i, item in enumerate(check.sequence(value, src, nonempty=True) or []):
        isrc = src.item(value, i)
        m = check.mapping(item, isrc, required=("names", "syntax", "examples"))
        if m is None or any(k not in m for k in ("names", "syntax", "examples")):
            continue
        names = _names(check, m["names"], isrc.key(m, "names"))
        syntax = check.regex(m["syntax"], isrc.key(m, "syntax"))
        if syntax is None:
            continue
        esrc = isrc.key(m, "examples")
        ex = check.mapping(m["examples"], esrc, required=("match", "no_match"))
        if ex is None:
            continue
        for key, wanted in (("match", True), ("no_match", False)):
            items = check.string_list(ex.get(key, []), esrc.key(ex, key), nonempty=True)
            for j, example in enumerate(items):
                if bool(syntax.fullmatch(example)) != wanted:
                    check.fail(esrc.key(ex, key).item(ex[key], j),
                               f"example {example!r} {'does not match' if wanted else 'matches'}"
                               " the syntax")
        for name in names:
            if name in out:
                check.fail(isrc.key(m, "names"), f"{name!r} is listed twice")
            out[name] = syntax
    return out


def _credential_examples(check: Checker, fields: HttpFields, value: Any, src: Src) -> None:
    ex = check.mapping(value, src, required=("match", "no_match"))
    if ex is None:
        return
    for key, wanted in (("match", True), ("no_match", False)):
        items = check.string_list(ex.get(key, []), src.key(ex, key), nonempty=True)
        for j, example in enumerate(items):
            if fields.is_credential(example) != wanted:
                check.fail(src.key(ex, key).item(ex[key], j),
                           f"{example!r} is {'not ' if wanted else ''}a credential position")
