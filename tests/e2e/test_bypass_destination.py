"""Ways around the destination check, tried from the outside through the real proxy.

Each case sets the CONNECT target, the TLS server name (SNI) and the Host header,
HTTP/2 ``:authority`` or request target separately (raw sockets and ``ssl``; HTTP/2
framed by hand with the ``h2`` package), then asserts what the stand-in upstream
received (nothing, for a block) and that exactly one audit line was written for the
request (none for a request that names no AI service).
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

import h2.config
import h2.connection
import h2.events
import pytest

from .proxy_harness import RunningProxy, start_proxy
from .standin import PLAIN_HOSTNAME

SECRET = "ghp_Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"  # synthetic GitHub token
EMAIL = "ops.lead@corp-mail.com"
FRONT = "cdn.example.test"  # `destinations.fronts` of the e2e ruleset
E2E_RULESET = Path(__file__).resolve().parents[1] / "fixtures" / "rulesets" / "e2e.yaml"


def chat(text: str) -> bytes:
    return json.dumps({"model": "gpt-4o-mini",
                       "messages": [{"role": "user", "content": text}]}).encode()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def reference(self) -> str | None:
        return self.headers.get("x-aipolicy-reference")


# ----------------------------------------------------------------------------- clients
def tunnel(proxy: RunningProxy, target: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=15)
    sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        assert chunk, f"proxy closed the CONNECT to {target}"
        head += chunk
    assert head.split(b"\r\n", 1)[0].split()[1] == b"200", head
    return sock


def tls(sock: socket.socket, proxy: RunningProxy, sni: str | None,
        alpn: tuple[str, ...] = ("http/1.1",)) -> ssl.SSLSocket:
    """TLS that trusts only the proxy's CA: a handshake proves the proxy decrypted."""
    ctx = ssl.create_default_context(cafile=str(proxy.ca_cert))
    ctx.check_hostname = False  # the names are what is under test; the chain is checked
    ctx.set_alpn_protocols(list(alpn))
    return ctx.wrap_socket(sock, server_hostname=sni)


def http1(sock: socket.socket, target: str, hosts: list[str], body: bytes = b"",
          method: str = "POST") -> Reply:
    lines = [f"{method} {target} HTTP/1.1".encode()]
    lines += [b"Host: " + h.encode() for h in hosts]
    lines += [b"Content-Type: application/json", b"Accept: application/json",
              b"Content-Length: %d" % len(body), b"Connection: close"]
    sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
    resp = http.client.HTTPResponse(sock, method=method)
    resp.begin()
    data = resp.read()
    return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)


def via_tunnel(proxy: RunningProxy, *, connect: str, sni: str | None, hosts: list[str],
               target: str = "/v1/chat/completions", body: bytes = b"",
               method: str = "POST") -> Reply:
    with tls(tunnel(proxy, connect), proxy, sni) as s:
        return http1(s, target, hosts, body, method)


def plain(proxy: RunningProxy, target: str, hosts: list[str], body: bytes = b"") -> Reply:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=15) as s:
        return http1(s, target, hosts, body)


def via_h2(proxy: RunningProxy, *, connect: str, sni: str | None,
           headers: list[tuple[str, str]], body: bytes = b"") -> Reply:
    """One HTTP/2 request with exactly these pseudo-headers and headers."""
    with tls(tunnel(proxy, connect), proxy, sni, alpn=("h2",)) as s:
        assert s.selected_alpn_protocol() == "h2"
        conn = h2.connection.H2Connection(h2.config.H2Configuration(
            client_side=True, header_encoding="utf-8", validate_outbound_headers=False,
            normalize_outbound_headers=False))
        conn.initiate_connection()
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, headers, end_stream=not body)
        if body:
            conn.send_data(stream, body, end_stream=True)
        s.sendall(conn.data_to_send())
        status, got, data = 0, {}, b""
        while True:
            chunk = s.recv(65536)
            assert chunk, "connection closed before the response ended"
            for event in conn.receive_data(chunk):
                if isinstance(event, h2.events.ResponseReceived):
                    got = {k.lower(): v for k, v in event.headers}
                    status = int(got[":status"])
                elif isinstance(event, h2.events.DataReceived):
                    data += event.data
                    conn.acknowledge_received_data(event.flow_controlled_length,
                                                   event.stream_id)
                elif isinstance(event, h2.events.StreamReset):
                    raise AssertionError(f"stream reset: {event.error_code}")
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream:
                    return Reply(status, got, data)
            s.sendall(conn.data_to_send())


def one_audit_line(proxy: RunningProxy, send) -> tuple[Reply, dict]:
    """Send, and return the reply and the single audit line written for it. The line is
    written before the response leaves the proxy, so it is there when the reply is."""
    before = len(proxy.audit())
    reply = send()
    lines = proxy.audit()[before:]
    assert len(lines) == 1, lines
    if reply.reference:
        assert lines[0]["reference"] == reply.reference
    return reply, lines[0]


def no_audit_line(proxy: RunningProxy, send) -> Reply:
    before = len(proxy.audit())
    reply = send()
    assert proxy.audit()[before:] == []
    return reply


def assert_blocked(reply: Reply, line: dict, standin, *, status: int, app: str | None,
                   rule: str) -> None:
    assert reply.status == status, reply.body[:300]
    assert standin.requests.snapshot() == []  # nothing reached the service
    assert line["action"] == "block" and line["enforced"] == "block"
    assert line["app"] == app and line["rule"] == rule
    assert SECRET not in json.dumps(line) and SECRET.encode() not in reply.body


# ----------------------------------------------------------------------------- Host with a port
@pytest.mark.parametrize(("sni", "host", "target", "app"), [
    ("api.openai.com", "api.openai.com:443", "/v1/chat/completions", "openai-api"),
    ("api.openai.com", "api.openai.com.:443", "/v1/chat/completions", "openai-api"),
    ("api.openai.com", "API.OpenAI.com..:443", "/v1/chat/completions", "openai-api"),
    ("chatgpt.com", "chatgpt.com:443", "/backend-api/conversation", "openai-chatgpt"),
])
def test_host_with_port_on_ip_connect_is_inspected(proxy, standin_clean, sni, host, target,
                                                   app):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="127.0.0.1:443", sni=sni, hosts=[host], target=target,
        body=chat(f"my token {SECRET}")))
    assert_blocked(reply, line, standin_clean, status=403, app=app, rule="secrets-block")
    assert line["host"] == sni and line["findings"] == {"github-pat": 1}


def test_host_with_port_redacts_and_forwards(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="127.0.0.1:443", sni="api.openai.com", hosts=["api.openai.com:443"],
        body=chat(f"mail {EMAIL}")))
    assert reply.status == 200 and line["action"] == "redact"
    (got,) = standin_clean.requests.snapshot()
    assert EMAIL.encode() not in got.body and b"[EMAIL_ADDRESS_1]" in got.body


def test_banned_host_with_port_blocked(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="127.0.0.1:443", sni="chat.deepseek.com",
        hosts=["chat.deepseek.com:443"], target="/api/v0/chat/completion", body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=403, app="deepseek-chat",
                   rule="banned-apps")


# ----------------------------------------------------------------------------- names that disagree
@pytest.mark.parametrize("host", [
    "chat.deepseek.com", "chat.deepseek.com:443", "x@chat.deepseek.com",
    "CHAT.DEEPSEEK.COM.", "ｃｈａｔ.deepseek.com", "chat%2Edeepseek.com",
])
def test_ai_connection_with_banned_host_blocked(proxy, standin_clean, host):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="api.openai.com:443", sni="api.openai.com", hosts=[host],
        target="/api/v0/chat/completion", body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=403, app="deepseek-chat",
                   rule="banned-apps")
    assert line["host"] == "chat.deepseek.com"


def test_second_host_header_naming_a_banned_app_blocked(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="api.openai.com:443", sni="api.openai.com",
        hosts=["api.openai.com", "chat.deepseek.com"], body=chat("hi")))
    assert reply.status in (400, 403)
    assert standin_clean.requests.snapshot() == []
    assert line["action"] == "block"


def test_other_ai_host_on_ai_connection_is_refused_421(proxy, standin_clean):
    before = proxy.metric_value(
        'aipolicy_destination_mismatches_total{action="block",kind="different-apps"}')
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="api.openai.com:443", sni="api.openai.com",
        hosts=["api.anthropic.com"], target="/v1/messages", body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=421, app="anthropic-api",
                   rule="destination-mismatch")
    assert "different AI services" in json.loads(reply.body)["error"]["message"]
    assert proxy.metric_value(
        'aipolicy_destination_mismatches_total{action="block",kind="different-apps"}') == \
        before + 1


def test_non_ai_host_on_ai_connection_is_refused_421(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="api.openai.com:443", sni="api.openai.com", hosts=[PLAIN_HOSTNAME],
        body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=421, app="openai-api",
                   rule="destination-mismatch")
    assert proxy.metric_value(
        'aipolicy_destination_mismatches_total{action="block",kind="non-ai-name"}') >= 1


def test_unreadable_host_is_refused_400(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="api.openai.com:443", sni="api.openai.com",
        hosts=["api.openai.com:443:443"], body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=400, app="openai-api",
                   rule="destination-unreadable")
    assert "api.openai.com:443:443" not in json.dumps(line)


@pytest.mark.parametrize(("target", "status", "app", "rule"), [
    ("https://chat.deepseek.com/api/v0/chat/completion", 403, "deepseek-chat", "banned-apps"),
    # equally strict apps: the one the Host header names is reported
    ("https://api.anthropic.com/v1/messages", 421, "openai-api", "destination-mismatch"),
    ("https://chat.deepseek.com:443/api/v0/chat/completion", 403, "deepseek-chat",
     "banned-apps"),
])
def test_absolute_form_inside_tunnel(proxy, standin_clean, target, status, app, rule):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="api.openai.com:443", sni="api.openai.com", hosts=["api.openai.com"],
        target=target, body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=status, app=app, rule=rule)


# ----------------------------------------------------------------------------- plain HTTP
def test_plain_absolute_form_ai_with_other_host_refused(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: plain(
        proxy, "http://api.openai.com/v1/chat/completions", [PLAIN_HOSTNAME], chat("hi")))
    assert_blocked(reply, line, standin_clean, status=421, app="openai-api",
                   rule="destination-mismatch")


def test_plain_non_ai_url_with_banned_host_blocked(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: plain(
        proxy, f"http://{PLAIN_HOSTNAME}/api/v0/chat/completion", ["chat.deepseek.com:80"],
        chat("hi")))
    assert_blocked(reply, line, standin_clean, status=403, app="deepseek-chat",
                   rule="banned-apps")


def test_plain_host_with_port_is_inspected(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: plain(
        proxy, "http://api.openai.com/v1/chat/completions", ["api.openai.com:80"],
        chat(f"token {SECRET}")))
    assert_blocked(reply, line, standin_clean, status=403, app="openai-api",
                   rule="secrets-block")
    reply, line = one_audit_line(proxy, lambda: plain(
        proxy, "http://api.openai.com:80/v1/chat/completions", ["api.openai.com:80"],
        chat(f"mail {EMAIL}")))
    assert reply.status == 200 and line["action"] == "redact"
    (got,) = standin_clean.requests.snapshot()
    assert not got.tls and b"[EMAIL_ADDRESS_1]" in got.body and EMAIL.encode() not in got.body


# ----------------------------------------------------------------------------- no SNI
@pytest.mark.parametrize("connect", ["127.0.0.1:443", "2130706433:443", "0x7f.1:443",
                                     "localhost:443"])
def test_no_sni_connection_is_decrypted_and_decided_by_host(proxy, standin_clean, connect):
    before = proxy.metric_value('aipolicy_no_sni_connections_total{action="decrypted"}')
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect=connect, sni=None, hosts=["api.openai.com"],
        body=chat(f"token {SECRET}")))
    assert_blocked(reply, line, standin_clean, status=403, app="openai-api",
                   rule="secrets-block")
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect=connect, sni=None, hosts=["chat.deepseek.com:443"],
        target="/api/v0/chat/completion", body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=403, app="deepseek-chat",
                   rule="banned-apps")
    assert proxy.metric_value(
        'aipolicy_no_sni_connections_total{action="decrypted"}') == before + 2


def test_no_sni_allowed_ai_request_is_inspected_and_forwarded(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="127.0.0.1:443", sni=None, hosts=["api.openai.com"],
        body=chat(f"mail {EMAIL}")))
    assert reply.status == 200 and line["action"] == "redact" and line["app"] == "openai-api"
    (got,) = standin_clean.requests.snapshot()
    assert got.sni is None and b"[EMAIL_ADDRESS_1]" in got.body


def test_no_sni_non_ai_request_forwarded_untouched_not_audited(proxy, standin_clean):
    metric = 'aipolicy_non_ai_requests_total{connection="no-sni"}'
    before = proxy.metric_value(metric)
    body = chat(f"mail {EMAIL}")
    reply = no_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="127.0.0.1:443", sni=None, hosts=[PLAIN_HOSTNAME], target="/x",
        body=body))
    assert reply.status != 403
    (got,) = standin_clean.requests.snapshot()
    assert got.body == body  # not inspected: not an AI request
    assert proxy.metric_value(metric) == before + 1


# ------------------------------------------------------------------------ CONNECT to an address
def test_ip_connect_with_decoy_server_name_is_decrypted(proxy, standin_clean):
    # A server that ignores SNI answers a client that CONNECTs to its address with any
    # server name: the Host header is what counts, so the connection is decrypted.
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="127.0.0.1:443", sni=PLAIN_HOSTNAME, hosts=["chat.deepseek.com"],
        target="/api/v0/chat/completion", body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=403, app="deepseek-chat",
                   rule="banned-apps")
    metric = 'aipolicy_non_ai_requests_total{connection="ip-connect"}'
    before = proxy.metric_value(metric)
    reply = no_audit_line(proxy, lambda: via_tunnel(
        proxy, connect="127.0.0.1:443", sni=PLAIN_HOSTNAME, hosts=[PLAIN_HOSTNAME],
        target="/", method="GET"))
    assert reply.headers["server"] == "standin/1.0"
    assert proxy.metric_value(metric) == before + 1


# ----------------------------------------------------------------------------- fronting
def test_front_host_with_ai_host_header_refused(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect=f"{FRONT}:443", sni=FRONT, hosts=["api.openai.com"],
        body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=421, app="openai-api",
                   rule="destination-mismatch")


def test_front_subdomain_with_banned_host_header_blocked(proxy, standin_clean):
    reply, line = one_audit_line(proxy, lambda: via_tunnel(
        proxy, connect=f"eu.{FRONT}:443", sni=f"eu.{FRONT}", hosts=["chat.deepseek.com"],
        target="/api/v0/chat/completion", body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=403, app="deepseek-chat",
                   rule="banned-apps")


def test_front_host_own_traffic_forwarded_untouched(proxy, standin_clean):
    metric = 'aipolicy_non_ai_requests_total{connection="front"}'
    before = proxy.metric_value(metric)
    reply = no_audit_line(proxy, lambda: via_tunnel(
        proxy, connect=f"{FRONT}:443", sni=FRONT, hosts=[FRONT], target="/asset.js",
        method="GET"))
    assert reply.headers["server"] == "standin/1.0"  # the upstream's own answer
    (got,) = standin_clean.requests.snapshot()
    assert got.host == FRONT and got.sni == FRONT
    assert proxy.metric_value(metric) == before + 1


# ----------------------------------------------------------------------------- HTTP/2
@pytest.fixture(scope="module")
def h2_proxy(tmp_path_factory, standin, standin_pki) -> RunningProxy:
    """A second proxy with the lazy connection strategy: mitmproxy then offers HTTP/2 to
    the client without asking the (HTTP/1.1-only) stand-in first, and translates."""
    p = start_proxy(tmp_path_factory.mktemp("h2-proxy"), E2E_RULESET, standin.port,
                    standin_pki.ca_cert,
                    extra_args=["--set", "connection_strategy=lazy",
                                "--set", "aipolicy_scan_workers=0"])
    yield p
    p.stop()


def _h2_headers(authority: str, path: str, extra: tuple[tuple[str, str], ...] = ()):
    return [(":method", "POST"), (":scheme", "https"), (":authority", authority),
            (":path", path), ("content-type", "application/json"),
            ("accept", "application/json"), *extra]


@pytest.mark.parametrize(("authority", "extra", "status", "app", "rule"), [
    ("chat.deepseek.com", (), 403, "deepseek-chat", "banned-apps"),
    ("api.anthropic.com", (), 421, "anthropic-api", "destination-mismatch"),
    ("chat.deepseek.com:443", (), 403, "deepseek-chat", "banned-apps"),
])
def test_h2_authority_that_disagrees(h2_proxy, standin_clean, authority, extra, status, app,
                                     rule):
    reply, line = one_audit_line(h2_proxy, lambda: via_h2(
        h2_proxy, connect="api.openai.com:443", sni="api.openai.com",
        headers=_h2_headers(authority, "/v1/chat/completions", extra), body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=status, app=app, rule=rule)


def test_h2_host_header_without_authority_is_classified(h2_proxy, standin_clean):
    headers = [h for h in _h2_headers("", "/v1/chat/completions") if h[0] != ":authority"]
    reply, line = one_audit_line(h2_proxy, lambda: via_h2(
        h2_proxy, connect="api.openai.com:443", sni="api.openai.com",
        headers=[*headers, ("host", "chat.deepseek.com")], body=chat("hi")))
    assert_blocked(reply, line, standin_clean, status=403, app="deepseek-chat",
                   rule="banned-apps")


def test_h2_host_header_differing_from_authority_never_reaches_upstream(h2_proxy,
                                                                        standin_clean):
    # mitmproxy's HTTP/2 stack refuses the request block (RFC 9113 8.3.1) and closes
    # the connection before any hook runs: nothing is forwarded.
    with pytest.raises(AssertionError, match="connection closed"):
        via_h2(h2_proxy, connect="api.openai.com:443", sni="api.openai.com",
               headers=_h2_headers("api.openai.com", "/v1/chat/completions",
                                   (("host", "chat.deepseek.com"),)), body=chat("hi"))
    assert standin_clean.requests.snapshot() == []


def test_h2_authority_with_port_on_ip_connect_is_inspected(h2_proxy, standin_clean):
    reply, line = one_audit_line(h2_proxy, lambda: via_h2(
        h2_proxy, connect="127.0.0.1:443", sni="api.openai.com",
        headers=_h2_headers("api.openai.com:443", "/v1/chat/completions"),
        body=chat(f"token {SECRET}")))
    assert_blocked(reply, line, standin_clean, status=403, app="openai-api",
                   rule="secrets-block")
    reply, line = one_audit_line(h2_proxy, lambda: via_h2(
        h2_proxy, connect="127.0.0.1:443", sni="api.openai.com",
        headers=_h2_headers("api.openai.com:443", "/v1/chat/completions"),
        body=chat(f"mail {EMAIL}")))
    assert reply.status == 200 and line["action"] == "redact"
    (got,) = standin_clean.requests.snapshot()
    assert b"[EMAIL_ADDRESS_1]" in got.body and EMAIL.encode() not in got.body
