"""Load and validate ``rulesets/pii.yaml``: recognizer patterns, record cues, NER settings.

Everything is checked with ``Checker`` so a mistake is reported as
``file:line: field: message``; regexes are compiled here, once. The result is a tree
of frozen dataclasses that the detector turns into working objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..paths import RULESETS
from ..schema import Checker
from ..sources import FileReader, Sources, absolute
from ..yamlsrc import Src, load_yaml
from .pii_field_rules import FieldRules, load_field_rules, phrase_words
from .pii_validators import BBAN_FORMAT, VALIDATORS, bban_length, parse_iin_range

DEFAULT_PATTERNS_PATH = RULESETS / "pii.yaml"

EXTENDERS = ("address_lines",)
_ENTITY = re.compile(r"[A-Z][A-Z0-9_]*")
_TERM_REF = re.compile(r"\{\{([a-z_][a-z0-9_]*)\}\}")


@dataclass(frozen=True)
class PatternSpec:
    name: str
    regex: re.Pattern[str]
    score: float


@dataclass(frozen=True)
class MatchExample:
    text: str
    value: str


@dataclass(frozen=True)
class RecognizerSpec:
    id: str
    entity: str
    patterns: tuple[PatternSpec, ...]
    validator: str | None
    validator_options: Mapping[str, Any]
    keywords: tuple[str, ...]  # cheap prefilter: skip the text if none occurs
    context: re.Pattern[str] | None
    context_required: bool
    context_before: int
    context_after: int
    context_boost: float
    negative_context: re.Pattern[str] | None
    negative_penalty: float
    extend: str | None
    extend_boost: float  # added when the extension grew the span
    examples_match: tuple[MatchExample, ...]
    examples_no_match: tuple[str, ...]
    # the words behind ``context`` and ``negative_context`` (lower case)
    context_words: tuple[str, ...] = ()
    negative_words: tuple[str, ...] = ()
    line: int | None = None  # where the recognizer starts in the file


@dataclass(frozen=True)
class AddressLines:
    max_lines: int
    max_line_chars: int
    part: re.Pattern[str]
    forbid: re.Pattern[str]


@dataclass(frozen=True)
class PersonContext:
    header_field: re.Pattern[str]  # "From: value"; group "value"
    self_identification: re.Pattern[str]  # phrase; the name follows the match
    self_introduction: re.Pattern[str]  # weaker phrase: NER decides
    closing: re.Pattern[str]  # a whole line that opens a signature
    inline_closing: re.Pattern[str]  # "Thanks, " opening a line: a full name may follow
    reply_header: re.Pattern[str]  # "wrote:" of a quoted mail: the writer precedes it
    not_names: frozenset[str]
    residence: re.Pattern[str]  # "lives at": the name precedes the match
    greeting: re.Pattern[str]  # "Hi Sophie," at a line start; the name follows the match
    titles: frozenset[str]
    label_words: frozenset[str]  # words of field names, headers, closings: never names


@dataclass(frozen=True)
class PersonLexicon:
    file: Path  # the name lexicon (given names, surnames, common words)
    score: float  # a given name with surname-like words after it
    single_score: float  # a lone given name
    slot_score: float  # capitalised words in a name slot
    name_before: tuple[str, ...]  # phrases a name follows: "my son", "said", "named"
    name_after: tuple[str, ...]  # phrases a name precedes: "said", "shouted"
    organisation_words: frozenset[str]  # words that end an organisation or a place
    street_words: frozenset[str]  # words that end a street name
    street_prefix_words: frozenset[str]  # street words before a name: "Rua", "ul.", "Via"
    not_person_words: frozenset[str]  # capitalised words that are never a name alone
    heading_words: frozenset[str]  # function words whose capitalisation means title case


@dataclass(frozen=True)
class NerSettings:
    model: str
    score: float
    labels: Mapping[str, str]  # spaCy label -> entity
    other_labels: frozenset[str]  # spaCy labels that say "not a person" (ORG, ...)
    cache_entries: int
    neighbour_sentences: int
    neighbour_lines: int
    record_block_lines: int
    record_line_chars: int
    all_neighbour_sentences: int = 0  # `all` mode: sentences either side of a name-like word
    threads: int = 0  # model copies for a large batch; 0: one per usable core
    parallel_min_chars: int = 4_000  # a batch smaller than this stays on one copy


@dataclass(frozen=True)
class PiiRules:
    file: str
    recognizers: tuple[RecognizerSpec, ...]
    address_lines: AddressLines
    person: PersonContext
    lexicon: PersonLexicon
    ner: NerSettings
    fields: FieldRules | None = None  # what table headers, keys and labels say

    @property
    def entities(self) -> frozenset[str]:
        return frozenset(r.entity for r in self.recognizers) | frozenset(self.ner.labels.values())


def _alternation(words: list[str] | tuple[str, ...]) -> str:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(re.escape(w) for w in ordered) + ")"


def _word_regex(words: tuple[str, ...]) -> str:
    """Case-insensitive, not inside a word; works for words ending in '.' or '#'."""
    return r"(?i)(?<!\w)" + _alternation(words) + r"(?!\w)"


class _Loader:
    def __init__(self, file: str, sources: Sources) -> None:
        self.file = file
        self.sources = sources
        self.check = Checker()
        self.terms: dict[str, tuple[str, ...]] = {}

    # -- helpers ------------------------------------------------------------------------
    def _expand_terms(self, text: str, src: Src, *, upper_variants: bool) -> str | None:
        missing = [name for name in _TERM_REF.findall(text) if name not in self.terms]
        if missing:
            self.check.fail(src, f"unknown term list {{{{{missing[0]}}}}} (define it under terms)")
            return None

        def repl(m: re.Match[str]) -> str:
            words = list(self.terms[m.group(1)])
            if upper_variants:
                words += [w.upper() for w in words]
            return _alternation(words)

        return _TERM_REF.sub(repl, text)

    def _regex(self, value: Any, src: Src) -> re.Pattern[str] | None:
        text = self.check.string(value, src)
        if text is None:
            return None
        expanded = self._expand_terms(text, src, upper_variants=True)
        if expanded is None:
            return None
        return self.check.regex(expanded, src)

    def _words(self, value: Any, src: Src, *, nonempty: bool = False) -> tuple[str, ...]:
        words = self.check.string_list(value, src, nonempty=nonempty)
        out: list[str] = []
        for word in words:
            ref = _TERM_REF.fullmatch(word)
            if ref and ref.group(1) in self.terms:
                out.extend(self.terms[ref.group(1)])
            elif ref:
                self.check.fail(src, f"unknown term list {word} (define it under terms)")
            else:
                out.append(word)
        return tuple(w.lower() for w in out)

    def _int(self, value: Any, src: Src, minimum: int, maximum: int) -> int:
        n = self.check.number(value, src, minimum=minimum, maximum=maximum, integer=True)
        return int(n) if n is not None else minimum

    def _score(self, value: Any, src: Src) -> float:
        n = self.check.number(value, src, minimum=0.0, maximum=1.0)
        return float(n) if n is not None else 0.0

    # -- sections -----------------------------------------------------------------------
    def load(self, doc: Any) -> PiiRules | None:
        root = Src(self.file, "", getattr(doc, "line", None))
        top = self.check.mapping(
            doc, root, required=("version", "recognizers", "address_lines", "person_context",
                                 "person_lexicon", "ner"),
            optional=("defaults", "terms", "fields"),
        )
        if top is None:
            return None
        if "version" in top:
            self.check.choice(str(top["version"]), root.key(top, "version"), ("1",))
        defaults = self._defaults(top.get("defaults", {}), root.key(top, "defaults"))
        self._terms(top.get("terms", {}), root.key(top, "terms"))
        recognizers = self._recognizers(
            top.get("recognizers"), root.key(top, "recognizers"), defaults
        )
        address = self._address_lines(top.get("address_lines"), root.key(top, "address_lines"))
        ner = self._ner(top.get("ner"), root.key(top, "ner"))
        fields = None
        if "fields" in top and ner is not None:
            entities = frozenset(r.entity for r in recognizers) | frozenset(ner.labels.values())
            fields = self._fields(top["fields"], root.key(top, "fields"), entities)
        person = self._person(top.get("person_context"), root.key(top, "person_context"),
                              fields)
        lexicon = self._lexicon(top.get("person_lexicon"), root.key(top, "person_lexicon"))
        if address is None or person is None or lexicon is None or ner is None:
            return None
        return PiiRules(self.file, recognizers, address, person, lexicon, ner, fields)

    def _fields(self, value: Any, src: Src, entities: frozenset[str]) -> FieldRules | None:
        """The field-type file named by ``fields`` (next to this file)."""
        name = self.check.string(value, src)
        if name is None:
            return None
        path = Path(absolute(Path(self.file).parent / name))
        if not self.sources.include(path):
            self.check.fail(src, f"no such file next to {self.file}")
            return None
        return load_field_rules(path, self.check, entities, self.sources)

    def _defaults(self, value: Any, src: Src) -> dict[str, float]:
        out = {"context_before": 48, "context_after": 24, "context_boost": 0.35,
               "negative_penalty": 0.5}
        d = self.check.mapping(value, src, optional=tuple(out))
        if d is None:
            return out
        for key in ("context_before", "context_after"):
            if key in d:
                out[key] = self._int(d[key], src.key(d, key), 0, 400)
        for key in ("context_boost", "negative_penalty"):
            if key in d:
                out[key] = self._score(d[key], src.key(d, key))
        return out

    def _terms(self, value: Any, src: Src) -> None:
        d = self.check.mapping(value, src, optional=tuple(value) if isinstance(value, dict)
                               else ())
        if d is None:
            return
        for name, words in d.items():
            key_src = src.key(d, name)
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
                self.check.fail(key_src, "term list names use lower-case letters, digits, '_'")
                continue
            self.terms[name] = self.check.string_list(words, key_src, nonempty=True)

    def _recognizers(
        self, value: Any, src: Src, defaults: Mapping[str, float]
    ) -> tuple[RecognizerSpec, ...]:
        items = self.check.sequence(value, src, nonempty=True)
        out: list[RecognizerSpec] = []
        seen: set[str] = set()
        for i, item in enumerate(items or ()):
            spec = self._recognizer(item, src.item(value, i), defaults)
            if spec is None:
                continue
            if spec.id in seen:
                self.check.fail(src.item(value, i), f"duplicate recognizer id {spec.id!r}")
            seen.add(spec.id)
            out.append(spec)
        return tuple(out)

    def _recognizer(
        self, value: Any, src: Src, defaults: Mapping[str, float]
    ) -> RecognizerSpec | None:
        d = self.check.mapping(
            value, src, required=("id", "entity", "patterns", "examples"),
            optional=("keywords", "validator", "validator_options", "context",
                      "context_required", "context_before", "context_after", "context_boost",
                      "negative_context", "negative_penalty", "extend", "extend_boost"),
        )
        if d is None:
            return None
        rid = self.check.identifier(d.get("id"), src.key(d, "id")) or "?"
        entity = self.check.string(
            d.get("entity"), src.key(d, "entity"), pattern=_ENTITY,
            what="an entity name in upper case (EMAIL_ADDRESS, US_SSN, ...)",
        ) or "?"
        patterns = self._patterns(d.get("patterns"), src.key(d, "patterns"))
        validator, options = self._validator(d, src)
        keywords = tuple(k.lower() for k in self.check.string_list(
            d.get("keywords", []), src.key(d, "keywords")))
        context_words = self._words(d.get("context", []), src.key(d, "context"))
        negative_words = self._words(d.get("negative_context", []),
                                     src.key(d, "negative_context"))
        required = False
        if "context_required" in d:
            required = bool(self.check.boolean(d["context_required"],
                                               src.key(d, "context_required")))
            if required and not context_words:
                self.check.fail(src.key(d, "context_required"), "needs a context word list")
        extend = None
        if "extend" in d:
            extend = self.check.choice(d["extend"], src.key(d, "extend"), EXTENDERS)

        def num(key: str, kind: str) -> float:
            if key not in d:
                return defaults[key]
            if kind == "int":
                return self._int(d[key], src.key(d, key), 0, 400)
            return self._score(d[key], src.key(d, key))

        if required and not keywords:
            # nothing can match without a context word: skip texts that have none
            keywords = tuple(w.rstrip(".#") for w in context_words)
        examples = self._examples(d.get("examples"), src.key(d, "examples"))
        return RecognizerSpec(
            id=rid, entity=entity, patterns=patterns, validator=validator,
            validator_options=options, keywords=keywords,
            context=re.compile(_word_regex(context_words)) if context_words else None,
            context_required=required,
            context_before=int(num("context_before", "int")),
            context_after=int(num("context_after", "int")),
            context_boost=num("context_boost", "score"),
            negative_context=re.compile(_word_regex(negative_words)) if negative_words else None,
            negative_penalty=num("negative_penalty", "score"),
            extend=extend,
            extend_boost=self._score(d["extend_boost"], src.key(d, "extend_boost"))
            if "extend_boost" in d else 0.0,
            examples_match=examples[0], examples_no_match=examples[1],
            context_words=context_words, negative_words=negative_words, line=src.line,
        )

    def _patterns(self, value: Any, src: Src) -> tuple[PatternSpec, ...]:
        items = self.check.sequence(value, src, nonempty=True)
        out: list[PatternSpec] = []
        for i, item in enumerate(items or ()):
            isrc = src.item(value, i)
            d = self.check.mapping(item, isrc, required=("name", "regex", "score"))
            if d is None:
                continue
            name = self.check.identifier(d.get("name"), isrc.key(d, "name"))
            regex = self._regex(d.get("regex"), isrc.key(d, "regex"))
            score = self._score(d.get("score"), isrc.key(d, "score"))
            if name and regex:
                out.append(PatternSpec(name, regex, score))
        return tuple(out)

    def _validator(self, d: Mapping[str, Any], src: Src) -> tuple[str | None, Mapping[str, Any]]:
        if "validator" not in d:
            if "validator_options" in d:
                self.check.fail(src.key(d, "validator_options"), "given without a validator")
            return None, MappingProxyType({})
        name = self.check.choice(d["validator"], src.key(d, "validator"), sorted(VALIDATORS))
        if name is None:
            return None, MappingProxyType({})
        kind = VALIDATORS[name]
        raw = d.get("validator_options", {})
        osrc = src.key(d, "validator_options")
        opts = self.check.mapping(raw, osrc, optional=tuple(kind.options))
        out: dict[str, Any] = {}
        for key, value in (opts or {}).items():
            if key not in kind.options:
                continue
            ksrc = osrc.key(opts, key)
            option_kind = kind.options[key]
            if option_kind == "number":
                n = self.check.number(value, ksrc)
                if n is not None:
                    out[key] = n
            elif option_kind == "string_list":
                out[key] = self.check.string_list(value, ksrc)
            elif option_kind == "iin_ranges":
                ranges = []
                for text in self.check.string_list(value, ksrc):
                    parsed = parse_iin_range(text)
                    if parsed is None:
                        self.check.fail(ksrc, f"{text!r} is not an IIN range such as "
                                              "'2221-2720:16' or '4:13-19'")
                    else:
                        ranges.append(parsed)
                out[key] = tuple(ranges)
            elif option_kind == "bban_formats":
                out[key] = MappingProxyType(self._bban_formats(value, ksrc))
            else:  # int_mapping
                m = self.check.mapping(value, ksrc, optional=tuple(value)
                                       if isinstance(value, dict) else ())
                if m is not None:
                    ints = {}
                    for k, v in m.items():
                        n = self.check.number(v, ksrc.key(m, k), minimum=1, integer=True)
                        if n is not None:
                            ints[k] = int(n)
                    out[key] = MappingProxyType(ints)
        return name, MappingProxyType(out)

    def _bban_formats(self, value: Any, src: Src) -> dict[str, str]:
        """Country code -> BBAN format ("4a6n8n") as the IBAN registry writes it."""
        out: dict[str, str] = {}
        m = self.check.mapping(value, src, optional=tuple(value)
                               if isinstance(value, dict) else ())
        for country, fmt in (m or {}).items():
            ksrc = src.key(m, country)
            if not (len(country) == 2 and country.isascii() and country.isupper()):
                # YAML reads a bare NO (Norway) as false
                hint = " (quote it: YAML reads a bare NO as false)" \
                    if country in ("False", "True") else ""
                self.check.fail(ksrc, f"{country!r} is not a two-letter country code{hint}")
            elif not isinstance(fmt, str) or not BBAN_FORMAT.fullmatch(fmt):
                self.check.fail(ksrc, f"{fmt!r} is not a BBAN format such as '4a6n8n' "
                                      "(counts of n digits, a letters, c letters or digits)")
            elif not 11 <= bban_length(fmt) <= 30:
                self.check.fail(ksrc, f"{fmt!r}: an IBAN is 15 to 34 characters long")
            else:
                out[country] = fmt
        return out

    def _examples(self, value: Any, src: Src) -> tuple[tuple[MatchExample, ...], tuple[str, ...]]:
        d = self.check.mapping(value, src, required=("match",), optional=("no_match",))
        if d is None:
            return (), ()
        matches: list[MatchExample] = []
        items = self.check.sequence(d.get("match"), src.key(d, "match"), nonempty=True)
        for i, item in enumerate(items or ()):
            isrc = src.key(d, "match").item(d.get("match"), i)
            m = self.check.mapping(item, isrc, required=("text", "value"))
            if m is None:
                continue
            text = self.check.string(m.get("text"), isrc.key(m, "text"))
            val = self.check.string(m.get("value"), isrc.key(m, "value"))
            if text is not None and val is not None:
                if val not in text:
                    self.check.fail(isrc.key(m, "value"), "does not occur in the example text")
                matches.append(MatchExample(text, val))
        no_match = self.check.string_list(d.get("no_match", []), src.key(d, "no_match"))
        return tuple(matches), no_match

    def _address_lines(self, value: Any, src: Src) -> AddressLines | None:
        d = self.check.mapping(value, src, required=("max_lines", "max_line_chars", "part",
                                                     "forbid"))
        if d is None:
            return None
        part = self._regex(d.get("part"), src.key(d, "part"))
        forbid = self._regex(d.get("forbid"), src.key(d, "forbid"))
        if part is None or forbid is None:
            return None
        return AddressLines(
            max_lines=self._int(d.get("max_lines"), src.key(d, "max_lines"), 0, 20),
            max_line_chars=self._int(d.get("max_line_chars"), src.key(d, "max_line_chars"),
                                     1, 400),
            part=part, forbid=forbid,
        )

    def _person(self, value: Any, src: Src, fields: FieldRules | None) -> PersonContext | None:
        keys = ("header_fields", "self_identification", "self_introduction",
                "not_names", "closings", "reply_phrases", "residence_phrases", "greetings",
                "ner_skip_words", "titles")
        d = self.check.mapping(value, src, required=keys)
        if d is None:
            return None
        w = {k: self._words(d.get(k), src.key(d, k), nonempty=True) for k in keys}
        # the words of field keys ("first_name", "Geburtsdatum") are labels, never names
        field_words = frozenset(
            word for f in (fields.fields if fields else ()) for phrase in (*f.keys, *f.weak_keys)
            for word in phrase_words(phrase) if len(word) > 1)
        return PersonContext(
            header_field=re.compile(
                r"(?im)^[ \t>]*(?P<key>" + _alternation(w["header_fields"]) + r")[ \t]*:[ \t]*"
                + r"(?P<value>[^\n]*)"
            ),
            self_identification=re.compile(_word_regex(w["self_identification"])),
            self_introduction=re.compile(_word_regex(w["self_introduction"])),
            closing=re.compile(
                r"(?im)^[ \t>-]*" + _alternation(w["closings"]) + r"[ \t]*[,.!]?[ \t]*$"
            ),
            inline_closing=re.compile(
                r"(?im)^[ \t>-]*" + _alternation(w["closings"])
                + r"(?:[ \t]*[,!]|[ \t]+[-–—]{1,2})[ \t]+(?=[^\W\d_])"
            ),
            reply_header=re.compile(r"(?i)(?<=[\w>)\]])[ \t]*(?:"
                                    + _alternation(w["reply_phrases"]) + r")[ \t]*:"),
            not_names=frozenset(w["not_names"]),
            residence=re.compile(_word_regex(w["residence_phrases"])),
            greeting=re.compile(r"(?im)^[ \t>]*" + _alternation(w["greetings"]) + r",?[ \t]+"),
            titles=frozenset(w["titles"]),
            label_words=field_words | frozenset(
                word for k in ("header_fields", "closings", "greetings", "titles",
                               "ner_skip_words")
                for phrase in w[k] for word in phrase.replace("_", " ").split()
            ),
        )

    def _lexicon(self, value: Any, src: Src) -> PersonLexicon | None:
        keys = ("file", "score", "single_score", "slot_score", "name_before", "name_after",
                "organisation_words", "street_words", "street_prefix_words",
                "not_person_words", "heading_words")
        d = self.check.mapping(value, src, required=keys)
        if d is None:
            return None
        name = self.check.string(d.get("file"), src.key(d, "file"))
        path = None
        if name is not None:
            path = Path(absolute(Path(self.file).parent / name))
            if not self.sources.include(path):
                self.check.fail(src.key(d, "file"), f"no such file next to {self.file}")
        if path is None:
            return None
        words = {k: frozenset(self._words(d.get(k), src.key(d, k), nonempty=True))
                 for k in ("organisation_words", "street_words", "street_prefix_words",
                           "not_person_words", "heading_words")}
        return PersonLexicon(
            file=path,
            score=self._score(d.get("score"), src.key(d, "score")),
            single_score=self._score(d.get("single_score"), src.key(d, "single_score")),
            slot_score=self._score(d.get("slot_score"), src.key(d, "slot_score")),
            name_before=self._words(d.get("name_before"), src.key(d, "name_before")),
            name_after=self._words(d.get("name_after"), src.key(d, "name_after")),
            **words,
        )

    def _ner(self, value: Any, src: Src) -> NerSettings | None:
        keys = ("model", "score", "labels", "other_labels", "cache_entries",
                "neighbour_sentences", "neighbour_lines", "record_block_lines",
                "record_line_chars")
        d = self.check.mapping(value, src, required=keys, optional=(
            "all_neighbour_sentences", "threads", "parallel_min_chars"))
        if d is None:
            return None
        labels_raw = d.get("labels")
        lsrc = src.key(d, "labels")
        lm = self.check.mapping(labels_raw, lsrc, optional=tuple(labels_raw)
                                if isinstance(labels_raw, dict) else ())
        labels: dict[str, str] = {}
        for k, v in (lm or {}).items():
            ent = self.check.string(v, lsrc.key(lm, k), pattern=_ENTITY,
                                    what="an entity name in upper case")
            if ent:
                labels[k] = ent
        return NerSettings(
            model=self.check.string(d.get("model"), src.key(d, "model")) or "",
            score=self._score(d.get("score"), src.key(d, "score")),
            labels=MappingProxyType(labels),
            other_labels=frozenset(
                w.upper() for w in self.check.string_list(d.get("other_labels"),
                                                          src.key(d, "other_labels"))),
            cache_entries=self._int(d.get("cache_entries"), src.key(d, "cache_entries"),
                                    0, 1_000_000),
            neighbour_sentences=self._int(d.get("neighbour_sentences"),
                                          src.key(d, "neighbour_sentences"), 0, 5),
            neighbour_lines=self._int(d.get("neighbour_lines"), src.key(d, "neighbour_lines"),
                                      0, 50),
            record_block_lines=self._int(d.get("record_block_lines"),
                                         src.key(d, "record_block_lines"), 1, 200),
            record_line_chars=self._int(d.get("record_line_chars"),
                                        src.key(d, "record_line_chars"), 10, 1000),
            **{key: self._int(d[key], src.key(d, key), low, high)
               for key, low, high in (("all_neighbour_sentences", 0, 5), ("threads", 0, 64),
                                      ("parallel_min_chars", 0, 10_000_000)) if key in d},
        )


def load_pii_rules(path: str | Path = DEFAULT_PATTERNS_PATH,
                   sources: Sources | None = None) -> PiiRules:
    """Read, validate and compile the PII pattern file; raise ConfigError listing problems."""
    sources = sources or FileReader()
    loader = _Loader(str(path), sources)
    rules = loader.load(load_yaml(path, sources))
    loader.check.raise_if_any()
    assert rules is not None  # every path that returns None recorded a problem
    return rules
