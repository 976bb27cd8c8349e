"""The flow-file reader describes each flow exactly as the proxy's enforcer does."""

from __future__ import annotations

import ipaddress

import pytest
from mitmproxy import io, websocket
from mitmproxy.http import Headers
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.test import tflow, tutils

from aipolicy.replay.capture import NOTE_CLIENT_OVERRIDE, NOTE_REWRITTEN, BodyState
from aipolicy.replay.flows import requests_from_flows

from ..conftest import FIXTURES


def fixture_flows() -> list:
    with (FIXTURES / "captures" / "traffic.flows").open("rb") as f:
        return list(io.FlowReader(f).stream())


def test_fixture_flows_are_described_as_the_enforcer_describes_them(addon_modules):
    describe = addon_modules["enforcer"].describe
    flows = fixture_flows()
    capture = requests_from_flows(flows, "traffic.flows")
    assert not capture.skipped and len(capture.requests) == len(flows) >= 15
    versions = set()
    for flow, request in zip(flows, capture.requests, strict=True):
        assert request.info == describe(flow)  # every field, the query and names included
        assert request.body == flow.request.raw_content
        versions.add(flow.request.http_version)
    assert versions == {"HTTP/1.1", "HTTP/2.0"}  # SDK calls and Chromium's HTTP/2


def request_flow(**kw):
    f = tflow.tflow()
    f.request = tutils.treq(host="api.openai.com", port=443, path="/v1/chat/completions",
                            method=b"POST", content=b'{"model":"m"}', **kw)
    f.request.scheme = "https"
    f.client_conn.peername = ("10.20.3.4", 50000)
    f.client_conn.tls = True
    f.client_conn.sni = "api.openai.com"
    return f


@pytest.mark.parametrize("mode", ["regular", "upstream:http://10.0.0.1:3128", "transparent",
                                  "reverse:https://api.openai.com", "socks5"])
def test_proxy_modes(addon_modules, mode):
    f = request_flow()
    f.client_conn.proxy_mode = ProxyMode.parse(mode)
    [r] = requests_from_flows([f], "x").requests
    assert r.info == addon_modules["enforcer"].describe(f)


def test_proxy_auth_user_and_trailers(addon_modules):
    f = request_flow()
    f.metadata["proxyauth"] = ["intern", "the-password"]  # as a flow file stores it
    f.request.trailers = Headers([(b"x-t", b"1")])
    [r] = requests_from_flows([f], "x").requests
    assert r.info == addon_modules["enforcer"].describe(f)
    assert r.info.client.user == "intern" and r.info.trailers == (("x-t", "1"),)


def test_client_options_replace_the_captured_identity():
    f = request_flow()
    f.metadata["proxyauth"] = ("alice", "pw")
    [r] = requests_from_flows([f], "x", client_ip="10.99.0.5").requests
    assert r.info.client.address == ipaddress.ip_address("10.99.0.5")
    assert r.info.client.user == "alice" and r.notes == (NOTE_CLIENT_OVERRIDE,)
    [r] = requests_from_flows([f], "x", user="intern").requests
    assert r.info.client.address == ipaddress.ip_address("10.20.3.4")
    assert r.info.client.user == "intern"


def test_body_states():
    streamed, empty = request_flow(), request_flow()
    streamed.request.data.content = None  # mitmproxy streamed it past (stream_large_bodies)
    empty.request.content = b""
    states = [r.body_state for r in requests_from_flows([streamed, empty], "x").requests]
    assert states == [BodyState.STREAMED, BodyState.EMPTY]


def test_body_rewritten_by_aipolicy_before_the_flow_was_saved():
    f = request_flow()
    f.response = tutils.tresp()
    f.response.headers["x-aipolicy-redacted"] = "EMAIL_ADDRESS=1"
    [r] = requests_from_flows([f], "x").requests
    assert r.notes == (NOTE_REWRITTEN,)


def test_other_flows_are_skipped():
    connect = request_flow()
    connect.request.method = "CONNECT"
    capture = requests_from_flows([tflow.ttcpflow(), connect, tflow.tdnsflow(),
                                   request_flow()], "x")
    assert [(s.index, s.reason) for s in capture.skipped] == [
        (1, "not HTTP"), (2, "CONNECT"), (3, "not HTTP")]
    assert [r.index for r in capture.requests] == [4]


def test_websocket_client_messages_not_injected_ones():
    f = tflow.twebsocketflow(messages=False)
    f.websocket.messages = [
        websocket.WebSocketMessage(1, True, b'{"event":"send"}'),
        websocket.WebSocketMessage(1, False, b'{"event":"appendText"}'),
        websocket.WebSocketMessage(2, True, b"\x00bin"),
        websocket.WebSocketMessage(1, True, b'{"event":"notice"}', injected=True),
    ]
    [r] = requests_from_flows([f], "x").requests
    assert [(m.number, m.content, m.is_text) for m in r.messages] == [
        (1, b'{"event":"send"}', True), (2, b"\x00bin", False)]
