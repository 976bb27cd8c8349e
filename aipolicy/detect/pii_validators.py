"""Validation logic for personal-data candidates: the code half of the recognizers.

Patterns live in ``rulesets/pii.yaml``; a recognizer names one validator here. A
validator sees the matched text and returns ``None`` to reject it or a ``Verdict``
that may replace the pattern's score or shorten the match (an IBAN followed by other
characters). Validators are built once per detector; those that need state (the
public-suffix table) own it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import ipaddress
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
import tldextract


@dataclass(frozen=True)
class Verdict:
    """An accepted candidate. ``score`` replaces the pattern score; ``length`` trims."""

    score: float | None = None
    length: int | None = None


ACCEPT = Verdict()
Validator = Callable[[str], Verdict | None]

# Option kinds a validator may declare; the rules loader checks YAML values against them.
OPTION_KINDS = ("number", "string_list", "int_mapping", "iin_ranges", "bban_formats")


@dataclass(frozen=True)
class ValidatorKind:
    options: Mapping[str, str]  # option name -> one of OPTION_KINDS
    build: Callable[[Mapping[str, Any]], Validator]
    trims: bool = False  # may return a Verdict with a length (the finding ends earlier)


_NON_DIGIT = re.compile(r"\D")


def _digits(value: str) -> str:
    return _NON_DIGIT.sub("", value)


# Every run of ASCII digits counting up (or down) by one, wrapping after 9, of up to 20
# digits is a slice of one of these.
_UP_RUNS = "0123456789" * 3
_DOWN_RUNS = "9876543210" * 3


def _trivial(digits: str) -> bool:
    """All one digit, or a run like 123456789 / 987654321 (wrapping: 7890123)."""
    if len(set(digits)) == 1:
        return True
    if digits.isascii() and len(digits) <= 20:
        return digits in _UP_RUNS or digits in _DOWN_RUNS
    steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:], strict=False)}
    return steps in ({1}, {9})


# --------------------------------------------------------------------------- checksums
def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@dataclass(frozen=True)
class IinRange:
    """Card numbers whose first digits lie in ``low``..``high`` (equal widths) and whose
    length is within ``lengths``: one scheme's issuer identification numbers."""

    low: int
    high: int
    width: int
    min_length: int
    max_length: int

    def holds(self, digits: str) -> bool:
        return (self.min_length <= len(digits) <= self.max_length
                and self.low <= int(digits[:self.width]) <= self.high)


_IIN_RANGE = re.compile(r"(\d{1,6})(?:-(\d{1,6}))?:(\d{2})(?:-(\d{2}))?")


def parse_iin_range(text: str) -> IinRange | None:
    """``"2221-2720:16"``, ``"4:13-19"`` -> an IinRange; None if malformed."""
    m = _IIN_RANGE.fullmatch(text.strip())
    if not m:
        return None
    low, high = m.group(1), m.group(2) or m.group(1)
    if len(low) != len(high) or int(low) > int(high):
        return None
    shortest, longest = int(m.group(3)), int(m.group(4) or m.group(3))
    if not 12 <= shortest <= longest <= 19:
        return None
    return IinRange(int(low), int(high), len(low), shortest, longest)


def _build_luhn(options: Mapping[str, Any]) -> Validator:
    weak_score = float(options.get("weak_score", 0.3))
    ranges: tuple[IinRange, ...] = tuple(options.get("iin_ranges", ()))

    def validate(value: str) -> Verdict | None:
        digits = _digits(value)
        if not 12 <= len(digits) <= 19 or _trivial(digits) or not luhn_ok(digits):
            return None
        # A number no card scheme issues at this length (19-digit nanosecond timestamps,
        # 13-digit epoch milliseconds) passes Luhn one time in ten by chance: it needs a
        # card word nearby. Without a range table, a 12-digit number or a prefix no
        # network uses is weak.
        if ranges:
            known = any(r.holds(digits) for r in ranges)
        else:
            known = not (len(digits) == 12 or (len(digits) == 13 and digits[0] == "1")
                         or digits[0] not in "123456")
        return ACCEPT if known else Verdict(score=weak_score)

    return validate


def _build_us_ssn(options: Mapping[str, Any]) -> Validator:
    samples = frozenset(options.get("never_issued", ("123456789", "078051120", "219099999")))

    def validate(value: str) -> Verdict | None:
        digits = _digits(value)
        if len(digits) != 9 or digits in samples:
            return None
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
            return None
        return None if _trivial(digits) else ACCEPT

    return validate


def iban_checksum_ok(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


# A BBAN format as the IBAN registry writes it, without its "!": parts of a count and a
# kind (n digits, a letters, c letters or digits), "8n10n" for Germany.
BBAN_FORMAT = re.compile(r"(?:\d{1,2}[nac])+")
_BBAN_PART = re.compile(r"(\d{1,2})([nac])")
_BBAN_CLASS = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}


def bban_regex(fmt: str) -> re.Pattern[str]:
    """The upper-case BBAN a format such as "4a6n8n" describes."""
    return re.compile("".join(f"{_BBAN_CLASS[kind]}{{{count}}}"
                              for count, kind in _BBAN_PART.findall(fmt)))


def bban_length(fmt: str) -> int:
    return sum(int(count) for count, _ in _BBAN_PART.findall(fmt))


def _build_iban(options: Mapping[str, Any]) -> Validator:
    # country -> (IBAN length, BBAN pattern)
    formats = {country: (4 + bban_length(fmt), bban_regex(fmt))
               for country, fmt in (options.get("bban") or {}).items()}

    def validate(value: str) -> Verdict | None:
        known = formats.get(value[:2].upper())
        if known is None:
            return None
        expected, bban = known
        # Take exactly the country's length of characters, skipping separators: text
        # after the IBAN ("... 00 2 days", "... 00 COBADEFF") is cut off instead of
        # failing the check.
        kept, end = [], 0
        for pos, ch in enumerate(value):
            if ch.isalnum():
                kept.append(ch)
                if len(kept) == expected:
                    end = pos + 1
                    break
        # ... but it must end where a group ends: a longer token ("DE89...0001234",
        # a UUID's dashed groups) is not an IBAN
        if len(kept) < expected or value[end:end + 1].isalnum():
            return None
        compact = "".join(kept).upper()
        # check digits 02-98 (00, 01 and 99 are never issued), the country's BBAN
        # structure, then ISO 7064 mod 97-10
        if not compact.isascii() or not compact[2:4].isdigit() or not (
                2 <= int(compact[2:4]) <= 98) or not bban.fullmatch(compact, 4):
            return None
        if not iban_checksum_ok(compact):
            return None
        return Verdict(length=end)

    return validate


# --------------------------------------------------------------------------- network
_ZERO_PADDED = re.compile(r"(?<![0-9])0+([0-9])")
def _build_ip(options: Mapping[str, Any]) -> Validator:
    non_public = float(options.get("non_public_score", 0.3))

    def validate(value: str) -> Verdict | None:
        colons = value.count(":")
        # Shapes refused before parsing: times ("12:00:00"), "a::b" forms (almost always
        # something else) and eight-group addresses whose groups are not all there
        if colons and (colons < 3 or (colons != 7 and "::" not in value
                                      and "." not in value)):
            return None
        if not colons:
            # zero-padded octets as some logs write them ("010.001.020.003"); the
            # ipaddress module refuses them (they could be read as octal)
            value = _ZERO_PADDED.sub(r"\1", value)
        try:
            addr = ipaddress.ip_address(value)
        except ValueError:
            return None
        if addr.version == 6 and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped  # "::ffff:81.2.69.160": judged as the IPv4 address
        if addr.is_loopback or addr.is_unspecified or addr.is_multicast:
            return None
        if addr.version == 6 and addr.is_reserved and colons == 7 and not addr.is_link_local:
            return ACCEPT  # eight hex groups: an address by shape, whatever the range
        if addr.is_reserved:
            return None  # 240.0.0.0/4: netmasks like 255.255.255.0
        if addr.is_private or addr.is_link_local or not addr.is_global:
            return Verdict(score=non_public)
        return ACCEPT

    return validate


_DOMAIN_MEMO = 4096  # domain verdicts kept per validator; the memo starts over when full


_ROLE_TAIL = re.compile(r"[+].*|[-_.]?\d+$")


def _role_part(local: str) -> str:
    """The role word of a local part: "noreply+abc" -> "noreply", "support2" -> "support"."""
    return _ROLE_TAIL.sub("", local.lower())


def _build_email(options: Mapping[str, Any]) -> Validator:
    # The bundled Public Suffix List snapshot only: no URLs, no cache directory, so
    # nothing is ever fetched or written (an air-gapped proxy must not reach out).
    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    extractor("warm.example.com")  # load the snapshot now, not on the first request
    reserved = tuple(d.lower() for d in options.get("reserved_domains", ()))
    reserved_score = float(options.get("reserved_score", 0.3))
    # A mailbox of a role or a machine, not of a person: "noreply@", "support@", and any
    # address at a domain that only hands out such (users.noreply.github.com).
    roles = frozenset(w.lower() for w in options.get("role_local_parts", ()))
    bots = tuple(d.lower() for d in options.get("role_domains", ()))

    def domain_verdict(domain: str) -> Verdict | None:
        if any(domain == r or domain.endswith("." + r) for r in reserved + bots):
            return Verdict(score=reserved_score)
        parts = extractor(domain)
        if not parts.suffix or not parts.domain:
            return None
        return ACCEPT

    # A text names few domains, many times: each is looked up once. The memo is keyed by
    # a keyed hash (a domain can name a person), as the segment and NER caches are.
    hash_key = os.urandom(32)
    known: dict[bytes, Verdict | None] = {}

    def validate(value: str) -> Verdict | None:
        local, _, domain = value.rpartition("@")
        domain = domain.lower()
        if roles and _role_part(local) in roles:
            return Verdict(score=reserved_score)
        digest = hashlib.blake2b(domain.encode("utf-8", "surrogatepass"), key=hash_key,
                                 digest_size=16).digest()
        if digest in known:
            return known[digest]
        verdict = domain_verdict(domain)
        if len(known) >= _DOMAIN_MEMO:
            known.clear()
        known[digest] = verdict
        return verdict

    return validate


# --------------------------------------------------------------------------- phones
_DATE_SHAPES = re.compile(
    r"(?:19|20)\d\d[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:19|20)\d\d"
)
_IPV4_SHAPE = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")


def _looks_like_date_or_ip(value: str) -> bool:
    return bool(_DATE_SHAPES.fullmatch(value) or _IPV4_SHAPE.fullmatch(value))


def _build_phone(options: Mapping[str, Any]) -> Validator:
    regions = tuple(options.get("regions", ("US",)))

    def validate(value: str) -> Verdict | None:
        if _looks_like_date_or_ip(value):
            return None
        for region in (None, *regions) if value.startswith("+") else regions:
            try:
                number = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_possible_number(number):
                return ACCEPT
        return None

    return validate


def _build_phone_loose(options: Mapping[str, Any]) -> Validator:
    min_digits = int(options.get("min_digits", 6))
    max_digits = int(options.get("max_digits", 15))

    def validate(value: str) -> Verdict | None:
        digits = _digits(value)
        if not min_digits <= len(digits) <= max_digits or _trivial(digits):
            return None
        if _looks_like_date_or_ip(value):
            return None
        return ACCEPT

    return validate


# "20260303": a date written without separators, not a phone number
_COMPACT_DATE = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
_EXTENSION = re.compile(r"(?i)\s*\(?(?:ext\.?|x)\s*\d{1,5}\)?$")
_TRUNK_IN_BRACKETS = re.compile(r"\(0\)\s*")


def _build_phone_national(options: Mapping[str, Any]) -> Validator:
    """A number that is a valid number of a country's plan (phonenumbers), not merely
    one of the right length: the region is the one its +code or 00 prefix names, else
    the first of ``regions`` (tried in order) whose plan holds it, trunk prefix and all.
    For numbers that carry no label: a signature's bare line, "Jane Roe (0171 1234567)"."""
    regions = tuple(options.get("regions", ("US",)))
    min_digits = int(options.get("min_digits", 8))

    def validate(value: str) -> Verdict | None:
        core = _EXTENSION.sub("", value)
        digits = _digits(core)
        if (len(digits) < min_digits or _trivial(digits) or _looks_like_date_or_ip(core)
                or _COMPACT_DATE.fullmatch(digits)):
            return None
        core = _TRUNK_IN_BRACKETS.sub("", core)  # "+44 (0)20 ..." -> "+44 20 ..."
        if core.startswith("00"):
            core = "+" + core[2:]
        for region in (None,) if core.startswith("+") else regions:
            try:
                number = phonenumbers.parse(core, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return ACCEPT
        return None

    return validate


def _build_digits_not_trivial(options: Mapping[str, Any]) -> Validator:
    def validate(value: str) -> Verdict | None:
        digits = _digits(value)
        if len(digits) >= 4 and _trivial(digits):
            return None
        return ACCEPT

    return validate


# --------------------------------------------------------------------------- dates
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_NUMS = re.compile(r"\d+")
_ISO_TIME = re.compile(r"(?<=\A\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
                       r"(?:Z|[+-]\d{2}:?\d{2})?\Z")
_LETTERS = re.compile(r"[^\W\d_]+")


def fold_accents(word: str) -> str:
    """Lower case without accents: "Février" -> "fevrier", "März" -> "marz"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _real_date(year: int, month: int, day: int, earliest: int) -> bool:
    if year < 100:  # two-digit year: any century works for a calendar check
        year += 1900 if year > 30 else 2000
    if not earliest <= year <= _dt.date.today().year:
        return False
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _build_birth_date(options: Mapping[str, Any]) -> Validator:
    earliest = int(options.get("earliest_year", 1900))
    # month words (any language, without accents) -> month number; English
    # three-letter prefixes when the ruleset gives none
    months: Mapping[str, int] = {fold_accents(k): v for k, v in
                                 (options.get("months") or _MONTHS).items()}

    def month_of(value: str) -> int | None:
        for m in _LETTERS.finditer(value):
            word = fold_accents(m.group()).rstrip(".")
            if word in months:
                return months[word]
            if len(word) >= 3 and word[:3] in months:
                return months[word[:3]]
        return None

    def validate(value: str) -> Verdict | None:
        value = _ISO_TIME.sub("", value)  # 1979-07-27T00:00:00Z: the date is what counts
        texts = _NUMS.findall(value)
        nums = [int(n) for n in texts]
        if any(ch.isalpha() for ch in value):
            month = month_of(value)
            if month is None or len(nums) != 2:
                return None
            day, year = nums
            return ACCEPT if _real_date(year, month, day, earliest) else None
        if len(texts) == 1 and len(texts[0]) == 8:  # 19790727
            text = texts[0]
            nums = [int(text[:4]), int(text[4:6]), int(text[6:])]
            texts = [text[:4], text[4:6], text[6:]]
        if len(nums) != 3:
            return None
        a, b, c = nums
        if len(texts[0]) == 4:  # ISO: year first
            return ACCEPT if _real_date(a, b, c, earliest) else None
        ok = _real_date(c, a, b, earliest) or _real_date(c, b, a, earliest)
        return ACCEPT if ok else None

    return validate


# --------------------------------------------------------------------------- documents
_GROUP_SPLIT = re.compile(r"[ -]")


def _build_licence_number(options: Mapping[str, Any]) -> Validator:
    """Driver's licence and similar document numbers: letters and digits in one to six
    groups (``A123-4567-8901``, ``S 912 958 848 711``, ``WDLTFCFTE3R3``). Every group after
    the first holds a digit; the first is a short letter prefix or holds a digit, so
    words ("Class C", "Expired 2024") are refused; ``min_chars`` letters and digits at
    least (a row id, "42", is no licence)."""
    min_digits = int(options.get("min_digits", 1))
    min_chars = int(options.get("min_chars", 1))

    def validate(value: str) -> Verdict | None:
        groups = [g for g in _GROUP_SPLIT.split(value) if g]
        if not groups or len(groups) > 6 or sum(len(g) for g in groups) < min_chars:
            return None
        first = groups[0]
        if not (any(ch.isdigit() for ch in first) or (first.isalpha() and len(first) <= 3)
                or (len(groups) == 1 and len(first) >= 9)):
            return None
        if any(not any(ch.isdigit() for ch in g) for g in groups[1:]):
            return None
        digits = _digits(value)
        if len(digits) < min_digits or (len(digits) >= 4 and _trivial(digits)):
            return None
        return ACCEPT

    return validate


_ADDRESS_NOT = re.compile(r"[@=<>{}\[\]|\\]|://|\b(?:null|none|n/a|tbd|unknown)\b", re.I)
_ADDRESS_WORD = re.compile(r"[^\W\d_]{2,}")


def _build_address_value(options: Mapping[str, Any]) -> Validator:
    """A value under an address column or label: words and, unless ``need_digit`` is 0,
    a house number or postcode; not an e-mail, a URL, code or a placeholder."""
    need_digit = bool(options.get("need_digit", 1))
    max_words = int(options.get("max_words", 16))

    def validate(value: str) -> Verdict | None:
        if _ADDRESS_NOT.search(value) or not value[:1].isalnum():
            return None
        words = _ADDRESS_WORD.findall(value)
        if not words or len(value.split()) > max_words:
            return None
        if need_digit and not any(ch.isdigit() for ch in value):
            return None
        if not any(w[0].isupper() for w in words):
            return None  # "see below", "same as billing"
        return ACCEPT

    return validate


# --------------------------------------------------------------------------- streets
def _first_upper(word: str) -> bool:
    for ch in word:
        if ch.isalpha():
            return ch.isupper()
    return True


def _build_capitalized_words(options: Mapping[str, Any]) -> Validator:
    """Number-first streets: the words between house number and suffix are names."""
    connectors = frozenset(w.lower() for w in options.get("connectors", ()))
    reject = frozenset(w.lower() for w in options.get("reject_words", ()))

    def validate(value: str) -> Verdict | None:
        words = [w for w in value.replace(",", " ").split() if not any(c.isdigit() for c in w)]
        names = words[:-1]  # the last non-numeric word is the suffix
        if not names:
            return None
        for word in names:
            low = word.lower().strip(".")
            if low in reject:
                return None
            if not _first_upper(word) and low not in connectors:
                return None
        return ACCEPT

    return validate


def _build_address_words(options: Mapping[str, Any]) -> Validator:
    """Free-form addresses after a phrase ("lives at ..."): proper names, not counts."""
    connectors = frozenset(w.lower() for w in options.get("connectors", ()))
    reject = frozenset(w.lower() for w in options.get("reject_words", ()))

    def validate(value: str) -> Verdict | None:
        words = [w for w in value.replace(",", " ").split() if not any(c.isdigit() for c in w)]
        if not words:
            return None
        for word in words:
            low = word.lower().rstrip(".")
            if low in reject or (not _first_upper(word) and low not in connectors):
                return None
        return ACCEPT

    return validate


def _build_street_name(options: Mapping[str, Any]) -> Validator:
    """Word-first streets: a proper name, and a house number that is not a year."""
    reject = frozenset(w.lower() for w in options.get("reject_words", ()))

    def validate(value: str) -> Verdict | None:
        tokens = value.split()
        leading_number = tokens[0].isdigit()
        words = [t for t in tokens if not t[0].isdigit()]
        if not words or not _first_upper(words[0]):
            return None
        if any(w.lower().strip(".") in reject for w in words):
            return None
        last = tokens[-1].rstrip(".")
        if not leading_number and len(last) == 4 and last[:2] in ("19", "20"):
            return None  # "Spring 2024", "Weg 2019": a year, not a house number
        return ACCEPT

    return validate


VALIDATORS: Mapping[str, ValidatorKind] = {
    "luhn": ValidatorKind({"weak_score": "number", "iin_ranges": "iin_ranges"}, _build_luhn),
    "us_ssn": ValidatorKind({"never_issued": "string_list"}, _build_us_ssn),
    "iban": ValidatorKind({"bban": "bban_formats"}, _build_iban, trims=True),
    "ip_address": ValidatorKind({"non_public_score": "number"}, _build_ip),
    "email": ValidatorKind(
        {"reserved_domains": "string_list", "reserved_score": "number",
         "role_local_parts": "string_list", "role_domains": "string_list"}, _build_email
    ),
    "phone": ValidatorKind({"regions": "string_list"}, _build_phone),
    "phone_national": ValidatorKind({"regions": "string_list", "min_digits": "number"},
                                    _build_phone_national),
    "phone_loose": ValidatorKind(
        {"min_digits": "number", "max_digits": "number"}, _build_phone_loose
    ),
    "digits_not_trivial": ValidatorKind({}, _build_digits_not_trivial),
    "birth_date": ValidatorKind({"earliest_year": "number", "months": "int_mapping"},
                                _build_birth_date),
    "licence_number": ValidatorKind({"min_digits": "number", "min_chars": "number"},
                                    _build_licence_number),
    "address_value": ValidatorKind({"need_digit": "number", "max_words": "number"},
                                   _build_address_value),
    "capitalized_words": ValidatorKind(
        {"connectors": "string_list", "reject_words": "string_list"}, _build_capitalized_words
    ),
    "street_name": ValidatorKind({"reject_words": "string_list"}, _build_street_name),
    "address_words": ValidatorKind(
        {"connectors": "string_list", "reject_words": "string_list"}, _build_address_words
    ),
}
