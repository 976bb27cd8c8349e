"""Context words found by one Hyperscan pass settle candidates exactly as the context
regexes would: same candidates, same scores, on random texts built to be hard."""

from __future__ import annotations

import random

from aipolicy.detect.pii_recognizers import RecognizerSet
from aipolicy.detect.pii_rules import load_pii_rules
from aipolicy.detect.prefilter import CASELESS_NON_ASCII, LiteralFinder, scan_bytes

RULES = load_pii_rules()


class _NoPositions:
    """Stands in for the LiteralFinder: every context check falls back to the regexes."""

    def starts(self, text: str, data: bytes | None = None) -> None:
        return None


def _both() -> tuple[RecognizerSet, RecognizerSet]:
    fast = RecognizerSet(RULES.recognizers, RULES.address_lines)
    plain = RecognizerSet(RULES.recognizers, RULES.address_lines)
    plain._context = _NoPositions()  # type: ignore[assignment]
    return fast, plain


def _pieces(rng: random.Random) -> list[str]:
    words = sorted({w for s in RULES.recognizers for w in (*s.context_words, *s.negative_words)})
    numbers = ["+44 20 7808 1468", "(415) 555-0132", "0378 3549890", "415-555-0132",
               "2024-01-15", "12/03/1985", "4111 1111 1111 1111", "123-45-6789",
               "GB82 WEST 1234 5698 7654 32", "192.168.1.20", "X1234567", "D1234-5678-901",
               "jane.doe@example.com", "14 Baker Street", "PO Box 12", "Apt 5", "33.6%",
               "12 34 56 78", "5551234567"]
    glue = [" ", ": ", ", ", "\n", " - ", ". ", "(", ")", "é", "€", "—", "", "ing ", "x"]
    out = []
    for _ in range(rng.randint(1, 14)):
        w = rng.choice(words)
        w = rng.choice([w, w.upper(), w.title(), w[:-1], "tele" + w, w + "s"])
        out += [w, rng.choice(glue), rng.choice(numbers), rng.choice(glue)]
    return out


def test_context_positions_give_the_regex_results_on_random_texts() -> None:
    fast, plain = _both()
    rng = random.Random(23)
    settled = 0
    for n in range(3000):
        text = "".join(_pieces(rng))
        if n % 50 == 0:  # characters (?i) equates with ASCII letters: the regex path
            text = text.replace("s", rng.choice(CASELESS_NON_ASCII), 1)
        got = fast.analyze(text)
        assert got == plain.analyze(text), text
        settled += bool(got)
    assert settled > 1000


def test_literal_finder_reports_a_superset_of_word_starts() -> None:
    finder = LiteralFinder(["tel", "tel.", "call me", "ph", "é"])
    assert finder.starts("x") == {}
    found = finder.starts("Tel. 1; TEL 2, telephone, call  me, Call me, graph ph")
    assert found is not None
    assert found["tel"] == [0, 8, 15] and found["tel."] == [0]
    assert found["call me"] == [36] and found["ph"] == [51]  # not the one in "graph"
    assert "é" not in found  # not ASCII: never reported
    assert finder.starts("\u212a tel") is None  # the Kelvin sign: search with the regex
    assert finder.starts("étel", scan_bytes("étel")) == {"tel": [1]}  # é: boundary, superset
