"""Tenant restriction: the presets file, the ruleset's `tenants` section, which requests get
which headers, and how a request's header fields are rewritten."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aipolicy.destination import DestinationClassifier, Scope
from aipolicy.destination_config import DestinationSettings
from aipolicy.errors import ConfigError
from aipolicy.model import DestinationNames
from aipolicy.paths import DEFAULT_RULESET
from aipolicy.ruleset import load_ruleset
from aipolicy.tenants import header_key, load_presets

ROOT = Path(__file__).resolve().parents[2]
PRESETS = ROOT / "rulesets" / "tenant_headers.yaml"
WS1 = "550e8400-e29b-41d4-a716-446655440000"
WS2 = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
POLICY = f"{WS1}:{WS2}"

TENANTS = f"""\
tenants:
  restrict:
    chatgpt-workspaces: [{WS1}, {WS2}]
    openai-organizations: org-Tkxfm8owx4zIPaJGNDVrPs6m
    anthropic-organizations: [{WS2}]
    google-domains: {{values: [example.com, example.org], sign_in: false}}
    microsoft-tenant-policy: {{values: ["{POLICY}"], sign_in: true}}
    github-enterprises: {{values: ["12345", "678"], sign_in: true}}
"""


def ruleset_with(tmp_path, section: str, test_ruleset_path):
    text = test_ruleset_path.read_text().replace(
        "catalog: catalog.yaml", f"catalog: {test_ruleset_path.parent / 'catalog.yaml'}")
    p = tmp_path / "ruleset.yaml"
    p.write_text(text + section)
    return load_ruleset(p)


@pytest.fixture
def restriction(tmp_path, test_ruleset_path):
    return ruleset_with(tmp_path, TENANTS, test_ruleset_path).tenants


def names(*hosts: str, sni: str | None = None, destination: str | None = None):
    return DestinationNames(destination=destination, sni=sni, hosts=hosts, tls=True)


def sent(restriction, *hosts: str, **kw) -> dict[str, str]:
    return {h.name: h.value for h in restriction.for_names(names(*hosts, **kw))}


# ----------------------------------------------------------------------------- presets
def test_shipped_presets_load_and_cite_their_vendor():
    presets = load_presets()
    assert set(presets.presets) >= {
        "chatgpt-workspaces", "openai-organizations", "anthropic-organizations",
        "google-domains", "microsoft-tenant-policy", "microsoft-allowed-tenants",
        "microsoft-restriction-context", "github-enterprises"}
    for preset in presets.presets.values():
        assert preset.source.startswith("https://") and preset.header == preset.header.lower()


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("      valid: [example.com, corp.example.co.uk, xn--bcher-kva.example]",
     "      valid: [example.com, Corp.Example.com]", "formats.domain.examples.valid[1]",
     "'Corp.Example.com' should match the pattern"),
    ("    format: openai-organization", "    format: openai-org", "presets[1].format",
     "'openai-org' is not one of"),
    ("    separator: \", \"", "    separator: \";\"", "presets[8].separator",
     "';' is not one of"),
    ("    header: anthropic-allowed-org-ids", "    header: anthropic allowed org ids",
     "presets[2].header", "is not a header name"),
])
def test_broken_presets_name_file_line_field(tmp_path, old, new, field, message):
    text = PRESETS.read_text()
    assert old in text
    p = tmp_path / "presets.yaml"
    p.write_text(text.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_presets(p)
    matching = [x for x in info.value.problems if x.field == field]
    assert matching, str(info.value)
    assert message in matching[0].message and matching[0].line is not None


# ----------------------------------------------------------------------------- the section
def test_values_are_joined_as_each_vendor_documents(restriction):
    assert sent(restriction, "chatgpt.com") == {
        "chatgpt-allowed-workspace-id": f"{WS1},{WS2}"}
    assert sent(restriction, "api.openai.com") == {
        "openai-allowed-organization-ids": "org-Tkxfm8owx4zIPaJGNDVrPs6m"}
    assert sent(restriction, "claude.ai") == {"anthropic-allowed-org-ids": WS2}
    assert sent(restriction, "api.anthropic.com") == {"anthropic-allowed-org-ids": WS2}
    assert sent(restriction, "gemini.google.com") == {
        "x-googapps-allowed-domains": "example.com,example.org"}
    assert sent(restriction, "login.microsoftonline.com") == {
        "sec-restrict-tenant-access-policy": POLICY}
    assert sent(restriction, "api.github.com") == {
        "sec-github-allowed-enterprise": "12345, 678"}


@pytest.mark.parametrize(("hosts", "kw", "expected"), [
    # every name of the request counts, however it is written
    (("ChatGPT.com.:443",), {}, "chatgpt-workspaces"),
    (("chatgpt.com",), {"sni": "203.0.113.7"}, "chatgpt-workspaces"),
    ((), {"sni": "chatgpt.com"}, "chatgpt-workspaces"),
    ((), {"destination": "chatgpt.com"}, "chatgpt-workspaces"),
    (("ｃｈａｔｇｐｔ.com",), {}, "chatgpt-workspaces"),
    (("ab.chatgpt.com",), {}, "chatgpt-workspaces"),
    # label boundaries
    (("notchatgpt.com",), {}, None),
    (("chatgpt.com.evil.test",), {}, None),
    (("api.openai.com.evil.test",), {}, None),
    # only the OpenAI API host gets the organizations header (as OpenAI asks)
    (("platform.openai.com",), {}, None),
    # sign-in hosts: exact names, and only for presets with sign_in: true
    (("login.live.com",), {}, "microsoft-tenant-policy"),
    (("x.login.live.com",), {}, None),
    (("github.com",), {}, "github-enterprises"),
    (("gist.github.com",), {}, None),
    (("copilot-proxy.githubcopilot.com",), {}, "github-enterprises"),
    (("203.0.113.7",), {}, None),
    (("example.org",), {}, None),
])
def test_which_requests_get_a_header(restriction, hosts, kw, expected):
    got = [h.preset for h in restriction.for_names(names(*hosts, **kw))]
    assert got == ([expected] if expected else [])


def test_google_sign_in_page_is_a_target_only_with_sign_in(restriction, tmp_path,
                                                           test_ruleset_path):
    # accounts.google.com is under google.com, but it is decrypted only with sign_in
    assert restriction.sign_in_hosts >= {"login.microsoftonline.com", "login.live.com",
                                         "github.com", "api.github.com"}
    assert "accounts.google.com" not in restriction.sign_in_hosts
    on = ruleset_with(tmp_path, TENANTS.replace("sign_in: false", "sign_in: true"),
                      test_ruleset_path).tenants
    assert "accounts.google.com" in on.sign_in_hosts


def test_names_on_one_request_that_name_two_vendors_get_both(restriction):
    got = sent(restriction, "chatgpt.com", sni="claude.ai")
    assert set(got) == {"chatgpt-allowed-workspace-id", "anthropic-allowed-org-ids"}


# ----------------------------------------------------------------------------- rewriting
def test_every_client_copy_is_removed_and_one_is_added(restriction):
    headers = restriction.for_names(names("chatgpt.com"))
    fields = [
        ("Host", "chatgpt.com"),
        ("ChatGPT-Allowed-Workspace-Id", "11111111-1111-1111-1111-111111111111"),
        ("chatgpt-allowed-workspace-id", "22222222-2222-2222-2222-222222222222"),
        ("CHATGPT-ALLOWED-WORKSPACE-ID", ""),
        ("ChatGPT_Allowed_Workspace_Id", "33333333-3333-3333-3333-333333333333"),
        (" chatgpt-allowed-workspace-id", "x"),
        ("anthropic-allowed-org-ids", "44444444-4444-4444-4444-444444444444"),
        ("Connection", "keep-alive, ChatGPT-Allowed-Workspace-Id, chatgpt_allowed_workspace_id"),
        ("Accept", "*/*"),
        ("X-Other", "ChatGPT-Allowed-Workspace-Id"),
    ]
    out = restriction.rewrite(fields, headers)
    assert out == [
        ("Host", "chatgpt.com"),
        ("Connection", "keep-alive"),
        ("Accept", "*/*"),
        ("X-Other", "ChatGPT-Allowed-Workspace-Id"),
        ("chatgpt-allowed-workspace-id", f"{WS1},{WS2}"),
    ]


def test_connection_header_naming_only_tenant_headers_is_dropped(restriction):
    headers = restriction.for_names(names("claude.ai"))
    out = restriction.rewrite([("connection", "anthropic-allowed-org-ids"),
                               ("content-length", "2")], headers)
    assert out == [("content-length", "2"), ("anthropic-allowed-org-ids", WS2)]


def test_other_fields_and_their_order_are_untouched(restriction):
    fields = [("a", "1"), ("b", "2"), ("a", "3"), ("connection", "close")]
    assert restriction.rewrite(fields, ()) == fields


def test_trailers_lose_tenant_headers(restriction):
    assert restriction.strip_fields([("x-checksum", "1"),
                                     ("Sec-Restrict-Tenant-Access-Policy", "restrict-msa")]) \
        == [("x-checksum", "1")]


@pytest.mark.parametrize(("name", "key"), [
    ("ChatGPT-Allowed-Workspace-Id", "chatgpt-allowed-workspace-id"),
    ("chatgpt_allowed_workspace_id", "chatgpt-allowed-workspace-id"),
    (" X-GoogApps-Allowed-Domains ", "x-googapps-allowed-domains"),
])
def test_header_key(name, key):
    assert header_key(name) == key


# ----------------------------------------------------------------------------- decryption
def test_sign_in_hosts_are_decrypted_only_when_configured(restriction, test_ruleset_path):
    rs = load_ruleset(test_ruleset_path)
    plain = DestinationClassifier(rs.catalog, DestinationSettings())
    tenant = DestinationClassifier(rs.catalog, DestinationSettings(),
                                   restriction.sign_in_hosts)
    assert plain.scope("login.microsoftonline.com", "login.microsoftonline.com").scope \
        is Scope.TUNNEL
    assert tenant.scope("login.microsoftonline.com", "login.microsoftonline.com").scope \
        is Scope.SIGN_IN
    assert tenant.scope("LOGIN.LIVE.COM.", "203.0.113.9").scope is Scope.SIGN_IN
    assert tenant.scope("www.microsoft.com", "www.microsoft.com").scope is Scope.TUNNEL
    assert tenant.scope("accounts.google.com", "accounts.google.com").scope is Scope.TUNNEL
    # an AI host stays an AI host
    assert tenant.scope("chatgpt.com", "chatgpt.com").scope is Scope.AI
    # a request on a sign-in connection names no AI app: it passes, with its headers
    classified = tenant.classify(names("login.microsoftonline.com",
                                       sni="login.microsoftonline.com"), "/common/oauth2",
                                 lambda app: pytest.fail("no app to judge"))
    assert classified.app is None and classified.refusal is None
    assert classified.scope is Scope.SIGN_IN


# ----------------------------------------------------------------------------- default ruleset
def _uncommented(block: str) -> str:
    """A commented YAML example as it reads with its leading '# ' removed (its own
    explanatory comments, '#   #', stay comments)."""
    return "\n".join(re.sub(r"^(\s*)# ?", r"\1", line, count=1) for line in block.splitlines())


def test_default_ruleset_tenant_example_is_valid_when_uncommented(tmp_path):
    text = DEFAULT_RULESET.read_text()
    start = text.index("# tenants:")
    example = _uncommented(text[start:])
    p = tmp_path / "default.yaml"
    p.write_text(text[:start].replace("catalog: catalog.yaml",
                                      f"catalog: {DEFAULT_RULESET.parent / 'catalog.yaml'}")
                 .replace("clients: clients.yaml",
                          f"clients: {DEFAULT_RULESET.parent / 'clients.yaml'}")
                 .replace(": pii.yaml", f": {DEFAULT_RULESET.parent / 'pii.yaml'}")
                 .replace(": secrets.yaml", f": {DEFAULT_RULESET.parent / 'secrets.yaml'}")
                 + example)
    rs = load_ruleset(p)
    assert rs.tenants is not None
    assert {h.preset for h in rs.tenants.headers} == {
        "chatgpt-workspaces", "openai-organizations", "anthropic-organizations",
        "google-domains", "microsoft-tenant-policy", "github-enterprises"}


# ----------------------------------------------------------------------------- aipolicy test
def test_cli_shows_activity_and_tenant_headers(capsys, tmp_path, test_ruleset_path):
    import json

    from aipolicy.cli import main

    rs = ruleset_with(tmp_path, TENANTS, test_ruleset_path)

    def run(*args) -> dict:
        assert main(["test", *args, "--ruleset", str(rs.path)]) == 0
        return json.loads(capsys.readouterr().out)

    out = run("https://chatgpt.com/backend-api/files")
    assert out["activity"] == "upload"
    assert out["tenant_headers"] == {"chatgpt-allowed-workspace-id": f"{WS1},{WS2}"}
    out = run("https://login.microsoftonline.com/common/oauth2/v2.0/token")
    assert out["ai"] is False and out["connection"] == "sign-in"
    assert out["tenant_headers"] == {"sec-restrict-tenant-access-policy": POLICY}
    # a blocked request goes nowhere: no headers
    out = run("https://chatgpt.com/backend-api/conversation", "--client-ip", "10.99.0.1")
    assert out["action"] == "block" and out["tenant_headers"] == {}


def test_check_names_the_presets_and_the_hosts_decrypted_for_them(capsys, tmp_path,
                                                                   test_ruleset_path):
    from aipolicy.cli import main

    rs = ruleset_with(tmp_path, TENANTS, test_ruleset_path)
    assert main(["check", str(rs.path)]) == 0
    out = capsys.readouterr().out
    assert "tenant headers: chatgpt-workspaces, openai-organizations" in out
    assert ("decrypted for tenant headers (no AI apps): api.github.com, github.com, "
            "login.live.com, login.microsoft.com, login.microsoftonline.com, "
            "login.windows.net") in out
