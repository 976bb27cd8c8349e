"""Structure as context: headers, keys and labels type the values under them; formats
as the world writes them; structured text without personal data stays untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipolicy.detect.pii import PiiDetector, PiiMatch, PiiSettings
from aipolicy.detect.pii_rules import DEFAULT_PATTERNS_PATH, load_pii_rules
from aipolicy.detect.structure import Lines, StructureFinder
from aipolicy.errors import ConfigError
from tests.corpus.pii_layouts import large_csv


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector(PiiSettings())


def found(matches: list[PiiMatch], text: str) -> set[tuple[str, str]]:
    return {(m.entity, text[m.start:m.end]) for m in matches}


def entities(detector: PiiDetector, text: str) -> set[tuple[str, str]]:
    return found(detector.scan(text), text)


# --------------------------------------------------------------------------- keys
@pytest.mark.parametrize(("key", "entity"), [
    ("ssn", "US_SSN"), ("SSN#", "US_SSN"), ("customer_ssn", "US_SSN"),
    ("socialSecurityNumber", "US_SSN"), ("Social Security No.", "US_SSN"),
    ("dob", "DATE_OF_BIRTH"), ("dateOfBirth", "DATE_OF_BIRTH"), ("Geburtsdatum", "DATE_OF_BIRTH"),
    ("Date de naissance", "DATE_OF_BIRTH"), ("fecha_de_nacimiento", "DATE_OF_BIRTH"),
    ("passport_no", "PASSPORT"), ("Reisepassnummer", "PASSPORT"), ("N° de passeport", "PASSPORT"),
    ("dl_number", "US_DRIVER_LICENSE"), ("DRIVER'S_LICENSE_#", "US_DRIVER_LICENSE"),
    ("Führerscheinnummer", "US_DRIVER_LICENSE"), ("card", "CREDIT_CARD"), ("PAN", "CREDIT_CARD"),
    ("cc_number", "CREDIT_CARD"), ("Numéro de carte", "CREDIT_CARD"), ("address", "STREET_ADDRESS"),
    ("Straße", "STREET_ADDRESS"), ("rue", "STREET_ADDRESS"), ("calle", "STREET_ADDRESS"),
    ("first_name", "PERSON"), ("Nachname", "PERSON"), ("prénom", "PERSON"), ("nombre", "PERSON"),
    ("E-Mail", "EMAIL_ADDRESS"), ("Téléphone", "PHONE_NUMBER"), ("tel", "PHONE_NUMBER"),
    ("iban", "IBAN_CODE"), ("\ufeffssn", "US_SSN"),
])
def test_keys_name_entities(detector: PiiDetector, key: str, entity: str) -> None:
    cls = detector._fields.classify(key)
    assert cls is not None and cls.entity == entity, (key, cls)


@pytest.mark.parametrize("key", [
    "timeUnixNano", "startTimeUnixNano", "order_id", "orderId", "createdAt", "card_last4",
    "customer_id", "trackingNumber", "ean", "passport_expiry", "dl_state", "phone_verified",
    "last_login", "epoch_ms", "build_number",
])
def test_keys_that_name_something_else(detector: PiiDetector, key: str) -> None:
    cls = detector._fields.classify(key)
    assert cls is not None and cls.negative, (key, cls)


@pytest.mark.parametrize("key", ["file_name", "hostname", "username", "company_name",
                                 "mac_address", "product", "notes", "price"])
def test_keys_without_personal_values(detector: PiiDetector, key: str) -> None:
    cls = detector._fields.classify(key)
    assert cls is None or cls.entity is None, (key, cls)


# --------------------------------------------------------------------------- layouts
SSN, SSN2 = "078051121", "460899847"  # valid, weak alone: nine bare digits


@pytest.mark.parametrize("text", [
    f"ssn,name\n{SSN},Manon Menard\n{SSN2},Bhavna Karnik\n",
    f'"SSN";"Name"\r\n"{SSN}";"Manon Menard"\r\n"{SSN2}";"Bhavna Karnik"\r\n',
    f"id\tssn\tnotes\n1\t{SSN}\tcall back\n2\t{SSN2}\t\n",
    f"| Name | SSN |\n|---|---|\n| Manon Menard | {SSN} |\n| Bhavna Karnik | {SSN2} |\n",
    f"+----+-----------+\n| id | ssn       |\n+----+-----------+\n| 1  | {SSN} |\n"
    f"| 2  | {SSN2} |\n+----+-----------+\n",
    f" id | ssn\n----+-----------\n  1 | {SSN}\n  2 | {SSN2}\n(2 rows)\n",
    f"INSERT INTO staff (id, full_name, ssn) VALUES (1, 'Manon Menard', {SSN}), "
    f"(2, 'Bhavna Karnik', '{SSN2}');",
    f"CREATE TABLE staff (\n  id INT PRIMARY KEY,\n  ssn CHAR(9) NOT NULL,\n  name TEXT\n);\n"
    f"INSERT INTO staff VALUES (1, '{SSN}', 'Manon Menard');\n"
    f"INSERT INTO staff VALUES (2, '{SSN2}', 'Bhavna Karnik');",
    f"COPY public.staff (id, ssn, full_name) FROM stdin;\n1\t{SSN}\tManon Menard\n"
    f"2\t{SSN2}\tBhavna Karnik\n\\.\n",
    f'[{{"id": 1, "ssn": "{SSN}"}}, {{"id": 2, "socialSecurityNumber": {SSN2}}}]',
    f"staff:\n  - name: Manon Menard\n    ssn: \"{SSN}\"\n  - name: Bhavna Karnik\n"
    f"    ssn: {SSN2}\n",
    f"EMPLOYEE_SSN={SSN}\nMANAGER_SSN='{SSN2}'\n",
    f"[employee]\nssn = {SSN}\n[manager]\nssn = {SSN2}\n",
    f"<employee><ssn>{SSN}</ssn></employee><employee><ssn>{SSN2}</ssn></employee>",
    f"Name: Manon Menard, SSN: {SSN} | Manager: Bhavna Karnik; SS#: {SSN2}",
    f"**SSN:** {SSN}\n* **Social Security No.**: {SSN2}\n",
    f"SSN ........ {SSN}\nSocial security number - {SSN2}\n",
    f"update staff set ssn = '{SSN}' where id = 1;\nupdate staff set ssn='{SSN2}' where id = 2;",
    f"field,employee 1,employee 2\nname,Manon Menard,Bhavna Karnik\nssn,{SSN},{SSN2}\n",
    f"Name          Manon Menard\nSSN           {SSN}\n\nName          Bhavna Karnik\n"
    f"SSN           {SSN2}\n",
    f"{{'ssn': '{SSN}', 'name': 'Manon Menard'}}\n{{'ssn': '{SSN2}'}}",
    f"Here is the export:\nname,ssn\nManon Menard,'{SSN}\nBhavna Karnik,{SSN2}\n",
    f"Taxpayer ID: {SSN}\nTIN: {SSN2}\n",
])
def test_a_key_types_bare_digits_in_every_layout(detector: PiiDetector, text: str) -> None:
    got = entities(detector, text)
    assert ("US_SSN", SSN) in got and ("US_SSN", SSN2) in got, got


def test_form_lines_with_commas_are_not_a_table(detector: PiiDetector) -> None:
    text = ("Address: 219C Baker Street, York YO1 7HH\n"
            "Notes: laptop ordered, badge pending.\n")
    assert ("STREET_ADDRESS", "219C Baker Street, York YO1 7HH") in entities(detector, text)
    assert not any("laptop" in v for _, v in entities(detector, text))


def test_bare_digits_without_a_key_stay_weak(detector: PiiDetector) -> None:
    text = f"build {SSN} and build {SSN2} passed"
    assert not any(e == "US_SSN" for e, _ in entities(detector, text))


@pytest.mark.parametrize(("text", "entity", "value"), [
    ("dob,name\n1979-07-27,Manon Menard\n", "DATE_OF_BIRTH", "1979-07-27"),
    ("Geburtsdatum;Name\n15. Februar 1946;Jörg Weiß\n", "DATE_OF_BIRTH", "15. Februar 1946"),
    ('{"dateDeNaissance": "15 février 1946"}', "DATE_OF_BIRTH", "15 février 1946"),
    ("passport_no,name\nC03005988,Manon Menard\n", "PASSPORT", "C03005988"),
    ("Reisepass: C01X00T47\n", "PASSPORT", "C01X00T47"),
    ("dl_number,state\nA123-456-78-901-0,FL\n", "US_DRIVER_LICENSE", "A123-456-78-901-0"),
    ("Driver's License #: S 912 958 848 711", "US_DRIVER_LICENSE", "S 912 958 848 711"),
    ("card\n3530 1113 3330 0000\n", "CREDIT_CARD", "3530 1113 3330 0000"),
    ("pan;holder\n2223.0000.4841.0010;Jane Roe\n", "CREDIT_CARD", "2223.0000.4841.0010"),
    ("Anschrift: Unter den Linden 77, 10117 Berlin", "STREET_ADDRESS",
     "Unter den Linden 77, 10117 Berlin"),
    ("calle,ciudad\nC/ de Alcalá 42,Madrid\n", "STREET_ADDRESS", "C/ de Alcalá 42"),
    ("BEGIN:VCARD\nVERSION:3.0\nN:Menard;Manon;;;\nFN:Manon Menard\n"
     "ADR;TYPE=home:;;12 rue de la Paix;Paris;;75002;FR\nBDAY:1979-07-27\nEND:VCARD\n",
     "STREET_ADDRESS", "12 rue de la Paix"),
    ("BEGIN:VCARD\nFN:Manon Menard\nBDAY:19790727\nEND:VCARD\n", "DATE_OF_BIRTH", "19790727"),
    ("Attendees:\n- Manon Menard\n- Bhavna Karnik\n\nAgenda: budget", "PERSON", "Bhavna Karnik"),
])
def test_keys_type_values_of_every_kind(detector: PiiDetector, text: str, entity: str,
                                        value: str) -> None:
    assert (entity, value) in entities(detector, text)


def test_a_weak_key_needs_a_personal_record(detector: PiiDetector) -> None:
    assert entities(detector, "name,price\nEspresso,2.50\nFlat White,3.40\n") == set()
    assert entities(detector, "service:\n  name: Billing Service\n  port: 8080\n") == set()
    text = "name,email\nManon Menard,manon@acme-corp.com\n"
    assert ("PERSON", "Manon Menard") in entities(detector, text)
    assert ("PERSON", "Manon Menard") in entities(detector, "Name: Manon Menard")


def test_structure_is_found_once_per_large_csv(detector: PiiDetector) -> None:
    text, rows = large_csv(5, 200_000)
    got = detector.scan(text)
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    start = len(text.rstrip("\n")) - len(last)
    ssn = last.split(",")[5].strip('"')
    assert rows > 1000
    assert any(m.entity == "US_SSN" and m.start >= start and text[m.start:m.end] == ssn
               for m in got), "the header types the last row too"


# --------------------------------------------------------------------------- formats
@pytest.mark.parametrize("card", [
    "4111 1111 1111 1111", "5555-5555-5555-4444", "2223 0000 4841 0010",  # MC 2-series
    "3530111333300000", "3566 0020 2036 0505",  # JCB
    "3782 822463 10005", "3714-496353-98431",  # Amex 4-6-5
    "3056 930902 5904", "36227206271667",  # Diners 4-6-4
    "6011 1111 1111 1117", "6212 3456 7890 1234 569",  # Discover, UnionPay 19
    "6759 6498 2643 8453", "4111.1111.1111.1111",
])
def test_cards_of_every_scheme_and_grouping(detector: PiiDetector, card: str) -> None:
    text = f"Please charge {card} today."
    assert ("CREDIT_CARD", card) in entities(detector, text)


def test_cards_in_csv_rows_without_a_card_header(detector: PiiDetector) -> None:
    text = "id,holder,payment,amount\n42,Jane Roe,3530111333300000,12.50\n"
    assert ("CREDIT_CARD", "3530111333300000") in entities(detector, text)


@pytest.mark.parametrize(("text", "value"), [
    ("Date of birth: 09/10/1993", "09/10/1993"),
    ("DOB 1979-07-27", "1979-07-27"),
    ("born on 15 February 1946 in Leeds", "15 February 1946"),
    ("She was born February 13, 2005.", "February 13, 2005"),
    ("geboren am 15. Februar 1946", "15. Februar 1946"),
    ("Je suis née le 15 février 1946.", "15 février 1946"),
    ("Nací el 15 de febrero de 1946.", "15 de febrero de 1946"),
])
def test_dates_of_birth_with_a_label_or_phrase(detector: PiiDetector, text: str,
                                               value: str) -> None:
    assert ("DATE_OF_BIRTH", value) in entities(detector, text)


@pytest.mark.parametrize("text", [
    "The release date is 15 February 2024.", "Meeting on 09/10/2025 at noon",
    "Start date: 10 March 2025", "created_at: 1985-03-14",
])
def test_dates_without_a_birth_label_are_not_dates_of_birth(detector: PiiDetector,
                                                            text: str) -> None:
    assert not any(e == "DATE_OF_BIRTH" for e, _ in entities(detector, text))


@pytest.mark.parametrize(("text", "value"), [
    ("1600 Pennsylvania Avenue NW, Washington, DC 20500",
     "1600 Pennsylvania Avenue NW, Washington, DC 20500"),
    ("Linnea De Luca\n24B Queen's Drive\nOxford OX1 4BH\n", "24B Queen's Drive\nOxford OX1 4BH"),
    ("Aoife Doyle\nIm Winkel 70b\n80331 München\n", "Im Winkel 70b\n80331 München"),
    ("Schillerstr. 12\n10115 Berlin", "Schillerstr. 12\n10115 Berlin"),
    ("J'habite au 12 rue de la Paix, 75002 Paris", "12 rue de la Paix, 75002 Paris"),
    ("Jasper Jiménez\n113, boulevard Haussmann\n59000 LILLE\n",
     "113, boulevard Haussmann\n59000 LILLE"),
    ("Calle Mayor, 15, 3º B\n28013 Madrid", "Calle Mayor, 15"),
    ("Carmen Gallagher\n6959 Evergreen Rd #34\nScranton, PA 18503\n",
     "6959 Evergreen Rd #34\nScranton, PA 18503"),
])
def test_street_addresses_in_us_uk_german_french_spanish_forms(detector: PiiDetector,
                                                               text: str, value: str) -> None:
    assert ("STREET_ADDRESS", value) in entities(detector, text)


# --------------------------------------------------------------------------- names
@pytest.mark.parametrize(("text", "name"), [
    ("Can we move the review to Thursday?\n\nThanks, Manon Menard\n", "Manon Menard"),
    ("The vendor confirmed.\n\nBest -- Jörg Weiß\n", "Jörg Weiß"),
    ("New hire: Bhavna Karnik\nRole: Data Analyst\nStart: Monday\n", "Bhavna Karnik"),
    ("Attendees: Manon Menard, Jörg Weiß and Inés Quintero\nAgenda: budget\n", "Inés Quintero"),
    ("On Tue, 3 Jun 2025 at 10:22, Nkechi Jefferson <nkechi@acme-corp.com> wrote:\n> hi",
     "Nkechi Jefferson"),
    ("> Any update?\n>\n> Thanks,\n> Nkechi Jefferson\n", "Nkechi Jefferson"),
    ("first_name;last_name\nManon;Menard\n", "Menard"),
])
def test_names_in_signatures_notes_and_columns(detector: PiiDetector, text: str,
                                               name: str) -> None:
    assert ("PERSON", name) in entities(detector, text)


@pytest.mark.parametrize("text", [
    "Thanks, Claude! Now shorten it.",
    "Best regards,\nThe Platform Team\n",
    "| Country | Capital |\n|---|---|\n| France | Paris |\n| Japan | Tokyo |\n",
])
def test_closings_and_tables_without_people(detector: PiiDetector, text: str) -> None:
    assert not any(e == "PERSON" for e, _ in entities(detector, text))


# --------------------------------------------------------------------------- benign
OTLP = ('{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"tokens.used","sum":'
        '{"dataPoints":[{"startTimeUnixNano":"1738375668572272606","timeUnixNano":'
        '"1738375669470309139","asInt":"47682"},{"startTimeUnixNano":"1738375672726952220",'
        '"timeUnixNano":"1738375673091471991","asInt":"80965"}]}}]}]}]}')


@pytest.mark.parametrize("text", [
    OTLP,
    '[{"orderId": 4111111111111111, "createdAt": 1677821109628, "qty": 3},'
    ' {"id": 5555555555554444, "trackingNumber": "1Z9B25555902911590"}]',
    "order_id,ean,qty,created_at\n4111111111111111,4006381333931,2,1614484758101\n"
    "5555555555554444,4863313021971,1,1633430061835\n",
    "card_last4: 4242\ncard_id: 4111111111111111\n",
    "Co-Authored-By: Claude <noreply@anthropic.com>",
    "Bounces from no-reply@github.com and notifications@github.com; ask support@openai.com",
    "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>",
    'from openai import OpenAI\nclient = OpenAI(api_key="sk-xxxx")\n',
    "class PatientIntake(BaseModel):\n    first_name: str\n    ssn: str | None = None\n"
    "    date_of_birth: date\n",
    "CREATE TABLE patients (\n  id SERIAL PRIMARY KEY,\n  first_name TEXT,\n  ssn CHAR(9),\n"
    "  dob DATE\n);",
    "first_name,last_name,email,phone,ssn,dob\n",
    "Name: ____________\nDate of birth: MM/DD/YYYY\nSSN: XXX-XX-XXXX\n",
    "| ssn | ###-##-#### |\n| dob | YYYY-MM-DD |\n",
    "Release date: 2024-05-01\nVersion: 3.12.4\nBuild: 20240501\n",
    "ISBN 978-3-16-148410-0 and ISBN-13 9783161484100 are the same book",
    "Request 9f1c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b failed; "
    "sha 3f786850e387550fdab836ed7e6dc881de23001b",
])
def test_structured_hard_negatives_untouched(detector: PiiDetector, text: str) -> None:
    assert entities(detector, text) == set()


def test_code_identifiers_are_not_people(detector: PiiDetector) -> None:
    text = ('client = OpenAI(api_key="sk-xxxx")\nmodel = GoogleGenerativeAI(key)\n'
            "svc = UserService.create()\n# contact Manon Menard at manon@acme-corp.com\n")
    names = {v for e, v in entities(detector, text) if e == "PERSON"}
    assert names == {"Manon Menard"}


def test_a_renamed_column_does_not_hide_a_grouped_value(detector: PiiDetector) -> None:
    """A key that says "id" hides bare digits (timestamps, ids), not values written as
    cards or SSNs are written."""
    text = "customer_id,note\n4111 1111 1111 1111,x\n078-05-1121,y\n"
    got = entities(detector, text)
    assert ("CREDIT_CARD", "4111 1111 1111 1111") in got and ("US_SSN", "078-05-1121") in got


# --------------------------------------------------------------------------- data errors
def _fields_copy(tmp_path: Path, old: str, new: str) -> Path:
    rules = load_pii_rules()
    for name in (rules.lexicon.file.name,):
        (tmp_path / name).symlink_to(DEFAULT_PATTERNS_PATH.parent / name)
    (tmp_path / "pii.yaml").write_text(DEFAULT_PATTERNS_PATH.read_text(encoding="utf-8"),
                                       encoding="utf-8")
    source = (DEFAULT_PATTERNS_PATH.parent / "pii_fields.yaml").read_text(encoding="utf-8")
    assert old in source
    (tmp_path / "pii_fields.yaml").write_text(source.replace(old, new, 1), encoding="utf-8")
    return tmp_path / "pii.yaml"


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("  - entity: US_SSN\n    shape: ssn", "  - entity: US_SSM\n    shape: ssn",
     "fields[5].entity", "unknown entity"),
    ("    shape: passport\n", "    shape: pasport\n", "fields[7].shape", "unknown shape"),
    ("    validator: licence_number", "    validator: licence_numbr",
     "shapes.licence.validator", "did you mean"),
])
def test_field_file_errors_name_file_line_field(tmp_path: Path, old: str, new: str,
                                                field: str, message: str) -> None:
    path = _fields_copy(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load_pii_rules(path)
    problem = next(p for p in err.value.problems if p.field == field)
    assert problem.file == str(tmp_path / "pii_fields.yaml") and message in problem.message
    assert problem.line == _line(tmp_path / "pii_fields.yaml", new.strip().splitlines()[0])


@pytest.mark.parametrize(("old", "new", "field"), [
    ("      match: [ssn, SSN, social_security_number", "      match: [ssn, SSN, ssn_hash",
     "fields[5].examples.match"),
    ('      match: ["078051121", 460-89-9847', '      match: ["078051120", 460-89-9847',
     "shapes.ssn.examples"),
    ("    match: [timeUnixNano,", "    match: [first_name, timeUnixNano,",
     "not_values.examples.match"),
])
def test_field_examples_are_checked_when_the_detector_is_built(tmp_path: Path, old: str,
                                                                new: str, field: str) -> None:
    path = _fields_copy(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        PiiDetector(PiiSettings(person_mode="off"), path)
    assert any(p.field == field and p.line for p in err.value.problems), err.value


def test_recognizer_examples_are_checked_when_the_detector_is_built(tmp_path: Path) -> None:
    rules = load_pii_rules()
    for name in (rules.lexicon.file.name, "pii_fields.yaml"):
        (tmp_path / name).symlink_to(DEFAULT_PATTERNS_PATH.parent / name)
    text = DEFAULT_PATTERNS_PATH.read_text(encoding="utf-8")
    old = '- {text: "What is the limit for card 4454794511390933?", value: "4454794511390933"}'
    assert old in text
    (tmp_path / "pii.yaml").write_text(text.replace(old, old.replace("0933", "0934")),
                                       encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        PiiDetector(PiiSettings(person_mode="off"), tmp_path / "pii.yaml")
    assert "recognizers.credit-card.examples" in str(err.value)
    assert "4454794511390934" not in str(err.value)  # examples are named, not quoted


# --------------------------------------------------------------------------- finder
def test_every_key_pattern_runs_in_hyperscan(detector: PiiDetector) -> None:
    """A pattern Hyperscan refuses falls back to a whole-text search in Python: 100x the
    cost on every prompt. A longer vocabulary must not push one over the limit."""
    assert detector._fields._finder.fallbacks == frozenset()



def test_structure_finder_reports_only_classified_keys() -> None:
    finder: StructureFinder[str] = StructureFinder(
        lambda key: key.lower() if key.lower() in ("ssn", "email") else None,
        ["ssn", "email"], lambda prop: None)
    text = 'a,ssn,b\n1,"078,05",x\n2,3,y\n\n{"ssn": "1", "other": "2"}\nEmail: j@x.io\n'
    st = finder.find(text, Lines(text))
    got = [(f.kind, f.key_class, text[f.value_start:f.value_end]) for f in st.fields]
    assert got == [("table", "ssn", "078,05"), ("table", "ssn", "3"), ("kv", "ssn", "1"),
                   ("kv", "email", "j@x.io")]


def test_overlaps_are_settled_run_by_run_as_one_greedy_pass_would() -> None:
    """Findings are settled per run of overlapping spans (linear in their number for an
    export); the result equals one priority-ordered pass over all of them."""
    import bisect
    import random

    from aipolicy.detect.pii import NER_DETECTOR, _resolve_overlaps
    from aipolicy.detect.pii_recognizers import Candidate

    def one_pass(cands: list[Candidate]) -> list[Candidate]:
        by_type: dict[str, list[Candidate]] = {}
        for c in sorted(cands, key=lambda c: (c.entity, c.start, -c.end)):
            group = by_type.setdefault(c.entity, [])
            if group and c.start < group[-1].end:
                last = group[-1]
                best = last if last.score >= c.score else c
                group[-1] = Candidate(c.entity, last.start, max(last.end, c.end),
                                      max(last.score, c.score), best.detector)
            else:
                group.append(c)
        merged = sorted((c for g in by_type.values() for c in g), key=lambda c: (
            c.detector == NER_DETECTOR, -c.score, -(c.end - c.start), c.start))
        starts: list[int] = []
        kept: list[Candidate] = []
        for c in merged:
            i = bisect.bisect_left(starts, c.start)
            if (i and kept[i - 1].end > c.start) or (i < len(kept) and kept[i].start < c.end):
                continue
            starts.insert(i, c.start)
            kept.insert(i, c)
        return kept

    rng = random.Random(3)
    for _ in range(2000):
        cands = []
        for _ in range(rng.randint(0, 30)):
            start = rng.randint(0, 200)
            cands.append(Candidate(rng.choice("ABC"), start, start + rng.randint(1, 25),
                                   rng.choice([0.5, 0.6, 0.9, 0.95]),
                                   rng.choice(["x", NER_DETECTOR, "y"])))
        assert _resolve_overlaps(cands) == one_pass(cands)
