"""Custom detectors from the ruleset, without code: term lists and regexes.

Term lists (project code names, customer names) match whole words, case-insensitively,
in time linear in the text whatever the number of terms: one Hyperscan pass finds where
a term's first word occurs (a dict keyed by first word serves term lists with non-ASCII
first words); only those places are compared further. Regex detectors may carry a named
validator; a shared prefilter runs them only where they can match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .pii_validators import iban_checksum_ok, luhn_ok
from .prefilter import Prefilter, WordSet, scan_bytes


def _luhn(value: str) -> bool:
    digits = "".join(c for c in value if c.isdigit())
    return len(digits) >= 2 and luhn_ok(digits)


def _iban(value: str) -> bool:
    compact = "".join(value.split()).upper()
    return len(compact) >= 15 and iban_checksum_ok(compact)


# Validation is code; everything else about a custom detector is data in the ruleset.
VALIDATORS = {"luhn": _luhn, "iban": _iban}

_WORD = re.compile(r"\w+", re.UNICODE)
# Words of a multi-word term may be separated by spaces, hyphens, dots, slashes or
# underscores in the prompt ("Project Blue-Bird" matches "project blue bird").
_GAP = re.compile(r"[\s\-_./]{1,3}")
# The next word after a short gap, in one step (a gap never holds "_": it is a word
# character, so it begins the next word instead)
_NEXT_WORD = re.compile(r"[\s\-./]{1,3}(\w+)")


_Trie = dict[str, "_Trie"]


@dataclass(frozen=True)
class CustomMatch:
    detector_id: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class TermListDetector:
    id: str
    label: str
    # first word (case-folded) -> tuples of the remaining words, longest first
    index: dict[str, tuple[tuple[str, ...], ...]]
    # the ASCII first words, for one Hyperscan pass; None when a first word is not ASCII
    first_words: WordSet | None = field(default=None, compare=False, repr=False)
    # first word -> trie of the remaining words: each word read once, however many terms
    # share a first word ("red" begins "Red Fox", "Red Owl", ...); "" marks a term's end
    rests: dict[str, _Trie] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, detector_id: str, label: str, terms: Iterable[str]) -> TermListDetector:
        grouped: dict[str, set[tuple[str, ...]]] = {}
        for term in terms:
            words = tuple(w.casefold() for w in _WORD.findall(term))
            if words:
                grouped.setdefault(words[0], set()).add(words[1:])
        index = {first: tuple(sorted(rests, key=len, reverse=True))
                 for first, rests in grouped.items()}
        finder = WordSet(index) if all(w.isascii() for w in index) else None
        tries: dict[str, _Trie] = {}
        for first, rests in grouped.items():
            root = tries[first] = {}
            for rest in rests:
                node = root
                for word in rest:
                    node = node.setdefault(word, {})
                node[""] = {}
        return cls(detector_id, label, index, finder, tries)

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.index.values())

    def scan(self, text: str, tokens: list[re.Match[str]] | None = None,
             data: bytes | None = None) -> list[CustomMatch]:
        if self.first_words is not None:
            return self._scan_hits(text, self.first_words.find(text, data))
        tokens = tokens if tokens is not None else list(_WORD.finditer(text))
        out: list[CustomMatch] = []
        i = 0
        while i < len(tokens):
            rests = self.index.get(tokens[i].group().casefold())
            matched = 0
            if rests is not None:
                for rest in rests:
                    if self._follows(text, tokens, i, rest):
                        matched = len(rest) + 1
                        break
            if matched:
                out.append(CustomMatch(self.id, self.label, tokens[i].start(),
                                       tokens[i + matched - 1].end()))
                i += matched
            else:
                i += 1
        return out

    def _scan_hits(self, text: str, hits: list[tuple[int, int, str]]) -> list[CustomMatch]:
        """The token walk of :meth:`scan`, only at the first-word occurrences found."""
        out: list[CustomMatch] = []
        done = 0  # a term's words are not the start of another term
        for start, end, first in hits:
            if start < done:
                continue
            last = _longest_end(text, end, self.rests[first])
            if last is not None:
                out.append(CustomMatch(self.id, self.label, start, last))
                done = last
        return out

    @staticmethod
    def _follows(text: str, tokens: list[re.Match[str]], i: int, rest: tuple[str, ...]) -> bool:
        if i + len(rest) >= len(tokens) + (0 if rest else 1):
            return False
        for k, word in enumerate(rest, start=1):
            tok = tokens[i + k]
            if tok.group().casefold() != word:
                return False
            if not _GAP.fullmatch(text, tokens[i + k - 1].end(), tok.start()):
                return False
        return True


def _longest_end(text: str, pos: int, node: _Trie) -> int | None:
    """Where the longest term of the trie ``node`` ends if its words follow ``pos``
    (each after a short gap), or None."""
    last = pos if "" in node else None
    while len(node) > ("" in node):
        step = _NEXT_WORD.match(text, pos)
        if step is None:
            break
        child = node.get(step.group(1).casefold())
        if child is None:
            break
        node, pos = child, step.end()
        if "" in node:
            last = pos
    return last


@dataclass(frozen=True)
class RegexDetector:
    id: str
    label: str
    pattern: re.Pattern[str]
    validator: str | None = None

    def scan(self, text: str, found: Iterable[re.Match[str]] | None = None
             ) -> list[CustomMatch]:
        """``found``: the pattern's matches, when a prefilter has already found them."""
        check = VALIDATORS[self.validator] if self.validator else None
        out = []
        for m in (found if found is not None else self.pattern.finditer(text)):
            start, end = m.span("value") if "value" in self.pattern.groupindex else m.span()
            if start == end:
                continue
            if check is None or check(text[start:end]):
                out.append(CustomMatch(self.id, self.label, start, end))
        return out


@dataclass(frozen=True)
class CustomDetectors:
    terms: tuple[TermListDetector, ...] = ()
    regexes: tuple[RegexDetector, ...] = ()
    _prefilter: Prefilter[int] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.regexes:
            object.__setattr__(self, "_prefilter", Prefilter(
                (i, rx.pattern) for i, rx in enumerate(self.regexes)))

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(d.id for d in (*self.terms, *self.regexes))

    def scan(self, text: str, data: bytes | None = None) -> list[CustomMatch]:
        """``data``: ``prefilter.scan_bytes(text)``, if the caller has it."""
        if data is None and (self._prefilter is not None
                             or any(d.first_words is not None for d in self.terms)):
            data = scan_bytes(text)  # once, for every Hyperscan pass below
        out: list[CustomMatch] = []
        tokens: list[re.Match[str]] | None = None
        for detector in self.terms:
            if detector.first_words is None and tokens is None:
                tokens = list(_WORD.finditer(text))  # shared by the dict-walking ones
            out.extend(detector.scan(text, tokens, data))
        if self._prefilter is not None:
            found = self._prefilter.matches(text, data)
            for i, rx in enumerate(self.regexes):
                if i in found:
                    out.extend(rx.scan(text, found[i]))
        return out
