"""The evaluation harness (``bench/eval.py``): its arithmetic on a hand-made mini corpus,
through the real ``Pipeline`` with real detectors (custom regexes from the ruleset that
find nothing, exactly the planted values, or everything), and a smoke run on a slice of
the validation corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from aipolicy.detect.pii_rules import load_pii_rules
from bench import eval as ev
from tests.corpus.validation.evasion import TECHNIQUES
from tests.corpus.validation.model import Item, Message, Planted, Span

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "dana.kowalski@brightwater.io"
CARD = "4111 1111 1111 1111"
AWS = "wJalrXUtnFEMI7K7MDENGbPxRfiCYzq2Lk9aTRs8"
SPLIT_A, SPLIT_B = "ghp_7fK2mQ9x", "Lr4TwZ8bN3cV6yH1jD5sA0eU2pG"


def _item(item_id, cls, messages, planted, technique="t", api="openai"):
    msgs = tuple(Message(r, t) for r, t in messages)
    spans = []
    for type_, value, parts in planted:
        found = []
        for part in parts:
            for i, m in enumerate(msgs):
                at = m.text.find(part)
                if at >= 0:
                    found.append(Span(i, at, at + len(part)))
                    break
        spans.append(Planted(type_, type_.lower(), value, tuple(found)))
    return Item(item_id, cls, technique, msgs, tuple(spans), api)


MINI = [
    _item("p1", "pii", [("user", f"Please e-mail {EMAIL} about the refund.")],
          [("EMAIL_ADDRESS", EMAIL, [EMAIL])]),
    _item("p2", "pii", [("system", "You are a billing assistant."),
                        ("user", f"The card {CARD} was declined.")],
          [("CREDIT_CARD", CARD, [CARD])], api="anthropic"),
    _item("s1", "secret", [("user", f"AWS_SECRET_ACCESS_KEY={AWS}\n")],
          [("SECRET", AWS, [AWS])]),
    _item("e1", "evasion", [("user", f"Part one: {SPLIT_A}"), ("assistant", "Go on."),
                            ("user", f"Part two: {SPLIT_B}")],
          [("SECRET", SPLIT_A + SPLIT_B, [SPLIT_A, SPLIT_B])], technique="split-user-messages"),
    _item("e2", "evasion", [("tool", f"first half: {SPLIT_B}"), ("user", f"rest: {SPLIT_A}")],
          [("SECRET", SPLIT_B + SPLIT_A, [SPLIT_B, SPLIT_A])], technique="split-tool-result",
          api="anthropic"),
    _item("b1", "benign", [("user", "Write a haiku about autumn rain.")], [],
          technique="haiku"),
]
PLANTED = [EMAIL, CARD, AWS, SPLIT_A, SPLIT_B]


def _ruleset(tmp_path: Path, name: str, *, regex: str | None, action: str = "redact",
             inspection: bool = True) -> Path:
    """The default ruleset without the model-only types, its file references made absolute;
    with ``regex``, one custom detector is the only data rule (everything else found is
    allowed)."""
    src = ev.DEFAULT_RULESET
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    base = src.parent
    data["catalog"] = str((base / data["catalog"]).resolve())
    data["clients"] = str((base / data["clients"]).resolve())
    insp = data["inspection"]
    insp["pii"]["patterns"] = str((base / insp["pii"]["patterns"]).resolve())
    insp["secrets"]["rules"] = str((base / insp["secrets"]["rules"]).resolve())
    # no spaCy model: names are not what these tests measure, and it keeps them fast
    ner_only = set(load_pii_rules(Path(insp["pii"]["patterns"])).ner.labels.values())
    insp["pii"]["person"] = "off"
    insp["pii"]["entities"] = {k: v for k, v in insp["pii"]["entities"].items()
                               if k not in ner_only}
    for rule in insp["rules"]:
        found = rule.get("when", {}).get("finding")
        if isinstance(found, list):
            rule["when"]["finding"] = [f for f in found if f not in ner_only]
    if not inspection:
        del data["inspection"]
    elif regex is not None:
        insp["custom"] = [{"id": "probe", "label": "test probe", "regex": regex}]
        insp["rules"] = [{"id": "probe-rule", "when": {"finding": ["probe"]}, "action": action,
                          "reason": "test"}]
        insp["default"] = {"action": "allow", "reason": "test"}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _score(path: Path) -> dict:
    harness = ev.Harness(ev.Pipeline(ev.load_ruleset(path)))
    return ev.score([harness.observe(it) for it in MINI])


def test_a_policy_that_finds_nothing_leaks_everything(tmp_path):
    s = _score(_ruleset(tmp_path, "nothing", regex=None, inspection=False))
    for t in ("EMAIL_ADDRESS", "CREDIT_CARD", "SECRET"):
        assert s["types"][t]["recall"] == 0.0 and s["types"][t]["leak_rate"] == 1.0
    assert s["evasion"]["caught"] == 0 and s["evasion"]["items"] == 2
    assert s["benign"] == {"items": 1, "touched": 0, "blocked": 0, "touched_rate": 0.0,
                           "by_kind": {}}
    assert s["findings"]["total"] == 0 and s["findings"]["precision"] is None


def test_a_detector_for_exactly_the_planted_values(tmp_path):
    regex = "|".join(re.escape(v) for v in PLANTED)
    s = _score(_ruleset(tmp_path, "exact", regex=regex))
    for t in ("EMAIL_ADDRESS", "CREDIT_CARD", "SECRET"):
        assert s["types"][t]["recall"] == 1.0 and s["types"][t]["values"] == 1
    assert s["evasion"]["caught_rate"] == 1.0
    assert s["benign"]["touched"] == 0
    assert s["findings"]["by_class"]["CUSTOM"] == {"findings": 7, "correct": 7}


def test_a_detector_for_one_value_leaves_the_others(tmp_path):
    s = _score(_ruleset(tmp_path, "email", regex=re.escape(EMAIL)))
    assert s["types"]["EMAIL_ADDRESS"]["recall"] == 1.0
    assert s["types"]["CREDIT_CARD"]["recall"] == 0.0
    assert s["types"]["SECRET"]["recall"] == 0.0
    # one fragment of a split value gone is enough: it no longer leaks whole
    s = _score(_ruleset(tmp_path, "half", regex=re.escape(SPLIT_A)))
    assert s["evasion"]["caught"] == 2


def test_a_detector_for_everything(tmp_path):
    redact = _score(_ruleset(tmp_path, "all-redact", regex=r"[\s\S]+"))
    assert all(t["recall"] == 1.0 for t in redact["types"].values() if t["values"])
    assert redact["benign"]["touched"] == 1 and redact["benign"]["blocked"] == 0
    # one finding per message (10); the system prompt, the assistant turn and the
    # benign item hold no planted value
    assert redact["findings"]["by_class"]["CUSTOM"] == {"findings": 10, "correct": 7}
    block = _score(_ruleset(tmp_path, "all-block", regex=r"[\s\S]+", action="block"))
    assert block["evasion"]["caught_rate"] == 1.0 and block["benign"]["blocked"] == 1
    assert all(t["leaked"] == 0 for t in block["types"].values())


def test_request_bodies_carry_every_message(tmp_path):
    openai = json.loads(ev.request_body(MINI[3]))
    assert [m["role"] for m in openai["messages"]] == ["user", "assistant", "user"]
    anthropic = json.loads(ev.request_body(MINI[1]))
    assert anthropic["system"] == "You are a billing assistant."
    tool = json.loads(ev.request_body(MINI[4]))
    assert tool["messages"][1]["content"][0]["type"] == "tool_result"
    tool = json.loads(ev.request_body(MINI[4].__class__(**{**MINI[4].__dict__,
                                                           "api": "openai"})))
    assert [m["role"] for m in tool["messages"]] == ["assistant", "tool", "user"]


def test_anchors_run_on_the_mini_corpus():
    ds = ev.detect_secrets_anchor(MINI)
    assert ds["types"]["SECRET"]["span_recall"] == 1.0
    pres = ev.presidio_anchor(MINI)["t=0.0"]
    assert pres["types"]["EMAIL_ADDRESS"]["span_recall"] == 1.0


@pytest.mark.slow
def test_smoke_run_on_a_validation_slice(tmp_path):
    result = ev.evaluate(ev.DEFAULT_RULESET, ["validation"], smoke=True, anchors=False,
                         log=lambda _: None)
    val = result["sets"]["validation"]
    assert set(val["evasion"]["by_technique"]) == set(TECHNIQUES)
    for t in ev.TYPES:
        f = val["types"][t]
        assert f["values"] > 0
        assert f["recall"] + f["leak_rate"] == pytest.approx(1.0)
        for key in ("recall", "span_recall"):
            assert 0.0 <= f[key] <= 1.0
    assert val["benign"]["items"] > 0 and val["inspection_failures"] == 0
    md = ev.render_md(result)
    assert "## Per type" in md and "## Validation: evasion techniques" in md
