"""End to end: requests mitmproxy cannot read, reads differently from the upstream, or
would relay past the request hook.

Raw sockets and ``ssl`` (and the ``h2`` library for HTTP/2) through the real proxy to the
stand-in. Every case asserts what the stand-in received (nothing, for a refusal), that
the client got an answer or a closed connection (socket timeouts, never sleeps: a silent
proxy fails the test instead of hanging it), and that an AI request left exactly one
audit line. Each path is unique to its test, so the shared proxy's audit log and the
stand-in's request log can be filtered by it.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import socket
import ssl
import time
from pathlib import Path

import h2.config
import h2.connection
import h2.events
import pytest
from hyperframe.frame import ContinuationFrame, HeadersFrame

from aipolicy.refusal import REQUEST_REFUSED, Refusal

from .conftest import E2E_RULESET
from .proxy_harness import start_proxy

STALL = 10.0  # seconds of silence from the proxy that count as a hang
AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"  # synthetic, well-formed
AWS_SECRET = "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"
CRASH_ADDON = Path(__file__).parent / "standin" / "crash_addon.py"


# --------------------------------------------------------------------------- helpers
def tunnel(proxy, host: str = "api.openai.com", alpn: list[str] | None = None) -> ssl.SSLSocket:
    """A CONNECT tunnel through the proxy, TLS to the proxy's certificate for `host`."""
    sock = connect(proxy, host, 443)
    ctx = ssl.create_default_context(cafile=str(proxy.ca_cert))
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx.wrap_socket(sock, server_hostname=host)


def connect(proxy, host: str, port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=STALL)
    sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        assert chunk, "proxy closed the CONNECT"
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    return sock


def read_reply(sock) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1 response (100 Continue skipped); a silent proxy fails the test."""
    resp = http.client.HTTPResponse(sock)
    try:
        resp.begin()
        body = resp.read()
    except TimeoutError:
        pytest.fail(f"no answer within {STALL}s: the proxy left the client waiting")
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def read_to_close(sock) -> bytes:
    """Everything until the proxy closes the connection; a silent proxy fails the test."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pytest.fail(f"connection still open after {STALL}s of silence: {data[:200]!r}")
    except (ConnectionResetError, ssl.SSLError):
        pass  # closed hard: closed all the same
    return data


def post(path: str, body: bytes, extra: str = "", host: str = "api.openai.com") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"{extra}Content-Length: {len(body)}\r\n\r\n").encode() + body


def chat(text: str) -> bytes:
    return json.dumps({"model": "gpt-4o-mini",
                       "messages": [{"role": "user", "content": text}]}).encode()


SECRET_BODY = chat(f"deploy with {AWS_KEY} and {AWS_SECRET}")


def audit_for(proxy, path: str, method: str | None = None) -> dict:
    """The one audit line for `path` (waits for it; fails on a second one)."""
    def match(rec: dict) -> bool:
        return rec["path"] == path and (method is None or rec["method"] == method)
    rec = proxy.wait_audit(match)
    lines = [r for r in proxy.audit() if match(r)]
    assert len(lines) == 1, lines
    return rec


def assert_refused(rec: dict, reason: Refusal) -> None:
    assert rec["action"] == rec["enforced"] == "block"
    assert rec["rule"] == REQUEST_REFUSED and rec["failure"] == reason.value
    assert rec["app"] == "openai-api"


def nothing_upstream(standin, path: str) -> None:
    assert standin.requests.for_host(None, path) == []


# --------------------------------------------------------------------------- HTTP/1 bodies
def test_http1_request_trailers_get_400_and_one_audit_line(proxy, standin_clean):
    path = "/v1/oddhttp/trailers"
    body = chat("hello")
    sock = tunnel(proxy)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: api.openai.com\r\nContent-Type: "
                 "application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
                 + b"%x\r\n%s\r\n0\r\nX-Smuggled: yes\r\n\r\n" % (len(body), body))
    status, _, text = read_reply(sock)
    assert status == 400 and b"trailer fields" in text
    assert read_to_close(sock) == b""
    assert_refused(audit_for(proxy, path), Refusal.TRAILERS)
    nothing_upstream(standin_clean, path)
    assert proxy.metric_value(
        f'aipolicy_inspection_failures_total{{reason="{Refusal.TRAILERS.value}"}}') >= 1


def test_unreadable_chunked_body_gets_400_and_one_audit_line(proxy, standin_clean):
    path = "/v1/oddhttp/bad-chunk"
    sock = tunnel(proxy)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: api.openai.com\r\nTransfer-Encoding: "
                 "chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n".encode())
    status, _, text = read_reply(sock)
    assert status == 400 and b"could not read the request body" in text
    assert read_to_close(sock) == b""
    assert_refused(audit_for(proxy, path), Refusal.UNREADABLE)
    nothing_upstream(standin_clean, path)


def test_client_leaving_mid_body_is_audited_once(proxy, standin_clean):
    path = "/v1/oddhttp/half-body"
    sock = tunnel(proxy)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: api.openai.com\r\nContent-Type: "
                 "application/json\r\nContent-Length: 500\r\n\r\n{\"model\":".encode())
    sock.close()
    assert_refused(audit_for(proxy, path), Refusal.UNREADABLE)
    nothing_upstream(standin_clean, path)


@pytest.mark.parametrize("framing", [
    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    "Content-Length: 5\r\nContent-Length: 7\r\n",
    "Transfer-Encoding: xchunked\r\n",
], ids=["te-and-cl", "two-content-lengths", "unknown-te"])
def test_ambiguous_framing_refused_and_audited(proxy, standin_clean, framing):
    path = f"/v1/oddhttp/framing-{len(framing)}"
    sock = tunnel(proxy)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: api.openai.com\r\n{framing}\r\n"
                 "0\r\n\r\n".encode())
    status, _, _ = read_reply(sock)
    assert status == 400
    rec = audit_for(proxy, path)
    assert_refused(rec, Refusal.UNREADABLE)
    assert rec["host"] == "api.openai.com"  # named by the tunnel: the request had no host yet
    nothing_upstream(standin_clean, path)


def test_transfer_coding_the_proxy_does_not_undo_refused(proxy, standin_clean):
    # mitmproxy accepts "gzip, chunked", removes the chunking only and forwards the
    # coding: the scanner saw compressed bytes, a service that honours it reads the key.
    path = "/v1/oddhttp/gzip-te"
    body = gzip.compress(SECRET_BODY)
    sock = tunnel(proxy)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: api.openai.com\r\nContent-Type: "
                 "application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n".encode()
                 + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    status, _, _ = read_reply(sock)
    assert status == 403
    assert_refused(audit_for(proxy, path), Refusal.TRANSFER_CODING)
    nothing_upstream(standin_clean, path)


# --------------------------------------------------------------------------- raw TCP relays
def _tab_line(path: str) -> list[bytes]:
    return [post(path, SECRET_BODY).replace(b" ", b"\t", 2)]


def _split_first_write(path: str) -> list[bytes]:
    data = post(path, SECRET_BODY)
    return [data[:2], data[2:]]


def _long_request_line(path: str) -> list[bytes]:
    return [post(f"{path}?pad={"a" * 100000}", SECRET_BODY)]  # more than one read (64 KiB)


@pytest.mark.parametrize("shape", [_tab_line, _split_first_write, _long_request_line],
                         ids=["tab-separated", "split-first-write", "long-request-line"])
def test_request_that_does_not_start_like_http_is_still_inspected(proxy, standin_clean, shape):
    # Without ALPN mitmproxy guesses the protocol from the first read; each of these used
    # to become a raw TCP relay: the secret reached the service, no decision, no audit.
    path = f"/v1/oddhttp/raw-{shape.__name__}"
    sock = tunnel(proxy)
    writes = shape(path)
    for index, data in enumerate(writes):
        sock.sendall(data)
        if index + 1 < len(writes):
            time.sleep(0.2)  # separate reads at the proxy; the assertions do not depend on it
    status, _, body = read_reply(sock)
    assert status == 403 and b"AWS" in body
    rec = audit_for(proxy, path)
    assert rec["action"] == "block" and rec["rule"] == "secrets-block"
    nothing_upstream(standin_clean, path)


def test_plain_tunnel_to_ai_host_is_read_as_http(proxy, standin_clean):
    path = "/v1/oddhttp/plain-tunnel"
    sock = connect(proxy, "api.openai.com", 80)
    sock.sendall(_tab_line(path)[0])
    status, _, _ = read_reply(sock)
    assert status == 403
    assert audit_for(proxy, path)["rule"] == "secrets-block"
    nothing_upstream(standin_clean, path)


def test_non_http_bytes_to_ai_host_get_400_and_are_not_relayed(proxy, standin_clean):
    sock = tunnel(proxy)
    sock.sendall(b"\x00\x01" + AWS_KEY.encode() + b" raw bytes\r\n\r\n")
    status, _, _ = read_reply(sock)
    assert status == 400
    assert read_to_close(sock) == b""
    assert standin_clean.requests.snapshot() == []
    assert AWS_KEY not in proxy.stderr()  # mitmproxy logs what it cannot parse: withheld


def test_headers_cut_short_stay_out_of_the_log(proxy, standin_clean):
    marker = "Client closed connection before completing request headers"
    before = proxy.stderr().count(marker)
    sock = tunnel(proxy)
    sock.sendall(b"POST /v1/oddhttp/cut HTTP/1.1\r\nHost: api.openai.com\r\n"
                 b"Authorization: Bearer sk-oddhttp-credential\r\n")
    sock.close()
    deadline = time.monotonic() + STALL
    while proxy.stderr().count(marker) == before:
        assert time.monotonic() < deadline, "mitmproxy did not log the cut-off request"
        time.sleep(0.05)
    assert "sk-oddhttp-credential" not in proxy.stderr()


# --------------------------------------------------------------------------- protocol switches
@pytest.mark.parametrize("upgrade", [
    "Upgrade: foo\r\n",
    "Upgrade: H2C\r\n",
    "Upgrade: h2c, foo\r\n",
    "Upgrade: websocket\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: "
    "dGhlIHNhbXBsZSBub25jZQ==\r\n",
], ids=["foo", "H2C", "h2c-and-foo", "websocket-v8"])
def test_switch_to_uninspected_protocol_refused(proxy, standin_clean, upgrade):
    # The stand-in accepts any switch (x-test-switch) and then echoes raw bytes, as a
    # service would that speaks the protocol: before, the proxy relayed them untouched.
    # lower-case: a refusal's path is recorded with other segments masked (not scanned)
    path = f"/v1/oddhttp/upgrade-{len(upgrade)}-{upgrade[9:12].strip().lower()}"
    sock = tunnel(proxy)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: api.openai.com\r\nConnection: Upgrade\r\n"
                 f"{upgrade}x-test-switch: 1\r\n\r\n".encode())
    status, headers, body = read_reply(sock)
    assert status == 403 and headers["x-should-retry"] == "false"
    assert Refusal.UPGRADE.value in json.loads(body)["error"]["message"]
    assert_refused(audit_for(proxy, path), Refusal.UPGRADE)
    nothing_upstream(standin_clean, path)


def test_unasked_switch_by_the_service_closes_the_connection(proxy, standin_clean):
    path = "/v1/oddhttp/unasked-switch"
    sock = tunnel(proxy)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: api.openai.com\r\nx-test-switch: 1\r\n\r\n"
                 .encode())
    assert b"101" not in read_to_close(sock)
    assert [r.method for r in standin_clean.requests.for_host(None, path)] == ["GET"]
    assert audit_for(proxy, path)["action"] == "allow"  # decided before the switch; no 2nd line


def test_connect_inside_a_decrypted_tunnel_refused_and_audited(proxy, standin_clean):
    sock = tunnel(proxy)
    sock.sendall(b"CONNECT plain.example.test:443 HTTP/1.1\r\nHost: plain.example.test:443"
                 b"\r\n\r\n")
    status, _, _ = read_reply(sock)
    assert status == 400
    rec = audit_for(proxy, "", method="CONNECT")
    assert rec["failure"] == Refusal.UNREADABLE.value and rec["app"] == "openai-api"
    assert standin_clean.requests.snapshot() == []


# --------------------------------------------------------------------------- HTTP/2
class H2Client:
    def __init__(self, proxy, host: str = "api.openai.com") -> None:
        self.sock = tunnel(proxy, host, alpn=["h2"])
        assert self.sock.selected_alpn_protocol() == "h2"
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        self.flush()

    def flush(self) -> None:
        self.sock.sendall(self.conn.data_to_send())

    def post(self, path: str, body: bytes, trailers=None, content_type="application/json"):
        self.conn.send_headers(1, [(":method", "POST"), (":scheme", "https"),
                                   (":authority", "api.openai.com"), (":path", path),
                                   ("content-type", content_type)])
        self.conn.send_data(1, body, end_stream=trailers is None)
        if trailers:
            self.conn.send_headers(1, trailers, end_stream=True)
        self.flush()

    def response(self) -> tuple[int, bytes]:
        """Status and body of stream 1, or (0, b"") if the connection ends first."""
        status, body = 0, b""
        try:
            while data := self.sock.recv(65536):
                for event in self.conn.receive_data(data):
                    if isinstance(event, h2.events.ResponseReceived):
                        status = int(dict(event.headers)[b":status"])
                    elif isinstance(event, h2.events.DataReceived):
                        body += event.data
                    elif isinstance(event, h2.events.StreamEnded | h2.events.StreamReset
                                    | h2.events.ConnectionTerminated):
                        return status, body
                self.flush()
        except TimeoutError:
            pytest.fail(f"no HTTP/2 answer within {STALL}s")
        except (ConnectionResetError, ssl.SSLError):
            pass
        return status, body


def test_h2_request_trailers_refused(proxy, standin_clean):
    # mitmproxy would forward them to the HTTP/1 upstream and crash on the way.
    path = "/v1/oddhttp/h2-trailers"
    client = H2Client(proxy)
    client.post(path, chat("hello"), trailers=[("x-smuggled", "yes")])
    status, body = client.response()
    assert status == 403 and Refusal.TRAILERS.value in body.decode()
    assert_refused(audit_for(proxy, path), Refusal.TRAILERS)
    nothing_upstream(standin_clean, path)


def test_h2_body_reaches_http1_upstream_framed(proxy, standin_clean):
    # An HTTP/2 body without content-length went to the HTTP/1 upstream unframed: the
    # upstream read an empty body, then the body as a second request nobody inspected
    # (here a gzip-compressed chat request). The body is inspected whatever its type,
    # the gzip member inside included: a benign one shows the framing, a secret one
    # is blocked.
    path = "/v1/oddhttp/h2-smuggle"
    inner = gzip.compress(chat("Summarise the quarterly plan, please."))
    smuggled = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\n"
                b"Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
                b"Content-Length: %d\r\n\r\n" % len(inner)) + inner
    client = H2Client(proxy)
    client.post(path, smuggled, content_type="application/octet-stream")
    client.response()
    got = standin_clean.requests.wait_for(None, path)
    assert got.body == smuggled and got.header("content-length") == str(len(smuggled))
    assert audit_for(proxy, path)["app"] == "openai-api"
    assert standin_clean.requests.for_host(None, "/v1/chat/completions") == []
    secret_path = "/v1/oddhttp/h2-smuggle-secret"
    inner = gzip.compress(SECRET_BODY)
    smuggled = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\n"
                b"Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
                b"Content-Length: %d\r\n\r\n" % len(inner)) + inner
    client = H2Client(proxy)
    client.post(secret_path, smuggled, content_type="application/octet-stream")
    status, _ = client.response()
    assert status == 403
    assert audit_for(proxy, secret_path)["action"] == "block"
    nothing_upstream(standin_clean, secret_path)


def test_h2_continuation_flood_closes_the_connection(proxy, standin_clean):
    client = H2Client(proxy)
    headers = HeadersFrame(1)
    headers.data = client.conn.encoder.encode([
        (":method", "POST"), (":scheme", "https"), (":authority", "api.openai.com"),
        (":path", "/v1/oddhttp/continuation")])
    frames = [headers.serialize()]
    for i in range(100):  # never END_HEADERS
        cont = ContinuationFrame(1)
        cont.data = client.conn.encoder.encode([(f"x-pad-{i}", "v" * 100)])
        frames.append(cont.serialize())
    with contextlib.suppress(ssl.SSLError, OSError):  # the proxy may hang up mid-send
        client.sock.sendall(b"".join(frames))
    client.response()  # ends with GOAWAY or a closed connection, not silence
    assert standin_clean.requests.snapshot() == []


# --------------------------------------------------------------------------- responses
def test_response_with_trailers_does_not_hang_the_client(proxy, standin_clean):
    # mitmproxy crashed on an upstream's HTTP/1 response trailers and left the client
    # waiting; now the response ends with the connection.
    path = "/v1/chat/completions"
    sock = tunnel(proxy)
    sock.sendall(post(path, json.dumps({"model": "m", "stream": True, "messages": [
        {"role": "user", "content": "hi"}]}).encode(), extra="x-test-trailers: 1\r\n"))
    data = read_to_close(sock)
    assert data.startswith(b"HTTP/1.1 200") and b"data: [DONE]" in data
    assert standin_clean.requests.wait_for("api.openai.com", path).header("x-test-trailers")


# --------------------------------------------------------------------------- regressions
def test_non_utf8_path_still_audited(proxy, standin_clean):
    sock = tunnel(proxy)
    sock.sendall(post("/v1/oddhttp/bytes\xff", chat("hi")).replace(b"\xc3\xbf", b"\xff"))
    read_reply(sock)
    rec = audit_for(proxy, "/v1/oddhttp/bytes\udcff")  # the audit line is valid JSON
    assert rec["action"] == "allow"


def test_pipelined_requests_are_each_decided(proxy, standin_clean):
    first, second = "/v1/oddhttp/pipelined-1", "/v1/oddhttp/pipelined-2"
    sock = tunnel(proxy)
    sock.sendall(post(first, chat("hello")) + post(second, SECRET_BODY))
    assert read_reply(sock)[0] == 404  # the stand-in has no such route: it got there
    assert read_reply(sock)[0] == 403
    assert audit_for(proxy, first)["action"] == "allow"
    assert audit_for(proxy, second)["rule"] == "secrets-block"
    nothing_upstream(standin_clean, second)


def test_http10_request_without_host_is_inspected(proxy, standin_clean):
    path = "/v1/oddhttp/http10"
    sock = tunnel(proxy)
    sock.sendall(f"POST {path} HTTP/1.0\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(SECRET_BODY)}\r\n\r\n".encode() + SECRET_BODY)
    assert read_reply(sock)[0] == 403
    assert audit_for(proxy, path)["rule"] == "secrets-block"  # the tunnel names the host
    nothing_upstream(standin_clean, path)


def test_expect_100_continue_body_is_inspected(proxy, standin_clean):
    path = "/v1/oddhttp/expect"
    sock = tunnel(proxy)
    head, _, body = post(path, SECRET_BODY, extra="Expect: 100-continue\r\n").partition(
        b"\r\n\r\n")
    sock.sendall(head + b"\r\n\r\n")
    assert sock.recv(4096).startswith(b"HTTP/1.1 100")
    sock.sendall(body)
    assert read_reply(sock)[0] == 403
    assert audit_for(proxy, path)["rule"] == "secrets-block"
    nothing_upstream(standin_clean, path)


# --------------------------------------------------------------------------- crashes
@pytest.fixture(scope="module")
def odd_proxy(tmp_path_factory, standin, standin_pki):
    """A proxy with a test addon that makes mitmproxy's HTTP layer fail on demand, and
    with mitmproxy's WebSocket support switched off."""
    p = start_proxy(tmp_path_factory.mktemp("odd-proxy"), E2E_RULESET, standin.port,
                    standin_pki.ca_cert,
                    extra_args=["-s", str(CRASH_ADDON), "--set", "websocket=false",
                                "--set", "aipolicy_scan_workers=0"])
    yield p
    p.stop()


def test_crash_inside_mitmproxy_closes_the_client_and_is_audited(odd_proxy, standin_clean):
    path = "/v1/oddhttp/crash"
    sock = tunnel(odd_proxy)
    sock.sendall(post(path, chat("hello"), extra="x-test-crash: 1\r\n"))
    assert read_to_close(sock) == b""
    assert_refused(audit_for(odd_proxy, path), Refusal.PROXY_FAILED)
    nothing_upstream(standin_clean, path)
    assert "mitmproxy failed on the connection" in odd_proxy.stderr()
    assert "mitmproxy has crashed" not in odd_proxy.stderr()
    # the proxy itself carries on
    sock = tunnel(odd_proxy)
    sock.sendall(post("/v1/oddhttp/after-crash", chat("hello")))
    assert read_reply(sock)[0] == 404


def test_websocket_refused_when_mitmproxy_would_not_inspect_it(odd_proxy, standin_clean):
    path = "/v1/oddhttp/websocket-off"
    sock = tunnel(odd_proxy)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: api.openai.com\r\nConnection: Upgrade\r\n"
                 "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                 "dGhlIHNhbXBsZSBub25jZQ==\r\nx-test-switch: 1\r\n\r\n".encode())
    assert read_reply(sock)[0] == 403
    assert_refused(audit_for(odd_proxy, path), Refusal.UPGRADE)
    nothing_upstream(standin_clean, path)
