"""Development corpus, third part: personal data pasted as HTML.

People copy a table out of an admin page, an HR tool's profile, a web mail or a form and
paste its HTML: ``<table>`` exports with ``<thead>``/``<th>`` headers (in EN/DE/FR/ES
spellings, with attributes, nested ``<span>``/``<b>``/``<a>``), vertical key/value tables
(``<tr><th>Label</th><td>value</td></tr>``), ``<dl>`` definition lists, ``<li>Label:
value</li>`` lists, ``<p><b>Label:</b> value</p>`` paragraphs, ``<label>``/``<input
value=...>`` form markup, and HTML e-mails with a signature block -- pretty-printed or
minified onto one line, with and without character entities (``&#64;``, ``&amp;``,
``&nbsp;``, ``&eacute;``).

The hard negatives are HTML without personal data: page templates, React/JSX components
(``{user.ssn}``), tables of product prices, SKUs and package versions with release
dates, glossaries as ``<dl>``, empty form templates with placeholders, e-mail templates.

Values and headers come from ``pii_layouts`` (the same World); spans cover the value as
written in the HTML (its entities included). Synthetic and seeded; written before the
HTML reading was built, and not shaped after any rule.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .pii_corpus import Sample, _Builder

if TYPE_CHECKING:
    from .pii_layouts import Cell, World

# Headers and labels for the one field pii_layouts does not write: IP addresses.
IP_HEADERS = {"en": ["IP Address", "ip", "Last login IP", "client_ip", "Remote IP"],
              "de": ["IP-Adresse"], "fr": ["Adresse IP"], "es": ["Dirección IP"]}
_ATTRS = ['', '', ' class="cell"', ' style="padding:4px;border:1px solid #ccc"',
          ' align="left"', ' class="text-nowrap" data-col="{k}"', ' nowrap', " valign=top"]
_TABLE_ATTRS = ['', ' class="table table-striped"', ' border="1" cellpadding="4"',
                ' id="export" style="border-collapse:collapse"', ' role="grid"']
_WRAPS = ["{}", "{}", "<span>{}</span>", "<b>{}</b>", '<span class="val">{}</span>',
          '<font face="Arial">{}</font>', "<div>{}</div>"]


def _ip(r: random.Random) -> str:
    if r.random() < 0.8:  # a subscriber's public address (not private, multicast, ...)
        first = r.choice([r.randint(1, 9), r.randint(11, 126), r.randint(128, 168),
                          r.randint(173, 191), r.randint(193, 223)])
        return ".".join([str(first)] + [str(r.randint(1, 254)) for _ in range(3)])
    return "2a0" + str(r.randint(0, 9)) + ":" + ":".join(
        f"{r.randint(0, 0xffff):x}" for _ in range(5)) + f"::{r.randint(1, 0xfff):x}"


class _Html:
    """A builder that writes markup, escaped text and labelled values, choosing per
    sample how values are escaped (none, only what must be, or with extra entities)."""

    def __init__(self, r: random.Random, pretty: bool) -> None:
        self.r = r
        self.b = _Builder()
        self.pretty = pretty
        self.entities = r.choice(["none", "none", "must", "extra"])
        self.depth = 0

    def raw(self, markup: str) -> _Html:
        self.b.add(markup)
        return self

    def nl(self, depth: int | None = None) -> _Html:
        """A line break and indentation, when pretty-printed."""
        if self.pretty:
            self.b.add("\n" + "  " * (self.depth if depth is None else depth))
        return self

    def escape(self, text: str) -> str:
        r = self.r
        if self.entities == "none":
            return text.replace("&", "&amp;").replace("<", "&lt;")
        out = html.escape(text, quote=False)
        if self.entities == "extra":
            swaps = [("@", r.choice(["&#64;", "&#x40;", "&commat;"])),
                     (" ", "&nbsp;"), ("é", "&eacute;"), ("ü", "&uuml;"), ("ö", "&ouml;"),
                     ("-", "&#45;" if r.random() < 0.2 else "-"),
                     ("/", "&#x2F;" if r.random() < 0.3 else "/"), ("ñ", "&ntilde;")]
            for a, b in swaps:
                if a == " " and r.random() < 0.6:
                    continue
                out = out.replace(a, b)
        return out

    def text(self, text: str) -> _Html:
        self.b.add(self.escape(text))
        return self

    def value(self, cell: Cell, wrap: str = "{}") -> _Html:
        text, entity = cell
        head, _, tail = wrap.partition("{}")
        self.b.add(head)
        if entity:
            self.b.pii(entity, self.escape(text))
        else:
            self.b.add(self.escape(text))
        self.b.add(tail)
        return self

    def sample(self, kind: str) -> Sample:
        return self.b.sample(kind)


def _intro(r: random.Random) -> str:
    return r.choice(["", "", "Here is the HTML from the admin page, turn it into CSV:\n\n",
                     "Clean up this table:\n", "Can you summarise this?\n\n",
                     "Extract the records from this HTML:\n```html\n",
                     "Convert to Markdown please:\n"])


def _fields(r: random.Random) -> list[str]:
    from .pii_layouts import _pick_fields
    fields = _pick_fields(r)
    if r.random() < 0.25:
        fields.insert(r.randint(0, len(fields)), "ip")
    return fields


def _record(w: World, fields: Sequence[str], lang: str) -> dict[str, Cell]:
    from .pii_layouts import _record as record
    rec = record(w, [f for f in fields if f != "ip"], lang)
    if "ip" in fields:
        rec["ip"] = (_ip(w.r), "IP_ADDRESS")
    return rec


def _headers(r: random.Random, fields: Sequence[str], lang: str) -> list[str]:
    from .pii_layouts import _headers_for
    plain = _headers_for(r, [f for f in fields if f != "ip"], lang)
    it = iter(plain)
    return [r.choice(IP_HEADERS.get(lang, IP_HEADERS["en"])) if f == "ip" else next(it)
            for f in fields]


def _label(r: random.Random, field: str, lang: str) -> str:
    from .pii_layouts import FORM_LABELS, _header
    if field == "ip":
        return r.choice(IP_HEADERS.get(lang, IP_HEADERS["en"]))
    if field in FORM_LABELS and r.random() < 0.7:
        return r.choice(FORM_LABELS[field].get(lang) or FORM_LABELS[field]["en"])
    return _header(r, field, lang)


def _lang(r: random.Random) -> str:
    return r.choice(["en", "en", "en", "de", "fr", "es"])


# --------------------------------------------------------------------------- tables
def html_table(w: World) -> Sample:
    """An export: a header row of ``<th>`` (in ``<thead>`` or not, or ``<td><b>``), rows
    of ``<td>`` with attributes and nested inline tags."""
    r = w.r
    lang = _lang(r)
    fields = _fields(r)
    headers = _headers(r, fields, lang)
    h = _Html(r, pretty=r.random() < 0.6)
    h.raw(_intro(r))
    h.raw(f"<table{r.choice(_TABLE_ATTRS)}>")
    h.depth = 1
    if r.random() < 0.2:
        h.nl().raw("<caption>").text(r.choice(["Employees", "Mitarbeiter", "Clients",
                                                "Clientes", "Export"])).raw("</caption>")
    head_style = r.choice(["thead", "thead", "th", "td-bold"])
    cell_attr = r.choice(_ATTRS)
    wrap = r.choice(_WRAPS)
    if head_style == "thead":
        h.nl().raw("<thead>")
        h.depth = 2
    h.nl().raw("<tr>")
    h.depth += 1
    for k, head in enumerate(headers):
        h.nl()
        attr = cell_attr.format(k=k)
        if head_style == "td-bold":
            h.raw(f"<td{attr}><b>").text(head).raw("</b></td>")
        else:
            h.raw(f"<th{attr}{r.choice(['', ' scope=\"col\"'])}>").text(head).raw("</th>")
    h.depth -= 1
    h.nl().raw("</tr>")
    if head_style == "thead":
        h.depth = 1
        h.nl().raw("</thead>").nl().raw("<tbody>")
        h.depth = 2
    for _ in range(r.randint(2, 12)):
        rec = _record(w, fields, lang)
        h.nl().raw(r.choice(["<tr>", "<tr>", '<tr class="odd">', '<tr data-row="1">']))
        h.depth += 1
        for k, f in enumerate(fields):
            h.nl().raw(f"<td{cell_attr.format(k=k)}>")
            text, entity = rec[f]
            if f == "email" and r.random() < 0.3:
                h.raw('<a href="mailto:').value(rec[f]).raw('">').value(rec[f]).raw("</a>")
            elif r.random() < 0.85:
                h.value(rec[f], wrap)
            else:
                h.value((text, entity))
            h.raw("</td>")
        h.depth -= 1
        h.nl().raw("</tr>")
    if head_style == "thead":
        h.depth = 1
        h.nl().raw("</tbody>")
    h.depth = 0
    h.nl().raw("</table>")
    if h.b.parts[0].endswith("```html\n"):
        h.raw("\n```")
    h.raw("\n")
    return h.sample("html-table")


_KV_FIELDS = ["full", "email", "phone", "ssn", "dob", "passport", "dl", "address", "iban",
              "card", "ip"]


def _kv_record(w: World, lang: str) -> tuple[list[str], dict[str, Cell]]:
    r = w.r
    fields = ["full"] + r.sample(_KV_FIELDS[1:], r.randint(2, 6))
    if lang != "en" and "ssn" in fields and r.random() < 0.7:
        fields.remove("ssn")
    if r.random() < 0.5:
        fields.insert(r.randint(0, len(fields)), r.choice(["dept", "title", "status"]))
    rec = _record(w, fields, lang)
    if "dob" in fields:
        rec["dob"] = (w.dob(lang), "DATE_OF_BIRTH")
    return fields, rec


def _kv_label(r: random.Random, f: str, lang: str) -> str:
    from .pii_layouts import NEUTRAL
    return r.choice(NEUTRAL[f]).replace("_", " ").title() if f in NEUTRAL else \
        _label(r, f, lang)


def vertical_table(w: World) -> Sample:
    """A profile page: one row per field, the label in ``<th>`` or a first ``<td>``."""
    r = w.r
    lang = _lang(r)
    fields, rec = _kv_record(w, lang)
    h = _Html(r, pretty=r.random() < 0.6)
    h.raw(_intro(r)).raw(f"<table{r.choice(_TABLE_ATTRS)}>")
    style = r.choice(["th", "td", "td-b", "td-colon"])
    if r.random() < 0.4:
        h.depth = 1
        h.nl().raw("<tbody>")
    h.depth += 1
    wrap = r.choice(_WRAPS)
    for f in fields:
        label = _kv_label(r, f, lang)
        h.nl().raw("<tr>")
        if style == "th":
            h.raw(r.choice(["<th>", '<th scope="row">', '<th class="label">'])).text(label)
            h.raw("</th>")
        elif style == "td":
            h.raw('<td class="label">').text(label).raw("</td>")
        elif style == "td-b":
            h.raw("<td><b>").text(label).raw("</b></td>")
        else:
            h.raw("<td>").text(label + ":").raw("</td>")
        h.raw(r.choice(["<td>", '<td class="value">']))
        h.value(rec[f], wrap).raw("</td></tr>")
    h.depth = 0
    h.nl().raw("</table>\n")
    return h.sample("html-vertical")


def definition_list(w: World) -> Sample:
    r = w.r
    lang = _lang(r)
    fields, rec = _kv_record(w, lang)
    h = _Html(r, pretty=r.random() < 0.6)
    h.raw(_intro(r)).raw(r.choice(["<dl>", '<dl class="profile">', "<dl class=row>"]))
    h.depth = 1
    for f in fields:
        h.nl().raw(r.choice(["<dt>", '<dt class="col-sm-3">'])).text(_kv_label(r, f, lang))
        h.raw("</dt>")
        h.nl().raw(r.choice(["<dd>", '<dd class="col-sm-9">'])).value(rec[f])
        h.raw(r.choice(["</dd>", ""]))  # the end tag is optional in HTML
    h.depth = 0
    h.nl().raw("</dl>\n")
    return h.sample("html-dl")


def label_list(w: World) -> Sample:
    """``<li>Label: value</li>``, ``<p><b>Label:</b> value</p>``, ``Label: value<br>``."""
    r = w.r
    lang = _lang(r)
    fields, rec = _kv_record(w, lang)
    h = _Html(r, pretty=r.random() < 0.6)
    style = r.choice(["li", "li-strong", "p-b", "br", "div-strong"])
    h.raw(_intro(r))
    if style.startswith("li"):
        h.raw(r.choice(["<ul>", "<ol>", '<ul class="details">']))
        h.depth = 1
    elif style == "br":
        h.raw(r.choice(["<p>", "<div>", ""]))
    for f in fields:
        label = _kv_label(r, f, lang)
        if style == "li":
            h.nl().raw("<li>").text(label + ": ").value(rec[f]).raw("</li>")
        elif style == "li-strong":
            h.nl().raw("<li><strong>").text(label + ":").raw("</strong> ").value(rec[f])
            h.raw("</li>")
        elif style == "p-b":
            h.nl().raw(r.choice(["<p>", '<p class="MsoNormal">'])).raw("<b>").text(label + ":")
            h.raw("</b> ").value(rec[f]).raw("</p>")
        elif style == "div-strong":
            h.nl().raw("<div><strong>").text(label).raw("</strong>: ").value(rec[f])
            h.raw("</div>")
        else:
            h.text(label + ": ").value(rec[f]).raw(r.choice(["<br>", "<br/>", "<br />"]))
            h.nl()
    if style.startswith("li"):
        h.depth = 0
        h.nl().raw(r.choice(["</ul>", "</ol>"]) if style == "li" else "</ul>")
    elif style == "br":
        h.raw(r.choice(["</p>", "</div>", ""]))
    h.raw("\n")
    return h.sample("html-list")


def form_markup(w: World) -> Sample:
    """A filled form saved as HTML: ``<label>`` and ``<input value=...>``."""
    r = w.r
    lang = _lang(r)
    fields, rec = _kv_record(w, lang)
    h = _Html(r, pretty=r.random() < 0.7)
    h.raw(_intro(r)).raw(r.choice(["<form>", '<form method="post" action="/apply">']))
    h.depth = 1
    quote = r.choice(['"', '"', "'"])
    for k, f in enumerate(fields):
        name = f"f{k}" if r.random() < 0.3 else {"full": "name", "dl": "license"}.get(f, f)
        h.nl().raw(r.choice(['<div class="form-group">', "<div>", "<p>", ""]))
        h.raw(f'<label for="{name}">').text(_kv_label(r, f, lang)).raw("</label>")
        h.raw(r.choice(["", " ", "<br>"]))
        if f == "address" and r.random() < 0.5:
            h.raw(f'<textarea id="{name}" name="{name}">').value(rec[f]).raw("</textarea>")
        else:
            h.raw(f"<input type={quote}text{quote} id={quote}{name}{quote} "
                  f"name={quote}{name}{quote} value={quote}").value(rec[f])
            h.raw(quote + r.choice([">", " />", " readonly>"]))
        h.raw(r.choice(["</div>", "</div>", "</p>", ""]))
    h.depth = 0
    h.nl().raw("</form>\n")
    return h.sample("html-form")


def html_email(w: World) -> Sample:
    """A web mail's HTML: a message in ``<div>``s and a signature with ``<br>``."""
    from .pii_layouts import CLOSINGS, TITLES
    r = w.r
    first, last = w.person()
    h = _Html(r, pretty=r.random() < 0.4)
    outlook = r.random() < 0.4
    h.raw(r.choice(["", "Reply to this email politely:\n\n", "Summarise:\n"]))
    para = '<p class="MsoNormal">{}<o:p></o:p></p>' if outlook else "<div>{}</div>"
    h.raw(para.format(r.choice(["Hi team,", "Hello Maria,", "Dear all,"])))
    h.nl().raw(para.format("&nbsp;" if outlook else "<br>"))
    h.nl().raw(para.format(r.choice([
        "Please find the updated contract attached.",
        "Can we move our call to Thursday afternoon?",
        "The candidate confirmed the start date, details below."])))
    h.nl().raw(para.format("&nbsp;" if outlook else "<br>"))
    if r.random() < 0.4:
        h.nl().raw(para.split("{}")[0]).text("Her SSN is ").value((w.ssn("dashed"), "US_SSN"))
        h.text(" and her date of birth ").value((w.dob("en"), "DATE_OF_BIRTH"))
        h.raw(para.split("{}")[1])
    h.nl().raw(para.split("{}")[0]).text(r.choice(CLOSINGS) + ",").raw(
        "<br>" if not outlook else "<o:p></o:p></p>" + para.split("{}")[0])
    br = "<br>" if not outlook else "<o:p></o:p></p>" + para.split("{}")[0]
    h.nl().value((f"{first} {last}", "PERSON"), r.choice(
        ["{}", "<b>{}</b>", "<strong>{}</strong>", '<span style="color:#1F497D">{}</span>']))
    h.raw(br)
    h.text(r.choice(TITLES)).raw(br)
    if r.random() < 0.7:
        h.text(r.choice(["Tel: ", "Phone: ", "M: ", "Mobile: ", "Tel.: "]))
        h.value((w.phone(r.choice(["en", "de", "fr"])), "PHONE_NUMBER")).raw(br)
    email = (w.email(first, last), "EMAIL_ADDRESS")
    if r.random() < 0.5:
        h.raw('<a href="mailto:').value(email).raw('">').value(email).raw("</a>")
    else:
        h.value(email)
    h.raw(para.split("{}")[1] + "\n")
    return h.sample("html-email")


KINDS: tuple[Callable[[World], Sample], ...] = (
    html_table, html_table, html_table, vertical_table, vertical_table, definition_list,
    label_list, form_markup, html_email)


def html_layout(w: World) -> Sample:
    """One of the HTML layouts (registered in ``pii_layouts.LAYOUTS`` as one entry per
    weight)."""
    return w.r.choice(KINDS)(w)


LAYOUTS = (html_layout, html_layout, html_layout)


# --------------------------------------------------------------------------- hard negatives
def _benign_page(r: random.Random) -> str:
    items = r.sample(["Home", "Pricing", "Docs", "Blog", "Careers", "Contact"], 4)
    nav = "".join(f'<li class="nav-item"><a href="/{i.lower()}">{i}</a></li>' for i in items)
    return r.choice(["Why does this layout break on mobile?\n\n", "Make this accessible:\n",
                     ""]) + (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n"
        f"  <title>{r.choice(['Acme', 'Northwind', 'Contoso'])} &mdash; Dashboard</title>\n"
        "</head>\n<body>\n  <nav><ul class=\"nav\">" + nav + "</ul></nav>\n"
        "  <main>\n    <h1>Welcome back, {{ user.first_name }}</h1>\n"
        "    <p>You have {{ count }} new messages.<br>Last login: {{ last_login|date }}</p>\n"
        "    <p>&copy; 2025 Acme Inc. All rights reserved.</p>\n  </main>\n</body>\n</html>\n")


def _benign_jsx(r: random.Random) -> str:
    cols = r.sample([("Name", "name"), ("Email", "email"), ("SSN", "ssn"), ("Phone", "phone"),
                     ("Date of birth", "dob"), ("Passport No.", "passport")], 4)
    head = "".join(f"<th>{c}</th>" for c, _ in cols)
    cells = "".join(f"<td>{{u.{k}}}</td>" for _, k in cols)
    return ("Add sorting to this component:\n\n"
            "export function UserTable({ users }) {\n  return (\n"
            "    <table className=\"table\">\n"
            f"      <thead><tr>{head}</tr></thead>\n"
            "      <tbody>\n        {users.map((u) => (\n"
            f"          <tr key={{u.id}}>{cells}</tr>\n        ))}}\n      </tbody>\n"
            "    </table>\n  );\n}\n")


def _benign_prices(r: random.Random) -> str:
    pretty = r.random() < 0.5
    nl = "\n    " if pretty else ""
    rows = []
    for _ in range(r.randint(3, 8)):
        sku = str(r.randint(100000000, 999999999))
        product = r.choice(["Espresso Machine", "Milk Frother", "Grinder", "Kettle", "Scale"])
        rows.append(f"<tr><td>{product}</td><td>{sku}</td><td>{r.randint(100000, 999999)}</td>"
                    f"<td>&euro;{r.randint(9, 499)}.{r.randint(0, 99):02d}</td>"
                    f"<td>{r.randint(0, 300)}</td></tr>")
    head = r.choice(["<tr><th>Product</th><th>SKU</th><th>Item No.</th><th>Price</th>"
                     "<th>Stock</th></tr>",
                     "<thead><tr><th>Produkt</th><th>Artikelnummer</th><th>EAN</th>"
                     "<th>Preis</th><th>Bestand</th></tr></thead>"])
    return ("Format this price list nicely:\n<table>" + nl + head + nl + nl.join(rows)
            + ("\n" if pretty else "") + "</table>\n")


def _benign_versions(r: random.Random) -> str:
    rows = []
    for name in r.sample(["react", "django", "numpy", "openssl", "nginx", "postgres",
                          "kubernetes", "node"], 4):
        y = r.randint(2018, 2025)
        rows.append(f"  <tr>\n    <td>{name}</td>\n    <td>{r.randint(1, 20)}.{r.randint(0, 30)}"
                    f".{r.randint(0, 9)}</td>\n    <td>{y}-{r.randint(1, 12):02d}-"
                    f"{r.randint(1, 28):02d}</td>\n    <td>{r.choice(['LTS', 'EOL', 'current'])}"
                    "</td>\n  </tr>")
    return ("Which of these are out of support?\n<table>\n  <tr><th>Package</th><th>Version"
            "</th><th>Release date</th><th>Status</th></tr>\n" + "\n".join(rows)
            + "\n</table>\n")


def _benign_glossary(r: random.Random) -> str:
    terms = r.sample([("HTTP", "Hypertext Transfer Protocol"), ("SSN", "Social Security "
                      "Number, a nine-digit identifier"), ("DOB", "Date of birth"),
                      ("IBAN", "International Bank Account Number"),
                      ("TLS", "Transport Layer Security"), ("PII", "Personally identifiable "
                      "information")], 4)
    return ("Turn this glossary into Markdown:\n<dl>\n" + "".join(
        f"  <dt>{t}</dt>\n  <dd>{d}</dd>\n" for t, d in terms) + "</dl>\n")


def _benign_form_template(r: random.Random) -> str:
    return ("Review this form for accessibility:\n<form action=\"/apply\" method=\"post\">\n"
            "  <label for=\"name\">Full name</label>\n"
            "  <input id=\"name\" name=\"name\" type=\"text\" required>\n"
            "  <label for=\"dob\">Date of birth</label>\n"
            "  <input id=\"dob\" name=\"dob\" type=\"date\" placeholder=\"YYYY-MM-DD\">\n"
            "  <label for=\"ssn\">SSN</label>\n"
            "  <input id=\"ssn\" name=\"ssn\" placeholder=\"XXX-XX-XXXX\" maxlength=\"11\">\n"
            "  <label for=\"email\">Email</label>\n"
            "  <input id=\"email\" name=\"email\" type=\"email\" value=\"\">\n"
            f"  <button type=\"submit\">{r.choice(['Submit', 'Apply', 'Send'])}</button>\n"
            "</form>\n")


def _benign_mail_template(r: random.Random) -> str:
    return (r.choice(["Improve the wording:\n", ""]) +
            "<div>Hi {{first_name}},</div><div><br></div><div>Your order #{{order_id}} "
            "has shipped and should arrive by {{eta}}.</div><div><br></div>"
            "<ul><li>Items: {{item_count}}</li><li>Total: {{total}}</li>"
            "<li>Tracking: {{tracking_url}}</li></ul>"
            "<div>Thanks,<br>The " + r.choice(["Acme", "Northwind", "Contoso"])
            + " Team<br><a href=\"https://example.com/help\">Help centre</a></div>\n")


def _benign_code_mention(r: random.Random) -> str:
    return r.choice([
        "Why does `<div>` inside `<p>` get closed early by the browser? And should I use "
        "`<br>` or CSS margins between lines?",
        "In React, `<li key={item.id}>` warns about duplicate keys when ids repeat. How do "
        "I fix it for `<td>` cells too?",
        "const row = `<tr><td>${item.name}</td><td>${item.price}</td></tr>`;\n"
        "tbody.insertAdjacentHTML('beforeend', row);\n// is this XSS-safe?",
    ])


KINDS_BENIGN: tuple[tuple[str, Callable[[random.Random], str]], ...] = (
    ("html-page", _benign_page), ("html-jsx", _benign_jsx), ("html-prices", _benign_prices),
    ("html-versions", _benign_versions), ("html-glossary", _benign_glossary),
    ("html-form-template", _benign_form_template), ("html-mail-template",
                                                    _benign_mail_template),
    ("html-code", _benign_code_mention))


def _benign_html(r: random.Random) -> str:
    return r.choice(KINDS_BENIGN)[1](r)


BENIGN = (("html", _benign_html),)
