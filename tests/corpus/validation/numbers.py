"""Identifiers as the world writes them: payment cards of every scheme (real Luhn), US
SSNs, IBANs (real mod-97), IP addresses, dates of birth, passport and driver's licence
numbers."""

from __future__ import annotations

import datetime as dt
import random
import string

# --------------------------------------------------------------------------- cards
# scheme -> (IIN ranges as (low, high) prefixes of equal length, lengths, groupings)
CARD_SCHEMES: dict[str, tuple[list[tuple[int, int]], list[int]]] = {
    "visa": ([(4, 4)], [16, 16, 16, 13, 19]),
    "mastercard-5": ([(51, 55)], [16]),
    "mastercard-2": ([(2221, 2720)], [16]),
    "amex": ([(34, 34), (37, 37)], [15]),
    "discover": ([(6011, 6011), (644, 649), (65, 65), (622126, 622925)], [16, 16, 19]),
    "jcb": ([(3528, 3589)], [16, 16, 17, 19]),
    "diners": ([(300, 305), (36, 36), (38, 39)], [14, 14, 16]),
    "unionpay": ([(62, 62)], [16, 17, 18, 19]),
    "maestro": ([(5018, 5018), (5020, 5020), (5038, 5038), (5893, 5893), (6304, 6304),
                 (6759, 6759), (6761, 6763)], [16, 19, 13]),
    "mir": ([(2200, 2204)], [16]),
}


def luhn_digit(partial: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:  # doubled: these sit left of the check digit
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_digit(number[:-1]) == number[-1]


def card_number(rng: random.Random, scheme: str) -> str:
    ranges, lengths = CARD_SCHEMES[scheme]
    lo, hi = rng.choice(ranges)
    prefix = str(rng.randint(lo, hi))
    length = rng.choice(lengths)
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return body + luhn_digit(body)


def group_card(number: str, style: str) -> str:
    """``style``: plain | spaces | dashes | dots; Amex 4-6-5 and Diners 4-6-4 keep their
    printed grouping, 19-digit numbers 4-4-4-4-3."""
    if style == "plain":
        return number
    sep = {"spaces": " ", "dashes": "-", "dots": "."}[style]
    n = len(number)
    sizes = {15: [4, 6, 5], 14: [4, 6, 4], 13: [4, 4, 5], 17: [4, 4, 4, 5],
             18: [4, 4, 4, 6], 19: [4, 4, 4, 4, 3]}.get(n, [4, 4, 4, 4])
    out, i = [], 0
    for s in sizes:
        out.append(number[i:i + s])
        i += s
    return sep.join(out)


def card(rng: random.Random, scheme: str | None = None,
         style: str | None = None) -> tuple[str, str, str]:
    """(shown, digits, kind)."""
    scheme = scheme or rng.choice(list(CARD_SCHEMES))
    digits = card_number(rng, scheme)
    style = style or rng.choice(["plain", "spaces", "spaces", "dashes", "dots"])
    return group_card(digits, style), digits, f"{scheme}/{style}"


# --------------------------------------------------------------------------- SSN
def ssn_digits(rng: random.Random) -> str:
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def ssn(rng: random.Random, style: str | None = None) -> tuple[str, str]:
    """(shown, kind); style dashes | plain | spaces."""
    d = ssn_digits(rng)
    style = style or rng.choice(["dashes", "dashes", "plain", "spaces"])
    shown = {"dashes": f"{d[:3]}-{d[3:5]}-{d[5:]}", "plain": d,
             "spaces": f"{d[:3]} {d[3:5]} {d[5:]}"}[style]
    return shown, style


# --------------------------------------------------------------------------- IBAN
# country -> BBAN pattern: n digits, a upper letters, c alphanumerics
IBAN_BBAN = {"DE": "18n", "GB": "4a14n", "FR": "10n11c2n", "ES": "20n", "IT": "1a10n12c",
             "NL": "4a10n", "BE": "12n", "CH": "5n12c", "AT": "16n", "PL": "24n",
             "PT": "21n", "IE": "4a14n", "SE": "20n", "DK": "14n", "FI": "14n", "LU": "3n13c",
             "NO": "11n"}


def _bban(rng: random.Random, pattern: str) -> str:
    out, num = [], ""
    for ch in pattern:
        if ch.isdigit():
            num += ch
            continue
        alphabet = {"n": string.digits, "a": string.ascii_uppercase,
                    "c": string.digits + string.ascii_uppercase}[ch]
        out.extend(rng.choice(alphabet) for _ in range(int(num)))
        num = ""
    return "".join(out)


def iban_check(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return f"{98 - int(digits) % 97:02d}"


def iban(rng: random.Random, country: str | None = None,
         grouped: bool | None = None) -> tuple[str, str]:
    country = country or rng.choice(list(IBAN_BBAN))
    bban = _bban(rng, IBAN_BBAN[country])
    code = country + iban_check(country, bban) + bban
    grouped = rng.random() < 0.5 if grouped is None else grouped
    if grouped:
        code = " ".join(code[i:i + 4] for i in range(0, len(code), 4))
    return code, f"{country}/{'grouped' if grouped else 'compact'}"


# --------------------------------------------------------------------------- IP
def ipv4(rng: random.Random) -> str:
    while True:
        a = rng.randint(11, 223)
        if a not in (100, 127, 169, 172, 192, 198, 203):
            return f"{a}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xffff):x}" for _ in range(8)]
    groups[0] = rng.choice(["2001", "2a02", "2604", "2a01", "2409"])
    if rng.random() < 0.6:  # compressed form
        return ":".join(groups[:3]) + "::" + ":".join(groups[6:])
    return ":".join(groups)


def ip(rng: random.Random) -> tuple[str, str]:
    return (ipv6(rng), "v6") if rng.random() < 0.2 else (ipv4(rng), "v4")


# --------------------------------------------------------------------------- dates
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
}
DATE_FORMATS = ("iso", "us", "eu-slash", "eu-dot", "written-dmy", "written-mdy", "short-mdy",
                "dd-mon-yyyy")


def birth_date(rng: random.Random) -> dt.date:
    return dt.date(1938, 1, 1) + dt.timedelta(days=rng.randint(0, 68 * 365))


def some_date(rng: random.Random, lo: int = 2015, hi: int = 2026) -> dt.date:
    return dt.date(lo, 1, 1) + dt.timedelta(days=rng.randint(0, (hi - lo) * 365))


def write_date(d: dt.date, fmt: str, lang: str = "en") -> str:
    m = MONTHS[lang][d.month - 1]
    if fmt == "iso":
        return d.isoformat()
    if fmt == "us":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if fmt == "eu-slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if fmt == "eu-dot":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if fmt == "written-dmy":
        return {"en": f"{d.day} {m} {d.year}", "de": f"{d.day}. {m} {d.year}",
                "fr": f"{d.day} {m} {d.year}", "es": f"{d.day} de {m} de {d.year}"}[lang]
    if fmt == "written-mdy":
        return f"{MONTHS['en'][d.month - 1]} {d.day}, {d.year}"
    if fmt == "short-mdy":
        return f"{MONTHS['en'][d.month - 1][:3]} {d.day}, {d.year}"
    if fmt == "dd-mon-yyyy":
        return f"{d.day:02d}-{MONTHS['en'][d.month - 1][:3]}-{d.year}"
    raise ValueError(fmt)


def dob(rng: random.Random, lang: str = "en", fmt: str | None = None) -> tuple[str, str]:
    fmt = fmt or rng.choice(DATE_FORMATS)
    if lang != "en" and fmt in ("written-mdy", "short-mdy", "dd-mon-yyyy"):
        fmt = "written-dmy"
    if lang in ("de",) and fmt == "us":
        fmt = "eu-dot"
    return write_date(birth_date(rng), fmt, lang), fmt


# --------------------------------------------------------------------------- passports
def _d(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _l(rng: random.Random, n: int, alphabet: str = string.ascii_uppercase) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def passport(rng: random.Random, country: str | None = None) -> tuple[str, str]:
    country = country or rng.choice(["us", "us", "us", "uk", "de", "fr", "es", "in", "ca"])
    if country == "us":
        v = _d(rng, 9) if rng.random() < 0.5 else _l(rng, 1) + _d(rng, 8)
        return v, "us"
    if country == "uk":
        return _d(rng, 9), "uk"
    if country == "de":
        return "C" + _l(rng, 8, "CFGHJKLMNPRTVWXYZ0123456789"), "de"
    if country == "fr":
        return _d(rng, 2) + _l(rng, 2) + _d(rng, 5), "fr"
    if country == "es":
        return _l(rng, 3) + _d(rng, 6), "es"
    if country == "in":
        return _l(rng, 1) + _d(rng, 7), "in"
    return _l(rng, 2) + _d(rng, 6), "ca"


# --------------------------------------------------------------------------- licences
def _dl_format(rng: random.Random, state: str) -> str:
    d, l_ = (lambda n: _d(rng, n)), (lambda n: _l(rng, n))
    forms = {
        "CA": lambda: l_(1) + d(7),
        "NY": lambda: rng.choice([d(9), f"{d(3)} {d(3)} {d(3)}"]),
        "TX": lambda: d(8),
        "FL": lambda: rng.choice([l_(1) + d(12), f"{l_(1)}{d(3)}-{d(3)}-{d(2)}-{d(3)}-{d(1)}"]),
        "IL": lambda: rng.choice([l_(1) + d(11), f"{l_(1)}{d(3)}-{d(4)}-{d(4)}"]),
        "PA": lambda: rng.choice([d(8), f"{d(2)} {d(3)} {d(3)}"]),
        "WA": lambda: "WDL" + _l(rng, 9, string.ascii_uppercase + string.digits),
        "MI": lambda: rng.choice([l_(1) + d(12), f"{l_(1)} {d(3)} {d(3)} {d(3)} {d(3)}"]),
        "OH": lambda: l_(2) + d(6),
        "NJ": lambda: rng.choice([l_(1) + d(14), f"{l_(1)}{d(4)} {d(5)} {d(5)}"]),
        "GA": lambda: d(9),
        "AZ": lambda: rng.choice([l_(1) + d(8), d(9)]),
        "MA": lambda: "S" + d(8),
        "CO": lambda: rng.choice([d(9), f"{d(2)}-{d(3)}-{d(4)}"]),
        "VA": lambda: l_(1) + d(8),
        "MD": lambda: rng.choice([l_(1) + d(12), f"{l_(1)}-{d(3)}-{d(3)}-{d(3)}-{d(3)}"]),
        "WI": lambda: rng.choice([l_(1) + d(13), f"{l_(1)}{d(3)}-{d(4)}-{d(4)}-{d(2)}"]),
        "MN": lambda: l_(1) + d(12),
        "NC": lambda: d(rng.randint(8, 12)),
        "IA": lambda: rng.choice([d(9), d(3) + l_(2) + d(4)]),
        "KS": lambda: "K" + d(8),
        "NH": lambda: d(2) + l_(3) + d(5),
        "ND": lambda: l_(3) + d(6),
        "MO": lambda: l_(1) + d(rng.randint(6, 9)),
    }
    return forms[state]()


DL_STATES = ("CA", "NY", "TX", "FL", "IL", "PA", "WA", "MI", "OH", "NJ", "GA", "AZ", "MA",
             "CO", "VA", "MD", "WI", "MN", "NC", "IA", "KS", "NH", "ND", "MO")


def driver_license(rng: random.Random, state: str | None = None) -> tuple[str, str]:
    state = state or rng.choice(DL_STATES)
    return _dl_format(rng, state), state
