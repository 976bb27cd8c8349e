"""What the secret rules share: validators, allowlists, examples and secret spans.

A rule's value checks (allowlist, entropy, named validator) and its examples are the
same whether the rule finds a value by its own expression or beside an anchor (a
``PairRule``), so they live here, below both.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from .prefilter import anchored_at_start

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


def _base64_private_key(value: str) -> bool:
    """Base64 of a PEM private key (kubeconfig client-key-data, tls.key): the decoded
    start is a BEGIN line that says PRIVATE KEY."""
    compact = re.sub(r"\\[nr]|\s", "", value)
    head = _b64_prefix(compact[:120], urlsafe=False)
    first_line = head.split(b"\n", 1)[0]
    return first_line.startswith(b"-----BEGIN") and b"PRIVATE KEY" in first_line


VALIDATORS: Mapping[str, Callable[[str], bool]] = MappingProxyType(
    {
        "none": lambda value: True,
        "luhn": _luhn,
        "jwt": _jwt,
        "base64_jwt": _base64_jwt,
        "basic_auth": _basic_auth,
        "base64_private_key": _base64_private_key,
    }
)


_LEADING_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


def combine(patterns: Sequence[re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    """``patterns`` as few expressions as give the same answers: one alternation of those
    without groups (a leading (?i) becomes a scoped (?i:...)), and each pattern with a
    group as it is - joined, its backreferences would name another pattern's group."""
    plain = [rx for rx in patterns if not rx.groups]
    grouped = tuple(rx for rx in patterns if rx.groups)
    if not plain:
        return grouped
    parts = []
    for rx in plain:
        text = rx.pattern
        flags = _LEADING_FLAGS.match(text)
        if flags:
            text = f"(?{flags.group(1)}:{text[flags.end():]})"
        parts.append(f"(?:{text})")
    return (re.compile("|".join(parts)), *grouped)


def combine_memo(
    patterns: Sequence[re.Pattern[str]],
    memo: dict[tuple[str, ...], tuple[re.Pattern[str], ...]],
) -> tuple[re.Pattern[str], ...]:
    """``combine(patterns)``, once per distinct list of patterns."""
    key = tuple(f"{rx.flags}:{rx.pattern}" for rx in patterns)
    if key not in memo:
        memo[key] = combine(patterns)
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
    # The regexes joined (see combine): one search instead of one per regex.
    _value_rx: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False)
    _match_rx: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_value_rx", combine(self.regexes))
        object.__setattr__(self, "_match_rx", combine(self.match_regexes))

    def allows(self, value: str, lowered_value: str, whole_match: str) -> bool:
        """The reference behaviour; the scanner's fast path (``_ValueChecks``) gives the
        same answers with less work."""
        if any(word in lowered_value for word in self.stopwords):
            return True
        if any(rx.search(value) for rx in self._value_rx):
            return True
        return any(rx.search(whole_match) for rx in self._match_rx)

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


def secret_groups(pattern: re.Pattern[str]) -> tuple[int, ...]:
    """The groups named ``secret*``, in the order of the pattern's group names."""
    return tuple(i for name, i in pattern.groupindex.items() if name.startswith("secret"))


def secret_span(m: re.Match[str], groups: tuple[int, ...]) -> tuple[int, int]:
    """Span of the first participating group named ``secret*``, else of the match."""
    for group in groups:
        if m.start(group) >= 0:
            return m.span(group)
    return m.span()
