"""The ``inspection`` section of a ruleset: detectors to run and what to do with findings.

Parsed and validated here (file, line, field for every problem); the detectors
themselves are built once per ruleset by ``aipolicy.inspect.Inspector``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .coach_config import rule_coach_options
from .detect.custom import VALIDATORS, CustomDetectors, RegexDetector, TermListDetector
from .detect.normalize_rules import NormalizeRules
from .errors import ConfigError
from .extract.httpfields import HttpFields, load_http_fields
from .incidents.config import parse_severity
from .incidents.model import Severity
from .model import Action, Activity, App, AppConditions, CoachOptions, Mode, Unmet
from .schema import Checker
from .sources import Sources, absolute
from .yamlsrc import LineDict, Src

FINDING_KINDS = ("pii", "secret", "custom")
PERSON_MODES = ("contextual", "all", "off")
_DATA_ACTIONS = tuple(a.value for a in Action)


@dataclass(frozen=True)
class EntitySetting:
    label: str  # what a notice calls it: "e-mail address"
    min_score: float


@dataclass(frozen=True)
class DataMatch:
    """Which findings and which requests a data rule applies to; empty means any."""

    findings: tuple[str, ...] = ()  # kinds (pii/secret/custom) or type ids
    requests: AppConditions = AppConditions()


@dataclass(frozen=True)
class DataRule:
    id: str
    when: DataMatch
    action: Action
    reason: str
    min_score: float | None = None
    mode: Mode | None = None
    coach: CoachOptions | None = None  # set when ``action`` is coach
    incident: Severity | None = None  # what this rule catches is an incident

    def unmet(self, kind: str, type_: str, score: float, app: App, status: str,
              groups: tuple[str, ...], activity: Activity) -> Iterator[Unmet]:
        """The conditions this rule sets that a finding (its kind, type and score) on a
        request does not meet; none when the rule applies."""
        w = self.when
        if w.findings and kind not in w.findings and type_ not in w.findings:
            yield Unmet("finding", w.findings, (kind, type_))
        if self.min_score is not None and score < self.min_score:
            yield Unmet("min_score", (f"{self.min_score:g}",), (f"{score:.2f}",))
        yield from w.requests.unmet(app, status, groups, activity)


@dataclass(frozen=True)
class InspectionSettings:
    max_body_bytes: int
    timeout_seconds: float  # one scan's budget, from when a scanner takes the body
    queue_seconds: float  # the longest a body waits for a free scanner
    on_error: Action  # when content cannot be inspected: block (default) or allow/monitor
    binary_uploads: Action  # identified images, audio, video, archives that cannot be opened
    person_mode: str
    entities: Mapping[str, EntitySetting]  # PII types to report
    pii_patterns: Path
    secret_rules: Path
    secrets_disabled: frozenset[str]
    custom: CustomDetectors
    rules: tuple[DataRule, ...]
    default: DataRule
    http_fields: HttpFields  # how header fields and query parameters are read
    secret_ids: frozenset[str] = frozenset()  # every rule id of the secret rules file
    # Normalisation and decoding before detection (rulesets/normalize.yaml by default);
    # None: switched off with ``normalize: off``.
    normalize: NormalizeRules | None = None

    def label_of(self, kind: str, type_: str, fallback: str) -> str:
        if kind == "pii" and type_ in self.entities:
            return self.entities[type_].label
        return fallback


def parse_inspection(
    check: Checker, value: Any, src: Src, base: Path, known: Mapping[str, frozenset[str]],
    sources: Sources,
) -> InspectionSettings | None:
    """``known`` holds the valid app ids, vendors, categories, statuses and groups; the
    files the section names are read through ``sources``."""
    keys = ("limits", "on_error", "binary_uploads", "pii", "secrets", "normalize", "custom",
            "rules", "default")
    m = check.mapping(value, src, required=("pii", "secrets", "rules", "default"),
                      optional=keys)
    if m is None:
        return None
    max_bytes, timeout, queue = 20 * 1024 * 1024, 10.0, 10.0
    if "limits" in m:
        lsrc = src.key(m, "limits")
        lim = check.mapping(m["limits"], lsrc,
                            optional=("max_body_bytes", "timeout_seconds", "queue_seconds"))
        if lim is not None and "max_body_bytes" in lim:
            v = check.number(lim["max_body_bytes"], lsrc.key(lim, "max_body_bytes"),
                             minimum=1024, integer=True)
            max_bytes = int(v) if v is not None else max_bytes
        if lim is not None and "timeout_seconds" in lim:
            v = check.number(lim["timeout_seconds"], lsrc.key(lim, "timeout_seconds"),
                             minimum=0.1, maximum=600)
            timeout = float(v) if v is not None else timeout
        if lim is not None and "queue_seconds" in lim:
            v = check.number(lim["queue_seconds"], lsrc.key(lim, "queue_seconds"),
                             minimum=0.1, maximum=600)
            queue = float(v) if v is not None else queue
    on_error = _action(check, m, src, "on_error", ("block", "monitor", "allow"), "block")
    binary = _action(check, m, src, "binary_uploads", ("block", "monitor", "allow"), "monitor")
    pii = _pii(check, m["pii"], src.key(m, "pii"), base, sources) if "pii" in m else None
    secrets = _secrets(check, m["secrets"], src.key(m, "secrets"), base, sources) \
        if "secrets" in m else None
    normalize = _normalize(check, m.get("normalize"), src.key(m, "normalize"), base,
                           sources)
    custom = _custom(check, m.get("custom", []), src.key(m, "custom"), base, sources)
    types = dict(known)
    types["findings"] = (frozenset(FINDING_KINDS) | frozenset(pii[1] if pii else ())
                         | custom.ids | (secrets[2] if secrets else frozenset()))
    rules = check.unique_items(m, "rules", src,
                               lambda item, isrc: _data_rule(check, item, isrc, types))
    default = None
    if "default" in m:
        default = _data_rule(check, m["default"], src.key(m, "default"), types, is_default=True)
    try:  # shipped with the package; validated (with its examples) like every rules file
        http_fields = load_http_fields()
    except ConfigError as exc:
        check.problems.extend(exc.problems)
        return None
    if pii is None or secrets is None or default is None or on_error is None or binary is None:
        return None
    (person_mode, entities, patterns) = pii
    return InspectionSettings(
        max_body_bytes=max_bytes, timeout_seconds=timeout, queue_seconds=queue,
        on_error=on_error,
        binary_uploads=binary, person_mode=person_mode,
        entities=MappingProxyType(entities), pii_patterns=patterns,
        secret_rules=secrets[0], secrets_disabled=secrets[1], custom=custom,
        rules=tuple(rules), default=default, http_fields=http_fields,
        secret_ids=secrets[2], normalize=normalize)


def _action(check: Checker, m: LineDict, src: Src, key: str, allowed: tuple[str, ...],
            default: str) -> Action | None:
    if key not in m:
        return Action(default)
    v = check.choice(m[key], src.key(m, key), allowed)
    return Action(v) if v else None


def _file(check: Checker, value: Any, src: Src, base: Path, sources: Sources) -> Path | None:
    name = check.string(value, src)
    if name is None:
        return None
    path = Path(absolute(base / name))
    if not sources.include(path):
        check.fail(src, f"file {name!r} not found (relative to {base})")
        return None
    return path


def _pii(check: Checker, value: Any, src: Src, base: Path,
         sources: Sources) -> tuple[str, dict[str, EntitySetting], Path] | None:
    m = check.mapping(value, src, required=("patterns", "entities"), optional=("person",))
    if m is None or "patterns" not in m or "entities" not in m:
        return None
    patterns = _file(check, m["patterns"], src.key(m, "patterns"), base, sources)
    person = "contextual"
    if "person" in m:
        person = check.choice(m["person"], src.key(m, "person"), PERSON_MODES) or person
    esrc = src.key(m, "entities")
    ents = check.mapping(m["entities"], esrc, optional=_known_entities())
    entities: dict[str, EntitySetting] = {}
    for name, spec in (ents or {}).items():
        if name not in _known_entities():
            continue
        ssrc = esrc.key(ents, name)
        s = check.mapping(spec, ssrc, required=("label",), optional=("min_score",))
        if s is None or "label" not in s:
            continue
        label = check.string(s["label"], ssrc.key(s, "label"))
        score = 0.5
        if "min_score" in s:
            v = check.number(s["min_score"], ssrc.key(s, "min_score"), minimum=0, maximum=1)
            score = float(v) if v is not None else score
        if label:
            entities[name] = EntitySetting(label, score)
    if patterns is None:
        return None
    # The pattern file is validated now, with its own file/line/field problems, so a
    # proxy never starts with a recognizer file its scanners would refuse.
    from .detect.pii_rules import load_pii_rules

    try:
        provided = load_pii_rules(patterns, sources).entities
    except ConfigError as exc:
        check.problems.extend(exc.problems)
        return None
    for name in entities:
        if name not in provided:
            check.fail(esrc.key(ents, name), f"{patterns.name} has no recognizer for {name}")
    return person, entities, patterns


def _normalize(check: Checker, value: Any, src: Src, base: Path,
               sources: Sources) -> NormalizeRules | None:
    """``normalize: FILE`` (relative to the ruleset), ``off``, or absent: the shipped
    ``rulesets/normalize.yaml``. The file is validated now, like the pattern files, and
    read (with the confusables table it names) through ``sources``."""
    from .detect.normalize_rules import DEFAULT_NORMALIZE_PATH, load_normalize_rules

    if value is False or value == "off":
        return None
    if value is None:
        path: Path | None = Path(absolute(DEFAULT_NORMALIZE_PATH))
        if not sources.include(path):
            check.fail(src, f"the shipped {DEFAULT_NORMALIZE_PATH.name} is missing")
            return None
    else:
        path = _file(check, value, src, base, sources)
    if path is None:
        return None
    try:
        return load_normalize_rules(path, sources)
    except ConfigError as exc:
        check.problems.extend(exc.problems)
        return None


def _known_entities() -> tuple[str, ...]:
    from .detect.pii import DEFAULT_ENTITIES

    return tuple(sorted(DEFAULT_ENTITIES))


def _secrets(check: Checker, value: Any, src: Src, base: Path,
             sources: Sources) -> tuple[Path, frozenset[str], frozenset[str]] | None:
    m = check.mapping(value, src, required=("rules",), optional=("disabled",))
    if m is None or "rules" not in m:
        return None
    path = _file(check, m["rules"], src.key(m, "rules"), base, sources)
    disabled = frozenset(check.string_list(m["disabled"], src.key(m, "disabled"))
                         if "disabled" in m else ())
    if path is None:
        return None
    from .detect.secrets import load_secret_rules

    try:  # every rule's examples are checked: a rule that misses its own examples is refused
        known = frozenset(load_secret_rules(path, sources=sources).ids)
    except ConfigError as exc:
        check.problems.extend(exc.problems)
        return None
    for rid in sorted(disabled):
        if rid not in known:
            check.fail(src.key(m, "disabled"), f"unknown secret rule {rid!r}")
    return path, disabled, known


def _custom(check: Checker, value: Any, src: Src, base: Path,
            sources: Sources) -> CustomDetectors:
    items = check.sequence(value, src) or []
    terms: list[TermListDetector] = []
    regexes: list[RegexDetector] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        isrc = src.item(value, i)
        d = check.mapping(item, isrc, required=("id", "label"),
                          optional=("terms", "terms_file", "regex", "validate"))
        if d is None or "id" not in d or "label" not in d:
            continue
        did = check.identifier(d["id"], isrc.key(d, "id"))
        label = check.string(d["label"], isrc.key(d, "label"))
        if did in seen:
            check.fail(isrc.key(d, "id"), f"duplicate custom detector id {did!r}")
        seen.add(did or "")
        has_terms = "terms" in d or "terms_file" in d
        if has_terms == ("regex" in d):
            check.fail(isrc, "a custom detector needs either terms/terms_file or regex")
            continue
        if did is None or label is None:
            continue
        if has_terms:
            words = list(check.string_list(d["terms"], isrc.key(d, "terms"))) \
                if "terms" in d else []
            if "terms_file" in d:
                path = _file(check, d["terms_file"], isrc.key(d, "terms_file"), base, sources)
                if path is not None:
                    words += _term_lines(check, path, isrc.key(d, "terms_file"), sources)
            if not words:
                check.fail(isrc, "the term list is empty")
            terms.append(TermListDetector.build(did, label, words))
        else:
            rx = check.regex(d["regex"], isrc.key(d, "regex"), re.UNICODE)
            validator = None
            if "validate" in d:
                validator = check.choice(d["validate"], isrc.key(d, "validate"),
                                         tuple(VALIDATORS))
            if rx is not None:
                regexes.append(RegexDetector(did, label, rx, validator))
    return CustomDetectors(tuple(terms), tuple(regexes))


def _term_lines(check: Checker, path: Path, src: Src, sources: Sources) -> list[str]:
    try:
        text = sources.read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        check.fail(src, f"cannot read {path.name}: "
                        f"{exc.strerror if isinstance(exc, OSError) else 'not valid UTF-8'}")
        return []
    return [ln.strip() for ln in text.splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")]


def _data_rule(check: Checker, value: Any, src: Src, known: Mapping[str, frozenset[str]],
               *, is_default: bool = False) -> DataRule | None:
    required = ("action", "reason") if is_default else ("id", "when", "action", "reason")
    r = check.mapping(value, src, required=required,
                      optional=("min_score", "mode", "coach", "incident"))
    if r is None or any(k not in r for k in required):
        return None
    rid = "default" if is_default else check.identifier(r["id"], src.key(r, "id"))
    when = DataMatch() if is_default else _data_match(check, r["when"], src.key(r, "when"),
                                                       known)
    allowed = ("allow", "monitor") if is_default else _DATA_ACTIONS
    action = check.choice(r["action"], src.key(r, "action"), allowed)
    reason = check.string(r["reason"], src.key(r, "reason"))
    coach = rule_coach_options(check, r, src, action)
    min_score = None
    if "min_score" in r:
        v = check.number(r["min_score"], src.key(r, "min_score"), minimum=0, maximum=1)
        min_score = float(v) if v is not None else None
    mode = None
    if "mode" in r:
        mv = check.choice(r["mode"], src.key(r, "mode"), [x.value for x in Mode])
        mode = Mode(mv) if mv else None
    incident = parse_severity(check, r["incident"], src.key(r, "incident")) \
        if "incident" in r else None
    if rid is None or when is None or action is None or reason is None:
        return None
    return DataRule(rid, when, Action(action), reason.strip(), min_score, mode, coach=coach,
                    incident=incident)


def _data_match(check: Checker, value: Any, src: Src,
                known: Mapping[str, frozenset[str]]) -> DataMatch | None:
    fields = {"finding": "findings", "app": "apps", "vendor": "vendors",
              "category": "categories", "status": "statuses", "group": "groups",
              "activity": "activities"}
    m = check.mapping(value, src, required=("finding",), optional=tuple(fields))
    if m is None:
        return None
    values: dict[str, tuple[str, ...]] = {}
    for key, attr in fields.items():
        if key not in m:
            continue
        ksrc = src.key(m, key)
        items = check.string_list(m[key], ksrc, nonempty=True)
        for i, item in enumerate(items):
            if item not in known.get(attr, frozenset()):
                where = ksrc.item(m[key], i) if isinstance(m[key], list) else ksrc
                what = "finding kind or type" if key == "finding" else key
                check.fail(where, f"unknown {what} {item!r}")
        values[attr] = items
    findings = values.pop("findings", ())
    return DataMatch(findings, AppConditions(**values))
