"""Views of a text worth scanning besides the text itself: normalised and decoded.

``Normalizer.views(text, data)`` runs one Hyperscan pass (``Triggers``) over the bytes
every detector pass reads anyway; only what it finds is looked at further: a base64 or
hex run, ``%XX``, ``\\uXXXX``, ``&#NN;``, a run of single characters, a reversed or
rotated keyword, a hint such as "rot13" (and ``str.isascii`` for the Unicode folding).
An ordinary prompt gets no view at all. Views of views are made down to ``max_depth``
(base64 of percent-encoding); views hold at most ``view_chars`` characters, or
``view_ratio`` times the text's length, per text. A text that needs more, or that still
decodes to text at the last depth, cannot be inspected: ``InspectionError`` (fail closed).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import hyperscan

from ..extract.errors import InspectionError
from . import decode, markup
from .normalize import SPACED, UNICODE, SpacedJoiner, UnicodeFolder
from .normalize_rules import NormalizeRules, WordHints
from .prefilter import scan_bytes
from .textmap import View, rewrite

# Trigger kinds
_B64, _HEXSEP, _PERCENT, _ESCAPE, _ENTITY, _SPACED = range(6)
_REV, _REV_HINT, _ROT, _ROT_HINT, _ROT47, _ROT47_HINT, _REV_CARD, _REV_IBAN = range(6, 14)
_REV_SHAPE, _ROT_SHAPE, _ROT47_SHAPE, _ROT_IBAN = range(14, 18)
_REREAD = frozenset(range(6, 18))  # what the reversed and rotated views start from
_HTML = 18
# Views of views the html view is read in: text decoded from escapes, entities or blobs
# may be HTML; a normalised, reversed or rotated one is read as HTML at its own level.
_NOT_UNDER_HTML = frozenset({markup.HTML, UNICODE, SPACED, decode.REVERSED, decode.ROT13,
                             decode.ROT18, decode.ROT47})
_ID_BITS = 16
_NO_EXT = (0, 0, 0, 0, 0, 0)
_B64_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"
# Base64 characters become "a", everything else a space: runs are then found with
# bytes.find, far faster than a regex (or a Hyperscan pattern that reports where each
# run starts) on prose, where most characters are letters.
_B64_MASK = bytes(0x61 if i in _B64_CHARS else 0x20 for i in range(256))
# A run worth decoding has a digit, "+" or "/", or a lower-case letter before a capital.
_B64_MIXED = re.compile(r"[0-9+/]|[a-z][A-Z]")
# A number (or hex) in ROT47 counts only with what ROT47 makes of 0, 1, "-" or "+" in it
# (English words of the letters a-h, which ROT47 makes digits of, and hex have none).
_ROT47_NUMBER = frozenset("_`\\Z")
_ROT47_DIGITS = frozenset("_`abcdefgh234567 \\Z")
_SHAPE_REACH = 128  # characters a value's shape is looked for before where it ended
_WRAP_MIN = 16  # characters of a wrapped base64 line at least
_HEX_BYTES = (rb"(?:[0-9A-Fa-f]{2}[ :,]){%d}[0-9A-Fa-f]{2}",
              rb"(?:0[xX][0-9A-Fa-f]{2}[ ,]{0,2}){%d}0[xX][0-9A-Fa-f]{2}")

INTERNAL_ERROR = "encoded text too deep or too large to inspect"
_DECODINGS = frozenset({decode.PERCENT, decode.ESCAPE, decode.ENTITY, decode.BASE64,
                        decode.HEX})


@dataclass
class _Hits:
    spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def add(self, kind: int, start: int, end: int) -> None:
        self.spans.setdefault(kind, []).append((start, end))

    def get(self, kind: int) -> list[tuple[int, int]]:
        return self.spans.get(kind, [])


def _word_pattern(word: str, *, start_bound: bool, end_bound: bool) -> bytes:
    """``word`` (hex escapes), bounded where asked by a word boundary or an underscore
    ("XRLFGBER_CNFF")."""
    body = "".join(f"\\x{ord(c):02x}" for c in word)
    head = r"(?:\b|_)" if start_bound and word[0].isalnum() else ""
    tail = r"(?:\b|_)" if end_bound and word[-1].isalnum() else ""
    return (head + body + tail).encode("ascii")


class Triggers:
    """One Hyperscan pass: where a decoder or normaliser has something to do."""

    def __init__(self, rules: NormalizeRules, spaced: SpacedJoiner,
                 keywords: Iterable[str]) -> None:
        exprs: list[bytes] = []
        kinds: list[int] = []
        flags: list[int] = []
        ext: list[tuple[int, ...]] = []

        def add(expr: bytes, kind: int, flag: int = 0, min_length: int = 0) -> None:
            exprs.append(expr)
            kinds.append(kind)
            flags.append(flag)
            ext.append((hyperscan.HS_EXT_FLAG_MIN_LENGTH, 0, 0, min_length, 0, 0)
                       if min_length else _NO_EXT)

        som, single = hyperscan.HS_FLAG_SOM_LEFTMOST, hyperscan.HS_FLAG_SINGLEMATCH
        caseless = hyperscan.HS_FLAG_CASELESS
        self.min_run = min(rules.base64_min_chars, rules.hex_min_chars)
        add(rb"[A-Za-z0-9+/_\-]{%d}" % self.min_run, _B64, single)
        pairs = rules.hex_min_chars // 2 - 1
        for expr in _HEX_BYTES:
            add(expr % pairs, _HEXSEP, som)
        add(rb"%[0-9A-Fa-f]{2}", _PERCENT, single)
        add(rb"\\[uUx][0-9A-Fa-f]{2}", _ESCAPE, single)
        add(rb"&#?[A-Za-z0-9]{2,31};", _ENTITY, single)
        for expr in spaced.hyperscan_patterns:
            add(expr, _SPACED, som)
        # Secret-rule keywords start a token: reversed, they end one; rotated, they still
        # start one. Rule words are whole words either way.
        # Short keywords only when they hold a non-letter ("hf_", "sk-"), or they would
        # turn up reversed or rotated in ordinary words.
        kw = sorted({k.lower() for k in keywords if k.isascii() and (
            len(k) >= 4 or (len(k) == 3 and not k.isalpha()))})
        for word in kw:
            add(_word_pattern(word[::-1], start_bound=False, end_bound=True), _REV, caseless)
            if decode.rot13(word) != word:
                add(_word_pattern(decode.rot13(word), start_bound=True, end_bound=False),
                    _ROT, caseless)
            for variant in {word, word.upper()}:  # ROT47 keeps no case: both spellings
                rotated = decode.rot47(variant)
                # Not forms ordinary text holds: "hf_" is "970", "abia" "23:2" (a time
                # of day); with a letter, 4 characters or more.
                if len(rotated) >= 4 and any(c.isalpha() for c in rotated):
                    add(_word_pattern(rotated, start_bound=True, end_bound=False), _ROT47)
        self._words(add, rules.reversed, _REV, _REV_HINT, decode.reverse, caseless)
        self._words(add, rules.rot13, _ROT, _ROT_HINT, decode.rot13, caseless)
        self._words(add, rules.rot47, _ROT47, _ROT47_HINT, decode.rot47, 0,
                    cased=True)
        # Shapes report where they end (start of match costs much more in Hyperscan);
        # ``value_spans`` finds each again, in Python, where one was seen.
        self.shapes: dict[int, tuple[re.Pattern[str], ...]] = {}
        for hints, kind in ((rules.reversed, _REV_SHAPE), (rules.rot13, _ROT_SHAPE),
                            (rules.rot47, _ROT47_SHAPE)):
            for shape in hints.shapes:
                add(shape.encode("ascii"), kind)
            self.shapes[kind] = tuple(re.compile(s) for s in hints.shapes)
        # Numbers that are valid only backwards (checked in ``reversed_checksums``): card
        # numbers (13-19 digits, grouped or not) and IBANs (ending in digits and letters).
        add(rb"[0-9](?:[ \-]?[0-9]){12,18}", _REV_CARD, som)
        add(rb"[0-9]{2}[A-Z]{2}\b", _REV_IBAN)
        add(rb"\b[A-Z]{2}[0-9]{2}", _ROT_IBAN)
        if rules.html_tags:
            names = "|".join(re.escape(t) for t in rules.html_tags)
            add(f"<(?:{names})[\\s/>]".encode("ascii"), _HTML, single | caseless)
        self._exprs = (exprs, flags, ext)
        self._kinds = tuple(kinds)
        self._som = tuple(f & som for f in flags)
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(expressions=exprs, ids=list(range(len(exprs))), elements=len(exprs),
                         flags=flags, ext=ext)
        self._local = threading.local()

    @staticmethod
    def _words(add, hints: WordHints, kind: int, hint_kind: int, transform, flag: int,
               cased: bool = False) -> None:
        """Each word transformed; a long one also inside a longer token ("DROWSSAP_BD",
        "pyvragFrperg"), a short one (``ssn``, ``key``) only on its own (but in ROT47,
        where words turn into punctuation, everywhere)."""
        seen = set()
        for word in hints.words:
            for variant in {word, word.upper(), word.capitalize()} if cased else {word}:
                t = transform(variant)
                if t != variant and t not in seen:
                    seen.add(t)
                    bound = len(word) < 5 and not cased  # ROT47 makes "_" "0": none
                    add(_word_pattern(t, start_bound=bound, end_bound=bound), kind, flag)
        for hint in hints.hints:
            add(_word_pattern(hint, start_bound=True, end_bound=True), hint_kind,
                hyperscan.HS_FLAG_CASELESS)

    def value_spans(self, text: str, kind: int, ends: Iterable[int]) -> list[tuple[int, int]]:
        """Where the shapes of ``kind`` that ended at ``ends`` start (or, failing that,
        the token there)."""
        out = []
        for e in sorted(set(ends)):
            found = [m.span() for rx in self.shapes.get(kind, ())
                     for m in rx.finditer(text, max(0, e - _SHAPE_REACH), e) if m.end() == e]
            s, e = min(found) if found else (max(0, e - 1), e)
            while s < e - 1 and (text[s].isspace() or text[s] == ":"):  # "(?:^|[\s:])"
                s += 1
            out.append((s, e))
        return out

    def scan(self, data: bytes) -> _Hits:
        """Spans (start, end) per trigger kind; ``end`` only (start = end) for words."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        hits = _Hits()
        kinds, som = self._kinds, self._som

        size = len(data)

        def on_match(index: int, start: int, end: int, _flags: int, _ctx: object) -> None:
            end = min(end, size)  # not the line break added for "$" and "\b"
            hits.add(kinds[index], min(start, end) if som[index] else end, end)

        self._db.scan(data + b"\n", match_event_handler=on_match, scratch=scratch)
        if _B64 in hits.spans:
            hits.spans[_B64] = self._runs(data)
        return hits

    def _runs(self, data: bytes) -> list[tuple[int, int]]:
        """Runs of base64 characters at least ``min_run`` long that look encoded."""
        masked = data.translate(_B64_MASK)
        needle = b"a" * self.min_run
        out = []
        pos = 0
        while (i := masked.find(needle, pos)) >= 0:
            j = masked.find(b" ", i + self.min_run)
            j = len(masked) if j < 0 else j
            j = _wrapped(masked, data, i, j)
            if _B64_MIXED.search(data[i:j].decode("latin-1")):
                pad = j + len(data[j:j + 2]) - len(data[j:j + 2].lstrip(b"="))  # "=" / "=="
                out.append((i, pad))
            pos = j
        return out


def _wrapped(masked: bytes, data: bytes, i: int, j: int) -> int:
    """The end of a base64 run ``[i, j)`` that goes on over line breaks: lines of one
    length, a multiple of 4 from 16 up (MIME wraps at 76, PEM at 64), then the last."""
    width = j - i
    if width < _WRAP_MIN or width % 4:
        return j
    while True:
        k = j + (2 if data.startswith(b"\r\n", j) else 1 if data.startswith(b"\n", j) else 0)
        if k == j or masked[k:k + 1] != b"a":
            return j
        end = masked.find(b" ", k)
        end = len(masked) if end < 0 else end
        if end - k > width:
            return j
        j = end
        if end - k < width:  # the last line
            return j


class _Budget:
    def __init__(self, chars: int) -> None:
        self.left = chars

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise InspectionError(INTERNAL_ERROR)


class Normalizer:
    """Views of a text (normalised, decoded) and the bytes to scan them with. Build once
    per rule set; thread-safe."""

    def __init__(self, rules: NormalizeRules, keywords: Iterable[str] = ()) -> None:
        self.rules = rules
        self.unicode = UnicodeFolder(rules)
        self.spaced = SpacedJoiner(rules, self.unicode.dropped)
        self.blobs = decode.BlobDecoder(rules.base64_min_chars, rules.hex_min_chars,
                                        rules.min_printable)
        self.triggers = Triggers(rules, self.spaced, keywords)
        self._card_words = rules.reversed.labels
        self._rot_card_words = (*rules.reversed.labels,
                                *(decode.rot13(w) for w in rules.reversed.labels))

    def __repr__(self) -> str:
        return f"Normalizer({self.rules.source})"

    def views(self, text: str, data: bytes | None = None) -> list[tuple[View, bytes]]:
        """Every view of ``text`` worth scanning, with its ``scan_bytes``."""
        if not text:
            return []
        data = scan_bytes(text) if data is None else data
        budget = _Budget(max(self.rules.view_chars, self.rules.view_ratio * len(text)))
        out: list[tuple[View, bytes]] = []
        self._expand(text, data, None, out, budget)
        return out

    def _expand(self, text: str, data: bytes, parent: View | None,
                out: list[tuple[View, bytes]], budget: _Budget) -> None:
        made = self._derive(text, data, parent)
        if not made:
            return
        if made[0].depth >= self.rules.max_depth:
            # Still more to decode at the last depth: fail closed. Re-reading the text
            # there (folded, joined, reversed, rotated) is only not done.
            if any(v.technique in _DECODINGS for v in made):
                raise InspectionError(INTERNAL_ERROR)
            return
        for view in made:
            budget.take(len(view.text))
            view_data = scan_bytes(view.text)
            out.append((view, view_data))
            self._expand(view.text, view_data, view, out, budget)

    def _derive(self, text: str, data: bytes, parent: View | None) -> list[View]:
        """Views made from ``text`` directly. Below the top, only runs that touch what the
        parent changed are looked at (the rest was looked at one level up)."""
        rules = self.rules
        hits = self.triggers.scan(data)
        made: list[View | None] = []
        own = parent.technique if parent is not None else ""

        def fresh(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
            if parent is None:
                return list(spans)
            # A word's hit is where it ends (start = end): its last character.
            return [(s, e) for s, e in spans
                    if parent.touches_change(min(s, max(0, e - 1)), max(e, s + 1))]

        def exact(technique: str, changes: list[tuple[int, int, str]]) -> None:
            if parent is not None:
                changes = [c for c in changes if parent.touches_change(c[0], c[1])]
            made.append(rewrite(text, changes, technique, True, parent,
                                before=rules.context_before, after=rules.context_after))

        if own != "unicode":
            made.append(self.unicode.view(text, parent, data))
        if hits.get(_SPACED) and own != "spaced":
            made.append(self.spaced.view(text, fresh(hits.get(_SPACED)), parent))
        if hits.get(_PERCENT):
            exact(decode.PERCENT, decode.percent(text))
        if hits.get(_ESCAPE):
            exact(decode.ESCAPE, decode.escapes(text))
        if hits.get(_ENTITY):
            exact(decode.ENTITY, decode.entities(text))
        if hits.get(_HTML) and own not in _NOT_UNDER_HTML:
            made.append(markup.view(text, parent, rules.context_before))
        blobs = []
        if hits.get(_B64):
            blobs += self.blobs.decode_runs(text, fresh(hits.get(_B64)))
        if hits.get(_HEXSEP):
            blobs += self.blobs.decode_hex_bytes(text, fresh(_merge(hits.get(_HEXSEP))))
        for technique in (decode.BASE64, decode.HEX):
            changes = sorted({(s, e, d) for s, e, d, t in blobs if t == technique})
            made.append(rewrite(text, _disjoint(changes), technique, False, parent,
                                before=rules.context_before, after=rules.context_after))
        if not _REREAD.intersection(hits.spans):
            return [v for v in made if v is not None]
        for kind, hint, shape, transforms, mirrored in (
                (_REV, _REV_HINT, _REV_SHAPE, ((decode.reverse, decode.REVERSED),), True),
                (_ROT, _ROT_HINT, _ROT_SHAPE, ((decode.rot13, decode.ROT13),
                                               (decode.rot18, decode.ROT18)), False),
                (_ROT47, _ROT47_HINT, _ROT47_SHAPE, ((decode.rot47, decode.ROT47),), False)):
            if own in {t for _, t in transforms}:
                continue
            # A word or a hint: the lines around it are read transformed; a value's
            # shape (or checksum): the value, just after its line's words as written.
            regions = decode.line_regions(text, [e - 1 for _, e in fresh(hits.get(kind))])
            regions += decode.line_regions(text, [e - 1 for _, e in fresh(hits.get(hint))],
                                           following_lines=2)
            values = [decode.whole_tokens(text, s, e) for s, e in self.triggers.value_spans(
                          text, shape, [e for _, e in fresh(hits.get(shape))])
                      if kind != _ROT47 or _rot47_value(text, s, e)]
            if kind == _REV:
                values += decode.reversed_checksums(
                    text, fresh(_merge(hits.get(_REV_CARD))),
                    [e for _, e in fresh(hits.get(_REV_IBAN))], self._card_words)
            elif kind == _ROT:
                values += decode.card_checksums(text, fresh(_merge(hits.get(_REV_CARD))),
                                                self._rot_card_words, decode.rot18)
                values += decode.rotated_ibans(
                    text, [e - 4 for _, e in fresh(hits.get(_ROT_IBAN))])
            if not regions and not values:
                continue
            regions = _merge(regions)
            values = _merge(values)
            for transform, technique in transforms:
                if technique == decode.ROT18 and not any(
                        c.isdigit() for a, z in (*regions, *values) for c in text[a:z]):
                    continue  # ROT18 differs from ROT13 only on digits
                made.append(decode.line_view(text, regions, transform, mirrored,
                                             technique, parent, values))
        return [v for v in made if v is not None]


def _rot47_value(text: str, s: int, e: int) -> bool:
    """Is a ROT47 shape's match a value? One made of what ROT47 makes of digits (and hex)
    must be whole tokens (not a piece of a run of such characters: a FASTQ quality line)
    with a 0, 1, "-" or "+" (English words of the letters a-h, and hex, have none)."""
    run = text[s:e]
    if not _ROT47_DIGITS.issuperset(run):
        return True
    return decode.whole_tokens(text, s, e) == (s, e) and bool(_ROT47_NUMBER.intersection(run))


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
