"""Paired credentials: a secret recognised by the identifier next to it.

Some secrets have no shape of their own: a Twilio auth token is 32 hex characters, as
is any MD5 digest; an AWS secret access key is 40 base64 characters. Beside their
identifier (a Twilio account SID, an AWS access key id) they are unmistakable, even
passed positionally without any name: ``Client("AC…", "<32 hex>")``.

Both halves are data in ``secrets.yaml``:

* an **anchor** is an identifier that is not secret itself (never reported), found by
  its own expression through the same Hyperscan prefilter as the rules; a pair may also
  anchor on a rule (an AWS access key id is reported *and* anchors its secret);
* a **pair** names the anchor, the shape of the partner value (an expression with a
  ``secret`` group), how far from the anchor it may sit (``within`` characters, on
  which ``side``), the partner's entropy and allowlist, and the rule whose finding it
  produces (``reports``: the notice says "Twilio auth token" however it was found).

The partner expression runs only in the short stretch next to each anchor, so the cost
is bounded by the number of anchors, not the size of the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import NamedTuple

from .entropy import shannon_entropy
from .secret_checks import VALIDATORS, Allowlist, Example, secret_groups, secret_span

SIDES = ("after", "before", "either")
# Characters past a search stretch that lookaheads at its end may read.
_LOOKAHEAD_MARGIN = 64


class AnchorKey(NamedTuple):
    """Names an anchor's expression in a rule set's prefilter."""

    id: str


@dataclass(frozen=True, eq=False)
class Anchor:
    """An identifier that makes a secret beside it recognisable; never reported.

    ``pattern`` may mark the identifier with groups named ``anchor*`` (the first that
    took part counts); otherwise the whole match is the identifier.
    """

    id: str
    description: str
    pattern: re.Pattern[str]
    keywords: tuple[str, ...] = ()
    allowlist: Allowlist = field(default_factory=Allowlist)
    match_examples: tuple[Example, ...] = ()
    no_match_examples: tuple[Example, ...] = ()
    line: int | None = None
    _groups: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_groups", tuple(
            i for name, i in self.pattern.groupindex.items() if name.startswith("anchor")))

    def span(self, m: re.Match[str]) -> tuple[int, int]:
        for group in self._groups:
            if m.start(group) >= 0:
                return m.span(group)
        return m.span()

    def __repr__(self) -> str:
        return f"Anchor({self.id})"


@dataclass(frozen=True, eq=False)
class PairRule:
    """A partner value within ``within`` characters of an anchor, reported as the
    secret rule ``reports``."""

    id: str
    description: str
    reports: str  # a secret rule id
    anchor: str  # an anchor id or a secret rule id
    partner: re.Pattern[str]
    within: int
    side: str = "either"  # where the partner sits relative to the anchor
    entropy: float | None = None
    allowlist: Allowlist = field(default_factory=Allowlist)
    validate: str = "none"
    match_examples: tuple[Example, ...] = ()
    no_match_examples: tuple[Example, ...] = ()
    line: int | None = None
    # Derived once: the partner's secret groups and the longest text it can match.
    _groups: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)
    _width: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_groups", secret_groups(self.partner))
        longest = _sre_parser.parse(self.partner.pattern, self.partner.flags).getwidth()[1]
        object.__setattr__(self, "_width", min(longest, 1 << 16))

    def __repr__(self) -> str:
        return f"PairRule({self.id})"

    def stretches(self, anchors: Iterable[tuple[int, int]], size: int
                  ) -> list[tuple[int, int]]:
        """Where to search for partners of these anchor spans: merged, in text order."""
        reach = self.within + self._width
        out: list[tuple[int, int]] = []
        for start, end in sorted(anchors):
            lo = start - reach if self.side != "after" else end
            hi = end + reach if self.side != "before" else start
            lo, hi = max(0, lo), min(size, hi + _LOOKAHEAD_MARGIN)
            if out and lo <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], hi))
            else:
                out.append((lo, hi))
        return out

    def partners(self, text: str, anchors: list[tuple[int, int]],
                 global_allow: Allowlist) -> Iterator[tuple[int, int]]:
        """Spans of the partner values that sit close enough to one of ``anchors``
        (sorted spans) and pass the checks; a span overlapping an anchor never counts."""
        if not anchors:
            return
        starts = [s for s, _ in anchors]
        ends = sorted(e for _, e in anchors)
        done = 0
        for lo, hi in self.stretches(anchors, len(text)):
            for m in self.partner.finditer(text, max(lo, done), hi):
                done = m.end()
                start, end = secret_span(m, self._groups)
                if start >= end or not self._near(starts, ends, start, end):
                    continue
                if _overlaps(anchors, starts, start, end):
                    continue
                if self._accepts(text[start:end], m.group(0), global_allow):
                    yield start, end

    def _near(self, starts: list[int], ends: list[int], start: int, end: int) -> bool:
        """An anchor ends at most ``within`` before the partner starts (after), or
        starts at most ``within`` after the partner ends (before)."""
        if self.side != "before":  # an anchor end in [start - within, start]
            i = bisect_right(ends, start)
            if i and ends[i - 1] >= start - self.within:
                return True
        if self.side != "after":  # an anchor start in [end, end + within]
            i = bisect_left(starts, end)
            if i < len(starts) and starts[i] <= end + self.within:
                return True
        return False

    def _accepts(self, value: str, whole: str, global_allow: Allowlist) -> bool:
        lowered = value.lower()
        if global_allow.allows(value, lowered, whole) or self.allowlist.allows(
                value, lowered, whole):
            return False
        if self.entropy is not None and shannon_entropy(value) < self.entropy:
            return False
        return VALIDATORS[self.validate](value)


def _overlaps(anchors: list[tuple[int, int]], starts: list[int], start: int, end: int
              ) -> bool:
    i = bisect_left(starts, end)  # anchors starting before the partner ends
    return any(anchors[j][1] > start for j in range(max(0, i - 2), i))


def anchor_spans(anchor: Anchor, matches: Iterable[re.Match[str]],
                 global_allow: Allowlist) -> list[tuple[int, int]]:
    """The identifiers among ``matches`` of ``anchor``'s expression: not allowlisted
    (a documentation value such as ``ACXXXXXXXX`` anchors nothing)."""
    out = []
    for m in matches:
        start, end = anchor.span(m)
        value = m.string[start:end]
        lowered = value.lower()
        if start < end and not global_allow.allows(value, lowered, m.group(0)) \
                and not anchor.allowlist.allows(value, lowered, m.group(0)):
            out.append((start, end))
    return out
