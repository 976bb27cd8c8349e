"""The real coding agents through the real proxy (default ruleset) against the stand-in.

Claude Code (`claude -p`), Codex (`codex exec`, Responses over HTTPS) and aider
(`aider --message`), pinned in clients/ and installed by `make clients`; skipped with the
reason when they are not installed. A benign prompt must reach the stand-in and its answer
reach the user; a prompt with a secret must be blocked, the user must see why, and the
secret must reach nothing upstream.

Only behaviour that is right is asserted here. What is wrong today, and left to issue 12:
Claude Code prefixes the notice with "Failed to authenticate." and counts its own
attribution lines as personal data; Codex retries the blocked request 5 times (6
requests) and prints the notice twice; aider (litellm maps an OpenAI 403 to a retryable
APIError) retries 8 times with backoff, about a minute, and prints the notice 9 times.
"""

from __future__ import annotations

import re

import pytest

from .clients import (
    AIDER,
    CLAUDE_CODE,
    CODEX,
    CODEX_DEFAULT,
    ClientProfile,
    ClientRun,
    run_client,
)
from .proxy_harness import ROOT, RunningProxy, start_proxy
from .standin.replies import DEFAULT_REPLY

BENIGN = "Explain in two sentences what a Python list comprehension is."
AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"  # synthetic, well-formed
AWS_SECRET = "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"
WITH_SECRET = (f"Why does boto3 reject these? aws_access_key_id = {AWS_KEY} "
               f"aws_secret_access_key = {AWS_SECRET}")
SECRET_REASON = "Credentials and keys must never be sent to AI services."
REFERENCE = re.compile(r"AIP-[A-Z0-9]{10}")


@pytest.fixture(scope="module")
def default_proxy(tmp_path_factory, standin, standin_pki) -> RunningProxy:
    """The proxy with the shipped default ruleset: what a company starts from (one scan
    worker: these clients send one request at a time)."""
    p = start_proxy(tmp_path_factory.mktemp("clients-proxy"), ROOT / "rulesets" / "default.yaml",
                    standin.port, standin_pki.ca_cert,
                    extra_args=["--set", "aipolicy_scan_workers=1"], timeout=180)
    yield p
    p.stop()


def _run(profile: ClientProfile, prompt: str, proxy, standin, tmp_path,
         timeout: float = 150) -> ClientRun:
    if reason := profile.missing():
        pytest.skip(reason)
    run = run_client(profile, prompt, proxy, standin, tmp_path / profile.name, timeout)
    assert not run.timed_out, f"{profile.name} did not finish in {timeout}s:\n{run.output[-3000:]}"
    return run


def _assert_answered(run: ClientRun, host: str, path: str) -> None:
    assert run.exit_code == 0, run.output[-3000:]
    assert DEFAULT_REPLY in run.stdout
    sent = [r for r in run.to(host, path, "POST") if BENIGN.encode() in r.decoded_body()]
    assert sent, f"the prompt never reached {host}{path}"


def _assert_secret_blocked(run: ClientRun, proxy: RunningProxy, path: str) -> list[dict]:
    """The user sees why, with a reference the audit log knows; the secret reaches
    nothing upstream (no request at all on the blocked path). Returns the blocks."""
    shown = run.output
    assert SECRET_REASON in " ".join(shown.split()), shown[-3000:]  # aider wraps lines
    refs = set(REFERENCE.findall(shown))
    assert refs, shown[-3000:]
    blocks = [proxy.wait_audit(lambda r, ref=ref: r["reference"] == ref) for ref in refs]
    for rec in blocks:
        assert rec["action"] == "block" and rec["rule"] == "secrets-block"
        assert rec["path"] == path
        assert rec["findings"]["aws-access-key-id"] == 1
        assert rec["findings"]["aws-secret-access-key"] == 1
    assert not [r for r in run.requests if r.path.startswith(path) and r.method == "POST"]
    for req in run.requests:
        body = req.decoded_body()
        assert AWS_KEY.encode() not in body and AWS_SECRET.encode() not in body, req.path
    assert AWS_KEY not in proxy.audit_path.read_text()
    return blocks


def test_claude_code_answers_through_the_proxy(default_proxy, standin, tmp_path):
    run = _run(CLAUDE_CODE, BENIGN, default_proxy, standin, tmp_path)
    _assert_answered(run, "api.anthropic.com", "/v1/messages")
    # Its start-up calls and telemetry went through too (answered by the stand-in's 404).
    assert run.to("api.anthropic.com", "/api/event_logging/", "POST")


def test_claude_code_secret_blocked(default_proxy, standin, tmp_path):
    run = _run(CLAUDE_CODE, WITH_SECRET, default_proxy, standin, tmp_path)
    assert run.exit_code != 0
    blocks = _assert_secret_blocked(run, default_proxy, "/v1/messages")
    assert len(blocks) == 1  # a 403 is not retried
    assert DEFAULT_REPLY not in run.stdout


def test_codex_answers_through_the_proxy(default_proxy, standin, tmp_path):
    run = _run(CODEX, BENIGN, default_proxy, standin, tmp_path)
    _assert_answered(run, "api.openai.com", "/v1/responses")
    # Over HTTPS from the start: no WebSocket upgrade was tried.
    assert not [r for r in run.requests if r.header("upgrade")]


def test_codex_default_config_answers_through_the_proxy(default_proxy, standin, tmp_path):
    """Codex as installed tries a WebSocket to api.openai.com first; through the proxy it
    gets an answer either way (today over its HTTPS fallback: the stand-in refuses the
    upgrade with the vendor's 404)."""
    run = _run(CODEX_DEFAULT, BENIGN, default_proxy, standin, tmp_path)
    assert run.exit_code == 0, run.output[-3000:]
    assert DEFAULT_REPLY in run.stdout
    assert run.to("api.openai.com", "/v1/responses")


def test_codex_secret_blocked(default_proxy, standin, tmp_path):
    run = _run(CODEX, WITH_SECRET, default_proxy, standin, tmp_path)
    assert run.exit_code != 0
    _assert_secret_blocked(run, default_proxy, "/v1/responses")
    assert DEFAULT_REPLY not in run.stdout


def test_aider_answers_through_the_proxy(default_proxy, standin, tmp_path):
    run = _run(AIDER, BENIGN, default_proxy, standin, tmp_path)
    _assert_answered(run, "api.openai.com", "/v1/chat/completions")


@pytest.mark.slow  # aider retries the block with backoff for about a minute (issue 12)
def test_aider_secret_blocked(default_proxy, standin, tmp_path):
    run = _run(AIDER, WITH_SECRET, default_proxy, standin, tmp_path, timeout=240)
    _assert_secret_blocked(run, default_proxy, "/v1/chat/completions")
    assert DEFAULT_REPLY not in run.stdout
