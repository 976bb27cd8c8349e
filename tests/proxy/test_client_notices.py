"""Client-shaped notices through the addons (taddons/tflow), with the shipped default
ruleset and its client profiles: WebSocket clients (Codex's default transport, Copilot's
page) get their own answer messages, and a redaction note reaches the streamed answer."""

from __future__ import annotations

import json

import pytest
from mitmproxy import command, websocket
from mitmproxy.flow import Flow
from mitmproxy.proxy.layers.http import HttpRequestHook
from mitmproxy.proxy.layers.websocket import WebsocketMessageHook
from mitmproxy.test import taddons, tflow, tutils

from aipolicy.metrics import PolicyMetrics
from aipolicy.paths import DEFAULT_RULESET
from tests.e2e.standin.replies import Incoming, respond

AWS = ("aws_access_key_id = AKIAZ3MHQ7TXKRV4PWUN "
       "aws_secret_access_key = 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")
EMAIL = "Please mail dana.whitfield@corp-mail.com about the invoice."
CODEX_UA = "codex_exec/0.171.0 (Debian 12.0.0; x86_64) dumb (codex_exec; 0.171.0)"


class Injected:
    """Stands in for mitmproxy's ``inject.websocket``: records what would be sent."""

    def __init__(self) -> None:
        self.to_client: list[bytes] = []

    @command.command("inject.websocket")
    def inject_websocket(self, flow: Flow, to_client: bool, message: bytes,
                         is_text: bool = True) -> None:
        assert to_client and is_text
        self.to_client.append(message)


@pytest.fixture(scope="module")
def loaded(addon_modules, tmp_path_factory):
    """The default ruleset (spaCy model and all) loads once for the module."""
    m = addon_modules
    metrics = PolicyMetrics()
    state = m["policy_state"].PolicyState(metrics)
    injected = Injected()
    addons = [state, m["enforcer"].Enforcer(state), m["audit_log"].AuditLog(state),
              m["streaming"].Streaming()]
    audit = tmp_path_factory.mktemp("audit") / "audit.log"
    with taddons.context(injected, *addons) as tctx:
        tctx.configure(state, aipolicy_scan_workers=0, aipolicy_ruleset=str(DEFAULT_RULESET),
                       aipolicy_reload_interval=0)
        tctx.configure(addons[2], aipolicy_audit_log=str(audit))
        yield tctx, addons, injected, audit


@pytest.fixture
def stack(loaded):
    loaded[2].to_client.clear()
    return loaded


async def _request(tctx, addons, f):
    for a in addons:
        if hasattr(a, "request"):
            await tctx.master.addons.invoke_addon(a, HttpRequestHook(f))


async def _message(tctx, addons, f, content: bytes, from_client: bool = True):
    f.websocket.messages.append(websocket.WebSocketMessage(1, from_client, content))
    for a in addons:
        if hasattr(a, "websocket_message"):
            await tctx.master.addons.invoke_addon(a, WebsocketMessageHook(f))
    return f.websocket.messages[-1]


async def _websocket(tctx, addons, host: str, path: str, ua: str):
    f = tflow.twebsocketflow(messages=False)
    f.request.host, f.request.path = host, path
    f.request.headers["host"] = host
    f.request.headers["user-agent"] = ua
    f.client_conn.peername = ("10.20.1.5", 5000)
    upgrade, f.response = f.response, None
    await _request(tctx, addons, f)  # the handshake: allowed
    assert f.response is None
    f.response = upgrade
    return f


def _codex_frame(text: str, previous: str | None) -> bytes:
    return json.dumps({"type": "response.create", "model": "gpt-x", "previous_response_id":
                       previous, "input": [{"type": "message", "role": "user", "content": [
                           {"type": "input_text", "text": text}]}]}).encode()


async def test_codex_websocket_block_is_an_answer_chained_to_the_last_real_response(stack):
    tctx, addons, injected, audit = stack
    f = await _websocket(tctx, addons, "api.openai.com", "/v1/responses", CODEX_UA)
    msg = await _message(tctx, addons, f, _codex_frame(AWS, "resp_real_7"))
    assert msg.dropped
    events = [json.loads(m) for m in injected.to_client]
    assert events[0]["type"] == "response.created" and events[-1]["type"] == "response.completed"
    text = events[-1]["response"]["output"][0]["content"][0]["text"]
    assert "Credentials and keys must never be sent" in text and "/new" in text
    assert events[-1]["response"]["id"] == "resp_real_7"
    assert "AKIAZ3MHQ7TXKRV4PWUN" not in b"".join(injected.to_client).decode()
    line = json.loads(audit.read_text().splitlines()[-1])
    assert line["action"] == "block" and line["method"] == "WEBSOCKET"
    assert line["notice"] == "openai-responses-reply" and line["client_profile"] == "codex"


async def test_copilot_page_block_is_an_answer(stack):
    tctx, addons, injected, _ = stack
    f = await _websocket(tctx, addons, "copilot.microsoft.com", "/c/api/chat",
                         "Mozilla/5.0 (X11; Linux x86_64) Chrome/141")
    frame = json.dumps({"event": "send", "content": [{"type": "text", "text": AWS}]})
    assert (await _message(tctx, addons, f, frame.encode())).dropped
    events = [json.loads(m) for m in injected.to_client]
    assert [e["event"] for e in events] == ["startMessage", "appendText", "partCompleted",
                                            "done"]
    assert "Credentials and keys must never be sent" in events[1]["text"]


async def test_codex_websocket_redaction_note_in_the_answer(stack):
    tctx, addons, injected, _ = stack
    f = await _websocket(tctx, addons, "api.openai.com", "/v1/responses", CODEX_UA)
    sent = await _message(tctx, addons, f, _codex_frame(EMAIL, None))
    assert b"dana.whitfield" not in sent.content and b"[EMAIL_ADDRESS_1]" in sent.content
    # the service answers: Responses events, one per message
    reply = respond(Incoming("api.openai.com", "POST", "/v1/responses", {}, {},
                             json.dumps({"model": "gpt-x", "input": "x",
                                         "stream": True}).encode()), "Sure.")
    out = []
    for raw in reply.events:
        data = raw.decode().split("data: ", 1)[1].strip().encode()
        out.append(json.loads((await _message(tctx, addons, f, data, False)).content))
    final = out[-1]["response"]["output"][0]["content"][0]["text"]
    assert final.startswith("1 e-mail address was replaced before sending — policy: ")
    assert final.endswith("\n\nSure.")
    assert "aipolicy_websocket_note" not in f.metadata  # done: later answers untouched
    assert not injected.to_client


async def test_http_redaction_note_asks_for_identity_and_rewrites_the_stream(stack):
    tctx, addons, _, _ = stack
    body = json.dumps({"model": "claude-x", "max_tokens": 50, "stream": True,
                       "messages": [{"role": "user", "content": EMAIL}]}).encode()
    f = tflow.tflow()
    f.request = tutils.treq(host="api.anthropic.com", port=443, path="/v1/messages",
                            method=b"POST", content=body)
    f.request.scheme = "https"
    f.request.headers.clear()
    f.request.headers.update({"host": "api.anthropic.com", "content-type": "application/json",
                              "user-agent": "claude-cli/2.1.332 (external, sdk-cli)",
                              "accept-encoding": "gzip, br"})
    f.client_conn.peername = ("10.20.1.5", 5000)
    await _request(tctx, addons, f)
    assert b"dana.whitfield" not in f.request.content
    assert f.request.headers["accept-encoding"] == "identity"
    upstream = respond(Incoming("api.anthropic.com", "POST", "/v1/messages", {}, {},
                                f.request.content), "Done.")
    f.response = tutils.tresp(status_code=200, content=b"")
    f.response.headers.clear()
    f.response.headers["content-type"] = "text/event-stream; charset=utf-8"
    for a in addons:
        if hasattr(a, "responseheaders"):
            a.responseheaders(f)
    assert callable(f.response.stream)
    streamed = b"".join(f.response.stream(e) for e in upstream.events) + f.response.stream(b"")
    deltas = [json.loads(line[6:])["delta"]["text"] for line in streamed.decode().splitlines()
              if line.startswith("data: ") and "text_delta" in line]
    assert "".join(deltas).startswith("1 e-mail address was replaced before sending")
    assert "".join(deltas).endswith("Done.")
    assert f.response.headers["x-aipolicy-redacted"] == "EMAIL_ADDRESS=1"


async def test_sdk_keeps_its_403_and_gets_no_note(stack):
    tctx, addons, _, _ = stack
    for content, ua in ((AWS, "OpenAI/Python 2.20.0"), (EMAIL, "OpenAI/Python 2.20.0")):
        f = tflow.tflow()
        f.request = tutils.treq(host="api.openai.com", port=443, path="/v1/chat/completions",
                                method=b"POST", content=json.dumps(
                                    {"model": "gpt-x", "stream": True,
                                     "messages": [{"role": "user", "content": content}]}
                                ).encode())
        f.request.scheme = "https"
        f.request.headers.clear()
        f.request.headers.update({"host": "api.openai.com", "user-agent": ua,
                                  "content-type": "application/json",
                                  "accept-encoding": "gzip"})
        f.client_conn.peername = ("10.20.1.5", 5000)
        await _request(tctx, addons, f)
        if content == AWS:
            assert f.response.status_code == 403
            assert json.loads(f.response.content)["error"]["code"] == "blocked_by_policy"
        else:
            assert f.response is None and "aipolicy_note" not in f.metadata
            assert f.request.headers["accept-encoding"] == "gzip"
