"""Structure as context: the tables and records of a text, with the key of each value.

People paste exports, not sentences. A column header, JSON/YAML key, form label or SQL
column names what the values under it are, so a value whose shape alone would be too
weak ("078051121") is typed by its key ("ssn"). ``StructureFinder`` finds, once per text
and in time linear in its length:

* delimited tables: CSV/TSV/semicolon rows with quoted fields, Markdown, ASCII
  (``+---+``) and psql tables -- runs of rows with the same number of cells, the first
  row the header;
* SQL: ``INSERT INTO t (cols) VALUES (...), (...)``, ``INSERT INTO t VALUES`` after a
  ``CREATE TABLE t (...)`` that names the columns, ``COPY t (cols) FROM stdin`` blocks;
* key-value pairs: JSON and YAML keys, ``.env``/INI assignments, keyword arguments,
  XML elements, "Label: value" form lines (several per line, bold or bulleted labels,
  dotted leaders, a value on the lines below a bare label);
* vCards.

Keys are only looked at where a word of the caller's vocabulary occurs (one Hyperscan
pass), and table headers once per table; what a key means is the caller's
``classify(key) -> class or None``: fields are reported only for keys it classifies.
Nothing here knows about entity types.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from .pii_validators import fold_accents
from .prefilter import Prefilter, Window


class Lines:
    """Line offsets of a text (built once per text, shared by every line-based step)."""

    def __init__(self, text: str) -> None:
        self.rows: list[str] = text.split("\n")
        self.starts: list[int] = [0, *itertools.accumulate(len(r) + 1 for r in self.rows)]
        self.starts.pop()
        self.ends: list[int] = [s + len(r) for s, r in zip(self.starts, self.rows, strict=True)]

    def index(self, offset: int) -> int:
        """The line holding ``offset``."""
        return bisect.bisect_right(self.starts, offset) - 1

    def __len__(self) -> int:
        return len(self.starts)


@dataclass(frozen=True)
class Field[C]:
    """A value and the key that names it. ``record``: fields of one table row, SQL row,
    JSON object or form block share it; ``block``: the table, statement or run of
    key-value lines the field belongs to (its span is ``Structure.blocks[block]``)."""

    key_start: int
    key_end: int
    value_start: int
    value_end: int
    key_class: C
    kind: str  # table | sql | kv | vcard
    record: int
    block: int
    label: bool = False  # a capitalised form label ("Name:"), not a config key ("name:")


@dataclass
class Structure[C]:
    """What ``StructureFinder.find`` found in one text."""

    fields: list[Field[C]] = field(default_factory=list)
    blocks: list[tuple[int, int]] = field(default_factory=list)
    # lines of tables whose columns were classified (rows proven by their header)
    table_lines: set[int] = field(default_factory=set)
    # cells of those tables and SQL rows under columns the caller did not classify:
    # (value start, value end, row start)
    cells: list[tuple[int, int, int]] = field(default_factory=list)
    # header lines of those tables: (start, end)
    headers: list[tuple[int, int]] = field(default_factory=list)
    records: int = 0

    def new_record(self) -> int:
        self.records += 1
        return self.records - 1


_TABLE_DELIMITERS = ("\t", "|", ";", ",")
_RULE = re.compile(r"[ \t]*[|+:]?[ \t]*[-=]{3,}[-=+|: \t]*")
# the first words of the statements read as structure, found in the key-word pass
_STATEMENT_WORDS = (("insert", r"(?i)insert\s"), ("copy", r"(?im)^copy[ \t]"),
                    ("begin:vcard", r"(?i)begin:vcard"))
_CREATE = re.compile(
    r"(?i)create[ \t]+(?:(?:global[ \t]+|local[ \t]+)?(?:temporary|temp)[ \t]+)?table"
    r"\s+(?:if\s+not\s+exists\s+)?(?P<name>[\w.\"`\[\]]{1,128})\s*\(")
_INSERT = re.compile(
    r"(?i)insert\s+(?:ignore\s+)?into\s+(?P<name>[\w.\"`\[\]]{1,128})\s*"
    r"(?:\((?P<cols>[^()]{1,4000})\)\s*)?values\s*")
_COPY = re.compile(  # at a line start: tried only there
    r"(?im)^copy[ \t]+(?P<name>[\w.\"`]{1,128})[ \t]*\((?P<cols>[^()\n]{1,4000})\)"
    r"[ \t]+from[ \t]+stdin[^\n]*\n")
# a column name: quoted ("date of birth", `t.dob`, [N° passeport]: any characters but
# the quote) or bare
_IDENT = re.compile(r"\"(?P<dq>[^\"\n]{1,128})\"|`(?P<bq>[^`\n]{1,128})`"
                    r"|\[(?P<br>[^\]\n]{1,128})\]|(?P<id>[^\W\d][\w$]*)")
_SQL_VALUE = re.compile(
    r"\s*(?:'(?P<sq>(?:[^'\\\n]|''|\\.){0,2000})'|\"(?P<dq>(?:[^\"\\\n]|\"\"|\\.){0,2000})\""
    r"|(?P<bare>[^\s,()'\";]{1,200}(?:\([^()\n]{0,200}\))?))")
_SQL_SKIP = re.compile(r"\s*")
_CONSTRAINT_WORDS = frozenset(("constraint", "primary", "foreign", "unique", "key", "index",
                               "check", "exclude", "fulltext", "spatial", "period"))
_VCARD_LINE = re.compile(r"(?P<key>[A-Za-z][\w-]{0,30})(?:;[^:\n]{0,200})?:(?P<value>[^\n]*)")
_KEY_CHARS = r"[\w'’#°º.()/-]"
# A key's words, up to six, matched on the reversed text before its separator.
_KEY_HEAD_REVERSED = re.compile(_KEY_CHARS + r"*(?:[ ]" + _KEY_CHARS + r"+){0,5}")
# What ends a key: the separator before its value (each kind a named group), and the
# same for Hyperscan (ASCII only: Hyperscan sees every other character as one
# placeholder byte, so an en dash in a class would accept any Cyrillic letter).
_SEPARATOR = re.compile(
    r"(?=[-:=>\t; .])"  # one class test first: most characters fail it at once
    r"(?:(?P<colon>:(?![/:]))|(?P<arrow>=>|->)|(?P<equals>=(?![=>]))|(?P<tab>\t)"
    r"|(?P<vcard>;[\w=,\"' -]{1,60}:)|(?P<dash>[ \t]-[ \t])|(?P<dots>\.{3,}[ \t])"
    r"|(?P<xml>>)|(?P<gap>(?<=\w)[ ]{2,}(?=[\w+(])))")
# (vCard parameters, "TEL;TYPE=cell:", are read with their BEGIN:VCARD block: a long
# separator here would widen every window)
_KEY_SEPARATOR = r"(?::|=|->|>|\t|[ \t]-[ \t]|\.{3,8}[ \t]|[ ]{2,8}\w)"
_VALUE_LEAD = re.compile(r"[ \t*_]*")
_SENTENCE_END = re.compile(r"[^\W\d_]{5,}[.!?][ ]+")
_KEY_BEFORE = re.compile(r"(?P<key>[\w'’#°º.()/ -]{1,48})[\"'`\]]?\**[ \t]*(?::|=>|=|->)[ \t]*"
                         r"[\"'`]?\Z")
_NEXT_LABEL = re.compile(r"[,;|][ \t]*[^\W\d_][\w .'’/()-]{0,30}:[ \t]")
_LABEL_LINE = re.compile(
    r"[ \t]*(?:[-*•>][ \t]*)?\**[^\W\d_][\w .'’/()#-]{0,40}\**[ \t]*:(?:[ \t]|$)")
_BULLET = re.compile(r"[ \t]*(?:[-*•>+][ \t]+|\d{1,2}[.)][ \t]+)?")
_LIST_SPLIT = re.compile(r"[ \t]*[,;][ \t]*(?:and[ \t]+|und[ \t]+|et[ \t]+|y[ \t]+)?"
                         r"|[ \t]+(?:and|&|und|et|y|e)[ \t]+"
                         r"|[ \t]*\n[ \t]*(?:[-*•>+][ \t]+|\d{1,2}[.)][ \t]+)?")
_BLOCK_LINES = 8  # lines under a bare label ("Attendees:") read as its values
_BLOCK_GAP = 6  # lines between two found keys of one record
_STEMS_PER_PATTERN = 96
_SHORT_STEM = 3  # vocabulary words this short count only at the start of a word
_WORDS = re.compile(r"[\W_]+")


class StructureFinder[C]:
    """Finds tables and records; ``classify`` says which keys matter (and what they are).

    ``vocabulary``: words that occur in every key worth classifying (substrings: "ssn"
    also finds "customer_ssn"); ``vcard``: vCard property names worth reporting.
    """

    def __init__(self, classify: Callable[[str], C | None], vocabulary: Iterable[str],
                 vcard: Callable[[str], C | None]) -> None:
        self._classify = classify
        self._vcard = vcard
        # each word as spelled ("prénom", "straße") and without accents ("prenom",
        # "strasse"): keys are written both ways
        spellings: dict[str, set[str]] = {}
        for word in vocabulary:
            word = word.lower()
            spellings.setdefault(fold_accents(word), set()).add(word)
        words = sorted((w for w in spellings if len(w) >= 2), key=len)
        # Short words ("ss", "dl", "tel") are keys only where a word starts ("SS#",
        # "dl_number"; not "success", "headline"); a longer word that holds a shorter one
        # is found through it.
        short = [w for w in words if len(w) <= _SHORT_STEM]
        long = [w for w in words if len(w) > _SHORT_STEM]
        long = [w for i, w in enumerate(long) if not any(s in w for s in long[:i])]
        # A word of the vocabulary, the rest of a key and a separator: one Hyperscan pass
        # reports only the places that can be a key, and the statements' first words.
        # One pattern per group of words: Hyperscan refuses a larger one (and the
        # prefilter would then run Python's re over the whole text).
        patterns: list[tuple[Hashable, re.Pattern[str]]] = [
            (word, re.compile(rx)) for word, rx in _STATEMENT_WORDS]
        for k, (bound, group) in enumerate(
                [(True, short[i:i + _STEMS_PER_PATTERN])
                 for i in range(0, len(short), _STEMS_PER_PATTERN)]
                + [(False, long[i:i + _STEMS_PER_PATTERN])
                   for i in range(0, len(long), _STEMS_PER_PATTERN)]):
            forms = {f for w in group for f in spellings[w] | {w}}
            alternation = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
            patterns.append((k, re.compile(
                ("(?i)(?<![^\\W\\d_])(?:" if bound else "(?i)(?:") + alternation
                # (every repeat bounded: the windows then span a key, not a line)
                + r")[\w'’#°º.()/ -]{0,32}?[\"'`\]]?\*{0,2}[ \t]{0,4}" + _KEY_SEPARATOR)))
        self._words = Prefilter(patterns)

    @property
    def fallbacks(self) -> frozenset:
        """Patterns Hyperscan could not take (each then costs a whole-text search)."""
        return self._words.unsupported

    def find(self, text: str, lines: Lines, data: bytes | None = None) -> Structure[C]:
        out: Structure[C] = Structure()
        memo: dict[str, C | None] = {}  # one text repeats its keys (a JSON array)

        def classify(key: str) -> C | None:
            if key not in memo:
                memo[key] = self._classify(key)
            return memo[key]

        windows = self._words.candidates(text, data)
        present = {key for key in windows if isinstance(key, str)}
        taken: list[tuple[int, int]] = []  # spans already read as SQL or vCard
        if "insert" in present or "copy" in present:
            self._sql(text, lines, classify, out, taken)
        # rows of a COPY block are tab-separated: read with their column list, not as a
        # table whose first row would be taken for a header
        skip = {i for s, e in taken for i in range(lines.index(s), lines.index(max(s, e - 1)) + 1)}
        self._tables(text, lines, classify, out, skip)
        if "begin:vcard" in present:
            self._vcards(text, lines, out, taken)
        self._key_values(text, lines, windows, classify, out, taken)
        return out

    # -- delimited tables -----------------------------------------------------------------
    def _tables(self, text: str, lines: Lines, classify: Callable[[str], C | None],
                out: Structure[C], skip: set[int]) -> None:
        rows = lines.rows
        n = len(rows)
        i = 0
        while i < n:
            row = rows[i]
            if i in skip or not row.strip() or _RULE.fullmatch(row):
                i += 1
                continue
            start = i
            found = None
            j = i + 1
            while j < n and _RULE.fullmatch(rows[j]) and rows[j].strip():
                j += 1
            following = rows[j] if j < n else ""
            for delim in _TABLE_DELIMITERS:
                if delim not in row or delim not in following:
                    continue
                if delim != "|" and '"' not in row and '"' not in following and \
                        row.count(delim) != following.count(delim):
                    continue  # prose with commas: the next line splits otherwise
                width = len(_cells(row, delim))
                if width >= 2 and len(_cells(following, delim)) == width:
                    found = (delim, width)
                    break
            if found is None:
                i += 1
                continue
            delim, width = found
            header = [c for c in _cells(row, delim) if c[1] > c[0]]
            if len(header) < 2 or 2 * len(header) < width:
                i += 1  # JSON or code lines ending in a comma: not a header
                continue
            body: list[int] = []
            j = i + 1
            while j < n:
                r = rows[j]
                if j in skip or not r.strip():
                    break
                if _RULE.fullmatch(r):
                    j += 1
                    continue
                if delim not in r or len(_cells(r, delim)) != width:
                    break
                body.append(j)
                j += 1
            if body:
                self._table(text, lines, start, body, delim, classify, out)
            i = max(j, i + 1)

    def _table(self, text: str, lines: Lines, head: int, body: Sequence[int], delim: str,
               classify: Callable[[str], C | None], out: Structure[C]) -> None:
        base = lines.starts[head]
        classes: list[tuple[int, int, int, C]] = []  # column, key start, key end, class
        for k, (s, e) in enumerate(_cells(lines.rows[head], delim)):
            key = text[base + s:base + e].strip(" \t*#`")
            cls = classify(key) if _header_like(key) else None
            if cls is not None:
                classes.append((k, base + s, base + e, cls))
        if not classes:
            self._row_keyed(text, lines, head, body, delim, classify, out)
            return
        block = len(out.blocks)
        out.blocks.append((lines.starts[head], lines.ends[body[-1]]))
        out.table_lines.update((head, *body))
        out.headers.append((lines.starts[head], lines.ends[head]))
        typed = {k for k, _, _, _ in classes}
        for r in body:
            cells = _cells(lines.rows[r], delim)
            start = lines.starts[r]
            record = out.new_record()
            for k, ks, ke, cls in classes:
                s, e = cells[k]
                s, e = _strip(text, start + s, start + e)
                if e > s:
                    out.fields.append(Field(ks, ke, s, e, cls, "table", record, block))
            for k, (s, e) in enumerate(cells):
                if k not in typed and e > s:
                    out.cells.append((start + s, start + e, start))

    def _row_keyed(self, text: str, lines: Lines, head: int, body: Sequence[int],
                   delim: str, classify: Callable[[str], C | None],
                   out: Structure[C]) -> None:
        """A table whose first column holds the keys ("Field,Value"; an export turned on
        its side: "ssn,078051121,460899847"): each row's other cells are that key's."""
        keyed: list[tuple[int, int, int, C]] = []  # row, key start, key end, class
        for r in body:
            cells = _cells(lines.rows[r], delim)
            s, e = cells[0]
            key = text[lines.starts[r] + s:lines.starts[r] + e].strip(" \t*#`")
            cls = classify(key) if _header_like(key) else None
            if cls is not None:
                keyed.append((r, lines.starts[r] + s, lines.starts[r] + e, cls))
        if len(keyed) < 2:
            return
        block = len(out.blocks)
        out.blocks.append((lines.starts[head], lines.ends[body[-1]]))
        out.table_lines.update((head, *body))
        record = out.new_record()
        for r, ks, ke, cls in keyed:
            start = lines.starts[r]
            for s, e in _cells(lines.rows[r], delim)[1:]:
                s, e = _strip(text, start + s, start + e)
                if e > s:
                    out.fields.append(Field(ks, ke, s, e, cls, "table", record, block))

    # -- SQL --------------------------------------------------------------------------------
    def _sql(self, text: str, lines: Lines, classify: Callable[[str], C | None],
             out: Structure[C], taken: list[tuple[int, int]]) -> None:
        # Statements are tried where their first word stands ("insert", "copy" also occur
        # in prose): a search for the word, then one anchored match.
        lowered = text.lower()
        tables: dict[str, list[tuple[int, int]]] = {}
        for m in _statements(text, lowered, "create", _CREATE):
            tables[_table_name(m.group("name"))] = _create_columns(text, m.end())
        for m in _statements(text, lowered, "insert", _INSERT):
            if m.group("cols") is not None:
                columns = _column_list(text, m.start("cols"), m.end("cols"))
            else:
                columns = tables.get(_table_name(m.group("name")), [])
            end = self._insert_rows(text, m.end(), columns, classify, out)
            taken.append((m.start(), end))
        for m in _statements(text, lowered, "copy", _COPY):
            columns = _column_list(text, m.start("cols"), m.end("cols"))
            end = self._copy_rows(text, lines, m.end(), columns, classify, out)
            taken.append((m.start(), end))

    def _insert_rows(self, text: str, pos: int, columns: Sequence[tuple[int, int]],
                     classify: Callable[[str], C | None], out: Structure[C]) -> int:
        """Read ``(v, v, ...), (...)`` from ``pos``; fields for classified columns."""
        classes = [classify(text[s:e]) for s, e in columns]
        typed = any(c is not None for c in classes)
        block = len(out.blocks)
        start = pos
        n = len(text)
        while pos < n and text[pos] == "(":
            row = pos
            pos += 1
            values: list[tuple[int, int]] = []
            while True:
                m = _SQL_VALUE.match(text, pos)
                if m is None:
                    return pos
                group = "sq" if m.group("sq") is not None else (
                    "dq" if m.group("dq") is not None else "bare")
                values.append(m.span(group))
                pos = _SQL_SKIP.match(text, m.end()).end()
                if pos < n and text[pos] == ",":
                    pos += 1
                    continue
                break
            if pos >= n or text[pos] != ")":
                return pos
            pos += 1
            if typed and len(values) == len(columns):
                record = out.new_record()
                for (ks, ke), cls, (vs, ve) in zip(columns, classes, values, strict=True):
                    if cls is not None and ve > vs:
                        out.fields.append(Field(ks, ke, vs, ve, cls, "sql", record, block))
                    elif ve > vs:
                        out.cells.append((vs, ve, row))
            pos = _SQL_SKIP.match(text, pos).end()
            if pos < n and text[pos] == ",":
                pos = _SQL_SKIP.match(text, pos + 1).end()
        if typed:
            out.blocks.append((start, pos))
        return pos

    def _copy_rows(self, text: str, lines: Lines, pos: int,
                   columns: Sequence[tuple[int, int]],
                   classify: Callable[[str], C | None], out: Structure[C]) -> int:
        classes = [classify(text[s:e]) for s, e in columns]
        i = lines.index(pos)
        if not any(c is not None for c in classes):
            return pos
        block = len(out.blocks)
        first = i
        while i < len(lines) and lines.rows[i] not in ("\\.", "\\.\r"):
            cells = _cells(lines.rows[i], "\t")
            if len(cells) == len(columns):
                record = out.new_record()
                base = lines.starts[i]
                for (ks, ke), cls, (s, e) in zip(columns, classes, cells, strict=True):
                    if e <= s or text[base + s:base + e] == "\\N":
                        continue
                    if cls is not None:
                        out.fields.append(Field(ks, ke, base + s, base + e, cls, "sql",
                                                record, block))
                    else:
                        out.cells.append((base + s, base + e, base))
            i += 1
        last = min(i, len(lines) - 1)
        out.blocks.append((lines.starts[first], lines.ends[last]))
        return lines.ends[last]

    # -- vCards -----------------------------------------------------------------------------
    def _vcards(self, text: str, lines: Lines, out: Structure[C],
                taken: list[tuple[int, int]]) -> None:
        i = 0
        n = len(lines)
        while i < n:
            if lines.rows[i].strip().upper() != "BEGIN:VCARD":
                i += 1
                continue
            first = i
            block = len(out.blocks)
            record = out.new_record()
            i += 1
            while i < n and lines.rows[i].strip().upper() != "END:VCARD":
                m = _VCARD_LINE.match(lines.rows[i])
                cls = self._vcard(m.group("key").upper()) if m else None
                if m and cls is not None:
                    base = lines.starts[i]
                    vs, ve = base + m.start("value"), base + m.end("value")
                    out.fields.append(Field(base + m.start("key"), base + m.end("key"),
                                            vs, ve, cls, "vcard", record, block))
                i += 1
            last = min(i, n - 1)
            out.blocks.append((lines.starts[first], lines.ends[last]))
            taken.append(out.blocks[-1])
            i += 1

    # -- key-value pairs --------------------------------------------------------------------
    def _key_values(self, text: str, lines: Lines, found: dict[Hashable, list[Window]],
                    classify: Callable[[str], C | None], out: Structure[C],
                    taken: list[tuple[int, int]]) -> None:
        """Keys followed by a separator, where Hyperscan saw a vocabulary word before one:
        in those windows each separator's key is read backwards and classified."""
        windows = sorted(w for key, ws in found.items() if not isinstance(key, str)
                         for w in ws)
        keys: list[tuple[int, int, int, int, C, bool, bool]] = []  # key, value, class...
        read = 0  # the end of the last separator read (windows of word groups overlap)
        taken.sort()
        for window in windows:
            # (a little past the window: a separator may end after it, "...." + " ")
            for sep in _SEPARATOR.finditer(text, max(window.start, read),
                                           min(len(text), window.end + 16)):
                if sep.start() < read:
                    continue
                read = sep.end()
                i = lines.index(sep.start())
                if i in out.table_lines or _inside(taken, sep.start()):
                    continue
                found_key = self._key_before_separator(text, lines, i, sep)
                if found_key is None:
                    continue
                ks, ke, vs, xml = found_key
                cls = classify(text[ks:ke])
                if cls is not None:
                    keys.append((ks, ke, vs, i, cls, xml, text[ks].isupper()))
        if not keys:
            return
        keys.sort()
        block, record, previous_line = -1, -1, -10
        for n, (ks, ke, vs, i, cls, xml, label) in enumerate(keys):
            # one block: key-value lines without a blank line or a long gap between them
            # (the keys of a JSON object that name nothing personal are not found here)
            if block < 0 or i - previous_line > _BLOCK_GAP or not all(
                    lines.rows[k].strip() for k in range(previous_line + 1, i)):
                block = len(out.blocks)
                out.blocks.append((lines.starts[i], lines.ends[i]))
                record = out.new_record()
            previous_line = max(previous_line, i)
            limit = lines.ends[i]
            if n + 1 < len(keys) and keys[n + 1][3] == i:
                limit = min(limit, keys[n + 1][0])  # the next label on the same line
            for s, e in self._values(text, lines, i, vs, limit, xml):
                out.fields.append(Field(ks, ke, s, e, cls, "kv", record, block, label))
                previous_line = max(previous_line, lines.index(max(e - 1, s)))
            bs, _ = out.blocks[block]
            out.blocks[block] = (bs, lines.ends[previous_line])

    @staticmethod
    def _key_before_separator(text: str, lines: Lines, i: int, sep: re.Match[str]
                              ) -> tuple[int, int, int, bool] | None:
        """The key that ends at separator ``sep`` on line ``i``: (key start, key end, value
        start, XML element?), or None when no key stands there."""
        line_start, line_end = lines.starts[i], lines.ends[i]
        ke = sep.start()
        while ke > line_start and text[ke - 1] in " \t":
            ke -= 1
        while ke > line_start and text[ke - 1] == "*":  # **Label:**
            ke -= 1
        if ke > line_start and text[ke - 1] in "\"'`]":  # "key": / ['key'] =
            ke -= 1
        # up to six words before the separator, read backwards (one match on the
        # reversed characters, not a search)
        lo = max(line_start, ke - 64)
        ks = ke - _KEY_HEAD_REVERSED.match(text[lo:ke][::-1]).end()
        # not across a sentence end ("... from customer success. Forecast for Q3:"); an
        # abbreviation ("Lic. No.", "D.O.B.") is short
        for end in _SENTENCE_END.finditer(text, ks, ke):
            ks = end.end()
        while ks < ke and not text[ks].isalnum():
            ks += 1
        if ks >= ke:
            return None
        kind = sep.lastgroup
        if kind == "xml" and not (ks > line_start and text[ks - 1] == "<"):
            return None
        if kind == "tab" and text.count("\t", line_start, line_end) != 1:
            return None  # a TSV row, not "Label<TAB>value"
        if kind == "gap" and text[line_start:ks].strip(" \t-*•>"):
            return None  # "SSN      078051121" is a form line only at its start
        vs = _VALUE_LEAD.match(text, sep.end(), line_end).end()
        return ks, ke, vs, kind == "xml"

    def _values(self, text: str, lines: Lines, i: int, vs: int, limit: int, xml: bool
                ) -> Iterator[tuple[int, int]]:
        """The value regions after a separator: the quoted string, the element's text,
        the rest of the line (up to the next label), or the lines below a bare label."""
        if vs < limit and text[vs] in "\"'`“‘":
            close = {"“": "”", "‘": "’"}.get(text[vs], text[vs])
            end = vs + 1
            while True:
                end = text.find(close, end, limit)
                if end < 0:
                    end = limit
                    break
                if text[end - 1] != "\\":
                    break
                end += 1
            yield _strip(text, vs + 1, end)
            return
        if xml:
            end = text.find("<", vs, limit)
            yield _strip(text, vs, limit if end < 0 else end)
            return
        cut = _NEXT_LABEL.search(text, vs, limit)
        end = cut.start() if cut else limit
        s, e = _strip(text, vs, end)
        s, e = _trim_value(text, s, e)
        if e > s:
            yield s, e
            return
        # a bare label: the lines below it, up to a blank line or the next label, are its
        # value (an address block) or its values (a bulleted list: split_list)
        first, last = -1, -1
        for j in range(i + 1, min(i + 1 + _BLOCK_LINES, len(lines))):
            row = lines.rows[j]
            if not row.strip() or _LABEL_LINE.match(row):
                break
            if first < 0:
                first = lines.starts[j] + _BULLET.match(row).end()
            last = lines.ends[j]
        if first >= 0:
            s, e = _strip(text, first, last)
            if e > s:
                yield s, e

    # -- the key of one value ---------------------------------------------------------------
    def key_before(self, text: str, lines: Lines, start: int) -> C | None:
        """The class of the key whose value starts at ``start`` ("timeUnixNano": "17...",
        order_id=4111...), or None when no key-value separator precedes it."""
        found = self.key_at(text, lines, start)
        return None if found is None else found[1]

    def key_at(self, text: str, lines: Lines, start: int) -> tuple[int, C | None] | None:
        """Where the key whose value starts at ``start`` starts, and its class; None when
        no key-value separator precedes the value on its line."""
        i = lines.index(start)
        m = _KEY_BEFORE.search(text, max(lines.starts[i], start - 64), start)
        if m is None:
            return None
        key = m.group("key").strip(" \t*-")
        return (m.start("key"), self._classify(key)) if key else None

    # -- lists ------------------------------------------------------------------------------
    @staticmethod
    def split_list(text: str, start: int, end: int) -> list[tuple[int, int]]:
        """The items of "A, B and C" in ``text[start:end]``."""
        out: list[tuple[int, int]] = []
        pos = start
        for m in _LIST_SPLIT.finditer(text, start, end):
            if m.start() > pos:
                out.append(_strip(text, pos, m.start()))
            pos = m.end()
        if pos < end:
            out.append(_strip(text, pos, end))
        return [(s, e) for s, e in out if e > s]


# --------------------------------------------------------------------------- helpers
def _inside(spans: Sequence[tuple[int, int]], pos: int) -> bool:
    """Whether ``pos`` lies in one of the ``spans`` (sorted by start)."""
    k = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return any(s <= pos < e for s, e in spans[max(0, k - 8):k + 1])


def _header_like(key: str) -> bool:
    """A header names a column in a few words ("Social Security No."); prose split at
    commas ("Hi team, I updated the checklist.") does not."""
    if not key or len(key) > 48 or key.count(" ") > 5 or key[-1] in "?!:" or ": " in key \
            or "=" in key:
        return False  # "Participants: Anders Villanueva" is a label with its value
    # "Social Security No.", "SOCIAL_SECURITY_NO.", "passportno.": an abbreviation, not
    # a sentence
    return not key.endswith(".") or " " not in key or \
        len(_WORDS.split(key.rstrip("."))[-1]) <= 5


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\r":
        start += 1
    while end > start and text[end - 1] in " \t\r":
        end -= 1
    return start, end


def _trim_value(text: str, start: int, end: int) -> tuple[int, int]:
    """An unquoted value without the punctuation that closes its structure: a JSON or
    YAML value's trailing comma and brackets, an INI comment."""
    while end > start and text[end - 1] in ",;}]|":
        end -= 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start, end


def _cells(row: str, delim: str) -> list[tuple[int, int]]:
    """Cell spans of one row (offsets in the row). Quoted CSV fields ("a, b") are one
    cell, their span inside the quotes; pipe tables lose their outer pipes."""
    start, end = 0, len(row)
    if delim == "|":
        while start < end and row[start] in " \t":
            start += 1
        while end > start and row[end - 1] in " \t\r":
            end -= 1
        # outer pipes come in pairs (Markdown, ASCII); a psql row ending in "| " has an
        # empty last cell
        if start < end and row[start] == "|":
            start += 1
            if end > start and row[end - 1] == "|":
                end -= 1
    cells: list[tuple[int, int]] = []
    pos = start
    if '"' not in row:
        while True:
            k = row.find(delim, pos, end)
            if k < 0:
                cells.append(_strip(row, pos, end))
                return cells
            cells.append(_strip(row, pos, k))
            pos = k + 1
    while pos <= end:
        s = pos
        while s < end and row[s] in " \t":
            s += 1
        if s < end and row[s] == '"':
            q = s + 1
            while True:
                q = row.find('"', q, end)
                if q < 0 or q + 1 >= end or row[q + 1] != '"':
                    break
                q += 2
            if q < 0:
                q = end
            cells.append((s + 1, q))
            k = row.find(delim, q, end)
        else:
            k = row.find(delim, s, end)
            cells.append(_strip(row, s, end if k < 0 else k))
        if k < 0:
            return cells
        pos = k + 1
    return cells


def _statements(text: str, lowered: str, word: str, pattern: re.Pattern[str]
                ) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` (which opens with ``word``) where ``word`` starts a word of
    ``text`` (``lowered``: its lower case)."""
    if len(lowered) != len(text):  # a character whose lower case is longer: plain search
        yield from (m for m in pattern.finditer(text) if not (
            m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_")))
        return
    pos = lowered.find(word)
    while pos >= 0:
        if not (pos and (lowered[pos - 1].isalnum() or lowered[pos - 1] == "_")):
            m = pattern.match(text, pos)
            if m is not None:
                yield m
                pos = lowered.find(word, max(pos + 1, m.end()))
                continue
        pos = lowered.find(word, pos + 1)


def _table_name(raw: str) -> str:
    return raw.strip("\"`[]").rsplit(".", 1)[-1].strip("\"`[]").lower()


def _column_list(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for m in re.finditer(r"[^,]+", text[start:end]):
        ident = _IDENT.search(m.group())
        if ident:
            s, e = ident.span(ident.lastgroup or 0)
            out.append((start + m.start() + s, start + m.start() + e))
    return out


def _create_columns(text: str, pos: int) -> list[tuple[int, int]]:
    """Column names of a ``CREATE TABLE (...)`` body starting at ``pos``."""
    depth, item_start, out = 0, pos, []
    quote = ""
    n = min(len(text), pos + 20_000)
    i = pos
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif ch in "),":  # at depth 0: the end of a column definition
            ident = _IDENT.search(text, item_start, i)
            if ident and (ident.lastgroup != "id" or
                          ident.group("id").lower() not in _CONSTRAINT_WORDS):
                out.append(ident.span(ident.lastgroup or 0))
            if ch == ")":
                return out
            item_start = i + 1
        i += 1
    return out
