"""A Hyperscan prefilter for Python regular expressions: where can each pattern match?

Python's ``re`` pays at every position it tries, so running many patterns over every
text is slow. A :class:`Prefilter` translates a set of Python patterns once into one
Hyperscan database that matches a *superset* of what each pattern matches, scans a text
with it in one pass (GB/s) and turns the reported end offsets into a few short windows
per pattern. :meth:`Prefilter.finditer` then runs the exact Python pattern in those
windows only, with exactly the result of ``pattern.finditer(text)`` on the whole text.

The translation reads Python's own parse of each pattern, so the superset holds for
Python's semantics, not PCRE's:

* every character class is written out as the ASCII characters the Python class accepts
  under its flags (case-insensitivity, ``\\s`` taking ``\\x1c``-``\\x1f``, ...);
* the scanned bytes are the text with each non-ASCII character replaced by the byte
  ``0x80``, which no ASCII text holds, so a byte offset is a character offset; a class
  that can accept any non-ASCII character also accepts ``0x80``. In a text where one
  character in 16 or more is non-ASCII, runs of four or more non-ASCII letters
  (Chinese clauses, Cyrillic or Greek words) get ``0x81`` instead, which only classes
  that can accept a non-ASCII letter accept: ``\\d`` and the patterns built on it
  then never see a digit in such a run;
* lookarounds, anchors and word boundaries are left out (they only narrow a match),
  except a lookahead that ends the pattern and must read something: it is matched as if
  it consumed text; and a one-character negative lookbehind opening the pattern
  (``(?<![\\w.-])``): the byte before a match must be outside its class, or the match
  must start the text. A backreference becomes a copy of its group; atomic groups and
  possessive repeats become plain ones; a bounded repeat with many optional copies
  becomes unbounded (Hyperscan compiles those far faster);
* repetition at the end of a pattern is cut to its minimum (``x{10,300}`` becomes
  ``x{10}``): Hyperscan reports every end offset of every match, hundreds per match
  otherwise.

Window geometry uses Python's widths: a match of the translation ending at ``e`` means a
Python match can start in ``[e - longest, e - shortest]`` (the widths of what the
translation matched), and searching from a start must see the pattern's longest match
plus its lookaheads. A pattern Hyperscan refuses, or one whose translation could match
the empty string, is listed in :attr:`Prefilter.unsupported` and always gets the whole
text as its window.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from re import _compiler as _sre_compiler  # type: ignore[attr-defined]
from re import _constants as _C  # type: ignore[attr-defined]
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import Any, NamedTuple

import hyperscan

# Non-ASCII characters that Python's case-insensitive matching equates with an ASCII
# letter (dotted and dotless i, long s, Kelvin sign); a unit test re-derives the list.
CASELESS_NON_ASCII = "\u0130\u0131\u017f\u212a"

# Stands for every non-ASCII character in the scanned bytes. Not "?", which the ascii
# codec's "replace" handler writes: a question mark would then pass for a digit or a
# letter wherever a pattern accepts non-ASCII ones.
_PLACEHOLDER = 0x80
_QUESTION_TO_PLACEHOLDER = bytes.maketrans(b"?", bytes([_PLACEHOLDER]))
# Stands for a non-ASCII letter (``str.isalpha``) in runs of at least _LETTER_RUN of
# them; shorter runs cost more to classify than the reports they would save.
_LETTER = 0x81
_LETTER_RUN = 4
_DENSE_NON_ASCII = 16  # at least one character in 16
_PLACEHOLDER_RUN = re.compile(rb"\x80{%d,}" % _LETTER_RUN)
# Word characters that are neither digits nor "_": letters, and a few numerals ("²")
# that the isalpha() check then leaves out
_LETTERS = re.compile(rf"[^\W\d_]{{{_LETTER_RUN},}}")
# Room past the lookahead widths for zero-width checks that read the next characters
# ($ looks at two, \b at one).
_CONTEXT_MARGIN = 4
# Bounded repeats with more optional copies than this become "{m,}" for Hyperscan.
_WIDEN_ABOVE = 16
# A lookahead ending a pattern is checked by Hyperscan when it needs this many characters.
_SELECTIVE_LOOKAHEAD = 3
# Characters of a pattern's leading part used to find where a match can start.
_HEAD_WIDTH = 4
# Report packing in the match callback: end offset << _ID_BITS | pattern index.
_ID_BITS = 20
# Patterns whose matches can be longer than this get windows cut at whitespace they
# cannot contain.
_NARROW_ABOVE = 64
_WHITESPACE = " \n\t\r\x0b\x0c"

_ATOMS = (_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY)
_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (_C.ASSERT, _C.ASSERT_NOT, _C.AT)


def scan_bytes(text: str) -> bytes:
    """What every Hyperscan pass reads: the text, with the byte 0x80 for each non-ASCII
    character, or 0x81 in runs of non-ASCII letters (a byte offset is then a character
    offset). Encoding a long non-ASCII text costs about as much as a pass: compute it
    once per text and hand it to each finder."""
    if text.isascii():
        return text.encode("ascii")
    # The C codec writes "?" for each non-ASCII character; every "?" becomes the
    # placeholder, and the text's own question marks (usually few) are put back.
    data = text.encode("ascii", "replace").translate(_QUESTION_TO_PLACEHOLDER)
    questions = "?" in text
    # Letter runs are looked for only in texts dense in non-ASCII characters (Chinese,
    # Russian): a few accents in English prose cannot form digit-like runs worth it.
    runs = data.count(_PLACEHOLDER) * _DENSE_NON_ASCII >= len(data) >= _LETTER_RUN
    if not questions and not runs:
        return data
    out = bytearray(data)
    if questions:
        for i in _positions(text, "?"):
            out[i] = 0x3F
    if runs:
        for m in _PLACEHOLDER_RUN.finditer(data):
            start, end = m.span()
            if text[start:end].isalpha():
                out[start:end] = bytes([_LETTER]) * (end - start)
                continue
            for word in _LETTERS.finditer(text, start, end):  # "。" or "，" in between
                if word.group().isalpha():
                    a, b = word.span()
                    out[a:b] = bytes([_LETTER]) * (b - a)
    return bytes(out)


class Window(NamedTuple):
    """Where to search: matches that begin in ``[start, last_start]``, seeing the text
    up to ``end``. Windows come in text order; as in ``finditer``, a search never starts
    before the end of the previous match, even one found in an earlier window."""

    start: int
    end: int
    last_start: int


# --------------------------------------------------------------------------- translation


@dataclass(frozen=True)
class _Atom:
    """What one single-character node accepts: ASCII characters, and maybe non-ASCII
    ones; ``letters``: maybe non-ASCII letters (implies ``non_ascii``)."""

    chars: frozenset[int]
    non_ascii: bool
    letters: bool = False

    def render(self, python: bool) -> str:
        """The class in Hyperscan syntax for the scanned bytes, or in Python syntax."""
        if python:
            if not self.non_ascii:
                return "[" + _ranges(self.chars, "\\x{:02x}") + "]"
            # Everything but some ASCII: a negated class compiles far faster than one
            # spelling out the non-ASCII range.
            missing = set(range(128)) - self.chars
            return "[^" + _ranges(missing, "\\x{:02x}") + "]" if missing else "(?s:.)"
        chars = set(self.chars)
        if self.non_ascii:
            chars.add(_PLACEHOLDER)
        if self.letters:
            chars.add(_LETTER)
        return "[" + _ranges(chars, "\\x{:02x}") + "]"


def _ranges(chars: Iterable[int], fmt: str) -> str:
    """Sorted character codes written as a class body of ranges."""
    values = sorted(set(chars))
    parts: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        first, last = fmt.format(values[i]), fmt.format(values[j])
        parts.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "".join(parts)


@dataclass(frozen=True)
class _Part:
    """A translated fragment: Hyperscan syntax and its Python width bounds."""

    text: str
    min: int
    max: int | None  # None: unbounded


_EMPTY = _Part("", 0, 0)


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _may_accept(op: Any, av: Any, flags: int, *, letters: bool) -> bool:
    """Whether a one-character node can accept a non-ASCII character (with ``letters``,
    a non-ASCII letter); conservative."""
    def holds(code: int) -> bool:
        return code >= 128 and (not letters or chr(code).isalpha())

    if op in (_C.ANY, _C.NOT_LITERAL):
        return True
    if op is _C.LITERAL:
        return holds(av)
    # Categories that cannot: \d, \s and \w under re.ASCII; \d and \s hold no letters
    closed = ((_C.CATEGORY_DIGIT, _C.CATEGORY_SPACE, _C.CATEGORY_WORD) if flags & re.ASCII
              else (_C.CATEGORY_DIGIT, _C.CATEGORY_SPACE) if letters else ())
    for item_op, item_av in av:  # IN
        if item_op is _C.NEGATE:
            return True
        if item_op is _C.CATEGORY and item_av not in closed:
            return True
        if item_op is _C.LITERAL and holds(item_av):
            return True
        if item_op is _C.RANGE and item_av[1] >= 128:
            return True
    return False


def _accepts_every_letter(op: Any, av: Any, flags: int) -> bool:
    """Whether a one-character node certainly accepts every non-ASCII letter (\\w, .)."""
    if op is _C.ANY:
        return True
    if op is not _C.IN or flags & re.ASCII or any(i is _C.NEGATE for i, _ in av):
        return False
    return (_C.CATEGORY, _C.CATEGORY_WORD) in av


class _Translator:
    """Python parse tree -> Hyperscan expression matching a superset, with widths."""

    def __init__(self, groups: dict[int, Any], atoms: dict[tuple[str, int], _Atom], *,
                 python: bool = False) -> None:
        self._groups = groups  # group number -> (content, flags inside it)
        self._atoms = atoms  # memo shared by the translators of one pattern
        # Python output: explicit non-ASCII ranges, bounded repeats kept as they are.
        self._python = python

    def atom(self, op: Any, av: Any, flags: int) -> _Atom:
        key = (repr((op, av)), flags)
        found = self._atoms.get(key)
        if found is None:
            # Ask Python itself which ASCII characters the node accepts.
            tree = _sre_parser.SubPattern(_sre_parser.State(), [(op, av)])
            tree.state.flags = flags
            rx = _sre_compiler.compile(tree, flags)
            chars = frozenset(c for c in range(128) if rx.match(chr(c)))
            caseless = any(rx.match(ch) for ch in CASELESS_NON_ASCII)  # all letters
            non_ascii = _may_accept(op, av, flags, letters=False) or caseless
            letters = _may_accept(op, av, flags, letters=True) or caseless
            found = self._atoms[key] = _Atom(chars, non_ascii, letters)
        return found

    def seq(self, nodes: Any, flags: int) -> _Part | None:
        """Translate a sequence; None when it can never match."""
        texts: list[str] = []
        low: int = 0
        high: int | None = 0
        for op, av in nodes:
            part = self.node(op, av, flags)
            if part is None:
                return None
            texts.append(part.text)
            low += part.min
            high = _add(high, part.max)
        return _Part("".join(texts), low, high)

    def node(self, op: Any, av: Any, flags: int) -> _Part | None:
        if op in _ATOMS:
            atom = self.atom(op, av, flags)
            if not atom.chars and not atom.non_ascii:
                return None
            return _Part(atom.render(self._python), 1, 1)
        if op in _ZERO_WIDTH:
            return _EMPTY
        if op in _REPEATS:
            lo, hi, item = av
            inner = self.seq(item, flags)
            if inner is None:
                return _EMPTY if lo == 0 else None
            if not inner.text:
                return _EMPTY
            wide = hi == _C.MAXREPEAT or (not self._python and hi - lo > _WIDEN_ABOVE)
            bound = f"{{{lo},}}" if wide else f"{{{lo},{hi}}}"
            if hi == _C.MAXREPEAT:
                high = 0 if inner.max == 0 else None
            else:
                high = None if inner.max is None else inner.max * hi
            return _Part(f"(?:{inner.text}){bound}", inner.min * lo, high)
        if op is _C.SUBPATTERN:
            _group, add, remove, item = av
            return _wrap(self.seq(item, (flags | add) & ~remove))
        if op is _C.ATOMIC_GROUP:
            return _wrap(self.seq(av, flags))
        if op is _C.BRANCH:
            return _branch([self.seq(alt, flags) for alt in av[1]])
        if op is _C.GROUPREF:
            content, inner_flags = self._groups[av]
            return _wrap(self.seq(content, inner_flags))
        if op is _C.GROUPREF_EXISTS:
            _group, yes, no = av
            return _branch([self.seq(yes, flags),
                            self.seq(no, flags) if no is not None else _EMPTY])
        raise ValueError(f"unsupported regular expression construct {op}")


def _wrap(part: _Part | None) -> _Part | None:
    if part is None or not part.text:
        return part
    return _Part(f"(?:{part.text})", part.min, part.max)


def _branch(alts: list[_Part | None]) -> _Part | None:
    alive = [a for a in alts if a is not None]
    if not alive:
        return None
    low = min(a.min for a in alive)
    high: int | None = 0
    for a in alive:
        high = None if high is None or a.max is None else max(high, a.max)
    texts = list(dict.fromkeys(a.text for a in alive if a.text))
    if not texts:
        return _Part("", low, high)
    body = "(?:" + "|".join(texts) + ")"
    if any(not a.text for a in alive):
        body += "?"  # an alternative translates to nothing: the branch may match empty
    return _Part(body, low, high)


def _groups(tree: Any) -> dict[int, Any]:
    """Group number -> (content, flags inside it), for backreferences."""
    out: dict[int, Any] = {}

    def walk(nodes: Any, flags: int) -> None:
        for op, av in nodes:
            if op is _C.SUBPATTERN:
                group, add, remove, item = av
                inner = (flags | add) & ~remove
                if group is not None:
                    out[group] = (item, inner)
                walk(item, inner)
            else:
                for child in _children(op, av):
                    walk(child, flags)

    walk(tree, tree.state.flags)
    return out


def _children(op: Any, av: Any) -> list[Any]:
    """Sub-sequences of a node (not through SUBPATTERN's flags: callers handle it)."""
    if op in _REPEATS:
        return [av[2]]
    if op is _C.SUBPATTERN:
        return [av[3]]
    if op is _C.BRANCH:
        return list(av[1])
    if op in (_C.ASSERT, _C.ASSERT_NOT):
        return [av[1]]
    if op is _C.ATOMIC_GROUP:
        return [av]
    if op is _C.GROUPREF_EXISTS:
        return [av[1]] + ([av[2]] if av[2] is not None else [])
    return []


def _lookahead_reach(nodes: Any) -> int | None:
    """How far past a position lookaheads can read: the sum of all their widths."""
    total: int | None = 0
    for op, av in nodes:
        if op in (_C.ASSERT, _C.ASSERT_NOT) and av[0] > 0:  # direction 1: lookahead
            high = av[1].getwidth()[1]
            total = _add(total, None if high >= _C.MAXREPEAT else high)
        for child in _children(op, av):
            total = _add(total, _lookahead_reach(child))
    return total


def _sub(template: Any, data: list[Any]) -> Any:
    return _sre_parser.SubPattern(template.state, data)


def _trim_tail(nodes: Any) -> list[Any]:
    """``nodes`` with repetition at the end cut to its minimum copies.

    Zero-width nodes at the end go (the translation drops them anyway), except a
    lookahead that must read several characters: that one is kept as if it consumed
    text, so Hyperscan checks it too. (Keeping a one-character lookahead filters little
    and costs much: the repetition before it could no longer be cut, so every window
    would have to reach back over its whole length.)
    """
    out = list(nodes)
    while out:
        op, av = out[-1]
        if op is _C.ASSERT and av[0] > 0 and av[1].getwidth()[0] >= _SELECTIVE_LOOKAHEAD:
            out[-1] = (_C.SUBPATTERN, (None, 0, 0, _sub(av[1], _trim_tail(av[1]))))
            break
        if op in _ZERO_WIDTH:
            out.pop()
            continue
        if op in _REPEATS:
            lo, hi, item = av
            if lo == 0:
                out.pop()
                continue
            if hi != lo:
                out[-1] = (_C.MAX_REPEAT, (lo, lo, item))
            break
        if op in (_C.SUBPATTERN, _C.ATOMIC_GROUP):
            item = av[3] if op is _C.SUBPATTERN else av
            inner = _trim_tail(item)
            if not inner:
                out.pop()
                continue
            trimmed = _sub(item, inner)
            out[-1] = (op, (*av[:3], trimmed) if op is _C.SUBPATTERN else trimmed)
            break
        if op is _C.BRANCH:
            alts = [_sub(alt, _trim_tail(alt)) for alt in av[1]]
            if all(not alt.data for alt in alts):
                out.pop()
                continue
            out[-1] = (op, (av[0], alts))
            break
        break
    return out


def _at_text_start(av: Any, flags: int) -> bool:
    return bool(av is _C.AT_BEGINNING_STRING
                or (av is _C.AT_BEGINNING and not flags & re.MULTILINE))


def _at_line_start(av: Any, flags: int) -> bool:
    return bool(av is _C.AT_BEGINNING and flags & re.MULTILINE)


def _opens_with(nodes: Any, flags: int, anchor: Callable[[Any, int], bool]) -> bool:
    """Whether every match of ``nodes`` starts at an anchor that ``anchor`` accepts
    (``_at_text_start``: ``^`` or ``\\A``; ``_at_line_start``: MULTILINE ``^``)."""
    for op, av in nodes:
        if op is _C.AT:
            return anchor(av, flags)
        if op in (_C.ASSERT, _C.ASSERT_NOT):
            continue
        if op is _C.SUBPATTERN:
            return _opens_with(av[3], (flags | av[1]) & ~av[2], anchor)
        if op is _C.ATOMIC_GROUP:
            return _opens_with(av, flags, anchor)
        if op is _C.BRANCH:
            return all(_opens_with(alt, flags, anchor) for alt in av[1])
        return False
    return False


def anchored_at_start(pattern: re.Pattern[str]) -> bool:
    """Whether every match of ``pattern`` starts at the beginning of the text (``^``
    without MULTILINE, or ``\\A``): ``match`` is then the same as ``search``."""
    tree = _sre_parser.parse(pattern.pattern, pattern.flags)
    return _opens_with(tree, tree.state.flags, _at_text_start)


def _head(nodes: Any, need: int) -> list[Any]:
    """A short leading part of ``nodes``, lookarounds left out: whatever matches
    ``nodes`` at a position has this part matching there too, so it tells where a match
    can start. It grows to ``need`` characters, but stops before an optional node once
    it holds a character (searching for optional parts costs more than it filters)."""
    out: list[Any] = []
    items = list(nodes)
    have = 0
    while items and have < need:
        op, av = items.pop(0)
        if op in _ZERO_WIDTH:
            continue
        if op is _C.SUBPATTERN and not av[1] and not av[2]:
            items[:0] = list(av[3])  # no flags of its own: read through the group
            continue
        if op is _C.BRANCH:
            alts = [_sub(alt, _head([*alt, *items], need - have)) for alt in av[1]]
            out.append((op, (av[0], alts)))
            return out
        try:
            width = _sre_parser.SubPattern(_sre_parser.State(), [(op, av)]).getwidth()[0]
        except (IndexError, KeyError, TypeError):
            break  # it refers to another group; a shorter head is still a valid one
        if width == 0 and have > 0:
            break
        out.append((op, av))
        have += width
    return out


@dataclass(frozen=True)
class _Plan:
    """One pattern's Hyperscan expression and how to search around its reports."""

    expression: str
    longest: int | None  # a match starts at most this far before a reported end
    shortest: int  # ... and at least this far
    reach: int | None  # how far past its start a search must see the text
    starts: re.Pattern[str] | None  # matches wherever a match can start (None: anywhere)
    starts_reach: int | None  # how far past a start ``starts`` must see the text
    anchored: bool  # matches can only start at the beginning of the text
    # ASCII whitespace a match can never contain, when its windows are worth narrowing
    # to the run of text between two of them (an e-mail pattern may be 10k characters
    # long, but real addresses sit between two spaces)
    separators: str = ""
    lookahead: int | None = 0  # how far past a match its lookaheads read
    line_anchored: bool = False  # matches start only at line starts ("^" in MULTILINE)


def plan(pattern: re.Pattern[str], atoms: dict[tuple[str, int], _Atom] | None = None
         ) -> _Plan | None:
    """How to prefilter ``pattern``; None when it must be searched in the whole text.
    ``atoms`` memoises character classes across the patterns of one build."""
    if not isinstance(pattern.pattern, str):
        raise TypeError("only str patterns can be prefiltered")
    tree = _sre_parser.parse(pattern.pattern, pattern.flags)
    flags = tree.state.flags
    groups = _groups(tree)
    atoms = {} if atoms is None else atoms
    translator = _Translator(groups, atoms)
    full = translator.seq(tree, flags)
    trimmed = translator.seq(_sub(tree, _trim_tail(tree.data)), flags)
    if full is None or trimmed is None or full.min == 0:
        return None  # never matches, or can match the empty string anywhere
    anchored = _opens_with(tree, flags, _at_text_start)
    # Hyperscan takes "^" only at the start of an expression: the one anchor kept.
    expression = "^" + trimmed.text if anchored else trimmed.text
    guard = _leading_guard(tree, flags, translator)
    if guard and not anchored:
        expression = f"(?:^|{guard}){trimmed.text}"
    reach = _add(_add(full.max, _lookahead_reach(tree)), _CONTEXT_MARGIN)
    head = _Translator(groups, atoms, python=True).seq(
        _sub(tree, _head(tree.data, _HEAD_WIDTH)), flags)
    starts = None
    starts_reach: int | None = None
    if head is not None and head.min > 0:
        starts = re.compile(head.text)
        starts_reach = head.max
    separators = ""
    if trimmed.max is None or trimmed.max > _NARROW_ABOVE:
        consumed = _consumed_atoms(tree, flags, translator)
        separators = "".join(c for c in _WHITESPACE
                             if not any(ord(c) in atom.chars for atom in consumed))
    return _Plan(expression, trimmed.max, trimmed.min, reach, starts, starts_reach, anchored,
                 separators, _lookahead_reach(tree),
                 line_anchored=not anchored and _opens_with(tree, flags, _at_line_start))


def _leading_guard(tree: Any, flags: int, translator: _Translator) -> str:
    """For a pattern that opens with a one-character negative lookbehind ("not after a
    word character or a dot"), the class of bytes that may precede a match; "" for any
    other pattern. Hyperscan then matches that byte too (or the start of the text), so
    digits inside longer numbers and words are never reported. The placeholder is
    always allowed: the non-ASCII character it stands for may be outside the class; so
    is the letter placeholder, unless the class holds every letter."""
    if not tree.data:
        return ""
    op, av = tree.data[0]
    if op is not _C.ASSERT_NOT or av[0] != -1:
        return ""
    inner = list(av[1])
    if len(inner) != 1 or inner[0][0] not in _ATOMS:
        return ""
    atom = translator.atom(inner[0][0], inner[0][1], flags)
    allowed = (set(range(128)) - atom.chars) | {_PLACEHOLDER}
    if not _accepts_every_letter(inner[0][0], inner[0][1], flags):
        allowed.add(_LETTER)
    return "[" + _ranges(allowed, "\\x{:02x}") + "]"


def _consumed_atoms(nodes: Any, flags: int, translator: _Translator) -> list[_Atom]:
    """The character classes of everything a match consumes (lookarounds left out)."""
    out: list[_Atom] = []
    for op, av in nodes:
        if op in _ATOMS:
            out.append(translator.atom(op, av, flags))
        elif op is _C.SUBPATTERN:
            out.extend(_consumed_atoms(av[3], (flags | av[1]) & ~av[2], translator))
        elif op not in (_C.ASSERT, _C.ASSERT_NOT):
            for child in _children(op, av):
                out.extend(_consumed_atoms(child, flags, translator))
    return out


# --------------------------------------------------------------------------- scanning


def _collect(pattern_id: int, _start: int, end: int, _flags: int, found: list[int]) -> None:
    found.append(end << _ID_BITS | pattern_id)  # one append is all a report costs


def _reports(db: Any, local: threading.local, data: bytes) -> list[int]:
    """One pass of ``db`` over ``data``: its reports, packed as ``end << _ID_BITS | id``.
    Each thread scans with its own scratch space, kept in ``local``."""
    scratch = getattr(local, "scratch", None)
    if scratch is None:
        scratch = local.scratch = hyperscan.Scratch(db)
    found: list[int] = []
    db.scan(data, match_event_handler=_collect, context=found, scratch=scratch)
    return found


class Prefilter[K: Hashable]:
    """Windows of a text where each of a set of Python patterns can match.

    Build once (compiling takes a few milliseconds per pattern); ``candidates`` and
    ``finditer`` are thread-safe: each thread gets its own Hyperscan scratch space.
    """

    def __init__(self, patterns: Iterable[tuple[K, re.Pattern[str]]]) -> None:
        entries = list(patterns)
        if len(entries) >= 1 << _ID_BITS:
            raise ValueError("too many patterns for one prefilter")
        self._keys: tuple[K, ...] = tuple(key for key, _ in entries)
        if len(set(self._keys)) != len(self._keys):
            raise ValueError("prefilter keys must be unique")
        self._patterns: dict[K, re.Pattern[str]] = dict(entries)
        atoms: dict[tuple[str, int], _Atom] = {}
        plans = [plan(rx, atoms) for _, rx in entries]
        usable = [i for i, p in enumerate(plans) if p is not None]
        self._db, refused = _build_database(plans, usable)
        self._plans: dict[K, _Plan] = {
            self._keys[i]: p for i, p in enumerate(plans) if p is not None and i not in refused}
        self._unsupported: frozenset[K] = frozenset(
            key for key in self._keys if key not in self._plans)
        self._local = threading.local()

    @property
    def keys(self) -> tuple[K, ...]:
        return self._keys

    @property
    def unsupported(self) -> frozenset[K]:
        """Patterns that are always searched in the whole text."""
        return self._unsupported

    def __repr__(self) -> str:
        return f"Prefilter({len(self._keys)} patterns, {len(self._unsupported)} unsupported)"

    def candidates(self, text: str, data: bytes | None = None,
                   only: Container[K] | None = None) -> dict[K, list[Window]]:
        """Disjoint windows, in text order, for each pattern that may match in ``text``
        (of the patterns in ``only``, if given: the others' reports are dropped unread).

        Patterns that cannot match are absent; unsupported ones always get the whole text.
        ``data`` is ``scan_bytes(text)`` when the caller has it.
        """
        size = len(text)
        out = {key: [Window(0, size, size)] for key in self._unsupported
               if only is None or key in only}
        if self._db is None or not text:
            return out
        data = scan_bytes(text) if data is None else data
        found = _reports(self._db, self._local, data)
        ends: dict[int, list[int]] = {}
        mask = (1 << _ID_BITS) - 1
        for packed in found:
            index = packed & mask
            if index in ends:
                ends[index].append(packed >> _ID_BITS)
            else:
                ends[index] = [packed >> _ID_BITS]
        for index, offsets in ends.items():
            key = self._keys[index]
            if only is None or key in only:
                out[key] = _windows(self._plans[key], offsets, text)
        return out

    def finditer(self, key: K, text: str, windows: Sequence[Window]) -> Iterator[re.Match[str]]:
        """The matches of pattern ``key`` in ``windows`` of ``text``.

        With the windows from :meth:`candidates` these are exactly the matches of
        ``pattern.finditer(text)``, found without trying every position.
        """
        return iter(_search(self._patterns[key], self._plans.get(key), text, windows))

    def matches(self, text: str, data: bytes | None = None) -> dict[K, list[re.Match[str]]]:
        """Every pattern's matches in ``text`` (patterns without any are absent)."""
        out: dict[K, list[re.Match[str]]] = {}
        for key, windows in self.candidates(text, data).items():
            found = _search(self._patterns[key], self._plans.get(key), text, windows)
            if found:
                out[key] = found
        return out


def _search(pattern: re.Pattern[str], the_plan: _Plan | None, text: str,
            windows: Iterable[Window]) -> list[re.Match[str]]:
    """``pattern.finditer(text)``, trying only starts inside ``windows``.

    As finditer does, a search resumes where the previous match ended, across windows.
    With a ``starts`` expression the pattern is tried only where its leading part
    matches; otherwise finditer runs over the window.
    """
    out: list[re.Match[str]] = []
    done = 0  # end of the previous match
    starts = the_plan.starts if the_plan is not None else None
    for start, end, last in windows:
        pos = max(start, done)
        if the_plan is not None and the_plan.anchored:
            m = pattern.match(text, 0, end) if pos == 0 else None
            return [m] if m is not None else []
        if the_plan is not None and the_plan.line_anchored:
            # Only line starts can begin a match: one match attempt per line, instead of
            # a search through a window that may span a long line (a base64 blob).
            at = _line_start(text, pos)
            while 0 <= at <= last:
                m = pattern.match(text, at, end)
                if m is not None:
                    out.append(m)
                    done = m.end()
                at = _line_start(text, max(done, at + 1))
            continue
        if starts is None:
            for m in pattern.finditer(text, pos, end):
                if m.start() > last:
                    break
                out.append(m)
                done = m.end()
                if done > last:
                    break  # the next match would start too late
            continue
        reach = the_plan.starts_reach  # type: ignore[union-attr]
        starts_end = end if reach is None else min(end, last + reach + _CONTEXT_MARGIN)
        while pos <= last:
            hit = starts.search(text, pos, starts_end)
            if hit is None:
                break
            at = hit.start()
            if at > last:
                break
            m = pattern.match(text, at, end)
            if m is None:
                pos = at + 1
            else:
                out.append(m)
                done = m.end()
                pos = max(done, at + 1)
    return out


def _line_start(text: str, pos: int) -> int:
    """The first line start at or after ``pos``, or -1."""
    if pos > len(text):
        return -1
    if pos == 0 or text[pos - 1] == "\n":
        return pos
    found = text.find("\n", pos)
    return -1 if found < 0 else found + 1


def _windows(the_plan: _Plan, ends: list[int], text: str) -> list[Window]:
    """Merge the windows around reported end offsets into disjoint ones, in text order."""
    ends.sort()  # Hyperscan reports in end order as a rule; sorting sorted data is cheap
    size = len(text)
    longest, shortest, reach = the_plan.longest, the_plan.shortest, the_plan.reach
    separators = the_plan.separators
    tail = None if the_plan.lookahead is None else the_plan.lookahead + _CONTEXT_MARGIN
    out: list[Window] = []
    start = end = last = -1
    for e in ends:
        lo = 0 if longest is None or e < longest else e - longest
        first = e - shortest  # the latest a match reported here can start
        hi = size if reach is None or first + reach > size else first + reach
        if separators:
            # What was matched up to e holds no separator, and neither does the match.
            lo = max([lo] + [text.rfind(c, lo, e) + 1 for c in separators])
            if lo > first:
                continue  # a separator inside every possible match
            if tail is not None:
                stop = min([hi] + [n for n in (text.find(c, e, hi) for c in separators)
                                   if n >= 0])
                hi = min(hi, stop + tail)
        if start >= 0 and lo <= last + 1:  # the ranges of possible starts touch
            if hi > end:
                end = hi
            last = first
            continue
        if start >= 0:
            out.append(Window(start, end, last))
        start, end, last = lo, hi, first
    if start >= 0:
        out.append(Window(start, end, last))
    return out


class LiteralSet:
    """Which of some words occur in the lower-cased text (``word in text.lower()``).

    One case-insensitive Hyperscan pass over the text reports each word once, however
    often it occurs; words Hyperscan cannot look for on the scanned bytes (non-ASCII
    ones) are checked with ``in``. A text holding a character that lower-cases to ASCII
    (the Kelvin sign) is scanned with such characters rewritten (``_as_lowered``).
    Thread-safe like :class:`Prefilter`.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._words: tuple[str, ...] = tuple(dict.fromkeys(words))
        plain = [w for w in self._words
                 if w and w.isascii() and w == w.lower()]
        self._by_python: tuple[str, ...] = tuple(w for w in self._words if w not in plain)
        self._plain: tuple[str, ...] = tuple(plain)
        self._db: Any = None
        if plain:
            self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._db.compile(
                expressions=[w.encode("ascii") for w in plain], ids=list(range(len(plain))),
                elements=len(plain), literal=True,
                flags=[hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_CASELESS] * len(plain))
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"LiteralSet({len(self._words)} words)"

    def present(self, text: str, data: bytes | None = None) -> set[str]:
        """The words found in ``text.lower()`` (``data``: ``scan_bytes(text)``, if known)."""
        found: set[str] = set()
        if self._by_python:
            lowered = text.lower()
            found = {w for w in self._by_python if w in lowered}
        if self._db is None or not text:
            return found
        # The pass is case-insensitive, so it reads the text itself, with the characters
        # that lower-case to ASCII ("K", the Kelvin sign, to "k") written as they would.
        data = scan_bytes(text) if data is None else data
        if any(ch in text for ch in LOWERS_TO_ASCII):
            data = _as_lowered(text, data)
        hits = _reports(self._db, self._local, data)
        mask = (1 << _ID_BITS) - 1
        plain = self._plain
        found.update(plain[packed & mask] for packed in hits)
        return found


def _at_word_start(word: str) -> bytes:
    """A Hyperscan expression for ``word`` (ASCII), not preceded by a word character
    when it begins with one. Only the start is bounded: a search whose end falls inside
    a longer word still matches there."""
    body = "".join(f"\\x{ord(ch):02x}" for ch in word)
    return (("\\b" if _WORD_CHAR.match(word) else "") + body).encode("ascii")


class LiteralFinder:
    """Where some ASCII strings start in a text, compared case-insensitively and not
    inside a word: a superset of the places where Python's ``(?i)(?<!\\w)`` would match
    each of them (the placeholders for non-ASCII characters count as word boundaries).

    One Hyperscan pass reports every occurrence. Strings that are not ASCII are never
    reported (callers search for those themselves), and a text holding a non-ASCII character
    that ``(?i)`` equates with an ASCII letter (:data:`CASELESS_NON_ASCII`) gets None:
    the caller must then search it itself. Thread-safe like :class:`Prefilter`.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._words: tuple[str, ...] = tuple(dict.fromkeys(
            w for w in words if w and w.isascii()))
        self._db: Any = None
        if self._words:
            self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._db.compile(
                expressions=[_at_word_start(w) for w in self._words],
                ids=list(range(len(self._words))), elements=len(self._words),
                flags=[hyperscan.HS_FLAG_CASELESS] * len(self._words))
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"LiteralFinder({len(self._words)} words)"

    def starts(self, text: str, data: bytes | None = None) -> dict[str, list[int]] | None:
        """Each found word's start offsets, or None when this text must be searched
        otherwise (``data``: ``scan_bytes(text)``, if known)."""
        if not text.isascii() and any(ch in text for ch in CASELESS_NON_ASCII):
            return None
        out: dict[str, list[int]] = {}
        if self._db is None or not text:
            return out
        data = scan_bytes(text) if data is None else data
        mask = (1 << _ID_BITS) - 1
        words = self._words
        for packed in _reports(self._db, self._local, data):
            word = words[packed & mask]
            start = (packed >> _ID_BITS) - len(word)
            if word in out:
                out[word].append(start)
            else:
                out[word] = [start]
        return out


# Non-ASCII characters whose lower case holds an ASCII character, and that lower case; a
# unit test re-derives them.
LOWERS_TO_ASCII = "\u0130\u212a"
_LOWERED = {"\u0130": b"i\x80", "\u212a": b"k"}  # "İ" lower-cases to "i" + a combining dot


def _as_lowered(text: str, data: bytes) -> bytes:
    """``scan_bytes(text.lower())`` as far as ASCII words can tell (ASCII letters keep their
    case: the pass ignores it)."""
    spots = sorted((i, ch) for ch in LOWERS_TO_ASCII for i in _positions(text, ch))
    parts: list[bytes] = []
    pos = 0
    for i, ch in spots:
        parts += (data[pos:i], _LOWERED[ch])
        pos = i + 1
    parts.append(data[pos:])
    return b"".join(parts)


def _positions(text: str, ch: str) -> Iterator[int]:
    i = text.find(ch)
    while i >= 0:
        yield i
        i = text.find(ch, i + 1)


# Non-ASCII characters whose case folding holds an ASCII word character ("ß" folds to
# "ss", "ﬁ" to "fi"): in a text with one of them an ASCII term may match a word Hyperscan
# cannot see. A unit test re-derives the list.
FOLDS_TO_ASCII = ("\xdf\u0130\u0149\u017f\u01f0\u1e96\u1e97\u1e98\u1e99\u1e9a\u1e9e"
                  "\u212a\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06")
_WORD_CHAR = re.compile(r"\w")
_WORD_RUN = re.compile(r"\w+")


class WordSet:
    """Where words of a set occur as whole words (``\\w+`` runs, compared case-folded).

    One Hyperscan pass finds every occurrence; each is checked against Python's notion of
    a word boundary, which also counts non-ASCII letters. The few words holding a
    character that folds to ASCII letters ("Straße" is "strasse") are case-folded and
    looked up one by one. Words that are not ASCII are never found here: callers keep
    them out (an ASCII-only text cannot hold them) or check them themselves.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._words: tuple[str, ...] = tuple(dict.fromkeys(
            w for w in words if w and w.isascii() and re.fullmatch(r"\w+", w)))
        self._lookup = frozenset(self._words)
        # Characters folding to ASCII that some word could hold: a word with "ß" folds to
        # one with "ss", which only a word holding "ss" can equal.
        self._folds = "".join(ch for ch in FOLDS_TO_ASCII
                              if any(ch.casefold() in w for w in self._lookup))
        self._db: Any = None
        if self._words:
            self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._db.compile(expressions=[rf"\b{w}\b".encode("ascii") for w in self._words],
                             ids=list(range(len(self._words))), elements=len(self._words),
                             flags=[hyperscan.HS_FLAG_CASELESS] * len(self._words))
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"WordSet({len(self._words)} words)"

    def find(self, text: str, data: bytes | None = None) -> list[tuple[int, int, str]]:
        """``(start, end, word)`` of every whole-word occurrence, in text order (``data``:
        ``scan_bytes(text)``, if known)."""
        if self._db is None or not text:
            return []
        plain = text.isascii()
        data = scan_bytes(text) if data is None else data
        hits = _reports(self._db, self._local, data)
        mask = (1 << _ID_BITS) - 1
        out: list[tuple[int, int, str]] = []
        size = len(text)
        # Whole words never overlap, so end order is text order.
        for packed in sorted(hits):
            word = self._words[packed & mask]
            end = packed >> _ID_BITS
            start = end - len(word)
            # Hyperscan's \b judged the ASCII neighbours as Python does; the placeholders
            # stand for non-ASCII characters, some of which are word characters.
            if not plain and (
                    (start and data[start - 1] >= _PLACEHOLDER
                     and _WORD_CHAR.match(text, start - 1))
                    or (end < size and data[end] >= _PLACEHOLDER
                        and _WORD_CHAR.match(text, end))):
                continue
            out.append((start, end, word))
        if not plain and any(ch in text for ch in self._folds):
            out = sorted(out + self._folded(text))
        return out

    def _folded(self, text: str) -> list[tuple[int, int, str]]:
        """Occurrences in the words that hold a character folding to ASCII letters."""
        out: list[tuple[int, int, str]] = []
        seen: set[int] = set()
        for ch in self._folds:
            pos = text.find(ch)
            while pos >= 0:
                start = pos
                while start and _WORD_CHAR.match(text, start - 1):
                    start -= 1
                if start not in seen:
                    seen.add(start)
                    end = _WORD_RUN.match(text, start).end()
                    word = text[start:end].casefold()
                    if word in self._lookup:
                        out.append((start, end, word))
                pos = text.find(ch, pos + 1)
        return out


# --------------------------------------------------------------------------- compiling


def _compile(plans: Sequence[_Plan], ids: Sequence[int], flags: Sequence[int]) -> Any:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=[p.expression.encode("ascii") for p in plans], ids=list(ids),
               elements=len(plans), flags=list(flags))
    return db


def _build_database(plans: Sequence[_Plan | None], usable: list[int]) -> tuple[Any, set[int]]:
    """One database for the ``usable`` plans, and the indexes Hyperscan refused.

    A pattern Hyperscan cannot compile as it
    is (too large, say) is retried in its own prefilter mode, which may approximate it
    by a superset; one that still fails is left out. Patterns are tried one by one only
    when the whole set fails.
    """
    if not usable:
        return None, set()
    chosen: list[_Plan] = [plans[i] for i in usable]  # type: ignore[misc]
    try:
        return _compile(chosen, usable, [0] * len(usable)), set()
    except hyperscan.error:
        pass
    flags: dict[int, int] = {}
    for i, the_plan in zip(usable, chosen, strict=True):
        for flag in (0, hyperscan.HS_FLAG_PREFILTER):
            try:
                _compile([the_plan], [i], [flag])
            except hyperscan.error:
                continue
            flags[i] = flag
            break
    refused = {i for i in usable if i not in flags}
    kept = [i for i in usable if i in flags]
    if not kept:
        return None, refused
    db = _compile([plans[i] for i in kept], kept, [flags[i] for i in kept])  # type: ignore[misc]
    return db, refused
