"""Every secret rule in rulesets/secrets.yaml proves itself with its own examples.

Tests are parametrised per rule so a failure names the rule. The corpus tests measure
the whole rule set on a generated corpus (always) and on the shared development corpus
(when ../shared/data is present next to the repository).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from aipolicy.detect.secrets import (
    SecretRule,
    SecretRuleSet,
    SecretScanner,
    anchor_example_failures,
    example_failures,
    load_secret_rules,
    pair_example_failures,
)

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "rulesets" / "secrets.yaml"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DEV_CORPUS = SHARED_DATA / "dev_corpus" / "secrets_gitleaks_vectors.jsonl"

# Loaded once at collection: parametrisation needs the rule ids. Examples are checked by
# the tests below (one per rule), not by the loader, so a broken rule names itself.
RULES: SecretRuleSet = load_secret_rules(RULES_FILE, check_examples=False)
RULE_IDS = [rule.id for rule in RULES]


@pytest.fixture(scope="module")
def full_scanner() -> SecretScanner:
    return SecretScanner(RULES)


def _rule(rule_id: str) -> SecretRule:
    return RULES.get(rule_id)


def _load_corpus_module():
    path = ROOT / "tests" / "corpus" / "secrets_corpus.py"
    spec = importlib.util.spec_from_file_location("aipolicy_secrets_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- per rule


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_match_examples_are_found_with_their_span(rule_id: str) -> None:
    rule = _rule(rule_id)
    scanner = SecretScanner(RULES, [rule_id])
    for i, example in enumerate(rule.match_examples, 1):
        start, end = example.secret_span
        found = scanner.scan(example.text)
        assert any(m.rule_id == rule_id and m.start <= start and m.end >= end for m in found), (
            f"{rule_id}: match example {i} (line {example.line}) not found with its secret span"
        )


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_no_match_examples_are_not_found(rule_id: str) -> None:
    rule = _rule(rule_id)
    scanner = SecretScanner(RULES, [rule_id])
    for i, example in enumerate(rule.no_match_examples, 1):
        assert scanner.scan(example.text) == [], (
            f"{rule_id}: no_match example {i} (line {example.line}) was reported"
        )


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_has_enough_examples_and_lower_case_keywords(rule_id: str) -> None:
    rule = _rule(rule_id)
    assert len(rule.match_examples) >= 2
    assert len(rule.no_match_examples) >= 1
    assert all(k == k.lower() for k in rule.keywords)
    assert example_failures(rule, RULES.allowlist) == []


def _adversarial(rule: SecretRule, size: int = 200_000) -> str:
    """Text built to make a backtracking engine work hard on ``rule``.

    Two kinds of pieces, repeated to ``size``: the rule's keywords followed by long runs
    of token characters, separators, quotes, escaped newlines and unterminated PEM
    headers and URLs; and the rule's own match examples with the secret replaced by a
    long almost-secret (the secret repeated, its last character doubled, no terminator).
    """
    keywords = rule.keywords or ("key",)
    runs = ["aB3+/=_-." * 40, "A" * 300, "9" * 300, "x1" * 150, "\\n" * 100, "-" * 300,
            ": " * 100, "a\\n" * 80]
    pieces: list[str] = []
    for kw in keywords[:6]:
        for run in runs:
            pieces.append(f'{kw}{kw.upper()}_{run[:40]} = "{run}\\"{kw}:{run}{kw}')
            pieces.append(f"-----BEGIN {kw.upper()} PRIVATE KEY-----\n{run}\n")
            pieces.append(f"kind: Secret\\n{run}\\n{run}\n")
            pieces.append(f"https://{run[:200]}:{run[:200]}\n")
    for example in rule.match_examples:
        start, end = example.secret_span
        secret = example.text[start:end]
        almost = (secret * (600 // max(len(secret), 1) + 1))[:600] + secret[-1:] * 50
        pieces.append(example.text[:start] + almost)
        pieces.append(example.text.replace("\n", "\\n") * 3)
    block = "".join(pieces)
    return (block * (size // len(block) + 1))[:size]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_adversarial_input_completes(rule_id: str) -> None:
    rule = _rule(rule_id)
    scanner = SecretScanner(RULES, [rule_id])
    result = scanner.scan(_adversarial(rule))
    assert isinstance(result, list)  # completion is the point; no timing asserted


# --------------------------------------------------------------------------- the set


def test_rule_count() -> None:
    assert len(RULES) >= 70


def test_ids_and_labels_are_unique() -> None:
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    labels = [rule.label for rule in RULES]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    assert duplicates == []


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_label_is_human_readable(rule_id: str) -> None:
    label = _rule(rule_id).label
    assert label != rule_id
    assert 3 <= len(label) <= 60
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ./()&'+-]*[A-Za-z0-9)]", label), label
    assert " " in label or label.isalpha(), label  # words, not an identifier
    assert "_" not in label


def test_the_full_rule_set_covers_every_match_example(full_scanner: SecretScanner) -> None:
    missing = []
    for rule in RULES:
        for i, example in enumerate(rule.match_examples, 1):
            start, end = example.secret_span
            if not any(m.start < end and m.end > start for m in full_scanner.scan(example.text)):
                missing.append(f"{rule.id} #{i}")
    assert missing == []


def test_brief_coverage_is_present() -> None:
    """The token families the product promises are all represented by a rule."""
    wanted = {
        "aws-access-key-id", "aws-secret-access-key", "aws-session-token",
        "gcp-service-account-key-id", "gcp-api-key", "azure-storage-account-key",
        "azure-sas-token", "azure-ad-client-secret", "github-pat", "github-fine-grained-pat",
        "github-app-token", "gitlab-pat", "gitlab-token", "gitlab-runner-token",
        "gitlab-pipeline-trigger-token", "bitbucket-app-password", "slack-bot-token",
        "slack-user-token", "slack-app-token", "slack-webhook-url", "discord-bot-token",
        "discord-webhook-url", "teams-webhook-url", "stripe-secret-key", "stripe-webhook-secret",
        "twilio-api-key", "twilio-auth-token", "sendgrid-api-key", "mailgun-api-key",
        "mailchimp-api-key", "npm-access-token", "pypi-upload-token", "rubygems-api-key",
        "nuget-api-key", "docker-hub-token", "atlassian-api-token", "datadog-api-key",
        "new-relic-key", "sentry-token", "pagerduty-api-key", "heroku-api-key",
        "digitalocean-token", "cloudflare-api-token", "cloudflare-global-api-key",
        "vercel-token", "netlify-token", "supabase-key", "shopify-token",
        "square-access-token", "paypal-braintree-token", "okta-api-token",
        "hashicorp-vault-token", "terraform-cloud-token", "doppler-token", "linear-api-key",
        "notion-api-token", "airtable-token", "figma-token", "grafana-token",
        "postman-api-key", "openai-api-key", "anthropic-api-key", "anthropic-admin-api-key",
        "huggingface-access-token", "replicate-api-token", "groq-api-key",
        "perplexity-api-key", "cohere-api-key", "mistral-api-key", "xai-api-key",
        "private-key", "jwt", "database-connection-password", "url-basic-auth",
        "generic-api-key", "generic-password", "named-setting-secret", "password-argument",
        "slack-session-token",
    }
    assert wanted - set(RULE_IDS) == set()


def test_pairs_cover_the_identifiers_the_product_promises() -> None:
    """Secrets recognised by the identifier beside them (issue 11): as pairs, data."""
    anchors = {(pair.anchor, pair.reports) for pair in RULES.pairs}
    assert {("twilio-account-sid", "twilio-auth-token"),
            ("twilio-api-key", "twilio-auth-token"),
            ("aws-access-key-id", "aws-secret-access-key"),
            ("algolia-application-id", "algolia-api-key"),
            ("google-oauth-client-id", "gcp-oauth-client-secret"),
            ("oauth-client-id", "generic-api-key")} <= anchors


@pytest.mark.parametrize("pair_id", [pair.id for pair in RULES.pairs])
def test_pair_examples_behave(pair_id: str) -> None:
    pair = next(p for p in RULES.pairs if p.id == pair_id)
    assert len(pair.match_examples) >= 2 and len(pair.no_match_examples) >= 1
    assert pair_example_failures(pair, RULES) == []


@pytest.mark.parametrize("anchor_id", [anchor.id for anchor in RULES.anchors])
def test_anchor_examples_behave(anchor_id: str) -> None:
    anchor = RULES.anchor(anchor_id)
    assert anchor is not None
    assert anchor_example_failures(anchor, RULES.allowlist) == []


# --------------------------------------------------------------------------- corpora


def test_generated_corpus_recall_and_benign_rate(full_scanner: SecretScanner) -> None:
    corpus_module = _load_corpus_module()
    corpus = corpus_module.generate_corpus()
    assert len(corpus.benign_samples) >= 1000
    result = corpus_module.score(corpus, full_scanner.scan)
    assert result.recall >= 0.98, f"recall {result.recall:.4f}, missed {result.missed[:20]}"
    assert result.benign_touched_rate <= 0.01, f"benign touched: {result.touched[:20]}"


def test_generated_corpus_is_deterministic() -> None:
    corpus_module = _load_corpus_module()
    first = corpus_module.generate_corpus(seed=7, per_type=2, benign=50)
    second = corpus_module.generate_corpus(seed=7, per_type=2, benign=50)
    assert first == second


@pytest.mark.skipif(not DEV_CORPUS.exists(), reason="shared development corpus not present")
def test_dev_corpus_recall(full_scanner: SecretScanner) -> None:
    found = total = 0
    for line in DEV_CORPUS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["label"] != "secret":
            continue
        total += 1
        matches = full_scanner.scan(row["text"])
        if "secret_start" in row:
            s, e = row["secret_start"], row["secret_end"]
            found += any(m.start < e and m.end > s for m in matches)
        else:  # rows defined by file path only: any finding counts
            found += bool(matches)
    assert total > 5000
    assert found / total >= 0.98, f"dev corpus recall {found / total:.4f}"
