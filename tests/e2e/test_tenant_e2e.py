"""Tenant restriction and activities through the real proxy, asserted at the stand-in.

The proxy runs the tenant e2e ruleset (tenant headers for ChatGPT, the OpenAI API,
Claude, Google and Microsoft sign-in; uploads to the OpenAI API blocked; ChatGPT's
logged-out endpoint banned) with the lazy connection strategy, so clients can speak
HTTP/2 to it while the stand-in speaks HTTP/1.1. Clients send their own copies of the
headers in every form that could survive a careless rewrite; the stand-in shows what
left the proxy.
"""

from __future__ import annotations

import http.client
import json
import ssl
import uuid
from pathlib import Path

import h2.config
import h2.connection
import h2.events
import pytest

from .proxy_harness import RunningProxy, start_proxy
from .test_bypass_destination import Reply, tls, tunnel

RULESET = Path(__file__).resolve().parents[1] / "fixtures" / "rulesets" / "tenant_e2e.yaml"
WORKSPACES = "550e8400-e29b-41d4-a716-446655440000,6ba7b810-9dad-11d1-80b4-00c04fd430c8"
CLAUDE_ORG = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
OPENAI_ORG = "org-Tkxfm8owx4zIPaJGNDVrPs6m"
ENTRA = "aaaabbbb-0000-cccc-1111-dddd2222eeee:1aaaaaa1-2bb2-3cc3-4dd4-5eeeeeeeeee5"
PERSONAL = "99999999-9999-9999-9999-999999999999"  # the workspace a client would rather use
TENANT_HEADERS = ("chatgpt-allowed-workspace-id", "openai-allowed-organization-ids",
                  "anthropic-allowed-org-ids", "x-googapps-allowed-domains",
                  "sec-restrict-tenant-access-policy")
CHAT = json.dumps({"model": "gpt-4o-mini",
                   "messages": [{"role": "user", "content": "hello"}]}).encode()


@pytest.fixture(scope="module")
def tproxy(tmp_path_factory, standin, standin_pki) -> RunningProxy:
    p = start_proxy(tmp_path_factory.mktemp("tenant-proxy"), RULESET, standin.port,
                    standin_pki.ca_cert, extra_args=["--set", "connection_strategy=lazy"])
    yield p
    p.stop()


def tenant_fields(recorded) -> dict[str, list[str]]:
    """Every header of the recorded request that is (or poses as) a tenant header."""
    out: dict[str, list[str]] = {}
    for name, value in recorded.headers:
        key = name.lower().replace("_", "-")
        if key in TENANT_HEADERS:
            out.setdefault(name.lower(), []).append(value)
    return out


def connection_tokens(recorded) -> list[str]:
    return [t.strip().lower() for v in recorded.header_values("connection")
            for t in v.split(",")]


# ----------------------------------------------------------------------------- HTTP/1
def http1_session(proxy: RunningProxy, host: str, requests: list[bytes]) -> list[Reply]:
    """Several HTTP/1.1 requests, one after the other, on one connection."""
    replies = []
    with tls(tunnel(proxy, f"{host}:443"), proxy, host) as s:
        for raw in requests:
            s.sendall(raw)
            resp = http.client.HTTPResponse(s, method=raw.split(b" ", 1)[0].decode())
            resp.begin()
            replies.append(Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()},
                                 resp.read()))
    return replies


def raw_request(method: str, host: str, path: str, headers: list[tuple[str, str]],
                body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers),
             f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


CLIENT_COPIES = [
    ("ChatGPT-Allowed-Workspace-Id", PERSONAL),
    ("chatgpt-allowed-workspace-id", PERSONAL),
    ("CHATGPT-ALLOWED-WORKSPACE-ID", PERSONAL),
    ("ChatGPT_Allowed_Workspace_Id", PERSONAL),  # read as the same by CGI-style servers
    ("Anthropic-Allowed-Org-Ids", PERSONAL),
    ("Connection", "keep-alive, ChatGPT-Allowed-Workspace-Id"),  # "drop it as hop-by-hop"
    ("Content-Type", "application/json"),
]


def test_http1_requests_get_the_workspace_header_and_no_client_copy(tproxy, standin_clean):
    marker = uuid.uuid4().hex
    replies = http1_session(tproxy, "chatgpt.com", [
        raw_request("POST", "chatgpt.com", f"/backend-api/conversation?{marker}=1",
                    CLIENT_COPIES, CHAT),
        raw_request("GET", "chatgpt.com", f"/backend-api/models?{marker}=2",
                    [("chatgpt-allowed-workspace-id", PERSONAL)]),  # a page's own request
    ])
    assert replies[0].status == 200  # the stand-in's answers (its 404 for the GET)
    got = [r for r in standin_clean.requests.snapshot() if marker in r.path]
    assert len(got) == 2
    for recorded in got:
        assert tenant_fields(recorded) == {"chatgpt-allowed-workspace-id": [WORKSPACES]}
        assert "chatgpt-allowed-workspace-id" not in connection_tokens(recorded)
    audit = [line for line in tproxy.audit() if line["host"] == "chatgpt.com"][-2:]
    assert [line["activity"] for line in audit] == ["prompt", "other"]


# ----------------------------------------------------------------------------- HTTP/2
def h2_session(proxy: RunningProxy, host: str,
               requests: list[tuple[list[tuple[str, str]], bytes]]) -> list[Reply]:
    """Several HTTP/2 requests, one after the other, on one connection (the reuse that
    carries requests past a gateway that inserts headers per connection)."""
    replies = []
    with tls(tunnel(proxy, f"{host}:443"), proxy, host, alpn=("h2",)) as s:
        assert s.selected_alpn_protocol() == "h2"
        conn = h2.connection.H2Connection(h2.config.H2Configuration(
            client_side=True, header_encoding="utf-8"))
        conn.initiate_connection()
        for headers, body in requests:
            stream = conn.get_next_available_stream_id()
            conn.send_headers(stream, headers, end_stream=not body)
            if body:
                conn.send_data(stream, body, end_stream=True)
            s.sendall(conn.data_to_send())
            status, got, data, done = 0, {}, b"", False
            while not done:
                chunk = s.recv(65536)
                assert chunk, "connection closed before the response ended"
                for event in conn.receive_data(chunk):
                    if isinstance(event, h2.events.ResponseReceived):
                        got = dict(event.headers)
                        status = int(got[":status"])
                    elif isinstance(event, h2.events.DataReceived):
                        data += event.data
                        conn.acknowledge_received_data(event.flow_controlled_length,
                                                       event.stream_id)
                    elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream:
                        done = True
                s.sendall(conn.data_to_send())
            replies.append(Reply(status, got, data))
    return replies


def h2_headers(method: str, host: str, path: str, extra=()) -> list[tuple[str, str]]:
    return [(":method", method), (":scheme", "https"), (":authority", host), (":path", path),
            *extra]


def test_http2_every_request_on_a_reused_connection_is_restricted(tproxy, standin_clean):
    marker = uuid.uuid4().hex
    copies = [("chatgpt-allowed-workspace-id", PERSONAL),
              ("chatgpt-allowed-workspace-id", PERSONAL),
              ("chatgpt_allowed_workspace_id", PERSONAL),
              ("content-type", "application/json")]
    replies = h2_session(tproxy, "chatgpt.com", [
        (h2_headers("POST", "chatgpt.com", f"/backend-api/conversation?{marker}=1", copies),
         CHAT),
        (h2_headers("GET", "chatgpt.com", f"/backend-api/me?{marker}=2", copies[:1]), b""),
        (h2_headers("POST", "chatgpt.com", f"/backend-api/conversation?{marker}=3", copies),
         CHAT),
    ])
    assert [replies[0].status, replies[2].status] == [200, 200]
    got = [r for r in standin_clean.requests.snapshot() if marker in r.path]
    assert len(got) == 3
    for recorded in got:
        assert tenant_fields(recorded) == {"chatgpt-allowed-workspace-id": [WORKSPACES]}


def test_http2_each_vendor_gets_only_its_own_header(tproxy, standin_clean):
    marker = uuid.uuid4().hex
    claude = h2_session(tproxy, "claude.ai", [(h2_headers(
        "POST", "claude.ai", f"/api/organizations/o/chat_conversations/c/completion?{marker}",
        [("content-type", "application/json"), ("anthropic-allowed-org-ids", PERSONAL)]),
        json.dumps({"prompt": "hello"}).encode())])
    api = h2_session(tproxy, "api.anthropic.com", [(h2_headers(
        "POST", "api.anthropic.com", f"/v1/messages?{marker}",
        [("content-type", "application/json"), ("chatgpt-allowed-workspace-id", PERSONAL)]),
        json.dumps({"model": "claude", "max_tokens": 5,
                    "messages": [{"role": "user", "content": "hi"}]}).encode())])
    openai = h2_session(tproxy, "api.openai.com", [(h2_headers(
        "POST", "api.openai.com", f"/v1/chat/completions?{marker}",
        [("content-type", "application/json"),
         ("openai-allowed-organization-ids", "org-personalpersonal")]), CHAT)])
    assert [claude[0].status, api[0].status, openai[0].status] == [200, 200, 200]
    by_host = {r.host: r for r in standin_clean.requests.snapshot() if marker in r.path}
    assert tenant_fields(by_host["claude.ai"]) == {"anthropic-allowed-org-ids": [CLAUDE_ORG]}
    assert tenant_fields(by_host["api.anthropic.com"]) == {
        "anthropic-allowed-org-ids": [CLAUDE_ORG]}  # the ChatGPT copy is gone too
    assert tenant_fields(by_host["api.openai.com"]) == {
        "openai-allowed-organization-ids": [OPENAI_ORG]}


# ----------------------------------------------------------------------------- WebSocket
def test_websocket_handshake_gets_the_header(tproxy, standin_clean):
    marker = uuid.uuid4().hex
    with tls(tunnel(tproxy, "chatgpt.com:443"), tproxy, "chatgpt.com") as s:
        s.sendall(raw_request("GET", "chatgpt.com", f"/backend-api/ws?{marker}", [
            ("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("ChatGPT-Allowed-Workspace-Id", PERSONAL), ("x-test-switch", "1")]))
        resp = http.client.HTTPResponse(s, method="GET")
        resp.begin()
        assert resp.status == 101
    (recorded,) = [r for r in standin_clean.requests.snapshot()
                   if marker in r.path and r.method == "GET"]
    assert tenant_fields(recorded) == {"chatgpt-allowed-workspace-id": [WORKSPACES]}
    assert recorded.header("upgrade") == "websocket"


# ----------------------------------------------------------------------------- sign-in hosts
def test_sign_in_host_is_decrypted_for_its_header(tproxy, standin_clean):
    marker = uuid.uuid4().hex
    before = len(tproxy.audit())
    (reply,) = http1_session(tproxy, "login.microsoftonline.com", [raw_request(
        "GET", "login.microsoftonline.com", f"/common/oauth2/v2.0/authorize?{marker}",
        [("sec-Restrict-Tenant-Access-Policy", "restrict-msa"),
         ("Sec_Restrict_Tenant_Access_Policy", "restrict-msa")])])
    assert "x-aipolicy-reference" not in reply.headers  # the stand-in's own answer
    (recorded,) = [r for r in standin_clean.requests.snapshot() if marker in r.path]
    assert tenant_fields(recorded) == {"sec-restrict-tenant-access-policy": [ENTRA]}
    assert tproxy.audit()[before:] == []  # no AI app: not audited
    assert tproxy.metric_value(
        'aipolicy_decrypted_connections_total{reason="sign-in"}') >= 1
    assert tproxy.metric_value(
        'aipolicy_tenant_headers_total{preset="microsoft-tenant-policy"}') >= 1


def test_sign_in_host_without_sign_in_stays_tunnelled(tproxy, standin_clean):
    # google-domains is switched on without sign_in: accounts.google.com is not
    # decrypted, so the client sees the real (stand-in) certificate, not the proxy's.
    sock = tunnel(tproxy, "accounts.google.com:443")
    with pytest.raises(ssl.SSLCertVerificationError):
        tls(sock, tproxy, "accounts.google.com")
    sock.close()


# ----------------------------------------------------------------------------- activities
def multipart_file() -> tuple[str, bytes]:
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
            f"assistants\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nmeeting notes\r\n"
            f"--{boundary}--\r\n").encode()
    return f"multipart/form-data; boundary={boundary}", body


def test_chat_allowed_uploads_blocked_is_one_rule(tproxy, standin_clean):
    marker = uuid.uuid4().hex
    ctype, body = multipart_file()
    before = len(tproxy.audit())
    upload, chat = http1_session(tproxy, "api.openai.com", [
        raw_request("POST", "api.openai.com", f"/v1/files?{marker}",
                    [("Content-Type", ctype), ("Accept", "application/json")], body),
        raw_request("POST", "api.openai.com", f"/v1/chat/completions?{marker}",
                    [("Content-Type", "application/json"), ("Accept", "application/json")],
                    CHAT),
    ])
    assert upload.status == 403
    assert "Files may not be sent to the OpenAI API" in json.loads(upload.body)["error"][
        "message"]
    assert chat.status == 200
    assert [r.path_only for r in standin_clean.requests.snapshot() if marker in r.path] == [
        "/v1/chat/completions"]
    lines = tproxy.audit()[before:]
    assert [(x["activity"], x["rule"], x["enforced"]) for x in lines] == [
        ("upload", "no-uploads-to-openai-api", "block"), ("prompt", "approved", "allow")]


def test_logged_out_chatgpt_is_blocked(tproxy, standin_clean):
    marker = uuid.uuid4().hex
    before = len(tproxy.audit())
    anon, signed_in = http1_session(tproxy, "chatgpt.com", [
        raw_request("POST", "chatgpt.com", f"/backend-anon/f/conversation?{marker}",
                    [("Content-Type", "application/json"), ("Accept", "application/json")],
                    CHAT),
        raw_request("POST", "chatgpt.com", f"/backend-api/f/conversation?{marker}",
                    [("Content-Type", "application/json"), ("Accept", "application/json")],
                    CHAT),
    ])
    assert anon.status == 403 and signed_in.status == 200
    assert [r.path_only for r in standin_clean.requests.snapshot() if marker in r.path] == [
        "/backend-api/f/conversation"]
    lines = tproxy.audit()[before:]
    assert [(x["app"], x["rule"], x["activity"]) for x in lines] == [
        ("openai-chatgpt-logged-out", "banned-apps", "prompt"),
        ("openai-chatgpt", "approved", "prompt")]
