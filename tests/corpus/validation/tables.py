"""Tabular exports of personal data as employees paste them: CSV/TSV (with ``,`` or ``;``,
quoted or not), SQL dumps (``CREATE TABLE`` + multi-row ``INSERT``, mysqldump without a
column list, PostgreSQL ``COPY``), Markdown, ASCII and HTML tables, JSON arrays and YAML
lists of records. Headers in English, German, French or Spanish, in varied names and
orders."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import numbers as num
from .model import Doc, Val
from .people import DEPARTMENTS, People, Person

LANGS = ("en", "en", "en", "de", "fr", "es")

# field -> lang -> header variants. PII fields are planted; the rest are distractors.
HEADERS: dict[str, dict[str, list[str]]] = {
    "name": {"en": ["name", "full_name", "Full Name", "Employee Name", "customer_name",
                    "Contact", "employee"],
             "de": ["Name", "Vollständiger Name", "Mitarbeiter"],
             "fr": ["Nom complet", "Nom et prénom", "Salarié"],
             "es": ["Nombre completo", "Nombre y apellidos", "Empleado"]},
    "first": {"en": ["first_name", "First Name", "firstname", "given_name", "fname"],
              "de": ["Vorname"], "fr": ["Prénom", "prenom"], "es": ["Nombre", "nombre"]},
    "last": {"en": ["last_name", "Last Name", "surname", "family_name", "lname"],
             "de": ["Nachname", "Familienname"], "fr": ["Nom", "nom_de_famille"],
             "es": ["Apellidos", "Apellido"]},
    "email": {"en": ["email", "E-mail", "email_address", "Work Email", "mail"],
              "de": ["E-Mail", "E-Mail-Adresse"], "fr": ["Courriel", "Adresse e-mail"],
              "es": ["Correo", "Correo electrónico"]},
    "phone": {"en": ["phone", "Phone Number", "mobile", "tel", "cell", "phone_no"],
              "de": ["Telefon", "Handy", "Mobilnummer", "Tel."],
              "fr": ["Téléphone", "Portable", "Tél."], "es": ["Teléfono", "Móvil", "Tel."]},
    "ssn": {"en": ["ssn", "SSN", "social_security_number", "Social Security #", "soc_sec_no",
                   "SSN/TIN"]},
    "dob": {"en": ["dob", "DOB", "date_of_birth", "birth_date", "Birthdate", "Date of Birth",
                   "birthday"],
            "de": ["Geburtsdatum", "Geb.-Datum"], "fr": ["Date de naissance", "date_naissance"],
            "es": ["Fecha de nacimiento", "fecha_nac"]},
    "passport": {"en": ["passport", "passport_no", "Passport Number", "passport_number",
                        "Passport #", "pp_number"],
                 "de": ["Reisepassnummer", "Pass-Nr."], "fr": ["Numéro de passeport",
                                                               "N° passeport"],
                 "es": ["Número de pasaporte", "Pasaporte"]},
    "dl": {"en": ["dl_number", "driver_license", "Driver's License #", "DL#",
                  "drivers_license_no", "license_number", "DL No."]},
    "card": {"en": ["card", "card_number", "Credit Card", "cc_number", "pan", "PAN",
                    "payment_card", "Card No."],
             "de": ["Kartennummer", "Kreditkarte"], "fr": ["Numéro de carte", "Carte bancaire"],
             "es": ["Número de tarjeta", "Tarjeta"]},
    "iban": {"en": ["iban", "IBAN", "bank_account_iban"], "de": ["IBAN", "Bankverbindung"],
             "fr": ["IBAN", "RIB (IBAN)"], "es": ["IBAN", "Cuenta (IBAN)"]},
    "address": {"en": ["address", "street", "Street Address", "home_address", "addr",
                       "address_line1", "mailing_address"],
                "de": ["Adresse", "Straße", "Anschrift"], "fr": ["Adresse", "Rue"],
                "es": ["Dirección", "Domicilio", "Calle"]},
    "locality": {"en": ["city", "city_zip", "Town"], "de": ["Ort", "PLZ/Ort"],
                 "fr": ["Ville", "CP Ville"], "es": ["Ciudad", "CP/Ciudad"]},
    "ip": {"en": ["ip", "ip_address", "last_login_ip", "client_ip"], "de": ["IP-Adresse"],
           "fr": ["Adresse IP"], "es": ["Dirección IP"]},
    "dl_state": {"en": ["dl_state", "state", "DL State"]},
    # distractors
    "emp_id": {"en": ["employee_id", "id", "emp_no", "Personnel #"], "de": ["Personalnummer"],
               "fr": ["Matricule"], "es": ["Nº empleado"]},
    "dept": {"en": ["department", "Dept", "team"], "de": ["Abteilung"], "fr": ["Service"],
             "es": ["Departamento"]},
    "hired": {"en": ["hire_date", "start_date", "Joined", "created_at"],
              "de": ["Eintrittsdatum"], "fr": ["Date d'embauche"], "es": ["Fecha de alta"]},
    "salary": {"en": ["salary", "annual_salary", "Base Pay"], "de": ["Gehalt"],
               "fr": ["Salaire"], "es": ["Salario"]},
    "order": {"en": ["last_order", "order_id", "Order #"], "de": ["Bestellnummer"],
              "fr": ["N° commande"], "es": ["Nº pedido"]},
    "status": {"en": ["status", "Active?"], "de": ["Status"], "fr": ["Statut"],
               "es": ["Estado"]},
    "expiry": {"en": ["exp", "card_exp", "Expiry"], "de": ["Gültig bis"],
               "fr": ["Expiration"], "es": ["Caducidad"]},
}
PII_FIELDS = ("email", "phone", "ssn", "dob", "passport", "dl", "card", "iban", "address",
              "ip")
DISTRACTORS = ("emp_id", "dept", "hired", "salary", "order", "status")


def header(rng: random.Random, field: str, lang: str) -> str:
    variants = HEADERS[field].get(lang) or HEADERS[field]["en"]
    return rng.choice(variants)


def ident(name: str) -> str:
    """A column name usable in SQL, JSON keys and YAML: 'Social Security #' -> social_security."""
    s = name.lower().translate(str.maketrans("éèêàâçîïôùûüöäñíóúáº°ß", "eeeaaciiouuuoaniouaoos"))
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_") or "col"


@dataclass
class TableStyle:
    """Per-table choices, kept for every row like a real export."""

    lang: str
    card_style: str
    ssn_style: str
    dob_fmt: str
    iban_grouped: bool
    countries: tuple[str, ...]
    dl_state: str | None


def style(rng: random.Random, lang: str) -> TableStyle:
    countries = {"en": ("us", "us", "us", "uk"), "de": ("de",), "fr": ("fr",),
                 "es": ("es",)}[lang]
    if rng.random() < 0.25:
        countries = ("us", "uk", "de", "fr", "es")
    dob_formats = {"en": ("iso", "us", "us", "written-mdy", "short-mdy", "dd-mon-yyyy",
                          "eu-slash"),
                   "de": ("eu-dot", "iso", "written-dmy"), "fr": ("eu-slash", "iso",
                                                                   "written-dmy"),
                   "es": ("eu-slash", "iso", "written-dmy")}[lang]
    return TableStyle(lang, rng.choice(["plain", "plain", "spaces", "dashes"]),
                      rng.choice(["dashes", "plain", "plain"]), rng.choice(dob_formats),
                      rng.random() < 0.4, countries,
                      rng.choice(num.DL_STATES) if rng.random() < 0.5 else None)


Cell = str | Val


def cell(rng: random.Random, field: str, p: Person, st: TableStyle) -> Cell:
    """The value of one column for one person."""
    if field == "name":
        return Val("PERSON", "table-full", p.full)
    if field == "first":
        return Val("PERSON", "table-first", p.first)
    if field == "last":
        return Val("PERSON", "table-last", p.last)
    if field == "email":
        return Val("EMAIL_ADDRESS", "table", p.email)
    if field == "phone":
        return Val("PHONE_NUMBER", f"table-{p.phone_kind}", p.phone)
    if field == "ssn":
        shown, kind = num.ssn(rng, st.ssn_style)
        return Val("US_SSN", f"table-{kind}", shown)
    if field == "dob":
        d = num.birth_date(rng)
        return Val("DATE_OF_BIRTH", f"table-{st.dob_fmt}", num.write_date(d, st.dob_fmt,
                                                                           st.lang))
    if field == "passport":
        v, kind = num.passport(rng, {"uk": "uk", "de": "de", "fr": "fr", "es": "es"}.get(
            p.country, "us"))
        return Val("PASSPORT", f"table-{kind}", v)
    if field == "dl":
        v, state = num.driver_license(rng, st.dl_state)
        return Val("US_DRIVER_LICENSE", f"table-{state}", v)
    if field == "card":
        shown, digits, kind = num.card(rng, style=st.card_style)
        return Val("CREDIT_CARD", f"table-{kind}", shown, digits)
    if field == "iban":
        v, kind = num.iban(rng, {"uk": "GB", "de": "DE", "fr": "FR", "es": "ES"}.get(
            p.country) if rng.random() < 0.7 else None, st.iban_grouped)
        return Val("IBAN_CODE", f"table-{kind}", v)
    if field == "address":
        return Val("STREET_ADDRESS", f"table-{p.address.kind}", p.address.street)
    if field == "locality":
        return Val("LOCATION", "locality", p.address.locality, scored=False)
    if field == "ip":
        v, kind = num.ip(rng)
        return Val("IP_ADDRESS", f"table-{kind}", v)
    if field == "dl_state":  # where the licence was issued: context, like a city
        return Val("LOCATION", "dl-state", st.dl_state or "CA", scored=False)
    if field == "emp_id":
        return rng.choice([f"E-{rng.randint(10000, 99999)}", str(rng.randint(100000, 999999)),
                           f"EMP{rng.randint(1000, 9999)}"])
    if field == "dept":
        return rng.choice(DEPARTMENTS)
    if field == "hired":
        return num.write_date(num.some_date(rng, 2008, 2026), st.dob_fmt, st.lang)
    if field == "salary":
        amount = rng.randint(38, 190) * 500
        return f"{amount:,}" if st.lang == "en" else f"{amount:,}".replace(",", ".")
    if field == "order":
        return rng.choice([f"SO-{rng.randint(100000, 999999)}", f"#{rng.randint(10**7, 10**8)}",
                           f"{rng.randint(100, 999)}-{rng.randint(10**6, 10**7 - 1)}"])
    if field == "status":
        return rng.choice({"en": ["active", "on leave", "terminated", "pending"],
                           "de": ["aktiv", "ausgeschieden"], "fr": ["actif", "en congé"],
                           "es": ["activo", "de baja"]}[st.lang])
    if field == "expiry":
        return f"{rng.randint(1, 12):02d}/{rng.randint(26, 31)}"
    raise ValueError(field)


def choose_fields(rng: random.Random, lang: str) -> list[str]:
    """Name column(s), 3-6 identifiers, 1-3 distractors, in a random order (the name
    first more often than not, as exports have it)."""
    names = ["name"] if rng.random() < 0.5 else ["first", "last"]
    pool = [f for f in PII_FIELDS if lang == "en" or f not in ("ssn", "dl")]
    ids = rng.sample(pool, rng.randint(3, min(6, len(pool))))
    if "address" in ids and rng.random() < 0.6:
        ids.insert(ids.index("address") + 1, "locality")
    if "card" in ids and rng.random() < 0.3:
        ids.append("expiry")
    if "dl" in ids and rng.random() < 0.5:
        ids.insert(ids.index("dl"), "dl_state")
    extra = rng.sample(DISTRACTORS, rng.randint(1, 3))
    cols = ids + extra
    rng.shuffle(cols)
    if rng.random() < 0.6:
        return names + cols
    cut = rng.randint(0, len(cols))
    return cols[:cut] + names + cols[cut:]


def rows(rng: random.Random, fields: list[str], st: TableStyle, people: People,
         n: int) -> list[list[Cell]]:
    out = []
    for _ in range(n):
        p = people.person(country=rng.choice(st.countries))
        row_style = replace(st, dl_state=st.dl_state or rng.choice(num.DL_STATES))
        out.append([cell(rng, f, p, row_style) for f in fields])
    return out


def text_of(c: Cell) -> str:
    return c.shown if isinstance(c, Val) else c


def put(doc: Doc, c: Cell, left: str = "", right: str = "") -> None:
    doc.add(left)
    if isinstance(c, Val):
        doc.val(c.type, c.kind, c.shown, c.value, c.scored)
    else:
        doc.add(c)
    doc.add(right)


# --------------------------------------------------------------------------- layouts
def csv_table(rng: random.Random, heads: list[str], body: list[list[Cell]], delim: str,
              quoting: str) -> Doc:
    doc = Doc()

    def q(s: str) -> bool:
        return quoting == "all" or (quoting == "strings" and not s.replace(".", "").replace(
            "-", "").isdigit()) or delim in s or '"' in s

    doc.add(delim.join(f'"{h}"' if q(h) and quoting != "minimal" else h for h in heads) + "\n")
    for r in body:
        for i, c in enumerate(r):
            quote = '"' if q(text_of(c)) else ""
            put(doc, c, quote, quote + (delim if i < len(r) - 1 else "\n"))
    return doc


def markdown_table(heads: list[str], body: list[list[Cell]]) -> Doc:
    doc = Doc().add("| " + " | ".join(heads) + " |\n")
    doc.add("|" + "|".join("---" for _ in heads) + "|\n")
    for r in body:
        doc.add("|")
        for c in r:
            put(doc, c, " ", " |")
        doc.add("\n")
    return doc


def ascii_table(heads: list[str], body: list[list[Cell]]) -> Doc:
    widths = [max(len(h), *(len(text_of(r[i])) for r in body)) for i, h in enumerate(heads)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+\n"
    doc = Doc().add(rule, "|" + "|".join(f" {h:<{w}} " for h, w in zip(heads, widths,
                                                                      strict=True)) + "|\n",
                    rule)
    for r in body:
        doc.add("|")
        for c, w in zip(r, widths, strict=True):
            put(doc, c, " ", " " * (w - len(text_of(c))) + " |")
        doc.add("\n")
    return doc.add(rule)


def html_table(heads: list[str], body: list[list[Cell]]) -> Doc:
    doc = Doc().add("<table>\n  <tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>\n")
    for r in body:
        doc.add("  <tr>")
        for c in r:
            put(doc, c, "<td>", "</td>")
        doc.add("</tr>\n")
    return doc.add("</table>\n")


def _sql_literal(doc: Doc, c: Cell) -> None:
    s = text_of(c)
    if isinstance(c, str) and re.fullmatch(r"\d{1,7}", s):
        doc.add(s)
        return
    if isinstance(c, Val):
        shown = c.shown.replace("'", "''")
        doc.add("'").val(c.type, c.kind, shown, c.value, c.scored).add("'")
    else:
        doc.add("'" + s.replace("'", "''") + "'")


def sql_dump(rng: random.Random, table: str, heads: list[str], body: list[list[Cell]]) -> Doc:
    cols = [ident(h) for h in heads]
    style_ = rng.choice(["multi", "multi", "per-row", "mysqldump", "copy"])
    bt = "`" if style_ == "mysqldump" else ""
    doc = Doc()
    if style_ == "mysqldump":
        doc.add(f"-- MySQL dump 10.13  Distrib 8.0.36\n--\n-- Table structure for table "
                f"`{table}`\n--\n\nDROP TABLE IF EXISTS `{table}`;\n")
    doc.add(f"CREATE TABLE {bt}{table}{bt} (\n")
    defs = []
    for c in cols:
        typ = rng.choice(["VARCHAR(64)", "VARCHAR(255)", "TEXT"])
        if c in ("id", "employee_id", "emp_no"):
            typ = "VARCHAR(16)"
        defs.append(f"  {bt}{c}{bt} {typ}")
    doc.add(",\n".join(defs) + "\n)" + (" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\n"
                                        if style_ == "mysqldump" else ";\n\n"))
    collist = ", ".join(f"{bt}{c}{bt}" for c in cols)
    if style_ == "copy":
        doc.add(f"COPY public.{table} ({collist}) FROM stdin;\n")
        for r in body:
            for i, c in enumerate(r):
                put(doc, c, "", "\t" if i < len(r) - 1 else "\n")
        return doc.add("\\.\n")
    if style_ == "mysqldump":
        doc.add(f"LOCK TABLES `{table}` WRITE;\nINSERT INTO `{table}` VALUES ")
        for j, r in enumerate(body):
            doc.add("(")
            for i, c in enumerate(r):
                _sql_literal(doc, c)
                if i < len(r) - 1:
                    doc.add(",")
            doc.add(")" + ("," if j < len(body) - 1 else ";\nUNLOCK TABLES;\n"))
        return doc
    if style_ == "multi":
        doc.add(f"INSERT INTO {table} ({collist}) VALUES\n")
    for j, r in enumerate(body):
        if style_ == "per-row":
            doc.add(f"INSERT INTO {table} ({collist}) VALUES ")
        doc.add("(" if style_ == "per-row" else "  (")
        for i, c in enumerate(r):
            _sql_literal(doc, c)
            if i < len(r) - 1:
                doc.add(", ")
        if style_ == "per-row":
            doc.add(");\n")
        else:
            doc.add(")" + (",\n" if j < len(body) - 1 else ";\n"))
    return doc


def _camel(s: str) -> str:
    parts = ident(s).split("_")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def json_records(rng: random.Random, heads: list[str], body: list[list[Cell]]) -> Doc:
    keyf: Callable[[str], str] = rng.choice([ident, _camel])
    keys = [keyf(h) for h in heads]
    indent = rng.choice([True, True, False])
    doc = Doc().add("[\n" if indent else "[")
    for j, r in enumerate(body):
        doc.add("  {\n" if indent else "{")
        for i, (k, c) in enumerate(zip(keys, r, strict=True)):
            lead = "    " if indent else ""
            end = ("," if i < len(r) - 1 else "") + ("\n" if indent else "")
            if isinstance(c, str) and re.fullmatch(r"\d{1,7}", c):
                doc.add(f'{lead}"{k}": {c}{end}')
            else:
                put(doc, c, f'{lead}"{k}": "', '"' + end)
        doc.add("  }" if indent else "}")
        doc.add((",\n" if indent else ",") if j < len(body) - 1 else ("\n" if indent else ""))
    return doc.add("]\n")


def yaml_records(heads: list[str], body: list[list[Cell]]) -> Doc:
    keys = [ident(h) for h in heads]
    doc = Doc().add(f"{rng_free_root(heads)}:\n")
    for r in body:
        for i, (k, c) in enumerate(zip(keys, r, strict=True)):
            lead = "  - " if i == 0 else "    "
            quote = '"' if text_of(c)[:1] in "+0123456789" and not isinstance(c, Val) else ""
            put(doc, c, f"{lead}{k}: {quote}", f"{quote}\n")
    return doc


def rng_free_root(heads: list[str]) -> str:
    return "employees" if any("emp" in h.lower() for h in heads) else "records"
