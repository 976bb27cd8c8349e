"""Ways around normalisation and decoding (issue 11, item 4), each a test: separators of
every kind, invisible characters, look-alike digits, base64 backwards or wrapped, values
read backwards or rotated by ROT13/ROT18/ROT47 with a label or a checksum as the only
clue, and the benign text that must stay untouched. Through the real pipeline, and on
the views themselves where the mapping back matters."""

from __future__ import annotations

import base64
import codecs
import ipaddress
import json
import textwrap
from pathlib import Path

import pytest

from aipolicy.detect import decode
from aipolicy.detect.normalize_rules import load_normalize_rules
from aipolicy.detect.pii_validators import iban_checksum_ok, luhn_ok
from aipolicy.detect.views import Normalizer
from aipolicy.model import Action, ClientIdentity, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
KEY = "AKIAQ3EGRTXZ7LMNBV2P"  # AWS access key id shape, not an allowlisted example
SSN = "412-67-1234"
EMAIL = "marta.kowalski@fabrikam.com"


def _card() -> str:
    body = "453201511283036"
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError


def _iban() -> str:
    bban = "NWBK60161331926819"
    for check in range(100):
        candidate = f"GB{check:02d}{bban}"
        if iban_checksum_ok(candidate):
            return candidate
    raise AssertionError


CARD = _card()
CARD_GROUPED = " ".join(CARD[i:i + 4] for i in range(0, 16, 4))
IBAN = _iban()
IBAN_GROUPED = " ".join(IBAN[i:i + 4] for i in range(0, len(IBAN), 4))


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(load_ruleset(ROOT / "rulesets" / "default.yaml"))


@pytest.fixture(scope="module")
def normalizer():
    return Normalizer(load_normalize_rules(), ["akia", "ghp_", "sk-"])


def _evaluate(pipeline, *texts):
    info = RequestInfo(method="POST", scheme="https", host="api.openai.com", port=443,
                       path="/v1/chat/completions",
                       headers={"content-type": "application/json"},
                       client=ClientIdentity(ipaddress.ip_address("127.0.0.1")))
    body = json.dumps({"model": "gpt-4o", "messages": [
        {"role": "user", "content": t} for t in texts]}).encode()
    return pipeline.evaluate(info, pipeline.classify(info), body)


def _sent(verdict) -> str | None:
    """The first message as forwarded, or None when the request was blocked."""
    if verdict.notice is not None:
        return None
    return json.loads(verdict.new_body)["messages"][0]["content"] if verdict.new_body else ""


def _caught(pipeline, text: str, shown: str) -> bool:
    sent = _sent(_evaluate(pipeline, text))
    return sent is None or (sent != "" and shown not in sent)


# ------------------------------------------------------------------ one character at a time
@pytest.mark.parametrize("sep", [" ", "  ", "\t", ".", "-", "_", "|", " | ", ",", ", ", " · ",
                                 "•", "--", "::", " / ", "<>", "+", ";", "~"])
@pytest.mark.parametrize("label, value", [("card", CARD_GROUPED), ("SSN", SSN),
                                          ("e-mail", EMAIL), ("aws key", KEY),
                                          ("IBAN", IBAN_GROUPED)])
def test_any_one_separator_is_joined_and_redacted_in_place(pipeline, sep, label, value):
    """The value's own spaces and dashes are characters of the run ("4-5-3-2- -0-1")."""
    shown = sep.join(value)
    sent = _sent(_evaluate(pipeline, f"my {label}: {shown} thanks"))
    assert sent is None or (shown not in sent and sent.endswith(" thanks")), sent


@pytest.mark.parametrize("template", ['KEY="{x}"', "aws_key={x}", "({x})", "key:{x}"])
def test_a_spaced_value_right_after_a_name_or_quote(pipeline, template):
    shown = "  ".join(KEY)
    assert _caught(pipeline, template.format(x=shown), shown)


@pytest.mark.parametrize("sep", ["\n", "\r\n", "\n ", "\n\t"])
def test_one_character_per_line_from_the_label_line_on(pipeline, sep):
    shown = sep.join(KEY)
    assert _caught(pipeline, f"aws_access_key_id={shown}", shown)
    shown = sep.join(SSN.replace("-", " "))
    assert _caught(pipeline, f"Summary for the ticket.\n\nSSN#: {shown}", shown)
    shown = sep.join(CARD)
    assert _caught(pipeline, f"Summary for the ticket.\n\n{shown}", shown)


def test_spaced_views_map_each_character_back(normalizer):
    text = f"SSN#: {' | '.join(SSN)} ok"
    (view,) = [v for v, _ in normalizer.views(text)]
    assert view.technique == "spaced" and SSN in view.text
    start = view.text.index(SSN)
    back = view.resolve(start, start + len(SSN))
    assert back.exact and text[back.start:back.end] == " | ".join(SSN)


# ------------------------------------------------------------------ invisible characters
@pytest.mark.parametrize("chars", [
    ["\u200b"], ["\u200c", "\u200d"], ["\u2060"], ["\ufeff"], ["\u00ad"], ["\u180e"],
    ["\u2061", "\u2062", "\u2063"], ["\ufe0f"], ["\U000e0100", "\U000e0101"],
    ["\u200e", "\u200f", "\u202a", "\u202c", "\u2066", "\u2069"], ["\u034f"],
])
@pytest.mark.parametrize("every", [1, 3])
def test_invisible_characters_anywhere_are_dropped(pipeline, chars, every):
    for value in (KEY, CARD_GROUPED, "+44 20 7946 0321", IBAN):
        shown = "".join(c + (chars[i % len(chars)] if i % every == 0 else "")
                        for i, c in enumerate(value[:-1])) + value[-1]
        assert _caught(pipeline, f"contact / card / key / IBAN: {shown}", shown), value


def test_fullwidth_with_zero_width_and_spaced_look_alikes(pipeline):
    full = "\u200b".join(chr(ord(c) + 0xFEE0) for c in KEY)
    assert _caught(pipeline, f"key: {full}", full)
    cyr = " ".join(EMAIL.replace("a", "\u0430").replace("o", "\u043e"))
    assert _caught(pipeline, f"email: {cyr}", cyr)


def test_look_alike_letters_between_digits_stand_for_digits(pipeline, normalizer):
    shown = CARD_GROUPED.replace("0", "\u041e")  # Cyrillic O for zero
    assert _caught(pipeline, f"card: {shown}", shown)
    shown = SSN.replace("1", "\u0406")  # Cyrillic I for one
    assert _caught(pipeline, f"SSN: {shown}", shown)
    # Next to a letter a look-alike O stays the letter O: an AWS key with a Greek O.
    text = "key AKIAQ3EGRTXZ7LMO4NV2".replace("MO4", "M\u039f4")
    (view,) = [v for v, _ in normalizer.views(text)]
    assert "MO4N" in view.text


# ------------------------------------------------------------------ base64 and friends
@pytest.mark.parametrize("encode", [
    lambda s: base64.b64encode(s.encode()).decode().rstrip("="),
    lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
    lambda s: base64.b64encode(s.encode()).decode()[::-1],  # the base64 reversed
    lambda s: base64.b64encode(s[::-1].encode()).decode(),  # base64 of reversed text
])
@pytest.mark.parametrize("plain", [f"aws key {KEY}", f"my card {CARD_GROUPED}",
                                   f"email {EMAIL}", "phone: +44 20 7946 0321"])
def test_base64_forwards_and_backwards_blocks(pipeline, encode, plain):
    blob = encode(plain)
    verdict = _evaluate(pipeline, f"config blob: {blob}")
    assert verdict.outcome.enforced is Action.BLOCK, plain


def test_base64_wrapped_at_76_columns_is_one_blob(pipeline):
    config = ("# service settings\nREGION=eu-west-1\nLOG_LEVEL=info\nRETRIES=3\n"
              f"AWS_ACCESS_KEY_ID={KEY}\nTIMEOUT_SECONDS=30\n")
    blob = "\n".join(textwrap.wrap(base64.b64encode(config.encode()).decode(), 76))
    assert blob.count("\n") >= 2
    assert _evaluate(pipeline, f"Decode this config:\n{blob}").outcome.enforced is Action.BLOCK


def test_a_decoded_neighbour_makes_a_token_a_value(pipeline):
    """'%20' decoded before a token gives it the boundary it lacked as written."""
    text = f"my%20key%20is%20{KEY}%0A"
    assert _caught(pipeline, text, KEY)
    text = f"visa%3A%20{CARD_GROUPED.replace(' ', '-')}%0A"
    assert _caught(pipeline, text, CARD_GROUPED.replace(" ", "-"))


# ------------------------------------------------------------------ backwards
@pytest.mark.parametrize("template, value", [
    ("my card: {x}", CARD),                        # bare: only its label and checksum
    ("here: {x} ok", CARD_GROUPED),                # grouped: its checksum
    ("IBAN {x}", IBAN_GROUPED),                    # mod 97 backwards
    ("transfer to {x} today", IBAN),
    ("call {x} tonight", "+44 7700 900 321"),      # +44 ... backwards
    ("phone: {x}", "(555) 123-4567"),
    ("{x} is my mail", EMAIL),
])
def test_a_value_written_backwards_among_plain_words(pipeline, template, value):
    assert _caught(pipeline, template.format(x=value[::-1]), value[::-1])


def test_backwards_views_keep_the_label_before_the_value(normalizer):
    text = f"my card: {CARD[::-1]} ok"
    (view,) = [v for v, _ in normalizer.views(text)]
    assert view.technique == "reversed" and f"my card: {CARD}" in view.text
    start = view.text.index(CARD)
    back = view.resolve(start, start + len(CARD))
    assert text[back.start:back.end] == CARD[::-1] and not back.exact


# ------------------------------------------------------------------ rotated
def _rot5(s: str) -> str:
    return s.translate(str.maketrans("0123456789", "5678901234"))


def _rot47(s: str) -> str:
    return "".join(chr(33 + (ord(c) - 33 + 47) % 94) if "!" <= c <= "~" else c for c in s)


@pytest.mark.parametrize("text", [
    codecs.encode(f"Please store this: e-mail: {EMAIL} thanks", "rot13"),
    "card: " + _rot5(CARD_GROUPED.replace(" ", "-")),                 # ROT18, grouped
    "my visa is " + _rot5(CARD),                                     # ROT18, labelled
    codecs.encode("zl ivfn vf ", "rot13") + _rot5(CARD),             # both rotated
    _rot5(codecs.encode(f"my SSN is {SSN}", "rot13")),               # ROT18 sentence
    f"IBAN: {codecs.encode(IBAN, 'rot13')}",                         # letters only
    codecs.encode(f"DB_PASSWORD=Summer2024!x{KEY}", "rot13"),        # in an identifier
    "mail in rot47: " + _rot47(EMAIL),                               # hint
    "mail: " + _rot47(EMAIL),                                        # @ and . shape
    "SSN: " + _rot47(SSN),                                           # digits shape
    "card: " + _rot47(CARD_GROUPED),
    "IBAN: " + _rot47(IBAN),
    _rot47(f"Please store this: aws_access_key_id={KEY} thanks"),    # sentence
])
def test_rotated_values_block(pipeline, text):
    assert _evaluate(pipeline, text).outcome.enforced is Action.BLOCK, text


def test_rot18_and_rot47_map_character_for_character(normalizer):
    text = _rot47(f"my key is {KEY}") + "\nnext line"
    views = [v for v, _ in normalizer.views(text)]
    (view,) = [v for v in views if v.technique == decode.ROT47]
    start = view.text.index(KEY)
    back = view.resolve(start, start + len(KEY))
    assert text[back.start:back.end] == _rot47(KEY) and not back.exact


# ------------------------------------------------------------------ benign stays benign
@pytest.mark.parametrize("text", [
    "| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 | 6 |",
    "------------------------------------------------\n================",
    "Pick from a, b, c, d, e, f or g.",
    "x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]; sort it",
    "Upgrade from 1.2.3.4 to 1.2.3.5.6",
    "Is 'level' a palindrome? And 'stressed' vs 'desserts', 'drawer' vs 'reward'?",
    "He had a bad head, each bead face deaf.",   # ROT47 of digits is a-h: no view
    "Explain ROT47: 'w6==@ (@C=5' becomes what?",
    "Decode this rot13 joke: Jul qvq gur puvpxra pebff gur ebnq?",
    "events: 1700196859725881220, 1700359489259088483, 1700964911189753707",
    "order 4532015112830366 shipped",                # a number, no card word, not grouped
    "┌──┬──┐\n│ab│cd│\n└──┴──┘",
    "Hyphen\u00adation in inter\u00adnational\u00adization",
    "Great job team 👍🏽👨\u200d👩\u200d👧 ❤️ see you Monday",
    "Translate: \u200fمرحبا بكم في الاجتماع\u200f (room 4, floor 2)",
    "What does this say? " + base64.b64encode(b"Release 4.2 ships next week").decode(),
    "Host key fingerprint 3a:9f:01:c4:77:2e:aa:10:5b:63:de:f2:48:91:0c:7d",
    "!function(e,t){function a(b,c){return b*42+7}};var q=[12,200,3,44,5,61,7];",
])
def test_hard_benign_text_passes_untouched(pipeline, text):
    verdict = _evaluate(pipeline, text)
    assert verdict.notice is None and verdict.new_body is None, text


def test_a_wrapped_image_is_not_decoded(normalizer):
    raw = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 3
    blob = "\n".join(textwrap.wrap(base64.b64encode(raw).decode(), 76))
    assert normalizer.views(f"Content-Transfer-Encoding: base64\n\n{blob}") == []
