"""The secret rule loader and scanner: validation, overlaps, prefilter, hard cases."""

from __future__ import annotations

import importlib.util
import random
import re
import sys
import textwrap
from pathlib import Path

import pytest

from aipolicy.detect.entropy import shannon_entropy
from aipolicy.detect.prefilter import Window
from aipolicy.detect.secret_checks import Allowlist, combine
from aipolicy.detect.secrets import (
    SecretMatch,
    SecretRuleSet,
    SecretScanner,
    _may_start,
    load_secret_rules,
)
from aipolicy.errors import ConfigError
from tests.unit.concurrency import errors_in_threads

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "rulesets" / "secrets.yaml"

# A valid two-rule file the validation tests break one thing at a time. Line numbers
# matter: "regex" of the first rule is on line 5, its "keywords" on line 6.
VALID = """\
rules:
  - id: demo-token
    label: demo token
    description: A demo token.
    regex: '(?P<secret>dmo_[a-z0-9]{20})'
    keywords: [dmo_]
    examples:
      match: ['dmo_abcdefghij0123456789', 'dmo_0123456789abcdefghij']
      no_match: ['dmo_short']
  - id: demo-generic
    label: demo generic
    description: A catch-all.
    regex: 'secret=(?P<secret>[a-z0-9_]{8,40})'
    keywords: [secret=]
    generic: true
    examples:
      match:
        - {text: 'secret=abcdef123456', secret: abcdef123456}
        - {text: 'secret=qwerty987654', secret: qwerty987654}
      no_match: ['secret=abc']
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "secrets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_secret_rules(_write(tmp_path, text))
    return str(info.value)


# Loaded once: a rule set compiles its Hyperscan prefilter on first use (about a second).
RULES = load_secret_rules(RULES_FILE, check_examples=False)


@pytest.fixture(scope="module")
def scanner() -> SecretScanner:
    return SecretScanner(RULES)


def _found(scanner: SecretScanner, text: str) -> list[tuple[str, str]]:
    return [(m.rule_id, text[m.start:m.end]) for m in scanner.scan(text)]


# --------------------------------------------------------------------------- validation


def test_valid_file_loads(tmp_path: Path) -> None:
    rules = load_secret_rules(_write(tmp_path, VALID))
    assert [r.id for r in rules] == ["demo-token", "demo-generic"]
    assert rules.get("demo-generic").generic


def test_unknown_key_names_file_line_and_field(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("    keywords: [dmo_]\n",
                                             "    keywords: [dmo_]\n    colour: red\n"))
    assert "secrets.yaml:7: rules.demo-token.colour: unknown key 'colour'" in message


def test_bad_regex_names_file_line_and_field(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("[a-z0-9]{20})'", "[a-z0-9]{20}'"))
    assert "secrets.yaml:5: rules.demo-token.regex: invalid regular expression" in message


def test_unbounded_repetition_is_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("[a-z0-9]{20})'", "[a-z0-9]+)'"))
    assert "secrets.yaml:5: rules.demo-token.regex: unbounded repetition" in message


def test_duplicate_id(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("id: demo-generic", "id: demo-token"))
    assert "secrets.yaml:10: rules.demo-token.id: duplicate id (first defined on line 2)" in (
        message)


def test_missing_examples(tmp_path: Path) -> None:
    text = VALID.replace(
        "    examples:\n      match: ['dmo_abcdefghij0123456789', 'dmo_0123456789abcdefghij']\n"
        "      no_match: ['dmo_short']\n", "")
    message = _error(tmp_path, text)
    assert "secrets.yaml:2: rules.demo-token.examples: is required" in message


def test_too_few_match_examples(tmp_path: Path) -> None:
    text = VALID.replace("match: ['dmo_abcdefghij0123456789', 'dmo_0123456789abcdefghij']",
                         "match: ['dmo_abcdefghij0123456789']")
    message = _error(tmp_path, text)
    assert "secrets.yaml:8: rules.demo-token.examples.match: needs at least 2" in message


def test_unknown_validator(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("    keywords: [dmo_]\n",
                                             "    keywords: [dmo_]\n    validate: crc99\n"))
    assert "secrets.yaml:7: rules.demo-token.validate: 'crc99' is not one of" in message


def test_keywords_must_be_lower_case(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("keywords: [dmo_]", "keywords: [DMO_]"))
    assert "secrets.yaml:6: rules.demo-token.keywords[0]: keywords must be lower-case" in message


def test_unknown_macro(tmp_path: Path) -> None:
    text = "macros:\n  B: '\\b'\n" + VALID.replace("'(?P<secret>dmo_", "'{{NOPE}}(?P<secret>dmo_")
    message = _error(tmp_path, text)
    assert "secrets.yaml:7: rules.demo-token.regex: unknown macro(s): NOPE" in message


def test_macros_expand(tmp_path: Path) -> None:
    text = "macros:\n  PFX: 'dmo_'\n" + VALID.replace("'(?P<secret>dmo_", "'(?P<secret>{{PFX}}")
    rules = load_secret_rules(_write(tmp_path, text))
    assert rules.get("demo-token").pattern.pattern.startswith("(?P<secret>dmo_")


def test_failing_example_is_reported_without_its_text(tmp_path: Path) -> None:
    text = VALID.replace("no_match: ['dmo_short']", "no_match: ['dmo_zzzzzzzzzzzz99999999']")
    message = _error(tmp_path, text)
    assert "secrets.yaml:9: rules.demo-token.examples: no_match example 1: matched" in message
    assert "zzzz" not in message  # values never appear in errors


def test_example_secret_must_be_part_of_its_text(tmp_path: Path) -> None:
    text = VALID.replace("'dmo_0123456789abcdefghij'",
                         "{text: 'dmo_0123456789abcdefghij', secret: nothere}")
    message = _error(tmp_path, text)
    assert "rules.demo-token.examples.match[1].secret: is not part of the text" in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace("keywords: [dmo_]", "keywords: [DMO_]").replace(
        "validate", "x").replace("id: demo-generic", "id: Demo Generic")
    message = _error(tmp_path, text)
    assert "keywords must be lower-case" in message and "rules.Demo Generic.id" in message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_secret_rules(tmp_path / "absent.yaml")


# --------------------------------------------------------------------------- scanning


def test_overlap_specific_rule_wins_over_generic(tmp_path: Path) -> None:
    text = VALID.replace("regex: 'secret=(?P<secret>[a-z0-9_]{8,40})'",
                         "regex: 'secret=(?P<secret>[a-z0-9_]{8,40})'")
    rules = load_secret_rules(_write(tmp_path, text))
    found = SecretScanner(rules).scan("secret=dmo_abcdefghij0123456789 and secret=zzzz12345678")
    assert [(m.rule_id, m.start, m.end) for m in found] == [
        ("demo-token", 7, 31), ("demo-generic", 43, 55)]


def test_overlap_longer_match_wins_and_results_are_sorted(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        rules:
          - id: short-one
            label: short one
            description: d
            regex: 'tok_[a-z]{4}'
            keywords: [tok_]
            examples: {match: ['tok_abcd', 'tok_wxyz'], no_match: ['tok_']}
          - id: long-one
            label: long one
            description: d
            regex: 'tok_[a-z]{4}[0-9]{4}'
            keywords: [tok_]
            examples: {match: ['tok_abcd1234', 'tok_wxyz9876'], no_match: ['tok_ab']}
        """)
    rules = load_secret_rules(_write(tmp_path, text))
    found = SecretScanner(rules).scan("b tok_wxyz a tok_abcd1234")
    assert [(m.rule_id, m.start) for m in found] == [("short-one", 2), ("long-one", 13)]


def test_keyword_prefilter_gates_the_regex(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        rules:
          - id: gated
            label: gated rule
            description: The value itself does not contain the keyword.
            regex: '\\b(?P<secret>[0-9a-f]{32})\\b'
            keywords: [vendorx]
            examples:
              match:
                - text: 'VendorX key 0123456789abcdef0123456789abcdef'
                  secret: 0123456789abcdef0123456789abcdef
                - text: 'vendorx 0123456789abcdef0123456789abcde0'
                  secret: 0123456789abcdef0123456789abcde0
              no_match: ['0123456789abcdef0123456789abcdef']
        """)
    rules = load_secret_rules(_write(tmp_path, text))
    scanner = SecretScanner(rules)
    value = "0123456789abcdef0123456789abcdef"
    assert scanner.scan(f"key {value}") == []  # no keyword: the regex never runs
    assert len(scanner.scan(f"VENDORX key {value}")) == 1  # case-insensitive keyword


def test_enabled_subset_and_unknown_ids() -> None:
    rules = RULES
    only = SecretScanner(rules, ["github-pat"])
    assert only.rule_ids == ("github-pat",)
    assert only.scan("AKIA" + "QWERTYUIOPASDFGH") == []
    with pytest.raises(KeyError, match="no-such-rule"):
        SecretScanner(rules, ["github-pat", "no-such-rule"])


def test_match_far_into_a_large_text_has_exact_offsets(scanner: SecretScanner) -> None:
    token = "ghp_Xq7Lm2Np9Rt4Vw8Yz3Bc6Df1Gh5Jk0Ms2Qa7"
    filler = "lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 2000
    text = filler + token + " " + filler
    found = scanner.scan(text)
    assert [(m.rule_id, m.start, m.end) for m in found] == [
        ("github-pat", len(filler), len(filler) + len(token))]


def test_offsets_stay_exact_when_lowercasing_changes_length(scanner: SecretScanner) -> None:
    token = "ghp_Pz4Kx8Wn2Lc6Hv9Rm3Tq7Bd1Fs5Jy0Ge4Ua8"
    text = "İstanbul office: " + token  # 'İ'.lower() is two characters
    found = scanner.scan(text)
    assert [(m.start, m.end) for m in found] == [(17, 17 + len(token))]


RSA_BODY = [
    "MIIEowIBAAKCAQEAv6FzDk1P0xQm2c9k3XbHqL8sT5wN7rJ4yU2iO9pA1dF6gH3jK",
    "8lZ5xC0vB7nM2qW4eR6tY9uI1oP3aS5dF7gH9jK2lZ4xC6vB8nM0qW2eR4tY6uI8",
    "oP0aS2dF4gH6jK8lZ0xC2vB4nM6qW8eR0tY2uI4oP6aS8dF0gH2jK4lZ6xC8vB0n",
    "M2qW4eR6tY8uI0oP2aS4dF6gH8jK0lZ2xC4vB6nM8qW0eR2tY4uI6oP8aS0dF2g==",
]


def test_pem_key_with_real_newlines(scanner: SecretScanner) -> None:
    key = ("-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(RSA_BODY)
           + "\n-----END RSA PRIVATE KEY-----")
    text = f"Why does ssh reject this key?\n\n{key}\n\nThanks"
    found = scanner.scan(text)
    assert [(m.rule_id, text[m.start:m.end]) for m in found] == [("private-key", key)]


def test_pem_key_inside_json_escaped_string(scanner: SecretScanner) -> None:
    # How prompts usually carry keys: a JSON string where each newline is the two
    # characters backslash and n.
    key = ("-----BEGIN PRIVATE KEY-----\\n" + "\\n".join(RSA_BODY)
           + "\\n-----END PRIVATE KEY-----")
    text = '{"type": "service_account", "private_key": "' + key + '\\n", "client_id": "1"}'
    found = scanner.scan(text)
    assert ("private-key", key) in _found(scanner, text)
    assert len(found) == 1


def test_pem_key_cut_off_before_its_end_line_is_still_found(scanner: SecretScanner) -> None:
    text = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(RSA_BODY[:2]) + "\n(rest omitted)"
    assert [rule for rule, _ in _found(scanner, text)] == ["private-key"]


def test_certificates_and_public_keys_are_not_private_keys(scanner: SecretScanner) -> None:
    for label in ("CERTIFICATE", "PUBLIC KEY", "RSA PUBLIC KEY"):
        text = f"-----BEGIN {label}-----\n" + "\n".join(RSA_BODY) + f"\n-----END {label}-----"
        assert scanner.scan(text) == []


HARD_NEGATIVES = [
    "request_id=550e8400-e29b-41d4-a716-446655440000 user=8c6f1d0e-5b2a-4e7f-9a3c-2d1b0f9e8a7c",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 reverts 1a2b3c4d5e6f",
    "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "image: ghcr.io/acme/api@sha256:"
    "4f1c2b8e9d7a6c5b3e2f1a0d9c8b7a6e5f4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b",
    "Upgrade from 2.14.3 to 3.0.0-rc.1; requires python==3.12.4 and numpy>=1.26.4",
    '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42m'
    'NkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==">',
    "Order ORD-2024-884213, invoice INV-0098821443, tracking 1Z999AA10123456784",
    "AKIAIOSFODNN7EXAMPLE",
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = "
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "OPENAI_API_KEY=sk-xxxx",
    "sk-xxxx",
    "${API_KEY}",
    "api_key: ${API_KEY}",
    "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "password: ********",
    "api_key = os.environ['OPENAI_API_KEY']",
    "const token = process.env.SLACK_TOKEN;",
    "Authorization: Bearer <your-token>",
    "AbstractSingletonProxyFactoryBeanConfigurationProviderImplementation.getObjectType",
    '"integrity": "sha512-QRP2Y+Xx3m1i4y3p5Z6l4p8n6s8HkMwwBe2/Ae8J0u7Y6Q5hD7r0q0gKp2F5t5Yp3l7R7X'
    '3mB1Ow5KjO3Pq3Rw=="',
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl sam@laptop",
    "max_tokens: 1024\ntoken_type: bearer\nexpires_in: 3600",
    "The password must be at least 12 characters and the API key is stored in Vault.",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_produce_nothing(scanner: SecretScanner, text: str) -> None:
    assert _found(scanner, text) == []


@pytest.mark.parametrize(
    ("text", "rule_id", "value"),
    [
        ("export AWS_ACCESS_KEY_ID=AKIA2E3NWQ7HZLXK5PRM", "aws-access-key-id",
         "AKIA2E3NWQ7HZLXK5PRM"),
        ("my github token is ghp_R2d2C3poBB8Luke5Leia9Han0Solo7Chewie", "github-pat",
         "ghp_R2d2C3poBB8Luke5Leia9Han0Solo7Chewie"),
        ("DATABASE_URL=postgres://orders:Vq8#Lm2xPz91@db.internal:5432/orders",
         "database-connection-password", "Vq8#Lm2xPz91"),
        ("the staging password is Kx9!pLm2Qa7z", "generic-password", "Kx9!pLm2Qa7z"),
    ],
)
def test_typical_prompts_are_found(
    scanner: SecretScanner, text: str, rule_id: str, value: str
) -> None:
    assert (rule_id, value) in _found(scanner, text)


def test_jwt_needs_a_json_header_with_alg(scanner: SecretScanner) -> None:
    real = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NSIsImlhdCI6MTcwMDAwMDAwMH0."
            "dBjftJeZ4CVPmB92K27uhbUJU1p1rwW1gFWFOEjXk0c")
    fake = "eyJub3QiOiJqd3QifQ.eyJzdWIiOiIxMjM0NSJ9.dBjftJeZ4CVPmB92K27uhbUJU1p1rwW1gFWF"
    assert _found(scanner, f"token={real}") == [("jwt", real)]
    assert [r for r, _ in _found(scanner, f"see {fake} here")] == []


def test_reprs_and_errors_carry_no_values() -> None:
    rules = RULES
    rule = rules.get("github-pat")
    match = SecretMatch("github-pat", "GitHub personal access token", 3, 43)
    assert "ghp_" not in repr(rule) and "ghp_" not in repr(rules)
    assert repr(match) == ("SecretMatch(rule_id='github-pat', label='GitHub personal access "
                           "token', start=3, end=43)")
    assert "ghp_" not in repr(rule.match_examples[0])


def test_empty_rule_set_and_empty_text(scanner: SecretScanner) -> None:
    empty = SecretScanner(SecretRuleSet((), RULES.allowlist, "<none>"))
    assert empty.scan("ghp_" + "a1" * 18) == []
    assert scanner.scan("") == []


def test_allowlist_regexes_with_backreferences_are_not_joined() -> None:
    # Joined into one alternation, "\\1" would name another pattern's group.
    allow = Allowlist((re.compile(r"^(x)y$"), re.compile(r"^(\w)\1{3}$")), (), ())
    assert allow.allows("aaaa", "aaaa", "") and allow.allows("xy", "xy", "")
    assert not allow.allows("xxxx-", "xxxx-", "") and not allow.allows("abab", "abab", "")
    assert len(combine([re.compile("a"), re.compile("b"), re.compile(r"(c)\1")])) == 2


def test_may_start_finds_a_window_by_binary_search_as_a_scan_would() -> None:
    rng = random.Random(9)
    for _ in range(300):
        windows, pos = [], 0
        for _ in range(rng.randrange(0, 12)):  # disjoint, in text order
            start = pos + rng.randrange(0, 20)
            last = start + rng.randrange(0, 15)
            windows.append(Window(start, last + rng.randrange(0, 30), last))
            pos = last + 1
        start = rng.randrange(0, pos + 20)
        end = start + rng.randrange(1, 40)
        expected = any(w.start < end and w.last_start >= start for w in windows)
        assert _may_start(windows, start, end) is expected


def test_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaaaaaa") == 0.0
    assert shannon_entropy("abcd") == 2.0
    assert shannon_entropy("password") == pytest.approx(2.75)


# --------------------------------------------------------------------------- prefilter

# Rules Hyperscan cannot prefilter are searched over the whole text (slow on large
# inputs). Keep this list short and explicit: a new entry must be a decision.
WHOLE_TEXT_RULES: tuple[str, ...] = ()


def test_rules_searched_over_the_whole_text_are_the_listed_ones(scanner: SecretScanner) -> None:
    assert scanner.whole_text_rule_ids == WHOLE_TEXT_RULES


def _corpus_texts() -> list[str]:
    """Examples, corpus samples and variants (cases, non-ASCII, cut-offs, long texts)."""
    path = ROOT / "tests" / "corpus" / "secrets_corpus.py"
    spec = importlib.util.spec_from_file_location("aipolicy_secrets_corpus_engine", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    corpus = module.generate_corpus(seed=11, per_type=1, benign=150)
    texts = [s.text for s in corpus.secret_samples] + [s.text for s in corpus.benign_samples]
    for rule in RULES:
        texts += [e.text for e in rule.match_examples + rule.no_match_examples]
    texts += HARD_NEGATIVES
    rng = random.Random(3)
    variants: list[str] = []
    for text in texts:
        roll = rng.random()
        if roll < 0.2:
            variants.append(text.upper())
        elif roll < 0.4:
            chars = list(text)
            for _ in range(3):
                if chars:
                    chars[rng.randrange(len(chars))] = rng.choice("éİıſ\u212a漢\u00a0\x1c")
            variants.append("".join(chars))
        elif roll < 0.5 and len(text) > 8:
            cut = rng.randrange(len(text))
            variants += [text[:cut], text[cut:]]
    texts += variants
    rng.shuffle(texts)
    # Long texts, past the size where keywords and stopwords are found in one pass.
    texts += ["\n".join(texts[i:i + 120]) for i in range(0, 600, 120)]
    return texts


CORPUS_TEXTS = _corpus_texts()


def test_prefilter_finds_exactly_what_a_whole_text_search_finds(scanner: SecretScanner) -> None:
    reference = SecretScanner(RULES, prefilter=False)
    differences = [
        i for i, text in enumerate(CORPUS_TEXTS) if scanner.scan(text) != reference.scan(text)
    ]
    assert differences == []


def test_an_enabled_subset_shares_the_set_prefilter(scanner: SecretScanner) -> None:
    subset = SecretScanner(RULES, ["generic-api-key", "github-pat", "jwt"])
    assert RULES.prefilter() is RULES.prefilter()
    for text in CORPUS_TEXTS[:400]:
        assert subset.scan(text) == SecretScanner(
            RULES, ["generic-api-key", "github-pat", "jwt"], prefilter=False).scan(text)


def test_scan_from_many_threads(scanner: SecretScanner) -> None:
    texts = CORPUS_TEXTS[:300]
    expected = [scanner.scan(text) for text in texts]

    def work() -> None:
        for text, want in zip(texts, expected, strict=True):
            assert scanner.scan(text) == want

    assert errors_in_threads(work) == []


def test_generic_match_around_a_specific_secret_is_not_reported_twice(
    scanner: SecretScanner,
) -> None:
    token = "ghp_Xq7Lm2Np9Rt4Vw8Yz3Bc6Df1Gh5Jk0Ms2Qa7"
    text = f"export GITHUB_TOKEN={token}\napi_key = 'Zr8#Lq2@Vx9!Mn4$'"
    assert _found(scanner, text) == [("github-pat", token), ("generic-api-key", "Zr8#Lq2@Vx9!Mn4$")]


def test_allowlist_regex_matching_anywhere_is_honoured_in_long_texts(
    scanner: SecretScanner,
) -> None:
    # The set allowlist has regexes that match anywhere in a value (masked values,
    # environment lookups); their prefilter windows come from the whole text.
    filler = "nothing to see here, just words. " * 800
    text = filler + "api_key = 'sk_live_xxxxxxxx1234'\n" + filler + "token = 'Qm9#pL2@zX8!rT5$'"
    assert _found(scanner, text) == [("generic-api-key", "Qm9#pL2@zX8!rT5$")]


@pytest.mark.parametrize("tail", [40, 68, 200])
def test_dotted_runs_of_capitals_do_not_backtrack(scanner: SecretScanner, tail: int) -> None:
    # The dotted-code-reference allowlist once tried every split of a long run of
    # capitals: this 100-character value took ten minutes. A pasted value must never
    # hold a scanner that long (the request would fail on its time budget).
    text = 'TOKEN = "' + "X" * 14 + ".ATLASV1." + "X" * tail + '"'
    assert scanner.scan(text) == SecretScanner(RULES, prefilter=False).scan(text)
