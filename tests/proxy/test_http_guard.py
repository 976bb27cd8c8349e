"""The protocol and decision guards around the enforcer, driven through mitmproxy's addon
manager (``trigger_event``: an exception in one addon is logged and the chain goes on,
exactly as in the running proxy)."""

from __future__ import annotations

import json

import pytest
from mitmproxy import exceptions, http
from mitmproxy import flow as mflow
from mitmproxy.addons.proxyserver import Proxyserver
from mitmproxy.proxy.layers.http import (
    HttpErrorHook,
    HttpRequestHook,
    HttpResponseHook,
)
from mitmproxy.proxy.layers.websocket import WebsocketMessageHook
from mitmproxy.test import taddons, tflow, tutils

from aipolicy.catalog import Catalog
from aipolicy.metrics import PolicyMetrics
from aipolicy.refusal import REQUEST_REFUSED, Refusal


@pytest.fixture
def guarded(addon_modules, test_ruleset_path, tmp_path):
    """The request chain as build_addons orders it (without TLS scope and streaming)."""
    m = addon_modules
    metrics = PolicyMetrics()
    state = m["policy_state"].PolicyState(metrics)
    chain = [state, m["http_guard"].ProtocolGuard(state), m["enforcer"].Enforcer(state),
             m["http_guard"].DecisionGuard(state), m["audit_log"].AuditLog(state),
             m["metrics_exporter"].MetricsExporter(state, metrics)]
    audit = tmp_path / "audit.log"
    with taddons.context(Proxyserver(), *chain) as tctx:
        tctx.configure(state, aipolicy_ruleset=str(test_ruleset_path),
                       aipolicy_reload_interval=0, aipolicy_scan_workers=0)
        tctx.configure(chain[4], aipolicy_audit_log=str(audit))
        yield tctx, state, metrics, audit


def audit_lines(audit) -> list[dict]:
    return [json.loads(x) for x in audit.read_text().splitlines()] if audit.exists() else []


def request_flow(host="api.openai.com", path="/v1/chat/completions", method="POST",
                 headers=(), content=b'{"model":"m"}', http_version="HTTP/1.1"):
    f = tflow.tflow()
    f.request = tutils.treq(host=host, port=443, path=path, method=method.encode(),
                            content=content, http_version=http_version.encode())
    f.request.scheme = "https"
    f.request.headers.clear()
    f.request.headers["host"] = host
    f.request.headers["accept"] = "application/json"
    for k, v in headers:
        f.request.headers.add(k, v)
    f.client_conn.peername = ("192.0.2.7", 50000)
    return f


async def send(tctx, f) -> None:
    await tctx.master.addons.trigger_event(HttpRequestHook(f))


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("headers", [
    [("connection", "Upgrade"), ("upgrade", "h2c, foo")],
    [("connection", "Upgrade"), ("upgrade", "foo")],
    [("upgrade", "websocket"), ("sec-websocket-version", "8")],
    [("upgrade", "websocket"), ("upgrade", "foo"), ("sec-websocket-version", "13")],
])
async def test_switch_to_uninspected_protocol_refused(guarded, headers):
    tctx, _, metrics, audit = guarded
    f = request_flow(method="GET", content=b"", headers=headers)
    await send(tctx, f)
    assert f.response is not None and f.response.status_code == 403
    assert Refusal.UPGRADE.value in json.loads(f.response.content)["error"]["message"]
    [line] = audit_lines(audit)
    assert line["rule"] == REQUEST_REFUSED and line["failure"] == Refusal.UPGRADE.value
    assert line["action"] == line["enforced"] == "block" and line["app"] == "openai-api"
    assert (f'aipolicy_inspection_failures_total{{reason="{Refusal.UPGRADE.value}"}} 1.0'
            in metrics.exposition().decode())


async def test_inspected_websocket_handshake_passes(guarded):
    tctx, _, _, audit = guarded
    f = request_flow(method="GET", content=b"", headers=[
        ("connection", "Upgrade"), ("upgrade", "WebSocket"), ("sec-websocket-version", "13")])
    await send(tctx, f)
    assert f.response is None and audit_lines(audit)[0]["action"] == "allow"


async def test_websocket_refused_when_mitmproxy_would_relay_it_raw(guarded):
    tctx, _, _, audit = guarded
    tctx.options.websocket = False
    f = request_flow(method="GET", content=b"", headers=[
        ("upgrade", "websocket"), ("sec-websocket-version", "13")])
    await send(tctx, f)
    assert f.response.status_code == 403
    assert audit_lines(audit)[0]["failure"] == Refusal.UPGRADE.value


@pytest.mark.parametrize("coding", ["gzip, chunked", "Deflate,chunked", "compress, chunked"])
async def test_transfer_coding_besides_chunked_refused(guarded, coding):
    tctx, _, _, audit = guarded
    f = request_flow(headers=[("transfer-encoding", coding)])
    await send(tctx, f)
    assert f.response.status_code == 403
    assert audit_lines(audit)[0]["failure"] == Refusal.TRANSFER_CODING.value


async def test_chunked_alone_passes(guarded):
    tctx, _, _, audit = guarded
    f = request_flow(headers=[("transfer-encoding", "Chunked")])
    await send(tctx, f)
    assert f.response is None and audit_lines(audit)[0]["action"] == "allow"


async def test_request_trailers_refused(guarded):
    tctx, _, _, audit = guarded
    f = request_flow(http_version="HTTP/2.0")
    f.request.trailers = http.Headers(x_smuggled="1")
    await send(tctx, f)
    assert f.response.status_code == 403
    assert audit_lines(audit)[0]["failure"] == Refusal.TRAILERS.value


async def test_refusal_enforced_in_report_mode(addon_modules, test_ruleset_path, tmp_path):
    report = tmp_path / "report.yaml"
    report.write_text(test_ruleset_path.read_text().replace("mode: enforce", "mode: report", 1)
                      .replace("catalog: ", f"catalog: {test_ruleset_path.parent}/", 1))
    m = addon_modules
    state = m["policy_state"].PolicyState(PolicyMetrics())
    guard = m["http_guard"].ProtocolGuard(state)
    with taddons.context(Proxyserver(), state, guard) as tctx:
        tctx.configure(state, aipolicy_ruleset=str(report), aipolicy_reload_interval=0,
                       aipolicy_scan_workers=0)
        assert state.pipeline.ruleset.mode.value == "report"
        f = request_flow(method="GET", content=b"", headers=[("upgrade", "foo")])
        guard.request(f)
    outcome = f.metadata["aipolicy"]
    assert f.response.status_code == 403 and outcome.enforced.value == "block"
    assert outcome.decision.mode.value == "enforce"


async def test_non_ai_upgrade_untouched(guarded):
    tctx, _, _, audit = guarded
    f = request_flow(host="example.org", method="GET", content=b"", headers=[("upgrade", "foo")])
    await send(tctx, f)
    assert f.response is None and audit_lines(audit) == []


# --------------------------------------------------------------------------- framing
async def test_http2_body_gets_content_length_for_http1_upstream(guarded):
    tctx, _, _, _ = guarded
    f = request_flow(http_version="HTTP/2.0", content=b'{"model":"m","messages":[]}')
    assert "content-length" not in f.request.headers
    await send(tctx, f)
    assert f.response is None
    assert f.request.headers["content-length"] == str(len(f.request.raw_content))


def test_http2_framing_headers_replaced_by_the_real_length(addon_modules):
    f = request_flow(http_version="HTTP/2.0", content=b"0123456789")
    f.request.headers["content-length"] = "0"  # only possible with header validation off
    f.request.headers["transfer-encoding"] = "chunked"
    addon_modules["http_guard"].frame_for_http1(f.request)
    assert f.request.headers["content-length"] == "10"
    assert "transfer-encoding" not in f.request.headers


def test_http1_framing_and_empty_http2_bodies_left_alone(addon_modules):
    frame = addon_modules["http_guard"].frame_for_http1
    chunked = request_flow(content=b"abc")
    assert "content-length" not in chunked.request.headers
    chunked.request.headers["transfer-encoding"] = "chunked"
    frame(chunked.request)
    assert "content-length" not in chunked.request.headers
    empty = request_flow(method="GET", content=b"", http_version="HTTP/2.0")
    assert "content-length" not in empty.request.headers
    frame(empty.request)
    assert "content-length" not in empty.request.headers


def test_options_that_open_blind_spots_refused(addon_modules):
    state = addon_modules["policy_state"].PolicyState(PolicyMetrics())
    guard = addon_modules["http_guard"].ProtocolGuard(state)
    with taddons.context(Proxyserver(), guard) as tctx:
        with pytest.raises(exceptions.OptionsError, match="stream_large_bodies"):
            tctx.configure(guard, stream_large_bodies="1m")
        with pytest.raises(exceptions.OptionsError, match="validate_inbound_headers"):
            tctx.configure(guard, validate_inbound_headers=False)
        tctx.configure(guard, body_size_limit="10m")  # a limit fails closed: fine


# --------------------------------------------------------------------------- 101 responses
async def test_switch_without_inspected_websocket_killed(guarded):
    tctx, _, _, audit = guarded
    f = request_flow(method="GET", content=b"")
    await send(tctx, f)
    f.response = tutils.tresp(status_code=101)
    await tctx.master.addons.trigger_event(HttpResponseHook(f))
    assert f.error is not None and f.error.msg == mflow.Error.KILLED_MESSAGE
    assert len(audit_lines(audit)) == 1  # the decision; the kill adds no line


async def test_websocket_switch_and_non_ai_switch_untouched(guarded):
    tctx, _, _, _ = guarded
    ws = tflow.twebsocketflow(messages=False)
    ws.request.host = ws.request.headers["host"] = "api.openai.com"
    await send(tctx, ws)
    await tctx.master.addons.trigger_event(HttpResponseHook(ws))
    assert ws.error is None and ws.live
    other = request_flow(host="example.org", method="GET", content=b"")
    await send(tctx, other)
    other.response = tutils.tresp(status_code=101)
    await tctx.master.addons.trigger_event(HttpResponseHook(other))
    assert other.error is None


# --------------------------------------------------------------------------- failed flows
@pytest.mark.parametrize(("message", "reason"), [
    ("aipolicy: HTTP/1 request trailer fields are refused", Refusal.TRAILERS),
    ("aipolicy: the proxy failed on this connection", Refusal.PROXY_FAILED),
    ("HTTP/1 protocol error: peer closed connection ...", Refusal.UNREADABLE),
    ("Request body exceeds mitmproxy's body_size_limit.", Refusal.UNREADABLE),
])
async def test_failed_ai_request_audited_once(guarded, message, reason):
    tctx, _, metrics, audit = guarded
    f = request_flow()
    f.error = mflow.Error(message)
    await tctx.master.addons.trigger_event(HttpErrorHook(f))
    [line] = audit_lines(audit)
    assert line["failure"] == reason.value and line["rule"] == REQUEST_REFUSED
    assert line["path"] == "/v1/chat/completions" and line["client"] == "192.0.2.7"
    assert message not in audit.read_text()
    assert 'aipolicy_requests_total{action="block",app="openai-api"} 1.0' \
        in metrics.exposition().decode()


async def test_failure_after_a_decision_adds_no_line(guarded):
    tctx, _, _, audit = guarded
    f = request_flow()
    await send(tctx, f)
    f.error = mflow.Error("Client disconnected.")
    await tctx.master.addons.trigger_event(HttpErrorHook(f))
    assert [x["action"] for x in audit_lines(audit)] == ["allow"]


async def test_failed_request_named_by_its_tunnel(guarded):
    """mitmproxy refused the request before it had a host (or named another host): the
    tunnel's name decides, and the audit line carries it."""
    tctx, _, _, audit = guarded
    f = request_flow(host="", method="CONNECT", content=b"")
    del f.request.headers["host"]
    f.client_conn.sni = "api.openai.com"
    f.error = mflow.Error("mitmproxy received an HTTP CONNECT request ...")
    await tctx.master.addons.trigger_event(HttpErrorHook(f))
    [line] = audit_lines(audit)
    assert line["host"] == "api.openai.com" and line["app"] == "openai-api"


async def test_failed_non_ai_request_not_audited(guarded):
    tctx, _, _, audit = guarded
    f = request_flow(host="example.org")
    f.error = mflow.Error("HTTP/1 protocol error")
    await tctx.master.addons.trigger_event(HttpErrorHook(f))
    assert audit_lines(audit) == []


# --------------------------------------------------------------------------- decision guard
def _break_enforcer(state, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("simulated enforcer bug")
    monkeypatch.setattr(state.pipeline, "evaluate", boom)


async def test_request_left_undecided_by_a_failing_enforcer_is_refused(guarded, monkeypatch):
    tctx, state, _, audit = guarded
    _break_enforcer(state, monkeypatch)
    f = request_flow()
    await send(tctx, f)  # the enforcer raises; mitmproxy logs it and carries on
    assert f.response is not None and f.response.status_code == 403
    [line] = audit_lines(audit)
    assert line["failure"] == Refusal.UNDECIDED.value and line["action"] == "block"


async def test_block_left_without_an_answer_is_refused(guarded, monkeypatch, addon_modules):
    tctx, _, _, audit = guarded

    def respond_fails(flow, notice):
        raise RuntimeError("simulated failure between the decision and the answer")
    monkeypatch.setattr(addon_modules["enforcer"], "respond", respond_fails)
    f = request_flow(host="chat.deepseek.com", path="/api/v0/chat/completion")  # banned
    await send(tctx, f)
    assert f.response is not None and f.response.status_code == 403
    [line] = audit_lines(audit)
    assert line["failure"] == Refusal.UNDECIDED.value


async def test_decision_guard_leaves_non_ai_requests_alone(guarded, monkeypatch):
    tctx, state, _, audit = guarded
    _break_enforcer(state, monkeypatch)
    f = request_flow(host="example.org")
    await send(tctx, f)
    assert f.response is None and audit_lines(audit) == []


async def test_unclassifiable_request_refused_without_a_notice(guarded, monkeypatch):
    tctx, state, _, audit = guarded

    def boom(*args, **kwargs):
        raise RuntimeError("simulated classification bug")
    monkeypatch.setattr(state.pipeline, "destination", boom)  # the enforcer fails on it...
    monkeypatch.setattr(Catalog, "should_intercept", boom)  # ...and so does the guard
    f = request_flow(host="example.org")
    await send(tctx, f)
    assert f.response.status_code == 403 and b"not forwarded" in f.response.content


async def test_websocket_message_left_undecided_is_dropped(addon_modules, tmp_path):
    from pathlib import Path

    from mitmproxy import websocket

    root = Path(__file__).resolve().parents[2]
    rs = tmp_path / "e2e.yaml"  # a ruleset with content inspection
    rs.write_text((root / "tests/fixtures/rulesets/e2e.yaml").read_text()
                  .replace("../../../rulesets/", f"{root}/rulesets/"))
    m = addon_modules
    state = m["policy_state"].PolicyState(PolicyMetrics())
    guard = m["http_guard"].DecisionGuard(state)
    audit = m["audit_log"].AuditLog(state)
    with taddons.context(Proxyserver(), state, m["enforcer"].Enforcer(state), guard,
                         audit) as tctx:
        tctx.configure(state, aipolicy_ruleset=str(rs), aipolicy_reload_interval=0,
                       aipolicy_scan_workers=0)
        tctx.configure(audit, aipolicy_audit_log=str(tmp_path / "audit.log"))
        f = tflow.twebsocketflow(messages=False)
        f.request.host = f.request.headers["host"] = "copilot.microsoft.com"
        upgrade, f.response = f.response, None
        await send(tctx, f)
        f.response = upgrade

        async def broken(*args, **kwargs):
            raise RuntimeError("simulated scanner bug outside the enforcer's handling")
        state.in_force.scanner.evaluate = broken
        f.websocket.messages.append(websocket.WebSocketMessage(1, True, b'{"event":"send"}'))
        await tctx.master.addons.trigger_event(WebsocketMessageHook(f))
    assert f.websocket.messages[-1].dropped
    lines = audit_lines(tmp_path / "audit.log")
    assert [x["method"] for x in lines] == ["GET", "WEBSOCKET"]
    assert lines[-1]["failure"] == Refusal.UNDECIDED.value
