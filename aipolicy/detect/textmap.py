"""Texts derived from a segment's text, and the way back to where each part came from.

A normaliser or decoder turns (parts of) a text into a *view*: the same characters with
some runs replaced (a fullwidth letter by its ASCII form, ``%41`` by ``A``, a base64 blob
by what it decodes to, a separator dropped). Each view is built of pieces: copied runs
map back character for character; a changed run maps back to the whole run it replaced.
A view may be derived from another view (base64 inside a percent-encoded string), so a
span walks up through its parents to the segment text.

A finding in a view counts only if it touches a change (else the text as written held
it already), and it can be redacted in place only if every change it touches maps
*exactly*: the original run holds the value as written, just spelt differently (a
fullwidth digit, an escape). Inside a base64 blob, hex, reversed or ROT13 text it does
not: the blob stands for the value but is not it, so such findings block instead.

A *structural* view (HTML read as the table or form it renders) changes how the text is
read, not only how it is spelt: every finding in it counts, touching a change or not,
and one that spans markup (a tag dropped or turned into a separator) is not exact.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

COPY, CHANGE, GLUE, ALIGNED, MIRROR, MARKUP = 0, 1, 2, 3, 4, 5


_CHANGES = (CHANGE, ALIGNED, MIRROR, MARKUP)


@dataclass(frozen=True, slots=True)
class Piece:
    """View text ``[vstart, vend)`` stands for source text ``[sstart, send)``.

    ``COPY``: the same characters (position for position); ``CHANGE``: a run the
    technique rewrote (any part maps to the whole run; empty when characters were
    dropped); ``ALIGNED``/``MIRROR``: a run rewritten character for character (ROT13),
    or in reverse order: each character maps to one, but the run is a change;
    ``GLUE``: separators between windows, from no part of the source; ``MARKUP``: a
    change that stands for markup, not for a value (a span holding it is not exact).
    """

    vstart: int
    vend: int
    sstart: int
    send: int
    kind: int


@dataclass(frozen=True, slots=True)
class Resolved:
    """A view span taken back to the segment: where, whether exactly, and how."""

    start: int
    end: int
    exact: bool
    techniques: tuple[str, ...]  # outermost first; empty when the span touched no change


class View:
    """A derived text: ``text``, its pieces (in view order, covering it), the technique
    that made it, whether its changes map exactly, and its parent (None: the segment).
    ``structural``: every finding in it counts, not only those touching a change."""

    __slots__ = ("text", "pieces", "technique", "exact", "parent", "_starts", "depth",
                 "structural")

    def __init__(self, text: str, pieces: Iterable[Piece], technique: str, exact: bool,
                 parent: View | None = None, structural: bool = False) -> None:
        self.text = text
        self.pieces = tuple(pieces)
        self.technique = technique
        self.exact = exact
        self.parent = parent
        self.structural = structural
        self.depth = 0 if parent is None else parent.depth + 1
        self._starts = [p.vstart for p in self.pieces]

    def __repr__(self) -> str:  # never the text
        return f"View({self.technique}, {len(self.text)} chars, {len(self.pieces)} pieces)"

    # -- one level ------------------------------------------------------------------------
    def _piece_at(self, pos: int) -> Piece | None:
        """The non-empty piece holding view position ``pos``."""
        i = bisect_right(self._starts, pos) - 1
        while i >= 0:
            p = self.pieces[i]
            if p.vstart <= pos < p.vend:
                return p
            if p.vend <= pos:
                return None
            i -= 1
        return None

    def _source_range(self, pos: int) -> tuple[int, int]:
        """The source characters that view character ``pos`` stands for."""
        p = self._piece_at(pos)
        if p is None:
            raise ValueError("position outside the view")
        if p.kind in (COPY, ALIGNED):
            x = p.sstart + (pos - p.vstart)
            return x, x + 1
        if p.kind == MIRROR:
            x = p.send - 1 - (pos - p.vstart)
            return x, x + 1
        return p.sstart, p.send

    def touches_change(self, start: int, end: int, kinds: tuple[int, ...] = _CHANGES
                       ) -> bool:
        """Does ``[start, end)`` overlap a changed run (or hold a dropped one inside)?
        ``kinds``: the piece kinds that count (by default every change)."""
        i = max(0, bisect_right(self._starts, start) - 1)
        pieces = self.pieces
        while i < len(pieces) and pieces[i].vstart < end:
            p = pieces[i]
            if p.kind in kinds:
                if p.vstart == p.vend:
                    if start < p.vstart < end:
                        return True
                elif p.vstart < end and start < p.vend:
                    return True
            i += 1
        return False

    # -- up to the segment ----------------------------------------------------------------
    def resolve(self, start: int, end: int) -> Resolved:
        """The segment span of view span ``[start, end)`` (non-empty)."""
        techniques: list[str] = []
        exact = True
        view: View | None = self
        while view is not None:
            if view.touches_change(start, end):
                techniques.append(view.technique)
                exact = exact and view.exact and not (
                    view.structural and view.touches_change(start, end, (MARKUP,)))
            elif view.structural:
                techniques.append(view.technique)
            (a, b), (c, d) = view._source_range(start), view._source_range(end - 1)
            start, end = min(a, c), max(b, d)
            if end <= start:  # a span that mapped onto nothing (only glue)
                end = start + 1
            view = view.parent
        techniques.reverse()
        return Resolved(start, end, exact, tuple(techniques))


class Builder:
    """Builds a view's text and pieces from copied and changed runs of a source text."""

    __slots__ = ("source", "parts", "pieces", "length")

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.pieces: list[Piece] = []
        self.length = 0

    def copy(self, start: int, end: int) -> None:
        if end > start:
            self._add(self.source[start:end], start, end, COPY)

    def change(self, start: int, end: int, text: str, kind: int = CHANGE) -> None:
        """``text`` stands for source ``[start, end)``; ``kind`` ALIGNED or MIRROR when
        it is that run character for character."""
        self._add(text, start, end, kind)

    def glue(self, text: str, at: int) -> None:
        self._add(text, at, at, GLUE)

    def _add(self, text: str, sstart: int, send: int, kind: int) -> None:
        n = len(text)
        if n == 0 and kind not in _CHANGES:
            return
        self.pieces.append(Piece(self.length, self.length + n, sstart, send, kind))
        self.parts.append(text)
        self.length += n

    def build(self, technique: str, exact: bool, parent: View | None,
              structural: bool = False) -> View:
        return View("".join(self.parts), self.pieces, technique, exact, parent, structural)


_TOKEN_REACH = 256  # characters a window is stretched by to end with a whole token


def windows(spans: Iterable[tuple[int, int]], size: int, before: int, after: int,
            source: str | None = None) -> list[tuple[int, int]]:
    """Merged windows ``[start - before, end + after)`` around sorted spans, in text;
    with ``source``, each stretched to the end of the token it ends in (a look-alike at
    the start of a long key leaves the key whole)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        a, b = max(0, start - before), min(size, end + after)
        if source is not None:
            b = _token_end(source, b)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def rewrite(source: str, changes: Iterable[tuple[int, int, str]], technique: str,
            exact: bool, parent: View | None, *, before: int, after: int) -> View | None:
    """A view of ``source`` around ``changes`` (sorted, non-overlapping ``(start, end,
    new_text)``): each change with ``before``/``after`` characters of the text around it,
    windows that meet merged, separate windows joined by a blank line."""
    changes = list(changes)
    if not changes:
        return None
    spans = windows(((s, e) for s, e, _ in changes), len(source), before, after, source)
    b = Builder(source)
    k = 0
    for n, (a, z) in enumerate(spans):
        if n:
            b.glue("\n\n", a)
        pos = a
        while k < len(changes) and changes[k][0] < z:
            s, e, new = changes[k]
            b.copy(pos, s)
            b.change(s, e, new)
            pos = e
            k += 1
        b.copy(pos, z)
    return b.build(technique, exact, parent)


def _token_end(text: str, pos: int) -> int:
    """``pos``, or the end of the ASCII token running through it (at most a reach
    further; text without spaces, Chinese, is not stretched)."""
    if pos <= 0 or pos >= len(text) or not _in_token(text[pos - 1]):
        return pos
    limit = min(len(text), pos + _TOKEN_REACH)
    while pos < limit and _in_token(text[pos]):
        pos += 1
    return pos


def _in_token(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()
