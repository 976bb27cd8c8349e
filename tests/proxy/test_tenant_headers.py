"""The tenant header addon in the addon stack: headers set on forwarded requests, every
client copy gone, only for the vendor's hosts, never on what the proxy answers itself."""

from __future__ import annotations

import pytest
from mitmproxy import http
from mitmproxy.test import taddons

from aipolicy.metrics import PolicyMetrics

from .test_addons import ai_flow, run_request
from .test_destination_addons import sample, tls_flow

WS = "550e8400-e29b-41d4-a716-446655440000"
ORG = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
POLICY = f"{WS}:{ORG}"
TENANTS = f"""\
tenants:
  restrict:
    chatgpt-workspaces: [{WS}]
    anthropic-organizations: [{ORG}]
    microsoft-tenant-policy: {{values: ["{POLICY}"], sign_in: true}}
"""
CHATGPT = "chatgpt-allowed-workspace-id"
ANTHROPIC = "anthropic-allowed-org-ids"
MICROSOFT = "sec-restrict-tenant-access-policy"


@pytest.fixture
def make_stack(addon_modules, test_ruleset_path, tmp_path):
    contexts = []

    def make(section: str = TENANTS):
        rs = tmp_path / "ruleset.yaml"
        rs.write_text(test_ruleset_path.read_text().replace(
            "catalog: catalog.yaml", f"catalog: {test_ruleset_path.parent / 'catalog.yaml'}")
            + section)
        m = addon_modules
        metrics = PolicyMetrics()
        state = m["policy_state"].PolicyState(metrics)
        addons = [state, m["http_guard"].ProtocolGuard(state), m["enforcer"].Enforcer(state),
                  m["http_guard"].DecisionGuard(state),
                  m["tenant_headers"].TenantHeaders(state, metrics),
                  m["audit_log"].AuditLog(state)]
        ctx = taddons.context(*addons)
        tctx = ctx.__enter__()
        contexts.append(ctx)
        tctx.configure(state, aipolicy_ruleset=str(rs), aipolicy_reload_interval=0,
                       aipolicy_scan_workers=0)
        tctx.configure(addons[-1], aipolicy_audit_log=str(tmp_path / "audit.log"))
        return tctx, addons, metrics

    yield make
    for ctx in reversed(contexts):
        ctx.__exit__(None, None, None)


def flow(host: str, path: str = "/backend-api/conversation", method: str = "POST",
         extra: list[tuple[str, str]] = (), peer: str = "192.0.2.7"):
    f = tls_flow(destination=host, sni=host, hosts=[host], path=path, method=method)
    f.client_conn.peername = (peer, 50000)
    for name, value in extra:
        f.request.headers.add(name, value)
    return f


CLIENT_COPIES = [
    ("ChatGPT-Allowed-Workspace-Id", "11111111-1111-1111-1111-111111111111"),
    ("chatgpt-allowed-workspace-id", "22222222-2222-2222-2222-222222222222"),
    ("CHATGPT-ALLOWED-WORKSPACE-ID", "33333333-3333-3333-3333-333333333333"),
    ("ChatGPT_Allowed_Workspace_Id", "44444444-4444-4444-4444-444444444444"),
    ("Anthropic-Allowed-Org-Ids", "55555555-5555-5555-5555-555555555555"),
    ("Connection", "keep-alive, chatgpt-allowed-workspace-id"),
]


def tenant_fields(f) -> list[tuple[str, str]]:
    keys = {CHATGPT, ANTHROPIC, MICROSOFT}
    return [(k, v) for k, v in f.request.headers.items(multi=True)
            if k.lower().replace("_", "-") in keys]


async def test_allowed_request_gets_the_header_and_loses_every_client_copy(make_stack):
    tctx, addons, metrics = make_stack()
    f = flow("chatgpt.com", extra=CLIENT_COPIES)
    await run_request(tctx, addons, f)
    assert f.response is None  # allowed: forwarded
    assert tenant_fields(f) == [(CHATGPT, WS)]
    assert f.request.headers.get_all("connection") == ["keep-alive"]
    assert f.metadata["aipolicy"].decision.rule_id == "approved"
    assert sample(metrics, 'aipolicy_tenant_headers_total{preset="chatgpt-workspaces"}') == 1


async def test_page_load_and_websocket_handshake_get_it_too(make_stack):
    tctx, addons, _ = make_stack()
    page = flow("chatgpt.com", path="/", method="GET")
    await run_request(tctx, addons, page)
    ws = flow("chat.openai.com", path="/backend-api/ws", method="GET",
              extra=[("Upgrade", "websocket"), ("Connection", "Upgrade"),
                     ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", "x"),
                     ("chatgpt-allowed-workspace-id", "66666666-6666-6666-6666-666666666666")])
    await run_request(tctx, addons, ws)
    assert page.response is None and tenant_fields(page) == [(CHATGPT, WS)]
    assert ws.response is None and tenant_fields(ws) == [(CHATGPT, WS)]
    assert ws.request.headers["connection"] == "Upgrade"


async def test_only_the_vendors_own_header(make_stack):
    tctx, addons, _ = make_stack()
    f = flow("api.anthropic.com", path="/v1/messages")
    await run_request(tctx, addons, f)
    # the test ruleset's report-mode block: recorded, forwarded, restricted
    assert f.response is None and f.metadata["aipolicy"].decision.rule_id == "report-anthropic"
    assert tenant_fields(f) == [(ANTHROPIC, ORG)]
    other = flow("api.openai.com", path="/v1/chat/completions",
                 extra=[("chatgpt-allowed-workspace-id", "77777777-7777-7777-7777-777777777777")])
    await run_request(tctx, addons, other)
    # no preset for the OpenAI API here: its headers stay as the client sent them
    assert tenant_fields(other) == [(CHATGPT, "77777777-7777-7777-7777-777777777777")]


async def test_blocked_request_is_answered_and_not_touched(make_stack):
    tctx, addons, metrics = make_stack()
    f = flow("chatgpt.com", peer="10.99.1.2", extra=CLIENT_COPIES[:1])  # a contractor
    await run_request(tctx, addons, f)
    assert f.response is not None and f.response.status_code == 403
    assert tenant_fields(f) == [CLIENT_COPIES[0]]  # nothing went upstream
    assert sample(metrics, 'aipolicy_tenant_headers_total{preset="chatgpt-workspaces"}') == 0


async def test_sign_in_host_gets_its_header_without_a_decision(make_stack):
    tctx, addons, metrics = make_stack()
    f = flow("login.microsoftonline.com", path="/common/oauth2/v2.0/authorize", method="GET",
             extra=[("sec-Restrict-Tenant-Access-Policy", "restrict-msa")])
    await run_request(tctx, addons, f)
    assert f.response is None and "aipolicy" not in f.metadata  # no AI app, no audit
    assert tenant_fields(f) == [(MICROSOFT, POLICY)]
    assert sample(metrics,
                  'aipolicy_tenant_headers_total{preset="microsoft-tenant-policy"}') == 1


async def test_names_that_disagree_still_get_the_header_of_every_name(make_stack):
    tctx, addons, _ = make_stack()
    # Host says login.live.com, the connection was opened to an address
    f = tls_flow(destination="203.0.113.9", sni=None, hosts=["LOGIN.LIVE.COM.:443"], path="/",
                 method="GET")
    await run_request(tctx, addons, f)
    assert tenant_fields(f) == [(MICROSOFT, POLICY)]


async def test_trailers_lose_tenant_headers(make_stack):
    tctx, addons, _ = make_stack()
    f = flow("login.microsoftonline.com", path="/common/login", method="POST")
    f.request.trailers = http.Headers([(b"sec-restrict-tenant-access-policy", b"restrict-msa"),
                                       (b"x-checksum", b"1")])
    await run_request(tctx, addons, f)
    assert list(f.request.trailers.items(multi=True)) == [("x-checksum", "1")]


async def test_other_hosts_untouched(make_stack):
    tctx, addons, _ = make_stack()
    f = ai_flow(host="example.org", path="/", method="GET",
                headers={"chatgpt-allowed-workspace-id": "x",
                         "connection": "x-a, chatgpt-allowed-workspace-id"})
    before = list(f.request.headers.items(multi=True))
    await run_request(tctx, addons, f)
    assert list(f.request.headers.items(multi=True)) == before


async def test_no_tenants_section_no_change(make_stack):
    tctx, addons, _ = make_stack("")
    f = flow("chatgpt.com", extra=CLIENT_COPIES[:2])
    await run_request(tctx, addons, f)
    assert tenant_fields(f) == CLIENT_COPIES[:2]
