"""The per-connection guards and the HTTP/1 reader patch, driven at mitmproxy's layer level:
events in, commands out, no sockets."""

from __future__ import annotations

import pytest
from mitmproxy import options, version
from mitmproxy.proxy import commands, events, layer, layers
from mitmproxy.proxy.context import Context
from mitmproxy.proxy.layers import modes
from mitmproxy.proxy.layers.http import HttpErrorHook, HttpRequestHeadersHook, _http1
from mitmproxy.proxy.layers.http._base import ReceiveHttp
from mitmproxy.proxy.layers.http._events import (
    RequestEndOfMessage,
    RequestHeaders,
    RequestProtocolError,
)
from mitmproxy.test import taddons, tflow

from aipolicy.metrics import PolicyMetrics


def new_context(server=("api.openai.com", 443), sni=None) -> Context:
    client = tflow.tclient_conn()
    client.sni = sni
    ctx = Context(client, options.Options())
    ctx.server.address = server
    return ctx


def run(lay: layer.Layer, event: events.Event) -> list[commands.Command]:
    return list(lay.handle_event(event))


# --------------------------------------------------------------------------- CrashGuard
class Scripted(layer.Layer):
    """Announces a flow on Start, then raises on the first data it gets."""

    def __init__(self, context: Context, flow) -> None:
        super().__init__(context)
        self.flow = flow

    def _handle_event(self, event):
        if isinstance(event, events.Start):
            yield HttpRequestHeadersHook(self.flow)
            yield commands.Log("headers seen")
        elif isinstance(event, events.DataReceived):
            raise AssertionError("Unexpected event: secret request bytes")


def test_crash_fails_open_flows_and_closes_the_client(addon_modules, caplog):
    guard_mod = addon_modules["connection_guard"]
    ctx = new_context()
    flow, done = tflow.tflow(), tflow.tflow()
    done.live = False
    child = Scripted(ctx, flow)
    guard = guard_mod.CrashGuard(ctx, child)
    assert ctx.layers == [child]  # the guard is no protocol layer
    [hook] = run(guard, events.Start())
    assert isinstance(hook, HttpRequestHeadersHook)
    guard._track(HttpRequestHeadersHook(done))  # a finished flow is not failed again
    assert [type(c) for c in run(guard, events.HookCompleted(hook, None))] == [commands.Log]

    out = run(guard, events.DataReceived(ctx.client, b"x"))
    assert [type(c) for c in out] == [HttpErrorHook, commands.CloseConnection]
    assert out[0].flow is flow and out[0].blocking is guard
    assert out[1].connection is ctx.client
    assert flow.error.msg == guard_mod.PROXY_FAILED and not flow.live
    assert done.error is None
    assert run(guard, events.DataReceived(ctx.client, b"more")) == []  # the stack is dead
    assert "AssertionError at" in caplog.text and "secret request bytes" not in caplog.text


def test_guard_passes_replies_through(addon_modules):
    class Asks(layer.Layer):
        def _handle_event(self, event):
            if isinstance(event, events.Start):
                err = yield commands.OpenConnection(self.context.server)
                yield commands.Log(f"connected: {err}")

    ctx = new_context()
    guard = addon_modules["connection_guard"].CrashGuard(ctx, Asks(ctx))
    [open_] = run(guard, events.Start())
    [log] = run(guard, events.OpenConnectionCompleted(open_, "refused"))
    assert log.message == "connected: refused"


# --------------------------------------------------------------------------- next_layer
@pytest.fixture
def connection_guard(addon_modules, test_ruleset_path):
    state = addon_modules["policy_state"].PolicyState(PolicyMetrics())
    guard = addon_modules["connection_guard"].ConnectionGuard(state)
    with taddons.context(state, guard) as tctx:
        tctx.configure(state, aipolicy_ruleset=str(test_ruleset_path),
                       aipolicy_reload_interval=0, aipolicy_scan_workers=0)
        yield guard


def decided(ctx: Context, chosen_layer) -> layer.NextLayer:
    nl = layer.NextLayer(ctx)
    nl.layer = chosen_layer(ctx)
    return nl


def test_raw_tcp_to_ai_destination_read_as_http(connection_guard, addon_modules):
    ctx = new_context()
    modes.HttpProxy(ctx)  # the proxy mode's layer; the decided one comes right under it
    nl = decided(ctx, layers.TCPLayer)
    connection_guard.next_layer(nl)
    guard = nl.layer
    assert isinstance(guard, addon_modules["connection_guard"].CrashGuard)
    assert isinstance(guard.child, layers.HttpLayer)
    assert [type(x) for x in ctx.layers] == [modes.HttpProxy, layers.HttpLayer]


@pytest.mark.parametrize("sni", ["api.openai.com", None])
def test_ai_name_from_sni_or_tunnel(connection_guard, sni):
    server = ("198.51.100.1", 443) if sni else ("api.openai.com", 443)
    ctx = new_context(server=server, sni=sni)
    modes.HttpProxy(ctx)
    layers.HttpLayer(ctx, layers.http.HTTPMode.regular)  # deeper than the first layer
    nl = decided(ctx, layers.TCPLayer)
    connection_guard.next_layer(nl)
    assert isinstance(nl.layer, layers.HttpLayer)


def test_other_relays_untouched(connection_guard):
    plain = new_context(server=("db.example.org", 5432))
    modes.HttpProxy(plain)
    layers.HttpLayer(plain, layers.http.HTTPMode.regular)
    nl = decided(plain, layers.TCPLayer)
    connection_guard.next_layer(nl)
    assert isinstance(nl.layer, layers.TCPLayer)

    ignored = new_context()  # --ignore-hosts: the operator's choice, no flow, no hooks
    modes.HttpProxy(ignored)
    layers.HttpLayer(ignored, layers.http.HTTPMode.regular)
    nl = layer.NextLayer(ignored)
    nl.layer = layers.TCPLayer(ignored, ignore=True)
    connection_guard.next_layer(nl)
    assert isinstance(nl.layer, layers.TCPLayer)


def test_undecided_next_layer_left_alone(connection_guard):
    nl = layer.NextLayer(new_context())
    connection_guard.next_layer(nl)
    assert nl.layer is None


# --------------------------------------------------------------------------- HTTP/1 reader
@pytest.fixture
def http1_server(addon_modules):
    addon_modules["http1_reader"].install()
    ctx = new_context()
    server = _http1.Http1Server(ctx)
    run(server, events.Start())
    return ctx, server


HEAD = b"POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\n" \
       b"Transfer-Encoding: chunked\r\n\r\n"


def _received(out) -> list:
    return [c.event for c in out if isinstance(c, ReceiveHttp)]


def test_request_trailers_answered_400(http1_server, addon_modules):
    ctx, server = http1_server
    out = run(server, events.DataReceived(ctx.client, HEAD + b"2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n"))
    sends = [c for c in out if isinstance(c, commands.SendData)]
    assert len(sends) == 1 and sends[0].data.startswith(b"HTTP/1.1 400")
    assert any(isinstance(c, commands.CloseConnection) for c in out)
    error = _received(out)[-1]
    assert isinstance(error, RequestProtocolError)
    assert error.message == addon_modules["http1_reader"].REQUEST_TRAILERS
    assert run(server, events.ConnectionClosed(ctx.client)) == []


def test_broken_chunk_answered_400_once(http1_server):
    ctx, server = http1_server
    out = run(server, events.DataReceived(ctx.client, HEAD + b"zz\r\nhi\r\n"))
    kinds = [type(c) for c in out if not isinstance(c, ReceiveHttp)]
    assert kinds == [commands.SendData, commands.CloseConnection]
    assert out[-1].event.__class__ is RequestProtocolError
    assert run(server, events.ConnectionClosed(ctx.client)) == []  # no second answer


def test_good_chunked_request_read_as_before(http1_server):
    ctx, server = http1_server
    out = run(server, events.DataReceived(ctx.client, HEAD + b"2\r\nhi\r\n0\r\n\r\n"))
    assert not any(isinstance(c, commands.SendData | commands.CloseConnection) for c in out)
    assert [type(e) for e in _received(out)][0] is RequestHeaders
    assert isinstance(_received(out)[-1], RequestEndOfMessage)


def test_patch_checks_what_it_wraps(addon_modules, monkeypatch):
    reader = addon_modules["http1_reader"]
    reader.install()
    patched = _http1.Http1Connection.read_body
    reader.install()  # once per process
    assert _http1.Http1Connection.read_body is patched and reader.shape_problems() == []

    monkeypatch.setattr(_http1.Http1Connection, "read_body", patched.__wrapped__)
    monkeypatch.setattr(version, "VERSION", "13.0.0")
    with pytest.raises(reader.IncompatibleMitmproxy, match="13.0.0"):
        reader.install()
    monkeypatch.setattr(version, "VERSION", "12.9.0")

    def read_body(self, event):  # a mitmproxy that reads trailers: the patch must be reviewed
        yield from ()
    monkeypatch.setattr(_http1.Http1Connection, "read_body", read_body)
    with pytest.raises(reader.IncompatibleMitmproxy, match="no longer raises"):
        reader.install()


# --------------------------------------------------------------------------- log privacy
def test_client_bytes_withheld_from_the_connection_log(addon_modules, caplog):
    import logging

    privacy = addon_modules["log_privacy"]
    privacy.install()
    privacy.install()
    logger = logging.getLogger(privacy.LOGGER)
    assert sum(isinstance(f, privacy.WithholdBytes) for f in logger.filters) == 1
    with caplog.at_level(logging.INFO, logger=privacy.LOGGER):
        logger.info("127.0.0.1:5000: Bad HTTP request line: b'POST /v1/x?key=sk-live-123 H'")
        logger.info("Client closed connection before completing request headers: "
                    "b\"GET / HTTP/1.1\\r\\nAuthorization: Bearer it's-secret\"")
        logger.info("client connect")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["127.0.0.1:5000: Bad HTTP request line: <bytes withheld>",
                        "Client closed connection before completing request headers: "
                        "<bytes withheld>", "client connect"]
