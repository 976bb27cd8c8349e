"""Incidents and escalation through the real proxy.

A lean ruleset (secrets and e-mail addresses only: no NER model, so proxies start in
seconds) with a signed webhook, syslog over TCP and an escalation threshold of three
high incidents. One client (127.0.0.1) sends canary secrets and e-mail addresses:

* the webhook receiver is down while the first proxy runs, the proxy is restarted with
  the same data directory, the receiver comes up: every incident arrives exactly once,
  signed, and no canary value is in any payload, syslog message, audit line or log;
* the third high incident (after the restart: the counters live in the state store)
  blocks the client on every AI app with the escalation notice; ``aipolicy release``
  lifts it;
* two proxies sharing one Redis count together and honour the same escalation.
"""

from __future__ import annotations

import json
import socketserver
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2 as httpx
import pytest

from aipolicy.incidents.sinks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests.redis_server import RedisServer

from .proxy_harness import ROOT, VENV_BIN, RunningProxy, free_port, start_proxy

SECRET = "e2e-incident-webhook-signing-secret"
CANARY_KEYS = ["AKIAZ3MHQ7TXKRV4PWUN", "AKIAQ7RWX2MZ4KPLT6VN", "AKIAV5NZK3QJ7WXMR2TP"]
CANARY_MAIL = "canary.person@corp-mail.com"
CANARIES = [*CANARY_KEYS, CANARY_MAIL, "canary.person"]

RULESET = """
policy:
  name: Incident Test Policy
  version: "inc-1"
  owner: Test
  contact: ai-policy@example.test
  url: https://intranet.example.test/ai-policy
  effective: "2026-01-01"
  next_review: "2027-01-01"
mode: enforce
catalog: {root}/rulesets/catalog.yaml
identity:
  groups: []
apps:
  default_status: unsanctioned
  tolerated: [openai-api, anthropic-api]
  banned: [deepseek-api]
access:
  rules:
    - id: banned-apps
      when: {{status: banned}}
      action: block
      reason: DeepSeek is banned by company policy.
      incident: medium
    - id: approved
      when: {{status: tolerated}}
      action: allow
      reason: Approved.
  default:
    action: monitor
    reason: Not reviewed yet.
inspection:
  pii:
    patterns: {root}/rulesets/pii.yaml
    person: "off"
    entities:
      EMAIL_ADDRESS: {{label: e-mail address}}
  secrets:
    rules: {root}/rulesets/secrets.yaml
  rules:
    - id: secrets-block
      when: {{finding: secret}}
      action: block
      reason: Credentials must never be sent to AI services.
      incident: high
    - id: pii-redact
      when: {{finding: pii}}
      action: redact
      reason: Personal data was replaced with placeholders.
  default:
    action: monitor
    reason: Recorded.
incidents:
  sinks:
    - id: soc
      type: webhook
      url: http://127.0.0.1:{hook_port}/hook
      secret_env: AIPOLICY_E2E_WEBHOOK_SECRET
    - id: siem
      type: syslog
      host: 127.0.0.1
      port: {syslog_port}
      transport: tcp
  escalation:
    contact: security@example.test
    cache_seconds: 1
    thresholds:
      - id: repeated-secrets
        severity: high
        count: 3
        window: 1h
        block_for: 2h
        incident: critical
"""


class Receiver:
    """A webhook receiver that is down until ``up()``, on a port fixed beforehand."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.server: ThreadingHTTPServer | None = None

    def up(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                return

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def payloads(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]


class SyslogListener:
    """RFC 6587 octet-counted syslog over TCP."""

    def __init__(self) -> None:
        frames: list[bytes] = []
        self.frames = frames

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                while True:
                    length = b""
                    while not length.endswith(b" "):
                        ch = self.rfile.read(1)
                        if not ch:
                            return
                        length += ch
                    frames.append(self.rfile.read(int(length)))

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_until(predicate, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def client(proxy: RunningProxy) -> httpx.Client:
    return httpx.Client(proxy=proxy.url, timeout=60,
                        verify=ssl.create_default_context(cafile=str(proxy.ca_cert)))


def ask_openai(proxy: RunningProxy, text: str) -> httpx.Response:
    with client(proxy) as c:
        return c.post("https://api.openai.com/v1/chat/completions",
                      json={"model": "gpt-4o-mini",
                            "messages": [{"role": "user", "content": text}]},
                      headers={"authorization": "Bearer sk-test"})


def ask_anthropic(proxy: RunningProxy) -> httpx.Response:
    with client(proxy) as c:
        return c.post("https://api.anthropic.com/v1/messages",
                      json={"model": "claude-x", "max_tokens": 50,
                            "messages": [{"role": "user", "content": "Write a haiku."}]},
                      headers={"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"})


def secret_prompt(n: int) -> str:
    return (f"Why does this fail? aws_access_key_id = {CANARY_KEYS[n]} and mail "
            f"{CANARY_MAIL} the result")


def release(who: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "aipolicy"), "release", who, *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.fixture
def sinks():
    receiver, syslog = Receiver(), SyslogListener()
    yield receiver, syslog
    receiver.down()
    syslog.stop()


def write_rules(tmp_path: Path, receiver: Receiver, syslog: SyslogListener) -> Path:
    path = tmp_path / "incidents.yaml"
    path.write_text(RULESET.format(root=ROOT, hook_port=receiver.port,
                                   syslog_port=syslog.port))
    return path


def test_outage_restart_escalation_and_release(tmp_path, standin, standin_pki, sinks,
                                               monkeypatch):
    receiver, syslog = sinks
    monkeypatch.setenv("AIPOLICY_E2E_WEBHOOK_SECRET", SECRET)  # inherited by the proxies
    rules = write_rules(tmp_path, receiver, syslog)
    data = tmp_path / "data"
    extra = ["--set", f"aipolicy_data_dir={data}", "--set", "aipolicy_scan_workers=0"]
    proxies: list[RunningProxy] = []
    try:
        first = start_proxy(tmp_path / "run1", rules, standin.port, standin_pki.ca_cert,
                            extra_args=extra)
        proxies.append(first)
        assert ask_openai(first, secret_prompt(0)).status_code == 403
        with client(first) as c:
            assert c.get("https://api.deepseek.com/v1/models").status_code == 403
        assert ask_openai(first, secret_prompt(1)).status_code == 403
        wait_until(lambda: len(syslog.frames) == 3, what="three syslog messages")
        wait_until(lambda: first.metric_value(
            'aipolicy_incident_deliveries_total{result="failed",sink="soc"}') >= 1,
            what="a failed webhook delivery")
        assert first.metric_value('aipolicy_incident_queue_depth{sink="soc"}') == 3
        first.stop()  # restarted while the receiver is down: nothing may be lost
        assert first.process.returncode == 0, first.stderr()[-2000:]
        assert receiver.received == []

        receiver.up()
        second = start_proxy(tmp_path / "run2", rules, standin.port, standin_pki.ca_cert,
                             extra_args=extra)
        proxies.append(second)
        wait_until(lambda: len(receiver.received) == 3, what="the queued incidents")
        # the third secret after the restart: the counters live in the state store
        answer = ask_openai(second, secret_prompt(2))
        assert answer.status_code == 403
        assert "Credentials must never be sent" in answer.json()["error"]["message"]
        wait_until(lambda: len(receiver.received) == 5, what="incident and escalation")

        # the next request to any AI app, another one here, meets the escalation
        blocked = ask_anthropic(second)
        assert blocked.status_code == 403
        message = blocked.json()["error"]["message"]
        assert "suspended until" in message and "security@example.test" in message
        escalation = next(p for p in receiver.payloads() if p["kind"] == "escalation")
        assert escalation["reference"] in message

        done = release("127.0.0.1", "--data-dir", str(data), "--ruleset", str(rules),
                       "--audit-log", str(second.audit_path))
        assert done.returncode == 0, done.stderr
        wait_until(lambda: ask_anthropic(second).status_code == 200, timeout=30,
                   what="the release to take effect")
        second.stop()
        assert second.process.returncode == 0, second.stderr()[-2000:]
    finally:
        for proxy in proxies:
            proxy.stop()

    # every incident exactly once, in order, signed
    payloads = receiver.payloads()
    assert len({p["reference"] for p in payloads}) == len(payloads) == 5
    assert [(p["kind"], p["severity"], p["rule"]) for p in payloads] == [
        ("data", "high", "secrets-block"), ("access", "medium", "banned-apps"),
        ("data", "high", "secrets-block"), ("data", "high", "secrets-block"),
        ("escalation", "critical", "repeated-secrets")]
    for headers, body in receiver.received:
        assert headers[SIGNATURE_HEADER] == sign(SECRET.encode(), headers[TIMESTAMP_HEADER],
                                                 body)
    assert payloads[0]["findings"] == {"aws-access-key-id": 1, "EMAIL_ADDRESS": 1}
    assert payloads[0]["client"] == "127.0.0.1" and payloads[0]["action"] == "block"
    assert payloads[4]["until"] and payloads[4]["trigger"] == payloads[3]["reference"]
    assert all(p["text"].startswith(f"[{p['severity']}]") for p in payloads)

    # syslog got the same five, once each
    refs = [json.loads(f.decode().split("] ", 1)[1])["reference"] for f in syslog.frames]
    assert sorted(refs) == sorted(p["reference"] for p in payloads)

    # the audit trail: request lines with incidents, the escalation and its release
    lines = [*proxies[0].audit(), *proxies[1].audit()]
    assert sum(1 for x in lines if x.get("incident")) >= 4
    events = [x["event"] for x in lines if "event" in x]
    assert events == ["escalation", "escalation-release"]
    assert any(x.get("rule") == "escalated" for x in lines)

    # canaries: in no payload, syslog message, audit line or log
    everything = "\n".join([
        *(body.decode() for _, body in receiver.received),
        *(f.decode() for f in syslog.frames),
        *(p.audit_path.read_text() for p in proxies),
        *(p.stderr() for p in proxies), done.stdout, done.stderr])
    for canary in CANARIES:
        assert canary not in everything, canary
    assert SECRET not in everything


def test_two_proxies_share_one_escalation_in_redis(tmp_path, standin, standin_pki, sinks,
                                                   monkeypatch):
    receiver, syslog = sinks
    monkeypatch.setenv("AIPOLICY_E2E_WEBHOOK_SECRET", SECRET)
    receiver.up()
    rules = write_rules(tmp_path, receiver, syslog)
    redis = RedisServer(tmp_path / "redis")
    proxies: list[RunningProxy] = []
    try:
        for name in ("a", "b"):
            proxies.append(start_proxy(
                tmp_path / name, rules, standin.port, standin_pki.ca_cert,
                extra_args=["--set", f"aipolicy_data_dir={tmp_path / name / 'data'}",
                            "--set", f"aipolicy_store={redis.url}",
                            "--set", "aipolicy_scan_workers=0"]))
        a, b = proxies
        # three high incidents, counted together across the replicas
        for n, proxy in enumerate((a, b, a)):
            assert ask_openai(proxy, secret_prompt(n)).status_code == 403
        answer = ask_anthropic(a)  # the replica that escalated knows at once
        assert answer.status_code == 403
        assert "suspended until" in answer.json()["error"]["message"]
        # the other one within its cache_seconds (1 s: it read "not escalated" just now)
        wait_until(lambda: ask_anthropic(b).status_code == 403, timeout=30,
                   what="the escalation on the other replica")
        assert "suspended until" in ask_anthropic(b).json()["error"]["message"]
        listed = subprocess.run([str(VENV_BIN / "aipolicy"), "escalations", "--store",
                                 redis.url], capture_output=True, text=True, timeout=60)
        assert [json.loads(x)["who"] for x in listed.stdout.splitlines()] == ["127.0.0.1"]
        done = release("127.0.0.1", "--store", redis.url, "--ruleset", str(rules))
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["event"] == "escalation-release"  # audit line
        for proxy in (a, b):
            wait_until(lambda p=proxy: ask_anthropic(p).status_code == 200, timeout=30,
                       what="the release on every replica")
        wait_until(lambda: sum(p["kind"] == "escalation" for p in receiver.payloads()) == 1,
                   what="one escalation incident")
    finally:
        for proxy in proxies:
            proxy.stop()
        redis.stop()
    assert sum(p["kind"] == "escalation" for p in receiver.payloads()) == 1

