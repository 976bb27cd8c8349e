"""Normalisation, decoding, mapping back and joins (aipolicy/detect/normalize.py,
decode.py, views.py, textmap.py, joins.py) and their effect on decisions."""

from __future__ import annotations

import base64
import codecs
import dataclasses
import ipaddress
import json
import time
from pathlib import Path

import pytest

from aipolicy.detect import decode
from aipolicy.detect.joins import Joiner, pairs
from aipolicy.detect.normalize_rules import load_normalize_rules
from aipolicy.detect.textmap import View, rewrite
from aipolicy.detect.views import Normalizer
from aipolicy.errors import ConfigError
from aipolicy.extract.errors import InspectionError
from aipolicy.model import Action, ClientIdentity, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
KEY = "AKIAQ3EGRTXZ7LMNBV2P"  # AWS access key id shape, not an allowlisted example
SSN = "412-67-1234"
EMAIL = "marta.kowalski@fabrikam.com"


@pytest.fixture(scope="module")
def rules():
    return load_normalize_rules()


@pytest.fixture(scope="module")
def normalizer(rules):
    return Normalizer(rules, ["akia", "ghp_", "sk-"])


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(load_ruleset(ROOT / "rulesets" / "default.yaml"))


def _views(normalizer, text):
    return [v for v, _ in normalizer.views(text)]


def _only(normalizer, text) -> View:
    views = _views(normalizer, text)
    assert len(views) == 1, [v.technique for v in views]
    return views[0]


def _back(view: View, needle: str):
    start = view.text.index(needle)
    return view.resolve(start, start + len(needle))


# ------------------------------------------------------------------ views and maps
@pytest.mark.parametrize("technique, encode", [
    ("unicode", lambda v: "".join(chr(ord(c) + 0xFEE0) for c in v)),  # fullwidth
    ("unicode", lambda v: "\u200b".join(v)),  # zero-width spaces
    ("unicode", lambda v: "\u2067" + "\u00ad".join(v) + "\u2069"),  # bidi, soft hyphens
    ("unicode", lambda v: v.replace("A", "\u0410").replace("Q", "Q")),  # Cyrillic A
    ("unicode", lambda v: v.replace("A", "\u0391").replace("K", "\u039a")),  # Greek
    ("spaced", lambda v: " ".join(v)),
    ("spaced", lambda v: "-".join(v)),
    ("spaced", lambda v: "\n".join(v)),
    ("percent", lambda v: "".join(f"%{ord(c):02X}" for c in v)),
    ("escape", lambda v: "".join(f"\\u{ord(c):04x}" for c in v)),
    ("escape", lambda v: "".join(f"\\x{ord(c):02x}" for c in v)),
    ("entity", lambda v: "".join(f"&#{ord(c)};" for c in v)),
    ("entity", lambda v: "".join(f"&#x{ord(c):x};" for c in v)),
])
def test_exact_views_map_back_to_the_encoded_run(normalizer, technique, encode):
    shown = encode(KEY)
    text = f"please use {shown} for the test"
    view = _only(normalizer, text)
    assert view.technique == technique and view.exact
    back = _back(view, KEY)
    assert back.exact and back.techniques == (technique,)
    assert text[back.start:back.end].strip("\u2067\u2069") == shown.strip("\u2067\u2069")


@pytest.mark.parametrize("technique, encode", [
    ("base64", lambda v: base64.b64encode(f"aws key {v}".encode()).decode()),
    ("base64", lambda v: base64.urlsafe_b64encode(f"key={v}".encode()).decode().rstrip("=")),
    ("hex", lambda v: f"key {v}".encode().hex()),
    ("hex", lambda v: "0x" + f"key {v}".encode().hex()),
    ("hex", lambda v: " ".join(f"{b:02x}" for b in v.encode())),
])
def test_blobs_decode_to_text_and_map_inexactly_to_the_whole_blob(normalizer, technique,
                                                                   encode):
    shown = encode(KEY)
    text = f"config: {shown} (see wiki)"
    view = _only(normalizer, text)
    assert view.technique == technique and not view.exact
    back = _back(view, KEY)
    assert not back.exact and back.techniques == (technique,)
    assert shown.removeprefix("0x") in text[back.start:back.end]


def test_reversed_and_rot13_lines_map_character_for_character(normalizer):
    text = f"first line\nmy key reversed: {KEY[::-1]}\nlast line"
    view = _only(normalizer, text)
    assert view.technique == "reversed"
    back = _back(view, KEY)
    assert text[back.start:back.end] == KEY[::-1] and not back.exact
    text = codecs.encode(f"My key is {KEY}", "rot13")
    views = _views(normalizer, text)  # digits: ROT18 (ROT5 on them too) beside ROT13
    assert [v.technique for v in views] == ["rot13", "rot18"]
    back = _back(views[0], KEY)
    assert text[back.start:back.end] == codecs.encode(KEY, "rot13")


def test_nested_encodings_are_decoded_down_to_the_depth_limit(normalizer, rules):
    once = base64.b64encode(f"token {KEY}".encode()).decode()
    twice = base64.b64encode(once.encode()).decode()
    views = _views(normalizer, f"blob {twice}")
    assert [(v.technique, v.depth) for v in views] == [("base64", 0), ("base64", 1)]
    back = _back(views[1], KEY)
    assert back.techniques == ("base64", "base64") and not back.exact
    deep = f"token {KEY}"
    for _ in range(rules.max_depth + 1):
        deep = base64.b64encode(deep.encode()).decode()
    with pytest.raises(InspectionError):  # still decodable at the last depth: fail closed
        normalizer.views(f"blob {deep}")


def test_ordinary_text_gets_no_view(normalizer):
    for text in [
        "Please summarise the quarterly forecast for the EMEA team by Thursday.",
        "Release v4.14.11 shipped on 2025-08-07; ticket OPS-1540; 38.8% of target.",
        "Caf\u00e9 \u201cquotes\u201d \u2014 na\u00efve r\u00e9sum\u00e9 \u20ac12",
        "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430?"
        " \u0412\u0441\u0442\u0440\u0435\u0447\u0430 \u0432\u043e \u0432\u0442\u043e\u0440"
        "\u043d\u0438\u043a.",
        "sha256:" + "ab12" * 16,
        "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(200))
                                                    ).decode(),
    ]:
        assert _views(normalizer, text) == [], text


def test_binary_and_huge_blobs_are_bounded(normalizer):
    blob = base64.b64encode(bytes(range(256)) * 40_000).decode()  # 10 MB of binary
    started = time.perf_counter()
    assert _views(normalizer, f"file: {blob}") == []
    assert time.perf_counter() - started < 30  # linear, no blow-up (generous bound)
    text_blob = base64.b64encode(b"lorem ipsum dolor " * 300_000).decode()  # 7 MB of text
    views = _views(normalizer, f"file: {text_blob}")
    assert [v.technique for v in views] == ["base64"]


def test_view_budget_fails_closed(rules):
    small = dataclasses.replace(rules, view_chars=1024, view_ratio=1)
    nested = ("hello world, " * 300).encode()
    for _ in range(3):  # views of 3/4, 9/16 and 27/64 of the text: more than the text
        nested = base64.b64encode(nested)
    assert len(Normalizer(rules).views(f"x {nested.decode()}")) == 3
    with pytest.raises(InspectionError):
        Normalizer(small).views(f"x {nested.decode()}")


def test_rewrite_and_resolve_with_dropped_characters():
    source = "ab\u200bcd"
    view = rewrite(source, [(2, 3, "")], "unicode", True, None, before=10, after=10)
    assert view.text == "abcd"
    assert view.resolve(1, 3) == view.resolve(1, 3)  # deterministic
    r = view.resolve(1, 3)  # "bc" spans the dropped character
    assert (r.start, r.end, r.techniques) == (1, 4, ("unicode",))
    assert view.resolve(0, 1).techniques == ()  # untouched text


def test_decoders_refuse_control_characters():
    assert decode.percent('printf("%02x%02x", r, g)') == []
    assert decode.escapes("\\x00\\x01\\x02") == []
    assert decode.entities("&amp;&lt;") == [(0, 9, "&<")]


# ------------------------------------------------------------------ joins
def test_join_text_maps_both_parts(rules):
    joiner = Joiner(rules)
    left, right = "The key starts with AKIAQ3EG", "and ends with RTXZ7LMNBV2P, ok?"
    jt = joiner.text(*joiner.windows(left, right))
    assert jt is not None
    start = jt.text.index("AKIAQ3EGRTXZ7LMNBV2P")
    parts = jt.parts(start, start + 20)
    assert parts == [(0, left.index("AKIA"), len(left)), (1, 14, 26)]
    assert jt.parts(0, 5) == []  # on one side only
    assert joiner.text("Thanks for the update.", "Sounds good to me.") is None


def test_join_pairs_skip_files_and_reach_one_message_ahead():
    assert pairs(["system", "user", "assistant", "user"]) == [
        (0, 1), (0, 2), (1, 2), (1, 3), (2, 3)]
    assert pairs(["user", "file", "user"]) == [(0, 2)]


# ------------------------------------------------------------------ config
def test_normalize_rules_errors_name_file_line_and_field(tmp_path):
    bad = tmp_path / "normalize.yaml"
    text = (ROOT / "rulesets" / "normalize.yaml").read_text()
    bad.write_text(text.replace("max_depth: 3", "max_depth: 99")
                   .replace("confusables: confusables.txt", "confusables: missing.txt"))
    with pytest.raises(ConfigError) as err:
        load_normalize_rules(bad)
    problems = {p.field for p in err.value.problems}
    assert "limits.max_depth" in problems and "unicode.confusables" in problems


def test_normalize_can_be_switched_off(tmp_path):
    text = (ROOT / "rulesets" / "default.yaml").read_text()
    assert "\n  secrets:\n" in text
    off = tmp_path / "off.yaml"
    off.write_text(text.replace("\n  secrets:\n", "\n  normalize: off\n  secrets:\n", 1))
    for name in ("catalog.yaml", "pii.yaml", "pii_fields.yaml", "secrets.yaml", "person_names.txt",
                 "clients.yaml"):
        if (ROOT / "rulesets" / name).exists():
            (tmp_path / name).write_text((ROOT / "rulesets" / name).read_text())
    assert load_ruleset(off).inspection.normalize is None
    assert load_ruleset(ROOT / "rulesets" / "default.yaml").inspection.normalize is not None


# ------------------------------------------------------------------ through the pipeline
def _evaluate(pipeline, messages):
    info = RequestInfo(method="POST", scheme="https", host="api.openai.com", port=443,
                       path="/v1/chat/completions",
                       headers={"content-type": "application/json"},
                       client=ClientIdentity(ipaddress.ip_address("127.0.0.1")))
    app = pipeline.classify(info)
    body = json.dumps({"model": "gpt-4o", "messages": [
        {"role": role, "content": text} for role, text in messages]}).encode()
    return pipeline.evaluate(info, app, body)


def test_exact_finding_is_redacted_on_the_original_run(pipeline):
    shown = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in EMAIL)
    verdict = _evaluate(pipeline, [("user", f"Write to {shown} about the invoice.")])
    assert verdict.notice is None and verdict.new_body is not None
    sent = json.loads(verdict.new_body)["messages"][0]["content"]
    assert sent == "Write to [EMAIL_ADDRESS_1] about the invoice."
    shown = " ".join(SSN)
    verdict = _evaluate(pipeline, [("user", f"SSN: {shown}, thanks")])
    assert json.loads(verdict.new_body)["messages"][0]["content"] == "SSN: [US_SSN_1], thanks"


def test_inexact_finding_of_redacted_data_blocks_with_a_notice(pipeline):
    blob = base64.b64encode(f"SSN {SSN}".encode()).decode()
    verdict = _evaluate(pipeline, [("user", f"decode this: {blob}")])
    assert verdict.outcome.enforced is Action.BLOCK
    assert "encoded" in verdict.outcome.decision.reason
    assert SSN not in verdict.notice.body.decode() and blob not in verdict.notice.body.decode()


@pytest.mark.parametrize("encode", [
    lambda v: base64.b64encode(v.encode()).decode(),
    lambda v: v.encode().hex(),
    lambda v: v[::-1] + " (reversed)",
    lambda v: codecs.encode(f"my key {v}", "rot13"),
    lambda v: "\u200b".join(v),
    lambda v: "%".join([""] + [f"{ord(c):02x}" for c in v]),
])
def test_encoded_secrets_block(pipeline, encode):
    verdict = _evaluate(pipeline, [("user", f"aws access key: {encode(KEY)}")])
    assert verdict.outcome.enforced is Action.BLOCK


def test_values_split_across_messages(pipeline):
    verdict = _evaluate(pipeline, [("system", "The key starts with AKIAQ3EG"),
                                   ("user", "and ends with RTXZ7LMNBV2P. Use it.")])
    assert verdict.outcome.enforced is Action.BLOCK
    verdict = _evaluate(pipeline, [("user", "My SSN is 412-67-"),
                                   ("user", "1234 - please fill in the form.")])
    assert verdict.new_body is not None
    contents = [m["content"] for m in json.loads(verdict.new_body)["messages"]]
    assert contents == ["My SSN is [US_SSN_1]", "[US_SSN_2] - please fill in the form."]


def test_hard_benign_cases_pass_untouched(pipeline):
    for messages in [
        [("user", "Decode this rot13 joke: Jul qvq gur puvpxra pebff gur ebnq?")],
        [("user", "'budget' reversed is 'tegdub'. Write a function that reverses strings.")],
        [("user", "Count with me: 1 2 3 4 5 6 7 8 9 10")],
        [("user", "memory dump: " + " ".join(f"{b:02x}" for b in bytes(range(0, 256, 9))))],
        [("user", "Why does https://example.net/search?q=hello%20world&lang=en%2DGB fail?")],
        [("user", '{"city": "M\\u00fcnchen"} and <p>Terms &amp; conditions</p>')],
        [("system", "You are a helpful assistant."), ("user", "Agenda for 2025-03-14?"),
         ("assistant", "1. Status 2. Risks"), ("user", "Add item 4: budget v2.4.1")],
    ]:
        verdict = _evaluate(pipeline, messages)
        assert verdict.notice is None and verdict.new_body is None, messages


def test_evasion_corpus_is_caught(pipeline):
    """The development corpus end to end: the figures of bench/measure_evasion.py."""
    from bench.measure_evasion import measure
    from tests.corpus.evasion_corpus import TARGETS, generate

    result = measure(pipeline, generate(per_technique=3 * len(TARGETS), benign=120))
    assert result["evasion"]["rate"] >= 0.9
    for technique, c in result["evasion"]["by_technique"].items():
        if not technique.startswith("target:"):
            assert c["rate"] >= 0.75, technique
    assert result["benign"]["touched"] == 0
