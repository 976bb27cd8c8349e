"""The Hyperscan prefilter: its windows must never lose a match of the Python pattern.

The central property: for every pattern and text, ``Prefilter.matches(text)[key]`` is
exactly ``list(pattern.finditer(text))`` (same spans, same groups). It is checked on
hand-picked constructs (lookarounds, anchors, case folding, non-ASCII, backreferences)
and on random patterns and texts from a fixed seed.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable

import pytest

from aipolicy.detect.prefilter import (
    _LOWERED,
    CASELESS_NON_ASCII,
    LOWERS_TO_ASCII,
    LiteralSet,
    Prefilter,
    Window,
    anchored_at_start,
    scan_bytes,
)
from tests.unit.concurrency import errors_in_threads


def _spans(matches: list[re.Match[str]]) -> list[tuple[tuple[int, int], ...]]:
    return [tuple(m.span(g) for g in range(m.re.groups + 1)) for m in matches]


def _assert_exact(prefilter: Prefilter[str], patterns: dict[str, re.Pattern[str]],
                  text: str) -> None:
    found = prefilter.matches(text)
    for key, rx in patterns.items():
        want = _spans(list(rx.finditer(text)))
        got = _spans(found.get(key, []))
        assert got == want, f"pattern {key} ({rx.pattern!r}) on {text!r}"


# --------------------------------------------------------------------------- constructs

CONSTRUCTS = {
    "literal": r"ghp_[A-Za-z0-9]{36}",
    "caseless": r"(?i)api[_-]?key\s{0,3}[:=]\s{0,3}(?P<secret>[a-z0-9]{16,40})",
    "scoped-case": r"(?i:bearer)[ \t]{1,3}(?-i:[A-Z]{4})[0-9]{2,6}",
    "lookbehind": r"(?<![\w.-])sk-[A-Za-z0-9]{20,48}(?![A-Za-z0-9])",
    "lookahead-tail": r"key=(?P<v>[^\s\"']{6,30})(?=[\"'\s]|$)",
    "selective-lookahead": r"data:[ \t]{0,3}\n(?P<v>[ \t]{2}\w{1,10}: \S{4,40}\n){1,5}"
                           r"(?=(?:.{0,80}\n){0,5}kind: Secret)",
    "word-boundary": r"\b[0-9a-f]{32}\b",
    "start-anchor": r"^\$\{[^}]{1,40}\}$",
    "end-anchor": r"token [a-z]{4,8}\Z",
    "multiline": r"(?m)^pass(?:word)?: (\S{6,20})$",
    "dotall": r"(?s)BEGIN.{0,60}?END",
    "backreference": r"(['\"])[A-Za-z]{4,12}\1",
    "conditional": r"(<)?tok_[a-z]{4}(?(1)>|)",
    "atomic": r"(?>ab|a)c{2,4}",
    "possessive": r"x[0-9]{2,5}+y",
    "lazy": r"curl\b.{0,40}?-u [^\s:]{1,20}:[^\s]{3,20}",
    "branch-empty": r"(?:-|)[A-Z]{3}(?:\d{2}|)",
    "non-ascii-literal": r"contraseña[:=] ?(\S{4,20})",
    "unicode-class": r"[\w.-]{2,10}@[\w-]{2,20}\.[a-z]{2,4}",
    "ascii-flag": r"(?a)\w{5,12}=\d{3}",
    "space-class": r"id\s{1,2}\d{4}",
    "unbounded": r"start[a-z]*?end",
    "verbose": r"(?x) foo [ ]? bar \d{2,3}  # comment",
    "kelvin": r"(?i)kelvin",
}
PATTERNS = {key: re.compile(p) for key, p in CONSTRUCTS.items()}

TEXTS = [
    "", "x",
    "my token ghp_" + "a1B2" * 9 + " ok",
    "API_KEY = a1b2c3d4e5f6a7b8c9d0 and api-key:ZZZZZZZZZZZZZZZZ1",
    "Bearer ABCD1234 / bearer abcd99 / BEARER ABCD12",
    "x.sk-" + "a" * 30 + " sk-" + "B" * 25 + "!",
    "key=abcdef\"; key=toolongvaluehere key=abc key=short1$",
    "data: \n  a: aGVsbG8=\n  bb: d29ybGQ=\n  kind: Secret\n",
    "0123456789abcdef0123456789abcdef 0123456789abcdef0123456789abcdef00",
    "${API_KEY}", "prefix ${API_KEY}", "${unterminated",
    "token abcdef", "token abcdef\n", "a token abcdefghi",
    "user: x\npassword: hunter2hunter\npass: abcdefg\n",
    "BEGIN\nsomething\nEND BEGIN x END",
    "'abcdef' \"abcdef' \"xyzw\"",
    "<tok_abcd> tok_wxyz <tok_efgh",
    "abccc acc abcc",
    "x123y x12345y x123456y",
    "curl -s https://x -u admin:s3cr3tpass more",
    "-ABC12 ABC XYZ9",
    "Contraseña: pájaro123 CONTRASEÑA=xyzw",
    "mail jöhn.doe@exämple.org and a@b.cc",
    "ñame_é=123 name_x=456",
    "id\x1c1234 id\u00a05678 id  9999",
    "start middle end startend",
    "foobar12 foo bar123",
    "\u212aELVIN kelvin KELVIN",
    "İstanbul ıd ſecret \U0001F600 emoji 漢字 ghp_" + "Z9" * 18,
]


@pytest.fixture(scope="module")
def prefilter() -> Prefilter[str]:
    return Prefilter(PATTERNS.items())


@pytest.mark.parametrize("text", TEXTS)
def test_matches_equal_finditer_on_constructs(prefilter: Prefilter[str], text: str) -> None:
    _assert_exact(prefilter, PATTERNS, text)
    _assert_exact(prefilter, PATTERNS, text * 3 + "\n" + text.upper())


def test_no_construct_needs_the_whole_text(prefilter: Prefilter[str]) -> None:
    # "unbounded" starts with a literal, so even it gets windows; nothing here is refused.
    assert prefilter.unsupported == frozenset()


def test_a_pattern_that_can_match_empty_is_searched_everywhere() -> None:
    rx = re.compile(r"(?:abc)?")
    prefilter = Prefilter([("empty", rx), ("never", re.compile(r"[^\s\S]"))])
    assert prefilter.unsupported == {"empty"}
    assert prefilter.candidates("xyz") == {"empty": [Window(0, 3, 3)]}
    assert [m.span() for m in prefilter.matches("xabc")["empty"]] == [
        m.span() for m in rx.finditer("xabc")]
    assert "never" not in prefilter.matches("xabc ? é")


def test_windows_are_few_and_short_in_a_long_text() -> None:
    rx = re.compile(r"ghp_[A-Za-z0-9]{36}")
    prefilter = Prefilter([("gh", rx)])
    filler = "lorem ipsum dolor sit amet " * 4000
    token = "ghp_" + "q" * 36
    text = filler + token + filler
    windows = prefilter.candidates(text)["gh"]
    assert len(windows) == 1
    assert windows[0].start <= len(filler) <= windows[0].last_start
    assert windows[0].end - windows[0].start < 200
    assert prefilter.candidates(filler) == {}


_EMAIL = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
    r"{1,64}){0,31}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,126}[A-Za-z]{2,24}"
    r"(?![\w@-]|:[\w~/])")


def test_long_patterns_get_windows_cut_at_whitespace_they_cannot_contain() -> None:
    prefilter = Prefilter([("mail", _EMAIL)])
    filler = "lorem ipsum dolor sit amet " * 400
    text = filler + "write to jane.roe@mail.example.co.uk today " + filler
    (window,) = prefilter.candidates(text)["mail"]
    assert window.end - window.start < 100
    assert [m.group() for m in prefilter.matches(text)["mail"]] == [
        "jane.roe@mail.example.co.uk"]


def test_whitespace_cut_windows_equal_finditer_on_random_texts() -> None:
    rng = random.Random(7)
    patterns = {
        "mail": _EMAIL,
        "run": re.compile(r"[^\s\"']{3,90}=[a-f0-9]{2,80}"),
        "ahead": re.compile(r"\S{2,70}x(?=\s{0,3}[0-9])"),
        "behind": re.compile(r"(?<![a-z])[a-z.@]{1,99}@[a-z]{2,80}(?!\.)"),
        "spaced": re.compile(r"[a-z]{1,50} [a-z@]{1,50}"),
    }
    prefilter = Prefilter(patterns.items())
    alphabet = "ab.@x-=09 \n\t\x0b\x0c\r\"'é"
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        _assert_exact(prefilter, patterns, text)


def test_offsets_are_character_offsets_with_non_ascii_text() -> None:
    rx = re.compile(r"ghp_[A-Za-z0-9]{8}")
    prefilter = Prefilter([("gh", rx)])
    text = "żółć 漢字 \U0001F600 ghp_abcd1234"
    (m,) = prefilter.matches(text)["gh"]
    assert text[m.start():m.end()] == "ghp_abcd1234"


def test_caseless_non_ascii_characters_are_the_ones_python_equates_with_ascii() -> None:
    ascii_caseless = re.compile(r"(?i)[\x00-\x7f]")
    found = "".join(chr(c) for c in range(128, sys.maxunicode + 1)
                    if ascii_caseless.match(chr(c)))
    assert found == CASELESS_NON_ASCII


def test_anchored_at_start() -> None:
    assert anchored_at_start(re.compile(r"^\$\{x\}$"))
    assert anchored_at_start(re.compile(r"(?i)^(?:your|my)[_ -]?key"))
    assert anchored_at_start(re.compile(r"\Aabc|\Adef"))
    assert not anchored_at_start(re.compile(r"^abc|def"))
    assert not anchored_at_start(re.compile(r"(?m)^abc"))
    assert not anchored_at_start(re.compile(r"abc$"))


def test_keys_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        Prefilter([("a", re.compile("x")), ("a", re.compile("y"))])


def test_bytes_patterns_are_refused() -> None:
    with pytest.raises(TypeError):
        Prefilter([("b", re.compile(rb"abc"))])  # type: ignore[list-item]


def test_scanning_from_many_threads(prefilter: Prefilter[str]) -> None:
    texts = [t * 20 for t in TEXTS if t]
    expected = [{k: _spans(v) for k, v in prefilter.matches(t).items()} for t in texts]

    def work() -> None:
        for _ in range(5):
            for text, want in zip(texts, expected, strict=True):
                got = {k: _spans(v) for k, v in prefilter.matches(text).items()}
                assert got == want

    assert errors_in_threads(work) == []


# --------------------------------------------------------------------------- random

_ATOMS = ["a", "b", "k", "K", "s", "x", "0", "9", "-", "_", ".", " ", "=", ":", "/",
          "\\n", "é", "\\d", "\\w", "\\s", "\\S", "\\W", "[a-f]", "[^a-c]", "[A-Z0-9_-]",
          "[^\\s\"']", ".", "\\.", "[kK]"]
_FLAGS = ["", "(?i)", "(?s)", "(?m)", "(?a)", "(?i)(?s)"]
_ALPHABET = "abkKsSx09-_. =:/\n\t\"'éÉİıſ\u212a漢\u00a0\x1c"


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.45 or depth > 2:
            piece = rng.choice(_ATOMS)
        elif roll < 0.6:
            piece = "(?:" + "|".join(_random_pattern(rng, depth + 1)
                                     for _ in range(rng.randint(2, 3))) + ")"
        elif roll < 0.7:
            piece = "(" + _random_pattern(rng, depth + 1) + ")"
        elif roll < 0.78:
            piece = rng.choice(["(?=", "(?!"]) + _random_pattern(rng, depth + 1) + ")"
        elif roll < 0.84:
            piece = rng.choice(["(?<=", "(?<!"]) + rng.choice("abx0-") * rng.randint(1, 3) + ")"
        elif roll < 0.92:
            piece = rng.choice(["\\b", "\\B", "^", "$", "\\A", "\\Z"])
        else:
            piece = rng.choice(["(?i:", "(?-i:", "(?s:"]) + _random_pattern(rng, depth + 1) + ")"
        if rng.random() < 0.35 and not piece.startswith(("(?=", "(?!", "(?<", "\\b", "\\B",
                                                          "^", "$", "\\A", "\\Z")):
            low = rng.randint(0, 3)
            # Wide repeats of single characters only: nested wide repeats make Python's
            # own backtracking explode, which is not what is tested here.
            high = low + rng.choice([0, 1, 2, 5, 30] if piece in _ATOMS else [0, 1, 2])
            piece = f"(?:{piece}){{{low},{high}}}" + rng.choice(["", "", "?"])
        parts.append(piece)
    return "".join(parts)


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 120)))


def _pattern_set(source: Callable[[], str], count: int = 40) -> dict[str, re.Pattern[str]]:
    """``count`` compiled patterns from ``source()``; sources that do not compile, or that
    match the empty string (tested separately), are drawn again."""
    patterns: dict[str, re.Pattern[str]] = {}
    while len(patterns) < count:
        try:
            rx = re.compile(source())
        except re.error:
            continue
        if rx.search("") is None:
            patterns[f"p{len(patterns)}"] = rx
    return patterns


def test_random_patterns_and_texts() -> None:
    rng = random.Random(20240611)
    for _ in range(6):
        patterns = _pattern_set(lambda: rng.choice(_FLAGS) + _random_pattern(rng))
        prefilter = Prefilter(patterns.items())
        for _ in range(60):
            text = _random_text(rng)
            _assert_exact(prefilter, patterns, text)


# --------------------------------------------------------------------------- words


def test_literal_set_matches_lowercased_containment() -> None:
    words = ["key", "token", "://", "-secret", "contraseña", "what?", "passw"]
    literal_set = LiteralSet(words)
    for text in ["A KEY and a Token", "https://x", "ids-SECRET=1", "CONTRASEÑA: x",
                 "what? passwd", "nothing here", "", "\u212aEY", "İSTANBUL key?"]:
        assert literal_set.present(text) == {w for w in words if w in text.lower()}


def test_literal_set_on_random_texts_equals_lowercased_containment() -> None:
    words = ["ab", "k", "s x", "é", "0-", "AB", "what?", "ssn", "ſ"]
    literal_set = LiteralSet(words)
    ascii_only = LiteralSet([w for w in words if w.isascii() and w == w.lower()
                             and "?" not in w])
    rng = random.Random(5)
    alphabet = "abAB ksSx0-?éÉ\u212a\u0130ſ"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert literal_set.present(text) == {w for w in words if w in text.lower()}, text
        assert ascii_only.present(text) == {w for w in ascii_only._words
                                            if w in text.lower()}, text


def test_lowers_to_ascii_is_exactly_the_non_ascii_characters_lower_casing_to_ascii() -> None:
    derived = "".join(c for c in map(chr, range(0x80, 0x110000))
                      if any(ord(x) < 128 for x in c.lower()))
    assert derived == LOWERS_TO_ASCII
    assert {ch: scan_bytes(ch.lower()) for ch in derived} == _LOWERED


def test_scan_bytes_has_one_byte_per_character() -> None:
    text = "żółć 漢字 \U0001F600 ghp_abcd1234 \udc80 why? ٣٤٥٦٧ ab"
    data = scan_bytes(text)
    assert len(data) == len(text)
    # a run of four or more letters gets the letter placeholder; digits never do
    assert data == (b"\x81\x81\x81\x81 \x80\x80 \x80 ghp_abcd1234 \x80 why? "
                    b"\x80\x80\x80\x80\x80 ab")
    assert scan_bytes("ok? 1?2") == b"ok? 1?2"
    rx = re.compile(r"ghp_[A-Za-z0-9]{8}")
    prefilter = Prefilter([("gh", rx)])
    assert prefilter.candidates(text, data) == prefilter.candidates(text)


def test_question_marks_are_not_placeholders() -> None:
    # \d accepts non-ASCII digits, so it must accept the placeholder, never a "?"
    digits = Prefilter([("d", re.compile(r"\d{3}"))])
    assert digits.candidates("really??? yes?") == {}
    assert list(digits.finditer("d", "x \u0661\u0662\u0663 y?",
                                digits.candidates("x \u0661\u0662\u0663 y?")["d"]))


def test_leading_lookbehinds_on_random_patterns_and_texts() -> None:
    # A one-character negative lookbehind opening a pattern is checked by Hyperscan
    # itself (the byte before must be outside the class): the matches must not change.
    rng = random.Random(77)
    guards = ["\\w", "[\\w.-]", "\\d", "[a-z]", ".", "\\s", "[^a]", "é", "[\\w@]", "\\W",
              "K", "\\S"]
    for _ in range(6):
        patterns = _pattern_set(lambda: rng.choice(_FLAGS) + f"(?<!{rng.choice(guards)})"
                                + _random_pattern(rng))
        prefilter = Prefilter(patterns.items())
        for _ in range(60):
            _assert_exact(prefilter, patterns, _random_text(rng))


def test_a_leading_lookbehind_keeps_digits_inside_numbers_out_of_the_reports() -> None:
    digits = Prefilter([("n", re.compile(r"(?<![\w.-])\d{4}"))])
    assert digits.candidates("v3.12345 PLAT-4567 x_9876") == {}
    assert digits.candidates("1234")["n"] and digits.candidates("é1234 ")["n"]


def test_candidates_of_some_patterns_only(prefilter: Prefilter[str]) -> None:
    text = "key sk-" + "a" * 30 + " at 12.34.56.78 and user@example.com, then 2024-01-02"
    every = prefilter.candidates(text)
    assert len(every) >= 2
    for keep in ({next(iter(every))}, set(list(every)[1:]), set(), set(prefilter.keys)):
        assert prefilter.candidates(text, only=keep) == {
            k: w for k, w in every.items() if k in keep}


def test_random_patterns_on_texts_rich_in_non_ascii_letters_and_digits() -> None:
    # Long runs of letters get their own placeholder, which digit classes refuse: the
    # matches must stay those of Python, with non-ASCII digits (Arabic-Indic, Devanagari),
    # other numerals ("²", not a \d) and letters of all kinds around.
    atoms = ["\\d", "\\w", "\\W", "\\D", "\\s", "[^\\W\\d_]", "[a-z]", ".", "é", "漢",
             "[\\w.-]", "[^a]", "[0-9]", "x", "1", "[À-ÿ]", "[\\u0600-\\u06ff]"]
    alphabet = "漢字ТестΑβéżٓ٣٤०१²½ ab1 .-_?€\n"
    rng = random.Random(4)

    def source() -> str:
        parts = []
        if rng.random() < 0.5:
            parts.append(rng.choice(["(?<![\\w.-])", "(?<!\\w)", "(?<!\\d)", "(?<![a-z])"]))
        for _ in range(rng.randint(1, 4)):
            piece = rng.choice(atoms)
            if rng.random() < 0.5:
                low = rng.randint(0, 3)
                piece = f"{piece}{{{low},{low + rng.choice([0, 1, 3, 8])}}}"
            parts.append(piece)
        return rng.choice(["", "(?i)", "(?a)"]) + "".join(parts)

    for _ in range(6):
        patterns = _pattern_set(source)
        prefilter = Prefilter(patterns.items())
        for _ in range(60):
            text = "".join(rng.choice([rng.choice(alphabet), "漢字漢字", "Тест", "٣٤٥٦٧",
                                       "१२३४"]) for _ in range(rng.randint(0, 40)))
            _assert_exact(prefilter, patterns, text)


def test_line_anchored_patterns_are_tried_at_line_starts_only() -> None:
    patterns = {
        "closing": re.compile(r"(?im)^[ \t>-]*(?:best regards|regards|br|best)[ \t]*[,.!]"),
        "short": re.compile(r"(?m)^(?:ab|b)x?"),
        "branch": re.compile(r"(?m)(?:^a|^bb)b*"),
    }
    prefilter = Prefilter(patterns.items())
    rng = random.Random(8)
    blob = "".join(rng.choice("abBrRx+/=") for _ in range(5000))  # one long line
    texts = [blob, blob + "\nBest regards,\n", "\n\nab\nbbb\n", "a", "ab\n", "\n", "xab\nab",
             "> - Regards!\nbr,\n  best.\n"]
    texts += ["".join(rng.choice("ab\nx ,>-Rgesd") for _ in range(rng.randint(0, 60)))
              for _ in range(2000)]
    for text in texts:
        _assert_exact(prefilter, patterns, text)
