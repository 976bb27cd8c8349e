"""Personal-data detection: fast validated patterns, and judgement about names.

Structured identifiers (e-mail, phone, card, SSN, IBAN, IP, passport, driving licence,
date of birth, street address) come from the pattern recognizers of
``rulesets/pii.yaml`` -- regexes plus validation code, microseconds per prompt. A
PERSON needs judgement: "a biography of Marie Curie" leaks nothing. In the default
``contextual`` mode a name counts only inside a record: near another identifier, in a
form field, header, signature, table or self-introduction. The spaCy model runs only
on those windows (none at all for a prompt without any), with a per-instance cache so
re-sent chat history costs nothing. ``all`` runs NER only on the sentences (or blocks of
short lines) around capitalised words that are not common words, labels or identifiers,
so a long prompt's other sentences are never read; a large batch is split across model
copies in threads (``pii_ner``). ``off`` reports no names. Wherever the model runs, a
name lexicon (``pii_names``) adds the non-English names it misses and vets its guesses.

Findings carry offsets, type, score and detector id -- never the matched text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..errors import ConfigError, ConfigProblem
from ..sources import FileReader, Sources
from .pii_context import DirectName, RecordFinder, merge_ranges
from .pii_fields import FieldDetector
from .pii_names import NameFinder, load_name_lexicon
from .pii_ner import OTHER, NerEngine
from .pii_recognizers import Candidate, RecognizerSet
from .pii_rules import DEFAULT_PATTERNS_PATH, load_pii_rules
from .prefilter import scan_bytes
from .structure import Lines

PERSON = "PERSON"
PERSON_MODES = ("contextual", "all", "off")
DEFAULT_THRESHOLD = 0.5
NER_DETECTOR = "spacy-ner"
LEXICON_DETECTOR = "name-lexicon"  # detector ids "name-lexicon-<rule>"
DEFAULT_ENTITIES = frozenset({
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE",
    "IP_ADDRESS", "STREET_ADDRESS", "LOCATION", "DATE_OF_BIRTH", "PASSPORT",
    "US_DRIVER_LICENSE",
})
_INDEX_WORD = re.compile(r"\w+")
_STRUCTURAL = re.compile(r"[\"{}\[\]:=<>|@/\\_\d]")
_WORD_CHAR = re.compile(r"\w")
# NER snippets are at most this long (a CSV of 10 000 rows, a minified line).
_CHUNK = 1500


@dataclass(frozen=True)
class PiiSettings:
    """What to report. Built from the ruleset; the defaults report every type."""

    entities: frozenset[str] = DEFAULT_ENTITIES
    thresholds: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    person_mode: str = "contextual"  # contextual | all | off
    language: str = "en"

    def __post_init__(self) -> None:
        if self.person_mode not in PERSON_MODES:
            raise ValueError(f"person_mode must be one of {', '.join(PERSON_MODES)}")
        if self.language != "en":
            raise ValueError("only language 'en' is supported by the bundled model")
        for entity, value in self.thresholds.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"threshold for {entity} must be between 0 and 1")

    def threshold(self, entity: str) -> float:
        return self.thresholds.get(entity, DEFAULT_THRESHOLD)


@dataclass(frozen=True)
class PiiMatch:
    """One finding: where, what type, how sure, which detector. Never the value."""

    entity: str
    start: int
    end: int
    score: float
    detector: str


@dataclass(frozen=True)
class _Plan:
    """Per-text work before NER: pattern findings, direct names, NER chunks."""

    candidates: tuple[Candidate, ...]
    names: tuple[DirectName, ...]
    windows: tuple[tuple[int, int], ...]  # record windows (where LOCATION counts)
    chunks: tuple[tuple[int, int], ...]  # where NER runs


class PiiDetector:
    """Finds personal data in text. Build once (loads the model); scan many times.

    Thread-safe: the only mutable state is the NER cache, guarded by a lock.
    """

    def __init__(self, settings: PiiSettings, patterns_path: Path = DEFAULT_PATTERNS_PATH,
                 sources: Sources | None = None):
        """``sources``: where the pattern file and the files it names are read (by
        default from disk; a scan worker passes its ruleset's snapshot)."""
        sources = sources or FileReader()
        rules = load_pii_rules(patterns_path, sources)
        unknown = settings.entities - rules.entities
        if unknown:
            raise ValueError(
                f"entity types not provided by {patterns_path}: {', '.join(sorted(unknown))}"
            )
        self.settings = settings
        self._recognizers = RecognizerSet(rules.recognizers, rules.address_lines)
        # A recognizer that misses its own examples (at the default threshold: a ruleset
        # may ask for more) is refused, as a secret rule is.
        failures = self._recognizers.example_failures(lambda _: DEFAULT_THRESHOLD)
        if failures:
            raise ConfigError([ConfigProblem(rules.file, spec.line,
                                             f"recognizers.{spec.id}.examples", message)
                               for spec, message in failures])
        self._records = RecordFinder(rules.person, rules.ner, rules.ner.score)
        # what table headers, keys and labels say about the values under them
        self._fields = FieldDetector(rules.fields, self._recognizers.recognizers,
                                     self._records.shape) if rules.fields is not None else None
        self._ner_score = rules.ner.score
        self._all_sentences = rules.ner.all_neighbour_sentences
        self._want_person = PERSON in settings.entities and settings.person_mode != "off"
        ner_entities = set(rules.ner.labels.values()) & settings.entities
        if not self._want_person:
            ner_entities.discard(PERSON)
        self._ner = NerEngine(rules.ner, rules.file) if ner_entities else None
        self._names: NameFinder | None = None
        if self._want_person:
            lex = rules.lexicon
            person = rules.person
            self._names = NameFinder(
                load_name_lexicon(lex.file, sources),
                stop_words=person.not_names | person.titles | person.label_words,
                lone_stop_words=lex.not_person_words, organisation_words=lex.organisation_words,
                street_words=lex.street_words,
                street_prefix_words=lex.street_prefix_words,
                heading_words=lex.heading_words, slot_before=lex.name_before,
                slot_after=lex.name_after, score=lex.score, single_score=lex.single_score,
                slot_score=lex.slot_score)

    # -- public -------------------------------------------------------------------------
    def scan(self, text: str) -> list[PiiMatch]:
        return self.scan_many([text])[0]

    def scan_many(self, texts: Sequence[str], data: Sequence[bytes] | None = None
                  ) -> list[list[PiiMatch]]:
        """Scan several texts; NER for all of them runs as one batch. ``data``: each text's
        ``prefilter.scan_bytes``, if the caller has them."""
        plans = [self._plan(t, data[i] if data is not None else None)
                 for i, t in enumerate(texts)]
        snippets: list[str] = []
        owners: list[tuple[int, int, int]] = []  # (text index, chunk start, chunk end)
        for i, plan in enumerate(plans):
            for start, end in plan.chunks:
                snippet = texts[i][start:end]
                if self._names is not None and not any(ch.isupper() for ch in snippet):
                    snippet = self._names.recase(snippet)  # "eva kleist" -> "Eva Kleist"
                snippets.append(snippet)
                owners.append((i, start, end))
        entities = self._ner.entities(snippets) if (self._ner and snippets) else []
        per_text: list[list[Candidate]] = [list(p.candidates) for p in plans]
        for (i, start, end), snippet, ents in zip(owners, snippets, entities, strict=True):
            model = self._ner_candidates(snippet, plans[i], start, ents)
            if self._names is not None:
                vetoes = [(start + e.start, start + e.end) for e in ents
                          if e.entity != PERSON]
                found = self._names.find(texts[i], start, end, vetoes)
                strong = [(n.start, n.end) for n in found if n.overrides_model]
                # "Tünde Hoffmann" is a person even when the model calls it a place
                model = [c for c in model if c.entity == PERSON or not any(
                    s < c.end and c.start < e for s, e in strong)]
                per_text[i].extend(
                    Candidate(PERSON, n.start, n.end, n.score, f"{LEXICON_DETECTOR}-{n.cue}")
                    for n in found)
            per_text[i].extend(model)
        for i, plan in enumerate(plans):
            per_text[i].extend(
                Candidate(n.entity, n.start, n.end, n.score, f"record-{n.cue}")
                for n in plan.names if n.entity != PERSON or self._names is None
                or self._names.plausible_person(texts[i], n.start, n.end, record=True)
            )
        if self._names is not None:
            names = self._names
            per_text = [[c for c in found if c.entity != PERSON
                         or not names.looks_like_code(texts[i], c.start, c.end)]
                        for i, found in enumerate(per_text)]
        return [self._finish(self._propagate(texts[i], c)) for i, c in enumerate(per_text)]

    # -- steps --------------------------------------------------------------------------
    def _plan(self, text: str, data: bytes | None) -> _Plan:
        if data is None:  # every Hyperscan pass below reads the same bytes
            data = scan_bytes(text)
        found = self._recognizers.analyze(text, data=data)
        lines = Lines(text)
        fields = None
        if self._fields is not None:
            fields = self._fields.find(text, lines, data, self._anchors(found))
            found = self._fields.merge(text, lines, found, fields)
        candidates = tuple(found)
        if self._ner is None and not self._want_person:
            return _Plan(candidates, (), (), ())
        anchors = self._anchors(candidates)
        if fields is not None and self._want_person:
            cues = self._records.cues(text, anchors, data, lines, fields.names, fields.marks,
                                      fields.proven_lines)
        else:
            cues = self._records.cues(text, anchors, data, lines)
        names = cues.names if self._want_person else ()
        every_name = self.settings.person_mode == "all" and self._want_person
        areas = _paragraph_chunks(text) if every_name else cues.windows
        if self._want_person:
            extra = [n for s, e in areas for n in self._records.window_names(text, s, e)]
            names = names + tuple(extra)
        # The model only finds what a capitalised word starts; a window whose only such
        # words are identifiers, names already proven, or labels ("Phone:", "Apt.") has
        # nothing left for it. In `all` mode, where it could read every paragraph, common
        # words ("Explain", "The") do not count either, and it reads only the sentences
        # (or short-line blocks) around the words left: most prompts then need no model
        # run, and a long one only a fraction of its text.
        known = merge_ranges([(c.start, c.end) for c in candidates]
                             + [(n.start, n.end) for n in names])
        if every_name:
            assert self._names is not None  # every_name implies _want_person
            lower = [a for a in areas if self._names.lower_case_names(text, *a)]
            chunks = merge_ranges([*self._records.open_windows(
                text, cues.lines, areas, known, self._names.common_word,
                self._all_sentences), *lower])
        else:
            chunks = tuple(w for w in areas if self._records.has_open_words(
                text, w[0], w[1], known) or (self._names is not None
                                             and self._names.lower_case_names(text, *w)))
        return _Plan(candidates, names, cues.windows,
                     _split_long(text, chunks) if self._ner else ())

    def _anchors(self, candidates: Sequence[Candidate]) -> list[tuple[int, int]]:
        """Identifiers found: the spans of candidates that will be reported."""
        return [(c.start, c.end) for c in candidates
                if c.score >= self.settings.threshold(c.entity)]

    def _ner_candidates(self, snippet: str, plan: _Plan, offset: int,
                        ents) -> list[Candidate]:
        """Candidates from the model's entities in ``snippet`` (the text the model read,
        re-cased if it was all lower case), which starts at ``offset`` in the text."""
        out: list[Candidate] = []
        for ent in ents:
            start, end = ent.start, ent.end
            if ent.entity == OTHER:
                continue
            if ent.entity == PERSON:
                span = self._records.shape.trim(snippet, start, end) if self._want_person \
                    else None
                if span is None:
                    continue
                start, end = span
                if self._names is not None and not self._names.plausible_person(
                        snippet, start, end):
                    continue
            elif _STRUCTURAL.search(snippet, start, end):
                continue  # 'leave"},{"record_id': the model read minified JSON
            if self._records.only_labels(snippet, start, end):
                continue  # "Dirección", "Führerschein-Nr": a field label
            start, end = start + offset, end + offset
            if ent.entity != PERSON and self.settings.person_mode == "all" and not _inside(
                    plan.windows, start, end):
                continue  # a place name alone is not personal data: records only
            out.append(Candidate(ent.entity, start, end, self._ner_score, NER_DETECTOR))
        return out

    def _finish(self, candidates: list[Candidate]) -> list[PiiMatch]:
        wanted = [c for c in candidates
                  if c.entity in self.settings.entities
                  and c.score >= self.settings.threshold(c.entity) and c.end > c.start]
        return [PiiMatch(c.entity, c.start, c.end, round(c.score, 4), c.detector)
                for c in _resolve_overlaps(wanted)]


    def _propagate(self, text: str, candidates: list[Candidate]) -> list[Candidate]:
        """A name found once names the same person wherever the same words recur in the
        text ("Ella H. Snider\n>Otc Markets\n>Ella H. Snider"), and so do its distinctive
        given name and surname alone ("Jouni Hahli ... Jouni", "early Yefremova")."""
        persons = [c for c in candidates if c.entity == PERSON and c.end - c.start >= 3]
        if not persons:
            return candidates
        out = list(candidates)
        seen: set[str] = set()
        todo: list[tuple[str, Candidate]] = []
        for c in sorted(persons, key=lambda c: -c.score):
            value = text[c.start:c.end]
            forms = [value] + (self._names.short_forms(value) if self._names else [])
            for form in forms:
                first = _INDEX_WORD.search(form)
                if form in seen or first is None or first.start() != 0:
                    continue
                seen.add(form)
                todo.append((form, c))
        index = _word_index(text, {_INDEX_WORD.match(form).group() for form, _ in todo})
        for form, c in todo:
            for pos in index.get(_INDEX_WORD.match(form).group(), ()):
                end = pos + len(form)
                # not inside a hyphenated compound ("Friedrich-Ebert-Damm")
                if pos != c.start and text.startswith(form, pos) and (
                        end == len(text) or not (text[end].isalnum() or text[end] == "-")
                ) and not (pos and text[pos - 1] == "-"):
                    out.append(Candidate(PERSON, pos, end, c.score, c.detector))
        return out


_MANY_WORDS = 32  # more first words than this: one pass over the text's words


def _word_index(text: str, words: set[str]) -> dict[str, list[int]]:
    """Where each of ``words`` stands as a whole word. A few are searched for one by one;
    many (a 1 MB export with thousands of names) are found in one pass over the text's
    words, so the cost stays linear in the text."""
    if len(words) <= _MANY_WORDS:
        return {word: _whole_word_starts(text, word) for word in words}
    out: dict[str, list[int]] = {}
    for m in _INDEX_WORD.finditer(text):
        if m.group() in words:
            out.setdefault(m.group(), []).append(m.start())
    return out


def _whole_word_starts(text: str, word: str) -> list[int]:
    """Where ``word`` (a run of word characters) occurs in ``text`` as a whole run: a
    substring search per name, far cheaper on a long text than indexing every word."""
    out: list[int] = []
    pos = text.find(word)
    while pos >= 0:
        end = pos + len(word)
        if not (pos and _WORD_CHAR.match(text, pos - 1)) and not _WORD_CHAR.match(text, end):
            out.append(pos)
        pos = text.find(word, pos + 1)
    return out


def _inside(ranges: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in ranges)


def _paragraph_chunks(text: str) -> tuple[tuple[int, int], ...]:
    """Paragraphs (split on blank lines), for `all` mode."""
    chunks: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n\n"):
        if para.strip():
            chunks.append((pos, pos + len(para)))
        pos += len(para) + 2
    return _split_long(text, chunks)


def _split_long(text: str, ranges: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Cut ranges longer than ``_CHUNK`` at line ends (else spaces): the model's cost and
    memory stay bounded, and an edit invalidates only the cached piece it touches."""
    out: list[tuple[int, int]] = []
    for start, end in ranges:
        while end - start > _CHUNK:
            cut = text.rfind("\n", start + 1, start + _CHUNK)
            if cut < 0:
                cut = text.rfind(" ", start + 1, start + _CHUNK)
            if cut < 0:
                cut = start + _CHUNK
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return tuple(out)


def _resolve_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Same type overlapping: one span covering both. Different types: validated patterns
    and record structure beat the NER model's guesses, then the stronger (then longer)
    wins, so each character is reported at most once."""
    by_type: dict[str, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: (c.entity, c.start, -c.end)):
        group = by_type.setdefault(c.entity, [])
        if group and c.start < group[-1].end:
            last = group[-1]
            best = last if last.score >= c.score else c
            group[-1] = Candidate(c.entity, last.start, max(last.end, c.end),
                                  max(last.score, c.score), best.detector)
        else:
            group.append(c)
    merged = sorted((c for group in by_type.values() for c in group),
                    key=lambda c: (c.start, c.end))
    # Spans that overlap nothing else are kept as they are; each run of overlapping
    # spans is settled on its own, so a text with thousands of findings (an export)
    # costs no more than the sum of its runs.
    kept: list[Candidate] = []
    run: list[Candidate] = []
    run_end = -1
    for c in merged:
        if run and c.start >= run_end:
            kept += _settle(run)
            run = []
        run.append(c)
        run_end = max(run_end, c.end) if len(run) > 1 else c.end
    kept += _settle(run)
    return kept


def _settle(run: list[Candidate]) -> list[Candidate]:
    """One run of overlapping spans: each character once, by priority."""
    if len(run) < 2:
        return run
    run = sorted(run, key=lambda c: (c.detector == NER_DETECTOR or c.detector.startswith(
        LEXICON_DETECTOR), -c.score, -(c.end - c.start), c.start))
    starts: list[int] = []  # kept spans, sorted and disjoint
    kept: list[Candidate] = []
    for c in run:
        i = bisect.bisect_left(starts, c.start)
        if i > 0 and kept[i - 1].end > c.start:
            continue
        if i < len(kept) and kept[i].start < c.end:
            continue
        starts.insert(i, c.start)
        kept.insert(i, c)
    return kept
