"""Personal-data detection: spans, validators, the PERSON policy, cache, offline use."""

from __future__ import annotations

import random
import socket
import time
from pathlib import Path

import pytest

from aipolicy.detect.pii import PiiDetector, PiiMatch, PiiSettings
from aipolicy.detect.pii_names import NameFinder, NameLexicon, load_name_lexicon
from aipolicy.detect.pii_ner import load_spacy_model
from aipolicy.detect.pii_rules import DEFAULT_PATTERNS_PATH, load_pii_rules
from aipolicy.detect.pii_validators import VALIDATORS
from aipolicy.errors import ConfigError
from tests.corpus.pii_corpus import generate


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector(PiiSettings())


@pytest.fixture(scope="module")
def all_mode() -> PiiDetector:
    return PiiDetector(PiiSettings(person_mode="all"))


def found(matches: list[PiiMatch], text: str) -> set[tuple[str, str]]:
    return {(m.entity, text[m.start:m.end]) for m in matches}


# --------------------------------------------------------------------------- patterns
RULES = load_pii_rules()


@pytest.mark.parametrize("spec", RULES.recognizers, ids=lambda s: s.id)
def test_recognizer_examples(detector: PiiDetector, spec) -> None:
    """Every example in rulesets/pii.yaml: `match` values found exactly, `no_match` silent."""
    recognizers = detector._recognizers
    threshold = detector.settings.threshold(spec.entity)
    for example in spec.examples_match:
        hits = recognizers.analyze(example.text, only=[spec.id])
        values = {example.text[c.start:c.end] for c in hits if c.score >= threshold}
        assert example.value in values, f"{spec.id}: {example.text!r} -> {values}"
    for text in spec.examples_no_match:
        hits = [c for c in recognizers.analyze(text, only=[spec.id]) if c.score >= threshold]
        assert not hits, f"{spec.id}: {text!r} should not match"


@pytest.mark.parametrize(("text", "entity", "value"), [
    ("write to jane.roe@acme-corp.com today", "EMAIL_ADDRESS", "jane.roe@acme-corp.com"),
    ("call me at (415) 555-0123 tonight", "PHONE_NUMBER", "(415) 555-0123"),
    ("Mobile: +44 20 7946 0958", "PHONE_NUMBER", "+44 20 7946 0958"),
    ("card 4111 1111 1111 1111 exp 09/27", "CREDIT_CARD", "4111 1111 1111 1111"),
    ("my SSN is 219-09-9998", "US_SSN", "219-09-9998"),
    ("IBAN DE89 3704 0044 0532 0130 00 please", "IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
    ("login from 81.2.69.160 was blocked", "IP_ADDRESS", "81.2.69.160"),
    ("client 2a00:1450:4001:82b::200e", "IP_ADDRESS", "2a00:1450:4001:82b::200e"),
    ("passport number: X83920571", "PASSPORT", "X83920571"),
    ("driver's license D8302741", "US_DRIVER_LICENSE", "D8302741"),
    ("Date of birth: 14 March 1990", "DATE_OF_BIRTH", "14 March 1990"),
    ("I live at 12 Oak Street, Springfield, IL 62704", "STREET_ADDRESS",
     "12 Oak Street, Springfield, IL 62704"),
    ("send it to P.O. Box 287, Tallinn", "STREET_ADDRESS", "P.O. Box 287, Tallinn"),
])
def test_entity_span(detector: PiiDetector, text: str, entity: str, value: str) -> None:
    matches = detector.scan(text)
    assert (entity, value) in found(matches, text)
    m = next(m for m in matches if m.entity == entity)
    assert text[m.start:m.end] == value and 0.5 <= m.score <= 1.0 and m.detector


# --------------------------------------------------------------------------- validators
def _validator(name: str, **options):
    return VALIDATORS[name].build(options)


def test_luhn_rejects_bad_checksum() -> None:
    luhn = _validator("luhn")
    assert luhn("4111111111111111") is not None
    assert luhn("4111111111111112") is None
    assert luhn("0000000000000000") is None  # trivial run
    assert luhn("1699999999996").score == 0.3  # epoch-ms shape (passes Luhn): needs context


def test_iban_checks_country_structure_and_mod97() -> None:
    bban = RULES.recognizers[[r.id for r in RULES.recognizers].index("iban")] \
        .validator_options["bban"]
    iban = _validator("iban", bban=bban)
    assert iban("GB82WEST12345698765432") is not None
    assert iban("GB82WEST12345698765433") is None  # checksum
    assert iban("QQ82WEST12345698765432") is None  # no such country
    assert iban("GB82WEST1234569876543") is None  # too short
    assert iban("DE89370400440532013000 2").length == 22  # trailing text trimmed


def test_ssn_validity_rules() -> None:
    ssn = _validator("us_ssn")
    assert ssn("219-09-9998") is not None
    for bad in ("000-12-3456", "666-12-3456", "912-12-3456", "219-00-9998", "219-09-0000",
                "123-45-6789", "111-11-1111"):
        assert ssn(bad) is None, bad


def test_trivial_digit_runs_are_counting_runs_or_one_digit() -> None:
    from aipolicy.detect.pii_validators import _trivial

    def by_steps(d: str) -> bool:  # the definition: one digit, or every step +1 / -1 mod 10
        steps = {(int(b) - int(a)) % 10 for a, b in zip(d, d[1:], strict=False)}
        return len(set(d)) == 1 or steps in ({1}, {9})

    rng = random.Random(9)
    cases = {"".join(str((s + k * i) % 10) for i in range(n))
             for n in range(1, 22) for s in range(10) for k in (1, -1, 2)}
    cases |= {"".join(rng.choice("0123") for _ in range(rng.randint(1, 21)))
              for _ in range(5000)}
    cases |= {"\u0661\u0662\u0663", "\u0663\u0662\u0661\u0660\u0669", "12\u0663"}
    for digits in cases:
        assert _trivial(digits) == by_steps(digits), digits


def test_ip_classes() -> None:
    ip = _validator("ip_address", non_public_score=0.3)
    assert ip("81.2.69.160") is not None and ip("81.2.69.160").score is None
    assert ip("192.168.1.10").score == 0.3
    assert ip("127.0.0.1") is None and ip("255.255.255.0") is None and ip("::1") is None
    # times and short groups are refused before parsing; an IPv4 tail still parses
    assert ip("12:30:45") is None and ip("1:2:3:4:5") is None
    assert ip("0:0:0:0:0:ffff:5.6.7.8") == ip("::ffff:5.6.7.8")


def test_email_domain_memo_keeps_no_domain() -> None:
    email = _validator("email", reserved_domains=["example.com"], reserved_score=0.3)
    for _ in range(2):  # the second round is answered from the memo
        assert email("jane@jane-roe.net") is not None
        assert email("JANE@JANE-ROE.NET") == email("jane@jane-roe.net")
        assert email("a@b.invalidtld") is None
        assert email("ops@mail.example.com").score == 0.3
    memo = next(cell.cell_contents for cell in email.__closure__
                if isinstance(cell.cell_contents, dict))
    assert len(memo) == 3 and all(type(k) is bytes and b"roe" not in k for k in memo)


# --------------------------------------------------------------------------- negatives
@pytest.mark.parametrize("text", [
    "Request 550e8400-e29b-41d4-a716-446655440000 failed",
    "git cherry-pick 3f5e8c9a1b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f",
    "Windows version 10.0.19045.1 after the update",
    "upgrade to release 1.2.3.4 tonight",
    "Where is my order #4829105736? It was due last week.",
    "Order 4111111111111111 was refunded twice.",
    "Convert epoch 1700000000 and 1699999999999 ms to dates",
    "The release date is 2024-03-15 10:30:00",
    "Is $1,299.99 a fair price? Revenue was 8 336 817 EUR.",
    "nginx on 0.0.0.0:8443 but curl http://127.0.0.1:8080 times out; router 192.168.1.1",
    "Bind to ::1 and explain std::vector; MAC 00:1a:2b:3c:4d:5e",
    "jobs:\n  build:\n    steps:\n      - name: Checkout\n      - name: Run Tests\n",
    "name,price\nEspresso,2.50\nFlat White,3.40\n",
    "git clone git@github.com:org/repo.git and email user@example.com",
])
def test_hard_negatives_untouched(detector: PiiDetector, text: str) -> None:
    assert detector.scan(text) == []


# --------------------------------------------------------------------------- PERSON policy
FAMOUS = [
    "Write a short biography of Marie Curie.",
    "Compare Siemens and Samsung on revenue and market share.",
    "What did Einstein say about imagination?",
    "Summarise Angela Merkel's contributions to politics.",
    "Who influenced Ada Lovelace more, Charles Babbage or Mary Somerville?",
    "Hello Claude, write a poem in the style of Jane Austen.",
]


@pytest.mark.parametrize("text", FAMOUS)
def test_famous_names_untouched_in_contextual_mode(detector: PiiDetector, text: str) -> None:
    assert detector.scan(text) == []


def test_all_mode_reports_famous_names(all_mode: PiiDetector) -> None:
    text = "Write a short biography of Marie Curie."
    assert ("PERSON", "Marie Curie") in found(all_mode.scan(text), text)


def test_off_mode_reports_no_names() -> None:
    det = PiiDetector(PiiSettings(person_mode="off"))
    text = "My name is Jane Roe, mail jane.roe@acme-corp.com"
    assert found(det.scan(text), text) == {("EMAIL_ADDRESS", "jane.roe@acme-corp.com")}


@pytest.mark.parametrize(("text", "name"), [
    ("Can you make this friendlier?\n\nthe shipment arrived damaged.\n\nBest regards,\n"
     "Jane Roe\njane.roe@acme-corp.com\n", "Jane Roe"),
    ("first_name,last_name,email\nPriya,Sharma,priya.sharma@gmail.com\n"
     "Lars,Nielsen,lars@web.de\n", "Priya"),
    ("| Name | Email |\n|---|---|\n| Kenji Tanaka | kenji@globex.io |\n"
     "| Ana Silva | ana@globex.io |\n", "Kenji Tanaka"),
    ("My name is Rubija and I need help with my tax return.", "Rubija"),
    ("Ticket #4411: Login problem\nReporter: Paul Meyer (paul.meyer@web.de, +49 30 1234567)\n",
     "Paul Meyer"),
    ("From: Kim Lee <kim.lee@corp.com>\nTo: ops@corp.com\nSubject: access\n\nHi,\n", "Kim Lee"),
    ("Patient: Anna Kowalski\nDOB: 1985-03-14\nPhone: 0378 3549890\n", "Anna Kowalski"),
    ("Tomomi Nishiyama lives at 86036 Rua do Arenque 1634, Goiânia", "Tomomi Nishiyama"),
    ("Julieta S Almeida\n\nStaff specialist\n\nPhone:\n467 3395\n", "Julieta S Almeida"),
])
def test_person_in_records(detector: PiiDetector, text: str, name: str) -> None:
    assert ("PERSON", name) in found(detector.scan(text), text)


def test_name_field_on_config_line_is_not_a_person(detector: PiiDetector) -> None:
    text = "service:\n  name: Billing Service\n  port: 8080\n"
    assert detector.scan(text) == []


# --------------------------------------------------------------------------- NER economy
def test_no_ner_on_prompt_without_identifiers(detector: PiiDetector, model_batches) -> None:
    calls = model_batches(detector)
    detector.scan("Explain the difference between TCP and UDP, with Marie Curie as narrator.")
    assert calls == []


def test_cache_second_scan_does_not_call_model(detector: PiiDetector, model_batches) -> None:
    text = "Summarise: customer Oksana Petrova called from +1 415 555 0199 about a refund."
    calls = model_batches(detector)
    first = detector.scan(text)
    assert calls, "the first scan runs the model on the window"
    n = len(calls)
    assert detector.scan(text) == first
    assert len(calls) == n


def test_cache_holds_hashes_and_offsets_only(detector: PiiDetector) -> None:
    detector.scan("Call Oksana Petrova on +1 415 555 0199 please.")
    cache = detector._ner._cache
    assert cache
    for key, ents in cache.items():
        assert isinstance(key, bytes) and len(key) == 16
        for ent in ents:
            assert set(vars(ent)) == {"start", "end", "entity"}
    assert len(cache) <= RULES.ner.cache_entries


def test_scan_many_matches_scan(detector: PiiDetector) -> None:
    texts = ["Call Jane Roe on +1 415 555 0199.", "Write a haiku.",
             "IBAN GB82WEST12345698765432 for Lars Nielsen"]
    assert detector.scan_many(texts) == [detector.scan(t) for t in texts]


# --------------------------------------------------------------------------- offline
def test_no_network_during_build_and_analysis(monkeypatch, detector: PiiDetector) -> None:
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)  # recorded: a library may swallow the exception below
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    fresh = PiiDetector(PiiSettings(person_mode="off",
                                    entities=frozenset({"EMAIL_ADDRESS", "IP_ADDRESS"})))
    text = "Mail jane@mail.example.co.uk or admin@unknown-tld.zzzz from 81.2.69.160"
    assert found(fresh.scan(text), text) == {("EMAIL_ADDRESS", "jane@mail.example.co.uk"),
                                             ("IP_ADDRESS", "81.2.69.160")}
    detector.scan("From: Kim Lee <kim.lee@corp.com>\nCall +1 415 555 0199\n")
    assert attempts == []


def test_missing_model_fails_hard() -> None:
    with pytest.raises(ConfigError, match="not installed"):
        load_spacy_model("en_core_web_no_such_model")


# --------------------------------------------------------------------------- settings/config
def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        PiiSettings(person_mode="sometimes")
    with pytest.raises(ValueError):
        PiiSettings(thresholds={"PERSON": 1.5})
    with pytest.raises(ValueError, match="NOT_A_TYPE"):
        PiiDetector(PiiSettings(entities=frozenset({"NOT_A_TYPE"})))


def test_thresholds_per_entity(detector: PiiDetector) -> None:
    text = "the number (415) 555-0123 or mail jane@acme-corp.com"
    assert {e for e, _ in found(detector.scan(text), text)} == {"EMAIL_ADDRESS", "PHONE_NUMBER"}
    strict = PiiDetector(PiiSettings(person_mode="off", thresholds={"PHONE_NUMBER": 0.9}))
    assert {e for e, _ in found(strict.scan(text), text)} == {"EMAIL_ADDRESS"}


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PATTERNS_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "pii.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("validator: luhn", "validator: luhm", "recognizers[1].validator", "did you mean 'luhn'"),
    ("        score: 0.95", "        score: 1.95", "recognizers[0].patterns[0].score", "<= 1"),
    ("(?<![A-Za-z0-9])[A-Z]{2}\\d{2}", "(?<![A-Za-z0-9])([A-Z]{2}\\d{2}",
     "recognizers[3].patterns[0].regex", "invalid regular expression"),
    ("    context_required: true\n    context_before: 40",
     "    context_required: maybe\n    context_before: 40",
     "recognizers[11].context_required", "true or false"),
    ("{{street_suffix}}\\.?(?: ", "{{street_sufix}}\\.?(?: ",
     "recognizers[15].patterns[0].regex", "unknown term list"),
])
def test_pattern_file_errors_name_file_line_field(tmp_path: Path, old: str, new: str,
                                                  field: str, message: str) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load_pii_rules(path)
    problem = next(p for p in err.value.problems if p.field == field)
    assert problem.file == str(path)
    assert problem.line == _line_of(path, new.strip().splitlines()[0])
    assert message in problem.message
    assert f"{path}:{problem.line}: {field}: " in str(err.value)


# --------------------------------------------------------------------------- corpus
def test_generated_corpus_subset(detector: PiiDetector) -> None:
    corpus = generate(seed=11, n_records=120, n_benign=300)
    structured = ("EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS",
                  "PHONE_NUMBER")
    gold = {e: 0 for e in structured}
    hit = {e: 0 for e in structured}
    # (pasted HTML is read as it renders by the inspector's html view: test_markup.py)
    records = [s for s in corpus if not s.benign and not s.kind.startswith("html-")]
    benign = [s for s in corpus if s.benign]
    for sample, matches in zip(records, detector.scan_many([s.text for s in records]),
                               strict=True):
        for span in sample.spans:
            if span.entity in gold:
                gold[span.entity] += 1
                hit[span.entity] += any(m.entity == span.entity and m.start < span.end
                                        and span.start < m.end for m in matches)
    for entity in structured:
        assert gold[entity] >= 5, f"corpus subset too small for {entity}"
        assert hit[entity] / gold[entity] >= 0.97, (entity, hit[entity], gold[entity])
    touched = sum(bool(m) for m in detector.scan_many([s.text for s in benign]))
    assert touched / len(benign) <= 0.01, touched


# --------------------------------------------------------------------------- name lexicon
def _finder(given=(), surnames=(), words=()) -> NameFinder:
    """A finder over a tiny lexicon: the rules, independent of the shipped lists."""
    lexicon = NameLexicon(frozenset(given), frozenset(surnames), frozenset(words))
    return NameFinder(
        lexicon, stop_words=frozenset({"the", "dr", "name"}),
        lone_stop_words=frozenset({"june", "victoria"}),
        organisation_words=frozenset({"hospital", "orchestra", "inc"}),
        street_words=frozenset({"street", "road"}),
        street_prefix_words=frozenset({"rua", "santa"}),
        heading_words=frozenset({"of", "the"}), slot_before=("my son", "said"),
        slot_after=("shouted",), score=0.8, single_score=0.7, slot_score=0.7)


TINY = {"given": ("krisztián", "grace", "will", "june", "victoria", "maria", "barbara",
                  "joaquin", "sofia", "anna", "carla", "owens", "duran", "oneal"),
        "surnames": ("hopper", "lima", "suarez", "smith", "owens", "duran", "oneal"),
        "words": ("will", "grace", "station", "river", "salesperson", "month", "report", "and",
                  "then", "send", "it", "to", "please", "vitamin", "supplements", "take")}


@pytest.mark.parametrize(("text", "names"), [
    ("Krisztián Szöllösy listed his songs.", ["Krisztián Szöllösy"]),  # known + unknown
    ("by Krisztián J. Szöllösy, 2019", ["Krisztián J. Szöllösy"]),  # initial inside
    ("Ask Grace Hopper about it.", ["Grace Hopper"]),  # ambiguous given name + surname
    ("Krisztián is very reliable.", ["Krisztián"]),  # a lone, unambiguous given name
    ("Change it to Sofia Lima.", ["Sofia Lima"]),
    ("I told my son Tadzio twice.", ["Tadzio"]),  # a name slot
    ("Then Ubul shouted at us.", ["Ubul"]),
    ("Doe Smith signed.", ["Doe Smith"]),  # unknown word before a known surname
    ("Krisztián's report", ["Krisztián"]),  # possessive
    ("krisztián smith lives here", ["krisztián smith"]),  # lower-case text: both known
    ("Have you met Ravil G Yefimov?", ["Ravil G Yefimov"]),  # a middle initial
    ("They had 3: Anna, Efimiya and Carla.", ["Anna", "Efimiya", "Carla"]),  # a list
])
def test_lexicon_rules_find(text: str, names: list[str]) -> None:
    finder = _finder(**TINY)
    assert [text[n.start:n.end] for n in finder.find(text, 0, len(text))] == names


@pytest.mark.parametrize("text", [
    "Will you send the Station report?",  # ambiguous given name, common word after it
    "Meet at Victoria Station.",  # given name + common capitalised word
    "Victoria is lovely in June.",  # lone words that are places/months alone
    "She was treated at Maria Hospital.",  # organisation word after the name
    "The Barbara Street office is closed.",  # street word after the name
    "He lives at Joaquin Suarez 2906.",  # a street: house number after the name
    "It is in Rua Maria Lima 12.",  # street word before and number after
    "The conference is in Santa Barbara.",  # place prefix
    "Best Salesperson Of The Month: Krisztián Szöllösy",  # title case line
    "Upload the CAs and IDs.",  # acronyms
    "krisztián uploaded the report",  # lower case: a lone given name needs the model
    "Take Vitamin D Supplements daily.",
])
def test_lexicon_rules_reject(text: str) -> None:
    finder = _finder(**TINY)
    assert finder.find(text, 0, len(text)) == []


def test_lexicon_list_of_surnames_is_not_a_list_of_people() -> None:
    finder = _finder(**TINY)
    text = "Write to Owens, Duran and Oneal today."  # a firm: these are surnames too
    assert "list" not in {n.cue for n in finder.find(text, 0, len(text))}


def test_lexicon_model_labels_veto_weak_evidence_only() -> None:
    finder = _finder(**TINY)
    text = "Krisztián met Sofia Lima."
    place = [(0, 9), (14, 24)]  # the model called both a place
    assert [text[n.start:n.end] for n in finder.find(text, 0, len(text), place)] == [
        "Sofia Lima"]


def test_lexicon_checks_model_person_spans() -> None:
    finder = _finder(**TINY)
    text = "Awarded Salesperson of the Month; the Davis Orchestra; Glyn Road; Ubul Kovacs"
    spans = {w: (text.index(w), text.index(w) + len(w)) for w in (
        "Salesperson", "Davis Orchestra", "Glyn Road", "Ubul Kovacs")}
    assert {w for w, (s, e) in spans.items() if finder.plausible_person(text, s, e)} == {
        "Ubul Kovacs"}
    s, e = spans["Glyn Road"]
    assert finder.plausible_person(text, s, e, record=True)  # a card's head line


def test_lexicon_recase_keeps_offsets() -> None:
    finder = _finder(**TINY)
    text = "send it to krisztián szöllösy and grace, please"
    recased = finder.recase(text)
    assert recased == "send it to Krisztián Szöllösy and grace, please"
    assert len(recased) == len(text)


def test_shipped_lexicon_loads_quickly_and_is_sane() -> None:
    start = time.perf_counter()
    lexicon = load_name_lexicon(RULES.lexicon.file)
    assert time.perf_counter() - start < 5  # ~0.1 s; generous for a loaded CI machine
    assert {"krisztián", "tünde", "sofia", "jouni"} <= lexicon.given
    assert {"hoffmann", "lima", "tanaka"} <= lexicon.surnames
    assert {"station", "the", "discipline"} <= lexicon.words
    assert lexicon.kind("will") == "g" and lexicon.kind("tünde") == "G"


def test_lexicon_file_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text("# header\n[given]\nanna bert\nCarl\n[surname]\nroe\n[word]\nthe\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_name_lexicon(path)
    assert err.value.problems[0].line == 4 and str(path) in str(err.value)
    path.write_text("[given]\nanna\n[nicknames]\nann\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown section"):
        load_name_lexicon(path)


def test_missing_lexicon_file_is_a_config_error(tmp_path: Path) -> None:
    path = _broken(tmp_path, "  file: person_names.txt", "  file: no_such_names.txt")
    with pytest.raises(ConfigError) as err:
        load_pii_rules(path)
    problem = next(p for p in err.value.problems if p.field == "person_lexicon.file")
    assert problem.line == _line_of(path, "no_such_names.txt")


@pytest.mark.parametrize(("text", "name"), [
    ("A great song (not by Elínborg Guðmundsdóttir).", "Elínborg Guðmundsdóttir"),
    ("The name on the account is wrong, please change it to Sofia Lima.", "Sofia Lima"),
    ("I want to add Tünde Hoffmann as a beneficiary to my account.", "Tünde Hoffmann"),
    ("I would like to remove my kid Tadzio from the will.", "Tadzio"),
    ("eva kleist lives at 255 hersnapvej 18, københavn k", "eva kleist"),
    ("You can tell Jouni was a huge Jouni Hahli fan.", "Jouni"),
])
def test_all_mode_finds_names_the_model_misses(all_mode: PiiDetector, text: str,
                                               name: str) -> None:
    assert ("PERSON", name) in found(all_mode.scan(text), text)


@pytest.mark.parametrize("text", [
    "Meet me at Victoria Station at noon.",
    "We hiked along the Jordan River last spring.",
    "The conference is in Santa Barbara this year.",
    "He lives on the north side of Joaquin Suarez 2906.",
    "Guilty Pleasures: 5 Musicians Of The 70s You Forgot",
    "Awarded Salesperson of the Month three times.",
    "The Davis Orchestra was founded in 1977.",
    "She was treated at Maria Hospital.",
    "Upload the CAs and the IDs to the server.",
    "The deadline is June 2024 and the kickoff is on Monday.",
])
def test_all_mode_leaves_non_names(all_mode: PiiDetector, text: str) -> None:
    assert [m for m in all_mode.scan(text) if m.entity == "PERSON"] == []


@pytest.mark.parametrize(("text", "name"), [
    ("Please ship it to Tünde Hoffmann, 12 Oak Street, Springfield, IL 62704.",
     "Tünde Hoffmann"),  # the model calls the name a place; the lexicon overrules it
    ("leone mazzi\nnurse\nphone: 0393 1144137\ne-mail: leonemazzi@rhyta.com\n",
     "leone mazzi"),  # an all-lower-case contact card
])
def test_contextual_records_use_the_lexicon(detector: PiiDetector, text: str,
                                            name: str) -> None:
    assert ("PERSON", name) in found(detector.scan(text), text)


def test_contextual_mode_ignores_lexicon_names_outside_records(detector: PiiDetector) -> None:
    for text in ("Write a short biography of Krisztián Szöllösy.",
                 "I would like to remove my kid Tadzio from the will.",
                 "Sofia Lima and Tünde Hoffmann wrote the best song of 2019."):
        assert detector.scan(text) == []


def test_all_mode_skips_the_model_for_paragraphs_of_common_words(all_mode: PiiDetector,
                                                                model_batches) -> None:
    calls = model_batches(all_mode)
    all_mode.scan("Explain the difference between TCP and UDP.\n\nWhat is a B-tree?")
    assert calls == []
    all_mode.scan("Explain why Tünde left.")
    assert calls


def test_long_non_ascii_words_give_digit_patterns_nothing_to_search() -> None:
    # Chinese or Russian text once put every digit pattern to work at every character
    # (a non-ASCII character might be a digit); runs of letters now rule that out.
    from aipolicy.detect.pii_recognizers import RecognizerSet
    from aipolicy.detect.prefilter import scan_bytes

    recognizers = RecognizerSet(RULES.recognizers, RULES.address_lines)
    text = "我们在上海的办公室有一个很大的会议室。" * 200 + " Москва Санкт-Петербург " * 50
    assert set(scan_bytes(text)) <= {0x81, 0x80, ord(" "), ord("-")}
    assert recognizers._prefilter.candidates(text) == {}
    assert recognizers.analyze(text) == []
