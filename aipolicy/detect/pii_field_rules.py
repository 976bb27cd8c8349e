"""Load and check ``rulesets/pii_fields.yaml``: which keys name which personal data, and
the shapes values under them must have. The file's header documents every field;
``pii_fields`` turns the result into a key classifier and field findings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..schema import Checker
from ..sources import Sources
from ..yamlsrc import Src, load_yaml
from .pii_validators import VALIDATORS, fold_accents

SHAPE_BUILTINS = ("name", "place")
_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[^\W\d_])(?=\d)"
                   r"|(?<=\d)(?=[^\W\d_])")
_TOKEN_SPLIT = re.compile(r"[\W_]+")
_POSSESSIVE = re.compile(r"['’][sS](?![A-Za-z])")


def key_groups(key: str) -> list[list[str]]:
    """A key as words, grouped by the blanks of the original ("dateOfBirth" ->
    [["date", "of", "birth"]]; "Customer ID" -> [["customer"], ["id"]])."""
    out = []
    for group in key.split():
        group = _HUMP.sub(" ", _POSSESSIVE.sub("", group))  # "Driver's" -> "Driver"
        words = [w for w in _TOKEN_SPLIT.split(fold_accents(group)) if w]
        if words:
            out.append(words)
    return out


def phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(w for g in key_groups(phrase) for w in g)


def spelled_words(phrase: str) -> tuple[str, ...]:
    """A phrase's words as written, lower case, accents kept ("Prénom" -> "prénom")."""
    group = _HUMP.sub(" ", _POSSESSIVE.sub("", phrase)).lower()
    return tuple(w for w in _TOKEN_SPLIT.split(group) if w)


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class ShapeSpec:
    name: str
    builtin: str | None
    regex: re.Pattern[str] | None
    validator: str | None
    validator_options: Mapping[str, Any]
    recognizers: tuple[str, ...]
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    line: int | None


@dataclass(frozen=True)
class FieldSpec:
    entity: str
    shape: str
    score: float
    keys: tuple[str, ...]
    weak_keys: tuple[str, ...]
    label_keys: tuple[str, ...]
    list: bool
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    line: int | None


@dataclass(frozen=True)
class VcardSpec:
    entity: str
    parts: tuple[int, ...]


@dataclass(frozen=True)
class KeyWords:
    """How key words compare beyond their spelling: ``same`` maps an abbreviation or other
    form to the word it stands for ("nr", "num", "no" -> "number"; "dt" -> "date"),
    ``filler`` words only join others in a compound key ("cust" in "custDob"), ``skip``
    words are left out on both sides ("date of birth" = "date birth"); ``alternatives``
    join two things a column may hold ("passport_or_id", "ID/Passport No."): a word
    after one of them qualifies only its own side."""

    same: Mapping[str, str]
    filler: frozenset[str]
    skip: frozenset[str]
    line: int | None
    alternatives: frozenset[str] = frozenset()


NO_KEY_WORDS = KeyWords(MappingProxyType({}), frozenset(), frozenset(), None)


@dataclass(frozen=True)
class FieldRules:
    file: str
    shapes: Mapping[str, ShapeSpec]
    fields: tuple[FieldSpec, ...]
    ignore: tuple[str, ...]
    personal: tuple[str, ...]  # keys of personal values that are not reported themselves
    ignore_examples: KeyExamples
    personal_examples: KeyExamples
    not_value_words: frozenset[str]
    suppress: frozenset[str]
    suppress_any: frozenset[str]  # ... whatever the value's shape (a date, a dotted quad)
    not_value_examples: tuple[tuple[str, ...], tuple[str, ...]]
    not_value_line: int | None
    vcard: Mapping[str, VcardSpec]
    words: KeyWords = NO_KEY_WORDS
    context_by_key: frozenset[str] = frozenset()


def load_field_rules(path: Path, check: Checker, entities: frozenset[str],
                     sources: Sources | None = None) -> FieldRules | None:
    """Read (through ``sources``: the ruleset's snapshot in a scan worker) and check
    ``pii_fields.yaml``; problems go to ``check`` (file:line: field)."""
    file = str(path)
    doc = load_yaml(path, sources)
    root = Src(file, "", getattr(doc, "line", None))
    top = check.mapping(doc, root, required=("version", "shapes", "fields", "ignore",
                                             "personal", "not_values"),
                        optional=("vcard", "words", "context_by_key"))
    if top is None:
        return None
    check.choice(str(top.get("version")), root.key(top, "version"), ("1",))
    shapes = _shapes(check, top.get("shapes"), root.key(top, "shapes"))
    fields = _fields(check, top.get("fields"), root.key(top, "fields"), shapes, entities)
    ignore, ignore_examples = _key_list(check, top.get("ignore"), root.key(top, "ignore"))
    personal, personal_examples = _key_list(check, top.get("personal"),
                                            root.key(top, "personal"))
    nsrc = root.key(top, "not_values")
    nv = check.mapping(top.get("not_values"), nsrc, required=("words", "suppress", "examples"),
                       optional=("suppress_any",))
    words: tuple[str, ...] = ()
    suppress: tuple[str, ...] = ()
    suppress_any: tuple[str, ...] = ()
    examples: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    if nv is not None:
        words = tuple(w for p in check.string_list(nv.get("words"), nsrc.key(nv, "words"))
                      for w in phrase_words(p))
        for name in ("suppress", "suppress_any"):
            listed = tuple(check.string_list(nv.get(name, []), nsrc.key(nv, name)))
            for entity in listed:
                if entity not in entities:
                    check.fail(nsrc.key(nv, name), f"unknown entity {entity!r}")
            if name == "suppress":
                suppress = listed
            else:
                suppress_any = listed
        examples = _examples(check, nv.get("examples"), nsrc.key(nv, "examples"))
    vcard: dict[str, VcardSpec] = {}
    if "vcard" in top:
        vsrc = root.key(top, "vcard")
        raw = top["vcard"]
        vm = check.mapping(raw, vsrc, optional=tuple(raw) if isinstance(raw, dict) else ())
        for prop, spec in (vm or {}).items():
            psrc = vsrc.key(vm, prop)
            d = check.mapping(spec, psrc, required=("entity",), optional=("parts",))
            if d is None:
                continue
            entity = check.string(d.get("entity"), psrc.key(d, "entity")) or ""
            if entity not in entities:
                check.fail(psrc.key(d, "entity"), f"unknown entity {entity!r}")
            parts = []
            for i, n in enumerate(check.sequence(d.get("parts", []), psrc.key(d, "parts"))
                                  or ()):
                num = check.number(n, psrc.key(d, "parts").item(d.get("parts"), i),
                                   minimum=0, maximum=20, integer=True)
                if num is not None:
                    parts.append(int(num))
            vcard[prop.upper()] = VcardSpec(entity, tuple(parts))
    key_words = _key_words(check, top["words"], root.key(top, "words")) \
        if "words" in top else NO_KEY_WORDS
    by_key = tuple(check.string_list(top.get("context_by_key", []),
                                     root.key(top, "context_by_key")))
    for entity in by_key:
        if entity not in entities:
            check.fail(root.key(top, "context_by_key"), f"unknown entity {entity!r}")
    return FieldRules(file, MappingProxyType(shapes), tuple(fields), ignore, personal,
                      ignore_examples, personal_examples, frozenset(words),
                      frozenset(suppress), frozenset(suppress_any), examples, nsrc.line,
                      MappingProxyType(vcard),
                      key_words, frozenset(by_key))


def _key_words(check: Checker, value: Any, src: Src) -> KeyWords:
    """``words: {same: {word: [forms]}, filler: [...], skip: [...]}``."""
    d = check.mapping(value, src, required=("same", "filler", "skip"),
                      optional=("alternatives",))
    if d is None:
        return NO_KEY_WORDS
    same: dict[str, str] = {}
    ssrc = src.key(d, "same")
    raw = d.get("same")
    sm = check.mapping(raw, ssrc, optional=tuple(raw) if isinstance(raw, dict) else ())
    for word, forms in (sm or {}).items():
        wsrc = ssrc.key(sm, word)
        canonical = _one_word(check, str(word), wsrc)
        for form in check.string_list(forms, wsrc, nonempty=True):
            folded = _one_word(check, form, wsrc)
            if folded in same and same[folded] != canonical:
                check.fail(wsrc, f"{form!r} already stands for {same[folded]!r}")
            elif folded and canonical and folded != canonical:
                same[folded] = canonical
    filler = frozenset(_one_word(check, w, src.key(d, "filler"))
                       for w in check.string_list(d.get("filler"), src.key(d, "filler")))
    skip = frozenset(_one_word(check, w, src.key(d, "skip"))
                     for w in check.string_list(d.get("skip"), src.key(d, "skip")))
    alternatives = frozenset(
        _one_word(check, w, src.key(d, "alternatives"))
        for w in check.string_list(d.get("alternatives", []), src.key(d, "alternatives")))
    return KeyWords(MappingProxyType(same), filler - {""}, skip - {""}, src.line,
                    alternatives - {""})


def _one_word(check: Checker, text: str, src: Src) -> str:
    """``text`` as the one key word it must be (lower case, without accents)."""
    words = phrase_words(text)
    if len(words) != 1:
        check.fail(src, f"{text!r} is not one word")
        return ""
    return words[0]


@dataclass(frozen=True)
class KeyExamples:
    """Keys that must (``match``) and must not (``no_match``) be read as a list's kind."""

    match: tuple[str, ...]
    no_match: tuple[str, ...]
    line: int | None


def _key_list(check: Checker, value: Any, src: Src) -> tuple[tuple[str, ...], KeyExamples]:
    """``{keys: [...], examples: {match, no_match}}``."""
    d = check.mapping(value, src, required=("keys", "examples"))
    if d is None:
        return (), KeyExamples((), (), src.line)
    keys = tuple(check.string_list(d.get("keys"), src.key(d, "keys"), nonempty=True))
    match, no_match = _examples(check, d.get("examples"), src.key(d, "examples"))
    return keys, KeyExamples(match, no_match, src.key(d, "examples").line)


def _examples(check: Checker, value: Any, src: Src) -> tuple[tuple[str, ...], tuple[str, ...]]:
    d = check.mapping(value, src, required=("match",), optional=("no_match",))
    if d is None:
        return (), ()
    match = tuple(str(x) for x in check.sequence(d.get("match"), src.key(d, "match"),
                                                 nonempty=True) or ())
    no_match = tuple(str(x) for x in check.sequence(d.get("no_match", []),
                                                    src.key(d, "no_match")) or ())
    return match, no_match


def _shapes(check: Checker, value: Any, src: Src) -> dict[str, ShapeSpec]:
    d = check.mapping(value, src, optional=tuple(value) if isinstance(value, dict) else ())
    out: dict[str, ShapeSpec] = {}
    for name, raw in (d or {}).items():
        ssrc = src.key(d, name)
        s = check.mapping(raw, ssrc, required=("examples",), optional=(
            "builtin", "regex", "validator", "validator_options", "recognizers"))
        if s is None:
            continue
        kinds = [k for k in ("builtin", "regex", "recognizers") if k in s]
        if len(kinds) != 1:
            check.fail(ssrc, "give exactly one of builtin, regex, recognizers")
            continue
        builtin = None
        if "builtin" in s:
            builtin = check.choice(s["builtin"], ssrc.key(s, "builtin"), SHAPE_BUILTINS)
        regex = None
        if "regex" in s:
            text = check.string(s["regex"], ssrc.key(s, "regex"))
            regex = check.regex(text, ssrc.key(s, "regex")) if text is not None else None
        validator, options = None, MappingProxyType({})
        if "validator" in s:
            validator = check.choice(s["validator"], ssrc.key(s, "validator"),
                                     sorted(VALIDATORS))
            raw_opts = s.get("validator_options", {})
            osrc = ssrc.key(s, "validator_options")
            kind = VALIDATORS[validator].options if validator else {}
            opts = check.mapping(raw_opts, osrc, optional=tuple(kind))
            options = MappingProxyType(dict(opts or {}))
        elif "validator_options" in s:
            check.fail(ssrc.key(s, "validator_options"), "given without a validator")
        recognizers = tuple(check.string_list(s.get("recognizers", []),
                                              ssrc.key(s, "recognizers")))
        match, no_match = _examples(check, s.get("examples"), ssrc.key(s, "examples"))
        out[name] = ShapeSpec(name, builtin, regex, validator, options, recognizers,
                              match, no_match, ssrc.line)
    return out


def _fields(check: Checker, value: Any, src: Src, shapes: Mapping[str, ShapeSpec],
            entities: frozenset[str]) -> list[FieldSpec]:
    out = []
    for i, raw in enumerate(check.sequence(value, src, nonempty=True) or ()):
        fsrc = src.item(value, i)
        d = check.mapping(raw, fsrc, required=("entity", "shape", "score", "examples"),
                          optional=("keys", "weak_keys", "label_keys", "list"))
        if d is None:
            continue
        entity = check.string(d.get("entity"), fsrc.key(d, "entity")) or ""
        if entity not in entities:
            check.fail(fsrc.key(d, "entity"), f"unknown entity {entity!r} (not in pii.yaml)")
        shape = check.string(d.get("shape"), fsrc.key(d, "shape")) or ""
        if shape not in shapes:
            check.fail(fsrc.key(d, "shape"), f"unknown shape {shape!r} (define it under shapes)")
        score = check.number(d.get("score"), fsrc.key(d, "score"), minimum=0.0, maximum=1.0)
        keys = tuple(check.string_list(d.get("keys", []), fsrc.key(d, "keys")))
        weak = tuple(check.string_list(d.get("weak_keys", []), fsrc.key(d, "weak_keys")))
        label = tuple(check.string_list(d.get("label_keys", []), fsrc.key(d, "label_keys")))
        if not keys and not weak:
            check.fail(fsrc, "needs keys or weak_keys")
        for phrase in label:
            if phrase not in weak:
                check.fail(fsrc.key(d, "label_keys"), f"{phrase!r} is not one of weak_keys")
        listed = bool(check.boolean(d["list"], fsrc.key(d, "list"))) if "list" in d else False
        match, no_match = _examples(check, d.get("examples"), fsrc.key(d, "examples"))
        out.append(FieldSpec(entity, shape, float(score or 0.0), keys, weak, label, listed,
                             match, no_match, fsrc.line))
    return out
