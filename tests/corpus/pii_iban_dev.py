"""Development corpus: IBANs of every registry country and IP addresses, as exports write them.

Bank details and network logs arrive in the same exports as the rest of a person's data
(CSV/TSV, SQL dumps, JSON, YAML, Markdown and ASCII tables, forms, prose), and are written
in many ways: compact, in groups of four with spaces, dashes, dots or no-break spaces,
grouped by the national account structure ("FR76 30006 00001 12345678901 89"), lower or
mixed case, with an "IBAN" / "IBAN:" prefix inside the cell, quoted, with a trailing
comma or semicolon, beside BIC/SWIFT codes and national account numbers, under headers in
English, German, French and Spanish. IP addresses come with ports, CIDR suffixes, zero
padding, IPv6 compressed, expanded, with a zone id, and IPv4-mapped.

Every IBAN is built from its country's BBAN structure in the SWIFT IBAN registry (length,
letters / digits / alphanumerics per part) with a valid ISO 7064 mod-97 check. The
structures are this module's own transcription of the registry (public facts), so the
corpus does not depend on the detector's data.

Hard negatives (``benign=True``): IBAN-shaped references with a wrong check under no
bank header, BIC codes alone, UUIDs, order ids, hashes, version strings, timestamps,
SNMP OIDs (``1.3.6.1.4.1.9``) and MAC addresses.
"""

from __future__ import annotations

import ipaddress
import json
import random
import re
import string
from collections.abc import Callable, Sequence

from .pii_corpus import Sample, _Builder

# --------------------------------------------------------------------------- registry
# Country -> BBAN structure: count + kind per part (n digits, a upper-case letters,
# c letters or digits), as the SWIFT IBAN registry (release 99+) lists them.
BBAN: dict[str, str] = {
    "AD": "4n4n12c", "AE": "3n16n", "AL": "8n16c", "AT": "5n11n", "AZ": "4a20c",
    "BA": "3n3n8n2n", "BE": "3n7n2n", "BG": "4a4n2n8c", "BH": "4a14c", "BI": "5n5n11n2n",
    "BR": "8n5n10n1a1c", "BY": "4c4n16c", "CH": "5n12c", "CR": "4n14n", "CY": "3n5n16c",
    "CZ": "4n6n10n", "DE": "8n10n", "DJ": "5n5n11n2n", "DK": "4n9n1n", "DO": "4c20n",
    "EE": "2n2n11n1n", "EG": "4n4n17n", "ES": "4n4n1n1n10n", "FI": "3n11n", "FK": "2a12n",
    "FO": "4n9n1n", "FR": "5n5n11c2n", "GB": "4a6n8n", "GE": "2a16n", "GI": "4a15c",
    "GL": "4n9n1n", "GR": "3n4n16c", "GT": "4c20c", "HN": "4a20n", "HR": "7n10n",
    "HU": "3n4n1n15n1n", "IE": "4a6n8n", "IL": "3n3n13n", "IQ": "4a3n12n",
    "IS": "4n2n6n10n", "IT": "1a5n5n12c", "JO": "4a4n18c", "KW": "4a22c", "KZ": "3n13c",
    "LB": "4n20c", "LC": "4a24c", "LI": "5n12c", "LT": "5n11n", "LU": "3n13c",
    "LV": "4a13c", "LY": "3n3n15n", "MC": "5n5n11c2n", "MD": "2c18c", "ME": "3n13n2n",
    "MK": "3n10c2n", "MN": "4n12n", "MR": "5n5n11n2n", "MT": "4a5n18c",
    "MU": "4a2n2n12n3n3a", "NI": "4a20n", "NL": "4a10n", "NO": "4n6n1n", "OM": "3n16c",
    "PK": "4a16c", "PL": "8n16n", "PS": "4a21c", "PT": "4n4n11n2n", "QA": "4a21c",
    "RO": "4a16c", "RS": "3n13n2n", "RU": "9n5n15c", "SA": "2n18c", "SC": "4a2n2n16n3a",
    "SD": "2n12n", "SE": "3n16n1n", "SI": "5n8n2n", "SK": "4n6n10n", "SM": "1a5n5n12c",
    "SO": "4n3n12n", "ST": "4n4n11n2n", "SV": "4a20n", "TL": "3n14n2n", "TN": "2n3n13n2n",
    "TR": "5n1n16c", "UA": "6n19c", "VA": "3n15n", "VG": "4a16n", "XK": "4n10n2n",
    "YE": "4a4n18c",
}
_PARTS = re.compile(r"(\d+)([nac])")
_ALPHABET = {"n": string.digits, "a": string.ascii_uppercase,
             "c": string.ascii_uppercase + string.digits}
BICS = ["DEUTDEFF", "COBADEFFXXX", "BNPAFRPP", "SOGEFRPPXXX", "CAIXESBBXXX", "BBVAESMM",
        "NWBKGB2L", "BARCGB22", "INGBNL2A", "RABONL2U", "UBSWCHZH80A", "BKAUATWW",
        "GEBABEBB", "UNCRITMM", "BCITITMM", "PKOPPLPW", "NDEAFIHH", "DABADKKK",
        "HANDSESS", "CEKOCZPP", "OTPVHUHB", "BCEELULL", "AIBKIE2D", "BPOTBEB1"]
BANKS = ["Deutsche Bank", "Commerzbank", "BNP Paribas", "Société Générale", "CaixaBank",
         "BBVA", "NatWest", "Barclays", "ING", "Rabobank", "UBS", "Bank Austria",
         "BNP Paribas Fortis", "UniCredit", "PKO BP", "Nordea", "Danske Bank",
         "Handelsbanken", "Česká spořitelna", "OTP Bank", "Spuerkeess", "AIB"]
NAMES = ["Lena Hartmann", "Julien Moreau", "Lucía Ortega", "Oliver Grant", "Aylin Kaya",
         "Pieter de Jong", "Giulia Romano", "Kasper Nielsen", "Ana Popescu", "Tomás Silva",
         "Marta Kowalska", "Sven Lindgren", "Hana Novák", "Eamon Byrne", "Noor Haddad"]


def iban_structure(country: str) -> list[tuple[int, str]]:
    return [(int(n), kind) for n, kind in _PARTS.findall(BBAN[country])]


def iban_length(country: str) -> int:
    return 4 + sum(n for n, _ in iban_structure(country))


def make_iban(r: random.Random, country: str) -> str:
    """A compact IBAN of ``country`` with a valid mod-97 check."""
    bban = "".join(r.choice(_ALPHABET[kind]) for n, kind in iban_structure(country)
                   for _ in range(n))
    check = 98 - int("".join(str(int(ch, 36)) for ch in bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


def broken_iban(r: random.Random, country: str) -> str:
    """IBAN-shaped, right length and structure, wrong check digits."""
    good = make_iban(r, country)
    bad = (int(good[2:4]) + r.randint(1, 90)) % 97
    bad = bad if bad >= 2 else bad + 2
    return f"{good[:2]}{bad:02d}{good[4:]}"


# --------------------------------------------------------------------------- IBAN forms
def _groups(compact: str, sep: str, size: int = 4) -> str:
    return sep.join(compact[i:i + size] for i in range(0, len(compact), size))


def _by_structure(compact: str) -> str:
    parts, pos = [compact[:4]], 4
    for n, _ in iban_structure(compact[:2]):
        parts.append(compact[pos:pos + n])
        pos += n
    return " ".join(parts)


def _mixed(r: random.Random, text: str) -> str:
    style = r.randrange(3)
    if style == 0:  # the country code as typed, the rest lower
        return text[:2] + text[2:].lower()
    if style == 1:  # each group capitalised
        return " ".join(g[:1] + g[1:].lower() for g in text.split(" "))
    return "".join(ch.lower() if r.random() < 0.5 else ch for ch in text)


# form -> how the compact IBAN is written (the whole string is the value)
IBAN_FORMS: dict[str, Callable[[random.Random, str], str]] = {
    "compact": lambda r, c: c,
    "spaced4": lambda r, c: _groups(c, " "),
    "dashed4": lambda r, c: _groups(c, "-"),
    "dotted4": lambda r, c: _groups(c, "."),
    "nbsp4": lambda r, c: _groups(c, r.choice(["\u00a0", "\u202f"])),
    "structure": lambda r, c: _by_structure(c),
    "lower": lambda r, c: r.choice([c, _groups(c, " ")]).lower(),
    "mixed": lambda r, c: _mixed(r, r.choice([c, _groups(c, " ")])),
}
# text around the value inside a cell (not part of the value)
IBAN_WRAPS: list[tuple[str, str]] = [("", ""), ("", ""), ("", ""), ("IBAN ", ""),
                                     ("IBAN: ", ""), ("IBAN:", ""), ("", ","), ("", ";"),
                                     ("iban ", ""), ("", " (EUR)")]

IBAN_HEADERS: list[tuple[str, str]] = [
    ("en", "iban"), ("en", "IBAN"), ("en", "bank_account"), ("en", "account_iban"),
    ("en", "payee_iban"), ("en", "Bank Account"), ("en", "beneficiary_iban"),
    ("en", "IBAN Number"), ("en", "customerIban"), ("en", "iban_no"),
    ("en", "Bank details"), ("en", "payout_account"),
    ("de", "Konto"), ("de", "Kontonummer"), ("de", "IBAN-Nr."), ("de", "Bankverbindung"),
    ("de", "Empfänger-IBAN"), ("de", "IBAN des Kontoinhabers"),
    ("fr", "compte"), ("fr", "RIB"), ("fr", "IBAN du bénéficiaire"),
    ("fr", "N° de compte"), ("fr", "coordonnées bancaires"),
    ("es", "cuenta"), ("es", "Cuenta bancaria"), ("es", "IBAN del titular"),
    ("es", "número de cuenta"), ("es", "cuenta_iban"),
]
BIC_HEADERS = ["bic", "BIC", "swift", "SWIFT/BIC", "bic_code", "BIC-Code", "code BIC"]
NAME_HEADERS = {"en": ["name", "account_holder", "payee"], "de": ["Name", "Kontoinhaber"],
                "fr": ["nom", "titulaire"], "es": ["nombre", "titular"]}
AMOUNT_HEADERS = {"en": "amount", "de": "Betrag", "fr": "montant", "es": "importe"}


class _Pick:
    """Countries and forms drawn in turn from shuffled cycles: every one occurs."""

    def __init__(self, r: random.Random) -> None:
        self.r = r
        self._countries: list[str] = []
        self._forms: list[str] = []

    def country(self) -> str:
        if not self._countries:
            self._countries = sorted(BBAN)
            self.r.shuffle(self._countries)
        return self._countries.pop()

    def form(self) -> str:
        if not self._forms:
            self._forms = sorted(IBAN_FORMS)
            self.r.shuffle(self._forms)
        return self._forms.pop()

    def iban(self) -> tuple[str, str, str]:
        """(prefix, value, suffix) for one cell."""
        r = self.r
        value = IBAN_FORMS[self.form()](r, make_iban(r, self.country()))
        before, after = r.choice(IBAN_WRAPS)
        return before, value, after


Cell = tuple[str, str, str, str | None]  # before, value, after, gold entity


def _iban_row(p: _Pick, lang: str, cols: Sequence[str]) -> list[Cell]:
    r = p.r
    out: list[Cell] = []
    for c in cols:
        if c == "iban":
            before, value, after = p.iban()
            out.append((before, value, after, "IBAN_CODE"))
        elif c == "bic":
            out.append(("", r.choice(BICS), "", None))
        elif c == "name":
            out.append(("", r.choice(NAMES), "", "PERSON"))
        elif c == "bank":
            out.append(("", r.choice(BANKS), "", None))
        elif c == "amount":
            sep = "," if lang in ("de", "fr", "es") else "."
            out.append(("", f"{r.randint(10, 9999)}{sep}{r.randint(0, 99):02d}", "", None))
        elif c == "account":  # a national account number beside the IBAN
            out.append(("", str(r.randint(10**7, 10**10 - 1)), "", None))
        else:  # id
            out.append(("", str(r.randint(1000, 99999)), "", None))
    return out


def _iban_table(p: _Pick) -> tuple[str, list[str], list[list[Cell]]]:
    r = p.r
    lang = r.choice(["en", "en", "de", "fr", "es"])
    cols = ["iban"] + r.sample(["bic", "name", "bank", "amount", "account", "id"],
                               r.randint(1, 4))
    r.shuffle(cols)
    headers = []
    for c in cols:
        if c == "iban":
            options = [h for lg, h in IBAN_HEADERS if lg == lang] + \
                [h for lg, h in IBAN_HEADERS if lg == "en"][:4]
            headers.append(r.choice(options))
        elif c == "bic":
            headers.append(r.choice(BIC_HEADERS))
        elif c == "name":
            headers.append(r.choice(NAME_HEADERS[lang]))
        elif c == "bank":
            headers.append({"en": "bank", "de": "Bank", "fr": "banque", "es": "banco"}[lang])
        elif c == "amount":
            headers.append(AMOUNT_HEADERS[lang])
        elif c == "account":
            headers.append(r.choice(["account_number", "acct_no", "local_account"]))
        else:
            headers.append(r.choice(["id", "payment_id", "row"]))
    rows = [_iban_row(p, lang, cols) for _ in range(r.randint(2, 9))]
    return lang, headers, rows


def _put(b: _Builder, cell: Cell, escape: Callable[[str], str] = lambda s: s) -> None:
    before, value, after, entity = cell
    b.add(escape(before))
    if entity:
        b.pii(entity, escape(value))
    else:
        b.add(escape(value))
    b.add(escape(after))


def _text(cell: Cell) -> str:
    return cell[0] + cell[1] + cell[2]


# --------------------------------------------------------------------------- layouts
def _csv(p: _Pick, headers: list[str], rows: list[list[Cell]], delim: str,
         quote_all: bool) -> _Builder:
    b = _Builder()
    b.add(p.r.choice(["", "Reconcile these payouts:\n\n", "payouts.csv:\n",
                      "Find duplicate accounts in this export\n```\n"]))
    b.add(delim.join(f'"{h}"' if quote_all or delim in h else h for h in headers) + "\n")
    for row in rows:
        for k, cell in enumerate(row):
            if k:
                b.add(delim)
            quote = quote_all or delim in _text(cell)
            b.add('"' if quote else "")
            _put(b, cell)
            b.add('"' if quote else "")
        b.add("\n")
    return b


def iban_csv(p: _Pick) -> Sample:
    _, headers, rows = _iban_table(p)
    delim = p.r.choice([",", ";", ",", "|"])
    return _csv(p, headers, rows, delim, p.r.random() < 0.3).sample("iban-csv")


def iban_tsv(p: _Pick) -> Sample:
    _, headers, rows = _iban_table(p)
    return _csv(p, headers, rows, "\t", False).sample("iban-tsv")


def iban_sql(p: _Pick) -> Sample:
    r = p.r
    _, headers, rows = _iban_table(p)
    cols = [re.sub(r"[^\w]+", "_", h.lower()).strip("_") or "col" for h in headers]
    table = r.choice(["payouts", "bank_accounts", "public.suppliers", "`sepa_mandates`"])
    b = _Builder()
    b.add(r.choice(["", "-- dump\n", "Why does this insert fail?\n\n"]))
    if r.random() < 0.4:
        b.add(f"CREATE TABLE {table} (\n  " + ",\n  ".join(f"{c} VARCHAR(64)" for c in cols)
              + "\n);\n")
    collist = f" ({', '.join(cols)})" if r.random() < 0.8 else ""
    multi = r.random() < 0.5
    if multi:
        b.add(f"INSERT INTO {table}{collist} VALUES\n")
    for i, row in enumerate(rows):
        if not multi:
            b.add(f"INSERT INTO {table}{collist} VALUES ")
        b.add("(")
        for k, cell in enumerate(row):
            if k:
                b.add(", ")
            b.add("'")
            _put(b, cell, lambda s: s.replace("'", "''"))
            b.add("'")
        b.add(")")
        b.add((",\n" if i + 1 < len(rows) else ";\n") if multi else ";\n")
    return b.sample("iban-sql")


def iban_json(p: _Pick) -> Sample:
    r = p.r
    _, headers, rows = _iban_table(p)
    keys = [re.sub(r"[^\w]+", "_", h).strip("_") or "k" for h in headers]
    pretty = r.random() < 0.5
    b = _Builder().add(r.choice(["", "Validate this payload:\n", "```json\n"]))
    b.add("[")
    for i, row in enumerate(rows):
        b.add("\n  {" if pretty else "{")
        for k, (key, cell) in enumerate(zip(keys, row, strict=True)):
            b.add(("," if k else "") + ("\n    " if pretty else "") + json.dumps(key) + ": ")
            b.add('"')
            _put(b, cell, lambda s: json.dumps(s, ensure_ascii=False)[1:-1])
            b.add('"')
        b.add(("\n  }" if pretty else "}") + ("," if i + 1 < len(rows) else ""))
    b.add("\n]\n" if pretty else "]\n")
    return b.sample("iban-json")


def iban_yaml(p: _Pick) -> Sample:
    r = p.r
    _, headers, rows = _iban_table(p)
    keys = [re.sub(r"[^\w]+", "_", h).strip("_") or "k" for h in headers]
    b = _Builder().add(r.choice(["", "# fixtures/payees.yml\n", "Fix this config:\n"]))
    b.add("payees:\n")
    for row in rows:
        for k, (key, cell) in enumerate(zip(keys, row, strict=True)):
            b.add("  - " if k == 0 else "    ")
            b.add(f"{key}: ")
            q = r.choice(["", "", '"', "'"])
            b.add(q)
            _put(b, cell)
            b.add(q + "\n")
    return b.sample("iban-yaml")


def _grid(p: _Pick, kind: str) -> Sample:
    _, headers, rows = _iban_table(p)
    widths = [max([len(h)] + [len(_text(row[k])) for row in rows])
              for k, h in enumerate(headers)]
    b = _Builder().add(p.r.choice(["", "Summarise:\n\n", "Convert to CSV:\n\n"]))

    def line(cells: list[Cell]) -> None:
        b.add("|")
        for cell, wd in zip(cells, widths, strict=True):
            b.add(" ")
            _put(b, cell)
            b.add(" " * (wd - len(_text(cell))) + " |")
        b.add("\n")

    rule = "+" + "+".join("-" * (wd + 2) for wd in widths) + "+\n"
    if kind == "ascii":
        b.add(rule)
    line([("", h, "", None) for h in headers])
    b.add(rule if kind == "ascii" else "|" + "|".join("-" * (wd + 2) for wd in widths) + "|\n")
    for row in rows:
        line(row)
    if kind == "ascii":
        b.add(rule)
    return b.sample(f"iban-{kind}")


def iban_markdown(p: _Pick) -> Sample:
    return _grid(p, "markdown")


def iban_ascii(p: _Pick) -> Sample:
    return _grid(p, "ascii")


def iban_form(p: _Pick) -> Sample:
    r = p.r
    lang, headers, rows = _iban_table(p)
    b = _Builder().add(r.choice(["", "Please check this payment form:\n\n",
                                 "Formular:\n", "Coordonnées :\n"]))
    for h, cell in zip(headers, rows[0], strict=True):
        b.add(f"{h}{r.choice([': ', ':  ', ' : ', ':\t'])}")
        _put(b, cell)
        b.add("\n")
    return b.sample("iban-form")


PROSE = {
    "en": ["Please wire the refund to {iban} (BIC {bic}) by Friday.",
           "My IBAN is {iban}, account holder {name}.",
           "Can you check whether {iban} is a valid account? The payment bounced.",
           "Salary goes to {iban} from next month; the old account can be closed.",
           "Beneficiary: {name}, {bank}, {iban}; reference invoice {ref}."],
    "de": ["Bitte überweisen Sie den Betrag auf das Konto {iban} bei der {bank}.",
           "Meine neue Bankverbindung lautet {iban} (BIC: {bic}).",
           "Die Lastschrift vom Konto {iban} ist zurückgegangen, bitte prüfen."],
    "fr": ["Merci de virer le solde sur le compte {iban}, BIC {bic}.",
           "Voici mon RIB : {iban} ({bank}).",
           "Le prélèvement sur {iban} a été rejeté, pouvez-vous vérifier ?"],
    "es": ["Por favor, haga la transferencia a la cuenta {iban} ({bank}).",
           "Mi IBAN es {iban}; el titular es {name}.",
           "La domiciliación en {iban} fue devuelta, ¿puede revisarlo?"],
}


def iban_prose(p: _Pick) -> Sample:
    r = p.r
    lang = r.choice(sorted(PROSE))
    b = _Builder()
    for k, template in enumerate(r.sample(PROSE[lang], r.randint(1, 2))):
        if k:
            b.add(" ")
        for piece in re.split(r"(\{\w+\})", template):
            if piece == "{iban}":
                # prose writes the value bare (the template's own words say IBAN)
                b.pii("IBAN_CODE", IBAN_FORMS[p.form()](r, make_iban(r, p.country())))
            elif piece == "{bic}":
                b.add(r.choice(BICS))
            elif piece == "{name}":
                b.pii("PERSON", r.choice(NAMES))
            elif piece == "{bank}":
                b.add(r.choice(BANKS))
            elif piece == "{ref}":
                b.add(f"INV-{r.randint(2019, 2025)}-{r.randint(1000, 99999)}")
            else:
                b.add(piece)
    return b.sample("iban-prose")


IBAN_LAYOUTS: tuple[Callable[[_Pick], Sample], ...] = (
    iban_csv, iban_csv, iban_csv, iban_tsv, iban_sql, iban_sql, iban_json, iban_yaml,
    iban_markdown, iban_ascii, iban_form, iban_prose)


# --------------------------------------------------------------------------- IP forms
def public_ipv4(r: random.Random) -> ipaddress.IPv4Address:
    while True:
        addr = ipaddress.IPv4Address(r.getrandbits(32))
        if addr.is_global and not addr.is_multicast and not addr.is_reserved:
            return addr


def public_ipv6(r: random.Random) -> ipaddress.IPv6Address:
    head = r.choice([0x2001, 0x2a00, 0x2a02, 0x2600, 0x2c0f, 0x2406, 0x2800])
    groups = [head, r.randint(0x1000, 0xffff)] + [r.randint(0, 0xffff) for _ in range(6)]
    if r.random() < 0.6:  # runs of zeros, as real addresses have
        k = r.randint(2, 5)
        for i in range(k, min(8, k + r.randint(1, 3))):
            groups[i] = 0
    return ipaddress.IPv6Address(":".join(f"{g:x}" for g in groups))


def _ip_value(r: random.Random, form: str) -> tuple[str, str, str]:
    """(value, text after it inside the cell, form) -- the port or prefix stays outside."""
    if form == "v4":
        return str(public_ipv4(r)), "", form
    if form == "v4-port":
        return str(public_ipv4(r)), f":{r.choice([443, 8080, 22, 3389, 51234])}", form
    if form == "v4-cidr":
        return str(public_ipv4(r)), f"/{r.choice([32, 24, 28])}", form
    if form == "v4-padded":
        return ".".join(f"{int(o):03d}" for o in str(public_ipv4(r)).split(".")), "", form
    if form == "v6-compressed":
        return str(public_ipv6(r)), "", form
    if form == "v6-expanded":
        return public_ipv6(r).exploded, "", form
    if form == "v6-upper":
        return str(public_ipv6(r)).upper(), "", form
    if form == "v6-zone":
        return f"{public_ipv6(r)}%{r.choice(['eth0', 'en0', '3', 'wlan0'])}", "", form
    if form == "v6-port":
        return f"[{public_ipv6(r)}]", f":{r.choice([443, 8443])}", form
    # IPv4-mapped IPv6
    return f"::ffff:{public_ipv4(r)}", "", form


IP_FORMS = ["v4", "v4-port", "v4-cidr", "v4-padded", "v6-compressed", "v6-expanded",
            "v6-upper", "v6-zone", "v6-port", "v4-mapped"]
IP_HEADERS = ["ip", "IP", "ip_address", "IP Address", "client_ip", "src_ip", "remote_addr",
              "clientIp", "source_ip", "last_login_ip", "IP-Adresse", "dirección IP",
              "adresse IP", "ipv6", "peer_ip", "x_forwarded_for"]


def ip_table(p: _Pick) -> Sample:
    r = p.r
    kind = r.choice(["csv", "csv", "tsv", "sql", "json", "markdown"])
    header = r.choice(IP_HEADERS)
    cols = ["ts", "user", header, "status"]
    b = _Builder().add(r.choice(["", "Which of these logins look suspicious?\n\n",
                                 "access log export:\n"]))
    rows = []
    for _ in range(r.randint(3, 10)):
        form = r.choice(IP_FORMS)
        value, after, _ = _ip_value(r, form)
        if form == "v6-port":  # the brackets are not the address
            value, after = value[1:-1], "]" + after
            cell: Cell = ("[", value, after, "IP_ADDRESS")
        else:
            cell = ("", value, after, "IP_ADDRESS")
        rows.append([("", f"2024-{r.randint(1, 12):02d}-{r.randint(10, 28)}T"
                          f"{r.randint(10, 23)}:{r.randint(10, 59)}:{r.randint(10, 59)}Z",
                      "", None),
                     ("", r.choice(NAMES).split()[0].lower(), "", None), cell,
                     ("", r.choice(["ok", "failed", "blocked", "200", "401"]), "", None)])
    if kind in ("csv", "tsv"):
        delim = "\t" if kind == "tsv" else ","
        b.add(delim.join(cols) + "\n")
        for row in rows:
            for k, c in enumerate(row):
                b.add(delim if k else "")
                _put(b, c)
            b.add("\n")
    elif kind == "sql":
        sql_cols = [re.sub(r"[^\w]+", "_", c.lower()) for c in cols]
        b.add(f"INSERT INTO logins ({', '.join(sql_cols)}) VALUES\n")
        for i, row in enumerate(rows):
            b.add("(")
            for k, c in enumerate(row):
                b.add(", '" if k else "'")
                _put(b, c)
                b.add("'")
            b.add("),\n" if i + 1 < len(rows) else ");\n")
    elif kind == "json":
        b.add("[")
        for i, row in enumerate(rows):
            b.add("{")
            for k, (key, c) in enumerate(zip(cols, row, strict=True)):
                b.add((", " if k else "") + json.dumps(key) + ': "')
                _put(b, c)
                b.add('"')
            b.add("}" + (",\n " if i + 1 < len(rows) else "]\n"))
    else:
        b.add("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n")
        for row in rows:
            b.add("|")
            for c in row:
                b.add(" ")
                _put(b, c)
                b.add(" |")
            b.add("\n")
    return b.sample(f"ip-{kind}")


# --------------------------------------------------------------------------- negatives
def _uuid(r: random.Random) -> str:
    h = f"{r.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _benign_references(r: random.Random) -> str:
    """IBAN-shaped references with a wrong check, under headers that are not bank ones."""
    head = r.choice([("order_ref", "sku", "status"), ("Ticket", "Part number", "Qty"),
                     ("reference", "item_code", "state")])
    rows = [head]
    for _ in range(r.randint(3, 8)):
        country = r.choice(sorted(BBAN))
        rows.append((broken_iban(r, country),
                     f"{r.choice(string.ascii_uppercase)}{r.choice(string.ascii_uppercase)}"
                     f"{r.randint(10, 99)}-{r.randint(1000, 9999)}",
                     r.choice(["open", "shipped", "3", "12"])))
    delim = r.choice([",", ";", "\t"])
    return "Group these by status:\n\n" + "\n".join(delim.join(x) for x in rows) + "\n"


def _benign_bics(r: random.Random) -> str:
    rows = "\n".join(f"| {bank} | {bic} |" for bank, bic in zip(
        r.sample(BANKS, 5), r.sample(BICS, 5), strict=True))
    return ("Which of these BIC codes are 11 characters long?\n\n| Bank | BIC |\n|---|---|\n"
            + rows + "\n")


def _benign_ids(r: random.Random) -> str:
    lines = ["order_id,uuid,sha1,created_at,version"]
    for _ in range(r.randint(3, 8)):
        lines.append(",".join([
            f"ORD-{r.randint(2019, 2025)}-{r.randint(0, 999999):06d}", _uuid(r),
            f"{r.getrandbits(160):040x}",
            f"{r.randint(2019, 2025)}-{r.randint(1, 12):02d}-{r.randint(10, 28)}T"
            f"{r.randint(10, 23)}:{r.randint(10, 59)}:00Z",
            f"{r.randint(1, 12)}.{r.randint(0, 30)}.{r.randint(0, 9)}.{r.randint(0, 250)}"]))
    return "Deduplicate by order_id:\n\n" + "\n".join(lines) + "\n"


def _benign_oids(r: random.Random) -> str:
    oids = ["1.3.6.1.2.1.1.3.0", "1.3.6.1.4.1.9.9.13.1.3", "1.3.6.1.2.1.2.2.1.10",
            "1.3.6.1.4.1.2021.11.9.0", "2.5.4.3", "1.2.840.113549.1.1.11",
            "1.3.6.1.4.1.311.21.8", "1.3.6.1.2.1.31.1.1.1.6"]
    rows = "\n".join(f"{o}\t{r.choice(['sysUpTime', 'ifInOctets', 'cpuLoad', 'cn', 'sha256'])}"
                     f"\t{r.randint(0, 10**6)}" for o in r.sample(oids, 5))
    return "oid\tname\tvalue\n" + rows + "\n\nExplain what these SNMP OIDs measure."


def _benign_versions(r: random.Random) -> str:
    rows = [f"{r.choice(['chrome', 'windows', 'firmware', 'driver', 'agent'])},"
            f"{r.randint(1, 120)}.{r.randint(0, 9)}.{r.randint(0, 250)}.{r.randint(0, 200)},"
            f"{r.randint(2019, 2025)}-{r.randint(1, 12):02d}-{r.randint(10, 28)}"
            for _ in range(r.randint(3, 7))]
    macs = ":".join(f"{r.randint(0, 255):02X}" for _ in range(6))
    return ("component,version,released\n" + "\n".join(rows)
            + f"\n\nThe gateway's MAC is {macs}; uptime 12:30:45. Which builds are outdated?")


BENIGN: tuple[tuple[str, Callable[[random.Random], str]], ...] = (
    ("iban-references", _benign_references), ("bic-table", _benign_bics),
    ("id-columns", _benign_ids), ("snmp-oids", _benign_oids),
    ("versions-macs", _benign_versions))


def generate_iban_dev(seed: int, n_iban: int = 150, n_ip: int = 40,
                      n_benign: int = 50) -> list[Sample]:
    """IBAN records (every registry country and form, several times over), IP tables,
    then hard negatives (``benign=True``)."""
    r = random.Random(seed * 104729 + 13)
    p = _Pick(r)
    out = [IBAN_LAYOUTS[i % len(IBAN_LAYOUTS)](p) for i in range(n_iban)]
    out += [ip_table(p) for _ in range(n_ip)]
    for _ in range(n_benign):
        name, make = r.choice(BENIGN)
        out.append(Sample(make(r), (), f"benign-{name}", benign=True))
    return out
