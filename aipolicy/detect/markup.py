"""HTML read as what it renders: the ``html`` view of a text.

People paste the HTML of an admin page, a profile, a form or a web mail. The value is
there, but its header or label is several tags away (``<th>SSN</th> ... <td>078051121
</td>``), so the readers of ``structure`` (tables, "Label: value" lines) do not see them
together. The ``html`` view is the text as a browser lays it out, in the forms those
readers know: tags dropped, table cells separated by tabs and rows by line breaks (a
header row of ``<th>`` then rows of ``<td>``: a TSV table), a key/value row
(``<tr><th>Label</th><td>value</td></tr>``), ``<dt>``/``<dd>`` and ``<label>`` followed by
an ``<input value=...>`` or ``<textarea>`` as "Label: value", blocks (``<p>``, ``<div>``,
``<li>``, ``<br>``) as lines, whitespace collapsed and character references decoded.

Every character maps back: text is copied, a character reference or a run of whitespace
stands for itself (exact: a value written ``jane&#64;example.org`` is redacted in place),
and tags become ``MARKUP`` pieces, so a finding that spans a tag is not exact and blocks
instead of cutting the markup. Tag and attribute names are never part of the view's text
(only an ``<input>``'s value is), so nothing in them is redacted.

Only known HTML element names count as tags (``List<String>`` in code stays text), and
only the regions around block and table tags are read (``context`` characters on each
side): a long prompt that shows one ``<div>`` costs a short window. Time is linear in the
text: one regex pass finds the tags (no match looks past the next ``<``), one pass lays
them out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .textmap import COPY, MARKUP, Builder, View

HTML = "html"

# Elements by how they lay out (HTML's own categories; anything else is not a tag).
_CELLS = frozenset({"td", "th"})
_CONTAINERS = frozenset({  # a blank line around: a table, list or form stands apart
    "table", "ul", "ol", "dl", "form", "hr", "blockquote", "pre", "section", "article",
    "header", "footer", "main", "nav", "aside", "fieldset", "h1", "h2", "h3", "h4", "h5",
    "h6", "html", "head", "body", "menu", "figure"})
_BLOCKS = frozenset({
    "p", "div", "br", "li", "dt", "dd", "tr", "caption", "thead", "tbody", "tfoot", "title",
    "address", "legend", "option", "optgroup", "select", "figcaption", "details", "summary",
    "center", "script", "style", "noscript", "template", "iframe", "object", "video",
    "audio", "canvas", "svg", "textarea", "button", "datalist", "output", "meter",
    "progress", "hgroup", "search", "dialog"})
_INLINE = frozenset({
    "span", "b", "strong", "i", "em", "u", "a", "font", "small", "big", "sub", "sup", "code",
    "abbr", "acronym", "mark", "s", "strike", "del", "ins", "label", "img", "wbr", "tt",
    "cite", "q", "time", "nobr", "colgroup", "col", "meta", "link", "input", "kbd", "samp",
    "var", "dfn", "bdi", "bdo", "data", "ruby", "rt", "rp", "picture", "source", "track",
    "area", "map", "base", "param", "embed", "blink", "marquee", "path", "g"})
_KNOWN = _CELLS | _CONTAINERS | _BLOCKS | _INLINE
# Stop at the next "<": a tag that does not close is text, and no match reads further.
_TAG = re.compile(
    r"<(?:(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9]{0,15}(?::[A-Za-z][A-Za-z0-9]{0,15})?)"
    r"(?P<attrs>(?:[\s/](?:[^<>\"']|\"[^\"<]{0,2048}\"|'[^'<]{0,2048}'){0,4096})?)>"
    r"|(?P<decl>!--|--|![A-Za-z][^<>]{0,512}>|\?[^<>]{0,512}\?>))")
_COMMENT_END = "-->"
_VALUE = re.compile(r"""(?is)(?:^|[\s/])value\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_NO_VALUE_TYPES = re.compile(r"""(?i)(?:^|[\s/])type\s*=\s*["']?(?:submit|button|reset|image)\b""")
# What a text run holds besides plain characters: references and whitespace to collapse.
_TEXT_CHANGE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
    r"|[ \t\r\n\f\v\xa0]{2,}|[\t\r\n\f\v\xa0]")
_SPACE = frozenset(" \t\r\n\f\v")


@dataclass(frozen=True, slots=True)
class _Tag:
    start: int
    end: int
    name: str  # lower case; "" for a comment marker or declaration
    closing: bool
    attrs: tuple[int, int]  # attribute text span


def tags(text: str) -> list[_Tag]:
    """The tags of ``text`` with known element names, comment markers and declarations."""
    out: list[_Tag] = []
    skip_to = 0  # the end of a comment: what it holds is not text ("078<!-- -->051121")
    for m in _TAG.finditer(text):
        if m.start() < skip_to:
            continue
        if m.group("decl") is not None:
            if m.group("decl") == "--" and not text.startswith(_COMMENT_END, m.start() + 1):
                continue  # "<--" is an arrow, not markup
            end = m.end() + (1 if m.group("decl") == "--" else 0)
            if m.group("decl") == "!--":
                close = text.find(_COMMENT_END, end)
                if close >= 0:  # the whole comment is one piece of markup
                    end = skip_to = close + len(_COMMENT_END)
            out.append(_Tag(m.start(), end, "", False, (end, end)))
            continue
        name = m.group("name").lower()
        if name in _KNOWN or ":" in name:  # "o:p", "v:shape": Office's inline elements
            out.append(_Tag(m.start(), m.end(), name, bool(m.group("close")),
                            m.span("attrs")))
    return out


def _layout(name: str) -> int:
    """0 inline (or markup without a name), 1 a block, 2 a container, 3 a table cell."""
    if name in _CELLS:
        return 3
    if name in _CONTAINERS:
        return 2
    if name in _BLOCKS:
        return 1
    return 0


class _Table:
    __slots__ = ("rows", "has_th", "cells", "in_cell")

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.has_th = False
        self.cells = 0  # cells of the current row seen so far (layout pass)
        self.in_cell = False


def _rows(found: list[_Tag]) -> dict[int, tuple[list[str], _Table]]:
    """Per cell tag (its index): the cells of its row and its table (a first pass, so a
    row's layout is known before it is written)."""
    out: dict[int, tuple[list[str], _Table]] = {}
    stack: list[_Table] = []
    for k, t in enumerate(found):
        if t.name == "table":
            if t.closing:
                if stack:
                    stack.pop()
            else:
                stack.append(_Table())
        elif t.name == "tr" and not t.closing:
            if not stack:
                stack.append(_Table())
            stack[-1].rows.append([])
        elif t.name in _CELLS and not t.closing:
            if not stack:
                stack.append(_Table())
            table = stack[-1]
            if not table.rows:
                table.rows.append([])
            table.rows[-1].append(t.name)
            table.has_th = table.has_th or t.name == "th"
            out[k] = (table.rows[-1], table)
    return out


def _key_value_row(row: list[str], table: _Table) -> bool:
    """A row that names one value: ``<th>Label</th><td>value</td>``, or two ``<td>`` in a
    table without header cells (a profile page laid out as a table)."""
    return len(row) == 2 and (row == ["th", "td"] or (row == ["td", "td"] and not table.has_th))


class _Writer:
    """Lays out windows of the source into the builder."""

    def __init__(self, text: str, b: Builder) -> None:
        self.text = text
        self.b = b
        self.pending: list[str] = []  # separators owed before the next text
        self.key_value = False  # the next text is a value after its label
        self.since = 0  # where the markup and whitespace since the last text began
        self.markup = False  # ... and whether it holds a tag
        self.last = ""  # the last character written in this window
        self.runs = 0  # text runs written

    def start(self, pos: int) -> None:
        self.since, self.markup, self.pending, self.key_value, self.last = \
            pos, False, [], False, ""

    # -- separators -----------------------------------------------------------------------
    def tag(self) -> None:
        self.markup = True

    def space(self) -> None:
        if not self.pending:
            self.pending.append(" ")

    def cell(self) -> None:
        if self.pending == [" "]:
            self.pending.clear()
        self.pending.append("\t")
        self.key_value = False

    def line(self, blank: bool = False) -> None:
        if self.pending == [" "]:
            self.pending.clear()
        self.key_value = False
        if not self.pending and self.last in ("", "\n"):
            return  # at a line's start already
        have = len(self.pending) - len("".join(self.pending).rstrip("\n"))
        self.pending.extend("\n" * ((2 if blank else 1) - have))

    def label(self) -> None:
        """The next text is the value of the text before it ("Label: value")."""
        self.key_value = True

    # -- text -----------------------------------------------------------------------------
    def _separator(self, upto: int) -> None:
        if self.key_value and self.last not in ("", "\n"):
            sep = " " if self.last == ":" else ": "
        else:
            sep = "".join(self.pending)
        self.key_value = False
        self.pending = []
        s = self.since
        if s < upto or sep:
            if self.markup:
                self.b.change(s, upto, sep, MARKUP)
            elif self.text[s:upto] == sep:
                self.b.copy(s, upto)
            else:
                self.b.change(s, upto, sep)
        self.markup = False

    def write(self, start: int, end: int, pre: bool = False) -> None:
        """The text run ``[start, end)``: leading and trailing whitespace become separators,
        references are decoded, inner whitespace collapsed (kept inside ``<pre>``)."""
        text = self.text
        a, z = start, end
        if not pre:
            while a < z and text[a] in _SPACE:
                a += 1
            while z > a and text[z - 1] in _SPACE:
                z -= 1
        if a == z:
            if a > start:
                self.space()
            return
        if a > start:
            self.space()
        self._separator(a)
        pos = a
        b = self.b
        for m in _TEXT_CHANGE.finditer(text, a, z):
            s, e = m.span()
            run = m.group()
            if run[0] == "&":
                decoded = html.unescape(run)
                if decoded == run or not (decoded.isprintable() or decoded.isspace()):
                    continue
                if decoded.isspace():
                    decoded = " "
            elif pre and "\xa0" not in run:
                continue
            else:
                decoded = " "
            b.copy(pos, s)
            b.change(s, e, decoded)
            pos = e
        b.copy(pos, z)
        self.last = b.parts[-1][-1:] or self.last
        self.since, self.markup = z, False
        self.runs += 1
        if z < end:
            self.space()


def view(text: str, parent: View | None, context: int) -> View | None:
    """The ``html`` view of ``text``: the regions around its block and table tags laid
    out, or None when it has none."""
    found = tags(text)
    windows: list[tuple[int, int]] = []
    for t in found:
        if not (_layout(t.name) or t.name in ("input", "label")):
            continue
        a, z = max(0, t.start - context), min(len(text), t.end + context)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], z)
        else:
            windows.append((a, z))
    if not windows:
        return None
    rows = _rows(found)
    b = Builder(text)
    w = _Writer(text, b)
    tables: list[_Table] = []
    k = pre = 0
    label_at = -1  # text runs written when the last </label> closed
    done = 0  # the source read so far
    for n, (a, z) in enumerate(windows):
        a = max(a, done)
        while k < len(found) and found[k].end <= a:
            k += 1
        if k < len(found) and found[k].start < a:
            a = found[k].start  # a window never starts inside a tag
        if n:
            b.glue("\n\n", a)
        w.start(a)
        pos = a
        while k < len(found) and found[k].start < z:
            t = found[k]
            w.write(pos, t.start, pre > 0)
            pos = t.end
            w.tag()
            _lay_out(w, t, k, found, rows, tables, label_at)
            name = t.name
            if name == "pre":
                pre = max(0, pre + (-1 if t.closing else 1))
            elif name == "label" and t.closing:
                label_at = w.runs
            k += 1
        w.write(pos, max(pos, z), pre > 0)
        done = max(pos, z)
    made = b.build(HTML, True, parent, structural=True)
    if not made.text.strip() or all(p.kind == COPY for p in made.pieces):
        return None  # nothing laid out differently from the text as written
    return made


def _lay_out(w: _Writer, t: _Tag, k: int, found: list[_Tag],
             rows: dict[int, tuple[list[str], _Table]], tables: list[_Table],
             label_at: int) -> None:
    """The separator tag ``t`` (``found[k]``) owes the text after it."""
    name = t.name
    text = w.text
    if name in ("input", "textarea"):
        if t.closing:
            return
        value = _VALUE.search(text, *t.attrs) if name == "input" else None
        if name == "input" and (value is None or _NO_VALUE_TYPES.search(text, *t.attrs)):
            return
        if label_at == w.runs:  # nothing written since the label: this is its value
            w.label()
        else:
            w.line()
        if value is not None:
            i = next(g for g in (1, 2, 3) if value.group(g) is not None)
            w.write(value.start(i), value.end(i))
            w.tag()  # the rest of the tag
            w.line()  # an input ends its field
    elif name in _CELLS:
        if t.closing:
            if tables:
                tables[-1].in_cell = False
            return
        row, table = rows.get(k, ([], None))
        if not tables:
            tables.append(_Table())
        top = tables[-1]
        if top.cells == 0:
            w.line()
        elif table is not None and top.cells == 1 and _key_value_row(row, table):
            w.label()
        else:
            w.cell()
        top.cells += 1
        top.in_cell = True
    elif name == "table":
        if t.closing:
            if tables:
                tables.pop()
        else:
            tables.append(_Table())
        w.line(blank=True)
    elif name == "tr":
        if tables:
            tables[-1].cells = 0
            tables[-1].in_cell = False
        w.line()
    elif name == "dd" and not t.closing and _previous_is(found, k, "dt"):
        w.label()
    elif _layout(name):
        if tables and tables[-1].in_cell:
            w.space()  # a <div> or <br> inside a cell: the cell stays one
        else:
            w.line(blank=_layout(name) == 2)


def _previous_is(found: list[_Tag], k: int, name: str) -> bool:
    """Whether the last block-level tag before ``found[k]`` is ``<name>`` or its end."""
    for j in range(k - 1, max(-1, k - 16), -1):
        t = found[j]
        if _layout(t.name):
            return t.name == name
    return False
