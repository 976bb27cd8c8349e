"""Secret detection with rules as data (the gitleaks model).

Every rule lives in a YAML file (``rulesets/secrets.yaml``): an id, a human label, a
regular expression whose named group ``secret`` marks the value, cheap lower-case
keywords, an optional entropy threshold and allowlist, an optional named validator
(the only part that is code) and examples that must and must not match. The same file
declares anchors and pairs (``secret_pairs.py``): secrets found beside the identifier
they belong to. Loading validates all of it and fails with ``file:line: field: message``.

Scanning is built for the request path: one Hyperscan pass over the text (see
``prefilter.py``) finds the few short windows where each rule's expression can match,
and only there does Python's ``re`` run. Every quantifier in a rule is bounded (the
loader refuses others), so no input can make a rule backtrack without limit. Results
hold spans, never values.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from re import _constants as _sre_constants  # type: ignore[attr-defined]
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from types import MappingProxyType
from typing import Any, NamedTuple

from ..schema import Checker
from ..sources import Sources
from ..yamlsrc import LineDict, Src, load_yaml
from .entropy import shannon_entropy
from .prefilter import LiteralSet, Prefilter, Window, anchored_at_start, scan_bytes
from .secret_checks import (
    VALIDATORS,
    Allowlist,
    Example,
    combine_memo,
    secret_groups,
    secret_span,
)
from .secret_pairs import SIDES, Anchor, AnchorKey, PairRule, anchor_spans

# --------------------------------------------------------------------------- model


@dataclass(frozen=True, eq=False)
class SecretRule:
    """One secret type: how to find it, and the examples that prove it works."""

    id: str
    label: str
    description: str
    pattern: re.Pattern[str]
    keywords: tuple[str, ...]
    entropy: float | None = None
    allowlist: Allowlist = field(default_factory=Allowlist)
    validate: str = "none"
    generic: bool = False  # a catch-all rule: loses to a specific rule on the same text
    anchored: bool = False  # every match starts with one of the keywords
    match_examples: tuple[Example, ...] = ()
    no_match_examples: tuple[Example, ...] = ()
    line: int | None = None

    def __repr__(self) -> str:
        return f"SecretRule({self.id})"


@dataclass(frozen=True)
class _Compiled:
    """A rule set's fast-scanning parts: one Hyperscan prefilter for all rules and for
    the allowlist regexes that can match anywhere, the set of all keywords and
    stopwords, and each rule's value checks."""

    prefilter: Prefilter[PrefilterKey]
    words: LiteralSet
    checks: Mapping[str, _ValueChecks]

    @classmethod
    def build(cls, rules: SecretRuleSet) -> _Compiled:
        patterns: list[tuple[PrefilterKey, re.Pattern[str]]] = [
            (rule.id, rule.pattern) for rule in rules.rules]
        patterns += [(AnchorKey(anchor.id), anchor.pattern) for anchor in rules.anchors]
        owners = [("", rules.allowlist), *((rule.id, rule.allowlist) for rule in rules.rules)]
        for owner, allowlist in owners:
            for kind, index, rx in allowlist.unanchored():
                patterns.append((AllowlistKey(owner, kind, index), rx))
        words = [*rules.allowlist.stopwords]
        for rule in rules.rules:
            words += [*rule.keywords, *rule.allowlist.stopwords]
        for anchor in rules.anchors:
            words += anchor.keywords
        combined: dict[tuple[str, ...], tuple[re.Pattern[str], ...]] = {}
        return cls(Prefilter(patterns), LiteralSet(words),
                   MappingProxyType({rule.id: _ValueChecks(rule, rules.allowlist, combined)
                                     for rule in rules.rules}))


class AllowlistKey(NamedTuple):
    """Names an unanchored allowlist regex in a rule set's prefilter."""

    owner: str  # rule id, or "" for the allowlist of the whole set
    kind: str  # "value" or "match"
    index: int


# A rule id, an unanchored allowlist regex or an anchor.
type PrefilterKey = str | AllowlistKey | AnchorKey


@dataclass(frozen=True)
class SecretRuleSet:
    """All rules of one file, the allowlist that applies to every rule, and the anchors
    and pairs that find some rules' secrets beside an identifier."""

    rules: tuple[SecretRule, ...]
    allowlist: Allowlist
    source: str
    anchors: tuple[Anchor, ...] = ()
    pairs: tuple[PairRule, ...] = ()
    # What fast scanning needs, compiled on first use and shared by every scanner over
    # this set (whatever subset it enables).
    _compiled: list[_Compiled] = field(
        default_factory=list, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False)

    def prefilter(self) -> Prefilter[PrefilterKey]:
        """The prefilter of every rule (keyed by rule id), of every unanchored allowlist
        regex (AllowlistKey) and of every anchor (AnchorKey); built once, thread-safe."""
        return self._compile().prefilter

    def _compile(self) -> _Compiled:
        if not self._compiled:
            with self._lock:
                if not self._compiled:
                    self._compiled.append(_Compiled.build(self))
        return self._compiled[0]

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[SecretRule]:
        return iter(self.rules)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.rules)

    def get(self, rule_id: str) -> SecretRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def anchor(self, anchor_id: str) -> Anchor | None:
        for anchor in self.anchors:
            if anchor.id == anchor_id:
                return anchor
        return None

    def __repr__(self) -> str:
        return (f"SecretRuleSet({len(self.rules)} rules, {len(self.pairs)} pairs from "
                f"{self.source})")


@dataclass(frozen=True)
class SecretMatch:
    """A secret found in a text: which rule, and the span of the value. Never the value."""

    rule_id: str
    label: str
    start: int
    end: int


# --------------------------------------------------------------------------- scanner


@dataclass(frozen=True)
class _Candidate:
    """A match of a rule, not yet checked against allowlists, entropy and validator,
    or (``match`` None) a partner value a pair found, already checked."""

    rank: tuple[int, int, int]  # (generic, -length, rule position): lower is preferred
    start: int  # the secret's span
    end: int
    match: re.Match[str] | None


@dataclass(frozen=True)
class _ActivePair:
    """A pair whose reported rule the scanner has enabled."""

    pair: PairRule
    index: int  # position of the reported rule among the scanner's rules
    anchor: Anchor | SecretRule
    key: PrefilterKey  # the anchor's key in the prefilter
    groups: tuple[int, ...]  # the anchor's secret groups, when it is a rule


class SecretScanner:
    """Finds secrets in text with a set of rules; build once, call ``scan`` per text.

    One Hyperscan pass over the text (the rule set's :class:`Prefilter`) finds the few
    windows where each rule's expression can match; only there does Python's ``re`` run,
    with exactly the result of running it over the whole text. A rule with keywords
    counts only when one of them occurs in the (lower-cased) text. Rules Hyperscan cannot
    take, and every rule when ``prefilter`` is False, are searched over the whole text
    once a keyword of theirs occurs. ``scan`` is thread-safe.
    """

    def __init__(
        self, rules: SecretRuleSet, enabled: Iterable[str] | None = None, *,
        prefilter: bool = True,
    ) -> None:
        if enabled is None:
            selected = rules.rules
        else:
            wanted = list(dict.fromkeys(enabled))
            known = set(rules.ids)
            unknown = [rule_id for rule_id in wanted if rule_id not in known]
            if unknown:
                raise KeyError(f"unknown secret rule id(s): {', '.join(unknown)}")
            wanted_set = set(wanted)
            selected = tuple(rule for rule in rules.rules if rule.id in wanted_set)
        self._rules: tuple[SecretRule, ...] = tuple(selected)
        self._global_allow = rules.allowlist
        # Rule id -> position among the selected rules (the last tie-break of overlaps).
        self._order: dict[str, int] = {rule.id: i for i, rule in enumerate(self._rules)}
        compiled = rules._compile() if prefilter and self._rules else None
        self._prefilter: Prefilter[PrefilterKey] | None = None
        self._words: LiteralSet | None = None
        self._checks: tuple[_ValueChecks, ...] = ()
        self._all_checks: Mapping[str, _ValueChecks] = {}
        if compiled is not None:
            self._prefilter = compiled.prefilter
            self._words = compiled.words
            self._checks = tuple(compiled.checks[rule.id] for rule in self._rules)
            self._all_checks = compiled.checks
        # A pair counts when the rule it reports is enabled; its anchor (an identifier
        # or any rule of the set) is looked for whether or not that rule is enabled.
        pairs = []
        for pair in rules.pairs:
            if pair.reports not in self._order:
                continue
            anchor = rules.anchor(pair.anchor)
            if anchor is not None:
                pairs.append(_ActivePair(pair, self._order[pair.reports], anchor,
                                         AnchorKey(anchor.id), ()))
            else:
                rule = rules.get(pair.anchor)
                pairs.append(_ActivePair(pair, self._order[pair.reports], rule, rule.id,
                                         secret_groups(rule.pattern)))
        self._pairs: tuple[_ActivePair, ...] = tuple(pairs)
        self._anchor_keys = frozenset(active.key for active in pairs)
        self._secret_groups: tuple[tuple[int, ...], ...] = tuple(
            secret_groups(rule.pattern) for rule in self._rules)
        # Searched over the whole text (after the keyword check) instead of in windows.
        unsupported = self._prefilter.unsupported if self._prefilter is not None else None
        self._whole_text: tuple[int, ...] = tuple(
            i for i, rule in enumerate(self._rules)
            if unsupported is None or rule.id in unsupported
        )

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self._rules)

    @property
    def whole_text_rule_ids(self) -> tuple[str, ...]:
        """Rules searched over the whole text: those Hyperscan cannot prefilter."""
        return tuple(self._rules[i].id for i in self._whole_text)

    def __repr__(self) -> str:
        return f"SecretScanner({len(self._rules)} rules)"

    def scan(self, text: str, data: bytes | None = None) -> list[SecretMatch]:
        """All secrets in ``text``: non-overlapping, sorted by position (``data``:
        ``prefilter.scan_bytes(text)``, if the caller has it).

        Where matches overlap, a specific rule beats a generic one, then the longer
        match wins, then the rule listed first.
        """
        if not text:
            return []
        if data is None and self._prefilter is not None:
            data = scan_bytes(text)  # once, for the word pass and the prefilter
        # On short texts looking words up one by one is cheaper than a pass for all.
        keywords = _TextWords(text, self._words if len(text) >= _WORD_PASS_FROM else None,
                              data)
        found: list[_Candidate] = []
        for index in self._whole_text:
            if keywords.present(self._rules[index].keywords):
                self._collect(index, self._rules[index].pattern.finditer(text), found)
        candidates: dict[PrefilterKey, list[Window]] | None = None
        if self._prefilter is not None:
            order = self._order
            unsupported = self._prefilter.unsupported
            candidates = self._prefilter.candidates(text, data)
            for key, windows in candidates.items():
                index = order.get(key)  # type: ignore[arg-type]
                if index is not None and key not in unsupported:  # else: done above
                    self._collect(index, self._prefilter.finditer(key, text, windows), found)
        if self._pairs and (candidates is None or not self._anchor_keys.isdisjoint(candidates)):
            self._collect_pairs(text, candidates, keywords, found)
        return self._resolve(found, keywords, candidates)

    def _collect(
        self, index: int, matches: Iterable[re.Match[str]], out: list[_Candidate]
    ) -> None:
        generic = int(self._rules[index].generic)
        groups = self._secret_groups[index]
        for m in matches:
            start, end = secret_span(m, groups)
            if start < end:
                out.append(_Candidate((generic, start - end, index), start, end, m))

    def pair_spans(self, text: str) -> list[tuple[int, int]]:
        """What the pairs alone find in ``text`` (before overlaps with the rules are
        resolved); for checking a pair's examples."""
        found: list[_Candidate] = []
        self._collect_pairs(text, None, _TextWords(text, None), found)
        return [(c.start, c.end) for c in found]

    def _collect_pairs(
        self, text: str, windows: dict[PrefilterKey, list[Window]] | None,
        keywords: _TextWords, out: list[_Candidate],
    ) -> None:
        """Partner values beside their anchors, checked, as candidates of the rule each
        pair reports (ranked as a specific rule)."""
        spans_of: dict[PrefilterKey, list[tuple[int, int]]] = {}
        for active in self._pairs:
            if windows is not None and active.key not in windows:
                continue  # the prefilter saw no anchor
            if active.key not in spans_of:
                spans_of[active.key] = self._anchor_spans(active, text, windows, keywords)
            for start, end in active.pair.partners(text, spans_of[active.key],
                                                   self._global_allow):
                out.append(_Candidate((0, start - end, active.index), start, end, None))

    def _anchor_spans(
        self, active: _ActivePair, text: str,
        windows: dict[PrefilterKey, list[Window]] | None, keywords: _TextWords,
    ) -> list[tuple[int, int]]:
        """Where the pair's anchor is in ``text``: an identifier that is not
        allowlisted, or a match of the anchoring rule that passes its checks."""
        anchor = active.anchor
        if not keywords.present(anchor.keywords):
            return []
        if windows is None or self._prefilter is None:
            matches: Iterable[re.Match[str]] = anchor.pattern.finditer(text)
        else:
            matches = self._prefilter.finditer(active.key, text, windows[active.key])
        if isinstance(anchor, Anchor):
            return anchor_spans(anchor, matches, self._global_allow)
        spans = []
        for m in matches:
            start, end = secret_span(m, active.groups)
            cand = _Candidate((0, 0, 0), start, end, m)
            if start < end and (
                    _reference_accepts(anchor, self._global_allow, cand) if windows is None
                    else self._all_checks[anchor.id].accepts(cand, keywords.words(), windows)):
                spans.append((start, end))
        return spans

    def _resolve(
        self, candidates: list[_Candidate], keywords: _TextWords,
        windows: dict[PrefilterKey, list[Window]] | None,
    ) -> list[SecretMatch]:
        """Keep the best candidates that do not overlap and pass their rule's checks.

        Candidates go best first; one overlapping a span already kept is dropped
        without checking it (it would lose anyway), which spares the allowlist and
        entropy work for most generic matches around a specific secret. The outcome is
        that of checking every candidate first and resolving overlaps after.
        """
        candidates.sort(key=lambda c: (c.rank, c.start))
        starts: list[int] = []  # kept spans, sorted by start
        ends: list[int] = []
        kept: list[_Candidate] = []
        for cand in candidates:
            pos = bisect_left(starts, cand.start)
            if pos > 0 and ends[pos - 1] > cand.start:
                continue  # overlaps the kept span that starts before it
            if pos < len(starts) and starts[pos] < cand.end:
                continue  # overlaps the kept span that starts at or after it
            index = cand.rank[2]
            if cand.match is None:
                pass  # a pair's partner: checked when found
            elif not keywords.present(self._rules[index].keywords):
                continue
            elif windows is None:  # without the prefilter: the reference checks
                if not _reference_accepts(self._rules[index], self._global_allow, cand):
                    continue
            elif not self._checks[index].accepts(cand, keywords.words(), windows):
                continue
            starts.insert(pos, cand.start)
            ends.insert(pos, cand.end)
            kept.append(cand)
        kept.sort(key=lambda c: c.start)
        rules = self._rules
        return [SecretMatch(rules[c.rank[2]].id, rules[c.rank[2]].label, c.start, c.end)
                for c in kept]


def _reference_accepts(rule: SecretRule, global_allow: Allowlist, cand: _Candidate) -> bool:
    """Whether a rule's match passes the set's and the rule's checks, plainly."""
    assert cand.match is not None
    value = cand.match.string[cand.start:cand.end]
    whole_match = cand.match.group(0)
    lowered = value.lower()
    if global_allow.allows(value, lowered, whole_match):
        return False
    if rule.allowlist.allows(value, lowered, whole_match):
        return False
    if rule.entropy is not None and shannon_entropy(value) < rule.entropy:
        return False
    return VALIDATORS[rule.validate](value)


class _ValueChecks:
    """A rule's checks of a found value (the set's and the rule's allowlists, entropy,
    validator), arranged for speed; the answers are those of ``SecretScanner._accepts``.

    Both allowlists' stopwords are one list, looked for only when the text holds them;
    their regexes anchored at the start are one expression tried at position 0; a regex
    that can match anywhere runs only where the prefilter left a window in which it
    could start inside the value (or whole match). The order of the checks does not
    change the answer: a value is accepted when it passes all of them.
    """

    def __init__(self, rule: SecretRule, global_allow: Allowlist,
                 combined: dict[tuple[str, ...], tuple[re.Pattern[str], ...]]) -> None:
        """``combined`` memoises joined expressions across the rules of one set (most
        rules share the set's allowlist only)."""
        owners = (("", global_allow), (rule.id, rule.allowlist))
        stopwords = list(dict.fromkeys(w for _, a in owners for w in a.stopwords))
        # A stopword is looked for in a value only if the text holds it (ASCII words:
        # lower-casing a text lower-cases each of its substrings the same way).
        self._ascii_stopwords = tuple(w for w in stopwords if w.isascii())
        self._other_stopwords = tuple(w for w in stopwords if not w.isascii())
        self._values_at_start = combine_memo(
            [rx for _, a in owners for rx in a.regexes if anchored_at_start(rx)], combined)
        self._matches_at_start = combine_memo(
            [rx for _, a in owners for rx in a.match_regexes if anchored_at_start(rx)],
            combined)
        anywhere = [(AllowlistKey(owner, kind, i), kind, rx)
                    for owner, a in owners for kind, i, rx in a.unanchored()]
        self._values_anywhere = tuple((k, rx) for k, kind, rx in anywhere if kind == "value")
        self._matches_anywhere = tuple((k, rx) for k, kind, rx in anywhere if kind == "match")
        self._entropy = rule.entropy
        self._validate = VALIDATORS[rule.validate]

    def accepts(self, cand: _Candidate, text_words: Container[str] | None,
                windows: Mapping[PrefilterKey, list[Window]]) -> bool:
        m = cand.match
        assert m is not None
        value = m.string[cand.start:cand.end]
        lowered = value.lower()
        if text_words is None:
            if any(word in lowered for word in self._ascii_stopwords):
                return False
        elif any(word in lowered for word in self._ascii_stopwords if word in text_words):
            return False
        if any(word in lowered for word in self._other_stopwords):
            return False
        if any(rx.match(value) for rx in self._values_at_start):
            return False
        start, end = cand.start, cand.end
        if any(_may_start(windows.get(key), start, end) and rx.search(value)
               for key, rx in self._values_anywhere):
            return False
        if self._matches_at_start or self._matches_anywhere:
            whole_match = m.group(0)
            if any(rx.match(whole_match) for rx in self._matches_at_start):
                return False
            start, end = m.span()
            if any(_may_start(windows.get(key), start, end) and rx.search(whole_match)
                   for key, rx in self._matches_anywhere):
                return False
        if self._entropy is not None and shannon_entropy(value) < self._entropy:
            return False
        return self._validate(value)


def _may_start(windows: list[Window] | None, start: int, end: int) -> bool:
    """Whether a match (of an allowlist regex) can start in ``[start, end)``: the text
    holds the value there, so a match inside the value is one in the text too.

    Windows are disjoint and in text order, so the first one whose range of starts
    reaches ``start`` decides (a binary search: a long text has many windows)."""
    if not windows:
        return False
    i = bisect_left(windows, start, key=_LAST_START)
    return i < len(windows) and windows[i].start < end


_LAST_START = attrgetter("last_start")


_WORD_PASS_FROM = 16_384  # characters


class _TextWords:
    """The keywords and stopwords in one text, found on first need (a rule's keywords
    count when one occurs in the lower-cased text). Without a LiteralSet each rule's
    keywords are looked up in the lower-cased text one by one."""

    def __init__(self, text: str, words: LiteralSet | None, data: bytes | None = None
                 ) -> None:
        self._text = text
        self._data = data
        self._words = words
        self._found: set[str] | None = None
        self._lowered: str | None = None

    def words(self) -> set[str] | None:
        """The words found, or None without a LiteralSet."""
        if self._found is None and self._words is not None:
            self._found = self._words.present(self._text, self._data)
        return self._found

    def present(self, keywords: tuple[str, ...]) -> bool:
        """Whether one of ``keywords`` (a rule's or an anchor's; none: always) occurs."""
        if not keywords:
            return True
        found = self.words()
        if found is not None:
            return any(keyword in found for keyword in keywords)
        if self._lowered is None:
            self._lowered = self._text.lower()
        lowered = self._lowered
        return any(keyword in lowered for keyword in keywords)


# --------------------------------------------------------------------------- examples


def example_failures(
    rule: SecretRule, global_allow: Allowlist | None = None
) -> list[tuple[Example, str]]:
    """Which examples of ``rule`` misbehave when the rule runs alone (empty: all good).

    A match example must yield a match of the rule covering its secret; a no-match
    example must yield no match of the rule. Messages name the example, not its text.
    The rule runs without the prefilter (whole text, the reference behaviour the
    prefilter reproduces), so checking a whole file compiles nothing.
    """
    scanner = SecretScanner(
        SecretRuleSet((rule,), global_allow or Allowlist(), "<examples>"), None,
        prefilter=False,
    )
    failures: list[tuple[Example, str]] = []
    for i, example in enumerate(rule.match_examples):
        start, end = example.secret_span
        found = scanner.scan(example.text)
        if not any(m.start <= start and m.end >= end for m in found):
            why = "matched a different span" if found else "not found"
            failures.append((example, f"match example {i + 1}: {why}"))
    for i, example in enumerate(rule.no_match_examples):
        if scanner.scan(example.text):
            failures.append((example, f"no_match example {i + 1}: matched"))
    return failures


def anchor_example_failures(anchor: Anchor, global_allow: Allowlist | None = None
                            ) -> list[tuple[Example, str]]:
    """Which examples of ``anchor`` misbehave (empty: all good)."""
    allow = global_allow or Allowlist()
    failures: list[tuple[Example, str]] = []
    for i, example in enumerate(anchor.match_examples):
        start, end = example.secret_span
        found = anchor_spans(anchor, anchor.pattern.finditer(example.text), allow)
        if not any(s <= start and e >= end for s, e in found):
            why = "matched a different span" if found else "not found"
            failures.append((example, f"match example {i + 1}: {why}"))
    for i, example in enumerate(anchor.no_match_examples):
        if anchor_spans(anchor, anchor.pattern.finditer(example.text), allow):
            failures.append((example, f"no_match example {i + 1}: matched"))
    return failures


def pair_example_failures(pair: PairRule, rules: SecretRuleSet) -> list[tuple[Example, str]]:
    """Which examples of ``pair`` misbehave when it runs alone in ``rules`` (empty: all
    good): a match example's secret must be found as a partner of the pair's anchor, a
    no-match example must give no partner. Without the prefilter, like
    ``example_failures``."""
    scanner = SecretScanner(
        SecretRuleSet(rules.rules, rules.allowlist, "<examples>", rules.anchors, (pair,)),
        [pair.reports], prefilter=False)
    failures: list[tuple[Example, str]] = []
    for i, example in enumerate(pair.match_examples):
        start, end = example.secret_span
        found = scanner.pair_spans(example.text)
        if not any(s <= start and e >= end for s, e in found):
            why = "matched a different span" if found else "not found"
            failures.append((example, f"match example {i + 1}: {why}"))
    for i, example in enumerate(pair.no_match_examples):
        if scanner.pair_spans(example.text):
            failures.append((example, f"no_match example {i + 1}: matched"))
    return failures


# --------------------------------------------------------------------------- loading

_RULE_KEYS_REQUIRED = ("id", "label", "description", "regex", "examples")
_RULE_KEYS_OPTIONAL = ("keywords", "entropy", "allowlist", "validate", "generic", "anchored")
_ALLOW_KEYS = ("regexes", "stopwords", "match_regexes")
_MACRO = re.compile(r"\{\{([A-Z][A-Z0-9_]*)\}\}")
_MACRO_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_MAX_KEYWORD = 60
_ANCHOR_KEYS_REQUIRED = ("id", "description", "regex", "examples")
_ANCHOR_KEYS_OPTIONAL = ("keywords", "allowlist")
_PAIR_KEYS_REQUIRED = ("id", "description", "reports", "anchor", "partner", "within",
                       "examples")
_PAIR_KEYS_OPTIONAL = ("side", "entropy", "allowlist", "validate")
_MAX_WITHIN = 2000  # characters between an anchor and its partner


def _unbounded_repeat(pattern: str, flags: int = 0) -> bool:
    """True when ``pattern`` contains ``*``, ``+`` or ``{n,}`` (an unbounded repeat)."""
    repeats = {
        _sre_constants.MAX_REPEAT,
        _sre_constants.MIN_REPEAT,
        _sre_constants.POSSESSIVE_REPEAT,
    }

    def walk(node: Any) -> bool:
        if isinstance(node, _sre_parser.SubPattern):
            for op, av in node:
                if op in repeats and av[1] == _sre_constants.MAXREPEAT:
                    return True
                if walk(av):
                    return True
            return False
        if isinstance(node, list | tuple):
            return any(walk(item) for item in node)
        return False

    return walk(_sre_parser.parse(pattern, flags))


class _RuleLoader:
    """Turns the parsed YAML into a SecretRuleSet, collecting every problem."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.check = Checker()
        self.macros: dict[str, str] = {}

    # -- helpers ------------------------------------------------------------------------
    def expand(self, text: str, src: Src) -> str | None:
        unknown = [name for name in _MACRO.findall(text) if name not in self.macros]
        if unknown:
            self.check.fail(src, f"unknown macro(s): {', '.join(sorted(set(unknown)))}")
            return None
        return _MACRO.sub(lambda m: self.macros[m.group(1)], text)

    def bounded_regex(self, value: Any, src: Src) -> re.Pattern[str] | None:
        text = self.check.string(value, src)
        if text is None:
            return None
        expanded = self.expand(text, src)
        if expanded is None:
            return None
        compiled = self.check.regex(expanded, src)
        if compiled is None:
            return None
        if _unbounded_repeat(expanded):
            self.check.fail(
                src, "unbounded repetition (*, + or {n,}); use a bounded {m,n} instead"
            )
            return None
        return compiled

    def allowlist(self, value: Any, src: Src) -> Allowlist:
        data = self.check.mapping(value, src, optional=_ALLOW_KEYS)
        if data is None:
            return Allowlist()
        regexes: list[re.Pattern[str]] = []
        match_regexes: list[re.Pattern[str]] = []
        for key, out in (("regexes", regexes), ("match_regexes", match_regexes)):
            if key not in data:
                continue
            items = self.check.sequence(data[key], src.key(data, key))
            for i, item in enumerate(items or ()):
                compiled = self.bounded_regex(item, src.key(data, key).item(data[key], i))
                if compiled is not None:
                    out.append(compiled)
        stopwords: tuple[str, ...] = ()
        if "stopwords" in data:
            stop_src = src.key(data, "stopwords")
            stopwords = self.check.string_list(data["stopwords"], stop_src)
            for i, word in enumerate(stopwords):
                if word != word.lower():
                    self.check.fail(stop_src.item(data["stopwords"], i), "must be lower-case")
        return Allowlist(tuple(regexes), tuple(w.lower() for w in stopwords),
                         tuple(match_regexes))

    def examples(self, value: Any, src: Src, *, span_key: str = "secret",
                 spans_required: bool = False
                 ) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
        """``match`` examples may name the part that must be found (``span_key``);
        with ``spans_required`` they must (a pair's text holds its anchor too)."""
        data = self.check.mapping(value, src, required=("match", "no_match"))
        if data is None:
            return (), ()
        match = self._example_list(data, "match", src, minimum=2, span_key=span_key,
                                   spans_required=spans_required)
        no_match = self._example_list(data, "no_match", src, minimum=1, span_key=None)
        return match, no_match

    def _example_list(
        self, data: LineDict, key: str, src: Src, *, minimum: int, span_key: str | None,
        spans_required: bool = False,
    ) -> tuple[Example, ...]:
        if key not in data:
            return ()
        list_src = src.key(data, key)
        items = self.check.sequence(data[key], list_src)
        if items is None:
            return ()
        if len(items) < minimum:
            self.check.fail(list_src, f"needs at least {minimum} example(s), got {len(items)}")
        out: list[Example] = []
        for i, item in enumerate(items):
            item_src = list_src.item(data[key], i)
            if isinstance(item, dict):
                if span_key is None:
                    self.check.fail(item_src, "must be a plain string")
                    continue
                entry = self.check.mapping(item, item_src, required=("text", span_key))
                if entry is None or "text" not in entry or span_key not in entry:
                    continue
                text = self.check.string(entry["text"], item_src.key(entry, "text"))
                secret = self.check.string(entry[span_key], item_src.key(entry, span_key))
                if text is None or secret is None:
                    continue
                if secret not in text:
                    self.check.fail(item_src.key(entry, span_key), "is not part of the text")
                    continue
                out.append(Example(text, secret, item_src.line))
            elif spans_required:
                self.check.fail(item_src, f"must be a mapping with text and {span_key}")
            else:
                text = self.check.string(item, item_src)
                if text is not None:
                    out.append(Example(text, None, item_src.line))
        return tuple(out)

    # -- sections -----------------------------------------------------------------------
    def load_macros(self, value: Any, src: Src) -> None:
        if not isinstance(value, dict):
            self.check.fail(src, "must be a mapping of NAME: regex fragment")
            return
        data = value
        for name in list(data):
            item_src = src.key(data, name)
            if not _MACRO_NAME.fullmatch(name):
                self.check.fail(item_src, "macro names are upper-case letters, digits and '_'")
                continue
            text = self.check.string(data[name], item_src)
            if text is None:
                continue
            expanded = self.expand(text, item_src)  # macros may use earlier macros
            if expanded is not None:
                self.macros[name] = expanded

    def keywords(self, data: LineDict, src: Src) -> tuple[str, ...]:
        if "keywords" not in data:
            return ()
        kw_src = src.key(data, "keywords")
        keywords = self.check.string_list(data["keywords"], kw_src, nonempty=True)
        for i, word in enumerate(keywords):
            if word != word.lower():
                self.check.fail(kw_src.item(data["keywords"], i), "keywords must be lower-case")
            elif len(word) > _MAX_KEYWORD:
                self.check.fail(kw_src.item(data["keywords"], i),
                                f"longer than {_MAX_KEYWORD} characters")
        return keywords

    def entropy(self, data: LineDict, src: Src) -> float | None:
        if "entropy" not in data:
            return None
        number = self.check.number(data["entropy"], src.key(data, "entropy"),
                                   minimum=0, maximum=8)
        return float(number) if number is not None else None

    def validator(self, data: LineDict, src: Src) -> str:
        if "validate" not in data:
            return "none"
        return self.check.choice(data["validate"], src.key(data, "validate"),
                                 sorted(VALIDATORS)) or "none"

    def load_anchor(self, value: Any, src: Src) -> Anchor | None:
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            src = Src(src.file, f"anchors.{value['id']}", src.line)
        data = self.check.mapping(value, src, required=_ANCHOR_KEYS_REQUIRED,
                                  optional=_ANCHOR_KEYS_OPTIONAL)
        if data is None:
            return None
        anchor_id = self.check.identifier(data.get("id"), src.key(data, "id"))
        description = self.check.string(data.get("description"), src.key(data, "description"))
        pattern = None
        if "regex" in data:
            pattern = self.bounded_regex(data["regex"], src.key(data, "regex"))
        keywords = self.keywords(data, src)
        allow = Allowlist()
        if "allowlist" in data:
            allow = self.allowlist(data["allowlist"], src.key(data, "allowlist"))
        match_examples: tuple[Example, ...] = ()
        no_match_examples: tuple[Example, ...] = ()
        if "examples" in data:
            match_examples, no_match_examples = self.examples(
                data["examples"], src.key(data, "examples"), span_key="anchor")
        if anchor_id is None or description is None or pattern is None:
            return None
        return Anchor(anchor_id, description, pattern, keywords, allow, match_examples,
                      no_match_examples, src.line)

    def load_pair(self, value: Any, src: Src) -> PairRule | None:
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            src = Src(src.file, f"pairs.{value['id']}", src.line)
        data = self.check.mapping(value, src, required=_PAIR_KEYS_REQUIRED,
                                  optional=_PAIR_KEYS_OPTIONAL)
        if data is None:
            return None
        pair_id = self.check.identifier(data.get("id"), src.key(data, "id"))
        description = self.check.string(data.get("description"), src.key(data, "description"))
        reports = self.check.identifier(data.get("reports"), src.key(data, "reports"))
        anchor = self.check.identifier(data.get("anchor"), src.key(data, "anchor"))
        partner = None
        if "partner" in data:
            partner = self.bounded_regex(data["partner"], src.key(data, "partner"))
            if partner is not None and not secret_groups(partner):
                self.check.fail(src.key(data, "partner"), "needs a group named secret")
                partner = None
        within = None
        if "within" in data:
            number = self.check.number(data["within"], src.key(data, "within"), minimum=1,
                                       maximum=_MAX_WITHIN, integer=True)
            within = int(number) if number is not None else None
        side = "either"
        if "side" in data:
            side = self.check.choice(data["side"], src.key(data, "side"), SIDES) or "either"
        allow = Allowlist()
        if "allowlist" in data:
            allow = self.allowlist(data["allowlist"], src.key(data, "allowlist"))
        match_examples: tuple[Example, ...] = ()
        no_match_examples: tuple[Example, ...] = ()
        if "examples" in data:
            match_examples, no_match_examples = self.examples(
                data["examples"], src.key(data, "examples"), spans_required=True)
        if None in (pair_id, description, reports, anchor, partner, within):
            return None
        assert pair_id and description and reports and anchor and partner and within
        return PairRule(pair_id, description, reports, anchor, partner, within, side,
                        self.entropy(data, src), allow, self.validator(data, src),
                        match_examples, no_match_examples, src.line)

    def load_rule(self, value: Any, src: Src) -> SecretRule | None:
        # Name the rule by its id in messages when it has a usable one.
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            src = Src(src.file, f"rules.{value['id']}", src.line)
        data = self.check.mapping(
            value, src, required=_RULE_KEYS_REQUIRED, optional=_RULE_KEYS_OPTIONAL
        )
        if data is None:
            return None
        rule_id = self.check.identifier(data.get("id"), src.key(data, "id"))
        label = self.check.string(data.get("label"), src.key(data, "label"))
        description = self.check.string(data.get("description"), src.key(data, "description"))
        pattern = None
        if "regex" in data:
            pattern = self.bounded_regex(data["regex"], src.key(data, "regex"))
        keywords = self.keywords(data, src)
        entropy = self.entropy(data, src)
        allow = Allowlist()
        if "allowlist" in data:
            allow = self.allowlist(data["allowlist"], src.key(data, "allowlist"))
        validate = self.validator(data, src)
        generic = False
        if "generic" in data:
            generic = bool(self.check.boolean(data["generic"], src.key(data, "generic")))
        anchored = False
        if "anchored" in data:
            anchored = bool(self.check.boolean(data["anchored"], src.key(data, "anchored")))
            if anchored and "keywords" not in data:
                self.check.fail(src.key(data, "anchored"), "an anchored rule needs keywords")
        match_examples: tuple[Example, ...] = ()
        no_match_examples: tuple[Example, ...] = ()
        if "examples" in data:
            match_examples, no_match_examples = self.examples(
                data["examples"], src.key(data, "examples"))
        if rule_id is None or label is None or description is None or pattern is None:
            return None
        return SecretRule(
            id=rule_id, label=label, description=description, pattern=pattern,
            keywords=keywords, entropy=entropy, allowlist=allow, validate=validate,
            generic=generic, anchored=anchored, match_examples=match_examples,
            no_match_examples=no_match_examples, line=src.line,
        )


def load_secret_rules(path: str | Path, *, check_examples: bool = True,
                      sources: Sources | None = None) -> SecretRuleSet:
    """Load and validate a secret rule file; raise ConfigError listing every problem.

    With ``check_examples`` (the default) every rule must also find each of its
    ``match`` examples and none of its ``no_match`` examples, so a broken rule is
    refused at load time instead of silently missing secrets.
    """
    file = str(path)
    data = load_yaml(path, sources)
    loader = _RuleLoader(file)
    check = loader.check
    root_src = Src(file, "", getattr(data, "line", 1))
    root = check.mapping(data, root_src, required=("rules",),
                         optional=("description", "macros", "allowlist", "anchors", "pairs"))
    if root is None or "rules" not in root:
        check.raise_if_any()
        raise AssertionError("unreachable: mapping problems were recorded")  # pragma: no cover
    if "description" in root:
        check.string(root["description"], root_src.key(root, "description"))
    if "macros" in root:
        loader.load_macros(root["macros"], root_src.key(root, "macros"))
    global_allow = Allowlist()
    if "allowlist" in root:
        global_allow = loader.allowlist(root["allowlist"], root_src.key(root, "allowlist"))
    rules_src = root_src.key(root, "rules")
    items = check.sequence(root["rules"], rules_src, nonempty=True) or []
    rules: list[SecretRule] = []
    first_line: dict[str, int | None] = {}
    for i, item in enumerate(items):
        item_src = rules_src.item(root["rules"], i)
        rule = loader.load_rule(item, item_src)
        if rule is None:
            continue
        if rule.id in first_line:
            check.fail(Src(file, f"rules.{rule.id}.id", rule.line),
                       f"duplicate id (first defined on line {first_line[rule.id]})")
            continue
        first_line[rule.id] = rule.line
        rules.append(rule)
    anchors = _load_section(loader, root, root_src, "anchors", loader.load_anchor, first_line)
    pairs = _load_section(loader, root, root_src, "pairs", loader.load_pair, {})
    rule_ids = {rule.id for rule in rules}
    anchor_ids = {anchor.id for anchor in anchors}
    for pair in pairs:
        if pair.reports not in rule_ids:
            check.fail(Src(file, f"pairs.{pair.id}.reports", pair.line),
                       f"unknown secret rule '{pair.reports}'")
        if pair.anchor not in rule_ids and pair.anchor not in anchor_ids:
            check.fail(Src(file, f"pairs.{pair.id}.anchor", pair.line),
                       f"unknown anchor or secret rule '{pair.anchor}'")
    check.raise_if_any()
    ruleset = SecretRuleSet(tuple(rules), global_allow, file, anchors, pairs)
    if check_examples:
        for rule in rules:
            for example, message in example_failures(rule, global_allow):
                check.fail(Src(file, f"rules.{rule.id}.examples", example.line or rule.line),
                           message)
        for anchor in anchors:
            for example, message in anchor_example_failures(anchor, global_allow):
                check.fail(Src(file, f"anchors.{anchor.id}.examples",
                               example.line or anchor.line), message)
        for pair in pairs:
            for example, message in pair_example_failures(pair, ruleset):
                check.fail(Src(file, f"pairs.{pair.id}.examples", example.line or pair.line),
                           message)
        check.raise_if_any()
    return ruleset


def _load_section[T: (Anchor, PairRule)](
    loader: _RuleLoader, root: LineDict, root_src: Src, key: str,
    load: Callable[[Any, Src], T | None], taken: dict[str, int | None],
) -> tuple[T, ...]:
    """Load the optional list ``key``; ids must be unique within it and not be in
    ``taken`` (rule ids, for anchors: a pair names either)."""
    if key not in root:
        return ()
    section_src = root_src.key(root, key)
    items = loader.check.sequence(root[key], section_src) or []
    first_line: dict[str, int | None] = {}
    out: list[T] = []
    for i, item in enumerate(items):
        loaded = load(item, section_src.item(root[key], i))
        if loaded is None:
            continue
        where = Src(loader.file, f"{key}.{loaded.id}.id", loaded.line)
        if loaded.id in first_line or loaded.id in taken:
            line = first_line.get(loaded.id, taken.get(loaded.id))
            loader.check.fail(where, f"duplicate id (first defined on line {line})")
            continue
        first_line[loaded.id] = loaded.line
        out.append(loaded)
    return tuple(out)
