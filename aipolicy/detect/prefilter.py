"""A Hyperscan prefilter for Python regular expressions: where can each pattern match?

Python's ``re`` costs time at every position it tries, so running many patterns over
every text is slow. A :class:`Prefilter` translates a set of Python patterns once into
one Hyperscan database that matches a *superset* of what each pattern matches, scans a
text with it in one pass (at GB/s) and turns the reported end offsets into a few short
windows per pattern. Running the exact Python pattern in those windows
(:meth:`Prefilter.finditer`) yields exactly what ``pattern.finditer(text)`` yields on the
whole text.

The translation reads Python's own parse of each pattern, so the superset holds for
Python's semantics, not PCRE's:

* every character class is written out as the ASCII characters the Python class accepts
  (with its flags: case-insensitivity, ``\\s`` taking ``\\x1c``-``\\x1f``, ...);
* the scanned bytes are the text with each non-ASCII character replaced by ``?``, so a
  byte offset is a character offset; a class that can accept any non-ASCII character
  also accepts ``?``;
* lookarounds, anchors and word boundaries are left out (they only narrow a match); a
  backreference becomes a copy of its group; atomic groups and possessive repeats become
  plain ones;
* repetition at the end of a pattern is cut to its minimum (``x{10,300}`` becomes
  ``x{10}``): Hyperscan reports every end offset of every match, which would otherwise
  be hundreds of reports per match; the cut length is added back to the window.

A pattern Hyperscan refuses, or one whose translation could match the empty string, is
listed in :attr:`Prefilter.unsupported` and always gets the whole text as its window.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from re import _compiler as _sre_compiler  # type: ignore[attr-defined]
from re import _constants as _C  # type: ignore[attr-defined]
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import Any, NamedTuple

import hyperscan

# Non-ASCII characters that Python's case-insensitive matching equates with an ASCII
# letter (dotted and dotless i, long s, Kelvin sign); a unit test re-derives the list.
CASELESS_NON_ASCII = "\u0130\u0131\u017f\u212a"

# Stands for every non-ASCII character in the scanned bytes ("?" is what the ascii
# codec's "replace" error handler writes, one per character).
_PLACEHOLDER = ord("?")
# Room after a match end for zero-width checks that read the next characters ($, \b)
# beyond the lookahead widths counted.
_CONTEXT_MARGIN = 4

# Bounded repeats with more optional copies than this are widened to "{m,}".
_WIDEN_ABOVE = 16

_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (_C.ASSERT, _C.ASSERT_NOT, _C.AT)


class Window(NamedTuple):
    """Where a pattern must be searched: ``pattern.finditer(text, start, end)``, keeping
    the matches that begin at or before ``last_start`` (later ones may be artefacts of
    the cut at ``end``)."""

    start: int
    end: int
    last_start: int


# --------------------------------------------------------------------------- translation


@dataclass(frozen=True)
class _Part:
    """A translated fragment: Hyperscan syntax and its width bounds (None: unbounded)."""

    text: str
    min: int
    max: int | None


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _times(width: int | None, count: int) -> int | None:
    if count == _C.MAXREPEAT:
        return 0 if width == 0 else None
    return None if width is None else width * count


def _class(chars: Iterable[int]) -> str:
    """A Hyperscan class of byte values, written as ranges of \\xHH escapes."""
    values = sorted(set(chars))
    parts: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        if j == i:
            parts.append(f"\\x{values[i]:02x}")
        else:
            parts.append(f"\\x{values[i]:02x}-\\x{values[j]:02x}")
        i = j + 1
    return "[" + "".join(parts) + "]"


class _Translator:
    """Python parse tree -> Hyperscan expression that matches a superset."""

    def __init__(self) -> None:
        # (node, flags) -> class text; one translator serves one Prefilter build.
        self._atoms: dict[tuple[str, int], str | None] = {}

    def atom(self, op: Any, av: Any, flags: int) -> str | None:
        """The byte class for one single-character node; None if it accepts nothing."""
        key = (repr((op, av)), flags)
        if key not in self._atoms:
            self._atoms[key] = self._build_atom(op, av, flags)
        return self._atoms[key]

    @staticmethod
    def _build_atom(op: Any, av: Any, flags: int) -> str | None:
        tree = _sre_parser.SubPattern(_sre_parser.State(), [(op, av)])
        tree.state.flags = flags
        rx = _sre_compiler.compile(tree, flags)
        chars = {c for c in range(128) if rx.match(chr(c))}
        if _may_accept_non_ascii(op, av, flags) or any(
            rx.match(ch) for ch in CASELESS_NON_ASCII
        ):
            chars.add(_PLACEHOLDER)
        return _class(chars) if chars else None

    def seq(self, nodes: Any, flags: int, groups: dict[int, Any]) -> _Part:
        texts: list[str] = []
        low, high = 0, 0
        for op, av in nodes:
            part = self.node(op, av, flags, groups)
            if part is None:
                return _NEVER
            texts.append(part.text)
            low += part.min
            high = _add(high, part.max)  # type: ignore[assignment]
        return _Part("".join(texts), low, high)

    def node(self, op: Any, av: Any, flags: int, groups: dict[int, Any]) -> _Part | None:
        """Translate one node; None when it can never match (an empty class)."""
        if op in (_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY):
            cls = self.atom(op, av, flags)
            return None if cls is None else _Part(cls, 1, 1)
        if op in _ZERO_WIDTH:
            return _Part("", 0, 0)
        if op in _REPEATS:
            lo, hi, item = av
            inner = self.seq(item, flags, groups)
            if inner is _NEVER:
                return _Part("", 0, 0) if lo == 0 else None
            if not inner.text:
                return _Part("", 0, 0)
            # A wide bounded repeat is costly for Hyperscan to compile (it unrolls it) and
            # brings little: "{m,}" matches a superset. Widths stay the Python ones.
            wide = hi == _C.MAXREPEAT or hi - lo > _WIDEN_ABOVE
            bound = f"{{{lo},}}" if wide else f"{{{lo},{hi}}}"
            return _Part(f"(?:{inner.text}){bound}", inner.min * lo, _times(inner.max, hi))
        if op is _C.SUBPATTERN:
            group, add, remove, item = av
            inner = self.seq(item, (flags | add) & ~remove, groups)
            return None if inner is _NEVER else _wrap(inner)
        if op is _C.ATOMIC_GROUP:
            inner = self.seq(av, flags, groups)
            return None if inner is _NEVER else _wrap(inner)
        if op is _C.BRANCH:
            return self._branch([self.seq(alt, flags, groups) for alt in av[1]])
        if op is _C.GROUPREF:
            return self.seq(groups[av][0], groups[av][1], groups)
        if op is _C.GROUPREF_EXISTS:
            _group, yes, no = av
            alts = [self.seq(yes, flags, groups)]
            alts.append(self.seq(no, flags, groups) if no is not None else _Part("", 0, 0))
            return self._branch(alts)
        raise ValueError(f"unsupported regular expression construct {op}")

    @staticmethod
    def _branch(alts: list[_Part]) -> _Part | None:
        alive = [a for a in alts if a is not _NEVER]
        if not alive:
            return None
        low = min(a.min for a in alive)
        high: int | None = 0
        for a in alive:
            high = None if high is None or a.max is None else max(high, a.max)
        texts = list(dict.fromkeys(a.text for a in alive if a.text))
        if not texts:
            return _Part("", 0, 0)
        body = "(?:" + "|".join(texts) + ")"
        if len(texts) < len(alive):  # an alternative matches the empty string
            body += "?"
        return _Part(body, low, high)


_NEVER = _Part("(?!)", 0, 0)  # marker: a sequence holding a class that accepts nothing


def _wrap(part: _Part) -> _Part:
    return part if not part.text else _Part(f"(?:{part.text})", part.min, part.max)


def _may_accept_non_ascii(op: Any, av: Any, flags: int) -> bool:
    """Whether a one-character node can accept a non-ASCII character (conservative)."""
    if op in (_C.ANY, _C.NOT_LITERAL):
        return True
    if op is _C.LITERAL:
        return av >= 128
    for item_op, item_av in av:  # IN
        if item_op is _C.NEGATE:
            return True
        if item_op is _C.CATEGORY:
            positive = item_av in (_C.CATEGORY_DIGIT, _C.CATEGORY_SPACE, _C.CATEGORY_WORD)
            if not positive or not flags & re.ASCII:
                return True
        if item_op is _C.LITERAL and item_av >= 128:
            return True
        if item_op is _C.RANGE and item_av[1] >= 128:
            return True
    return False


def _groups(tree: Any) -> dict[int, Any]:
    """Group number -> (content, flags inside), for backreferences."""
    out: dict[int, Any] = {}

    def walk(nodes: Any, flags: int) -> None:
        for op, av in nodes:
            if op is _C.SUBPATTERN:
                group, add, remove, item = av
                inner = (flags | add) & ~remove
                if group is not None:
                    out[group] = (item, inner)
                walk(item, inner)
            elif op in _REPEATS:
                walk(av[2], flags)
            elif op is _C.BRANCH:
                for alt in av[1]:
                    walk(alt, flags)
            elif op in (_C.ASSERT, _C.ASSERT_NOT):
                walk(av[1], flags)
            elif op is _C.ATOMIC_GROUP:
                walk(av, flags)
            elif op is _C.GROUPREF_EXISTS:
                walk(av[1], flags)
                if av[2] is not None:
                    walk(av[2], flags)

    walk(tree, tree.state.flags)
    return out


def _lookahead_reach(tree: Any) -> int | None:
    """How far past a position lookaheads can read: the sum of their widths."""
    total: int | None = 0

    def walk(nodes: Any) -> None:
        nonlocal total
        for op, av in nodes:
            if op in (_C.ASSERT, _C.ASSERT_NOT):
                if av[0] > 0:  # direction: 1 lookahead, -1 lookbehind
                    high = av[1].getwidth()[1]
                    total = None if total is None or high >= _C.MAXREPEAT else total + high
                walk(av[1])
            elif op is _C.SUBPATTERN:
                walk(av[3])
            elif op in _REPEATS:
                walk(av[2])
            elif op is _C.BRANCH:
                for alt in av[1]:
                    walk(alt)
            elif op is _C.ATOMIC_GROUP:
                walk(av)
            elif op is _C.GROUPREF_EXISTS:
                walk(av[1])
                if av[2] is not None:
                    walk(av[2])

    walk(tree)
    return total


def _trim_tail(nodes: list[Any]) -> tuple[list[Any], int | None]:
    """Cut repetition at the end of ``nodes`` to its minimum.

    Returns the shortened node list and the most characters a match can have beyond a
    match of the shortened list that starts at the same place (None: unbounded).
    """
    nodes = list(nodes)
    slack: int | None = 0
    while nodes:
        op, av = nodes[-1]
        if op in _ZERO_WIDTH:
            nodes.pop()  # dropped by the translation anyway
            continue
        if op in _REPEATS:
            lo, hi, item = av
            if hi == lo:
                break
            extra = None if hi == _C.MAXREPEAT else _times(_max_width(item), hi - lo)
            slack = _add(slack, extra)
            if lo == 0:
                nodes.pop()
                continue
            nodes[-1] = (_C.MAX_REPEAT, (lo, lo, item))
            break
        if op in (_C.SUBPATTERN, _C.ATOMIC_GROUP):
            item = av[3] if op is _C.SUBPATTERN else av
            inner, extra = _trim_tail(item)
            slack = _add(slack, extra)
            if not inner:
                nodes.pop()
                continue
            new_av = (av[0], av[1], av[2], _as_subpattern(item, inner)) if (
                op is _C.SUBPATTERN) else _as_subpattern(item, inner)
            nodes[-1] = (op, new_av)
            break
        if op is _C.BRANCH:
            alts = []
            most: int | None = 0
            for alt in av[1]:
                inner, extra = _trim_tail(alt)
                alts.append(_as_subpattern(alt, inner))
                most = None if most is None or extra is None else max(most, extra)
            slack = _add(slack, most)
            if all(not alt.data for alt in alts):
                nodes.pop()
                continue
            nodes[-1] = (op, (av[0], alts))
            break
        break
    return nodes, slack


def _as_subpattern(template: Any, data: list[Any]) -> Any:
    return _sre_parser.SubPattern(template.state, data)


def _max_width(nodes: Any) -> int | None:
    high = nodes.getwidth()[1]
    return None if high >= _C.MAXREPEAT else high


@dataclass(frozen=True)
class _Plan:
    """One pattern's Hyperscan expression and the window geometry around its reports."""

    expression: str
    before: int | None  # a match starts at most this far before a reported end
    min_before: int  # ... and at least this far
    after: int | None  # a search from a start must see this far past it (match + lookaheads)


def plan(pattern: re.Pattern[str]) -> _Plan | None:
    """How to prefilter ``pattern``; None when the translation would match everything."""
    if isinstance(pattern.pattern, bytes):
        raise TypeError("only str patterns can be prefiltered")
    tree = _sre_parser.parse(pattern.pattern, pattern.flags)
    flags = tree.state.flags
    translator = _Translator()
    groups = _groups(tree)
    full = translator.seq(tree, flags, groups)
    trimmed_nodes, _slack = _trim_tail(tree.data)
    trimmed = translator.seq(_as_subpattern(tree, trimmed_nodes), flags, groups)
    if trimmed is _NEVER or full is _NEVER or trimmed.min == 0:
        return None  # never matches, or could match anywhere: search the whole text
    ahead = _lookahead_reach(tree)
    after = _add(_add(full.max, ahead), _CONTEXT_MARGIN)
    return _Plan(trimmed.text, trimmed.max, trimmed.min, after)


def _collect(pattern_id: int, _start: int, end: int, _flags: int, found: list[int]) -> None:
    # Packed id and end in one int: one append per report is all the callback does.
    found.append(end << 20 | pattern_id)


_MAX_PATTERNS = 1 << 20


class Prefilter[K: Hashable]:
    """Windows of a text where each of a set of Python patterns can match.

    Build once (compiling takes milliseconds per pattern); ``candidates`` and
    ``finditer`` are thread-safe (each thread gets its own Hyperscan scratch space).
    """

    def __init__(self, patterns: Iterable[tuple[K, re.Pattern[str]]]) -> None:
        entries = list(patterns)
        if len(entries) >= _MAX_PATTERNS:
            raise ValueError("too many patterns for one prefilter")
        self._keys: tuple[K, ...] = tuple(key for key, _ in entries)
        if len(set(self._keys)) != len(self._keys):
            raise ValueError("prefilter keys must be unique")
        self._patterns: dict[K, re.Pattern[str]] = dict(entries)
        plans: list[_Plan | None] = [plan(rx) for _, rx in entries]
        unsupported = {i for i, p in enumerate(plans) if p is None}
        usable = [i for i in range(len(entries)) if i not in unsupported]
        self._db, failed = _build_database(plans, usable) if usable else (None, set())
        unsupported |= failed
        self._plans = plans
        self._unsupported: frozenset[K] = frozenset(self._keys[i] for i in unsupported)
        self._always: tuple[K, ...] = tuple(self._keys[i] for i in sorted(unsupported))
        self._local = threading.local()

    @property
    def keys(self) -> tuple[K, ...]:
        return self._keys

    @property
    def unsupported(self) -> frozenset[K]:
        """Patterns Hyperscan could not take: their window is always the whole text."""
        return self._unsupported

    def __repr__(self) -> str:
        return f"Prefilter({len(self._keys)} patterns, {len(self._unsupported)} unsupported)"

    def _scratch(self) -> Any:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = hyperscan.Scratch(self._db)
            self._local.scratch = scratch
        return scratch

    def candidates(self, text: str) -> dict[K, list[Window]]:
        """Disjoint windows, in text order, per pattern that can match in ``text``.

        Patterns that cannot match are absent; unsupported ones always get the whole text.
        """
        size = len(text)
        out: dict[K, list[Window]] = {key: [Window(0, size, size)] for key in self._always}
        if self._db is None or not text:
            return out
        data = text.encode("ascii") if text.isascii() else text.encode("ascii", "replace")
        found: list[int] = []
        self._db.scan(data, match_event_handler=_collect, context=found,
                      scratch=self._scratch())
        if not found:
            return out
        by_id: dict[int, list[int]] = {}
        mask = _MAX_PATTERNS - 1
        for packed in found:
            ends = by_id.get(packed & mask)
            if ends is None:
                by_id[packed & mask] = [packed >> 20]
            else:
                ends.append(packed >> 20)
        for index, ends in by_id.items():
            out[self._keys[index]] = _windows(self._plans[index], ends, size)  # type: ignore[arg-type]
        return out

    def finditer(self, key: K, text: str, windows: Sequence[Window]) -> Iterator[re.Match[str]]:
        """The matches of pattern ``key`` in ``text``, searched in ``windows`` only.

        With the windows from :meth:`candidates` this yields exactly the matches of
        ``pattern.finditer(text)``.
        """
        return search(self._patterns[key], text, windows)

    def matches(self, text: str) -> dict[K, list[re.Match[str]]]:
        """Every pattern's matches in ``text`` (patterns without any are absent)."""
        out: dict[K, list[re.Match[str]]] = {}
        for key, windows in self.candidates(text).items():
            found = list(self.finditer(key, text, windows))
            if found:
                out[key] = found
        return out


def search(pattern: re.Pattern[str], text: str,
           windows: Iterable[Window]) -> Iterator[re.Match[str]]:
    """``pattern.finditer`` restricted to ``windows`` (see :class:`Window`)."""
    for window in windows:
        for m in pattern.finditer(text, window.start, window.end):
            if m.start() > window.last_start:
                break
            yield m


def _windows(plan_: _Plan, ends: list[int], size: int) -> list[Window]:
    """Merge the windows around reported end offsets into disjoint ones, in text order."""
    if any(a > b for a, b in zip(ends, ends[1:], strict=False)):
        ends.sort()
    before, lead, after = plan_.before, plan_.min_before, plan_.after
    out: list[Window] = []
    start = end = last = -1
    for e in ends:
        lo = 0 if before is None else max(e - before, 0)
        first = e - lead  # the latest a match reported here can start
        hi = size if after is None else min(first + after, size)
        if start >= 0 and lo <= end:
            end = max(end, hi)
            last = first
            continue
        if start >= 0:
            out.append(Window(start, end, last))
        start, end, last = lo, hi, first
    if start >= 0:
        out.append(Window(start, end, last))
    return out


def _compile(plans: Sequence[_Plan], ids: Sequence[int], flags: Sequence[int]) -> Any:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[p.expression.encode("ascii") for p in plans],
        ids=list(ids),
        elements=len(plans),
        flags=list(flags),
    )
    return db


def _build_database(plans: Sequence[_Plan | None], usable: Sequence[int]) -> tuple[Any, set[int]]:
    """One database for the ``usable`` plans, and the indexes Hyperscan refused.

    A pattern Hyperscan cannot compile exactly (too large, say) is retried in its
    prefilter mode, which may approximate it by a superset; one that still fails is
    left out. Patterns are tried one by one only when the whole set fails.
    """
    chosen = [p for i, p in enumerate(plans) if i in set(usable)]
    flags = dict.fromkeys(usable, 0)
    try:
        return _compile(chosen, usable, [0] * len(usable)), set()  # type: ignore[arg-type]
    except hyperscan.error:
        pass
    failed: set[int] = set()
    for i in usable:
        for flag in (0, hyperscan.HS_FLAG_PREFILTER):
            try:
                _compile([plans[i]], [i], [flag])  # type: ignore[list-item]
            except hyperscan.error:
                continue
            flags[i] = flag
            break
        else:
            failed.add(i)
    rest = [i for i in usable if i not in failed]
    if not rest:
        return None, failed
    return _compile([plans[i] for i in rest], rest, [flags[i] for i in rest]), failed  # type: ignore[misc]
