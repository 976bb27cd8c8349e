"""Paired credentials: anchors and pairs as data, their validation and their scanning."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from aipolicy.detect.secrets import SecretScanner, load_secret_rules
from aipolicy.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
RULES = load_secret_rules(ROOT / "rulesets" / "secrets.yaml", check_examples=False)

# A rule, an anchor and a pair; messages name lines, found with _line().
VALID = """\
rules:
  - id: demo-token
    label: demo token
    description: A 16-hex demo token after a name.
    regex: 'demo_token=(?P<secret>[a-f0-9]{16})'
    keywords: [demo_token]
    examples:
      match:
        - {text: 'demo_token=0123456789abcdef', secret: 0123456789abcdef}
        - {text: 'demo_token=fedcba9876543210', secret: fedcba9876543210}
      no_match: ['demo_token=short']
anchors:
  - id: demo-account
    description: A demo account id.
    regex: '(?P<anchor>DA[0-9]{8})(?![0-9])'
    keywords: [da]
    allowlist:
      regexes: ['^DA00000000$']
    examples:
      match:
        - 'DA12345678'
        - {text: 'account DA87654321 here', anchor: DA87654321}
      no_match: ['DA00000000', 'DA123']
pairs:
  - id: demo-token-beside-account
    description: A demo token beside its account.
    reports: demo-token
    anchor: demo-account
    partner: '(?<![a-f0-9])(?P<secret>[a-f0-9]{16})(?![a-f0-9])'
    within: 40
    side: after
    entropy: 2
    examples:
      match:
        - {text: 'login(DA12345678, 9f8e7d6c5b4a3921)', secret: 9f8e7d6c5b4a3921}
        - {text: 'DA12345678 / 0a1b2c3d4e5f6789', secret: 0a1b2c3d4e5f6789}
      no_match: ['login(DA00000000, 9f8e7d6c5b4a3921)', '9f8e7d6c5b4a3921 for DA12345678']
"""


def _line(fragment: str) -> int:
    """The line of VALID that holds ``fragment``."""
    return next(i for i, line in enumerate(VALID.splitlines(), 1) if fragment in line)


PAIR = "pairs.demo-token-beside-account"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "secrets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_secret_rules(_write(tmp_path, text))
    return str(info.value)


def _found(scanner: SecretScanner, text: str) -> list[tuple[str, str]]:
    return [(m.rule_id, text[m.start:m.end]) for m in scanner.scan(text)]


# --------------------------------------------------------------------------- validation


def test_valid_file_loads_with_anchors_and_pairs(tmp_path: Path) -> None:
    rules = load_secret_rules(_write(tmp_path, VALID))
    assert [a.id for a in rules.anchors] == ["demo-account"]
    assert [p.id for p in rules.pairs] == ["demo-token-beside-account"]
    assert "9f8e" not in repr(rules) + repr(rules.pairs[0]) + repr(rules.anchors[0])


@pytest.mark.parametrize(("change", "expected"), [
    (("reports: demo-token", "reports: nope"),
     f"secrets.yaml:{_line('- id: demo-token-beside')}: {PAIR}.reports: unknown secret rule "
     "'nope'"),
    (("anchor: demo-account", "anchor: nope"),
     f"secrets.yaml:{_line('- id: demo-token-beside')}: {PAIR}.anchor: unknown anchor or secret "
     "rule 'nope'"),
    (("(?P<secret>[a-f0-9]{16})(?![a-f0-9])'", "([a-f0-9]{16})'"),
     f"secrets.yaml:{_line('partner:')}: {PAIR}.partner: needs a group named secret"),
    (("(?P<secret>[a-f0-9]{16})(?![a-f0-9])'", "(?P<secret>[a-f0-9]+)'"),
     f"secrets.yaml:{_line('partner:')}: {PAIR}.partner: unbounded repetition"),
    (("within: 40", "within: 0"), f"secrets.yaml:{_line('within:')}: {PAIR}.within: must be >= 1"),
    (("within: 40", "within: 9999"),
     f"secrets.yaml:{_line('within:')}: {PAIR}.within: must be <= 2000"),
    (("side: after", "side: around"),
     f"secrets.yaml:{_line('side:')}: {PAIR}.side: 'around' is not one of"),
    (("  - id: demo-account", "  - id: demo-token"),
     "anchors.demo-token.id: duplicate id (first defined on line 2)"),
    (("- {text: 'DA12345678 / 0a1b2c3d4e5f6789', secret: 0a1b2c3d4e5f6789}",
      "- 'DA12345678 / 0a1b2c3d4e5f6789'"),
     f"{PAIR}.examples.match[1]: must be a mapping with text and secret"),
    (("    within: 40\n", ""), f"{PAIR}.within: is required"),
])
def test_broken_pairs_name_file_line_and_field(
        tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    assert change[0] in VALID
    assert expected in _error(tmp_path, VALID.replace(*change))


def test_failing_pair_and_anchor_examples_are_named_without_values(tmp_path: Path) -> None:
    text = VALID.replace("no_match: ['login(DA00000000, 9f8e7d6c5b4a3921)',",
                         "no_match: ['login(DA11111111, 5e4d3c2b1a098765)',")
    text = text.replace("no_match: ['DA00000000', 'DA123']", "no_match: ['DA22222222']")
    message = _error(tmp_path, text)
    line = _line("no_match: ['login(DA00000000")
    assert f"secrets.yaml:{line}: {PAIR}.examples: no_match example 1: matched" in message
    assert "anchors.demo-account.examples: no_match example 1: matched" in message
    assert "5e4d" not in message and "DA2222" not in message


def test_pair_match_example_that_the_pair_cannot_find_is_refused(tmp_path: Path) -> None:
    text = VALID.replace("'login(DA12345678, 9f8e7d6c5b4a3921)'",
                         "'login(DA12345678," + " " * 40 + "9f8e7d6c5b4a3921)'")
    assert f"{PAIR}.examples: match example 1: not found" in _error(tmp_path, text)


# --------------------------------------------------------------------------- scanning


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> SecretScanner:
    path = tmp_path_factory.mktemp("pairs") / "secrets.yaml"
    path.write_text(VALID, encoding="utf-8")
    return SecretScanner(load_secret_rules(path))


def test_partner_within_reach_after_the_anchor_is_reported_as_the_rule(
        demo: SecretScanner) -> None:
    text = "connect(DA12345678, 9f8e7d6c5b4a3921)"
    assert demo.scan(text)[0].label == "demo token"
    assert _found(demo, text) == [("demo-token", "9f8e7d6c5b4a3921")]


@pytest.mark.parametrize("text", [
    "connect(DA12345678," + " " * 45 + "9f8e7d6c5b4a3921)",  # too far
    "9f8e7d6c5b4a3921 belongs to DA12345678",  # before, and the pair says after
    "connect(DA00000000, 9f8e7d6c5b4a3921)",  # the anchor is allowlisted
    "connect(DA12345678, xxxxxxxxxxxxxxxx)",  # a placeholder (the set's allowlist)
    "connect(DA12345678, 0000000000000000)",  # below the pair's entropy
    "9f8e7d6c5b4a3921",  # no anchor at all
])
def test_partner_needs_a_valid_anchor_on_its_side_within_reach(
        demo: SecretScanner, text: str) -> None:
    assert demo.scan(text) == []


def test_a_partner_never_overlaps_an_anchor(tmp_path: Path) -> None:
    # The partner's shape also fits inside the anchor: never reported there.
    text = VALID.replace("(?<![a-f0-9])(?P<secret>[a-f0-9]{16})(?![a-f0-9])",
                         "(?P<secret>[0-9]{4})").replace("entropy: 2", "entropy: 1").replace(
        "9f8e7d6c5b4a3921", "4821").replace("0a1b2c3d4e5f6789", "7093").replace(
        "side: after", "side: either")
    scanner = SecretScanner(load_secret_rules(_write(tmp_path, text), check_examples=False))
    assert _found(scanner, "DA12345678 x 4821") == [("demo-token", "4821")]
    assert _found(scanner, "DA12345678") == []


def test_a_pair_counts_only_while_its_reported_rule_is_enabled() -> None:
    text = ('client = Client("ACcc6577428c2f6d6bc64e5a22fac180d6", '
            '"b2e6e1b465e551305fd2d2490ca4c616")')
    enabled = [r for r in RULES.ids if r != "twilio-auth-token"]
    assert SecretScanner(RULES, enabled).scan(text) == []
    assert _found(SecretScanner(RULES), text) == [
        ("twilio-auth-token", "b2e6e1b465e551305fd2d2490ca4c616")]


def test_a_rule_anchors_its_pair_even_when_that_rule_is_disabled() -> None:
    text = ('creds = new BasicAWSCredentials("AKIA4NQ25SMBGTECD2TX", '
            '"GAJ7Wx98vjE6boQ/jQaJbO0HvrgYegRDLu4h1Dyo");')
    full = _found(SecretScanner(RULES), text)
    assert full == [("aws-access-key-id", "AKIA4NQ25SMBGTECD2TX"),
                    ("aws-secret-access-key", "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")]
    enabled = [r for r in RULES.ids if r != "aws-access-key-id"]
    assert full[1] in _found(SecretScanner(RULES, enabled), text)


def test_documentation_anchor_anchors_nothing() -> None:
    text = "AKIAIOSFODNN7EXAMPLE GAJ7Wx98vjE6boQ/jQaJbO0HvrgYegRDLu4h1Dyo"
    assert SecretScanner(RULES).scan(text) == []


def test_pairs_with_and_without_the_prefilter_agree() -> None:
    rng = random.Random(5)
    hexes = "0123456789abcdef"
    pieces = []
    for _ in range(300):
        sid = "AC" + "".join(rng.choice(hexes) for _ in range(32))
        token = "".join(rng.choice(hexes) for _ in range(32))
        gap = " " * rng.randrange(0, 200)
        pieces.append(rng.choice([f'Client("{sid}",{gap}"{token}")', f"{token}{gap}{sid}",
                                  f"{sid}{gap}", f"{token} ", "words in between. "]))
    text = "".join(pieces)
    fast = SecretScanner(RULES).scan(text)
    assert fast == SecretScanner(RULES, prefilter=False).scan(text)
    assert any(m.rule_id == "twilio-auth-token" for m in fast)


def test_many_anchors_complete() -> None:
    # Every anchor's stretch is searched, once: overlapping stretches are merged.
    text = "ACcc6577428c2f6d6bc64e5a22fac180d6 " * 20_000
    assert SecretScanner(RULES).scan(text) == []


def test_pair_spans_lists_what_pairs_alone_find() -> None:
    scanner = SecretScanner(RULES, prefilter=False)
    text = "TWILIO_AUTH_TOKEN=b2e6e1b465e551305fd2d2490ca4c616 no sid"
    assert scanner.pair_spans(text) == []
    assert [m.rule_id for m in scanner.scan(text)] == ["twilio-auth-token"]
