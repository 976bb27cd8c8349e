"""The AI-service catalog: the shipped data, the matcher, and the loader's validation."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from aipolicy.catalog import Catalog, load_catalog
from aipolicy.errors import ConfigError
from aipolicy.model import App

REPO = Path(__file__).parents[2]
CATALOG_FILE = REPO / "rulesets" / "catalog.yaml"
V2FLY = REPO.parent / "shared/data/ai_domains/v2fly_ai_domains.jsonl"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CATALOG_FILE)


# --------------------------------------------------------------------------- matching
@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        # label boundaries
        ("chatgpt.com", "/", "openai-chatgpt"),
        ("openai.com", "/", "openai-chatgpt"),
        ("chat.openai.com", "/", "openai-chatgpt"),
        ("sub.chat.openai.com", "/", "openai-chatgpt"),
        ("notopenai.com", "/", None),
        ("openai.com.attacker.net", "/", None),
        ("openai.com.evil", "/", None),
        ("openai.co", "/", None),
        ("com", "/", None),
        # most specific wins
        ("api.openai.com", "/v1/chat/completions", "openai-api"),
        ("eu.api.openai.com", "/v1/responses", "openai-api"),
        ("sora.chatgpt.com", "/", "openai-sora"),
        ("claude.ai", "/api/organizations", "anthropic-claude"),
        ("api.anthropic.com", "/v1/messages", "anthropic-api"),
        ("chat.deepseek.com", "/", "deepseek-chat"),
        ("api.deepseek.com", "/chat/completions", "deepseek-api"),
        ("chat.mistral.ai", "/", "mistral-le-chat"),
        ("api.mistral.ai", "/v1/chat/completions", "mistral-api"),
        # case and trailing dot
        ("ChatGPT.COM", "/", "openai-chatgpt"),
        ("chatgpt.com.", "/", "openai-chatgpt"),
        ("API.OpenAI.com.", "/", "openai-api"),
        # IP literals, empty and odd input never match
        ("1.2.3.4", "/", None),
        ("2001:db8::1", "/", None),
        ("[2001:db8::1]", "/", None),
        ("", "/", None),
        (".", "/", None),
        ("xn--80ak6aa92e.com", "/", None),  # punycode stays as is: no crash, no match
        # exact hosts on shared domains
        ("gemini.google.com", "/app", "google-gemini"),
        ("www.google.com", "/", None),
        ("google.com", "/", None),
        ("mail.google.com", "/mail", None),
        ("generativelanguage.googleapis.com", "/v1beta/models", "google-gemini-api"),
        ("storage.googleapis.com", "/", None),
        ("us-central1-aiplatform.googleapis.com", "/v1/projects", "google-vertex-ai"),
        ("my-resource.openai.azure.com", "/openai/deployments/x", "azure-openai"),
        ("portal.azure.com", "/", None),
        ("copilot.microsoft.com", "/c/api/chat", "microsoft-copilot"),
        ("www.microsoft.com", "/", None),
        ("api.githubcopilot.com", "/chat/completions", "github-copilot"),
        ("bedrock-runtime.us-east-1.amazonaws.com", "/model/x/invoke", "amazon-bedrock"),
        ("s3.amazonaws.com", "/", None),
        # host + path entries
        ("www.bing.com", "/chat", "microsoft-copilot"),
        ("www.bing.com", "/chat/", "microsoft-copilot"),
        ("www.bing.com", "/chat?q=hello", "microsoft-copilot"),
        ("www.bing.com", "/chat/abc", "microsoft-copilot"),
        ("www.bing.com", "/chatter", None),
        ("www.bing.com", "/search?q=chat", None),
        ("www.bing.com", "/", None),
        ("bing.com", "/chat", None),  # exact host only
        ("WWW.BING.COM.", "/chat", "microsoft-copilot"),
        ("www.bing.com", "/CHAT", "microsoft-copilot"),  # servers ignore case there
        ("www.bing.com", "/%63hat", "microsoft-copilot"),  # escaped 'c'
        ("www.bing.com", "//chat", "microsoft-copilot"),
        ("www.bing.com", "/images/../chat", "microsoft-copilot"),
        ("www.bing.com", "/images/create", "microsoft-designer"),
        ("github.com", "/copilot", "github-copilot"),
        ("github.com", "/features/copilot", None),
        ("x.com", "/i/grok", "xai-grok"),
        ("x.com", "/home", None),
        # a path entry beats the host's domain entry only when the path matches
        ("chatgpt.com", "/codex", "openai-codex"),
        ("chatgpt.com", "/codex/tasks/1", "openai-codex"),
        ("chatgpt.com", "/codexes", "openai-chatgpt"),
        ("chatgpt.com", "/backend-api/conversation", "openai-chatgpt"),
        ("huggingface.co", "/chat", "huggingchat"),
        ("huggingface.co", "/chat/conversation/1", "huggingchat"),
        ("huggingface.co", "/models", "huggingface"),
        ("duckduckgo.com", "/duckchat/v1/chat", "duckduckgo-ai-chat"),
        ("duckduckgo.com", "/?q=x", None),
    ],
)
def test_match(catalog: Catalog, host: str, path: str, expected: str | None) -> None:
    app = catalog.match(host, path)
    assert (app.id if app else None) == expected


def test_match_defaults_to_root_path(catalog: Catalog) -> None:
    assert catalog.match("www.bing.com") is None
    assert catalog.match("claude.ai").id == "anthropic-claude"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("chatgpt.com", True),
        ("CHATGPT.COM.", True),
        ("files.oaiusercontent.com", True),
        ("gemini.google.com", True),
        ("www.bing.com", True),  # a paths host: decrypted to see the path
        ("github.com", True),
        ("bing.com", False),
        ("www.google.com", False),
        ("example.com", False),
        ("notopenai.com", False),
        ("openai.com.evil", False),
        ("1.2.3.4", False),
        ("", False),
    ],
)
def test_should_intercept(catalog: Catalog, host: str, expected: bool) -> None:
    assert catalog.should_intercept(host) is expected


def _app(app_id: str, domains: tuple[str, ...] = (), paths=()) -> App:
    return App(id=app_id, name=app_id, vendor="V", category="c", domains=domains, paths=paths)


def test_most_specific_domain_wins_regardless_of_order() -> None:
    outer = _app("outer", ("example.com",))
    inner = _app("inner", ("deep.api.example.com",))
    for apps in ([outer, inner], [inner, outer]):
        cat = Catalog(apps, "t")
        assert cat.match("x.deep.api.example.com").id == "inner"
        assert cat.match("api.example.com").id == "outer"
        assert cat.match("example.com").id == "outer"


def test_longest_path_prefix_wins() -> None:
    short = _app("short", paths=(("h.example", "/a"),))
    long = _app("long", paths=(("h.example", "/a/b"),))
    cat = Catalog([short, long], "t")
    assert cat.match("h.example", "/a/b/c").id == "long"
    assert cat.match("h.example", "/a/bc").id == "short"
    assert cat.match("h.example", "/b") is None


def test_catalog_rejects_conflicts_built_in_code() -> None:
    with pytest.raises(ValueError, match="claimed by"):
        Catalog([_app("a", ("x.com",)), _app("b", ("x.com",))], "t")
    with pytest.raises(ValueError, match="duplicate app id"):
        Catalog([_app("a", ("x.com",)), _app("a", ("y.com",))], "t")


# --------------------------------------------------------------------------- shipped data
def test_catalog_size_and_categories(catalog: Catalog) -> None:
    assert len(catalog) >= 150
    used = Counter(app.category for app in catalog)
    assert set(used) == set(catalog.categories), "every declared category is used"
    assert catalog.version


def test_every_app_is_described(catalog: Catalog) -> None:
    for app in catalog:
        assert app.name.strip() and app.vendor.strip(), app.id
        assert app.domains or app.paths, app.id
        assert app.url and app.url.startswith("https://"), app.id
    assert len({app.id for app in catalog}) == len(catalog)


def test_lookup_and_views(catalog: Catalog) -> None:
    assert catalog.get("openai-api").domains[0] == "api.openai.com"
    assert catalog.get("no-such-app") is None
    assert {"OpenAI", "Anthropic", "Google", "Microsoft"} <= catalog.vendors
    assert {"chat-assistant", "coding-assistant", "model-api"} <= catalog.categories


@pytest.mark.parametrize(
    ("app_id", "api_format"),
    [
        ("openai-api", "openai"),
        ("anthropic-api", "anthropic"),
        ("google-gemini-api", "gemini"),
        ("azure-openai", "openai"),
        ("mistral-api", "openai"),
        ("deepseek-api", "openai"),
        ("openrouter", "openai"),
        ("xai-api", "openai"),
        ("groq", "openai"),
        ("openai-chatgpt", None),
        ("anthropic-claude", None),
        ("google-gemini", None),
    ],
)
def test_api_formats(catalog: Catalog, app_id: str, api_format: str | None) -> None:
    assert catalog.get(app_id).api_format == api_format


def test_data_handling_is_typed(catalog: Catalog) -> None:
    chatgpt = catalog.get("openai-chatgpt").data
    assert chatgpt.trains_on_user_data is True and chatgpt.enterprise_tier is True
    assert catalog.get("openai-api").data.trains_on_user_data is False
    assert catalog.get("kagi-assistant").data.trains_on_user_data is None  # unknown stays None


@pytest.mark.skipif(not V2FLY.is_file(), reason="shared reference data not present")
def test_covers_most_of_v2fly_ai_list(catalog: Catalog) -> None:
    hosts = set()
    for line in V2FLY.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["match"] in ("domain", "full"):
            hosts.add(row["value"])
    covered = [h for h in hosts if catalog.match(h) is not None]
    ratio = len(covered) / len(hosts)
    print(f"v2fly coverage: {len(covered)}/{len(hosts)} = {ratio:.1%}")
    # The rest are telemetry, static CDNs, shared infrastructure and unidentified names.
    assert ratio >= 0.70


# --------------------------------------------------------------------------- validation
_BASE = """\
version: "1"
categories: [chat, code]
shared_domains: [google.com, blob.core.windows.net]
apps:
  - id: first
    name: First
    vendor: V
    category: chat
    domains: [first.example]
"""


def _write(tmp_path: Path, apps_yaml: str, base: str = _BASE) -> tuple[Path, str]:
    """Append app entries (any indentation) to ``base`` as further items of ``apps``."""
    text = base + textwrap.indent(textwrap.dedent(apps_yaml).lstrip("\n"), "  ")
    file = tmp_path / "catalog.yaml"
    file.write_text(text, encoding="utf-8")
    return file, text


def _load_error(
    tmp_path: Path, apps_yaml: str, base: str = _BASE,
) -> tuple[ConfigError, Path, str]:
    file, text = _write(tmp_path, apps_yaml, base)
    with pytest.raises(ConfigError) as info:
        load_catalog(file)
    return info.value, file, text


def _marked_line(text: str) -> int:
    """The 1-based line carrying the '#!' marker: where the error must point."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if "#!" in line]
    assert len(lines) == 1
    return lines[0]


# Each case: app YAML appended to a valid base, the field the error names, and a fragment
# of its message. The line is the one marked '#!' in the snippet.
_INVALID = {
    "unknown-key": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domian: [second.example]  #!
        """, "apps[1].domian", "unknown key 'domian'"),
    "bad-type-string": (
        """
        - id: second
          name: [Sec, ond]  #!
          vendor: V
          category: chat
          domains: [second.example]
        """, "apps[1].name", "must be a string"),
    "bad-type-boolean": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domains: [second.example]
          data:
            trains_on_user_data: "yes"  #!
        """, "apps[1].data.trains_on_user_data", "must be true or false"),
    "bad-type-list": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domains: {a: b}  #!
        """, "apps[1].domains", "must be a list"),
    "duplicate-id": (
        """
        - id: first  #!
          name: Again
          vendor: V
          category: chat
          domains: [second.example]
        """, "apps[1].id", "duplicate id 'first' (first at line 5)"),
    "duplicate-domain": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domains: [
            first.example,  #!
          ]
        """, "apps[1].domains[0]", "already claimed by 'first'"),
    "duplicate-path": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          paths:
            - {host: www.shared.example, path: /ai}
            - {host: www.shared.example, path: /AI}  #!
        """, "apps[1].paths[1].path", "already claimed by 'second'"),
    "unknown-category": (
        """
        - id: second
          name: Second
          vendor: V
          category: chatt  #!
          domains: [second.example]
        """, "apps[1].category", "'chatt' is not one of: chat, code; did you mean 'chat'?"),
    "bad-api-format": (
        """
        - id: second
          name: Second
          vendor: V
          category: code
          domains: [second.example]
          api_format: openia  #!
        """, "apps[1].api_format", "is not one of: openai, anthropic, gemini"),
    "host-upper-case": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domains:
            - Second.example  #!
        """, "apps[1].domains[0]", "must be lower-case"),
    "host-wildcard": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domains:
            - "*.second.example"  #!
        """, "apps[1].domains[0]", "without '*.'"),
    "host-ip-literal": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domains:
            - 10.1.2.3  #!
        """, "apps[1].domains[0]", "is an IP address"),
    "host-bad-characters": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domains:
            - bad_host.example  #!
        """, "apps[1].domains[0]", "not a valid DNS name"),
    "host-single-label": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domains:
            - example  #!
        """, "apps[1].domains[0]", "at least two labels"),
    "paths-host-invalid": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          paths:
            - {host: "www.bing.com:443", path: /chat}  #!
        """, "apps[1].paths[0].host", "not a valid DNS name"),
    "path-not-absolute": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          paths:
            - {host: www.shared.example, path: chat}  #!
        """, "apps[1].paths[0].path", "must start with '/'"),
    "path-with-query": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          paths:
            - {host: www.shared.example, path: "/chat?x=1"}  #!
        """, "apps[1].paths[0].path", "plain path prefix"),
    "shared-domain-claimed": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domains:
            - google.com  #!
        """, "apps[1].domains[0]", "is shared with non-AI services"),
    "parent-of-shared-domain-claimed": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          domains:
            - core.windows.net  #!
        """, "apps[1].domains[0]", "is shared with non-AI services"),
    "no-domains-or-paths": (
        """
        - id: second  #!
          name: Second
          vendor: V
          category: chat
        """, "apps[1]", "needs 'domains' or 'paths'"),
    "missing-required": (
        """
        - id: second  #!
          name: Second
          category: chat
          domains: [second.example]
        """, "apps[1].vendor", "is required"),
    "bad-url": (
        """
        - id: second
          name: Second
          vendor: V
          category: chat
          url: second.example  #!
          domains: [second.example]
        """, "apps[1].url", "is not an http(s) URL"),
    "bad-id": (
        """
        - id: Second App  #!
          name: Second
          vendor: V
          category: chat
          domains: [second.example]
        """, "apps[1].id", "is not a valid id"),
}


@pytest.mark.parametrize("case", sorted(_INVALID))
def test_validation_error_names_file_line_and_field(tmp_path: Path, case: str) -> None:
    snippet, field, fragment = _INVALID[case]
    error, file, text = _load_error(tmp_path, snippet)
    line = _marked_line(text)
    matching = [p for p in error.problems if p.field == field]
    assert matching, f"no problem for {field}: {error}"
    problem = matching[0]
    assert (problem.file, problem.line) == (str(file), line), str(problem)
    assert fragment in problem.message
    assert str(problem).startswith(f"{file}:{line}: {field}: ")


def test_top_level_errors(tmp_path: Path) -> None:
    base = 'version: "1"\ncategories: [chat, chat]\nextra: 1\napps: []\n'
    error, file, _ = _load_error(tmp_path, "", base=base)
    text = str(error)
    assert f"{file}:2: categories[1]: category 'chat' is listed twice" in text
    assert f"{file}:3: extra: unknown key 'extra'" in text
    assert f"{file}:4: apps: must not be empty" in text


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    snippet = """
      - id: second
        name: Second
        vendor: V
        category: nope
        api_format: soap
        domains: [UPPER.example]
    """
    error, _, _ = _load_error(tmp_path, snippet)
    fields = {p.field for p in error.problems}
    assert {"apps[1].category", "apps[1].api_format", "apps[1].domains[0]"} <= fields


def test_yaml_syntax_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("version: '1'\napps: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_catalog(bad)
    assert info.value.problems[0].file == str(bad)
    assert info.value.problems[0].line is not None
    with pytest.raises(ConfigError, match="cannot read"):
        load_catalog(tmp_path / "absent.yaml")


def test_valid_snippet_loads(tmp_path: Path) -> None:
    file, _ = _write(tmp_path, """
          - id: second
            name: Second
            vendor: W
            category: code
            url: https://second.example
            domains: [api.first.example]
            paths: [{host: www.google.com, path: /ai}]
            api_format: openai
            data: {trains_on_user_data: false, retention: 30 days, enterprise_tier: true}
        """)
    cat = load_catalog(file)
    assert len(cat) == 2 and cat.version == "1"
    assert cat.match("x.api.first.example").id == "second"
    assert cat.match("www.google.com", "/ai/x").id == "second"
    assert cat.match("www.google.com", "/") is None
    assert cat.get("second").data.retention == "30 days"
    assert cat.categories == frozenset({"chat", "code"})
