"""The validation corpus is frozen, labelled exactly, and covers what issue 11 names."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.corpus.validation import generate, manifest
from tests.corpus.validation.evasion import TECHNIQUES
from tests.corpus.validation.model import check
from tests.corpus.validation.numbers import luhn_ok

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "tests" / "corpus" / "validation" / "manifest.json"


@pytest.fixture(scope="module")
def items():
    return generate()


def test_output_matches_the_committed_manifest(items):
    expected = json.loads(MANIFEST.read_text(encoding="utf-8"))
    got = manifest(items)
    assert got == expected, (
        "the validation corpus changed; if that was intended, run "
        "`python -m tests.corpus.validation --write-manifest` and say why in the commit")


def test_output_does_not_depend_on_hash_randomisation(items):
    code = "from tests.corpus.validation import generate, digest; print(digest(generate()))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    assert out == manifest(items)["sha256"]


def test_every_item_holds_its_invariants(items):
    ids = [it.id for it in items]
    assert len(set(ids)) == len(ids)
    for it in items:
        check(it)
        for p in it.planted:
            for s in p.spans:
                assert it.messages[s.message].text[s.start:s.end]


def test_values_are_real_shapes(items):
    for it in items:
        for p in it.scored:
            if p.type == "CREDIT_CARD":  # evasion items keep the grouping they encode
                digits = re.sub(r"[ .-]", "", p.value)
                assert digits.isdigit() and 13 <= len(digits) <= 19 and luhn_ok(digits)
            if p.type == "IBAN_CODE":
                v = p.value.replace(" ", "")
                digits = "".join(str(int(c, 36)) for c in v[4:] + v[:4])
                assert int(digits) % 97 == 1, p.value


def test_coverage(items):
    m = manifest(items)
    assert 1000 <= m["items"] <= 1500
    assert m["secret_kinds"] >= 37
    techniques = Counter(it.technique for it in items if it.cls == "evasion")
    assert set(techniques) == set(TECHNIQUES) and len(TECHNIQUES) >= 16
    types = {p.type for it in items for p in it.scored}
    assert {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE",
            "IP_ADDRESS", "DATE_OF_BIRTH", "PASSPORT", "US_DRIVER_LICENSE", "STREET_ADDRESS",
            "SECRET"} <= types
    csv_sizes = [len(it.messages[0].text) for it in items if it.technique == "csv"]
    assert min(csv_sizes) >= 4_500 and max(csv_sizes) <= 24_000
    card_schemes = {p.kind.split("-", 1)[1].split("/")[0] for it in items for p in it.scored
                    if p.type == "CREDIT_CARD" and p.kind.startswith("table-")}
    assert {"visa", "mastercard-2", "amex", "jcb", "diners", "unionpay", "maestro",
            "discover"} <= card_schemes
    multi = [it for it in items if len(it.messages) > 1]
    assert {it.technique for it in multi} >= {"split-system-user", "split-user-messages",
                                              "split-tool-result", "agent-prompt"}
    assert Counter(it.api for it in items)["anthropic"] > 200
