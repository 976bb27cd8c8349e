"""Secret detection with rules as data (the gitleaks model).

Every rule lives in a YAML file (``rulesets/secrets.yaml``): an id, a human label, a
regular expression whose named group ``secret`` marks the value, cheap lower-case
keywords, an optional entropy threshold and allowlist, an optional named validator
(the only part that is code) and examples that must and must not match. Loading
validates all of it and fails with ``file:line: field: message``.

Scanning is built for the request path: one Hyperscan pass over the text (see
``prefilter.py``) finds the few short windows where each rule's expression can match,
and only there does Python's ``re`` run. Every quantifier in a rule is bounded (the
loader refuses others), so no input can make a rule backtrack without limit. Results
hold spans, never values.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
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

# --------------------------------------------------------------------------- validators
# The only code in a rule: checks a regular expression cannot express.


def _luhn(value: str) -> bool:
    digits = [int(c) for c in value if c.isdigit()]
    if len(digits) < 12:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _b64_prefix(text: str, *, urlsafe: bool) -> bytes:
    """Decode the longest whole-quantum prefix of ``text``; b"" when it is not base64.

    Only a prefix is needed (a JWT header, the start of an encoded token) and the text
    may be cut off, so trailing partial quanta and padding are dropped, not rejected.
    """
    body = text.strip().rstrip("=")
    body = body[: len(body) - len(body) % 4]
    if not body:
        return b""
    try:
        if urlsafe:
            return base64.urlsafe_b64decode(body)
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return b""


def _jwt_header(token: str) -> bytes:
    header = token.split(".", 1)[0]
    return _b64_prefix(header.replace("\\", ""), urlsafe=True)


def _jwt(value: str) -> bool:
    """Three base64url parts whose header decodes to a JSON object naming ``alg``."""
    header = _jwt_header(value)
    return header.startswith(b'{"') and b'"alg"' in header


def _base64_jwt(value: str) -> bool:
    """A base64-encoded JWT: decodes to ``eyJ...`` whose header is a JSON object."""
    compact = re.sub(r"\\[nr]|\s", "", value)
    decoded = _b64_prefix(compact, urlsafe=False) or _b64_prefix(compact, urlsafe=True)
    try:
        inner = decoded.decode("ascii")
    except UnicodeDecodeError:
        return False
    return inner.startswith("eyJ") and _jwt_header(inner).startswith(b'{"')


def _basic_auth(value: str) -> bool:
    """``Authorization: Basic`` credentials: base64 of printable ``user:password``."""
    decoded = _b64_prefix(value, urlsafe=False)
    if b":" not in decoded:
        return False
    user, _, password = decoded.partition(b":")
    return bool(password) and all(32 <= b < 127 for b in decoded)


VALIDATORS: Mapping[str, Callable[[str], bool]] = MappingProxyType(
    {
        "none": lambda value: True,
        "luhn": _luhn,
        "jwt": _jwt,
        "base64_jwt": _base64_jwt,
        "basic_auth": _basic_auth,
    }
)

# --------------------------------------------------------------------------- model


_LEADING_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


def _combine(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One alternation of all ``patterns``; a leading (?i) becomes a scoped (?i:...)."""
    if not patterns:
        return None
    parts = []
    for rx in patterns:
        text = rx.pattern
        flags = _LEADING_FLAGS.match(text)
        if flags:
            text = f"(?{flags.group(1)}:{text[flags.end():]})"
        parts.append(f"(?:{text})")
    return re.compile("|".join(parts))


def _combine_memo(
    patterns: Sequence[re.Pattern[str]],
    memo: dict[tuple[str, ...], tuple[re.Pattern[str], ...]],
) -> tuple[re.Pattern[str], ...]:
    """``patterns`` as one alternation, or as they are when they cannot be joined (two
    define the same group name)."""
    key = tuple(f"{rx.flags}:{rx.pattern}" for rx in patterns)
    if key not in memo:
        try:
            combined = _combine(patterns)
        except re.error:
            memo[key] = tuple(patterns)
        else:
            memo[key] = () if combined is None else (combined,)
    return memo[key]


@dataclass(frozen=True)
class Allowlist:
    """Values that look like secrets but are not: placeholders, documentation keys.

    ``regexes`` are searched in the secret value, ``stopwords`` are lower-case
    substrings of it, ``match_regexes`` are searched in the whole match (the key name
    and separator around the value, for rules that need context).
    """

    regexes: tuple[re.Pattern[str], ...] = ()
    stopwords: tuple[str, ...] = ()
    match_regexes: tuple[re.Pattern[str], ...] = ()
    # The regexes joined into one expression each: one search instead of one per regex.
    _value_rx: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _match_rx: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_value_rx", _combine(self.regexes))
        object.__setattr__(self, "_match_rx", _combine(self.match_regexes))

    def allows(self, value: str, lowered_value: str, whole_match: str) -> bool:
        """The reference behaviour; the scanner's fast path (``_ValueChecks``) gives the
        same answers with less work."""
        if any(word in lowered_value for word in self.stopwords):
            return True
        if self._value_rx is not None and self._value_rx.search(value):
            return True
        return self._match_rx is not None and self._match_rx.search(whole_match) is not None

    def unanchored(self) -> Iterator[tuple[str, int, re.Pattern[str]]]:
        """The regexes that can match anywhere, not only at the start: ("value" or
        "match", position in ``regexes`` or ``match_regexes``, regex)."""
        for kind, regexes in (("value", self.regexes), ("match", self.match_regexes)):
            for i, rx in enumerate(regexes):
                if not anchored_at_start(rx):
                    yield kind, i, rx

    def __repr__(self) -> str:
        return (
            f"Allowlist({len(self.regexes)} regexes, {len(self.stopwords)} stopwords, "
            f"{len(self.match_regexes)} match regexes)"
        )


@dataclass(frozen=True)
class Example:
    """A rule example. ``secret`` is the part a match must cover (the whole text if None)."""

    text: str
    secret: str | None
    line: int | None

    @property
    def secret_span(self) -> tuple[int, int]:
        if self.secret is None:
            return 0, len(self.text)
        start = self.text.index(self.secret)
        return start, start + len(self.secret)

    def __repr__(self) -> str:  # examples are fake, but reprs never carry values at all
        return f"Example(line={self.line})"


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

    prefilter: Prefilter[str | AllowlistKey]
    words: LiteralSet
    checks: Mapping[str, _ValueChecks]

    @classmethod
    def build(cls, rules: SecretRuleSet) -> _Compiled:
        patterns: list[tuple[str | AllowlistKey, re.Pattern[str]]] = [
            (rule.id, rule.pattern) for rule in rules.rules]
        owners = [("", rules.allowlist), *((rule.id, rule.allowlist) for rule in rules.rules)]
        for owner, allowlist in owners:
            for kind, index, rx in allowlist.unanchored():
                patterns.append((AllowlistKey(owner, kind, index), rx))
        words = [*rules.allowlist.stopwords]
        for rule in rules.rules:
            words += [*rule.keywords, *rule.allowlist.stopwords]
        combined: dict[tuple[str, ...], tuple[re.Pattern[str], ...]] = {}
        return cls(Prefilter(patterns), LiteralSet(words),
                   MappingProxyType({rule.id: _ValueChecks(rule, rules.allowlist, combined)
                                     for rule in rules.rules}))


class AllowlistKey(NamedTuple):
    """Names an unanchored allowlist regex in a rule set's prefilter."""

    owner: str  # rule id, or "" for the allowlist of the whole set
    kind: str  # "value" or "match"
    index: int


@dataclass(frozen=True)
class SecretRuleSet:
    """All rules of one file plus the allowlist that applies to every rule."""

    rules: tuple[SecretRule, ...]
    allowlist: Allowlist
    source: str
    # What fast scanning needs, compiled on first use and shared by every scanner over
    # this set (whatever subset it enables).
    _compiled: list[_Compiled] = field(
        default_factory=list, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False)

    def prefilter(self) -> Prefilter[str | AllowlistKey]:
        """The prefilter of every rule (keyed by rule id) and of every unanchored
        allowlist regex (keyed by AllowlistKey); built once, thread-safe."""
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

    def __repr__(self) -> str:
        return f"SecretRuleSet({len(self.rules)} rules from {self.source})"


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
    """A match of a rule, not yet checked against allowlists, entropy and validator."""

    rank: tuple[int, int, int]  # (generic, -length, rule position): lower is preferred
    start: int  # the secret's span
    end: int
    match: re.Match[str]


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
        self._prefilter: Prefilter[str | AllowlistKey] | None = None
        self._words: LiteralSet | None = None
        self._checks: tuple[_ValueChecks, ...] = ()
        if compiled is not None:
            self._prefilter = compiled.prefilter
            self._words = compiled.words
            self._checks = tuple(compiled.checks[rule.id] for rule in self._rules)
        self._secret_groups: tuple[tuple[int, ...], ...] = tuple(
            _secret_groups(rule.pattern) for rule in self._rules)
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
            if keywords.present(self._rules[index]):
                self._collect(index, self._rules[index].pattern.finditer(text), found)
        candidates: dict[str | AllowlistKey, list[Window]] | None = None
        if self._prefilter is not None:
            order = self._order
            unsupported = self._prefilter.unsupported
            candidates = self._prefilter.candidates(text, data)
            for key, windows in candidates.items():
                index = order.get(key)  # type: ignore[arg-type]
                if index is not None and key not in unsupported:  # else: done above
                    self._collect(index, self._prefilter.finditer(key, text, windows), found)
        return self._resolve(found, keywords, candidates)

    def _collect(
        self, index: int, matches: Iterable[re.Match[str]], out: list[_Candidate]
    ) -> None:
        generic = int(self._rules[index].generic)
        groups = self._secret_groups[index]
        for m in matches:
            start, end = _secret_span(m, groups)
            if start < end:
                out.append(_Candidate((generic, start - end, index), start, end, m))

    def _resolve(
        self, candidates: list[_Candidate], keywords: _TextWords,
        windows: dict[str | AllowlistKey, list[Window]] | None,
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
            if not keywords.present(self._rules[index]):
                continue
            if windows is None:  # without the prefilter: the reference checks
                if not self._accepts(self._rules[index], cand):
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

    def _accepts(self, rule: SecretRule, cand: _Candidate) -> bool:
        value = cand.match.string[cand.start:cand.end]
        whole_match = cand.match.group(0)
        lowered = value.lower()
        if self._global_allow.allows(value, lowered, whole_match):
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
        self._values_at_start = _combine_memo(
            [rx for _, a in owners for rx in a.regexes if anchored_at_start(rx)], combined)
        self._matches_at_start = _combine_memo(
            [rx for _, a in owners for rx in a.match_regexes if anchored_at_start(rx)],
            combined)
        anywhere = [(AllowlistKey(owner, kind, i), kind, rx)
                    for owner, a in owners for kind, i, rx in a.unanchored()]
        self._values_anywhere = tuple((k, rx) for k, kind, rx in anywhere if kind == "value")
        self._matches_anywhere = tuple((k, rx) for k, kind, rx in anywhere if kind == "match")
        self._entropy = rule.entropy
        self._validate = VALIDATORS[rule.validate]

    def accepts(self, cand: _Candidate, text_words: Container[str] | None,
                windows: Mapping[str | AllowlistKey, list[Window]]) -> bool:
        m = cand.match
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
    holds the value there, so a match inside the value is one in the text too."""
    return windows is not None and any(
        w.start < end and w.last_start >= start for w in windows)


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

    def present(self, rule: SecretRule) -> bool:
        if not rule.keywords:
            return True
        found = self.words()
        if found is not None:
            return any(keyword in found for keyword in rule.keywords)
        if self._lowered is None:
            self._lowered = self._text.lower()
        lowered = self._lowered
        return any(keyword in lowered for keyword in rule.keywords)


def _secret_groups(pattern: re.Pattern[str]) -> tuple[int, ...]:
    """The groups named ``secret*``, in the order of the pattern's group names."""
    return tuple(i for name, i in pattern.groupindex.items() if name.startswith("secret"))


def _secret_span(m: re.Match[str], groups: tuple[int, ...]) -> tuple[int, int]:
    """Span of the first participating group named ``secret*``, else of the match."""
    for group in groups:
        if m.start(group) >= 0:
            return m.span(group)
    return m.span()


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


# --------------------------------------------------------------------------- loading

_RULE_KEYS_REQUIRED = ("id", "label", "description", "regex", "examples")
_RULE_KEYS_OPTIONAL = ("keywords", "entropy", "allowlist", "validate", "generic", "anchored")
_ALLOW_KEYS = ("regexes", "stopwords", "match_regexes")
_MACRO = re.compile(r"\{\{([A-Z][A-Z0-9_]*)\}\}")
_MACRO_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_MAX_KEYWORD = 60


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

    def examples(self, value: Any, src: Src) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
        data = self.check.mapping(value, src, required=("match", "no_match"))
        if data is None:
            return (), ()
        match = self._example_list(data, "match", src, minimum=2, allow_secret=True)
        no_match = self._example_list(data, "no_match", src, minimum=1, allow_secret=False)
        return match, no_match

    def _example_list(
        self, data: LineDict, key: str, src: Src, *, minimum: int, allow_secret: bool
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
                if not allow_secret:
                    self.check.fail(item_src, "must be a plain string")
                    continue
                entry = self.check.mapping(item, item_src, required=("text", "secret"))
                if entry is None or "text" not in entry or "secret" not in entry:
                    continue
                text = self.check.string(entry["text"], item_src.key(entry, "text"))
                secret = self.check.string(entry["secret"], item_src.key(entry, "secret"))
                if text is None or secret is None:
                    continue
                if secret not in text:
                    self.check.fail(item_src.key(entry, "secret"), "is not part of the text")
                    continue
                out.append(Example(text, secret, item_src.line))
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
        keywords: tuple[str, ...] = ()
        if "keywords" in data:
            kw_src = src.key(data, "keywords")
            keywords = self.check.string_list(data["keywords"], kw_src, nonempty=True)
            for i, word in enumerate(keywords):
                if word != word.lower():
                    self.check.fail(kw_src.item(data["keywords"], i), "keywords must be lower-case")
                elif len(word) > _MAX_KEYWORD:
                    self.check.fail(kw_src.item(data["keywords"], i),
                                    f"longer than {_MAX_KEYWORD} characters")
        entropy = None
        if "entropy" in data:
            number = self.check.number(data["entropy"], src.key(data, "entropy"),
                                       minimum=0, maximum=8)
            entropy = float(number) if number is not None else None
        allow = Allowlist()
        if "allowlist" in data:
            allow = self.allowlist(data["allowlist"], src.key(data, "allowlist"))
        validate = "none"
        if "validate" in data:
            validate = self.check.choice(data["validate"], src.key(data, "validate"),
                                         sorted(VALIDATORS)) or "none"
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
                         optional=("description", "macros", "allowlist"))
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
    check.raise_if_any()
    if check_examples:
        for rule in rules:
            for example, message in example_failures(rule, global_allow):
                check.fail(Src(file, f"rules.{rule.id}.examples", example.line or rule.line),
                           message)
        check.raise_if_any()
    return SecretRuleSet(tuple(rules), global_allow, file)
