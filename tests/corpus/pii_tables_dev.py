"""Development corpus, third part: dates of birth, passports and driver's licences in
tables whose column names and shapes vary the way real exports do.

Written before tuning and deliberately unlike ``pii_layouts``: its own name pools,
value generators and templates. Column names are built from word sequences per field
(EN/DE/FR/ES, abbreviations such as ``dob``, ``bdate``, ``ppt_no``, ``dl_nbr``,
``geb_datum``, ``fecha_nac``, ``num_passeport``) and written in the case styles tools
produce (snake, camel, Pascal, kebab, UPPER, dotted and table-qualified, quoted with
spaces, compact), with prefixes (``cust_``, ``holder``), numbering (``passport_no_2``)
and plurals. Table shapes: CSV (plain, with a title line and blank lines before the
header, semicolon-separated, CRLF), TSV, SQL (INSERT with backquoted, bracketed,
double-quoted or bare identifiers, multi-row VALUES, INSERT without a column list after
a CREATE TABLE, ``COPY ... FROM stdin``), Markdown with alignment colons, ASCII tables
with ``+---+`` borders, psql output, YAML lists of mappings, JSON records (flat, nested,
minified). Values: passports of many countries, US state / UK / EU driving licence
numbers, dates of birth in ISO, US, EU, written-month, Oracle, compact and two-digit-year
forms; empty, NULL and N/A cells are never labelled.

Hard negatives (``benign=True``): orders, invoices, software licences, releases,
inventories and document registers with ``created_at``, ``updated_on``, ``issue_date``,
``expiry_date``, ``order_no``, ``invoice_number``, ``license_key``, ``version``, ``id``
columns holding dates, nine-digit numbers and alphanumeric codes; personal tables carry
the same columns unlabelled beside the typed ones.

``generate_tables_dev(seed)`` is deterministic.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .pii_corpus import Sample, _Builder
from .pii_layouts import MONTHS

# --------------------------------------------------------------------------- pools
GIVEN = ["Ottilie", "Bartholomew", "Ngaio", "Casimir", "Leocadia", "Thaddeus", "Ysolde",
         "Evander", "Philippa", "Radomir", "Marisela", "Ignatius", "Henrike", "Anselm",
         "Gwenaëlle", "Fermín", "Ludovica", "Desmond", "Sunniva", "Teodoro", "Clémence",
         "Vasilisa", "Eamon", "Rosalind", "Jarosław", "Itzel", "Konstantin", "Marguerite",
         "Osvaldo", "Brunhilde", "Cyprian", "Delphine", "Eulalia", "Gottfried", "Honoré",
         "Iolanthe", "Jovan", "Kunigunde", "Lysander", "Macarena"]
FAMILY = ["Abernathy", "Bergström", "Cienfuegos", "Dufresne", "Eichhorn", "Fairweather",
          "Gutiérrez-Ladrón", "Hollingsworth", "Iturbide", "Jablonski", "Kerrigan",
          "Lemaître", "Mühlbauer", "Nakagawa", "Oyelaran", "Pettersen", "Quesada",
          "Rademacher", "Szymańska", "Thibodeaux", "Uriarte", "Valderrama", "Wojcik",
          "Ximénez", "Yardley", "Zumbusch", "Achterberg", "Belmonte", "Castellví",
          "Delacroix-Henry"]
MAIL = ["posteo.net", "example-mail.org", "kundenpost.de", "courriel.fr", "correo.es",
        "northwind-staff.com", "contoso-hr.net"]
COUNTRIES = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "IE", "CA", "IN", "PL", "AU"]
EMPTY = ["", "NULL", "N/A", "n/a", "-", "none", "unknown", "TBD", "pending"]

# Column names per field and language, as word sequences (styled per table below).
WORDS: dict[str, dict[str, list[tuple[str, ...]]]] = {
    "dob": {
        "en": [("dob",), ("d", "o", "b"), ("bdate",), ("birth", "dt"), ("birthdate",),
               ("date", "of", "birth"), ("birth", "date"), ("birthday",), ("dt", "of", "birth"),
               ("dob", "date"), ("dateofbirth",), ("born",), ("date", "birth"), ("b", "day"),
               ("birth", "day"), ("dob", "dt")],
        "de": [("geb", "datum"), ("geburtsdatum",), ("geburts", "datum"), ("geb", "dat"),
               ("geboren", "am"), ("gebdatum",), ("geburtstag",), ("geb",)],
        "fr": [("date", "naissance"), ("date", "de", "naissance"), ("dt", "naiss"),
               ("naissance",), ("date", "nais"), ("né", "le")],
        "es": [("fecha", "nac"), ("fecha", "de", "nacimiento"), ("fecha", "nacimiento"),
               ("f", "nacimiento"), ("nacimiento",), ("fec", "nac"), ("fnac",)],
    },
    "passport": {
        "en": [("passport",), ("passport", "no"), ("passport", "num"), ("passport", "number"),
               ("passport", "nr"), ("ppt", "no"), ("ppt", "num"), ("ppt", "number"),
               ("passport", "nbr"), ("passport", "id"), ("travel", "doc", "no"),
               ("passportno",), ("passportnumber",), ("passports",), ("ppt",),
               ("passport", "no.")],
        "de": [("reisepass", "nr"), ("reisepass", "nummer"), ("reisepassnummer",),
               ("pass", "nr"), ("passnummer",), ("reisepass",), ("pass", "nummer")],
        "fr": [("num", "passeport"), ("no", "passeport"), ("numéro", "passeport"),
               ("numéro", "de", "passeport"), ("n°", "passeport"), ("passeport",)],
        "es": [("pasaporte",), ("num", "pasaporte"), ("nro", "pasaporte"),
               ("número", "pasaporte"), ("número", "de", "pasaporte"), ("no", "pasaporte")],
    },
    "dl": {
        "en": [("dl", "no"), ("dl", "num"), ("dl", "number"), ("dl", "nbr"), ("dl",),
               ("driver", "lic"), ("driver", "lic", "no"), ("drivers", "license"),
               ("driver", "license", "number"), ("driving", "licence", "no"),
               ("licence", "number"), ("license", "num"), ("lic", "no"), ("lic", "num"),
               ("drv", "lic"), ("drv", "lic", "no"), ("driver", "licence"),
               ("drivers", "lic", "num"), ("license", "no"), ("driverslicense",),
               ("dl", "id")],
        "de": [("führerschein", "nr"), ("fuehrerschein", "nr"), ("führerscheinnummer",),
               ("führerschein",), ("fuehrerschein", "nummer"), ("fs", "nummer")],
        "fr": [("permis", "conduire"), ("num", "permis"), ("no", "permis", "de", "conduire"),
               ("permis", "de", "conduire"), ("numéro", "permis")],
        "es": [("licencia", "conducir"), ("nro", "licencia"), ("licencia",),
               ("carnet", "conducir"), ("permiso", "conducir"),
               ("num", "licencia", "conducir"), ("licencia", "de", "conducir")],
    },
    "given": {"en": [("first", "name"), ("given", "name"), ("fname",)],
              "de": [("vorname",)], "fr": [("prénom",)], "es": [("nombre",)]},
    "family": {"en": [("last", "name"), ("surname",), ("lname",)],
               "de": [("nachname",)], "fr": [("nom", "de", "famille")],
               "es": [("apellidos",)]},
    "email": {"en": [("email",), ("e", "mail")], "de": [("e", "mail")],
              "fr": [("courriel",)], "es": [("correo",)]},
}
PREFIXES = {"dob": ["cust", "emp", "client", "patient", "member", "applicant", "holder"],
            "passport": ["holder", "pax", "guest", "primary", "traveller", "emp", "cust"],
            "dl": ["driver", "primary", "member", "emp", "cust", "renter"]}
# columns that are not personal values, in personal tables and in the hard negatives
NEUTRAL: dict[str, list[tuple[str, ...]]] = {
    "id": [("id",), ("row", "id"), ("record", "no"), ("emp", "id")],
    "created": [("created", "at"), ("created", "on"), ("created",)],
    "updated": [("updated", "on"), ("updated", "at"), ("last", "modified")],
    "hired": [("hire", "date"), ("start", "date"), ("date", "hired"), ("eintrittsdatum",)],
    "expiry": [("expiry", "date"), ("passport", "expiry"), ("exp", "date"),
               ("valid", "until"), ("dl", "expiry"), ("expiration", "date")],
    "issued": [("issue", "date"), ("issued", "on"), ("date", "of", "issue"),
               ("passport", "issue", "date"), ("dl", "issued")],
    "country": [("country",), ("issuing", "country"), ("nationality",), ("dl", "state")],
    "status": [("status",), ("state",), ("kyc", "status")],
    "class": [("dl", "class"), ("licence", "class"), ("category",)],
}


# --------------------------------------------------------------------------- styles
def _style(r: random.Random, words: Sequence[str], style: str) -> str:
    words = list(words)
    if style == "snake":
        return "_".join(words)
    if style == "upper":
        return "_".join(words).upper()
    if style == "camel":
        return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    if style == "pascal":
        return "".join(w[:1].upper() + w[1:] for w in words)
    if style == "kebab":
        return "-".join(words)
    if style == "dotted":
        return ".".join(words)
    if style == "title":
        return " ".join(w[:1].upper() + w[1:] for w in words)
    if style == "compact":
        return "".join(words)
    return " ".join(words)  # "plain": lower case with spaces


STYLES = ["snake", "snake", "snake", "upper", "camel", "camel", "pascal", "kebab",
          "title", "title", "compact", "plain", "dotted"]


def column_name(r: random.Random, field: str, lang: str, style: str, number: int = 0) -> str:
    """A column name for ``field``: its words in ``style``, now and then with a prefix,
    a table qualifier or a number."""
    pool = WORDS.get(field, {}).get(lang) or WORDS.get(field, {}).get("en") or NEUTRAL[field]
    words = list(r.choice(pool))
    if field in PREFIXES and lang == "en" and r.random() < 0.2:
        words.insert(0, r.choice(PREFIXES[field]))
    if number:
        words.append(str(number))
    name = _style(r, words, style)
    if style in ("snake", "camel", "compact") and r.random() < 0.08:
        name = r.choice(["t", "c", "p", "e"]) + "." + name  # table-qualified: t.dob
    return name


# --------------------------------------------------------------------------- values
@dataclass(frozen=True)
class Cell:
    text: str
    entity: str | None = None


class Values:
    def __init__(self, r: random.Random) -> None:
        self.r = r

    def digits(self, n: int, lead: bool = True) -> str:
        r = self.r
        first = str(r.randint(1, 9)) if lead else str(r.randint(0, 9))
        return first + "".join(str(r.randint(0, 9)) for _ in range(n - 1))

    def letters(self, n: int, alphabet: str = "ABCDEFGHJKLMNPRSTUVWXYZ") -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def dob(self, lang: str) -> str:
        r = self.r
        y, m, d = r.randint(1934, 2007), r.randint(1, 12), r.randint(1, 28)
        forms = {
            "en": ["iso", "iso", "us0", "us", "eu_slash", "long_eu", "long_us", "oracle",
                   "compact", "us_2y", "abbr_eu", "abbr_us", "iso_slash", "dash_dmy",
                   "iso_time"],
            "de": ["de_dot", "de_dot", "de_long", "iso", "de_2y", "compact"],
            "fr": ["eu_slash", "fr_long", "iso", "eu_2y", "dash_dmy"],
            "es": ["eu_slash", "es_long", "iso", "dash_dmy", "eu_2y"],
        }
        form = r.choice(forms[lang])
        en = MONTHS["en"][m - 1]
        yy = y % 100
        if form == "iso":
            return f"{y}-{m:02d}-{d:02d}"
        if form == "iso_time":
            return f"{y}-{m:02d}-{d:02d}T00:00:00Z"
        if form == "iso_slash":
            return f"{y}/{m:02d}/{d:02d}"
        if form == "us0":
            return f"{m:02d}/{d:02d}/{y}"
        if form == "us":
            return f"{m}/{d}/{y}"
        if form == "us_2y":
            return f"{m:02d}/{d:02d}/{yy:02d}"
        if form == "eu_slash":
            return f"{d:02d}/{m:02d}/{y}"
        if form == "eu_2y":
            return f"{d:02d}/{m:02d}/{yy:02d}"
        if form == "de_dot":
            return f"{d:02d}.{m:02d}.{y}"
        if form == "de_2y":
            return f"{d}.{m}.{yy:02d}"
        if form == "dash_dmy":
            return f"{d:02d}-{m:02d}-{y}"
        if form == "long_eu":
            return f"{d} {en} {y}"
        if form == "long_us":
            return f"{en} {d}, {y}"
        if form == "abbr_eu":
            return f"{d:02d} {en[:3]} {y}"
        if form == "abbr_us":
            return f"{en[:3]} {d}, {y}"
        if form == "oracle":
            return f"{d:02d}-{en[:3].upper() if r.random() < 0.5 else en[:3]}-{y}"
        if form == "compact":
            return f"{y}{m:02d}{d:02d}"
        if form == "de_long":
            return f"{d}. {MONTHS['de'][m - 1]} {y}"
        if form == "fr_long":
            return f"{d} {MONTHS['fr'][m - 1]} {y}"
        return f"{d} de {MONTHS['es'][m - 1]} de {y}"  # es_long

    def passport(self) -> str:
        r, d, a = self.r, self.digits, self.letters
        return r.choice([
            lambda: d(9),  # US book, UK
            lambda: r.choice("ACEFHKNPRXZ") + d(8, False),  # US next generation, China
            lambda: a(2) + d(7, False),  # Italy, Ireland, Poland
            lambda: r.choice("CFGHJK") + "".join(  # Germany: C01X00T47
                r.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(8)),
            lambda: d(2) + a(2) + d(5, False),  # France
            lambda: a(3) + d(6, False),  # Spain
            lambda: a(2) + "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
                                   for _ in range(6)) + d(1, False),  # Netherlands
            lambda: r.choice("JKLMNPRSTVZ") + d(7),  # India, Australia, Switzerland
            lambda: a(2) + d(6, False),  # Canada, Brazil
            lambda: d(8),  # older books
        ])()

    def licence(self) -> str:
        r, d, a = self.r, self.digits, self.letters
        one = a(1)
        return r.choice([
            lambda: one + d(7, False),  # CA
            lambda: d(9),  # NY, GA, IE
            lambda: f"{d(3)} {d(3, False)} {d(3, False)}",  # NY spaced
            lambda: f"{one}{d(3, False)}-{d(3, False)}-{d(2, False)}-{d(3, False)}-{d(1, False)}",
            lambda: f"{one}{d(3, False)}-{d(4, False)}-{d(4, False)}",  # IL
            lambda: d(8),  # TX, PA
            lambda: "WDL" + a(5, "ABCDEFGHJKLMNPRSTUVWXYZ0123456789*") + d(4, False),  # WA
            lambda: a(2) + d(6, False),  # OH
            lambda: d(12),  # NC
            lambda: f"{one}{d(4, False)} {d(5, False)} {d(5, False)}",  # NJ
            lambda: f"{one}-{d(3, False)}-{d(3, False)}-{d(3, False)}-{d(3, False)}",  # MD
            lambda: f"{d(2)}-{d(3, False)}-{d(4, False)}",  # CO
            lambda: d(10),  # NV, NL
            lambda: f"{one}{d(2, False)}-{d(2, False)}-{d(4, False)}",  # KS
            lambda: f"{d(3)}{a(2)}{d(4, False)}",  # IA
            lambda: self._uk_licence(),
            lambda: a(1) + "".join(r.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")
                                   for _ in range(8)) + d(2, False),  # DE
            lambda: d(8) + a(1),  # ES (DNI)
            lambda: a(2) + d(7, False) + a(1),  # IT
            lambda: d(12),  # FR (old)
        ])()

    def _uk_licence(self) -> str:
        r = self.r
        surname = r.choice(FAMILY).upper().replace("-", "")
        surname = "".join(ch for ch in surname if "A" <= ch <= "Z")[:5].ljust(5, "9")
        y, m, day = r.randint(40, 99), r.randint(1, 12), r.randint(1, 28)
        month = m + (50 if r.random() < 0.5 else 0)
        initials = (r.choice(GIVEN)[0] + r.choice("ABCDEFGHJKLMNPRSTW9")).upper()
        return (f"{surname}{str(y)[0]}{month:02d}{day:02d}{str(y)[1]}{initials}9"
                f"{self.letters(2)}")

    def empty(self) -> str:
        return self.r.choice(EMPTY)


# --------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class Table:
    """Headers and rows of one generated table; ``fields`` per column."""

    fields: tuple[str, ...]
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    lang: str
    name: str


def _neutral_value(v: Values, field: str) -> str:
    r = v.r
    if field == "id":
        return str(r.randint(1, 99999))
    if field in ("created", "updated"):
        return (f"{r.randint(2016, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} "
                f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}")
    if field in ("hired", "issued"):
        y, m, d = r.randint(1998, 2024), r.randint(1, 12), r.randint(1, 28)
        return r.choice([f"{y}-{m:02d}-{d:02d}", f"{d:02d}.{m:02d}.{y}", f"{m:02d}/{d:02d}/{y}"])
    if field == "expiry":
        y, m, d = r.randint(2019, 2036), r.randint(1, 12), r.randint(1, 28)
        return r.choice([f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}"])
    if field == "country":
        return r.choice(COUNTRIES + ["CA", "NY", "TX", "FL"])
    if field == "status":
        return r.choice(["active", "verified", "pending", "expired", "closed"])
    if field == "class":
        return r.choice(["B", "C", "CDL-A", "M", "B, BE"])
    raise ValueError(field)


def _person_table(v: Values, name: str, rows: int) -> Table:
    r = v.r
    lang = r.choice(["en", "en", "en", "en", "de", "fr", "es"])
    typed = r.sample(["dob", "passport", "dl"], r.choice([1, 2, 2, 3]))
    fields: list[str] = ["id"] if r.random() < 0.8 else []
    if r.random() < 0.7:
        fields += ["given", "family"]
    if r.random() < 0.35:
        fields.append("email")
    fields += typed
    for extra in r.sample(list(NEUTRAL)[1:], r.randint(1, 3)):
        fields.append(extra)
    if "passport" in typed and r.random() < 0.12:
        fields.append("passport#2")  # dual nationality: passport_no_1, passport_no_2
    r.shuffle(fields)
    style = r.choice(STYLES)
    headers = []
    for f in fields:
        if f == "passport#2":
            headers.append(column_name(r, "passport", lang, style, 2))
        elif f in NEUTRAL:
            headers.append(_style(r, r.choice(NEUTRAL[f]), style))
        else:
            headers.append(column_name(r, f, lang, style))
    body = []
    for _ in range(rows):
        given, family = r.choice(GIVEN), r.choice(FAMILY)
        cells = []
        for f in fields:
            if f == "given":
                cells.append(Cell(given, "PERSON"))
            elif f == "family":
                cells.append(Cell(family, "PERSON"))
            elif f == "email":
                local = "".join(ch for ch in f"{given}.{family}".lower() if ch.isascii())
                cells.append(Cell(f"{local.replace(' ', '')}@{r.choice(MAIL)}", "EMAIL_ADDRESS"))
            elif f in ("dob", "passport", "dl", "passport#2") and r.random() < 0.08:
                cells.append(Cell(v.empty()))
            elif f == "dob":
                cells.append(Cell(v.dob(lang), "DATE_OF_BIRTH"))
            elif f in ("passport", "passport#2"):
                cells.append(Cell(v.passport(), "PASSPORT"))
            elif f == "dl":
                cells.append(Cell(v.licence(), "US_DRIVER_LICENSE"))
            else:
                cells.append(Cell(_neutral_value(v, f)))
        body.append(tuple(cells))
    return Table(tuple(fields), tuple(headers), tuple(body), lang, name)


BENIGN_TABLES: dict[str, list[tuple[tuple[str, ...], Callable[[Values], str]]]] = {
    "orders": [
        (("order", "no"), lambda v: v.digits(9)),
        (("invoice", "number"), lambda v: "INV" + v.digits(7)),
        (("created", "at"), lambda v: _neutral_value(v, "created")),
        (("ship", "date"), lambda v: _neutral_value(v, "hired")),
        (("total",), lambda v: f"{v.r.randint(5, 999)}.{v.r.randint(0, 99):02d}"),
        (("status",), lambda v: v.r.choice(["shipped", "open", "returned"])),
    ],
    "licences": [
        (("license", "id"), lambda v: "LIC-" + v.digits(6)),
        (("license", "type"), lambda v: v.r.choice(["floating", "node-locked", "site"])),
        (("version",), lambda v: f"{v.r.randint(1, 14)}.{v.r.randint(0, 9)}.{v.r.randint(0, 30)}"),
        (("issue", "date"), lambda v: _neutral_value(v, "issued")),
        (("expiry", "date"), lambda v: _neutral_value(v, "expiry")),
        (("seats",), lambda v: str(v.r.randint(1, 500))),
    ],
    "releases": [
        (("version",), lambda v: f"{v.r.randint(1, 9)}.{v.r.randint(0, 20)}.{v.r.randint(0, 9)}"),
        (("build", "no"), lambda v: v.digits(8)),
        (("release", "date"), lambda v: _neutral_value(v, "hired")),
        (("updated", "on"), lambda v: _neutral_value(v, "hired")),
        (("commit",), lambda v: "".join(v.r.choice("0123456789abcdef") for _ in range(7))),
    ],
    "inventory": [
        (("id",), lambda v: str(v.r.randint(1, 9999))),
        (("serial", "no"), lambda v: v.letters(2) + v.digits(7, False)),
        (("sku",), lambda v: v.letters(3) + "-" + v.digits(5)),
        (("updated", "on"), lambda v: _neutral_value(v, "hired")),
        (("qty",), lambda v: str(v.r.randint(0, 400))),
    ],
    "documents": [  # a register of document kinds and their validity rules, no persons
        (("doc", "type"), lambda v: v.r.choice(["passport", "driver license", "id card"])),
        (("issuing", "country"), lambda v: v.r.choice(COUNTRIES)),
        (("issue", "date"), lambda v: _neutral_value(v, "issued")),
        (("expiry", "date"), lambda v: _neutral_value(v, "expiry")),
        (("form", "id"), lambda v: v.letters(2) + v.digits(6)),
        (("updated", "on"), lambda v: _neutral_value(v, "hired")),
    ],
    "visa_queue": [
        (("application", "no"), lambda v: v.digits(9)),
        (("passport", "expiry"), lambda v: _neutral_value(v, "expiry")),
        (("submitted", "at"), lambda v: _neutral_value(v, "created")),
        (("dl", "class"), lambda v: v.r.choice(["B", "C", "D", "CE"])),
        (("version",), lambda v: str(v.r.randint(1, 12))),
    ],
}


def _benign_table(v: Values, rows: int) -> Table:
    r = v.r
    name = r.choice(sorted(BENIGN_TABLES))
    cols = BENIGN_TABLES[name]
    style = r.choice(STYLES)
    headers = tuple(_style(r, words, style) for words, _ in cols)
    body = tuple(tuple(Cell(make(v)) for _, make in cols) for _ in range(rows))
    return Table(tuple("_" for _ in cols), headers, body, "en", name)


# --------------------------------------------------------------------------- writers
def _cell(b: _Builder, cell: Cell) -> None:
    if cell.entity:
        b.pii(cell.entity, cell.text)
    else:
        b.add(cell.text)


def _csv(b: _Builder, t: Table, delim: str, nl: str, quote_all: bool) -> None:
    def write(text: str, entity: str | None) -> None:
        needs = quote_all or delim in text or '"' in text
        if needs:
            b.add('"')
        _cell(b, Cell(text.replace('"', '""'), entity))
        if needs:
            b.add('"')

    for k, h in enumerate(t.headers):
        b.add(delim if k else "")
        write(h, None)
    b.add(nl)
    for row in t.rows:
        for k, c in enumerate(row):
            b.add(delim if k else "")
            write(c.text, c.entity)
        b.add(nl)


def _intro(r: random.Random, kind: str) -> str:
    return r.choice([
        f"Here is the {kind} export, can you find duplicate rows?\n\n",
        f"Please clean up this {kind} and tell me which rows are incomplete:\n",
        "Convert this to a nicer format:\n\n", "",
        f"Attached ({kind}) -- why does the import fail on some rows?\n```\n",
        "Bitte prüfe diese Tabelle auf Fehler:\n\n",
        "¿Puedes ordenar estas filas por fecha?\n\n",
    ])


def _outro(r: random.Random, intro: str) -> str:
    closing = "```\n" if intro.endswith("```\n") else ""
    return closing + r.choice(["", "\nThanks!", "\nOnly the first rows are shown.",
                               "\nLet me know if you need the rest."])


def write_csv(b: _Builder, v: Values, t: Table) -> str:
    r = v.r
    shape = r.choice(["plain", "plain", "titled", "semicolon", "crlf", "quoted"])
    if shape == "titled":
        b.add(r.choice([f"Export: {t.name} ({r.randint(2019, 2025)}-0{r.randint(1, 9)}-1"
                        f"{r.randint(0, 9)})\n", f"# {t.name}.csv\n", f"Report {t.name}\n",
                        "sep=,\n"]))
        b.add("\n" * r.randint(0, 2))
    delim = ";" if shape == "semicolon" else ","
    _csv(b, t, delim, "\r\n" if shape == "crlf" else "\n", shape == "quoted")
    if shape == "titled" and r.random() < 0.5:
        b.add(f"\nRows: {len(t.rows)}\n")
    return "csv-titled" if shape == "titled" else ("csv-semicolon" if shape == "semicolon"
                                                     else "csv")


def write_tsv(b: _Builder, v: Values, t: Table) -> str:
    _csv(b, t, "\t", "\n", False)
    return "tsv"


def _widths(t: Table) -> list[int]:
    return [max(len(t.headers[k]), *(len(row[k].text) for row in t.rows))
            for k in range(len(t.headers))]


def write_markdown(b: _Builder, v: Values, t: Table) -> str:
    r = v.r
    padded = r.random() < 0.6
    w = _widths(t) if padded else [0] * len(t.headers)
    b.add("| " + " | ".join(h.ljust(w[k]) for k, h in enumerate(t.headers)) + " |\n")
    aligns = [r.choice([":---", "---:", ":---:", "---", "-----"]) for _ in t.headers]
    b.add("|" + "|".join(a if not padded else (a[0] + "-" * max(3, w[k]) + a[-1])
                         for k, a in enumerate(aligns)) + "|\n")
    for row in t.rows:
        b.add("|")
        for k, c in enumerate(row):
            b.add(" ")
            _cell(b, c)
            b.add(" " * (w[k] - len(c.text)) + " |")
        b.add("\n")
    return "markdown"


def write_ascii(b: _Builder, v: Values, t: Table) -> str:
    w = _widths(t)
    rule = "+" + "+".join("-" * (x + 2) for x in w) + "+\n"
    b.add(rule)
    b.add("|" + "|".join(f" {h.ljust(w[k])} " for k, h in enumerate(t.headers)) + "|\n")
    b.add(rule.replace("-", "=") if v.r.random() < 0.3 else rule)
    for row in t.rows:
        b.add("|")
        for k, c in enumerate(row):
            b.add(" ")
            _cell(b, c)
            b.add(" " * (w[k] - len(c.text)) + " |")
        b.add("\n")
    b.add(rule)
    return "ascii"


def write_psql(b: _Builder, v: Values, t: Table) -> str:
    w = _widths(t)
    b.add(" " + " | ".join(h.center(w[k]) for k, h in enumerate(t.headers)) + "\n")
    b.add("-" + "-+-".join("-" * x for x in w) + "-\n")
    for row in t.rows:
        for k, c in enumerate(row):
            b.add(" | " if k else " ")
            _cell(b, c)
            b.add(" " * (w[k] - len(c.text)))
        b.add("\n")
    b.add(f"({len(t.rows)} rows)\n")
    return "psql"


def _quote_ident(name: str, style: str) -> str:
    if style == "backtick":
        return f"`{name}`"
    if style == "bracket":
        return f"[{name}]"
    if style == "double" or not name.replace("_", "").isalnum():
        return f'"{name}"'
    return name


_SQL_TYPES = {"dob": ["DATE", "date NOT NULL", "DATETIME", "VARCHAR(10)"],
              "passport": ["VARCHAR(20)", "CHAR(9)", "varchar(12) UNIQUE", "TEXT"],
              "passport#2": ["VARCHAR(20)"], "dl": ["VARCHAR(20)", "varchar(16)", "TEXT"],
              "id": ["INTEGER PRIMARY KEY", "BIGSERIAL", "INT NOT NULL"]}


def _sql_literal(b: _Builder, c: Cell, r: random.Random) -> None:
    if c.entity is None and c.text in ("", "NULL", "none"):
        b.add("NULL")
        return
    if c.entity is None and c.text.isdigit() and len(c.text) < 7:
        b.add(c.text)
        return
    b.add("'")
    _cell(b, Cell(c.text.replace("'", "''"), c.entity))
    b.add("'")


def write_sql(b: _Builder, v: Values, t: Table) -> str:
    r = v.r
    quote = r.choice(["backtick", "bracket", "double", "bare", "bare"])
    table = _quote_ident(t.name, quote)
    if r.random() < 0.3:
        table = _quote_ident(r.choice(["public", "dbo", "hr", "crm"]), quote) + "." + table
    cols = [_quote_ident(h.replace(" ", "_") if quote == "bare" else h, quote)
            for h in t.headers]
    shape = r.choice(["cols-each", "cols-multi", "create-insert", "create-insert-multi"])
    kind = "sql-insert"
    if shape.startswith("create"):
        kind = "sql-create"
        b.add(f"CREATE TABLE {table} (\n")
        for k, (f, c) in enumerate(zip(t.fields, cols, strict=True)):
            typ = r.choice(_SQL_TYPES.get(f, ["VARCHAR(64)", "TEXT", "varchar(255)"]))
            b.add(f"  {c} {typ}" + (",\n" if k + 1 < len(cols) else "\n"))
        b.add(");\n\n")
    head = f"INSERT INTO {table} " + ("" if shape.startswith("create")
                                      else "(" + ", ".join(cols) + ") ") + "VALUES"
    multi = shape.endswith("multi")
    if multi:
        b.add(head + "\n")
    for n, row in enumerate(t.rows):
        b.add("  (" if multi else head + " (")
        for k, c in enumerate(row):
            b.add(", " if k else "")
            _sql_literal(b, c, r)
        b.add(")" + ((",\n" if n + 1 < len(t.rows) else ";\n") if multi else ";\n"))
    return kind


def write_copy(b: _Builder, v: Values, t: Table) -> str:
    cols = ", ".join(h.replace(" ", "_").replace("-", "_").replace(".", "_")
                     for h in t.headers)
    b.add(f"COPY public.{t.name} ({cols}) FROM stdin;\n")
    for row in t.rows:
        for k, c in enumerate(row):
            b.add("\t" if k else "")
            _cell(b, c if c.entity or c.text not in ("", "NULL", "none") else Cell("\\N"))
        b.add("\n")
    b.add("\\.\n")
    return "sql-copy"


def _yaml_scalar(b: _Builder, c: Cell, r: random.Random) -> None:
    quote = r.choice(["", "", '"', "'"])
    if not quote and (c.text[:1] in "-*&!%@`{[" or ": " in c.text or c.text == ""):
        quote = '"'
    b.add(quote)
    _cell(b, c)
    b.add(quote)


def write_yaml(b: _Builder, v: Values, t: Table) -> str:
    r = v.r
    b.add(f"{t.name}:\n")
    for row in t.rows:
        lead = "  - "
        for k, (h, c) in enumerate(zip(t.headers, row, strict=True)):
            b.add(lead if k == 0 else "    ")
            b.add(f"{h}: ")
            _yaml_scalar(b, c, r)
            b.add("\n")
    return "yaml"


def _json_value(b: _Builder, c: Cell) -> None:
    if c.entity is None and c.text in ("NULL", "none"):
        b.add("null")
        return
    if c.entity is None and c.text.isdigit() and len(c.text) < 7:
        b.add(c.text)
        return
    encoded = json.dumps(c.text, ensure_ascii=False)
    b.add('"')
    _cell(b, Cell(encoded[1:-1], c.entity))
    b.add('"')


def write_json(b: _Builder, v: Values, t: Table) -> str:
    r = v.r
    pretty = r.random() < 0.6
    nested = r.random() < 0.4
    nl, ind = ("\n", "  ") if pretty else ("", "")
    sep = ": " if pretty else ":"
    b.add("[" + nl)
    for n, row in enumerate(t.rows):
        b.add(ind + "{" + nl)
        pairs = list(zip(t.headers, row, strict=True))
        if nested:
            # personal documents grouped under a neutral parent ("documents", "person")
            inner = [(h, c) for (h, c), f in zip(pairs, t.fields, strict=True)
                     if f in ("dob", "passport", "dl", "passport#2")]
            outer = [(h, c) for (h, c), f in zip(pairs, t.fields, strict=True)
                     if f not in ("dob", "passport", "dl", "passport#2")]
            items: list[tuple[str, Cell | list[tuple[str, Cell]]]] = list(outer)
            items.append((r.choice(["documents", "identity", "person", "details", "kyc"]),
                          inner))
        else:
            items = list(pairs)
        for k, (h, c) in enumerate(items):
            b.add(ind * 2 + json.dumps(h, ensure_ascii=False) + sep)
            if isinstance(c, list):
                b.add("{" + nl)
                for j, (h2, c2) in enumerate(c):
                    b.add(ind * 3 + json.dumps(h2, ensure_ascii=False) + sep)
                    _json_value(b, c2)
                    b.add(("," if j + 1 < len(c) else "") + nl)
                b.add(ind * 2 + "}")
            else:
                _json_value(b, c)
            b.add(("," if k + 1 < len(items) else "") + nl)
        b.add(ind + "}" + ("," if n + 1 < len(t.rows) else "") + nl)
    b.add("]\n")
    return "json-nested" if nested else "json"


WRITERS: tuple[Callable[[_Builder, Values, Table], str], ...] = (
    write_csv, write_csv, write_csv, write_tsv, write_markdown, write_ascii, write_psql,
    write_sql, write_sql, write_sql, write_copy, write_yaml, write_json, write_json)
TABLE_NAMES = ["customers", "employees", "travellers", "drivers", "members", "patients",
               "guests", "applicants", "kunden", "mitarbeiter", "clients", "empleados"]


def _sample(v: Values, t: Table, benign: bool) -> Sample:
    r = v.r
    b = _Builder()
    write = r.choice(WRITERS)
    intro = _intro(r, t.name)
    b.add(intro)
    kind = write(b, v, t)
    b.add(_outro(r, intro))
    sample = b.sample(("benign-tables-" if benign else "tables-") + kind)
    return Sample(sample.text, sample.spans, sample.kind, benign) if benign else sample


def generate_tables_dev(seed: int, n_tables: int = 260, n_benign: int = 90) -> list[Sample]:
    """Personal tables (labelled), then tables without personal data (``benign=True``)."""
    r = random.Random(seed * 104729 + 3)
    v = Values(r)
    out = []
    for _ in range(n_tables):
        rows = r.choice([2, 3, 4, 5, 6, 8, 12, 30])
        out.append(_sample(v, _person_table(v, r.choice(TABLE_NAMES), rows), False))
    for _ in range(n_benign):
        out.append(_sample(v, _benign_table(v, r.choice([3, 5, 8, 15])), True))
    return out
