"""The real coding agents through the real proxy (default ruleset) against the stand-in.

Claude Code (`claude -p`), Codex (`codex exec`, Responses over HTTPS, and as installed:
WebSocket first) and aider (`aider --message`), pinned in clients/ and installed by
`make clients`; skipped with the reason when they are not installed. A benign prompt must
reach the stand-in and its answer reach the user. A prompt with a secret must be blocked
once: the user sees the policy's notice in the client's own error or answer, without
"Failed to authenticate." or retry messages, and exactly one request reaches the proxy
(one audit line, one reference) and none the service. A prompt with personal data is
redacted and the answer starts with a note saying so.

The notice shape per client is data (rulesets/clients.yaml): Claude Code gets a 451
("API Error: 451 <notice>"; a 403 reads "Failed to authenticate.", a 400 is retried with
fewer beta features), Codex a 400 with the notice as text (it retries anything else; it
prints a turn's error twice, once as the error event and once as the turn's result),
aider (litellm) an invalid_request_error 400 (a 403 becomes a retried APIError).
Codex's WebSocket transport needs a WebSocket stand-in: until then the installed Codex
falls back to HTTPS after five refused upgrades, and the WebSocket shapes are tested at
addon level (tests/proxy/test_client_notices.py).
"""

from __future__ import annotations

import re
import time

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
from .proxy_harness import RunningProxy
from .standin.replies import DEFAULT_REPLY

BENIGN = "Explain in two sentences what a Python list comprehension is."
EMAIL = "jane.roe@corp-mail.com"
WITH_EMAIL = f"Write a two-line thank-you note to {EMAIL} for sending the invoice."
NOTE = re.compile(r"\d+ [a-z'-]+.* (was|were) replaced before sending — policy: "
                  r"https://intranet\.example\.com/policies/generative-ai "
                  r"\(reference AIP-[A-Z0-9]{10}\)")
AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"  # synthetic, well-formed
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLQKX"
WITH_SECRET = (f"Why does boto3 reject these? aws_access_key_id = {AWS_KEY} "
               f"aws_secret_access_key = {AWS_SECRET}")
SECRET_REASON = "Credentials and keys must never be sent to AI services."
REFERENCE = re.compile(r"AIP-[A-Z0-9]{10}")


def _run(profile: ClientProfile, prompt: str, proxy, standin, tmp_path,
         timeout: float = 150) -> tuple[ClientRun, list[dict]]:
    """The run, and the audit lines the proxy wrote during it."""
    if reason := profile.missing():
        pytest.skip(reason)
    before = len(proxy.audit())
    run = run_client(profile, prompt, proxy, standin, tmp_path / profile.name, timeout)
    assert not run.timed_out, f"{profile.name} did not finish in {timeout}s:\n{run.output[-3000:]}"
    time.sleep(0.5)  # the last audit line is written after the answer went out
    return run, proxy.audit()[before:]


def _assert_answered(run: ClientRun, host: str, path: str) -> None:
    assert run.exit_code == 0, run.output[-3000:]
    assert DEFAULT_REPLY in run.stdout
    sent = [r for r in run.to(host, path, "POST") if BENIGN.encode() in r.decoded_body()]
    assert sent, f"the prompt never reached {host}{path}"


NOISE = ("Failed to authenticate", "Retrying", "retrying", "Reconnecting")


def _assert_secret_blocked_once(run: ClientRun, audit: list[dict], proxy: RunningProxy,
                                path: str, profile: str, noise: tuple[str, ...] = NOISE
                                ) -> dict:
    """The user sees why, with the one reference the audit log knows, and no retry or
    login noise; exactly one request was blocked (no retry), and the secret reaches
    nothing upstream (no request at all on the blocked path). Returns the block."""
    shown = run.output
    assert SECRET_REASON in " ".join(shown.split()), shown[-3000:]  # aider wraps lines
    blocks = [r for r in audit if r["action"] == "block"]
    assert len(blocks) == 1, [(r["path"], r["reference"]) for r in blocks]
    block = blocks[0]
    assert set(REFERENCE.findall(shown)) == {block["reference"]}, shown[-3000:]
    assert block["rule"] == "secrets-block" and block["path"] == path
    assert block["findings"]["aws-access-key-id"] == 1
    assert block["findings"]["aws-secret-access-key"] == 1
    assert block["client_profile"] == profile
    for text in noise:
        assert text not in shown, shown[-3000:]
    assert not [r for r in run.requests if r.path.startswith(path) and r.method == "POST"]
    for req in run.requests:
        body = req.decoded_body()
        assert AWS_KEY.encode() not in body and AWS_SECRET.encode() not in body, req.path
    assert AWS_KEY not in proxy.audit_path.read_text()
    return block


def _assert_redacted_with_note(run: ClientRun, audit: list[dict], host: str, path: str
                               ) -> None:
    """The service got a placeholder, never the address; the user's answer starts with
    the note (counts and types, never the value) and then the service's answer."""
    assert run.exit_code == 0, run.output[-3000:]
    sent = [r for r in run.to(host, path, "POST") if b"[EMAIL_ADDRESS_1]" in r.decoded_body()]
    assert sent, f"no redacted request reached {host}{path}"
    for req in run.requests:
        assert EMAIL.encode() not in req.decoded_body(), req.path
    shown = " ".join(run.stdout.split())
    note = NOTE.search(shown)
    assert note, run.stdout[-3000:]
    assert "e-mail address" in note.group() and EMAIL not in run.stdout  # (Codex echoes
    #                                                         the prompt itself on stderr)
    assert shown.index(note.group()) < shown.index(DEFAULT_REPLY)
    redacted = [r for r in audit if r["action"] == "redact" and r["path"] == path]
    assert any(note.group().endswith(f"(reference {r['reference']})") for r in redacted)


def test_claude_code_answers_through_the_proxy(default_proxy, standin, tmp_path):
    run, _ = _run(CLAUDE_CODE, BENIGN, default_proxy, standin, tmp_path)
    _assert_answered(run, "api.anthropic.com", "/v1/messages")
    # Its start-up calls and telemetry went through too (answered by the stand-in's 404).
    assert run.to("api.anthropic.com", "/api/event_logging/", "POST")


def test_claude_code_secret_blocked(default_proxy, standin, tmp_path):
    run, audit = _run(CLAUDE_CODE, WITH_SECRET, default_proxy, standin, tmp_path)
    assert run.exit_code != 0
    block = _assert_secret_blocked_once(run, audit, default_proxy, "/v1/messages", "claude-code")
    assert block["notice"] == "anthropic-messages-error"
    assert run.stdout.startswith("API Error: 451 Blocked by Example Corp"), run.stdout[:500]
    assert "/clear" in run.stdout  # the blocked text stays in the conversation
    assert DEFAULT_REPLY not in run.stdout


def test_claude_code_redaction_note(default_proxy, standin, tmp_path):
    run, audit = _run(CLAUDE_CODE, WITH_EMAIL, default_proxy, standin, tmp_path)
    _assert_redacted_with_note(run, audit, "api.anthropic.com", "/v1/messages")


def test_codex_answers_through_the_proxy(default_proxy, standin, tmp_path):
    run, _ = _run(CODEX, BENIGN, default_proxy, standin, tmp_path)
    _assert_answered(run, "api.openai.com", "/v1/responses")
    # Over HTTPS from the start: no WebSocket upgrade was tried.
    assert not [r for r in run.requests if r.header("upgrade")]


def test_codex_default_config_answers_through_the_proxy(default_proxy, standin, tmp_path):
    """Codex as installed talks to api.openai.com over a WebSocket: through the proxy,
    its inspected messages reach the service and the answer comes back."""
    standin.websocket_messages.clear()
    run, _ = _run(CODEX_DEFAULT, BENIGN, default_proxy, standin, tmp_path)
    assert run.exit_code == 0, run.output[-3000:]
    assert DEFAULT_REPLY in run.stdout
    assert run.to("api.openai.com", "/v1/responses")
    assert any(b"response.create" in m.content for m in standin.websocket_messages.snapshot())


def test_codex_secret_blocked(default_proxy, standin, tmp_path):
    run, audit = _run(CODEX, WITH_SECRET, default_proxy, standin, tmp_path)
    assert run.exit_code != 0
    block = _assert_secret_blocked_once(run, audit, default_proxy, "/v1/responses", "codex")
    assert block["notice"] == "openai-responses-error"
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR: ")]
    assert errors and all(line.startswith("ERROR: Blocked by Example Corp") for line in errors)
    assert '{"error"' not in run.output  # the notice, not a JSON body
    assert DEFAULT_REPLY not in run.stdout


def test_codex_as_installed_secret_blocked(default_proxy, standin, tmp_path):
    """Codex's default transport is a WebSocket to /v1/responses (the stand-in speaks
    the Responses events there): the blocked message is dropped and answered with a
    Responses answer whose text is the notice (clients.yaml: an error frame would be
    printed as raw JSON), once, not retried; no frame with the secret reaches the
    service."""
    standin.websocket_messages.clear()
    run, audit = _run(CODEX_DEFAULT, WITH_SECRET, default_proxy, standin, tmp_path)
    assert run.exit_code == 0, run.output[-3000:]  # an answer, not an error
    block = _assert_secret_blocked_once(run, audit, default_proxy, "/v1/responses", "codex",
                                        noise=("Failed to authenticate", "Retrying",
                                               "Reconnecting"))
    assert block["method"] == "WEBSOCKET"
    for message in standin.websocket_messages.snapshot():
        assert AWS_KEY.encode() not in message.content


def test_codex_redaction_note(default_proxy, standin, tmp_path):
    run, audit = _run(CODEX, WITH_EMAIL, default_proxy, standin, tmp_path)
    _assert_redacted_with_note(run, audit, "api.openai.com", "/v1/responses")


def test_aider_answers_through_the_proxy(default_proxy, standin, tmp_path):
    run, _ = _run(AIDER, BENIGN, default_proxy, standin, tmp_path)
    _assert_answered(run, "api.openai.com", "/v1/chat/completions")


def test_aider_secret_blocked(default_proxy, standin, tmp_path):
    run, audit = _run(AIDER, WITH_SECRET, default_proxy, standin, tmp_path)
    block = _assert_secret_blocked_once(run, audit, default_proxy, "/v1/chat/completions",
                                        "litellm")
    assert block["notice"] == "openai-chat-error"
    assert "litellm.BadRequestError" in run.output  # not the retried APIError
    assert DEFAULT_REPLY not in run.stdout


def test_aider_redaction_note(default_proxy, standin, tmp_path):
    run, audit = _run(AIDER, WITH_EMAIL, default_proxy, standin, tmp_path)
    _assert_redacted_with_note(run, audit, "api.openai.com", "/v1/chat/completions")
