"""Where a name is personal data: records, forms, signatures, tables and identifiers.

"Write a biography of Marie Curie" leaks nothing; "Marie Curie, +33 1 23 45 67 89"
does. ``RecordFinder`` looks at a text and the identifiers already found in it and
returns (a) names that the record structure itself proves ("Name: Jane Roe", a
signature under "Best regards,", a display name in a From: header, a cell in a
``full_name`` column, "my name is Jane") and (b) the windows of text -- the lines,
sentences and record blocks around identifiers and record markers -- where the NER
model is allowed to look for more. A prompt with none of these gets no NER at all.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass

from .pii_rules import NerSettings, PersonContext
from .pii_validators import fold_accents
from .prefilter import Prefilter
from .structure import Lines

# A name token: letters with inner ' or -, optionally an initial with a dot ("T.").
_NAME_TOKEN = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W\d_])?\.?")
_NAME_GAP = re.compile(r"[ \t]{1,2}")
_PARTICLES = frozenset(
    ("de", "da", "do", "dos", "das", "del", "della", "di", "du", "des", "la", "le", "van",
     "von", "der", "den", "ter", "bin", "binti", "al", "el", "ibn", "y", "e", "af", "zu")
)
_UNIT_WORDS = frozenset(("apt", "apartment", "suite", "ste", "unit", "flat", "floor", "box",
                         "p.o", "po", "psc", "apo", "fpo", "dpo", "office", "desk", "fax",
                         "mobile", "work", "home", "cell", "phone", "tel", "website"))
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[^\W\d_])")
_PROSE_REACH = 400  # characters of a long sentence kept either side of an identifier
_CAPITALISED = re.compile(r"(?<![\w'’-])[^\W\d_a-z][\w'’-]*\.?")
_LABEL_SPLIT = re.compile(r"[\W\d_]+")
_ADDRESS_BEFORE = re.compile(r"[ \t]*[<(\[][^<>()\[\]\s]+@[^<>()\[\]\s]+[>)\]][ \t]*\Z")
# "Jane Roe <jane@x>", "Roe, Jane <jane@x>" (Exchange's "Last, First": one comma, one
# word after it), "Jane Roe [mailto:jane@x]" (Outlook's quoted headers)
_DISPLAY_NAME = re.compile(
    r"\s*\"?(?P<name>[^\"<>,;@\[\]]+?(?:,[ \t]*[^\"<>,;@\[\]\s]+)?)\"?\s*"
    r"(?:<[^<>@\s]+@[^<>\s]+>|\[mailto:[^\[\]@\s]+@[^\[\]\s]+\])")


@dataclass(frozen=True)
class DirectName:
    """A PERSON (or a place in a record's city column) proven by record structure."""

    start: int
    end: int
    score: float
    cue: str  # which structure: name-field, header, signature, table-column, record-head...
    entity: str = "PERSON"


@dataclass(frozen=True)
class Cues:
    names: tuple[DirectName, ...]
    windows: tuple[tuple[int, int], ...]  # merged, sorted text ranges for NER
    lines: Lines  # the text's lines, for open_windows


def _first_upper(token: str) -> bool:
    return token[:1].isupper()


class NameShape:
    """Decides whether a run of words looks like a person's name."""

    def __init__(self, not_names: frozenset[str]) -> None:
        self._not_names = not_names

    def span(
        self, text: str, pos: int, limit: int, *, upper: bool = True, whole: bool = False,
        max_tokens: int = 4,
    ) -> tuple[int, int] | None:
        """The name starting at ``pos`` (after blanks), or None.

        ``upper``: tokens must be capitalised (particles excepted). ``whole``: nothing but
        punctuation may follow the name before ``limit``.
        """
        i = pos
        while i < limit and text[i] in " \t\"'":
            i += 1
        tokens: list[tuple[int, int, str]] = []
        while len(tokens) < max_tokens:
            m = _NAME_TOKEN.match(text, i, limit)
            if not m:
                break
            tok = m.group()
            low = tok.lower().rstrip(".")
            initial = len(low) == 1 and tok[0].isupper() and bool(tokens)  # "Martim A Pereira"
            if (low in self._not_names or low in _UNIT_WORDS) and not initial:
                break  # "Mrs. Jane Roe Apt. 675": the unit is not part of the name
            if upper and not _first_upper(tok) and not (tokens and low in _PARTICLES):
                break
            tokens.append((m.start(), m.end(), low))
            i = m.end()
            gap = _NAME_GAP.match(text, i, limit)
            if not gap:
                break
            i = gap.end()
        while tokens and tokens[-1][2] in _PARTICLES:
            tokens.pop()
        if not tokens or not any(len(t[2]) >= 2 for t in tokens):
            return None
        start, end = tokens[0][0], tokens[-1][1]
        if len(tokens) == 1 and len(tokens[0][2]) < 2:
            return None
        if whole and text[end:limit].strip(" \t.,;:!\"'"):
            return None
        return start, end

    def trim(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """A PERSON span from the NER model, trimmed of words that are not names
        ("Summarise Angela Merkel" -> "Angela Merkel"), or None if nothing is left."""
        newline = text.find("\n", start, end)
        end = end if newline < 0 else newline  # a name does not span lines
        if text.endswith(("'s", "’s"), start, end):
            end -= 2
        while start < end:
            m = _NAME_TOKEN.match(text, start, end)
            if not m or m.group().lower().rstrip(".") not in self._not_names:
                break
            start = m.end()
            while start < end and text[start] in " \t":
                start += 1
        value = text[start:end]
        if len(value) < 2 or any(ch.isdigit() or ch in "@/\\#_=<>{}[]|:;\"" for ch in value):
            return None
        words = [w.strip(".,'’-") for w in value.split()]
        if all(w.lower() in self._not_names or not w for w in words):
            return None
        if not any(_first_upper(w) for w in words):
            return None
        return start, end


def _sentence_bounds(text: str, lines: Lines, i: int) -> list[int]:
    """Sentence starts of line ``i``, then the line's end."""
    start, end = lines.starts[i], lines.ends[i]
    return [start, *(m.end() for m in _SENTENCE_END.finditer(text, start, end)), end]


def merge_ranges(ranges: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((s, e) for s, e in out)


# The PersonContext regexes searched in whole texts, and their matches in one text.
_PHRASES = ("residence", "header_field", "self_identification", "self_introduction",
            "closing", "inline_closing", "reply_header", "greeting")
_Found = dict[str, list[re.Match[str]]]


class RecordFinder:
    """Finds record cues, direct names and NER windows in one text."""

    def __init__(self, person: PersonContext, ner: NerSettings, score: float) -> None:
        self._p = person
        self._shape = NameShape(person.not_names)
        # Structure-proven names outrank the model's guesses on the same characters.
        self._score = min(1.0, score + 0.1)
        self._neighbours = ner.neighbour_sentences
        self._block_lines = ner.record_block_lines
        self._neighbour_lines = ner.neighbour_lines
        # field labels of records: never names, never worth a model run on their own
        self._label_words = person.label_words | _UNIT_WORDS
        self._line_chars = ner.record_line_chars
        titles = "|".join(re.escape(t) for t in sorted(person.titles, key=len, reverse=True))
        self._title = re.compile(r"(?i)(?<!\w)(?:" + titles + r")\.?[ \t]+(?=[^\W\d_])")
        # The cue phrases ("my name is", "Best regards,") in one Hyperscan pass: each
        # regex then runs only where it can match, with the matches of a whole-text scan.
        self._phrases = Prefilter((name, getattr(person, name)) for name in _PHRASES)

    @property
    def shape(self) -> NameShape:
        return self._shape

    def only_labels(self, text: str, start: int, end: int) -> bool:
        """Whether every word of ``text[start:end]`` is a field label or a word that is
        never a name ("Führerschein-Nr", "Passport No"): not a person the model saw."""
        words = _LABEL_SPLIT.split(fold_accents(text[start:end]))
        return all(w in self._label_words or w in self._p.not_names for w in words if w)

    # -- windows ------------------------------------------------------------------------
    def _is_short(self, text: str, lines: Lines, i: int) -> bool:
        return lines.ends[i] - lines.starts[i] <= self._line_chars

    def _blank(self, text: str, lines: Lines, i: int) -> bool:
        return not text[lines.starts[i]:lines.ends[i]].strip()

    def _reach(self, text: str, lines: Lines, i: int, step: int, limit: int,
               cross_blank: bool) -> int:
        """Walk from line ``i`` over short lines (and single blank lines if allowed)."""
        j, blanks = i, 0
        while 0 <= j + step < len(lines) and abs(j + step - i) <= limit:
            k = j + step
            if self._blank(text, lines, k):
                blanks += 1
                if not cross_blank or blanks > 1:
                    break
            elif not self._is_short(text, lines, k):
                break
            else:
                blanks = 0
            j = k
        while j != i and self._blank(text, lines, j):
            j -= step
        return j

    def window(self, text: str, lines: Lines, start: int, end: int,
               record: bool = True) -> tuple[int, int]:
        """The text around ``text[start:end]`` where NER runs: for an identifier
        (``record``) its block of short lines (up to ``neighbour_lines`` either side, not
        across blank lines), else its own line; in prose, the sentence and neighbours."""
        i = lines.index(start)
        if self._is_short(text, lines, i):
            return self._block(text, lines, i, start, end,
                               self._neighbour_lines if record else 0)
        # A long line (prose): the sentence holding the span and its neighbours.
        return self._prose_window(text, _sentence_bounds(text, lines, i), start, end,
                                  self._neighbours)

    def _block(self, text: str, lines: Lines, i: int, start: int, end: int,
               reach: int) -> tuple[int, int]:
        """Short line ``i`` holding ``text[start:end]``, with up to ``reach`` short lines
        of the same block either side."""
        top = self._reach(text, lines, i, -1, reach, cross_blank=False)
        bottom = self._reach(text, lines, lines.index(max(start, end - 1)), 1, reach,
                             cross_blank=False)
        return lines.starts[top], max(lines.ends[bottom], end)

    @staticmethod
    def _prose_window(text: str, bounds: Sequence[int], start: int, end: int,
                      neighbours: int) -> tuple[int, int]:
        """The sentence(s) holding ``text[start:end]`` and ``neighbours`` sentences either
        side; ``bounds`` are the sentence starts of its line, then the line's end."""
        last = len(bounds) - 2  # the last sentence's start
        k = min(bisect.bisect_right(bounds, start) - 1, last)
        j = max(k, min(bisect.bisect_left(bounds, end) - 1, last))
        lo = max(0, k - neighbours)
        hi = min(len(bounds) - 1, j + 1 + neighbours)
        # A "sentence" can be a whole minified file: stay near the span, cut at spaces.
        wstart, wend = bounds[lo], max(bounds[hi], end)
        if start - wstart > _PROSE_REACH:
            cut = text.find(" ", start - _PROSE_REACH, start)
            wstart = cut + 1 if cut >= 0 else start
        if wend - end > _PROSE_REACH:
            cut = text.rfind(" ", end, end + _PROSE_REACH)
            wend = cut if cut >= 0 else end
        return wstart, wend

    # -- cues ---------------------------------------------------------------------------
    def cues(self, text: str, anchors: Sequence[tuple[int, int]],
             data: bytes | None = None, lines: Lines | None = None,
             fields: Sequence[DirectName] = (), field_marks: Sequence[tuple[int, int]] = (),
             proven_lines: Container[int] = ()) -> Cues:
        """Record names and NER windows. ``fields``/``field_marks``: names under name keys
        and their key..value spans (pii_fields); ``proven_lines``: table rows whose names
        their header proves, which need no model run around their identifiers."""
        lines = Lines(text) if lines is None else lines
        names: list[DirectName] = list(fields)
        marks: list[tuple[int, int]] = list(field_marks)  # record markers: own line/sentence
        ranges: list[tuple[int, int]] = []  # finished windows (signatures)
        found = self._phrases.matches(text, data)
        self._headers(text, found, names, marks)
        self._self_identification(text, found, lines, anchors, names, marks)
        self._greetings(text, found, lines, anchors, names)
        self._signatures(text, found, lines, names, ranges)
        self._reply_headers(text, found, names, marks)
        self._residence(text, found, names, marks)
        self._record_heads(text, lines, anchors, names)
        windows = self._anchor_windows(text, lines, anchors, proven_lines)
        windows += [self.window(text, lines, s, e, record=False) for s, e in marks]
        return Cues(tuple(names), merge_ranges(windows + ranges), lines)

    def _anchor_windows(self, text: str, lines: Lines, anchors: Sequence[tuple[int, int]],
                        proven_lines: Container[int] = ()) -> list[tuple[int, int]]:
        """Windows around identifiers; one per short line however many it holds."""
        out: list[tuple[int, int]] = []
        done: set[int] = set()
        for start, end in anchors:
            i = lines.index(start)
            if i in proven_lines:
                continue
            if self._is_short(text, lines, i) and lines.index(max(start, end - 1)) == i:
                if i in done:
                    continue
                done.add(i)
                start, end = lines.starts[i], lines.ends[i]
            out.append(self.window(text, lines, start, end))
        return out

    def _record_heads(self, text: str, lines: Lines, anchors: Sequence[tuple[int, int]],
                      names: list[DirectName]) -> None:
        """A contact card or address label starts with the person's name on a line of its
        own ("Jane Roe\n12 Oak Street\n..."): the first line of the record holding an
        identifier (short lines, single blank lines allowed, ``record_block_lines``)."""
        heads: set[int] = set()
        for i in {lines.index(start) for start, _ in anchors}:
            if self._is_short(text, lines, i):
                heads.add(self._reach(text, lines, i, -1, self._block_lines // 2,
                                      cross_blank=True))
        for i in sorted(heads):
            line = text[lines.starts[i]:lines.ends[i]]
            if not line.strip(" \t>?*-|#") and i + 1 < len(lines):
                i += 1  # a bare quote marker line ("> ") opens the block
            s, e = lines.starts[i], lines.ends[i]
            while s < e and text[s] in " \t>?*-|#":
                s += 1
            span = self._shape.span(text, s, e, whole=True)
            if span and " " in text[span[0]:span[1]].strip():
                names.append(DirectName(*span, self._score - 0.1, "record-head"))

    def _residence(self, text: str, found: _Found, names: list[DirectName], marks: list
                   ) -> None:
        """'Jane Roe lives at ...': the capitalised words right before the phrase."""
        for m in found.get("residence", ()):
            span = self._name_before(text, m.start())
            if span:
                names.append(DirectName(*span, self._score - 0.05, "residence"))
                marks.append((span[0], m.end()))

    def _headers(self, text: str, found: _Found, names: list[DirectName], marks: list
                 ) -> None:
        """'From: Jane Roe <jane@...>' -- display names in e-mail header lines."""
        for m in found.get("header_field", ()):
            vstart, vend = m.span("value")
            marks.append((m.start("key"), max(vend, m.end("key"))))
            for d in _DISPLAY_NAME.finditer(text, vstart, vend):
                start, end = d.span("name")
                comma = text.find(",", start, end)
                if comma < 0:
                    span = self._shape.span(text, start, end, whole=True)
                else:  # "Roe, Jane": each side a name, the span covers both
                    last = self._shape.span(text, start, comma, whole=True)
                    first = self._shape.span(text, comma + 1, end, whole=True)
                    span = (last[0], first[1]) if last and first else None
                if span:
                    names.append(DirectName(*span, self._score, "header"))

    def _self_identification(self, text: str, found: _Found, lines: Lines,
                             anchors: Sequence[tuple[int, int]], names: list[DirectName],
                             marks: list) -> None:
        """'My name is Jane Roe' (the phrase proves it); 'I'm Jane Roe, ...' (proven when an
        identifier is in the same sentences, else a window for the model)."""
        lowercase_text: bool | None = None  # read only if a phrase is found: O(text)
        for m in found.get("self_identification", ()):
            if lowercase_text is None:
                lowercase_text = not any(ch.isupper() for ch in text)
            limit = text.find("\n", m.end())
            limit = len(text) if limit < 0 else limit
            span = self._shape.span(text, m.end(), limit, upper=not lowercase_text)
            if span:
                marks.append((m.start(), span[1]))
                names.append(DirectName(*span, self._score, "self-identification"))
        for m in found.get("self_introduction", ()):
            limit = text.find("\n", m.end())
            limit = len(text) if limit < 0 else limit
            span = self._shape.span(text, m.end(), limit, upper=True, max_tokens=3)
            if span is None:
                continue
            # "Hi, this is Jane Roe. Call me on ...": with an identifier in the same
            # sentences it is a self-introduction; otherwise the model decides.
            ws, we = self.window(text, lines, m.start(), span[1], record=False)
            if any(ws <= a < we for a, _ in anchors):
                names.append(DirectName(*span, self._score - 0.05, "self-introduction"))
            marks.append((m.start(), span[1]))

    def _signatures(self, text: str, found: _Found, lines: Lines, names: list[DirectName],
                    marks: list) -> None:
        """'Best regards,' on a line of its own: the next non-blank line names the writer
        (quote markers of a reply, "> ", skipped); 'Thanks, Manon Menard' on one line: a
        full name after the closing."""
        for m in found.get("closing", ()):
            i = lines.index(m.start())
            for j in range(i + 1, min(i + 3, len(lines))):
                s, e = lines.starts[j], lines.ends[j]
                while s < e and text[s] in " \t>":
                    s += 1
                if not text[s:e].strip():
                    continue
                last = min(j + 2, len(lines) - 1)
                marks.append((m.start(), lines.ends[last]))
                span = self._shape.span(text, s, e, whole=True)
                if span:
                    names.append(DirectName(*span, self._score - 0.05, "signature"))
                break
        for m in found.get("inline_closing", ()):
            end = lines.ends[lines.index(m.start())]
            span = self._shape.span(text, m.end(), end, whole=True)
            # a given name alone ("Thanks, Claude") may address the reader
            if span and " " in text[span[0]:span[1]].strip():
                names.append(DirectName(*span, self._score - 0.05, "signature"))
                marks.append((m.start(), end))

    def _reply_headers(self, text: str, found: _Found, names: list[DirectName],
                       marks: list) -> None:
        """'On Tue, 3 Jun 2025, Jane Roe <jane@...> wrote:': the writer of a quoted mail."""
        for m in found.get("reply_header", ()):
            end = m.start()
            bracket = _ADDRESS_BEFORE.search(text, max(0, end - 120), end)
            if bracket:
                end = bracket.start()
            span = self._name_before(text, end)
            if span:
                names.append(DirectName(*span, self._score - 0.05, "reply-header"))
                marks.append((span[0], m.end()))

    def _name_before(self, text: str, end: int) -> tuple[int, int] | None:
        """The capitalised words (a name's shape) right before ``end``."""
        start, stop, count = None, end, 0
        while stop > 0 and text[stop - 1] in " \t":
            stop -= 1
        last = stop
        for tok in reversed(list(_NAME_TOKEN.finditer(text, max(0, stop - 80), stop))):
            word = tok.group()
            if count == 4 or not _NAME_GAP.fullmatch(text, tok.end(), last) and count or (
                    not count and tok.end() != stop):
                break
            if word.lower().rstrip(".") in self._p.not_names:
                break
            if not (_first_upper(word) or (count and word.lower() in _PARTICLES)):
                break
            start, last, count = tok.start(), tok.start(), count + 1
        return self._shape.span(text, start, stop, whole=True) if count else None

    def _greetings(self, text: str, found: _Found, lines: Lines,
                   anchors: Sequence[tuple[int, int]],
                   names: list[DirectName]) -> None:
        """'Hi Sophie,' opening a message that carries identifiers (within
        ``record_block_lines`` lines of one): the addressee's name. A greeting in a
        prompt with no identifiers ("Hello Claude,") is left alone."""
        if not anchors:
            return
        anchor_lines = sorted({lines.index(a) for a, _ in anchors})
        reach = self._block_lines
        for m in found.get("greeting", ()):
            i = lines.index(m.start())
            if not any(abs(i - a) <= reach for a in anchor_lines):
                continue
            limit = lines.ends[i]
            title = self._title.match(text, m.end(), limit)  # "Dear Mr. Navarro,"
            span = self._shape.span(text, title.end() if title else m.end(), limit,
                                    max_tokens=3)
            if span and text[span[1]:span[1] + 1] in (",", "!", "", " ", "\n"):
                names.append(DirectName(*span, self._score - 0.05, "greeting"))

    def has_open_words(self, text: str, start: int, end: int,
                       known: Sequence[tuple[int, int]]) -> bool:
        """Whether ``text[start:end]`` has a capitalised word outside the ``known`` spans
        (sorted) that is not a label word: something the NER model could call a name."""
        return next(self.open_words(text, start, end, known), None) is not None

    def open_words(self, text: str, start: int, end: int, known: Sequence[tuple[int, int]],
                   closed: Callable[[str], bool] | None = None) -> Iterator[tuple[int, int]]:
        """The spans of the words ``has_open_words`` looks for, in order."""
        k = bisect.bisect_left(known, (start, start)) - 1
        k = max(k, 0)
        for m in _CAPITALISED.finditer(text, start, end):
            while k < len(known) and known[k][1] <= m.start():
                k += 1
            if k < len(known) and known[k][0] <= m.start() < known[k][1]:
                continue
            word = m.group().rstrip(".")
            if len(word) <= 5 and word.isupper():
                continue  # an acronym (SSH, IBAN, CEO)
            if any(ch.isdigit() for ch in word):
                continue  # an identifier (FIN-9922, PLAT-7412, Win11): never a name
            word = word.lower().replace("’", "'")
            if word not in self._p.not_names and word not in self._label_words and not (
                    closed is not None and closed(word)):
                yield m.start(), m.end()

    def open_windows(self, text: str, lines: Lines, areas: Sequence[tuple[int, int]],
                     known: Sequence[tuple[int, int]], closed: Callable[[str], bool] | None,
                     sentences: int) -> tuple[tuple[int, int], ...]:
        """Where the model reads in ``all`` mode: around each open word of the ``areas``,
        its sentence and ``sentences`` neighbours either side in prose, or its block of
        short lines (a signature, a list, a table); merged, and never outside its area.
        The model's view of a word reaches a few tokens either side: a sentence or two of
        context keeps its predictions, while sentences without such words are not read.
        ``lines``: the text's lines (``Cues.lines``)."""
        bounds: dict[int, list[int]] = {}  # line -> sentence bounds, computed once per line
        out: list[tuple[int, int]] = []
        for area_start, area_end in areas:
            for start, end in self.open_words(text, area_start, area_end, known, closed):
                i = lines.index(start)
                if self._is_short(text, lines, i):
                    ws, we = self._block(text, lines, i, start, end, self._neighbour_lines)
                else:
                    if i not in bounds:
                        bounds[i] = _sentence_bounds(text, lines, i)
                    ws, we = self._prose_window(text, bounds[i], start, end, sentences)
                out.append((max(ws, area_start), min(we, area_end)))
        return merge_ranges(out)

    # -- cues that count only inside a record window ------------------------------------
    def window_names(self, text: str, start: int, end: int) -> list[DirectName]:
        """Titled names ("Dr. Jane Roe") inside a window."""
        out: list[DirectName] = []
        for m in self._title.finditer(text, start, end):
            span = self._shape.span(text, m.end(), end)
            if span:
                out.append(DirectName(m.start(), span[1], self._score - 0.05, "title"))
        return out
