"""IBANs of every registry country and IP addresses in the forms exports write them."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from aipolicy.detect.pii import PiiDetector, PiiSettings
from aipolicy.detect.pii_rules import DEFAULT_PATTERNS_PATH, load_pii_rules
from aipolicy.errors import ConfigError
from tests.corpus.pii_iban_dev import BBAN, broken_iban, iban_length, make_iban


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector(PiiSettings())


def found(detector: PiiDetector, text: str, entity: str) -> list[str]:
    return [text[m.start:m.end] for m in detector.scan(text) if m.entity == entity]


def groups(compact: str, sep: str = " ") -> str:
    return sep.join(compact[i:i + 4] for i in range(0, len(compact), 4))


# --------------------------------------------------------------------------- IBAN
def test_registry_of_the_rules_covers_every_country_with_its_length() -> None:
    rules = load_pii_rules()
    spec = next(r for r in rules.recognizers if r.id == "iban")
    formats = spec.validator_options["bban"]
    assert set(BBAN) <= set(formats)  # "NO" is a string key, HN is there
    from aipolicy.detect.pii_validators import bban_length
    for country in BBAN:
        assert 4 + bban_length(formats[country]) == iban_length(country), country


@pytest.mark.parametrize("country", sorted(BBAN))
def test_every_registry_country_compact_and_grouped(detector: PiiDetector,
                                                    country: str) -> None:
    r = random.Random(country)
    compact = make_iban(r, country)
    assert found(detector, f"IBAN {compact}.", "IBAN_CODE") == [compact]
    spaced = groups(make_iban(r, country))
    assert found(detector, f"pay to {spaced} today", "IBAN_CODE") == [spaced]


@pytest.mark.parametrize("value", [
    "DE89 3704 0044 0532 0130 00", "DE89-3704-0044-0532-0130-00",
    "DE89.3704.0044.0532.0130.00", "DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000",
    "DE89\u202f3704\u202f0044\u202f0532\u202f0130\u202f00",
    "FR76 30006 00001 12345678901 89",  # grouped as the national parts
    "FR7630006000011234567890189", "SM86 U032 2509 8000 0000 0270 100",
    "NO93 8601 1117 947", "GB82WEST12345698765432", "HN88CABF00000000000250005469",
])
@pytest.mark.parametrize("template", [
    "{v}", "IBAN {v}", "IBAN: {v}", "IBAN:{v}", "'{v}'", '"{v}"', "{v},", "{v};",
    "{v} (EUR)", "{v} COBADEFFXXX", '{{"iban": "{v}"}}', "INSERT INTO t VALUES ('{v}');",
    "| {v} |", "Bitte auf {v} überweisen", "iban\n{v}\n",
])
def test_upper_case_forms_in_any_wrapping(detector: PiiDetector, value: str,
                                          template: str) -> None:
    text = template.format(v=value)
    assert found(detector, text, "IBAN_CODE") == [value], text


@pytest.mark.parametrize("text,value", [
    ("my iban is gb82west12345698765432", "gb82west12345698765432"),
    ("IBAN: de89 3704 0044 0532 0130 00", "de89 3704 0044 0532 0130 00"),
    ("Konto Gb82 West 1234 5698 7654 32", "Gb82 West 1234 5698 7654 32"),
    ("merci de virer sur le compte fr76 3000 6000 0112 3456 7890 189",
     "fr76 3000 6000 0112 3456 7890 189"),
    ("Lastschrift von de89370400440532013000 zurück", "de89370400440532013000"),
])
def test_lower_and_mixed_case_with_a_bank_word(detector: PiiDetector, text: str,
                                              value: str) -> None:
    assert found(detector, text, "IBAN_CODE") == [value]


@pytest.mark.parametrize("header", ["iban", "IBAN-Nr.", "Kontonummer", "RIB", "cuenta",
                                   "payee_iban", "account_iban", "Bankverbindung",
                                   "Bank details", "coordonnées bancaires"])
def test_lower_case_under_an_iban_header(detector: PiiDetector, header: str) -> None:
    rows = ["gb82west12345698765432", "de89 3704 0044 0532 0130 00"]
    text = f"id;{header};amount\n" + "".join(f"{i};{v};12.50\n" for i, v in enumerate(rows))
    assert found(detector, text, "IBAN_CODE") == rows


def test_weak_account_header_counts_in_a_personal_table(detector: PiiDetector) -> None:
    text = ("email,compte\njane.roe@example.org,gb82west12345698765432\n"
            "a.b@example.org,de89370400440532013000\n")
    assert found(detector, text, "IBAN_CODE") == ["gb82west12345698765432",
                                                 "de89370400440532013000"]


@pytest.mark.parametrize("text", [
    "My IBAN is GB82WEST12345698765433",  # check digits wrong
    "ref DE89 3704 0044 0532 0130 0A",  # a letter where Germany has digits
    "DE89370400440532013000123",  # longer than a German IBAN
    "GB82WEST1234569876543",  # shorter
    "order id CF12AB34-5678-4ABC-9DEF-0123456789AB",  # a UUID
    "commit de82d5b1c8e0f2a4b6c8d0e2f4a6b8c0d2e4f6a8",  # a hash
    "BIC COBADEFFXXX and DEUTDEFF500",
    "Invoice INV-2024-000123, order ORD-2024-004711",
    "de89370400440532013000",  # lower case without a bank word: could be anything
])
def test_iban_shaped_things_that_are_not(detector: PiiDetector, text: str) -> None:
    assert found(detector, text, "IBAN_CODE") == []


@pytest.mark.parametrize("check", ["00", "01", "99"])
def test_check_digits_never_issued(detector: PiiDetector, check: str) -> None:
    # a valid mod-97 sum is impossible with these digits only for most bodies; build one
    # by searching a body that passes with the given digits
    r = random.Random(check)
    for _ in range(20000):
        body = "".join(r.choice("0123456789") for _ in range(18))
        compact = f"DE{check}{body}"
        number = int("".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4]))
        if number % 97 == 1:
            break
    else:
        pytest.skip("no body found")
    assert found(detector, f"IBAN {compact}", "IBAN_CODE") == []


def test_broken_checksums_under_other_headers_are_not_ibans(detector: PiiDetector) -> None:
    r = random.Random(5)
    rows = [broken_iban(r, c) for c in ("DE", "FR", "GB", "NL", "IT", "ES")]
    text = "reference,status\n" + "".join(f"{v},open\n" for v in rows)
    assert found(detector, text, "IBAN_CODE") == []


def test_a_yaml_key_read_as_boolean_is_an_error(tmp_path: Path) -> None:
    src = Path(DEFAULT_PATTERNS_PATH)
    text = src.read_text(encoding="utf-8")
    assert '"NO": 4n6n1n' in text
    (tmp_path / src.name).write_text(text.replace('"NO": 4n6n1n', "NO: 4n6n1n"),
                                     encoding="utf-8")
    for other in src.parent.iterdir():  # the files it names (pii_fields.yaml, lexicon)
        if other.name != src.name and other.is_file():
            shutil.copy(other, tmp_path / other.name)
    with pytest.raises(ConfigError, match="quote it"):
        load_pii_rules(tmp_path / src.name)


@pytest.mark.parametrize("bad,message", [("4x6n", "not a BBAN format"),
                                         ("3n", "15 to 34"), (18, "not a BBAN format")])
def test_bad_bban_formats_are_named(tmp_path: Path, bad: object, message: str) -> None:
    src = Path(DEFAULT_PATTERNS_PATH)
    text = src.read_text(encoding="utf-8").replace('"DE": 8n10n', f'"DE": {bad}')
    (tmp_path / src.name).write_text(text, encoding="utf-8")
    for other in src.parent.iterdir():
        if other.name != src.name and other.is_file():
            shutil.copy(other, tmp_path / other.name)
    with pytest.raises(ConfigError, match=message):
        load_pii_rules(tmp_path / src.name)


# --------------------------------------------------------------------------- IP
@pytest.mark.parametrize("text,value", [
    ("client 41.176.181.243 refused", "41.176.181.243"),
    ("listen 41.176.181.243:8080", "41.176.181.243"),
    ("allow 41.176.181.0/24", "41.176.181.0"),
    ("client 041.176.081.003 refused", "041.176.081.003"),
    ("client 2a00:1450:4001:82b::200e connected", "2a00:1450:4001:82b::200e"),
    ("peer 2a00:1450:4001:082b:0000:0000:0000:200e", "2a00:1450:4001:082b:0000:0000:0000:200e"),
    ("peer 2A00:1450:4001:82B::200E", "2A00:1450:4001:82B::200E"),
    ("src 2a00:1450:4001:82b::200e%eth0 dropped", "2a00:1450:4001:82b::200e%eth0"),
    ("remote [2a00:1450:4001:82b::200e]:443", "2a00:1450:4001:82b::200e"),
    ("from ::ffff:81.2.69.160 via proxy", "::ffff:81.2.69.160"),
])
def test_ip_forms(detector: PiiDetector, text: str, value: str) -> None:
    assert found(detector, text, "IP_ADDRESS") == [value]


@pytest.mark.parametrize("header", ["ip", "client_ip", "src_ip", "remote_addr", "IP-Adresse",
                                    "dirección IP", "last_login_ip", "X-Forwarded-For"])
def test_ip_columns(detector: PiiDetector, header: str) -> None:
    text = (f"user,{header},status\nlena,81.2.69.160,ok\njulien,088.254.100.095:443,failed\n"
            "lucia,::ffff:81.2.69.161,ok\n")
    assert found(detector, text, "IP_ADDRESS") == ["81.2.69.160", "088.254.100.095",
                                                   "::ffff:81.2.69.161"]


@pytest.mark.parametrize("text", ["Login: 81.2.69.160", "user,login\nlena,81.2.69.160\n"])
def test_ip_under_a_login_key_is_still_an_ip(detector: PiiDetector, text: str) -> None:
    # "login" says when or how someone logged in, not that a dotted quad is something else
    assert found(detector, text, "IP_ADDRESS") == ["81.2.69.160"]


@pytest.mark.parametrize("text", [
    "oid\tname\n1.3.6.1.4.1.9.9.13\tcpu\n2.5.4.3\tcn\n",
    "component,version\nfirmware,4.2.1.7\nagent,2.25.6.165\n",
    '[{"build": "3.4.5.58", "oid": "2.5.4.3"}]',
    "the OID 2.5.4.3 names commonName; snmpget 1.3.6.1.2.1.1.1.0",
    "Version: 4.2.1.7",
    "created_at,event\n2024-03-01T10:00:01Z,login\n",
    "gateway mac 00:1A:2B:3C:4D:5E, uptime 12:30:45",
    "mapped ::ffff:10.0.0.1 is private",
])
def test_not_ip_addresses(detector: PiiDetector, text: str) -> None:
    assert found(detector, text, "IP_ADDRESS") == []
