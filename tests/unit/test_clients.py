"""Client profiles: the shipped file's recognition table, and every broken profile file
names file, line and field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aipolicy.catalog import load_catalog
from aipolicy.clients import AnswerKind, ErrorBody, load_client_profiles
from aipolicy.errors import ConfigError
from aipolicy.paths import DEFAULT_RULESET
from aipolicy.ruleset import load_ruleset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "client_profiles"
CATALOG = DEFAULT_RULESET.parent / "catalog.yaml"


@pytest.fixture(scope="module")
def app_ids() -> frozenset[str]:
    return frozenset(a.id for a in load_catalog(CATALOG).apps)


@pytest.fixture(scope="module")
def shipped():
    rs = load_ruleset(DEFAULT_RULESET)
    assert rs.clients is not None, "the default ruleset names its client profiles"
    assert rs.clients.path in rs.source_files  # an edit is picked up by the reload
    return rs.clients


CLAUDE_UA = "claude-cli/2.1.332 (external, sdk-cli)"
CODEX_UA = "codex_exec/0.171.0 (Debian 12.0.0; x86_64) dumb (codex_exec; 0.171.0)"
CHATGPT = "/backend-api/f/conversation"


@pytest.mark.parametrize("app,path,headers,expected", [
    # coding agents by User-Agent, on any app they talk to
    ("anthropic-api", "/v1/messages", {"user-agent": CLAUDE_UA, "x-app": "cli"}, "claude-code"),
    ("openai-api", "/v1/responses", {"user-agent": CODEX_UA}, "codex"),
    ("openai-chatgpt", "/backend-api/codex/responses", {"user-agent": CODEX_UA}, "codex"),
    ("openai-api", "/v1/responses", {"user-agent": "Mozilla/5.0", "originator": "codex_vscode"},
     "codex"),
    ("openai-api", "/v1/chat/completions",
     {"user-agent": "OpenAI/Python 2.20.0", "x-stainless-raw-response": "true"}, "litellm"),
    ("anthropic-api", "/v1/messages", {"user-agent": "litellm/1.81.10"}, "litellm"),
    ("github-copilot", "/chat/completions",
     {"user-agent": "GitHubCopilotChat/0.30.3", "copilot-integration-id": "vscode-chat"},
     "github-copilot-agents"),
    # web apps by endpoint, whatever the browser
    ("openai-chatgpt", CHATGPT, {"user-agent": "Mozilla/5.0 Chrome/141"}, "chatgpt-web"),
    ("anthropic-claude", "/api/organizations/o/chat_conversations/c/completion",
     {"user-agent": "Mozilla/5.0"}, "claude-web"),
    ("google-gemini", "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate",
     {"user-agent": "Mozilla/5.0"}, "gemini-web"),
    ("microsoft-copilot", "/c/api/chat", {"user-agent": "Mozilla/5.0"}, "copilot-web"),
    # the official SDKs, and look-alikes, get the provider's own 403
    ("openai-api", "/v1/chat/completions", {"user-agent": "OpenAI/Python 2.20.0"},
     "provider-api"),
    ("anthropic-api", "/v1/messages", {"user-agent": "Anthropic/Python 0.75.0"}, "provider-api"),
    ("openai-api", "/v1/chat/completions", {"user-agent": "not-claude-cli/1.0"}, "provider-api"),
    ("openai-api", "/v1/chat/completions", {"user-agent": "xcodex_exec/1.0"}, "provider-api"),
    ("openai-api", CHATGPT, {"user-agent": "Mozilla/5.0"}, "provider-api"),  # not ChatGPT's host
    ("openai-chatgpt", "/backend-api/files", {"user-agent": "Mozilla/5.0"}, "provider-api"),
    ("openai-api", "/v1/chat/completions", {}, "provider-api"),
])
def test_who_is_who(shipped, app, path, headers, expected):
    assert shipped.match(app, path, tuple(headers.items())).id == expected


def test_header_names_are_case_insensitive_and_the_first_value_counts(shipped):
    fields = (("User-Agent", CLAUDE_UA), ("user-agent", "Anthropic/Python 0.75.0"))
    assert shipped.match("anthropic-api", "/v1/messages", fields).id == "claude-code"


def test_shipped_styles(shipped):
    by_id = {p.id: p for p in shipped.profiles}
    assert by_id["claude-code"].http.status == 451  # not 403 ("Failed to authenticate")
    codex = by_id["codex"]
    assert (codex.http.answer, codex.http.status, codex.http.body) == (
        AnswerKind.ERROR, 400, ErrorBody.TEXT)
    assert codex.websocket.answer is AnswerKind.REPLY
    assert by_id["litellm"].http.error_type == "invalid_request_error"
    assert shipped.default.http.status == 403 and not shipped.default.redaction_note
    assert all(p.redaction_note for p in shipped.profiles)


def test_valid_fixture(app_ids):
    profiles = load_client_profiles(FIXTURES / "valid.yaml", app_ids)
    assert [p.id for p in profiles.profiles] == ["agent", "web"]


def _expectations(path: Path) -> dict[str, str]:
    head = {}
    for line in path.read_text().splitlines():
        m = re.match(r"# expect-([a-z-]+): ?(.*)$", line)
        if m:
            head[m.group(1)] = m.group(2)
    return head


@pytest.mark.parametrize("path", sorted((FIXTURES / "broken").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_broken_profiles_name_file_line_field(path: Path, app_ids):
    expect = _expectations(path)
    with pytest.raises(ConfigError) as info:
        load_client_profiles(path, app_ids)
    matching = [p for p in info.value.problems if p.field == expect["field"]]
    assert matching, f"no problem for field {expect['field']!r} in:\n{info.value}"
    problem = matching[0]
    assert expect["message"] in problem.message, problem.message
    assert problem.file == str(path) and problem.line is not None
    line_text = path.read_text().splitlines()[problem.line - 1]
    assert expect["line-contains"] in line_text, (problem.line, line_text)


def test_ruleset_reports_a_missing_or_broken_profile_file(tmp_path, test_ruleset_path):
    text = test_ruleset_path.read_text()
    catalog = (test_ruleset_path.parent / "catalog.yaml").resolve()
    text = text.replace("catalog: catalog.yaml", f"catalog: {catalog}")
    missing = tmp_path / "missing.yaml"
    missing.write_text(text + "\nclients: nowhere.yaml\n")
    with pytest.raises(ConfigError) as info:
        load_ruleset(missing)
    assert "clients: client profiles file 'nowhere.yaml' not found" in str(info.value)
    broken = FIXTURES / "broken" / "retried_status.yaml"
    uses_broken = tmp_path / "broken.yaml"
    uses_broken.write_text(text + f"\nclients: {broken}\n")
    with pytest.raises(ConfigError) as info:
        load_ruleset(uses_broken)
    assert f"{broken}:" in str(info.value) and "must not be used" in str(info.value)


def test_aipolicy_test_shows_the_client_profile_and_note(capsys):
    from aipolicy.cli import main

    code = main(["test", "https://api.openai.com/v1/responses",
                 "--header", "User-Agent: codex_exec/0.171.0",
                 "--prompt", "Send the summary to lena.vogt@corp-mail.com"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["client_profile"] == "codex" and out["action"] == "redact"
    assert out["redaction_note"].startswith("1 e-mail address was replaced before sending")
    assert main(["test", "https://api.openai.com/v1/responses", "--header", "nocolon"]) == 2
