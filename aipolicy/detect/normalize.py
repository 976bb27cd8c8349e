"""Surface normalisation: the value is there, only spelt differently.

* ``unicode``: NFKC (fullwidth, circled, superscript and mathematical letters and digits
  become ASCII), format characters dropped (zero-width spaces and joiners, soft hyphen,
  bidi controls, tags: category Cf, plus a few other invisible ones from the rules), and
  look-alike letters (Cyrillic ``а``, Greek ``Ο``, ...) folded to the ASCII ones they
  imitate inside words that hold ASCII letters or digits or nothing but look-alikes (so
  Russian or Greek prose stays as it is);
* ``spaced``: values written one character at a time ("4 1 1 1 ...", "A-K-I-A-...", one
  character per line) joined.

Both map exactly: each changed character stands for itself, so a finding is redacted on
the original characters (the zero-width characters inside it included).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache

from .normalize_rules import NormalizeRules
from .prefilter import scan_bytes
from .textmap import View, rewrite

UNICODE, SPACED = "unicode", "spaced"
_TOKEN_REACH = 64  # characters looked at on each side to find a look-alike's word


# Planes with letters, digits and format characters (the tags block is in plane 14).
_CODE_POINTS = (range(0x80, 0xD800), range(0xE000, 0x30000), range(0xE0000, 0xE1000))


@cache
def _unicode_tables() -> tuple[Mapping[str, str], frozenset[str]]:
    """Non-ASCII characters that NFKC turns into ASCII text, and the format characters
    (category Cf). Built once per process (a fraction of a second)."""
    nfkc: dict[str, str] = {}
    formats: set[str] = set()
    normalize, category = unicodedata.normalize, unicodedata.category
    for block in _CODE_POINTS:
        for cp in block:
            ch = chr(cp)
            if category(ch) == "Cf":
                formats.add(ch)
                continue
            folded = normalize("NFKC", ch)
            if folded != ch and folded and folded.isascii():
                nfkc[ch] = folded
    return nfkc, frozenset(formats)


_BREAK = frozenset(b" \t\r\n.,;:!?\"'()[]{}<>/\\|")
# Where an ASCII letter or digit touches a non-ASCII character (in ``scan_bytes``).
_ONE_MARK = bytes.maketrans(b"\x81", b"\x80")
_MIXED = re.compile(rb"[A-Za-z0-9][\x80\x81]|[\x80\x81][A-Za-z0-9]")
_SPARSE = 2000  # non-ASCII characters a text may hold to be looked at one by one


class UnicodeFolder:
    """Builds the ``unicode`` view of a text. Build once per rule set."""

    def __init__(self, rules: NormalizeRules) -> None:
        nfkc, formats = _unicode_tables()
        fixed: dict[str, str] = dict(nfkc)
        for ch in formats | rules.invisible:
            fixed[ch] = ""
        self._fixed = fixed  # always replaced
        self._lookalike = {ch: a for ch, a in rules.confusables.items() if ch not in fixed}
        self._fixed_set = frozenset(fixed)
        self.dropped = self._dropped_set = frozenset(ch for ch, new in fixed.items()
                                                     if not new)
        self._rules = rules

    def view(self, text: str, parent: View | None, data: bytes | None = None) -> View | None:
        """None when nothing changes (always for ASCII text). ``data``: ``scan_bytes``."""
        if text.isascii():
            return None
        data = scan_bytes(text) if data is None else data
        non_ascii = len(data) - len(data.translate(None, b"\x80\x81"))
        if non_ascii <= _SPARSE:  # a few accents, quotes or symbols: each looked at
            changes = []
            marks = data.translate(_ONE_MARK) if b"\x81" in data else data
            i = marks.find(0x80)
            while i >= 0:
                if (c := self._change(text, i)) is not None:
                    changes.append(c)
                i = marks.find(0x80, i + 1)
        else:
            changes = self._dense(text, data)
        return rewrite(text, changes, UNICODE, True, parent,
                       before=self._rules.context_before, after=self._rules.context_after)

    def _change(self, text: str, i: int) -> tuple[int, int, str] | None:
        ch = text[i]
        new = self._fixed.get(ch)
        if new is None:
            new = self._lookalike.get(ch)
            if new is None or not self._in_latin_word(text, i):
                return None
            new = self._as_digit(text, i, new)
        return i, i + 1, new

    def _as_digit(self, text: str, i: int, letter: str) -> str:
        """The digit a look-alike of ``letter`` stands for when a digit is next to it and
        no letter is (invisible characters skipped): "7О40", "+33 О4"; not "AMО4N"."""
        digit = self._rules.digit_letters.get(letter)
        if digit is None:
            return letter
        near = []
        for step in (-1, 1):  # invisible characters and other such look-alikes skipped
            j = i + step
            while 0 <= j < len(text) and (text[j] in self._dropped_set or self._lookalike.get(
                    text[j], "") in self._rules.digit_letters):
                j += step
            near.append(self._fixed.get(text[j], text[j])[:1] if 0 <= j < len(text) else "")
        if any(c.isdigit() for c in near) and not any(c.isalpha() for c in near):
            return digit
        return letter

    def _dense(self, text: str, data: bytes) -> list[tuple[int, int, str]]:
        """A text in another script: the characters NFKC or the format rule changes
        wherever they are; look-alikes only in words that touch ASCII letters or digits
        (a Latin value written among Cyrillic or Greek words)."""
        changes: dict[int, tuple[int, int, str]] = {}
        present = self._fixed_set.intersection(text)
        if present:
            rx = re.compile("[" + "".join(re.escape(c) for c in present) + "]")
            for m in rx.finditer(text):
                changes[m.start()] = (m.start(), m.end(), self._fixed[m.group()])
        for m in _MIXED.finditer(data):
            a = m.start()
            while a > 0 and data[a - 1] not in _BREAK:
                a -= 1
            b = m.end()
            while b < len(data) and data[b] not in _BREAK:
                b += 1
            for i in range(a, b):
                if i not in changes and text[i] in self._lookalike:
                    changes[i] = (i, i + 1, self._as_digit(text, i, self._lookalike[text[i]]))
        return [changes[i] for i in sorted(changes)]

    def _in_latin_word(self, text: str, i: int) -> bool:
        """Is the look-alike at ``i`` in a word that holds an ASCII letter or digit, or
        only look-alikes (and format characters)?"""
        known = self._lookalike
        fixed = self._fixed
        a = i
        while a > 0 and i - a < _TOKEN_REACH and (text[a - 1].isalnum() or text[a - 1] in fixed):
            a -= 1
        b = i + 1
        while b < len(text) and b - i < _TOKEN_REACH and (text[b].isalnum() or text[b] in fixed):
            b += 1
        word = text[a:b]
        if any(c.isascii() for c in word):
            return True
        return all(c in known or c in fixed for c in word)


# One character at a time: single characters each followed by one and the same
# separator, a string of one to three characters that are not letters or digits ("4 1 1",
# "A-K-I-A", "c | 9 | 2", "0, c, 4", "h · v · s", "4  1  1"); a character of the value may
# itself be a blank or a separator character ("4-1-1-1- -1-1", "5-5---7"), so the value's
# own spaces and dashes survive. The first character is a letter, a digit, "+" or "("
# (in "SSN: 0 | 3 | 6" the run is "0 | 3 | 6", not ": 0 | 3"). Or one character per line
# (a line may hold a space of the value, or be empty). A run may start right after "=",
# ":" or a quote (a name's value), not inside a word.
_HORIZONTAL = (r"(?<![^\W_])(?:[^\W_]|[+(])(?P<sep>(?:[^\w\n]|_){1,3})"
               r"(?:[^\n](?P=sep)){%d,}[^\s](?![^\W_])")
_VERTICAL = r"(?<![^\W_])\S(?:[^\S\n]*\r?\n[^\S\n]*\S?){%d,}(?<=\S)(?![^\W_])"
_LINE_REACH = 4096  # characters of a line read on each side of a trigger
_BLANKS = re.compile(r"[^\S\n]+|[^\S\n]*\r?\n")


class SpacedJoiner:
    """Builds the ``spaced`` view: runs of single characters joined."""

    def __init__(self, rules: NormalizeRules, dropped: frozenset[str] = frozenset()) -> None:
        """``dropped``: characters the ``unicode`` view removes (zero-width and other
        invisible ones); runs separated by them alone are that view's."""
        n = rules.spaced_min_chars - 1
        self._dropped = dropped
        # Supersets for the trigger pass (no back-references there): single non-blank
        # characters each followed by 1-7 characters that are neither letters, digits nor
        # non-ASCII letters (0x81 in ``scan_bytes``: a separator, or a separator, a blank
        # of the value and the separator again); one character per line.
        self.hyperscan_patterns = (
            rb"[^\s][^A-Za-z0-9\n\x81]{1,7}(?:[^\s][^A-Za-z0-9\n\x81]{1,7}){%d}[^\s]"
            % (n - 1),
            rb"(?:^|\n)(?:[ \t]*[^\s]?[ \t]*\r?\n){%d}[ \t]*[^\s]" % n,
        )
        self._horizontal = re.compile(_HORIZONTAL % (n - 1))
        self._vertical = re.compile(_VERTICAL % n)
        self._min = rules.spaced_min_chars
        self._rules = rules

    def view(self, text: str, spans: Iterable[tuple[int, int]], parent: View | None
             ) -> View | None:
        """``spans``: where the trigger pass saw a run (a superset, found again here on
        the lines around it)."""
        changes: list[tuple[int, int, str]] = []
        size = len(text)
        for s, e in _merge(spans):
            # From a few lines up: the trigger sees a fixed number of one-character lines,
            # the run may start above them.
            lo, a = max(0, s - _LINE_REACH), s
            for _ in range(self._min):
                a = text.rfind("\n", lo, max(lo, a - 1)) + 1 or lo
            z = text.find("\n", e, min(size, e + _LINE_REACH))
            z = z if z >= 0 else min(size, e + _LINE_REACH)
            for m in self._vertical.finditer(text, a, z):
                if self._worth(_letters(m.group())):
                    changes.extend((g.start(), g.end(), "")
                                   for g in _BLANKS.finditer(text, *m.span()))
            for m in self._horizontal.finditer(text, a, z):
                sep = m.group("sep")
                step = 1 + len(sep)
                if self._worth(m.group()[::step]) and not self._dropped.issuperset(sep):
                    changes.extend((i, i + step - 1, "")
                                   for i in range(m.start() + 1, m.end(), step))
        changes = [c for c in changes if c[1] > c[0]]
        changes.sort()
        return rewrite(text, _disjoint(changes), SPACED, True, parent,
                       before=self._rules.context_before, after=self._rules.context_after)

    def _worth(self, chars: str) -> bool:
        """A run of enough letters and digits (not a rule of dashes, a table's pipes)."""
        return sum(c.isalnum() for c in chars) >= self._min


def _letters(run: str) -> str:
    return "".join(_BLANKS.split(run))


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _disjoint(changes: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for c in changes:
        if out and c[0] < out[-1][1]:
            continue
        out.append(c)
    return out
