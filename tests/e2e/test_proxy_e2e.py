"""End to end: the real proxy (launcher), real TLS, real clients (curl, openai, anthropic).

Every AI hostname reaches the local stand-in through a test-only redirect addon; the
proxy verifies the stand-in's certificates against the stand-in's test CA, exactly as
it verifies real services against the system store.
"""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
import subprocess
import threading

import anthropic
import httpx2 as httpx  # the HTTP library the official SDKs use
import openai
import pytest

from .standin import PLAIN_HOSTNAME

CHAT_BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello there"}]}


def http_client(proxy, auth: str | None = None) -> httpx.Client:
    """An SDK-compatible client (httpx2) that goes through the proxy and trusts its CA."""
    url = proxy.url.replace("http://", f"http://{auth}@") if auth else proxy.url
    return httpx.Client(proxy=url, timeout=20,
                        verify=ssl.create_default_context(cafile=str(proxy.ca_cert)))


def test_banned_app_openai_sdk_gets_permission_denied(proxy, standin_clean):
    client = openai.OpenAI(base_url="https://api.deepseek.com/v1", api_key="sk-test",
                           http_client=http_client(proxy), max_retries=2)
    with pytest.raises(openai.PermissionDeniedError) as info:
        client.chat.completions.create(**CHAT_BODY)
    err = info.value
    assert err.status_code == 403
    text = str(err)
    assert "DeepSeek is banned by company policy." in text
    assert "Microsoft Copilot" in text and "https://intranet.example.test/ai-policy" in text
    ref = err.response.headers["x-aipolicy-reference"]
    assert ref in text and err.request_id == ref
    assert err.response.headers["x-should-retry"] == "false"
    # nothing reached the service, and the SDK did not retry the block
    assert standin_clean.requests.for_host("api.deepseek.com") == []
    rec = proxy.wait_audit(lambda r: r["reference"] == ref)
    assert rec["app"] == "deepseek-api" and rec["action"] == "block"
    assert rec["rule"] == "banned-apps"
    assert rec["notice"] == "openai-chat-error" and rec["path"] == "/v1/chat/completions"
    assert len([r for r in proxy.audit() if r["app"] == "deepseek-api"]) == 1
    assert proxy.metric_value(
        'aipolicy_requests_total{action="block",app="deepseek-api"}') >= 1


def test_group_block_anthropic_sdk_gets_permission_denied(auth_proxy, standin_clean):
    proxy = auth_proxy  # proxy authentication against an htpasswd file: user "intern"
    client = anthropic.Anthropic(base_url="https://api.anthropic.com", api_key="sk-ant-test",
                                 http_client=http_client(proxy, auth="intern:intern-pw"),
                                 max_retries=2)
    with pytest.raises(anthropic.PermissionDeniedError) as info:
        client.messages.create(model="claude-test-model", max_tokens=64,
                               messages=[{"role": "user", "content": "Hi"}])
    text = str(info.value)
    assert "may not use Anthropic services" in text and "ChatGPT" in text
    assert info.value.body["error"]["type"] == "permission_error"
    ref = info.value.response.headers["x-aipolicy-reference"]
    rec = proxy.wait_audit(lambda r: r["reference"] == ref)
    assert rec["user"] == "intern" and rec["groups"] == ["restricted", "everyone"]
    assert rec["rule"] == "restricted-no-anthropic"
    assert "intern-pw" not in proxy.audit_path.read_text()
    assert standin_clean.requests.for_host("api.anthropic.com") == []


def test_proxy_auth_required_and_other_users_allowed(auth_proxy, standin_clean):
    with http_client(auth_proxy) as c, pytest.raises(httpx.ProxyError):  # no credentials
        c.get("https://api.anthropic.com/v1/models")
    client = anthropic.Anthropic(base_url="https://api.anthropic.com", api_key="sk-ant-test",
                                 http_client=http_client(auth_proxy, auth="alice:alice-pw"))
    msg = client.messages.create(model="claude-test-model", max_tokens=64,
                                 messages=[{"role": "user", "content": "Hi"}])
    assert msg.content[0].type == "text"
    rec = auth_proxy.wait_audit(lambda r: r["user"] == "alice")
    assert rec["groups"] == ["everyone"] and rec["action"] == "allow"


def test_anthropic_allowed_for_everyone_else(proxy, standin_clean):
    client = anthropic.Anthropic(base_url="https://api.anthropic.com", api_key="sk-ant-test",
                                 http_client=http_client(proxy))
    msg = client.messages.create(model="claude-test-model", max_tokens=64,
                                 messages=[{"role": "user", "content": "Hi"}])
    assert msg.content[0].type == "text"
    assert standin_clean.requests.last_for("api.anthropic.com", "/v1/messages") is not None


def test_allowed_request_reaches_upstream_byte_identical(proxy, standin_clean):
    # Odd but valid formatting: the proxy must not re-serialise anything.
    raw = (b'{ "model" : "gpt-4o-mini",\n  "messages": [ {"role":"user", "content":'
           b'"caf\\u00e9 \xe2\x98\x95 1.0e3"} ] ,"temperature":1.50}')
    with http_client(proxy) as c:
        r = c.post("https://api.openai.com/v1/chat/completions", content=raw,
                   headers={"content-type": "application/json",
                            "authorization": "Bearer sk-test"})
    assert r.status_code == 200, r.text
    got = standin_clean.requests.last_for("api.openai.com", "/v1/chat/completions")
    assert got.body == raw
    assert got.header("authorization") == "Bearer sk-test"
    rec = proxy.wait_audit(lambda x: x["app"] == "openai-api" and x["action"] == "allow")
    assert "sk-test" not in json.dumps(proxy.audit())
    assert rec["policy_version"] == "e2e-1"


def test_openai_sdk_allowed_and_sse_streams_before_upstream_finishes(proxy, standin_clean):
    client = openai.OpenAI(base_url="https://api.openai.com/v1", api_key="sk-test",
                           http_client=http_client(proxy))
    stream = client.chat.completions.create(
        **CHAT_BODY, stream=True, extra_headers={"x-test-gate": "sse-1"})
    chunks = iter(stream)
    first = next(chunks)  # arrives while the upstream is still holding the rest back
    assert first.object == "chat.completion.chunk"
    assert standin_clean.wait_gate_reached("sse-1", timeout=5)
    assert "sse-1" not in standin_clean.gate_timeouts()
    standin_clean.release("sse-1")
    rest = list(chunks)
    assert rest, "the rest of the stream arrived after release"
    assert standin_clean.gate_timeouts() == []


def test_non_ai_https_is_tunnelled_with_the_real_certificate(proxy, standin_clean, standin_pki):
    before = proxy.metric_value("aipolicy_tunnelled_connections_total")
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    sock.sendall(f"CONNECT {PLAIN_HOSTNAME}:443 HTTP/1.1\r\nHost: {PLAIN_HOSTNAME}:443\r\n\r\n"
                 .encode())
    assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    ctx = ssl.create_default_context(cafile=str(standin_pki.ca_cert))  # NOT the proxy's CA
    with ctx.wrap_socket(sock, server_hostname=PLAIN_HOSTNAME) as tls:
        der = tls.getpeercert(binary_form=True)
        tls.sendall(f"GET / HTTP/1.1\r\nHost: {PLAIN_HOSTNAME}\r\nConnection: close\r\n\r\n"
                    .encode())
        reply = tls.recv(65536)
    assert hashlib.sha256(der).hexdigest() == standin_pki.plain.sha256
    assert reply.startswith(b"HTTP/1.")
    assert proxy.metric_value("aipolicy_tunnelled_connections_total") == before + 1
    assert not any(r["host"] == PLAIN_HOSTNAME for r in proxy.audit())


def test_curl_tunnelled_host_trusts_only_the_real_ca(proxy, standin_pki):
    cmd = ["curl", "-sS", "--max-time", "20", "--proxy", proxy.url, "-o", "/dev/null",
           "-w", "%{http_code}"]
    ok = subprocess.run([*cmd, "--cacert", str(standin_pki.ca_cert),
                         f"https://{PLAIN_HOSTNAME}/"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout == "200", ok.stderr
    # the proxy's CA cannot validate it: the proxy never forged this certificate
    bad = subprocess.run([*cmd, "--cacert", str(proxy.ca_cert), f"https://{PLAIN_HOSTNAME}/"],
                         capture_output=True, text=True)
    assert bad.returncode == 60, (bad.returncode, bad.stderr)


def test_curl_browser_style_request_gets_html_page(proxy):
    r = subprocess.run(
        ["curl", "-sS", "--max-time", "20", "--proxy", proxy.url, "--cacert",
         str(proxy.ca_cert), "-H", "Accept: text/html,application/xhtml+xml",
         "-D", "-", "https://chat.deepseek.com/"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # -D - prints the CONNECT reply first, then the response (HTTP/2 here, as browsers use)
    blocks = r.stdout.split("\n\n")  # text mode turned CRLF into LF
    index = next(i for i, b in enumerate(blocks) if b.startswith(("HTTP/2 403", "HTTP/1.1 403")))
    head, page = blocks[index], "\n\n".join(blocks[index + 1:])
    assert "text/html" in head
    ref = next(line.split(": ", 1)[1].strip() for line in head.splitlines()
               if line.lower().startswith("x-aipolicy-reference"))
    assert "DeepSeek" in page and "DeepSeek is banned by company policy." in page
    assert ref in page and "mailto:ai-policy@example.test" in page
    rec = proxy.wait_audit(lambda x: x["reference"] == ref)
    assert rec["notice"] == "html" and rec["method"] == "GET"


def test_unknown_ai_app_is_monitored(proxy, standin_clean):
    r = subprocess.run(
        ["curl", "-sS", "--max-time", "20", "--proxy", proxy.url, "--cacert",
         str(proxy.ca_cert), "-o", "/dev/null", "-w", "%{http_code}",
         "https://api.mistral.ai/v1/models?key=abc"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout != "403", (r.stdout, r.stderr)
    rec = proxy.wait_audit(lambda x: x["app"] == "mistral-api")
    assert rec["action"] == "monitor" and rec["rule"] == "default"
    assert rec["path"] == "/v1/models"  # never the query string
    assert "key=abc" not in proxy.audit_path.read_text()
    assert proxy.metric_value(
        'aipolicy_requests_total{action="monitor",app="mistral-api"}') >= 1


def test_concurrent_clients_each_get_their_decision(proxy, standin_clean):
    results: list[int] = []

    def one(host: str) -> None:
        with http_client(proxy) as c:
            r = c.post(f"https://{host}/v1/chat/completions", json=CHAT_BODY,
                       headers={"authorization": "Bearer sk-test"})
            results.append(r.status_code)

    threads = [threading.Thread(target=one, args=(h,))
               for h in ["api.openai.com", "api.deepseek.com"] * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [200] * 4 + [403] * 4
