"""Values split across consecutive messages of one request.

"The key starts AKIAQ3EG" in one message and "RTXZ7LMNBV2P" in the next: neither part is
a finding alone. ``Joiner.text`` reads the end of one message together with the start of
the next (a bounded window each side): as written, end to start, for a value cut
mid-token; and token by token, the last value-like tokens of the first beside the first
value-like tokens of the second (with the words before them, for labels), for a value
whose halves sit among other words. A finding counts only if it takes characters from
both sides; each side's part maps back exactly, so both parts are redacted in place (or
the request blocked, as the data rule says).

Which messages pair up is the caller's choice (``pairs``): consecutive texts, and the one
after next (a tool call's arguments sit between a message and the tool's result; an
assistant turn between two user turns).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .normalize_rules import NormalizeRules

_WORD = re.compile(r"[A-Z]?[a-z]+")
_TOKEN = re.compile(r"[\w@+/=.:~$-]+")
_TRAILING = " \t\r\n.,;:!?)]}>\"'`"
_HEAD_REACH = 40  # the second half starts within this many characters of its message
_ENDS = ".!?,;)]}>\"'"
_EDGE = ".,;:!?="  # not "-": "628-98-" | "1708"
_CONTEXT = 60  # characters kept before a token on the left side (its label)
_AFTER = 30  # characters kept after a token on the right side
_GROUP = 6  # tokens this short (digit or letter groups) are also joined with a space


@dataclass(frozen=True, slots=True)
class _Run:
    """Join-text characters ``[vstart, vend)`` are side ``side``'s window ``[start, ...)``."""

    vstart: int
    vend: int
    side: int  # 0: the end of the first text, 1: the start of the second
    start: int  # offset in that side's window


@dataclass(frozen=True)
class JoinText:
    """The text to scan for one pair, and where its characters came from (offsets in
    each side's window)."""

    text: str
    runs: tuple[_Run, ...]

    def __repr__(self) -> str:
        return f"JoinText({len(self.text)} chars)"

    def parts(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """``(side, start, end)`` in the windows for ``[start, end)``, or [] unless the
        span takes characters from both sides."""
        out: list[tuple[int, int, int]] = []
        for r in self.runs:
            a, b = max(start, r.vstart), min(end, r.vend)
            if a < b:
                s = r.start + (a - r.vstart)
                if out and out[-1][0] == r.side and out[-1][2] == s:
                    out[-1] = (r.side, out[-1][1], s + (b - a))
                else:
                    out.append((r.side, s, s + (b - a)))
        return out if {p[0] for p in out} == {0, 1} else []


def _value_like(token: str) -> bool:
    """A token that may be part of a value: a digit, '@', '_', inner punctuation between
    letters (domains, key prefixes), a lower-then-upper case change, or a run of 8 or
    more that is not a lower-case or capitalised word."""
    if any(c.isdigit() for c in token):  # a lone digit too: "… 6595 5" | "979 8725"
        return True
    if len(token) < 2:
        return False
    if "@" in token or "_" in token:
        return True
    if re.search(r"[A-Za-z][.\-+/][A-Za-z]", token) or re.search(r"[a-z][A-Z]", token):
        return True
    return len(token) >= 8 and not _WORD.fullmatch(token)


def _tokens(window: str) -> list[tuple[int, int]]:
    out = []
    for m in _TOKEN.finditer(window):
        s, e = m.span()
        while s < e and window[s] in _EDGE:
            s += 1
        while e > s and window[e - 1] in _EDGE:
            e -= 1
        if e > s and _value_like(window[s:e]):
            out.append((s, e))
    return out


class Joiner:
    def __init__(self, rules: NormalizeRules) -> None:
        self.window = rules.join_window
        self.tokens = rules.join_tokens

    def windows(self, left: str, right: str) -> tuple[str, str]:
        """What a pair's join text depends on (its cache key)."""
        return left[-self.window:], right[:self.window]

    def text(self, tail: str, head: str) -> JoinText | None:
        """The join text of the windows of two texts (``windows``), or None when no
        value can cross between them."""
        if not tail or not head:
            return None
        pieces: list[list[tuple[int, int, int]]] = []  # each: (side, start, end) runs
        # Cut inside a token ("123-45-" | "6789"), not after a sentence or a clause.
        mid_token = not tail[-1].isspace() and not head[0].isspace() \
            and tail[-1] not in _ENDS and head[0] not in "([{<\"'"
        if mid_token:
            pieces.append([(0, 0, len(tail)), (1, 0, len(head))])
        # The first half ends its message (the last token, before closing punctuation);
        # the second half is one of the first tokens of the next, near its start. Other
        # tokens are not paired: numbers from two sentences would make phone numbers.
        end = len(tail.rstrip(_TRAILING))
        left_tokens = [t for t in _tokens(tail)[-1:] if t[1] >= end]
        right_tokens = [t for t in _tokens(head)[:self.tokens] if t[0] < _HEAD_REACH]
        for ls, le in left_tokens:
            for rs, re_ in right_tokens:
                direct = mid_token and le == len(tail) and rs == 0  # the piece above
                context = max(0, ls - _CONTEXT)
                after = min(len(head), re_ + _AFTER)
                if not direct:
                    pieces.append([(0, context, le), (1, rs, after)])
                if max(le - ls, re_ - rs) <= _GROUP:  # "4111 1111" | "1111 1111"
                    pieces.append([(0, context, le), (-1, 0, 0), (1, rs, after)])
        if not pieces:
            return None
        parts: list[str] = []
        runs: list[_Run] = []
        size = 0
        for n, piece in enumerate(pieces):
            if n:
                parts.append("\n\n")
                size += 2
            for side, s, e in piece:
                if side < 0:
                    parts.append(" ")
                    size += 1
                    continue
                chunk = (tail if side == 0 else head)[s:e]
                runs.append(_Run(size, size + len(chunk), side, s))
                parts.append(chunk)
                size += len(chunk)
        return JoinText("".join(parts), tuple(runs))


def pairs(roles: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of texts to join: each text with the next and the one after next,
    among texts of messages (not uploaded files); and, since one message may give several
    texts (a tool call's name and arguments), the last text of each run of one role with
    the first texts of the next two runs."""
    eligible = [i for i, role in enumerate(roles) if role != "file"]
    out = set()
    for n, i in enumerate(eligible):
        for j in eligible[n + 1:n + 3]:
            out.add((i, j))
    runs: list[list[int]] = []
    for i in eligible:
        if runs and roles[runs[-1][-1]] == roles[i]:
            runs[-1].append(i)
        else:
            runs.append([i])
    for n, run in enumerate(runs):
        for later in runs[n + 1:n + 3]:
            out.add((run[-1], later[0]))
    return sorted(out)
