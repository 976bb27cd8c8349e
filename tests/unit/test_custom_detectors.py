"""Custom term lists: the Hyperscan path finds exactly what the word-by-word walk finds."""

from __future__ import annotations

import dataclasses
import random
import re

from aipolicy.detect.custom import CustomDetectors, RegexDetector, TermListDetector
from aipolicy.detect.prefilter import FOLDS_TO_ASCII, WordSet

TERMS = ["Bluebird", "Project Nightjar", "X-Ray Vision", "Nightjar Ops", "café noir",
         "Straße", "strasse plan", "a b c", "Kelvin", "Blue",
         # terms sharing first words, and prefixes of one another
         "Nightjar", "Nightjar Ops Plan", "a b", "a c", "a b c vision", "blue ray"]
WORDS = ["bluebird", "Bluebird", "BLUEBIRDS", "project", "Project", "nightjar", "NIGHTJAR",
         "x", "ray", "vision", "ops", "café", "noir", "cafe", "straße", "strasse", "plan",
         "a", "b", "c", "\u212aelvin", "kelvin", "blue", "Bluébird", "é", "日本", "_blue",
         "blue_", "4blue", "ﬁle", "_nightjar", "_ops", "-_ray"]
GAPS = [" ", "  ", "-", "_", ". ", "/", ", ", "\n", " -- ", "é", "€", ""]


def _walk(detector: TermListDetector, text: str) -> list[tuple[int, int]]:
    plain = dataclasses.replace(detector, first_words=None)
    return [(m.start, m.end) for m in plain.scan(text)]


def test_word_set_path_equals_word_walk_on_random_texts():
    detector = TermListDetector.build("t", "term", TERMS)
    assert detector.first_words is None  # a non-ASCII first word: the walk serves all
    ascii_detector = TermListDetector.build("a", "term", [t for t in TERMS if t.isascii()])
    assert ascii_detector.first_words is not None
    rng = random.Random(11)
    folding = 0
    for _ in range(3000):
        text = "".join(rng.choice(WORDS) + rng.choice(GAPS) for _ in range(rng.randint(1, 12)))
        found = [(m.start, m.end) for m in ascii_detector.scan(text)]
        assert found == _walk(ascii_detector, text), text
        folding += any(ch in text for ch in FOLDS_TO_ASCII)
    assert folding > 300  # texts with "ß", "ﬁ" or the Kelvin sign were among them


def test_word_set_respects_python_word_boundaries_in_non_ascii_text():
    words = WordSet(["blue", "ops"])
    text = "blue-ops éblue blueé blue_ 日本blue ops€"
    assert [(text[s:e], w) for s, e, w in words.find(text)] == [
        ("blue", "blue"), ("ops", "ops"), ("ops", "ops")]
    kelvin = "KELVIN \u212aelvin Kelvins STRASSE Straße stra\u017fse"
    assert [kelvin[s:e] for s, e, _ in WordSet(["kelvin", "strasse"]).find(kelvin)] == [
        "KELVIN", "\u212aelvin", "STRASSE", "Straße", "stra\u017fse"]


def test_folds_to_ascii_is_exactly_the_non_ascii_characters_folding_to_word_characters():
    derived = "".join(
        c for c in map(chr, range(0x80, 0x110000))
        if any(ord(x) < 128 and (x.isalnum() or x == "_") for x in c.casefold()))
    assert derived == FOLDS_TO_ASCII


def test_custom_regexes_behind_the_prefilter_match_a_plain_scan():
    regexes = (RegexDetector("emp", "employee", re.compile(r"\bEMP-(?P<value>\d{6})\b")),
               RegexDetector("card", "card", re.compile(r"card (?P<value>[\d ]{13,19}\d)"),
                             "luhn"))
    detectors = CustomDetectors((), regexes)
    text = ("EMP-123456 and EMP-1234567, card 4111 1111 1111 1111 and card 4111 1111 1111 "
            "1112 " * 3)
    expected = sorted((m.start, m.end) for rx in regexes for m in rx.scan(text))
    assert sorted((m.start, m.end) for m in detectors.scan(text)) == expected
    assert len(expected) == 6
