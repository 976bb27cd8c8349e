"""``rulesets/normalize.yaml``: limits and word lists of normalisation and decoding,
validated with file, line and field like every rule file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import hyperscan

from ..errors import ConfigError
from ..schema import Checker
from ..sources import FileReader, Sources, absolute
from ..yamlsrc import Src, load_yaml

RULESETS = Path(__file__).resolve().parents[2] / "rulesets"
DEFAULT_NORMALIZE_PATH = RULESETS / "normalize.yaml"


@dataclass(frozen=True)
class WordHints:
    """Words whose reversed or rotated form in a text says it is worth reading that way,
    shapes (regexes) that say the same, and words announcing the transformation."""

    words: tuple[str, ...]
    shapes: tuple[str, ...]
    hints: tuple[str, ...]
    labels: tuple[str, ...] = ()  # before a number valid only backwards: it is one


@dataclass(frozen=True)
class NormalizeRules:
    max_depth: int
    view_chars: int
    view_ratio: int
    context_before: int
    context_after: int
    confusables: MappingProxyType  # look-alike character -> the ASCII character
    invisible: frozenset[str]  # dropped besides category Cf
    digit_letters: MappingProxyType  # ASCII letter -> the digit its look-alikes stand
    #                                  for next to a digit ("4О7" with a Cyrillic O)
    spaced_min_chars: int
    base64_min_chars: int
    hex_min_chars: int
    min_printable: float
    reversed: WordHints
    rot13: WordHints  # also says where to read ROT18 (ROT13 with ROT5 on digits)
    rot47: WordHints
    join_window: int
    join_tokens: int
    source: str
    html_tags: tuple[str, ...] = ()  # tags that make the ``html`` view (lower case)

    def __repr__(self) -> str:
        return f"NormalizeRules({self.source})"


_TOP = ("limits", "unicode", "spaced", "blobs", "reversed", "rot13", "joins")
_OPTIONAL = ("rot47", "html")
_HTML_TAG = re.compile(r"[a-z][a-z0-9]{0,15}")


class _Loader:
    def __init__(self, file: str, sources: Sources) -> None:
        self.file = file
        self.sources = sources
        self.check = Checker()

    def _int(self, m: Any, key: str, src: Src, low: int, high: int, default: int) -> int:
        if m is None or key not in m:
            return default
        v = self.check.number(m[key], src.key(m, key), minimum=low, maximum=high,
                              integer=True)
        return int(v) if v is not None else default

    def _section(self, root: Any, key: str, src: Src, optional: tuple[str, ...]) -> Any:
        if key not in root:  # reported by the top-level mapping check
            return None
        return self.check.mapping(root[key], src.key(root, key), optional=optional)

    def load(self, root: Any, base: Path) -> NormalizeRules | None:
        src = Src(self.file, "", 1)
        root = self.check.mapping(root, src, required=_TOP, optional=_TOP + _OPTIONAL)
        if root is None:
            return None
        lim = self._section(root, "limits", src, ("max_depth", "view_chars", "view_ratio",
                                                  "context_before", "context_after"))
        lsrc = src.key(root, "limits")
        uni = self._section(root, "unicode", src, ("confusables", "invisible", "digits"))
        usrc = src.key(root, "unicode")
        spaced = self._section(root, "spaced", src, ("min_chars",))
        blobs = self._section(root, "blobs", src, ("base64_min_chars", "hex_min_chars",
                                                   "min_printable"))
        bsrc = src.key(root, "blobs")
        joins = self._section(root, "joins", src, ("window_chars", "tokens"))
        jsrc = src.key(root, "joins")
        confusables = self._confusables(uni, usrc, base)
        invisible = self._invisible(uni, usrc)
        digit_letters = self._digits(uni, usrc)
        printable = 0.95
        if blobs is not None and "min_printable" in blobs:
            v = self.check.number(blobs["min_printable"], bsrc.key(blobs, "min_printable"),
                                  minimum=0.5, maximum=1)
            printable = float(v) if v is not None else printable
        rev = self._hints(root, "reversed", src)
        rot = self._hints(root, "rot13", src)
        rot47 = self._hints(root, "rot47", src) if "rot47" in root \
            else WordHints((), (), ())
        max_depth = self._int(lim, "max_depth", lsrc, 1, 8, 3)
        html_tags = self._html_tags(root, src)
        if confusables is None or rev is None or rot is None or rot47 is None:
            return None
        return NormalizeRules(
            max_depth=max_depth,
            view_chars=self._int(lim, "view_chars", lsrc, 1024, 1 << 26, 65536),
            view_ratio=self._int(lim, "view_ratio", lsrc, 1, 64, 4),
            context_before=self._int(lim, "context_before", lsrc, 0, 1000, 80),
            context_after=self._int(lim, "context_after", lsrc, 0, 1000, 24),
            confusables=MappingProxyType(confusables), invisible=invisible,
            digit_letters=MappingProxyType(digit_letters),
            spaced_min_chars=self._int(spaced, "min_chars", src.key(root, "spaced"), 3, 64, 6),
            base64_min_chars=self._int(blobs, "base64_min_chars", bsrc, 8, 1024, 12),
            hex_min_chars=self._int(blobs, "hex_min_chars", bsrc, 8, 1024, 16),
            min_printable=printable, reversed=rev, rot13=rot, rot47=rot47,
            join_window=self._int(joins, "window_chars", jsrc, 16, 4096, 200),
            join_tokens=self._int(joins, "tokens", jsrc, 1, 10, 3),
            source=self.file, html_tags=html_tags)

    def _html_tags(self, root: Any, src: Src) -> tuple[str, ...]:
        m = self._section(root, "html", src, ("tags",))
        if m is None:
            return ()
        tsrc = src.key(root, "html").key(m, "tags")
        tags = tuple(t.lower() for t in self.check.string_list(m.get("tags", []), tsrc))
        if not all(_HTML_TAG.fullmatch(t) for t in tags):
            self.check.fail(tsrc, "tags must be HTML element names (a letter, then letters "
                                  "or digits)")
            return ()
        return tags

    def _confusables(self, uni: Any, usrc: Src, base: Path) -> dict[str, str] | None:
        if uni is None:
            return None
        if "confusables" not in uni:
            self.check.fail(usrc.key(uni, "confusables"), "missing")
            return None
        csrc = usrc.key(uni, "confusables")
        name = self.check.string(uni["confusables"], csrc)
        if name is None:
            return None
        path = Path(absolute(base / name))
        try:
            if not self.sources.include(path):
                raise FileNotFoundError(path)
            lines = self.sources.read_text(path).splitlines()
        except (OSError, UnicodeDecodeError):
            self.check.fail(csrc, f"cannot read {name!r} (relative to {base})")
            return None
        table: dict[str, str] = {}
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            target, _, chars = line.partition("\t")
            lsrc = Src(str(path), f"line {n}", n)
            if len(target) != 1 or not target.isascii() or not target.isalnum() or not chars:
                self.check.fail(lsrc, "expected an ASCII letter or digit, a tab and its "
                                      "look-alikes")
                continue
            for ch in chars:
                if ch.isascii():
                    self.check.fail(lsrc, "look-alikes must not be ASCII characters")
                    break
                table[ch] = target
        return table

    def _invisible(self, uni: Any, usrc: Src) -> frozenset[str]:
        if uni is None or "invisible" not in uni:
            return frozenset()
        isrc = usrc.key(uni, "invisible")
        out: set[str] = set()
        for i, item in enumerate(self.check.string_list(uni["invisible"], isrc)):
            if len(item) == 1:
                out.add(item)
            elif len(item) == 3 and item[1] == "-" and ord(item[0]) <= ord(item[2]):
                out.update(chr(c) for c in range(ord(item[0]), ord(item[2]) + 1))
            else:
                self.check.fail(Src(isrc.file, f"{isrc.field}[{i}]", isrc.line),
                                "expected one character or a range X-Y")
        return frozenset(out)

    def _digits(self, uni: Any, usrc: Src) -> dict[str, str]:
        if uni is None or "digits" not in uni:
            return {}
        dsrc = usrc.key(uni, "digits")
        m = self.check.mapping(uni["digits"], dsrc, optional=tuple("0123456789"))
        out: dict[str, str] = {}
        for digit, letters in (m or {}).items():
            lsrc = dsrc.key(m, digit)
            letters = self.check.string(letters, lsrc)
            if letters is None or not letters.isascii() or not letters.isalpha():
                self.check.fail(lsrc, "expected a digit and the ASCII letters it looks like")
                continue
            out.update(dict.fromkeys(letters, digit))
        return out

    def _hints(self, root: Any, key: str, src: Src) -> WordHints | None:
        allowed = ("words", "shapes", "hints", "labels")
        m = self._section(root, key, src, allowed)
        if m is None:
            return None
        hsrc = src.key(root, key)
        words = tuple(w.lower() for w in self.check.string_list(m.get("words", []),
                                                                hsrc.key(m, "words")))
        hints = tuple(w.lower() for w in self.check.string_list(m.get("hints", []),
                                                                hsrc.key(m, "hints")))
        labels = tuple(w.lower() for w in self.check.string_list(m.get("labels", []),
                                                                 hsrc.key(m, "labels")))
        found: list[str] = []
        for i, shape in enumerate(self.check.string_list(m.get("shapes", []),
                                                         hsrc.key(m, "shapes"))):
            ssrc = Src(hsrc.file, f"{hsrc.field}.shapes[{i}]", hsrc.line)
            try:
                re.compile(shape)
                hyperscan.Database().compile(expressions=[shape.encode("ascii")])
            except (re.error, hyperscan.error, UnicodeEncodeError):
                self.check.fail(ssrc, "not a regex both Python and Hyperscan accept")
                continue
            found.append(shape)
        bad = [w for w in (*words, *hints, *labels) if not w.isascii() or len(w) < 2]
        if bad:
            self.check.fail(hsrc, "words, hints and labels must be ASCII, 2 characters or "
                                  "more")
        return WordHints(words, tuple(found), hints, labels)


def load_normalize_rules(path: str | Path = DEFAULT_NORMALIZE_PATH,
                         sources: Sources | None = None) -> NormalizeRules:
    """Read (through ``sources``, by default from disk) and validate the normalisation
    file and the confusables table it names; raise ConfigError listing problems."""
    path = Path(absolute(path))
    sources = sources if sources is not None else FileReader()
    loader = _Loader(str(path), sources)
    rules = loader.load(load_yaml(path, sources), path.parent)
    loader.check.raise_if_any()
    if rules is None:  # pragma: no cover - every None path records a problem
        raise ConfigError.single(str(path), None, "(root)", "invalid")
    return rules
