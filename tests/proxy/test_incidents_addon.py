"""The incidents addon in the addon chain: incidents queued in the data directory, counted
towards escalation, the escalation's audit line, and the escalated person blocked on
every AI app (requests and WebSocket messages) without being inspected again."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from mitmproxy import websocket
from mitmproxy.addons.proxyserver import Proxyserver
from mitmproxy.proxy.layers.http import HttpRequestHook
from mitmproxy.proxy.layers.websocket import WebsocketMessageHook
from mitmproxy.test import taddons, tflow, tutils

from aipolicy.incidents.escalation import Escalations
from aipolicy.incidents.queue import DeliveryQueue
from aipolicy.metrics import PolicyMetrics
from aipolicy.pipeline import ESCALATED

ROOT = Path(__file__).resolve().parents[2]
AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"  # synthetic, well-formed
CANARY_MAIL = "canary.person@corp-mail.com"

INCIDENTS = """
incidents:
  queue_limit: 100
  sinks:
    - id: soc
      type: webhook
      url: http://127.0.0.1:9/unreachable
      secret_env: AIPOLICY_TEST_WEBHOOK_SECRET
  escalation:
    contact: security@example.test
    thresholds:
      - id: repeated-secrets
        severity: high
        count: 3
        window: 1h
        block_for: 4h
        incident: critical
"""


@pytest.fixture
def chain(addon_modules, tmp_path, monkeypatch):
    monkeypatch.setenv("AIPOLICY_TEST_WEBHOOK_SECRET", "proxy-test-signing-secret")
    rules = tmp_path / "rules.yaml"
    rules.write_text((ROOT / "tests/fixtures/rulesets/e2e.yaml").read_text()
                     .replace("../../../rulesets/", f"{ROOT}/rulesets/") + INCIDENTS)
    m = addon_modules
    metrics = PolicyMetrics()
    store = m["state_store"].StateStoreAddon()
    state = m["policy_state"].PolicyState(metrics)
    escalations = Escalations(lambda: store.store)
    incidents = m["incidents"].IncidentsAddon(state, escalations, metrics)
    audit = m["audit_log"].AuditLog(state)
    addons = [store, state, m["enforcer"].Enforcer(state, store, escalations=escalations),
              m["http_guard"].DecisionGuard(state), incidents, audit,
              m["metrics_exporter"].MetricsExporter(state, metrics)]
    with taddons.context(Proxyserver(), *addons) as tctx:
        tctx.configure(store, aipolicy_data_dir=str(tmp_path / "data"))
        tctx.configure(state, aipolicy_ruleset=str(rules), aipolicy_reload_interval=0,
                       aipolicy_scan_workers=0)
        tctx.configure(audit, aipolicy_audit_log=str(tmp_path / "audit.log"))
        yield tctx, addons, metrics, tmp_path


async def start(addons) -> None:
    store, state, *_ = addons
    await store.running()
    state.running()
    incidents = addons[4]
    await incidents.running()


def chat_flow(host: str, path: str, text: str, peer: str = "192.0.2.7"):
    f = tflow.tflow()
    f.request = tutils.treq(host=host, port=443, path=path, method=b"POST",
                            content=json.dumps({"model": "m", "messages": [
                                {"role": "user", "content": text}]}).encode())
    f.request.scheme = "https"
    f.request.headers.clear()
    f.request.headers["host"] = host
    f.request.headers["content-type"] = "application/json"
    f.request.headers["accept"] = "application/json"
    f.client_conn.peername = (peer, 50000)
    return f


def audit_lines(tmp_path: Path) -> list[dict]:
    path = tmp_path / "audit.log"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


async def test_third_secret_escalates_and_blocks_every_app(chain):
    tctx, addons, metrics, tmp_path = chain
    await start(addons)
    incidents = addons[4]
    for n in range(3):
        f = chat_flow("api.openai.com", "/v1/chat/completions",
                      f"try {n}: key {AWS_KEY} for {CANARY_MAIL}")
        await tctx.master.addons.trigger_event(HttpRequestHook(f))
        assert f.response.status_code == 403
    lines = audit_lines(tmp_path)
    assert [x.get("event") for x in lines] == [None, None, None, "escalation"]
    assert all(x["incident"] == {"severity": "high", "rule": "secrets-block"}
               for x in lines[:3])
    esc = lines[3]
    assert esc["client"] == "192.0.2.7" and esc["rule"] == "repeated-secrets"
    assert esc["incident"]["severity"] == "critical" and esc["trigger"] == lines[2]["reference"]

    # the next request, to another app and without anything sensitive, meets the block
    f = chat_flow("api.anthropic.com", "/v1/messages", "Write a haiku about spring.")
    await tctx.master.addons.trigger_event(HttpRequestHook(f))
    assert f.response.status_code == 403
    message = json.loads(f.response.content)["error"]["message"]
    assert "suspended until" in message and "security@example.test" in message
    assert esc["reference"] in message
    blocked = audit_lines(tmp_path)[-1]
    assert blocked["rule"] == ESCALATED and "findings" not in blocked  # not inspected
    assert "incident" not in blocked
    # another client is not affected
    other = chat_flow("api.anthropic.com", "/v1/messages", "Write a haiku.", peer="192.0.2.8")
    await tctx.master.addons.trigger_event(HttpRequestHook(other))
    assert other.response is None

    # a WebSocket message of the escalated client is dropped and answered
    ws = tflow.twebsocketflow(messages=False)
    ws.request.host = ws.request.headers["host"] = "copilot.microsoft.com"
    ws.client_conn.peername = ("192.0.2.7", 50001)
    upgrade, ws.response = ws.response, None
    await tctx.master.addons.trigger_event(HttpRequestHook(ws))
    assert ws.response is not None and ws.response.status_code == 403  # the handshake too
    ws.response = upgrade
    ws.websocket.messages.append(websocket.WebSocketMessage(
        1, True, b'{"event":"send","content":[{"type":"text","text":"hello"}]}'))
    injected = []
    tctx.master.commands.call = lambda name, *args: injected.append((name, *args))
    await tctx.master.addons.trigger_event(WebsocketMessageHook(ws))
    assert ws.websocket.messages[-1].dropped
    assert injected and all(name == "inject.websocket" for name, *_ in injected)
    assert any(b"suspended until" in frame for *_, frame in injected)
    assert audit_lines(tmp_path)[-1]["method"] == "WEBSOCKET"
    assert audit_lines(tmp_path)[-1]["rule"] == ESCALATED

    sample = metrics.registry.get_sample_value
    assert sample("aipolicy_incidents_total", {"severity": "high"}) == 3
    assert sample("aipolicy_incidents_total", {"severity": "critical"}) == 1
    assert sample("aipolicy_escalations_total", {"threshold": "repeated-secrets"}) == 1

    # the incidents wait on disk for the unreachable webhook; nothing sensitive in them
    await incidents.dispatcher.flush_pending()
    await incidents.done()
    await addons[0].done()
    queue = DeliveryQueue(tmp_path / "data" / "incidents.db")
    depth = await queue.depth()
    queue.close()
    assert depth == {"soc": 4}
    with sqlite3.connect(tmp_path / "data" / "incidents.db") as db:
        payloads = [json.loads(p) for (p,) in db.execute("SELECT payload FROM queue")]
    assert [p["kind"] for p in payloads] == ["data", "data", "data", "escalation"]
    text = json.dumps(payloads) + (tmp_path / "audit.log").read_text()
    assert AWS_KEY not in text and CANARY_MAIL not in text and "canary" not in text


async def test_report_mode_incidents_do_not_escalate(chain):
    tctx, addons, metrics, tmp_path = chain
    state = addons[1]
    rules = Path(state.pipeline.ruleset.path)
    rules.write_text(rules.read_text().replace(
        "      action: block\n      incident: high\n",
        "      action: block\n      mode: report\n      incident: high\n"))
    assert await state.reload()
    await start(addons)
    for n in range(4):
        f = chat_flow("api.openai.com", "/v1/chat/completions", f"{n} key {AWS_KEY}")
        await tctx.master.addons.trigger_event(HttpRequestHook(f))
        assert f.response is None  # report mode: passed, recorded
    lines = audit_lines(tmp_path)
    assert len(lines) == 4 and all(x["incident"]["severity"] == "high" for x in lines)
    assert metrics.registry.get_sample_value("aipolicy_incidents_total",
                                             {"severity": "high"}) == 4
    assert metrics.registry.get_sample_value(
        "aipolicy_escalations_total", {"threshold": "repeated-secrets"}) is None
    await addons[4].done()
    await addons[0].done()


async def test_reload_with_new_sinks_restarts_delivery(chain):
    tctx, addons, metrics, tmp_path = chain
    await start(addons)
    incidents, state = addons[4], addons[1]
    first = incidents.dispatcher
    assert list(first.sinks) == ["soc"]
    rules = Path(state.pipeline.ruleset.path)
    rules.write_text(rules.read_text().replace("    - id: soc\n", "    - id: soc-2\n"))
    assert await state.reload()
    for task in list(incidents._tasks):
        await task
    assert incidents.dispatcher is not first and list(incidents.dispatcher.sinks) == ["soc-2"]
    await incidents.done()
    await addons[0].done()


async def test_unopenable_queue_is_reported_at_start_and_requests_still_decided(chain, caplog):
    tctx, addons, metrics, tmp_path = chain
    incidents = addons[4]
    (tmp_path / "data" / "incidents.db").mkdir(parents=True)  # the state store still opens
    await addons[0].running()
    addons[1].running()
    with caplog.at_level("ERROR", logger="aipolicy"):
        await incidents.running()
    assert any("incident queue" in r.getMessage() and "cannot be opened" in r.getMessage()
               for r in caplog.records)
    # the request path is unaffected: still blocked, audited with its incident, counted
    f = chat_flow("api.openai.com", "/v1/chat/completions", f"key {AWS_KEY}")
    await tctx.master.addons.trigger_event(HttpRequestHook(f))
    assert f.response.status_code == 403
    assert audit_lines(tmp_path)[0]["incident"]["severity"] == "high"
    assert metrics.registry.get_sample_value("aipolicy_incidents_total",
                                             {"severity": "high"}) == 1
    await incidents.done()
    await addons[0].done()
