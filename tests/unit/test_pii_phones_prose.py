"""Phone numbers and names in workplace prose: mail signatures, quoted replies, HR and
meeting notes, chats. Every bypass found while building the recognizers is a case here."""

from __future__ import annotations

import pytest

from aipolicy.detect.pii import PiiDetector, PiiSettings
from aipolicy.detect.pii_validators import VALIDATORS


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector(PiiSettings(thresholds={"PERSON": 0.6}))


def found(detector: PiiDetector, text: str, entity: str) -> list[str]:
    return [text[m.start:m.end] for m in detector.scan(text) if m.entity == entity]


# --------------------------------------------------------------------------- labels
@pytest.mark.parametrize(("text", "value"), [
    ("Handy 0171 4302776", "0171 4302776"),
    ("> Mobil: 0221 55530-76", "0221 55530-76"),
    ("Durchwahl | 030 43157968", "030 43157968"),
    ("T: 089/2193212", "089/2193212"),
    ("Main: 0171 / 7477337", "0171 / 7477337"),
    ("Mobil | (0171) 5407428", "(0171) 5407428"),
    ("Tél : 04.48.23.90.27", "04.48.23.90.27"),
    ("Portable | 06 77 97 27 89", "06 77 97 27 89"),
    ("Ligne directe: 07 77 74 23 79", "07 77 74 23 79"),
    ("Fixe: 04 92 45 00 67", "04 92 45 00 67"),
    ("Móvil | 919-350-786", "919-350-786"),
    ("Telf. | 937510523", "937510523"),
    ("Tfno. 918-921-148", "918-921-148"),
    ("Fijo | 918034282", "918034282"),
    ("W: 84455 33116", "84455 33116"),
    ("Direct: 67175589", "67175589"),
    ("Móvil 0034 969-379-124", "0034 969-379-124"),
])
def test_labels_of_many_languages(detector: PiiDetector, text: str, value: str) -> None:
    assert found(detector, text, "PHONE_NUMBER") == [value]


# --------------------------------------------------------------------------- phrases
@pytest.mark.parametrize(("text", "value"), [
    ("New hire: Bhavna Karnik, starts Monday; emergency contact her husband Raj on "
     "07700 900123.", "07700 900123"),
    ("Emergency contact: Zainab Kapoor (mother), 097419 89563", "097419 89563"),
    ("Notfallkontakt: Clément Kaminski, 0151 531245-30", "0151 531245-30"),
    ("His wife Zofia called in from (069) 90334264 this morning.", "(069) 90334264"),
    ("If it's urgent, 84609-84500 is my direct line.", "84609-84500"),
    ("Ruf mich gern an: 08259772252 (after 2pm).", "08259772252"),
    ("Joignable au 0131 373 9010.", "0131 373 9010"),
    ("Rappelle-moi au (0171) 3886905.", "(0171) 3886905"),
    ("Llámame al (21) 97422-7746.", "(21) 97422-7746"),
    ("I'm on (21) 96961-2262", "(21) 96961-2262"),
    ("[10:02] Jane Doe: text me at 1-303-488-0238", "1-303-488-0238"),
    ("my number is 040/6219163 after lunch", "040/6219163"),
])
def test_numbers_in_sentences(detector: PiiDetector, text: str, value: str) -> None:
    assert value in found(detector, text, "PHONE_NUMBER")


# --------------------------------------------------------------------------- no label
@pytest.mark.parametrize(("text", "value"), [
    ("Thanks,\nManon Menard\nContoso Ltd\n06 12 34 56 78\n", "06 12 34 56 78"),
    ("Best,\nTom\n\nOn Tue, 3 Mar 2026 at 10:14, Jane Doe <jane@acme.com> wrote:\n"
     "> Hi\n> — Jane\n> 0573531064\n", "0573531064"),
    ("-- \nAna Ruiz\nTailspin Toys S.L.\n629434644\n", "629434644"),
    ("Regards, Li Chen\nProject Lead | Adatum SAS | 06 86 24 39 10 | 06 79 09 09 71\n",
     "06 79 09 09 71"),
    ("Saludos,\nTom\n>> (020) 7991 2911\n", "(020) 7991 2911"),
    ("Cheers,\nJo Baker\n+44 (0)20 7946 0958\n", "+44 (0)20 7946 0958"),
    ("Regards,\nJo\n0049 69 36665132\n", "0049 69 36665132"),
    ("Best\n- Raj\n85927 36775 x5433\n", "85927 36775"),
])
def test_bare_signature_lines(detector: PiiDetector, text: str, value: str) -> None:
    assert any(value in v for v in found(detector, text, "PHONE_NUMBER"))


@pytest.mark.parametrize(("text", "value"), [
    ("Zofia Esposito (788 311 244)", "788 311 244"),
    ("> Ana Thibault (07 98 90 89 33)", "07 98 90 89 33"),
    ("Xavier Rasmussen (m 07 40 67 93 18)", "07 40 67 93 18"),
    ("Hiroshi Rasmussen (m | 621-697-088)", "621-697-088"),
    ("Nandini Ekwueme (m: 0049 69 36665132)", "0049 69 36665132"),
    ("- Zainab → send the deck to Tom Ekwueme ((11) 92539-7727)", "(11) 92539-7727"),
])
def test_number_in_brackets_after_a_name(detector: PiiDetector, text: str, value: str
                                         ) -> None:
    assert found(detector, text, "PHONE_NUMBER") == [value]


# --------------------------------------------------------------------------- negatives
@pytest.mark.parametrize("text", [
    "Reminder: quarterly review 10:30–11:00, room 4.12. Conference ID: 123 456 789#\n",
    "Meeting ID: 345 678 912 345\nPasscode: 481516\nMake this invite shorter.",
    "Thanks,\nThe Logistics Team\n\nOrder 4411-2201 shipped on 3.3.2026.\n",
    "Regards,\nIT Service Desk\n\nTicket INC0048213, build 60248, v9.10.4\n",
    "Registered in England No. 04512873. VAT GB 123 4567 89.",
    "Cheers\n20260303\n",
    "Best,\nops\n4500012345 | shipped | 3 pallets\n",
    "Sales grew (1 234 567 units) in 2025.",
    "Invoice (4500012345) is due.",
    "Please reference PO 123-4567-89 and quote ref. 1234 5678 on the delivery note.",
    "Our office moves in 2027; the new site (postcode SW1A 1AA) has 240 desks.",
    "Version 10.0.19045.3570 fixed the bug introduced on 3 March 2025.",
])
def test_hard_negatives_stay_clean(detector: PiiDetector, text: str) -> None:
    assert found(detector, text, "PHONE_NUMBER") == []


def test_national_validator_needs_a_real_plan() -> None:
    validate = VALIDATORS["phone_national"].build({"regions": ["US", "GB", "DE", "FR"],
                                                   "min_digits": 8})
    assert validate("0171 1234567") is not None       # DE mobile with trunk 0
    assert validate("+44 (0)20 7946 0958") is not None  # "(0)" dropped, region from +44
    assert validate("0033 6 12 34 56 78") is not None  # 00 as +
    assert validate("415.555.0132") is not None
    for bad in ("123 456 789", "2024-01-15", "20260303", "11111111", "1234 5678"):
        assert validate(bad) is None, bad


# --------------------------------------------------------------------------- names
@pytest.mark.parametrize(("text", "name"), [
    ("Cc: Abernathy, Imogen [mailto:imogen.abernathy@web.de]\nSubject: x",
     "Abernathy, Imogen"),
    ("From: Sandoval, Bhavesh <bhaveshs@tailspin.es>\nTo: x", "Sandoval, Bhavesh"),
    ('From: "Doe, Jane" <jd@acme.com>', "Doe, Jane"),
    ("An: Lucinda Abernathy [mailto:lucinda_abernathy@fabrikam.de]", "Lucinda Abernathy"),
])
def test_exchange_display_names(detector: PiiDetector, text: str, name: str) -> None:
    assert name in found(detector, text, "PERSON")


def test_two_recipients_stay_two_names(detector: PiiDetector) -> None:
    text = "To: Jane Roe <j@acme.com>, Bob Li <bob@acme.com>"
    assert found(detector, text, "PERSON") == ["Jane Roe", "Bob Li"]
