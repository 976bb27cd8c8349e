"""Column names, keys and labels as words: dates of birth, passports and driver's
licences typed by headers however they are spelled, in every table shape, with the
value formats of many countries; headers that name something else type nothing, and a
context word in another column's header does not make a value personal."""

from __future__ import annotations

import pytest

from aipolicy.detect.pii import PiiDetector, PiiMatch, PiiSettings
from aipolicy.detect.structure import Lines


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector(PiiSettings())


def found(detector: PiiDetector, text: str) -> set[tuple[str, str]]:
    matches: list[PiiMatch] = detector.scan(text)
    return {(m.entity, text[m.start:m.end]) for m in matches}


def typed(detector: PiiDetector, text: str, entity: str) -> set[str]:
    return {v for e, v in found(detector, text) if e == entity}


DOB, PASSPORT, DL = "DATE_OF_BIRTH", "PASSPORT", "US_DRIVER_LICENSE"


# --------------------------------------------------------------------------- keys
@pytest.mark.parametrize(("key", "entity"), [
    # abbreviations and their forms, every case style, prefixes, qualifiers, numbering
    ("bdate", DOB), ("BIRTH_DT", DOB), ("dt_of_birth", DOB), ("birth-day", DOB),
    ("dobDate", DOB), ("cust_dob", DOB), ("custdob", DOB), ("t.dob", DOB), ("dob_2", DOB),
    ("Date Birth", DOB), ("empBirthdate", DOB), ("c.dateofbirth", DOB), ("DOB", DOB),
    ("geb_datum", DOB), ("GEB_DAT", DOB), ("gebdatum", DOB), ("Geburts-Datum", DOB),
    ("Geb.", DOB), ("dt_naiss", DOB), ("date_nais", DOB), ("néLe", DOB),
    ("fecha_nac", DOB), ("FEC_NAC", DOB), ("fechanacimiento", DOB), ("F. Nac.", DOB),
    ("fnac", DOB),
    ("ppt_no", PASSPORT), ("PPT", PASSPORT), ("pptNum", PASSPORT), ("passport_num", PASSPORT),
    ("PassportNbr", PASSPORT), ("passports", PASSPORT), ("holderPassportNo", PASSPORT),
    ("holderpassportno", PASSPORT), ("passport_no_2", PASSPORT), ("pptno2", PASSPORT),
    ("travel_doc_no", PASSPORT), ("pass_nr", PASSPORT), ("reisepass_nr", PASSPORT),
    ("Reisepassnummer", PASSPORT), ("num_passeport", PASSPORT), ("N° passeport", PASSPORT),
    ("nro_pasaporte", PASSPORT), ("númeroDePasaporte", PASSPORT), ("passportno.", PASSPORT),
    ("dl_no", DL), ("DL_NBR", DL), ("dlnum", DL), ("driver_lic", DL), ("drv_lic_no", DL),
    ("licence_number", DL), ("LicenseNum", DL), ("lic_no", DL), ("driverslicnum", DL),
    ("driving_licence_no", DL), ("DL/ID #", DL), ("führerschein_nr", DL),
    ("fuehrerscheinnummer", DL), ("permis_conduire", DL), ("num_permis", DL),
    ("licencia_conducir", DL), ("CARNET_CONDUCIR", DL), ("permiso-conducir", DL),
])
def test_header_spellings_name_the_entity(detector: PiiDetector, key: str, entity: str) -> None:
    cls = detector._fields.classify(key)
    assert cls is not None and cls.entity == entity, (key, cls)


@pytest.mark.parametrize("key", [
    "created_at", "updated_on", "updatedon", "lastmodified", "expiry_date", "issue_date",
    "order_no", "invoice_number", "version", "id", "license_key", "license_type",
    "passport_expiry", "passport_issue_date", "passport_photo_url", "dl_state", "dl_class",
    "dl_issued", "birth_year", "dob_updated_at", "build_no", "serial_no",
])
def test_headers_that_say_what_else_a_value_is(detector: PiiDetector, key: str) -> None:
    cls = detector._fields.classify(key)
    assert cls is None or cls.entity is None, (key, cls)


@pytest.mark.parametrize("key", [
    # short words of the vocabulary inside ordinary words: no compound of them
    "strip", "export", "idle", "decode", "span", "CCCCCCCCCC", "headline",
    "passage", "bypass", "compass", "password", "salesperson", "remember", "clients",
    "spancard",
    "unassigned", "hire_date", "date", "release_date", "download_url", "timespan",
])
def test_ordinary_words_are_not_split_into_personal_keys(detector: PiiDetector,
                                                          key: str) -> None:
    cls = detector._fields.classify(key)
    assert cls is None or cls.entity not in (DOB, PASSPORT, DL, "CREDIT_CARD",
                                             "IP_ADDRESS", "STREET_ADDRESS"), (key, cls)
    assert cls is None or not (cls.entity == "PERSON" and not cls.weak), (key, cls)


def test_compound_splitting_is_linear_in_the_key(detector: PiiDetector) -> None:
    words = detector._fields.classify.words
    assert words.split("x" * 48) == ("x" * 48,)
    assert words.split("dob" * 16) == ("dob" * 16,)  # many short words: not a compound
    assert words.split("passportnumberpassport") == ("passport", "number", "passport")


# --------------------------------------------------------------------------- shapes
_ROWS = [("1979-07-27", "C01X00T47", "D8302741"),
         ("27.07.1979", "912803456", "WDLTFCFTE3R3"),
         ("07/27/1979", "A48273615", "S530-4621-7423-11"),
         ("15 February 1946", "YA4827361", "MORGA753116SM9IJ"),
         ("February 13, 2005", "12AB83561", "384 203 522"),
         ("13-Feb-2005", "PAA482736", "48273615Z"),
         ("19790727", "N4827361", "A123-456-78-901-0"),
         ("27/07/79", "NW5K2H8D4", "B072RRE2I55"),
         ("1979-07-27T00:00:00Z", "AB482736", "L1622 70260 09013")]


def _values(col: int) -> set[str]:
    return {row[col] for row in _ROWS}


def test_every_value_format_under_its_header_in_csv(detector: PiiDetector) -> None:
    text = "Here is the export:\n\nid,fname,bdate,ppt_no,dl_nbr,created_at\n" + "".join(
        f'{n},Ana,"{d}",{p},{lic},2024-0{1 + n % 9}-1{n % 9} 10:00:00\n'
        for n, (d, p, lic) in enumerate(_ROWS))
    assert typed(detector, text, DOB) == _values(0)
    assert typed(detector, text, PASSPORT) == _values(1)
    assert typed(detector, text, DL) == _values(2)


@pytest.mark.parametrize("cell", ["", "NULL", "N/A", "n/a", "-", "none", "unknown", "TBD",
                                  "pending", "expired", "see file", "42"])
def test_a_typed_column_refuses_cells_that_are_no_value(detector: PiiDetector,
                                                        cell: str) -> None:
    text = (f"name,dob,passport_no,dl_no\nAna Roe,{cell},{cell},{cell}\n"
            "Bo Lind,1979-07-27,C01X00T47,D8302741\n")
    got = found(detector, text)
    assert {(DOB, "1979-07-27"), (PASSPORT, "C01X00T47"), (DL, "D8302741")} <= got
    assert not {v for e, v in got if e in (DOB, PASSPORT, DL)} - {
        "1979-07-27", "C01X00T47", "D8302741"}


# --------------------------------------------------------------------------- table shapes
_SHAPES = {
    "tsv": "id\tdate_of_birth\tpassport_number\n1\t1979-07-27\t912803456\n2\t1980-01-02\t"
           "C01X00T47\n",
    "semicolon": "Name;Geb.-Datum;Reisepass-Nr.\nJörg Weiß;1979-07-27;C01X00T47\n"
                 "Ana Roe;1980-01-02;912803456\n",
    "titled": "Export: travellers (2024-03-01)\n\n\nID,DOB,Passport #\n1,1979-07-27,"
              "912803456\n2,1980-01-02,C01X00T47\n",
    "markdown": "| id | Date of Birth | Passport No. |\n|:---|:---:|---:|\n| 1 | 1979-07-27 | "
                "912803456 |\n| 2 | 1980-01-02 | C01X00T47 |\n",
    "ascii": "+----+------------+-----------+\n| id | dob        | ppt_no    |\n"
             "+====+============+===========+\n| 1  | 1979-07-27 | 912803456 |\n"
             "| 2  | 1980-01-02 | C01X00T47 |\n+----+------------+-----------+\n",
    "psql": "  id | birth_dt   |  ppt_num  | note\n----+------------+-----------+------\n"
            "  1 | 1979-07-27 | 912803456 | \n  2 | 1980-01-02 | C01X00T47 | ok\n(2 rows)\n",
    "sql-quoted": "INSERT INTO `hr`.`people` (`id`, `date of birth`, `t.passport_no`) VALUES "
                  "(1, '1979-07-27', '912803456'), (2, '1980-01-02', 'C01X00T47');\n",
    "sql-bracketed": "INSERT INTO [dbo].[people] ([Id], [Birth Date], [N° passeport]) VALUES "
                     "(1, '1979-07-27', '912803456');\nINSERT INTO [dbo].[people] ([Id], "
                     "[Birth Date], [N° passeport]) VALUES (2, '1980-01-02', 'C01X00T47');\n",
    "sql-create": 'CREATE TABLE "public"."people" (\n  "id" INT,\n  "birth-date" DATE,\n'
                  '  "ppt-no" VARCHAR(20)\n);\nINSERT INTO "public"."people" VALUES\n'
                  "  (1, '1979-07-27', '912803456'),\n  (2, '1980-01-02', 'C01X00T47');\n",
    "copy": "COPY public.people (id, dob_dt, passport_nr) FROM stdin;\n1\t1979-07-27\t"
            "912803456\n2\t1980-01-02\tC01X00T47\n\\.\n",
    "yaml": "people:\n  - id: 1\n    birthDate: 1979-07-27\n    pptNo: '912803456'\n"
            "  - id: 2\n    birthDate: \"1980-01-02\"\n    pptNo: C01X00T47\n",
    "json": '[{"id":1,"person":{"fecha_nac":"1979-07-27","num_pasaporte":"912803456"}},'
            '{"id":2,"person":{"fecha_nac":"1980-01-02","num_pasaporte":"C01X00T47"}}]',
}


@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_headers_type_columns_in_every_table_shape(detector: PiiDetector, shape: str) -> None:
    text = _SHAPES[shape]
    assert typed(detector, text, DOB) == {"1979-07-27", "1980-01-02"}, shape
    assert typed(detector, text, PASSPORT) == {"912803456", "C01X00T47"}, shape


def test_a_psql_row_ending_in_an_empty_cell_stays_in_its_table(detector: PiiDetector) -> None:
    text = (" passport_no | note\n-------------+------\n 912803456   | \n"
            " C01X00T47   | x\n 503912884   | \n")
    assert typed(detector, text, PASSPORT) == {"912803456", "C01X00T47", "503912884"}


# --------------------------------------------------------------------------- context
def test_another_columns_header_is_no_context(detector: PiiDetector) -> None:
    # nine digits beside "Passport Expiry", dates beside "Birthdate": their own columns
    # say what they are
    text = ("application no,passport expiry,start date,dl class,Birthdate\n"
            "234739141,2026-09-16,2008-05-20,C,1979-07-27\n"
            "667050014,2021-07-18,2011-03-02,B,1980-01-02\n")
    got = found(detector, text)
    assert {v for e, v in got if e in (PASSPORT, DL)} == set()
    assert typed(detector, text, DOB) == {"1979-07-27", "1980-01-02"}


def test_json_sibling_keys_are_no_context(detector: PiiDetector) -> None:
    text = ('[{"Application No": "728008764", "Passport Expiry": "05/11/2025", '
            '"Dl Class": "C"},\n {"Application No": "842614968", "Passport Expiry": '
            '"01/03/2019", "Dl Class": "CE"}]')
    assert {v for e, v in found(detector, text) if e in (PASSPORT, DL)} == set()


def test_a_context_word_in_the_values_own_row_still_counts(detector: PiiDetector) -> None:
    text = "document,number,status\npassport,912803456,valid\nid card,503912884,valid\n"
    assert typed(detector, text, PASSPORT) == {"912803456"}


def test_a_title_line_takes_no_context_from_the_header_below(detector: PiiDetector) -> None:
    text = "Export: travellers (2024-03-01)\n\nID,DOB,Passport #\n1,1979-07-27,912803456\n"
    assert typed(detector, text, DOB) == {"1979-07-27"}


def test_a_heading_above_a_label_is_context(detector: PiiDetector) -> None:
    assert typed(detector, "Passport\nNumber: 912803456\n", PASSPORT) == {"912803456"}


def test_context_in_prose_and_labels_still_counts(detector: PiiDetector) -> None:
    assert typed(detector, "My passport number is 912803456, thanks", PASSPORT) == {
        "912803456"}
    assert typed(detector, "Passport: C03005988\nExpiry: 2031-01-01", PASSPORT) == {
        "C03005988"}
    assert typed(detector, "DOB: 27.07.1979", DOB) == {"27.07.1979"}


def test_benign_tables_with_dates_and_numbers_stay_untouched(detector: PiiDetector) -> None:
    texts = [
        "order_no,invoice_number,created_at,ship_date,total\n123456789,INV2234567,"
        "2024-01-02 10:00:00,2024-01-05,19.99\n987654321,INV7654321,2024-02-02 11:00:00,"
        "2024-02-06,5.00\n",
        "| version | build_no | release_date | updated_on |\n|---|---|---|---|\n"
        "| 1.2.3 | 20240102 | 1999-07-27 | 27.07.1999 |\n| 1.2.4 | 20240109 | 2000-01-02 "
        "| 02.01.2000 |\n",
        "INSERT INTO licences (id, license_id, license_type, issue_date, expiry_date) VALUES "
        "(1, 'LIC-482913', 'site', '1999-07-27', '2031-07-27'), (2, 'LIC-582914', 'node', "
        "'2001-02-03', '2032-02-03');\n",
        "doc_type;issuing_country;issue_date;expiry_date;form_id\n"
        "passport;US;2019-02-02;05/03/2029;BR642436\ndriver license;FR;02.12.1999;"
        "2032-09-05;MD149980\n",
    ]
    for text in texts:
        assert detector.scan(text) == [], text


def test_regions_cover_cells_of_unclassified_columns(detector: PiiDetector) -> None:
    text = "id,dob,notes\n1,1979-07-27,passport\n"
    fields = detector._fields.find(text, Lines(text), None, [])
    unclassified = {text[s:e] for s, e, _, cls in fields.regions if cls is None}
    negative = {text[s:e] for s, e, _, cls in fields.regions if cls is not None and cls.negative}
    assert (unclassified, negative) == ({"passport"}, {"1"})


def test_a_signature_label_after_a_phone_label_keeps_its_number(detector: PiiDetector) -> None:
    # the key-as-context rule is for the entities of context_by_key; phone labels not in
    # the vocabulary ("Desk") still borrow "Mobile" above them
    text = "Idris Ibragimov\nMobile: 737 219 628\nDesk: 5403926876\n"
    assert "5403926876" in typed(detector, text, "PHONE_NUMBER")


@pytest.mark.parametrize("key", ["passport_or_id", "Passport or ID", "ID/Passport No.",
                                 "passport_no_or_national_id", "Reisepass oder ID"])
def test_a_column_of_one_thing_or_another_keeps_its_personal_side(detector: PiiDetector,
                                                                   key: str) -> None:
    # "id" qualifies the other side of "or" / "/", not the passport phrase
    text = f"name\t{key}\tcity\nAnna Berg\t518294716\tBerlin\nJohn Miles\tC01X00T47\tLeeds\n"
    assert typed(detector, text, PASSPORT) == {"518294716", "C01X00T47"}


@pytest.mark.parametrize("key", ["passport_hash_or_masked", "ssn_hash or masked",
                                 "passport expiry/ref"])
def test_alternatives_do_not_undo_a_qualifier_on_the_same_side(detector: PiiDetector,
                                                               key: str) -> None:
    text = f"user\t{key}\nanna\t518294716\njohn\t078051121\n"
    assert typed(detector, text, PASSPORT) == set() and typed(detector, text, "US_SSN") == set()
