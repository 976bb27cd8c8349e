"""What keys say about values: ``rulesets/pii_fields.yaml`` loaded, keys classified,
values under typed keys checked against their shape.

``structure.StructureFinder`` finds tables, SQL rows, key-value pairs and vCards; this
module gives it a classifier (a header, key or label -> the entity it names, or "not a
personal value": an id, a timestamp, a count) and turns the fields it reports into
findings:

* a value under a typed key whose shape fits becomes a candidate of that entity, even
  where the value alone would be too weak (nine bare digits under ``ssn``);
* names and places under PERSON / LOCATION keys become record names, judged by the
  same name rules as every other record cue (``pii_context.NameShape``);
* a value under a key that says what else it is ("timeUnixNano", "order_id") is a
  region where a bare run of digits is not a card, SSN or phone number.

Keys that count only inside a personal record (``weak_keys``: "name", "manager") need
another typed field or an identifier in the same table or record.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import ConfigError, ConfigProblem
from .pii_context import DirectName, NameShape
from .pii_field_rules import FieldRules, ShapeSpec, key_groups, phrase_words, spelled_words
from .pii_recognizers import Candidate, PatternRecognizer
from .pii_validators import VALIDATORS, Validator, fold_accents
from .structure import Lines, Structure, StructureFinder

# a number as ids, timestamps and amounts are written: digits, one decimal part at most
# (a card written "4111 1111 1111 1111" or "4111.1111.1111.1111" is not one)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# "ID/Passport No." holds one or the other: the slash reads as "or" (``alternatives``)
_SLASH = re.compile(r"(?<=\w)[ \t]*/[ \t]*(?=\w)")
_KEY_MEMO = 8192  # key classes kept per detector; the memo starts over when full


# --------------------------------------------------------------------------- keys
@dataclass(frozen=True)
class KeyClass:
    """What a key says about its values. ``entity`` None: the key names something that is
    not personal data (an id, a timestamp, a count): ``negative``."""

    entity: str | None
    score: float = 0.0
    shape: str = ""
    weak: bool = False  # counts only in a personal record
    label_ok: bool = False  # ... or as a capitalised form label ("Name:")
    list: bool = False
    parts: tuple[int, ...] = ()  # vCard components
    personal: bool = False  # a personal value that is not reported (zip, salary, age)

    @property
    def negative(self) -> bool:
        return self.entity is None and not self.personal


NEGATIVE = KeyClass(None)
_PERSONAL = KeyClass(None, personal=True)
_IGNORE = KeyClass(None, shape="ignore")


class KeyWords:
    """A key's words as the classifier compares them: a compound split into known words
    ("custdob" -> cust dob, "passportnbr" -> passport nbr, "Reisepassnummer" ->
    reisepass nummer), a plural made singular ("passports"), an abbreviation read as the
    word it stands for ("nbr" -> number, "dt" -> date), words such as "of" and "de" left
    out. Words are known from the phrases of the data file and its ``words`` section."""

    def __init__(self, rules: FieldRules) -> None:
        kw = rules.words
        fields = [p for f in rules.fields for p in (*f.keys, *f.weak_keys)]
        # names and places are judged by their shape, not a format: "clients" is a group
        # of people, not a column of names, and "salesperson" no name's key
        formats = [phrase_words(p) for f in rules.fields for p in (*f.keys, *f.weak_keys)
                   if (spec := rules.shapes.get(f.shape)) is not None and spec.builtin is None]
        others = [phrase_words(p) for p in (*rules.ignore, *rules.personal)]
        self._same = kw.same
        self._skip = kw.skip
        # the words of every phrase, and each phrase of several words written as one
        # ("bdate" for "b date": "custbdate" = cust bdate)
        known = {w for p in (*fields, *rules.ignore, *rules.personal)
                 for w in (*phrase_words(p), "".join(phrase_words(p)))}
        known |= set(rules.not_value_words) | set(kw.same) | set(kw.same.values()) | kw.filler
        self._known = frozenset(w for w in known if not w.isdigit())
        self._longest = max((len(w) for w in self._known), default=0)
        self._abbreviations = frozenset(kw.same) | kw.filler
        # a compound may start with an unknown word before the first word of a format's
        # phrase; a plural "s" may end the last word of a phrase or a qualifier
        self._heads = frozenset(kw.same.get(p[0], p[0]) for p in formats if p)
        self._plurals = frozenset(p[-1] for p in (*formats, *others) if p) | \
            rules.not_value_words

    def canonical(self, words: Iterable[str]) -> tuple[str, ...]:
        """Words of a phrase as compared: abbreviations read, filler words left out."""
        out = (self._same.get(w, w) for w in words)
        return tuple(w for w in out if w not in self._skip)

    def split(self, word: str, *, whole: bool = True) -> tuple[str, ...]:
        """``word`` as known words: itself when known (``whole``), else the fewest known
        words that spell it (the last may be a plural: "passports"), else -- for a
        known part of six letters or more that starts with the first word of a phrase of
        a formatted field ("holderpassport") -- that part after an unknown prefix, else
        itself. Words of three letters or fewer ("str", "ip") join a compound only as
        abbreviations of the ``same`` section or fillers, except one ("custdob"); a
        skipped word only between two others ("dateofbirth"). Linear in the word's
        length times the longest known word."""
        if whole and word in self._known or len(word) < 4 or word.isdigit() or len(word) > 48:
            return (word,)
        n = len(word)
        # best[j]: the fewest known words spelling word[j:] (None: none do), and how
        # many of them are short words that are neither abbreviations nor fillers
        best: list[tuple[tuple[str, ...], int] | None] = [None] * (n + 1)
        best[n] = ((), 0)
        for j in range(n - 1, -1, -1):
            for k in range(j + 1, min(n, j + self._longest + 1) + 1):
                after = best[k]
                if after is None or (not whole and k - j == n):
                    continue
                piece = word[j:k]
                if k - j == 1:  # "fnac": an initial only before an abbreviation
                    if j or not after[0] or after[0][0] not in self._same:
                        continue
                elif piece not in self._known:
                    if k < n or k - j < 6 or piece[-1] != "s" or piece[:-1] not in self._plurals:
                        continue
                    piece = piece[:-1]  # "passports"
                if piece in self._skip and (j == 0 or k == n):
                    continue
                short = after[1] + (len(piece) <= 3 and piece not in self._abbreviations)
                if short > 1:
                    continue
                found = ((piece, *after[0]), short)
                if best[j] is None or len(found[0]) < len(best[j][0]):
                    best[j] = found
        if best[0] is not None:
            return best[0][0]
        if whole:
            for j in range(2, n - 5):
                rest = best[j]
                if rest is not None and len(rest[0][0]) >= 4 and \
                        self._same.get(rest[0][0], rest[0][0]) in self._heads:
                    return rest[0]
        return (word,)

    def of_key(self, key: str) -> list[list[str]]:
        """The words of ``key`` grouped as ``key_groups`` groups them, split, singular,
        abbreviations read, filler words out."""
        out = []
        for group in key_groups(key):
            words = self.canonical(p for w in group for p in self.split(w))
            if words:
                out.append(list(words))
        return out


class KeyClassifier:
    """Keys -> KeyClass by their longest phrase (later on a tie), qualified by the words
    after it ("card_last4", "Customer ID": not a personal value). Keys and phrases are
    compared as ``KeyWords`` reads them."""

    def __init__(self, rules: FieldRules) -> None:
        self.words = KeyWords(rules)
        self._qualifiers = frozenset(self.words.canonical(rules.not_value_words))
        self._alternatives = rules.words.alternatives
        self._index: dict[str, list[tuple[tuple[str, ...], KeyClass]]] = {}
        # one word of every phrase of a personal type, its longest, as the file spells it
        self._spelled: set[str] = set()
        for spec in rules.fields:
            for phrases, weak in ((spec.keys, False), (spec.weak_keys, True)):
                for phrase in phrases:
                    cls = KeyClass(spec.entity, spec.score, spec.shape, weak,
                                   phrase in spec.label_keys, spec.list)
                    self._add(phrase, cls)
                    spelled = spelled_words(phrase)
                    if spelled:
                        self._spelled.add(max(spelled, key=lambda w: len(fold_accents(w))))
        for phrase in rules.ignore:
            self._add(phrase, _IGNORE)
        for phrase in rules.personal:
            self._add(phrase, _PERSONAL)
        # a word a key may hold instead of the one searched for ("ppt" for "passport")
        forms: dict[str, set[str]] = {}
        for form, word in rules.words.same.items():
            forms.setdefault(word, set()).add(form)
        for word in list(self._spelled):
            canonical = rules.words.same.get(fold_accents(word), fold_accents(word))
            self._spelled |= forms.get(canonical, set())

    def _add(self, phrase: str, cls: KeyClass) -> None:
        raw = phrase_words(phrase)
        words = self.words.canonical(raw)
        if not words:
            return
        variants = {words, ("".join(raw),)}
        if len(raw) == 1:  # "Reisepassnummer" also as "reisepass nummer", "birthday" as
            split = self.words.split(raw[0], whole=False)  # "birth day"
            if len(split) > 1:
                variants.add(self.words.canonical(split))
        for variant in variants:
            entries = self._index.setdefault(variant[0], [])
            if all(v != variant for v, _ in entries):  # the first entry of a phrase wins
                entries.append((variant, cls))

    @property
    def vocabulary(self) -> frozenset[str]:
        """One word of every phrase of a personal type, its longest, as the data file
        spells it ("prénom"), and the other forms of that word ("ppt" for "passport"):
        a key holding the phrase holds one of them (the structure finder searches for
        them and their forms without accents)."""
        return frozenset(self._spelled)

    def __call__(self, key: str) -> KeyClass | None:
        groups = self.words.of_key(_SLASH.sub(" or ", key))
        words = [w for g in groups for w in g]
        if not words or len(words) > 12:
            return None
        group_of = [k for k, g in enumerate(groups) for _ in g]
        named = sum(not w.isdigit() for w in words)
        best: tuple[int, int, KeyClass] | None = None  # phrase length, position, class
        for i, word in enumerate(words):
            for phrase, cls in self._index.get(word, ()):
                n = len(phrase)
                if tuple(words[i:i + n]) != phrase:
                    continue
                # "last", "first6": a qualifier that is also a phrase names the value
                # only when it is the whole key ("Last" as a column of surnames)
                if n == 1 and phrase[0] in self._qualifiers and named > 1:
                    continue
                if best is None or (n, i) >= best[:2]:
                    best = (n, i, cls)
        if best is None:
            tail = [w for g in groups[-2:] for w in g]
            return NEGATIVE if any(w in self._qualifiers for w in tail) else None
        n, i, cls = best
        # only the phrase's own side of "A or B" / "A/B" qualifies it
        lo, hi = i, i + n
        while lo > 0 and words[lo - 1] not in self._alternatives:
            lo -= 1
        while hi < len(words) and words[hi] not in self._alternatives:
            hi += 1
        phrase_groups = set(group_of[i:i + n])
        rest = [w for k, w in enumerate(words)
                if lo <= k < hi and (k >= i + n or (k < i and group_of[k] in phrase_groups))
                and not w.isdigit()]
        if any(w in self._qualifiers for w in rest):
            return NEGATIVE
        return None if cls is _IGNORE else cls


# --------------------------------------------------------------------------- shapes
class Shape:
    """A value's expected form: a regex at the value's start (ending at a boundary) and a
    validator, or the patterns and validator of pii.yaml recognizers."""

    def __init__(self, spec: ShapeSpec, recognizers: Mapping[str, PatternRecognizer]) -> None:
        self.spec = spec
        self.builtin = spec.builtin
        self._parts: list[tuple[re.Pattern[str], Validator | None]] = []
        if spec.regex is not None:
            validator = VALIDATORS[spec.validator].build(spec.validator_options) \
                if spec.validator else None
            self._parts.append((spec.regex, validator))
        for rid in spec.recognizers:
            rec = recognizers[rid]
            self._parts += [(p.regex, rec.validate) for p in rec.spec.patterns]

    def match(self, value: str) -> tuple[int, int, float | None] | None:
        """(start, end, validator score or None) of the shape at the value's start."""
        for regex, validate in self._parts:
            m = regex.match(value)
            if m is None:
                continue
            end = m.end()
            if end < len(value) and value[end].isalnum() and value[end - 1].isalnum():
                continue
            score = None
            if validate is not None:
                verdict = validate(m.group())
                if verdict is None:
                    continue
                if verdict.length is not None:
                    end = m.start() + verdict.length
                score = verdict.score
            return m.start(), end, score
        return None


def _shape_failures(shape: Shape, names: NameShape) -> list[str]:
    """Examples of a shape that misbehave (builtin name shapes: by ``names``)."""
    out = []
    for kind, values, want in (("match", shape.spec.examples_match, True),
                               ("no_match", shape.spec.examples_no_match, False)):
        for i, value in enumerate(values):
            if shape.builtin is not None:
                got = names.span(value, 0, len(value), whole=True) == (0, len(value))
            else:
                found = shape.match(value)
                got = found is not None and found[1] - found[0] == len(value) and (
                    found[2] is None or found[2] >= 0.5)
            if got != want:
                out.append(f"{kind} example {i + 1} ({value!r}) "
                           f"{'not accepted' if want else 'accepted'}")
    return out


# --------------------------------------------------------------------------- findings
@dataclass(frozen=True)
class FieldFindings:
    """What the keys of one text say: candidates (not PERSON/LOCATION), record names,
    regions where bare digits are not ``suppress`` types, and record marks for NER."""

    candidates: tuple[Candidate, ...]
    names: tuple[DirectName, ...]
    not_values: tuple[tuple[int, int], ...]  # sorted value spans under negative keys
    marks: tuple[tuple[int, int], ...]  # key .. value of name fields (NER windows)
    proven_lines: frozenset[int]  # table rows whose names their header proves
    # values of tables, SQL rows and keys, sorted: (start, end, row start, key class;
    # None for a cell under a column nothing classified)
    regions: tuple[tuple[int, int, int, KeyClass | None], ...] = ()
    headers: tuple[tuple[int, int], ...] = ()  # header lines of those tables, sorted


class FieldDetector:
    """Structure + key classes -> findings. Build once; thread-safe (no mutable state)."""

    def __init__(self, rules: FieldRules, recognizers: Sequence[PatternRecognizer],
                 names: NameShape) -> None:
        self.rules = rules
        self.suppress = rules.suppress
        self.suppress_any = rules.suppress_any
        self._names = names
        by_id = {r.id: r for r in recognizers}
        problems: list[ConfigProblem] = []
        for spec in rules.shapes.values():
            for rid in spec.recognizers:
                if rid not in by_id:
                    problems.append(ConfigProblem(rules.file, spec.line,
                                                  f"shapes.{spec.name}.recognizers",
                                                  f"no recognizer {rid!r} in pii.yaml"))
        if problems:
            raise ConfigError(problems)
        self._shapes = {name: Shape(spec, by_id) for name, spec in rules.shapes.items()}
        # recognizers whose matches count only by a context word, which in a structure
        # is the value's own key
        self._contextual = {r.id: r for r in recognizers if r.spec.context_required
                            and r.entity in rules.context_by_key}
        self.classify = KeyClassifier(rules)
        # Keys recur across requests (an agent's tool schemas, an export's header): their
        # classes are kept under a keyed hash, never the key text (it may be prose).
        self._hash_key = os.urandom(32)
        self._known: dict[bytes, KeyClass | None] = {}
        vcard = {prop: KeyClass(v.entity, _score_of(rules, v.entity), _shape_of(rules, v.entity),
                                parts=v.parts)
                 for prop, v in rules.vcard.items()}
        self._finder: StructureFinder[KeyClass] = StructureFinder(
            self._classify_cached, self.classify.vocabulary, vcard.get)
        problems = self._example_failures()
        if problems:
            raise ConfigError(problems)

    def _classify_cached(self, key: str) -> KeyClass | None:
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), key=self._hash_key,
                                 digest_size=16).digest()
        try:
            return self._known[digest]
        except KeyError:
            pass
        cls = self.classify(key)
        if len(self._known) >= _KEY_MEMO:
            self._known.clear()
        self._known[digest] = cls
        return cls

    def _example_failures(self) -> list[ConfigProblem]:
        rules = self.rules
        out: list[ConfigProblem] = []
        for spec in rules.shapes.values():
            for message in _shape_failures(self._shapes[spec.name], self._names):
                out.append(ConfigProblem(rules.file, spec.line,
                                         f"shapes.{spec.name}.examples", message))
        for k, spec in enumerate(rules.fields):
            for kind, keys, want in (("match", spec.examples_match, True),
                                     ("no_match", spec.examples_no_match, False)):
                for key in keys:
                    cls = self.classify(key)
                    got = cls is not None and cls.entity == spec.entity
                    if got != want:
                        out.append(ConfigProblem(
                            rules.file, spec.line, f"fields[{k}].examples.{kind}",
                            f"key {key!r} {'is not' if want else 'is'} read as {spec.entity}"))
        for name, examples, wanted in (("ignore", rules.ignore_examples, None),
                                       ("personal", rules.personal_examples, "personal")):
            for kind, keys, want in (("match", examples.match, True),
                                     ("no_match", examples.no_match, False)):
                for key in keys:
                    cls = self.classify(key)
                    got = cls is None if wanted is None else (cls is not None and cls.personal)
                    if got != want:
                        out.append(ConfigProblem(
                            rules.file, examples.line, f"{name}.examples.{kind}",
                            f"key {key!r} {'is not' if want else 'is'} read as {name}"))
        match, no_match = rules.not_value_examples
        for kind, keys, want in (("match", match, True), ("no_match", no_match, False)):
            for key in keys:
                cls = self.classify(key)
                if (cls is not None and cls.negative) != want:
                    out.append(ConfigProblem(rules.file, rules.not_value_line,
                                             f"not_values.examples.{kind}",
                                             f"key {key!r} {'is not' if want else 'is'} read "
                                             "as naming something else"))
        return out

    def find(self, text: str, lines: Lines, data: bytes | None,
             anchors: Sequence[tuple[int, int]]) -> FieldFindings:
        """``anchors``: identifiers already found (a record holding one is personal)."""
        structure = self._finder.find(text, lines, data)
        if not structure.fields:
            return FieldFindings((), (), (), (), frozenset())
        values: list[tuple[int, int, int, KeyClass | None]] = [
            (f.value_start, f.value_end, lines.starts[lines.index(f.value_start)], f.key_class)
            for f in structure.fields]
        values += [(s, e, row, None) for s, e, row in structure.cells]
        values.sort(key=lambda r: (r[0], r[1]))
        personal = self._personal_blocks(structure, anchors)
        candidates: list[Candidate] = []
        names: list[DirectName] = []
        not_values: list[tuple[int, int]] = []
        marks: list[tuple[int, int]] = []
        person_blocks: set[int] = set()
        for f in structure.fields:
            cls = f.key_class
            if cls.negative:
                not_values.append((f.value_start, f.value_end))
                continue
            if cls.personal:
                continue
            if cls.weak and f.block not in personal and not (cls.label_ok and f.label):
                continue
            regions = [(f.value_start, f.value_end)]
            if cls.parts:
                regions = _parts(text, f.value_start, f.value_end, cls.parts)
            elif cls.list and f.kind == "kv":
                regions = StructureFinder.split_list(text, f.value_start, f.value_end)
            shape = self._shapes[cls.shape]
            if shape.builtin is not None:
                whole = f.kind != "kv" or len(regions) > 1
                named = False
                for s, e in regions:
                    span = self._names.span(text, s, e, whole=whole)
                    if span is None or (not whole and text[span[1]:e].lstrip()[:1].isalnum()):
                        continue
                    entity = "PERSON" if shape.builtin == "name" else "LOCATION"
                    names.append(DirectName(*span, cls.score, f"field-{f.kind}", entity))
                    named = True
                    if entity == "PERSON" and f.kind in ("table", "sql"):
                        person_blocks.add(f.block)
                # a name field's line is a record the model may read ("Patient: ..."):
                # when it named someone, or as a form line of its own
                if f.kind == "kv" and (named or not text[lines.starts[lines.index(
                        f.key_start)]:f.key_start].strip(" \t-*•>#|")):
                    marks.append((f.key_start, f.value_end))
                continue
            for s, e in regions:
                while s < e and text[s] in "'=\"":  # Excel's text markers: '078051121
                    s += 1
                found = shape.match(text[s:e])
                if found is None:
                    continue
                a, b, verdict = found
                score = cls.score if verdict is None else min(cls.score, verdict)
                candidates.append(Candidate(cls.entity or "", s + a, s + b, score,
                                            f"field-{f.kind}"))
        proven: set[int] = set()  # rows of tables and SQL dumps whose names are proven
        for b in person_blocks:
            s, e = structure.blocks[b]
            proven.update(range(lines.index(s), lines.index(max(s, e - 1)) + 1))
        not_values.sort()
        return FieldFindings(tuple(candidates), tuple(names), tuple(not_values), tuple(marks),
                             frozenset(proven), tuple(values), tuple(sorted(structure.headers)))

    @staticmethod
    def _personal_blocks(structure: Structure[KeyClass], anchors: Sequence[tuple[int, int]]
                         ) -> set[int]:
        # a strong key (ssn, email, first_name), a personal one (zip, salary), or two
        # kinds of weak ones (a name and a town) make a table or record personal
        out = {f.block for f in structure.fields
               if not f.key_class.negative and not f.key_class.weak}
        weak: dict[int, set[str | None]] = {}
        for f in structure.fields:
            if f.key_class.weak:
                weak.setdefault(f.block, set()).add(f.key_class.entity)
        out.update(b for b, kinds in weak.items() if len(kinds) > 1)
        starts = sorted(a for a, _ in anchors)
        for b, (s, e) in enumerate(structure.blocks):
            k = bisect.bisect_left(starts, s)
            if k < len(starts) and starts[k] < e:
                out.add(b)
        return out

    def merge(self, text: str, lines: Lines, found: Sequence[Candidate],
              fields: FieldFindings) -> list[Candidate]:
        """Pattern candidates and field candidates of one text. A value typed by its key
        has its exact span (a cell, a quoted string): a pattern match of the same type
        overlapping it (an address run on into the next CSV cell) gives way to it."""
        typed = sorted((c.start, c.end, c.entity) for c in fields.candidates)
        starts = [s for s, _, _ in typed]
        longest = max((e - s for s, e, _ in typed), default=0)
        kept = []
        for c in found:
            j = bisect.bisect_left(starts, c.end) - 1
            overlaps = False
            while j >= 0 and typed[j][0] >= c.start - longest:
                s, t, e = typed[j]
                if e == c.entity and t > c.start:
                    overlaps = True
                    break
                j -= 1
            if not overlaps and self._context_holds(text, lines, c, fields):
                kept.append(c)
        return self.drop_not_values(text, lines, kept + list(fields.candidates),
                                    fields.not_values)

    def _context_holds(self, text: str, lines: Lines, c: Candidate,
                       fields: FieldFindings) -> bool:
        """Whether a pattern candidate that counts only by a context word ("passport"
        near nine digits) keeps it in a structure. There a value's context is its own
        key: under a column, JSON key or label that names something else (an
        application number, a start date) it is not that entity, whatever the header
        of the next column says; under a column nothing classified, only a context word
        before it in its own row counts ("passport,912803456"); after a key nothing
        classified, only one before the key and after the previous pair (a heading, not
        a sibling key); outside a structure, one that is not in a table's header line
        (a title line above the table)."""
        recognizer = self._contextual.get(c.detector)
        if recognizer is None:
            return True
        regions = fields.regions
        # the region holding the candidate: regions do not nest (cells, values), so it
        # is the last one starting at or before it
        k = bisect.bisect_right(regions, c.start, key=lambda r: r[0]) - 1
        if k >= 0 and c.end <= regions[k][1]:
            _, _, row, cls = regions[k]
            if cls is not None:
                return cls.entity == c.entity
            return recognizer.context_within(
                text, max(row, c.start - recognizer.context_before), c.start)
        key = self._finder.key_at(text, lines, c.start)
        if key is not None:
            ks, cls = key
            if cls is not None:
                return cls.entity == c.entity
            lo = max(0, c.start - recognizer.context_before)
            lo = max(lo, text.rfind(":", lo, ks) + 1, text.rfind("=", lo, ks) + 1)
            return recognizer.context_within(text, lo, ks)
        if not fields.headers:
            return True
        before = (max(0, c.start - recognizer.context_before), c.start)
        after = (c.end, min(len(text), c.end + recognizer.context_after))
        return any(recognizer.context_within(text, s, e)
                   for lo, hi in (before, after) for s, e in _outside(lo, hi, fields.headers))

    def drop_not_values(self, text: str, lines: Lines, candidates: list[Candidate],
                        regions: Sequence[tuple[int, int]]) -> list[Candidate]:
        """Without the candidates of ``suppress`` types that are a bare number (or of
        ``suppress_any`` types, whatever their shape: a date that is not a birth date, a
        dotted quad that is a version) under a key that says what else they are: in a
        column or value of such a key (``regions``), or right after one ("timeUnixNano":
        "1738375669470309139", "created_at": "1985-03-14")."""
        starts = [s for s, _ in regions]
        out = []
        for c in candidates:
            if c.entity in self.suppress_any or (
                    c.entity in self.suppress and _NUMBER.fullmatch(text, c.start, c.end)):
                k = bisect.bisect_right(starts, c.start) - 1
                if k >= 0 and regions[k][0] <= c.start and c.end <= regions[k][1]:
                    continue
                key = self._finder.key_before(text, lines, c.start)
                if key is not None and key.negative:
                    continue
            out.append(c)
        return out


def _outside(start: int, end: int, spans: Sequence[tuple[int, int]]
             ) -> list[tuple[int, int]]:
    """``[start, end)`` without the sorted, disjoint ``spans``."""
    out = []
    k = max(0, bisect.bisect_right(spans, (start, start)) - 1)
    pos = start
    while k < len(spans) and spans[k][0] < end:
        s, e = spans[k]
        if e > pos:
            if s > pos:
                out.append((pos, s))
            pos = max(pos, e)
        k += 1
    if pos < end:
        out.append((pos, end))
    return out


def _parts(text: str, start: int, end: int, parts: Sequence[int]) -> list[tuple[int, int]]:
    """The ;-separated components ``parts`` of a vCard value."""
    spans, pos = [], start
    while True:
        k = text.find(";", pos, end)
        spans.append((pos, end if k < 0 else k))
        if k < 0:
            break
        pos = k + 1
    return [(s, e) for i, (s, e) in enumerate(spans) if i in parts and e > s]


def _score_of(rules: FieldRules, entity: str) -> float:
    return next((f.score for f in rules.fields if f.entity == entity), 0.9)


def _shape_of(rules: FieldRules, entity: str) -> str:
    return next((f.shape for f in rules.fields if f.entity == entity), "")
