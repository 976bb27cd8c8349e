"""Destination decisions in the addons: which TLS connections are decrypted, and what
happens to requests whose names (CONNECT target, SNI, Host) disagree."""

from __future__ import annotations

import json

import pytest
from mitmproxy import tls
from mitmproxy.proxy.context import Context
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.test import taddons, tflow

from aipolicy.metrics import PolicyMetrics

from .test_addons import (  # noqa: F401 - inspecting_stack is a fixture
    _client_hello_bytes,
    _ws_message,
    ai_flow,
    inspecting_stack,
    run_request,
)


@pytest.fixture
def make_stack(addon_modules, test_ruleset_path, tmp_path):
    """The addon stack with the test ruleset plus a ``destinations`` section."""
    contexts = []

    def make(destinations: str = ""):
        rs = tmp_path / "ruleset.yaml"
        rs.write_text(test_ruleset_path.read_text().replace(
            "catalog: catalog.yaml", f"catalog: {test_ruleset_path.parent / 'catalog.yaml'}")
            + (f"destinations:\n{destinations}" if destinations else ""))
        m = addon_modules
        metrics = PolicyMetrics()
        state = m["policy_state"].PolicyState(metrics)
        addons = [state, m["tls_scope"].TlsScope(state, metrics), m["enforcer"].Enforcer(state),
                  m["audit_log"].AuditLog(state),
                  m["metrics_exporter"].MetricsExporter(state, metrics)]
        audit = tmp_path / "audit.log"
        ctx = taddons.context(*addons)
        tctx = ctx.__enter__()
        contexts.append(ctx)
        tctx.configure(state, aipolicy_ruleset=str(rs), aipolicy_reload_interval=0,
                       aipolicy_scan_workers=0)
        tctx.configure(addons[3], aipolicy_audit_log=str(audit))
        return tctx, addons, metrics, audit

    yield make
    for ctx in reversed(contexts):
        ctx.__exit__(None, None, None)


def audit_lines(audit) -> list[dict]:
    return [json.loads(x) for x in audit.read_text().splitlines()] if audit.exists() else []


def sample(metrics: PolicyMetrics, line: str) -> float:
    for row in metrics.exposition().decode().splitlines():
        if row.startswith(line + " "):
            return float(row.rsplit(" ", 1)[1])
    return 0.0


def tls_flow(*, destination: str, sni: str | None, hosts: list[str], path: str = "/",
             method: str = "POST"):
    """A request on a decrypted connection: CONNECT target, SNI and Host as given."""
    f = ai_flow(host=destination, path=path, method=method)
    f.request.headers.pop("host")
    for host in hosts:
        f.request.headers.add("host", host)
    f.client_conn.tls = True
    f.client_conn.sni = sni
    return f


# ----------------------------------------------------------------------------- tls_clienthello
def hello(tctx, sni: str | None, server_host: str | None,
          mode: str = "regular") -> tls.ClientHelloData:
    client = tflow.tclient_conn()
    client.proxy_mode = ProxyMode.parse(mode)
    context = Context(client, tctx.options)
    context.server.address = (server_host, 443) if server_host else None
    return tls.ClientHelloData(context, tls.ClientHello(_client_hello_bytes(sni)))


@pytest.mark.parametrize(("destinations", "sni", "server", "decrypted", "reason"), [
    ("", "api.openai.com", "203.0.113.9", True, "ai"),
    ("", "example.org", "203.0.113.9", True, "ip-connect"),  # CONNECT to an address
    ("  ip_connect: tunnel\n", "example.org", "203.0.113.9", False, None),
    ("", "API.OpenAI.com", "api.openai.com.", True, "ai"),
    ("", "example.org", "chat.deepseek.com", True, "ai"),
    ("", "example.org", "example.org", False, None),
    ("", None, "203.0.113.9", True, "no-sni"),
    ("", None, "2130706433", True, "no-sni"),
    ("", None, "localhost", True, "no-sni"),
    ("", None, "api.openai.com", True, "ai"),
    ("  no_sni: tunnel\n", None, "203.0.113.9", False, None),
    ("  no_sni: public\n", None, "10.1.2.3", False, None),
    ("  no_sni: public\n", None, "8.8.8.8", True, "no-sni"),
    ("  fronts: [cdn.example.net]\n", "eu.cdn.example.net", "eu.cdn.example.net", True,
     "front"),
    ("  fronts: [cdn.example.net]\n", "example.org", "example.org", False, None),
    ("  decrypt: all\n", "example.org", "example.org", True, "all"),
])
def test_tls_clienthello_decisions(make_stack, destinations, sni, server, decrypted, reason):
    tctx, addons, metrics, _ = make_stack(destinations)
    data = hello(tctx, sni, server)
    addons[1].tls_clienthello(data)
    assert data.ignore_connection is (not decrypted)
    if decrypted:
        assert sample(metrics, f'aipolicy_decrypted_connections_total{{reason="{reason}"}}') == 1
    else:
        assert sample(metrics, "aipolicy_tunnelled_connections_total") == 1
    if sni is None:
        action = "decrypted" if decrypted else "tunnelled"
        assert sample(metrics, f'aipolicy_no_sni_connections_total{{action="{action}"}}') == 1


def test_transparent_destination_address_is_not_an_ip_connect(make_stack):
    tctx, addons, metrics, _ = make_stack()
    data = hello(tctx, "example.org", "203.0.113.9", mode="transparent")
    addons[1].tls_clienthello(data)
    assert data.ignore_connection is True
    data = hello(tctx, "api.openai.com", "203.0.113.9", mode="transparent")
    addons[1].tls_clienthello(data)
    assert data.ignore_connection is False


# ----------------------------------------------------------------------------- requests
async def test_host_with_port_on_ip_connection_is_classified(make_stack):
    tctx, addons, metrics, audit = make_stack()
    f = tls_flow(destination="203.0.113.9", sni="chat.deepseek.com",
                 hosts=["chat.deepseek.com.:443"])
    await run_request(tctx, addons, f)
    assert f.response.status_code == 403
    (line,) = audit_lines(audit)
    assert line["app"] == "deepseek-chat" and line["host"] == "chat.deepseek.com"
    assert line["rule"] == "banned"


async def test_names_of_two_services_get_421_one_audit_line_and_a_metric(make_stack):
    tctx, addons, metrics, audit = make_stack()
    f = tls_flow(destination="api.openai.com", sni="api.openai.com",
                 hosts=["copilot.microsoft.com"], path="/v1/chat/completions")
    await run_request(tctx, addons, f)
    assert f.response.status_code == 421
    assert f.response.headers["x-should-retry"] == "false"
    (line,) = audit_lines(audit)
    assert line["rule"] == "destination-mismatch" and line["action"] == "block"
    assert line["app"] == "openai-api"  # tolerated is stricter than sanctioned
    assert sample(metrics, 'aipolicy_destination_mismatches_total'
                           '{action="block",kind="different-apps"}') == 1
    assert sample(metrics, 'aipolicy_requests_total{action="block",app="openai-api"}') == 1


async def test_non_ai_host_on_ai_connection_refused(make_stack):
    tctx, addons, metrics, audit = make_stack()
    f = tls_flow(destination="203.0.113.9", sni="api.openai.com", hosts=["www.example.org"],
                 method="GET")
    f.request.headers["accept"] = "text/html"
    await run_request(tctx, addons, f)
    assert f.response.status_code == 421
    assert f.response.headers["content-type"].startswith("text/html")
    assert b"was blocked" in f.response.content and b"www.example.org" not in f.response.content
    (line,) = audit_lines(audit)
    assert line["rule"] == "destination-mismatch" and line["host"] == "api.openai.com"
    assert sample(metrics, 'aipolicy_destination_mismatches_total'
                           '{action="block",kind="non-ai-name"}') == 1


async def test_unreadable_host_refused_400_without_echoing_it(make_stack):
    tctx, addons, metrics, audit = make_stack()
    f = tls_flow(destination="203.0.113.9", sni=None, hosts=["chat.deepseek.com SECRET"])
    await run_request(tctx, addons, f)
    assert f.response.status_code == 400 and b"SECRET" not in f.response.content
    (line,) = audit_lines(audit)
    assert line["rule"] == "destination-unreadable" and line["app"] is None
    assert "SECRET" not in audit.read_text()
    assert sample(metrics, 'aipolicy_destination_mismatches_total'
                           '{action="block",kind="unreadable-name"}') == 1


async def test_mismatch_monitor_decides_as_the_strictest_app(make_stack):
    tctx, addons, metrics, audit = make_stack("  mismatch: monitor\n")
    f = tls_flow(destination="api.openai.com", sni="api.openai.com",
                 hosts=["api.anthropic.com"], path="/v1/messages")
    await run_request(tctx, addons, f)
    assert f.response is None  # anthropic-api: blocked by a report-mode rule
    (line,) = audit_lines(audit)
    assert line["app"] == "anthropic-api" and line["rule"] == "report-anthropic"
    assert line["enforced"] == "monitor"
    assert sample(metrics, 'aipolicy_destination_mismatches_total'
                           '{action="monitor",kind="different-apps"}') == 1


async def test_non_ai_request_on_no_sni_connection_passes_unaudited_and_counted(make_stack):
    tctx, addons, metrics, audit = make_stack()
    f = tls_flow(destination="203.0.113.9", sni=None, hosts=["www.example.org"])
    original = f.request.content
    await run_request(tctx, addons, f)
    assert f.response is None and f.request.content == original
    assert audit_lines(audit) == []
    assert sample(metrics, 'aipolicy_non_ai_requests_total{connection="no-sni"}') == 1


async def test_non_ai_request_on_an_ai_connection_by_path_passes(make_stack):
    # A shared host decrypted for one path: its other paths are not AI and not refused.
    tctx, addons, metrics, audit = make_stack()
    f = tls_flow(destination="www.bing.com", sni="www.bing.com", hosts=["www.bing.com"],
                 path="/search", method="GET")
    await run_request(tctx, addons, f)
    assert f.response is None and audit_lines(audit) == []
    assert "aipolicy_non_ai_requests_total{" not in metrics.exposition().decode()


async def test_websocket_handshake_with_host_port_is_classified_and_frames_inspected(
        inspecting_stack):  # noqa: F811 - the imported fixture
    tctx, addons, metrics, audit = inspecting_stack
    f = tflow.twebsocketflow(messages=False)
    f.request.host, f.request.path = "203.0.113.9", "/c/api/chat"  # CONNECT by address
    f.request.headers["host"] = "copilot.microsoft.com:443"
    f.client_conn.tls, f.client_conn.sni = True, "copilot.microsoft.com"
    f.client_conn.peername = ("192.0.2.9", 5000)
    upgrade, f.response = f.response, None
    await run_request(tctx, addons, f)
    assert f.response is None and f.metadata["aipolicy"].decision.app.id == "microsoft-copilot"
    f.response = upgrade
    frame = json.dumps({"event": "send", "content": [
        {"type": "text", "text": "token ghp_Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"}]}).encode()
    msg = await _ws_message(tctx, addons, f, frame)
    assert msg.dropped
    ws = [json.loads(x) for x in audit.read_text().splitlines()]
    assert [x["method"] for x in ws] == ["GET", "WEBSOCKET"]
    assert ws[0]["host"] == "copilot.microsoft.com" and ws[1]["action"] == "block"
