"""Host names read one way, every name of a request classified, the strictest app wins,
names that disagree are refused; which TLS connections are decrypted."""

from __future__ import annotations

import ipaddress
import json

import pytest

from aipolicy.decide import decide_access
from aipolicy.destination import (
    MISMATCH_RULE,
    UNREADABLE_RULE,
    DestinationClassifier,
    Disagreement,
    Scope,
)
from aipolicy.destination_config import DecryptScope, DestinationSettings, Unnamed
from aipolicy.hostnames import HostKind, parse_host
from aipolicy.model import Action, ClientIdentity, DestinationNames, Mode, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset

NAME, ADDRESS, UNREADABLE = HostKind.NAME, HostKind.ADDRESS, HostKind.UNREADABLE


# ----------------------------------------------------------------------------- parse_host
@pytest.mark.parametrize(("value", "kind", "name"), [
    ("api.openai.com", NAME, "api.openai.com"),
    ("API.OpenAI.COM", NAME, "api.openai.com"),
    ("api.openai.com.", NAME, "api.openai.com"),
    ("api.openai.com...", NAME, "api.openai.com"),
    ("api.openai.com:443", NAME, "api.openai.com"),
    ("api.openai.com.:443", NAME, "api.openai.com"),
    ("api.openai.com:", NAME, "api.openai.com"),  # empty port (RFC 3986 allows it)
    (" api.openai.com\t", NAME, "api.openai.com"),  # header whitespace
    ("user@api.openai.com", NAME, "api.openai.com"),
    ("user:pw@chat.deepseek.com:443", NAME, "chat.deepseek.com"),
    ("api%2Eopenai.com", NAME, "api.openai.com"),  # browsers percent-decode hosts
    ("my_host.corp.example", NAME, "my_host.corp.example"),
    # Unicode: UTS #46 as browsers apply it
    ("ｃｈａｔ.deepseek.com", NAME, "chat.deepseek.com"),  # full-width letters
    ("chat。deepseek。com", NAME, "chat.deepseek.com"),  # ideographic full stops
    ("CHAT.DEEPSEEK.COM。", NAME, "chat.deepseek.com"),
    ("bücher.example", NAME, "xn--bcher-kva.example"),
    ("BÜCHER.example", NAME, "xn--bcher-kva.example"),
    ("xn--bcher-kva.example", NAME, "xn--bcher-kva.example"),
    ("straße.de", NAME, "xn--strae-oqa.de"),  # non-transitional, as browsers do
    # Cyrillic look-alikes are other names: "а" (U+0430) is not "a"
    ("аpi.openai.com", NAME, "xn--pi-6kc.openai.com"),  # still under openai.com
    ("chat.deepseеk.com", NAME, "chat.xn--deepsek-dhg.com"),  # another domain
    # IPv4 in every form inet_aton accepts
    ("127.0.0.1", ADDRESS, "127.0.0.1"),
    ("2130706433", ADDRESS, "127.0.0.1"),
    ("0x7f000001", ADDRESS, "127.0.0.1"),
    ("0X7F000001", ADDRESS, "127.0.0.1"),
    ("0177.0.0.1", ADDRESS, "127.0.0.1"),
    ("127.1", ADDRESS, "127.0.0.1"),
    ("0x7f.1", ADDRESS, "127.0.0.1"),
    ("127.0.1", ADDRESS, "127.0.0.1"),
    ("10.0.0.1.", ADDRESS, "10.0.0.1"),
    ("2130706433:443", ADDRESS, "127.0.0.1"),
    ("１２７.０.０.１", ADDRESS, "127.0.0.1"),  # full-width digits map to an address
    ("1.2.3.0x", ADDRESS, "1.2.3.0"),
    # IPv6
    ("::1", ADDRESS, "::1"),
    ("[::1]", ADDRESS, "::1"),
    ("[::1]:443", ADDRESS, "::1"),
    ("[2001:DB8::1]:8443", ADDRESS, "2001:db8::1"),
    ("fe80::1%eth0", ADDRESS, "fe80::1%eth0"),
    ("[fe80::1%25eth0]:443", ADDRESS, "fe80::1%eth0"),  # RFC 6874 zone
    ("::ffff:127.0.0.1", ADDRESS, "::ffff:7f00:1"),
    ("[::ffff:8.8.8.8]", ADDRESS, "::ffff:808:808"),
    # RFC 6761: localhost names are the loopback address
    ("localhost", ADDRESS, "localhost"),
    ("LOCALHOST.:443", ADDRESS, "localhost"),
    ("a.localhost", ADDRESS, "a.localhost"),
    # not host names
    ("api.openai.com:443:443", UNREADABLE, ""),
    ("api.openai.com:99999", UNREADABLE, ""),
    ("api.openai.com:https", UNREADABLE, ""),
    ("api.openai.com extra", UNREADABLE, ""),
    ("api.openai.com\x00.evil", UNREADABLE, ""),
    ("api.openai.com,chat.deepseek.com", UNREADABLE, ""),
    ("api.openai.com/x", UNREADABLE, ""),
    ("a@b@chat.deepseek.com", UNREADABLE, ""),
    ("user@", UNREADABLE, ""),
    (".api.openai.com", UNREADABLE, ""),
    ("api..openai.com", UNREADABLE, ""),
    ("...", UNREADABLE, ""),
    (":443", UNREADABLE, ""),
    ("garbage!!", UNREADABLE, ""),
    ("1.2.3.4.5", UNREADABLE, ""),  # ends in a number: an address or nothing
    ("256.1.1.1", UNREADABLE, ""),
    ("1.2.3.256", UNREADABLE, ""),
    ("4294967296", UNREADABLE, ""),
    ("09.1.1.1", UNREADABLE, ""),  # not octal
    ("1_0.0.0.1", UNREADABLE, ""),  # int() would take it
    ("example.123", UNREADABLE, ""),
    ("[1.2.3.4]", UNREADABLE, ""),
    ("[::1", UNREADABLE, ""),
    ("[::1]x", UNREADABLE, ""),
    ("chat%ZZdeepseek.com", UNREADABLE, ""),
    ("chat%00.deepseek.com", UNREADABLE, ""),
    ("chat%2fdeepseek.com", UNREADABLE, ""),
    ("a" * 64 + ".example", UNREADABLE, ""),
    ("xn--a.example\u200b", UNREADABLE, ""),  # UTS 46 refuses what it cannot map
])
def test_parse_host(value, kind, name):
    host = parse_host(value)
    assert host is not None and host.kind is kind and host.name == name


@pytest.mark.parametrize("value", [None, "", "   ", "\t"])
def test_absent_names(value):
    assert parse_host(value) is None


def test_an_unreadable_value_is_never_kept():
    host = parse_host("sk-live-SECRET value@@")
    assert host.kind is UNREADABLE and "SECRET" not in repr(host)


@pytest.mark.parametrize(("value", "public"), [
    ("8.8.8.8", True), ("10.1.2.3", False), ("127.1", False), ("169.254.1.1", False),
    ("2606:4700::1", True), ("fd00::1", False), ("::ffff:8.8.8.8", True),
    ("::ffff:10.0.0.1", False), ("localhost", False),
])
def test_public_addresses(value, public):
    assert parse_host(value).is_public_address is public


# ----------------------------------------------------------------------------- classify
@pytest.fixture(scope="module")
def pipeline(test_ruleset_path):
    return Pipeline(load_ruleset(test_ruleset_path))


EVERYONE = ClientIdentity(ipaddress.ip_address("192.0.2.1"))
CONTRACTOR = ClientIdentity(ipaddress.ip_address("10.99.1.2"))


def request(*, destination=None, sni=None, hosts=(), path="/", tls=True, client=EVERYONE):
    return RequestInfo("POST", "https" if tls else "http", (destination or "").lower(), 443,
                       path, {}, client, names=DestinationNames(destination, sni, tuple(hosts),
                                                                 tls))


def classify(pipeline, settings=None, client=EVERYONE, **names):
    ruleset = pipeline.ruleset
    classifier = DestinationClassifier(ruleset.catalog, settings or DestinationSettings())
    req = request(client=client, **names)
    return classifier.classify(req.names, req.path,
                               lambda app: decide_access(ruleset, app, req))


@pytest.mark.parametrize(("names", "app", "host"), [
    # the cases: a port, a trailing dot, an IP CONNECT target
    ({"destination": "203.0.113.9", "sni": "api.openai.com", "hosts": ["api.openai.com:443"]},
     "openai-api", "api.openai.com"),
    ({"destination": "203.0.113.9", "sni": "chatgpt.com", "hosts": ["chatgpt.com:443"]},
     "openai-chatgpt", "chatgpt.com"),
    ({"destination": "203.0.113.9", "sni": "chat.deepseek.com",
      "hosts": ["chat.deepseek.com.:443"]}, "deepseek-chat", "chat.deepseek.com"),
    # an address or an absent name is no name
    ({"destination": "2130706433", "hosts": ["api.openai.com"]}, "openai-api",
     "api.openai.com"),
    ({"destination": "[::1]", "sni": "api.openai.com"}, "openai-api", "api.openai.com"),
    ({"destination": "api.openai.com", "sni": "api.openai.com", "hosts": ["203.0.113.9"]},
     "openai-api", "api.openai.com"),
    ({"destination": "api.openai.com", "sni": "api.openai.com", "hosts": ["localhost"]},
     "openai-api", "api.openai.com"),
    ({"destination": "0x7f.1", "sni": None, "hosts": ["API.OPENAI.COM"]}, "openai-api",
     "api.openai.com"),
    # two names of one app agree
    ({"destination": "chat.openai.com", "sni": "chatgpt.com", "hosts": ["chatgpt.com"]},
     "openai-chatgpt", "chatgpt.com"),
    # a shared host's path entry, named by all three
    ({"destination": "www.bing.com", "sni": "www.bing.com", "hosts": ["www.bing.com"],
      "path": "/chat"}, "microsoft-copilot", "www.bing.com"),
])
def test_names_that_agree(pipeline, names, app, host):
    d = classify(pipeline, **names)
    assert d.app.id == app and d.host == host
    assert d.disagreement is None and d.refusal is None


@pytest.mark.parametrize("names", [
    {"destination": "www.bing.com", "sni": "www.bing.com", "hosts": ["www.bing.com"],
     "path": "/search"},
    {"destination": "example.com", "sni": "example.com", "hosts": ["example.com:443"]},
    {"destination": "203.0.113.9", "sni": None, "hosts": ["example.com"]},
    {"destination": "203.0.113.9"},
    {},
])
def test_names_of_no_ai_app(pipeline, names):
    d = classify(pipeline, **names)
    assert d.app is None and d.refusal is None and d.disagreement is None


def test_banned_app_named_anywhere_wins_without_a_mismatch_refusal(pipeline):
    for names in ({"destination": "api.openai.com", "sni": "api.openai.com",
                   "hosts": ["chat.deepseek.com"]},
                  {"destination": "chat.deepseek.com", "sni": "api.openai.com",
                   "hosts": ["api.openai.com"]},
                  {"destination": "example.com", "sni": "example.com",
                   "hosts": ["example.com", "chat.deepseek.com:443"]}):
        d = classify(pipeline, **names)
        assert d.app.id == "deepseek-chat" and d.host == "chat.deepseek.com"
        assert d.disagreement is not None and d.refusal is None  # the ban answers


def test_strictest_by_the_rulesets_decision_not_catalog_order(pipeline):
    # everyone: openai-api allowed (tolerated), copilot allowed (sanctioned): tolerated is
    # stricter; anthropic-api is blocked by a report-mode rule, stricter than both.
    d = classify(pipeline, sni="copilot.microsoft.com", hosts=["api.openai.com"])
    assert d.app.id == "openai-api" and d.disagreement is Disagreement.DIFFERENT_APPS
    d = classify(pipeline, sni="api.anthropic.com", hosts=["api.openai.com"])
    assert d.app.id == "anthropic-api"
    # a contractor's openai-api is blocked outright: its own block is the answer
    d = classify(pipeline, client=CONTRACTOR, sni="copilot.microsoft.com",
                 hosts=["api.openai.com"])
    assert d.app.id == "openai-api" and d.refusal is None


@pytest.mark.parametrize(("names", "kind", "rule", "status"), [
    ({"destination": "api.openai.com", "sni": "api.openai.com", "hosts": ["api.anthropic.com"]},
     Disagreement.DIFFERENT_APPS, MISMATCH_RULE, 421),
    ({"destination": "api.openai.com", "sni": "api.openai.com", "hosts": ["example.com"]},
     Disagreement.NON_AI_NAME, MISMATCH_RULE, 421),
    ({"destination": "cdn.example.net", "sni": "cdn.example.net", "hosts": ["api.openai.com"]},
     Disagreement.NON_AI_NAME, MISMATCH_RULE, 421),  # domain fronting
    ({"destination": "example.com", "sni": "api.openai.com", "hosts": ["api.openai.com"]},
     Disagreement.NON_AI_NAME, MISMATCH_RULE, 421),
    ({"destination": "203.0.113.9", "sni": "api.openai.com",
      "hosts": ["api.openai.com", "api.anthropic.com"]},
     Disagreement.DIFFERENT_APPS, MISMATCH_RULE, 421),  # two Host headers
    ({"destination": "www.bing.com", "sni": "www.bing.com", "hosts": ["example.com"],
      "path": "/chat"}, Disagreement.NON_AI_NAME, MISMATCH_RULE, 421),
    ({"destination": "api.openai.com", "sni": "api.openai.com",
      "hosts": ["api.openai.com:443:443"]}, Disagreement.UNREADABLE, UNREADABLE_RULE, 400),
    ({"destination": "203.0.113.9", "sni": None, "hosts": ["chat deepseek.com"]},
     Disagreement.UNREADABLE, UNREADABLE_RULE, 400),
])
def test_names_that_disagree_are_refused(pipeline, names, kind, rule, status):
    d = classify(pipeline, **names)
    assert d.disagreement is kind
    assert d.refusal.rule_id == rule and d.refusal.status == status
    assert "openai" not in d.refusal.reason and "example" not in d.refusal.reason


def test_unreadable_name_alone_is_refused_without_an_app(pipeline):
    d = classify(pipeline, destination="203.0.113.9", hosts=["a..b"])
    assert d.app is None and d.refusal.rule_id == UNREADABLE_RULE


def test_mismatch_monitor_decides_as_the_strictest_app(pipeline):
    settings = DestinationSettings(mismatch=Action.MONITOR)
    d = classify(pipeline, settings, sni="api.openai.com", hosts=["api.anthropic.com"])
    assert d.disagreement is Disagreement.DIFFERENT_APPS and d.refusal is None
    assert d.app.id == "anthropic-api"
    # an unreadable name is refused whatever `mismatch` says
    d = classify(pipeline, settings, sni="api.openai.com", hosts=["api.openai.com:x"])
    assert d.refusal.rule_id == UNREADABLE_RULE


def test_plain_http_has_no_connection_scope(pipeline):
    d = classify(pipeline, destination="api.openai.com", hosts=["api.openai.com:80"],
                 tls=False)
    assert d.app.id == "openai-api" and d.scope is None


# ----------------------------------------------------------------------------- pipeline
def test_pipeline_refuses_with_421_and_a_fixed_reason(pipeline):
    req = request(destination="api.openai.com", sni="api.openai.com",
                  hosts=["api.anthropic.com"], path="/v1/messages")
    d = pipeline.destination(req)
    v = pipeline.refuse(req, d)
    assert v.notice.status == 421 and v.outcome.decision.rule_id == MISMATCH_RULE
    assert v.outcome.enforced is Action.BLOCK and v.outcome.decision.app.id == "anthropic-api"
    assert b"different AI services" in v.notice.body
    assert v.outcome.decision.groups == ("everyone",)


def test_pipeline_refusal_in_report_mode_is_recorded_not_enforced(tmp_path, test_ruleset_path):
    rs = tmp_path / "report.yaml"
    rs.write_text(test_ruleset_path.read_text().replace("mode: enforce", "mode: report")
                  .replace("catalog: catalog.yaml",
                           f"catalog: {test_ruleset_path.parent / 'catalog.yaml'}"))
    pipe = Pipeline(load_ruleset(rs))
    req = request(destination="203.0.113.9", hosts=["a..b"])
    v = pipe.refuse(req, pipe.destination(req))
    assert v.notice is None and v.outcome.enforced is Action.MONITOR
    assert v.outcome.decision.mode is Mode.REPORT and v.outcome.decision.app is None


def test_request_described_without_names_names_its_host(pipeline):
    req = RequestInfo("POST", "https", "chat.deepseek.com", 443, "/", {}, EVERYONE)
    assert pipeline.classify(req).id == "deepseek-chat"


# ----------------------------------------------------------------------------- scope
T, F = True, False  # explicit proxy (the client named the destination) or transparent


@pytest.mark.parametrize(("settings", "sni", "destination", "explicit", "scope", "named"), [
    ({}, "api.openai.com", "api.openai.com", T, Scope.AI, T),
    ({}, "API.OPENAI.COM.", "203.0.113.9", F, Scope.AI, T),
    ({}, "api.openai.com", "203.0.113.9", T, Scope.AI, T),
    ({}, "example.org", "chat.deepseek.com:443", T, Scope.AI, T),  # innocent SNI, AI CONNECT
    ({}, "www.bing.com", "www.bing.com", T, Scope.AI, T),  # a shared host's path entry
    ({}, "example.org", "example.org", T, Scope.TUNNEL, T),
    # transparent mode: the destination is always an address, the SNI is the name
    ({}, "example.org", "203.0.113.9", F, Scope.TUNNEL, T),
    # explicit CONNECT to an address: the server name is the client's own word
    ({}, "example.org", "203.0.113.9", T, Scope.IP_CONNECT, T),
    ({}, "example.org", "[2001:db8::1]", T, Scope.IP_CONNECT, T),
    ({"ip_connect": Unnamed.TUNNEL}, "example.org", "203.0.113.9", T, Scope.TUNNEL, T),
    ({"ip_connect": Unnamed.PUBLIC}, "example.org", "10.1.2.3", T, Scope.TUNNEL, T),
    ({"ip_connect": Unnamed.PUBLIC}, "example.org", "8.8.8.8", T, Scope.IP_CONNECT, T),
    # no server name
    ({}, None, "203.0.113.9", T, Scope.NO_SNI, F),
    ({}, None, "203.0.113.9", F, Scope.NO_SNI, F),
    ({}, None, "10.1.2.3", T, Scope.NO_SNI, F),
    ({}, None, "localhost", T, Scope.NO_SNI, F),
    ({}, None, "example.org", T, Scope.NO_SNI, F),
    ({}, "127.0.0.1", "127.0.0.1", T, Scope.NO_SNI, F),  # an address is no server name
    ({}, "a..b", "example.org", T, Scope.NO_SNI, F),  # nor is garbage
    ({}, None, "api.openai.com", T, Scope.AI, F),
    ({"no_sni": Unnamed.TUNNEL}, None, "203.0.113.9", T, Scope.TUNNEL, F),
    ({"no_sni": Unnamed.PUBLIC}, None, "8.8.8.8", F, Scope.NO_SNI, F),
    ({"no_sni": Unnamed.PUBLIC}, None, "203.0.113.9", F, Scope.TUNNEL, F),  # documentation
    ({"no_sni": Unnamed.PUBLIC}, None, "10.1.2.3", T, Scope.TUNNEL, F),
    ({"no_sni": Unnamed.PUBLIC}, None, "2130706433", T, Scope.TUNNEL, F),
    ({"no_sni": Unnamed.PUBLIC}, None, "example.org", T, Scope.NO_SNI, F),
    # fronts
    ({"fronts": ("cdn.example.net",)}, "cdn.example.net", "cdn.example.net", T, Scope.FRONT,
     T),
    ({"fronts": ("cdn.example.net",)}, "a.b.cdn.example.net", "203.0.113.9", F, Scope.FRONT,
     T),
    ({"fronts": ("cdn.example.net",)}, "notcdn.example.net", "x.example", T, Scope.TUNNEL, T),
    ({"fronts": ("cdn.example.net",)}, "example.org", "cdn.example.net:443", T, Scope.FRONT,
     T),
    # everything
    ({"decrypt": DecryptScope.ALL}, "example.org", "example.org", T, Scope.ALL, T),
    ({"decrypt": DecryptScope.ALL, "no_sni": Unnamed.TUNNEL}, None, "203.0.113.9", F,
     Scope.ALL, F),
])
def test_connection_scope(pipeline, settings, sni, destination, explicit, scope, named):
    classifier = DestinationClassifier(pipeline.ruleset.catalog, DestinationSettings(**settings))
    got = classifier.scope(sni, destination, explicit)
    assert got.scope is scope and got.server_name is named
    assert got.decrypt is (scope is not Scope.TUNNEL)


# ----------------------------------------------------------------------------- settings
def test_destinations_section_parsed(tmp_path, test_ruleset_path):
    rs = tmp_path / "rs.yaml"
    rs.write_text(test_ruleset_path.read_text().replace(
        "catalog: catalog.yaml", f"catalog: {test_ruleset_path.parent / 'catalog.yaml'}")
        + "destinations:\n  mismatch: monitor\n  no_sni: public\n  ip_connect: tunnel\n"
          "  decrypt: all\n"
          "  fronts: [cdn.example.net, d1.cloudfront.net, cdn.example.net]\n")
    settings = load_ruleset(rs).destinations
    assert settings == DestinationSettings(
        mismatch=Action.MONITOR, no_sni=Unnamed.PUBLIC, ip_connect=Unnamed.TUNNEL,
        decrypt=DecryptScope.ALL,
        fronts=("cdn.example.net", "d1.cloudfront.net"))


def test_destinations_default_when_absent(test_ruleset_path):
    assert load_ruleset(test_ruleset_path).destinations == DestinationSettings()


# ----------------------------------------------------------------------------- aipolicy test
def run_cli(capsys, ruleset, *args) -> dict:
    from aipolicy.cli import main

    assert main(["test", *args, "--ruleset", str(ruleset)]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_shows_the_decision_for_chosen_names(capsys, test_ruleset_path):
    out = run_cli(capsys, test_ruleset_path, "https://api.openai.com/v1/chat/completions",
                  "--host-header", "api.anthropic.com")
    assert out["rule"] == MISMATCH_RULE and out["status"] == 421
    out = run_cli(capsys, test_ruleset_path, "https://203.0.113.9/v1/chat/completions",
                  "--sni", "api.openai.com", "--host-header", "api.openai.com:443")
    assert out["app"] == "openai-api" and out["action"] == "allow"
    out = run_cli(capsys, test_ruleset_path, "https://203.0.113.9/", "--sni", "example.org")
    assert out == {"ai": False, "host": "203.0.113.9", "intercepted": True,
                   "connection": "ip-connect", "tenant_headers": {}}
