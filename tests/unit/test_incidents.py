"""Incident delivery: a signed webhook and syslog (UDP, TCP, TLS) against local receivers,
through outages and restarts, and never a value of a finding in any payload."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aipolicy.incidents.deliver import Dispatcher, backoff
from aipolicy.incidents.model import Incident, Severity, from_outcome
from aipolicy.incidents.queue import DeliveryQueue
from aipolicy.incidents.sinks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SyslogConfig,
    SyslogSink,
    WebhookConfig,
    WebhookSink,
    rfc5424,
    sign,
)
from aipolicy.model import ClientIdentity, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"webhook-test-secret"


def incident(n: int, severity: Severity = Severity.HIGH) -> Incident:
    return Incident(kind="data", severity=severity, time=1_790_000_000.0 + n,
                    reference=f"AIP-TEST{n:06d}", rule="secrets-block", user=f"user{n}",
                    client="10.0.0.5", groups=("engineering", "everyone"), app="openai-api",
                    app_name="OpenAI API", action="block",
                    findings=(("aws-access-key-id", 1),), policy_version="2026.11.1")


class Receiver:
    """A webhook receiver that can be taken down and brought back on the same port."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def up(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                return

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


async def _until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def test_webhook_outage_and_restart_deliver_each_incident_exactly_once(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr("aipolicy.incidents.deliver.backoff", lambda attempts: 0.2)
    receiver = Receiver()  # down at first
    queue_path = tmp_path / "incidents.db"

    def dispatcher() -> Dispatcher:
        sink = WebhookSink(WebhookConfig("hook", receiver.url, SECRET))
        return Dispatcher(DeliveryQueue(queue_path), [sink])

    first = dispatcher()
    first.start()
    for n in range(5):
        first.submit(incident(n))
    await first.flush_pending()
    await asyncio.sleep(0.5)  # a few failed attempts against the closed port
    await first.stop()  # the proxy restarts while the receiver is still down
    first.queue.close()
    assert receiver.received == []

    receiver.up()
    try:
        second = dispatcher()
        second.start()
        second.submit(incident(5))
        await _until(lambda: len(receiver.received) >= 6)
        await asyncio.sleep(0.5)  # nothing more arrives
        await second.stop()
        second.queue.close()
    finally:
        receiver.down()
    refs = [json.loads(body)["reference"] for _, body in receiver.received]
    assert sorted(refs) == [f"AIP-TEST{n:06d}" for n in range(6)]  # each exactly once
    assert refs[:5] == [f"AIP-TEST{n:06d}" for n in range(5)]  # in order
    for headers, body in receiver.received:
        assert headers[SIGNATURE_HEADER] == sign(SECRET, headers[TIMESTAMP_HEADER], body)
        payload = json.loads(body)
        assert payload["severity"] == "high" and payload["findings"] == {
            "aws-access-key-id": 1}
        assert payload["text"].startswith("[high] block by rule secrets-block: user")


async def test_queue_is_bounded_and_drops_the_oldest(tmp_path):
    queue = DeliveryQueue(tmp_path / "q.db", max_items=3)
    dropped = [await queue.put(("hook",), {"n": n}) for n in range(5)]
    assert dropped == [0, 0, 0, 1, 1]
    assert [i.payload["n"] for i in await queue.due("hook")] == [2, 3, 4]
    assert await queue.depth() == {"hook": 3}
    queue.close()


async def test_min_severity_filters_sinks(tmp_path):
    receiver = Receiver()
    receiver.up()
    try:
        sink = WebhookSink(WebhookConfig("hook", receiver.url, SECRET,
                                         min_severity=Severity.HIGH))
        d = Dispatcher(DeliveryQueue(tmp_path / "q.db"), [sink])
        d.start()
        d.submit(incident(1, Severity.MEDIUM))
        d.submit(incident(2, Severity.CRITICAL))
        await _until(lambda: len(receiver.received) == 1)
        await asyncio.sleep(0.3)
        await d.stop()
        d.queue.close()
    finally:
        receiver.down()
    assert json.loads(receiver.received[0][1])["reference"] == "AIP-TEST000002"


def test_backoff_grows_and_is_capped():
    assert 0.8 <= backoff(0) <= 1.2 and 6.4 <= backoff(3) <= 9.6
    assert backoff(30) <= 720


RFC5424 = re.compile(
    r'^<(\d{1,3})>1 (\S+) (\S+) aipolicy - incident \[aipolicy@32473 ((?:[^\]\\]|\\.)*)\] '
    r'(\{.*\})$')


def test_rfc5424_format():
    payload = incident(7).as_dict()
    payload["rule"] = 'weird "rule" ]x'
    m = RFC5424.match(rfc5424(payload, "local4", "aipolicy", hostname="proxy 1").decode())
    assert m, "not RFC 5424"
    assert int(m.group(1)) == 20 * 8 + 3  # local4, err
    when = dt.datetime.fromtimestamp(1_790_000_007, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert m.group(2) == when + ".000Z" and m.group(3) == "proxy1"
    assert 'rule="weird \\"rule\\" \\]x"' in m.group(4)
    assert json.loads(m.group(5))["reference"] == "AIP-TEST000007"


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


async def _stream_listener(context: ssl.SSLContext | None):
    frames: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                length = await reader.readuntil(b" ")
                frames.append(await reader.readexactly(int(length[:-1])))
            except (asyncio.IncompleteReadError, ConnectionError):
                break
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    return server, server.sockets[0].getsockname()[1], frames


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
async def test_syslog_transports(tmp_path, transport):
    cert, key = _self_signed(tmp_path)
    if transport == "udp":
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        port = sock.getsockname()[1]
    else:
        context = None
        if transport == "tls":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
        server, port, frames = await _stream_listener(context)
    sink = SyslogSink(SyslogConfig("siem", "127.0.0.1", port, transport,
                                   ca_file=str(cert) if transport == "tls" else None))
    d = Dispatcher(DeliveryQueue(tmp_path / "q.db"), [sink])
    d.start()
    d.submit(incident(1))
    d.submit(incident(2))
    if transport == "udp":
        got = [await asyncio.to_thread(sock.recv, 65535) for _ in range(2)]
        sock.close()
    else:
        await _until(lambda: len(frames) == 2)
        got = frames
    await d.stop()
    d.queue.close()
    if transport != "udp":
        server.close()
    refs = [json.loads(RFC5424.match(m.decode()).group(5))["reference"] for m in got]
    assert refs == ["AIP-TEST000001", "AIP-TEST000002"]


def test_incident_from_a_real_decision_holds_no_value():
    canary_key = "AKIAZ3MHQ7TXKRV4PWUN"
    canary_mail = "canary.person@corp-mail.com"
    pipe = Pipeline(load_ruleset(ROOT / "tests" / "fixtures" / "rulesets" / "e2e.yaml"))
    req = RequestInfo("POST", "https", "api.openai.com", 443, "/v1/chat/completions",
                      {"content-type": "application/json"},
                      ClientIdentity(ipaddress.ip_address("10.1.2.3"), "alice"))
    body = json.dumps({"model": "m", "messages": [
        {"role": "user", "content": f"key {canary_key} mail {canary_mail}"}]}).encode()
    verdict = pipe.evaluate(req, pipe.classify(req), body)
    inc = from_outcome(verdict.outcome, Severity.HIGH, "data", "e2e-1")
    text = json.dumps(inc.as_dict()) + inc.summary() + rfc5424(
        inc.as_dict(), "local4", "aipolicy").decode()
    assert canary_key not in text and canary_mail not in text and "canary" not in text
    assert inc.findings and inc.user == "alice" and inc.action == "block"
