"""Acknowledgement and coach through the addons (taddons/tflow), with the state store
addon's SQLite store: the redirect to the page, the page served by the proxy (never
forwarded), the form post, the audit lines, the metrics, WebSocket coach notices, the
decision guard, and the page secret option."""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest
from mitmproxy import command, exceptions, websocket
from mitmproxy.flow import Flow
from mitmproxy.proxy.layers.http import HttpRequestHook
from mitmproxy.proxy.layers.websocket import WebsocketMessageHook
from mitmproxy.test import taddons, tflow, tutils

from aipolicy.metrics import PolicyMetrics
from tests.browser_model import form_post_origin
from tests.unit.test_coach_decisions import ACKCOACH, ROOT

NAV = {"accept": "text/html", "sec-fetch-mode": "navigate", "sec-fetch-site": "none"}


class Injected:
    def __init__(self) -> None:
        self.to_client: list[bytes] = []

    @command.command("inject.websocket")
    def inject_websocket(self, flow: Flow, to_client: bool, message: bytes,
                         is_text: bool = True) -> None:
        self.to_client.append(message)


@pytest.fixture(scope="module")
def loaded(addon_modules, tmp_path_factory):
    m = addon_modules
    work = tmp_path_factory.mktemp("ackcoach")
    ruleset = work / "ackcoach.yaml"
    ruleset.write_text(ACKCOACH.read_text().replace("../../../rulesets/", f"{ROOT}/rulesets/"))
    metrics = PolicyMetrics()
    store = m["state_store"].StateStoreAddon()
    state = m["policy_state"].PolicyState(metrics)
    injected = Injected()
    addons = [store, state, m["enforcer"].Enforcer(state, store, metrics),
              m["http_guard"].DecisionGuard(state), m["audit_log"].AuditLog(state),
              m["metrics_exporter"].MetricsExporter(state, metrics)]
    audit = work / "audit.log"
    with taddons.context(injected, *addons) as tctx:
        tctx.configure(store, aipolicy_data_dir=str(work / "data"))
        tctx.configure(state, aipolicy_scan_workers=0, aipolicy_ruleset=str(ruleset),
                       aipolicy_reload_interval=0)
        tctx.configure(addons[4], aipolicy_audit_log=str(audit))
        yield tctx, addons, injected, audit, metrics


@pytest.fixture
async def stack(loaded):
    tctx, addons, injected, audit, metrics = loaded
    if addons[0].store is None:
        await addons[0].running()
    injected.to_client.clear()
    return loaded


def flow(host: str, path: str = "/", method: str = "GET", headers=None, content=b"",
         peer=("10.30.0.1", 5000)):
    f = tflow.tflow()
    f.request = tutils.treq(host=host, port=443, path=path.encode(), method=method.encode(),
                            content=content)
    f.request.scheme = "https"
    f.request.headers.clear()
    f.request.headers["host"] = host
    for k, v in (headers or NAV).items():
        f.request.headers[k] = v
    f.client_conn.peername = peer
    return f


async def send(tctx, addons, f):
    for a in addons:
        if hasattr(a, "request"):
            await tctx.master.addons.invoke_addon(a, HttpRequestHook(f))
    return f


def lines(audit) -> list[dict]:
    return [json.loads(x) for x in audit.read_text().splitlines()] if audit.exists() else []


async def test_acknowledgement_round_trip_through_the_addons(stack):
    tctx, addons, _, audit, metrics = stack
    peer = ("10.30.0.1", 5000)
    f = await send(tctx, addons, flow("chatgpt.com", "/c/1?x=2", peer=peer))
    assert f.response.status_code == 303
    location = f.response.headers["location"]
    assert location == "/.aipolicy/acknowledge?return=%2Fc%2F1%3Fx%3D2"
    assert lines(audit)[-1]["rule"] == "acknowledgement-required"
    assert lines(audit)[-1]["notice"] == "redirect"
    before = len(lines(audit))
    page = await send(tctx, addons, flow("chatgpt.com", location, peer=peer))
    assert page.response.status_code == 200 and page.metadata.get("aipolicy") is None
    assert len(lines(audit)) == before  # a page is not AI traffic: no request line
    cookie = page.response.headers["set-cookie"].split(";")[0]
    token = re.search(r'name="csrf" value="([^"]+)"', page.response.text)[1]
    form = urllib.parse.urlencode({"csrf": token, "return": "/c/1?x=2"}).encode()
    origin = form_post_origin(page.response.headers.get("referrer-policy"),
                              "https://chatgpt.com" + location, "/.aipolicy/acknowledge")
    assert origin == "https://chatgpt.com"  # what Chromium sends (not "null")
    post = await send(tctx, addons, flow(
        "chatgpt.com", "/.aipolicy/acknowledge", "POST",
        {"content-type": "application/x-www-form-urlencoded", "cookie": cookie,
         "origin": origin, "sec-fetch-site": "same-origin"}, form, peer))
    assert post.response.status_code == 303 and post.response.headers["location"] == "/c/1?x=2"
    assert post.response.headers["referrer-policy"] == "no-referrer"  # none to the app
    event = lines(audit)[-1]
    assert event["event"] == "acknowledgement" and event["ack_version"] == "3"
    assert event["client"] == "10.30.0.1" and event["policy_version"] == "3.1"
    assert event["reference"] == post.response.headers["x-aipolicy-reference"]
    again = await send(tctx, addons, flow("chatgpt.com", "/c/1?x=2", peer=peer))
    assert again.response is None
    assert lines(audit)[-1]["acknowledgement"] == "current"
    assert "aipolicy_acknowledgements_total 1.0" in metrics.exposition().decode()


async def test_api_coach_notice_and_header_proceed(stack):
    tctx, addons, _, audit, metrics = stack
    peer = ("10.30.0.2", 5000)
    body = b'{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}'
    api = {"content-type": "application/json", "accept": "application/json"}
    f = await send(tctx, addons, flow("api.anthropic.com", "/v1/messages", "POST", api, body,
                                      peer))
    assert f.response.status_code == 403
    message = json.loads(f.response.content)["error"]["message"]
    assert "/.aipolicy/coach?rule=coach-anthropic&scope=access" in message
    line = lines(audit)[-1]
    assert line["enforced"] == "coach" and line["acknowledgement"] == "missing"
    f = await send(tctx, addons, flow("api.anthropic.com", "/v1/messages", "POST",
                                      {**api, "x-aipolicy-justification": "evaluation"},
                                      body, peer))
    assert f.response is None
    assert "x-aipolicy-justification" not in f.request.headers  # the service never sees it
    proceed, request = lines(audit)[-2:]
    assert proceed["event"] == "coach-proceed" and proceed["justification"] == "evaluation"
    assert proceed["via"] == "header" and proceed["rule"] == "coach-anthropic"
    assert request["action"] == "coach" and request["enforced"] == "monitor"
    exposition = metrics.exposition().decode()
    assert 'aipolicy_coach_total{app="anthropic-api",outcome="shown"} 1.0' in exposition
    assert 'aipolicy_coach_total{app="anthropic-api",outcome="proceeded"} 1.0' in exposition


async def test_websocket_message_coach_is_the_clients_notice(stack):
    tctx, addons, injected, audit, _ = stack
    f = tflow.twebsocketflow(messages=False)
    f.request.host, f.request.path = "copilot.microsoft.com", "/c/api/chat"
    f.request.scheme, f.request.port = "https", 443  # wss://, as the page opens it
    f.request.headers["host"] = "copilot.microsoft.com"
    f.client_conn.peername = ("10.30.0.3", 5000)
    upgrade, f.response = f.response, None
    await send(tctx, addons, f)
    assert f.response is None
    f.response = upgrade
    frame = json.dumps({"event": "send", "content": [
        {"type": "text", "text": "What is the status of Project Nightjar?"}]}).encode()
    f.websocket.messages.append(websocket.WebSocketMessage(1, True, frame))
    for a in addons:
        if hasattr(a, "websocket_message"):
            await tctx.master.addons.invoke_addon(a, WebsocketMessageHook(f))
    assert f.websocket.messages[-1].dropped
    events = [json.loads(m) for m in injected.to_client]
    text = next(e["text"] for e in events if e["event"] == "appendText")
    assert "Unreleased project names are confidential" in text
    assert "https://copilot.microsoft.com/.aipolicy/coach?rule=codenames-coach&scope=custom" \
        in text and "Nightjar" not in text
    line = lines(audit)[-1]
    assert line["method"] == "WEBSOCKET" and line["enforced"] == "coach"


async def test_decision_guard_refuses_a_coach_without_its_notice(stack, monkeypatch):
    tctx, addons, _, audit, _ = stack
    enforcer = addons[2]
    original = enforcer.gate.decide

    async def without_notice(*args, **kwargs):
        decided = await original(*args, **kwargs)
        import dataclasses
        return dataclasses.replace(decided, verdict=dataclasses.replace(decided.verdict,
                                                                        notice=None))
    monkeypatch.setattr(enforcer.gate, "decide", without_notice)
    f = await send(tctx, addons, flow("poe.com", "/", peer=("10.30.0.4", 5000)))
    assert f.response is not None and f.response.status_code == 403


def test_page_secret_option(addon_modules, tmp_path):
    enforcer = addon_modules["enforcer"].Enforcer(None)
    with taddons.context(enforcer) as tctx:
        with pytest.raises(exceptions.OptionsError, match="aipolicy_page_secret"):
            tctx.configure(enforcer, aipolicy_page_secret=str(tmp_path / "missing"))
        short = tmp_path / "short"
        short.write_text("abc")
        with pytest.raises(exceptions.OptionsError, match="at least 16 bytes"):
            tctx.configure(enforcer, aipolicy_page_secret=str(short))
        good = tmp_path / "secret"
        good.write_text("0123456789abcdef0123456789abcdef")
        tctx.configure(enforcer, aipolicy_page_secret=str(good))
        token = enforcer.gate.keys.token("s" * 24, "coach", "poe.com")
    other = addon_modules["enforcer"].Enforcer(None)
    with taddons.context(other) as tctx:
        tctx.configure(other, aipolicy_page_secret=str(good))
        assert other.gate.keys.valid("s" * 24, "coach", "poe.com", token)
