"""The mitmproxy addons, driven with mitmproxy's own taddons/tflow test helpers."""

from __future__ import annotations

import json
import shutil

import pytest
from mitmproxy import exceptions, http, tls
from mitmproxy.test import taddons, tflow, tutils

from aipolicy.metrics import PolicyMetrics
from aipolicy.outcome import Outcome


@pytest.fixture
def stack(addon_modules, test_ruleset_path, tmp_path):
    """PolicyState + TlsScope + Enforcer + AuditLog + MetricsExporter, configured."""
    m = addon_modules
    metrics = PolicyMetrics()
    state = m["policy_state"].PolicyState(metrics)
    addons = [state, m["tls_scope"].TlsScope(state, metrics), m["enforcer"].Enforcer(state),
              m["audit_log"].AuditLog(state), m["metrics_exporter"].MetricsExporter(state, metrics),
              m["streaming"].Streaming()]
    audit = tmp_path / "audit.log"
    with taddons.context(*addons) as tctx:
        tctx.configure(state, aipolicy_ruleset=str(test_ruleset_path),
                       aipolicy_reload_interval=0)
        tctx.configure(addons[3], aipolicy_audit_log=str(audit))
        yield tctx, addons, metrics, audit


def ai_flow(host="chat.deepseek.com", path="/api/v0/chat/completion", method="POST",
            headers=None, peer=("192.0.2.7", 50000), content=b'{"prompt":"hi"}'):
    f = tflow.tflow()
    f.request = tutils.treq(host=host, port=443, path=path, method=method.encode(),
                            content=content)
    f.request.scheme = "https"
    f.request.headers.clear()
    f.request.headers["host"] = host
    for k, v in (headers or {"accept": "application/json"}).items():
        f.request.headers[k] = v
    f.client_conn.peername = peer
    return f


async def run_request(tctx, addons, f):
    for a in addons:
        if hasattr(a, "request"):
            await tctx.master.addons.invoke_addon(a, http_request_hook(f))


def http_request_hook(f):
    from mitmproxy.proxy.layers.http import HttpRequestHook

    return HttpRequestHook(f)


async def test_banned_app_blocked_with_json_notice_and_audited(stack):
    tctx, addons, metrics, audit = stack
    f = ai_flow()
    await run_request(tctx, addons, f)
    assert f.response is not None and f.response.status_code == 403
    body = json.loads(f.response.content)
    outcome: Outcome = f.metadata["aipolicy"]
    assert outcome.reference in body["error"]["message"]
    line = json.loads(audit.read_text().splitlines()[-1])
    assert line["reference"] == outcome.reference and line["action"] == "block"
    assert line["app"] == "deepseek-chat" and line["client"] == "192.0.2.7"
    text = metrics.exposition().decode()
    assert 'aipolicy_requests_total{action="block",app="deepseek-chat"} 1.0' in text


async def test_openai_api_allowed_untouched(stack):
    tctx, addons, metrics, audit = stack
    f = ai_flow(host="api.openai.com", path="/v1/chat/completions")
    original = f.request.content
    await run_request(tctx, addons, f)
    assert f.response is None and f.request.content == original
    assert f.metadata["aipolicy"].enforced.value == "allow"
    assert json.loads(audit.read_text())["rule"] == "approved"


async def test_browser_navigation_gets_html(stack):
    tctx, addons, _, _ = stack
    f = ai_flow(method="GET", path="/", headers={
        "accept": "text/html,application/xhtml+xml", "sec-fetch-mode": "navigate"})
    await run_request(tctx, addons, f)
    assert f.response.headers["content-type"].startswith("text/html")
    assert b"DeepSeek" in f.response.content


async def test_non_ai_request_is_not_touched_or_audited(stack):
    tctx, addons, _, audit = stack
    f = ai_flow(host="www.bing.com", path="/search")
    await run_request(tctx, addons, f)
    assert f.response is None and "aipolicy" not in f.metadata
    assert not audit.exists() or audit.read_text() == ""


async def test_shared_host_path_entry(stack):
    tctx, addons, _, _ = stack
    f = ai_flow(host="www.bing.com", path="/chat", peer=("10.99.0.5", 1))
    await run_request(tctx, addons, f)
    assert f.metadata["aipolicy"].decision.app.id == "microsoft-copilot"


async def test_proxyauth_user_picks_group(stack):
    tctx, addons, _, audit = stack
    f = ai_flow(host="cursor.sh", path="/api")
    f.metadata["proxyauth"] = ("alice", "s3cret-password")
    await run_request(tctx, addons, f)
    line = json.loads(audit.read_text())
    assert line["user"] == "alice" and line["rule"] == "engineering-coding"
    assert "s3cret-password" not in audit.read_text()


def test_tls_scope_tunnels_non_ai(stack):
    tctx, addons, metrics, _ = stack
    scope = addons[1]

    def hello(sni, server_host):
        ctx = tflow.tclient_conn()
        from mitmproxy.proxy.context import Context

        context = Context(ctx, tctx.options)
        context.server.address = (server_host, 443)
        ch = tls.ClientHello(_client_hello_bytes(sni))
        return tls.ClientHelloData(context, ch)

    d = hello("example.org", "example.org")
    scope.tls_clienthello(d)
    assert d.ignore_connection is True
    d = hello("api.openai.com", "api.openai.com")
    scope.tls_clienthello(d)
    assert d.ignore_connection is False
    # an innocent SNI inside a CONNECT to an AI host is still intercepted
    d = hello("example.org", "chat.deepseek.com")
    scope.tls_clienthello(d)
    assert d.ignore_connection is False
    d = hello("www.bing.com", "www.bing.com")  # a shared host with an AI path entry
    scope.tls_clienthello(d)
    assert d.ignore_connection is False
    assert "aipolicy_tunnelled_connections_total 1.0" in metrics.exposition().decode()


def _client_hello_bytes(sni: str) -> bytes:
    """A real TLS ClientHello for ``sni``, produced by Python's ssl module."""
    import ssl

    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=sni)
    with pytest.raises(ssl.SSLWantReadError):
        obj.do_handshake()
    record = outgoing.read()
    return record[5:][4:]  # strip the TLS record header and the handshake header


def test_invalid_ruleset_rejected_at_configure(addon_modules, tmp_path, test_ruleset_path):
    state = addon_modules["policy_state"].PolicyState(PolicyMetrics())
    bad = tmp_path / "bad.yaml"
    catalog = test_ruleset_path.parent / "catalog.yaml"
    bad.write_text(test_ruleset_path.read_text().replace("mode: enforce", "mode: bogus")
                   .replace("catalog: catalog.yaml", f"catalog: {catalog}"))
    with taddons.context(state) as tctx:
        tctx.configure(state, aipolicy_scan_workers=0, aipolicy_ruleset=str(test_ruleset_path))
        with pytest.raises(exceptions.OptionsError) as e:
            tctx.configure(state, aipolicy_ruleset=str(bad))
    assert "bad.yaml" in str(e.value) and "mode" in str(e.value)


async def test_reload_keeps_old_ruleset_on_error(addon_modules, tmp_path, test_ruleset_path):
    metrics = PolicyMetrics()
    state = addon_modules["policy_state"].PolicyState(metrics)
    work = tmp_path / "rs"
    shutil.copytree(test_ruleset_path.parent, work, ignore=shutil.ignore_patterns("broken"))
    rs = work / "valid.yaml"
    with taddons.context(state) as tctx:
        tctx.configure(state, aipolicy_ruleset=str(rs), aipolicy_reload_interval=0)
        first = state.pipeline
        rs.write_text(rs.read_text().replace('version: "1.0"', 'version: "1.1"'))
        assert state.changed()
        assert await state.reload() is True
        assert state.pipeline is not first
        assert state.pipeline.ruleset.policy.version == "1.1"
        good = state.pipeline
        rs.write_text(rs.read_text().replace("mode: enforce", "mode: nonsense"))
        assert await state.reload() is False
        assert state.pipeline is good  # the broken edit never replaced the running policy
        assert "aipolicy_ruleset_reload_failures_total 1.0" in metrics.exposition().decode()


def test_streaming_enabled_for_responses(addon_modules):
    s = addon_modules["streaming"].Streaming()
    f = tflow.tflow(resp=True)
    s.responseheaders(f)
    assert f.response.stream is True


def test_entry_module_builds_all_addons(addon_modules):
    names = [type(a).__name__ for a in addon_modules["aipolicy_addons"].build_addons()]
    assert names == ["StateStoreAddon", "PolicyState", "TlsScope", "ConnectionGuard",
                     "ProtocolGuard", "Enforcer", "DecisionGuard", "IncidentsAddon",
                     "TenantHeaders", "AuditLog",
                     "MetricsExporter", "Streaming"]


def test_respond_builds_response(addon_modules):
    from aipolicy.notices import Notice

    f = tflow.tflow()
    addon_modules["enforcer"].respond(f, Notice(403, (("x-a", "1"),), b"{}", "json"))
    assert isinstance(f.response, http.Response) and f.response.headers["x-a"] == "1"


def test_audit_defaults_to_stdout_without_configure(addon_modules, capsys, test_ruleset_path):
    """The launcher adds addons directly: options left at their defaults must still work."""
    m = addon_modules
    metrics = PolicyMetrics()
    state = m["policy_state"].PolicyState(metrics)
    audit = m["audit_log"].AuditLog(state)
    with taddons.context(state, audit) as tctx:
        tctx.configure(state, aipolicy_scan_workers=0, aipolicy_ruleset=str(test_ruleset_path))
        audit.running()
        assert audit.writer is not None and audit.writer.target == "-"


@pytest.fixture
def inspecting_stack(addon_modules, tmp_path):
    """The addon stack with the e2e ruleset (content inspection on), scanning in-process."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    e2e = root / "tests" / "fixtures" / "rulesets" / "e2e.yaml"
    rs = tmp_path / "e2e.yaml"
    rs.write_text(e2e.read_text().replace("../../../rulesets/", f"{root}/rulesets/"))
    m = addon_modules
    metrics = PolicyMetrics()
    state = m["policy_state"].PolicyState(metrics)
    addons = [state, m["enforcer"].Enforcer(state), m["audit_log"].AuditLog(state),
              m["metrics_exporter"].MetricsExporter(state, metrics)]
    audit = tmp_path / "audit.log"
    from mitmproxy.addons.proxyserver import Proxyserver  # provides inject.websocket

    with taddons.context(Proxyserver(), *addons) as tctx:
        tctx.configure(state, aipolicy_scan_workers=0, aipolicy_ruleset=str(rs),
                       aipolicy_reload_interval=0)
        tctx.configure(addons[2], aipolicy_audit_log=str(audit))
        yield tctx, addons, metrics, audit


async def _ws_message(tctx, addons, f, content: bytes):
    from mitmproxy import websocket
    from mitmproxy.proxy.layers.websocket import WebsocketMessageHook

    f.websocket.messages.append(websocket.WebSocketMessage(1, True, content))
    for a in addons:
        if hasattr(a, "websocket_message"):
            await tctx.master.addons.invoke_addon(a, WebsocketMessageHook(f))
    return f.websocket.messages[-1]


async def test_websocket_prompt_redacted_and_secret_dropped(inspecting_stack):
    tctx, addons, metrics, audit = inspecting_stack
    f = tflow.twebsocketflow(messages=False)
    f.request.host, f.request.path = "copilot.microsoft.com", "/c/api/chat"
    f.request.headers["host"] = "copilot.microsoft.com"
    f.client_conn.peername = ("192.0.2.9", 5000)
    upgrade, f.response = f.response, None
    await run_request(tctx, addons, f)  # the handshake: allowed, outcome recorded
    assert f.response is None and f.metadata["aipolicy"].decision.app.id == "microsoft-copilot"
    f.response = upgrade  # 101 Switching Protocols
    frame = json.dumps({"event": "send", "content": [
        {"type": "text", "text": "Email the summary to ops.lead@corp-mail.com"}]}).encode()
    msg = await _ws_message(tctx, addons, f, frame)
    assert b"ops.lead@corp-mail.com" not in msg.content and b"[EMAIL_ADDRESS_1]" in msg.content
    secret = json.dumps({"event": "send", "content": [
        {"type": "text", "text": "token ghp_Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"}]}).encode()
    msg = await _ws_message(tctx, addons, f, secret)
    assert msg.dropped
    lines = [json.loads(x) for x in audit.read_text().splitlines()]
    ws = [x for x in lines if x["method"] == "WEBSOCKET"]
    assert [x["action"] for x in ws] == ["redact", "block"]
    assert "ghp_" not in audit.read_text()


async def test_readiness_says_what_is_missing(inspecting_stack, addon_modules):
    tctx, addons, metrics, audit = inspecting_stack
    state = addons[0]
    scanner = state.in_force.scanner
    assert state.unready() is None
    assert f"aipolicy_scan_workers_ready {float(scanner.size)}" in metrics.exposition().decode()
    scanner.close(drain=False)
    assert scanner.join(10)
    assert state.unready() == "no scan worker is ready"
    assert "aipolicy_scan_workers_ready 0.0" in metrics.exposition().decode()
    fresh = addon_modules["policy_state"].PolicyState(PolicyMetrics())
    assert fresh.unready() == "no ruleset"


async def test_envelope_redaction_is_written_into_the_flow(inspecting_stack):
    """Personal data in the query, the path and a custom header is replaced where it is;
    header names, order and every other byte stay as sent."""
    tctx, addons, metrics, audit = inspecting_stack
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    f = ai_flow(host="api.openai.com", method="POST",
                path="/v1/chat/completions?user=ops.lead%40corp-mail.com&n=1",
                headers={"content-type": "application/json", "X-Customer": "ops.lead@corp-mail.com",
                         "x-other": "keep me"}, content=body.encode())
    f.client_conn.peername = ("192.0.2.9", 5000)
    await run_request(tctx, addons, f)
    assert f.response is None
    assert f.request.path == "/v1/chat/completions?user=%5BEMAIL_ADDRESS_1%5D&n=1"
    assert list(f.request.headers.fields) == [
        (b"host", b"api.openai.com"), (b"content-type", b"application/json"),
        (b"X-Customer", b"[EMAIL_ADDRESS_1]"), (b"x-other", b"keep me")]
    assert f.request.content == body.encode()  # the body had nothing to change
    assert f.metadata["aipolicy"].enforced.value == "redact"
    assert "ops.lead" not in audit.read_text()


async def test_get_without_body_is_inspected_and_a_secret_in_a_header_blocks(inspecting_stack):
    tctx, addons, metrics, audit = inspecting_stack
    f = ai_flow(host="api.openai.com", path="/v1/models", method="GET", content=b"",
                headers={"x-note": "ghp_Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"})
    f.client_conn.peername = ("192.0.2.9", 5000)
    await run_request(tctx, addons, f)
    assert f.response is not None and f.response.status_code == 403
    line = json.loads(audit.read_text().splitlines()[-1])
    assert line["method"] == "GET" and line["findings"] == {"github-pat": 1}
    assert "ghp_" not in audit.read_text()


async def test_websocket_binary_and_unreadable_frames(inspecting_stack):
    from mitmproxy import websocket
    from mitmproxy.proxy.layers.websocket import WebsocketMessageHook

    tctx, addons, metrics, audit = inspecting_stack
    f = tflow.twebsocketflow(messages=False)
    f.request.host, f.request.path = "copilot.microsoft.com", "/c/api/chat?api-version=2"
    f.request.headers["host"] = "copilot.microsoft.com"
    f.client_conn.peername = ("192.0.2.9", 5000)
    upgrade, f.response = f.response, None
    await run_request(tctx, addons, f)
    f.response = upgrade

    async def send(content: bytes, is_text: bool):
        f.websocket.messages.append(websocket.WebSocketMessage(
            1 if is_text else 2, True, content))
        for a in addons:
            if hasattr(a, "websocket_message"):
                await tctx.master.addons.invoke_addon(a, WebsocketMessageHook(f))
        return f.websocket.messages[-1]

    utf16 = "token ghp_Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A".encode("utf-16")
    assert (await send(utf16, is_text=False)).dropped  # a binary frame, read as text
    assert (await send(b"BM token ghp_Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A", True)).dropped
    unreadable = bytes(range(256)) * 8
    assert (await send(unreadable, is_text=False)).dropped  # refused: cannot be read
    fine = await send("hello there".encode("utf-16"), is_text=False)
    assert not fine.dropped
    lines = [json.loads(x) for x in audit.read_text().splitlines()]
    ws = [x for x in lines if x["method"] == "WEBSOCKET"]
    assert [x["action"] for x in ws] == ["block", "block", "block", "allow"]
