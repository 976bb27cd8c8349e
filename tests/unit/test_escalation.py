"""Incident marks on rules, the severity a request's incident gets, the incidents section,
escalation counting, checking and release (SQLite and a real Redis), and the release
command."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aipolicy.audit import audit_record, escalation_record, release_record
from aipolicy.cli import main
from aipolicy.decide import highest_incident
from aipolicy.errors import ConfigError
from aipolicy.incidents.config import (
    EscalationSettings,
    SyslogConfig,
    Threshold,
    WebhookConfig,
)
from aipolicy.incidents.escalation import (
    Escalations,
    escalation_incident,
    normalise_who,
    who_of,
)
from aipolicy.incidents.model import Incident, Severity, from_outcome
from aipolicy.model import Action, ClientIdentity, IncidentMark, Mode, RequestInfo
from aipolicy.pipeline import ESCALATED, ESCALATION_UNCHECKED, Pipeline
from aipolicy.ruleset import load_ruleset
from aipolicy.state import StateStore, StoreError, open_store, parse_store_url
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "tests" / "fixtures" / "rulesets" / "e2e.yaml"
AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"  # synthetic, well-formed
MAIL = "canary.person@corp-mail.com"
SECRET_VALUE = "incident-webhook-signing-secret-0123"

ESCALATION = """
incidents:
  escalation:
    contact: security@example.test
    cache_seconds: 0
    thresholds:
      - id: repeated-secrets
        severity: high
        count: 3
        window: 1h
        block_for: 4h
        incident: critical
"""


def e2e_text() -> str:
    return E2E.read_text().replace("../../../rulesets/", f"{ROOT}/rulesets/")


def write_ruleset(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules" / "policy.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def marked(tmp_path_factory) -> Pipeline:
    """The e2e ruleset with code names only monitored but marked critical, personal data
    marked low, and a report-mode access rule marked medium."""
    text = e2e_text().replace(
        """    - id: codenames-block
      when: {finding: project-codenames}
      action: block
""", """    - id: codenames-block
      when: {finding: project-codenames}
      action: monitor
      incident: critical
""").replace("""      action: redact
      reason: Personal data was replaced with placeholders.
""", """      action: redact
      reason: Personal data was replaced with placeholders.
      incident: low
""").replace("""    - id: approved
      when: {status: tolerated}""", """    - id: unreviewed-report
      when: {app: mistral-api}
      action: block
      mode: report
      reason: Under review.
      incident: medium
    - id: approved
      when: {status: tolerated}""")
    return Pipeline(load_ruleset(write_ruleset(tmp_path_factory.mktemp("marked"), text)))


def request(host: str = "api.openai.com", user: str | None = "alice",
            address: str = "10.1.2.3", path: str = "/v1/chat/completions") -> RequestInfo:
    return RequestInfo("POST", "https", host, 443, path,
                       {"content-type": "application/json", "accept": "application/json"},
                       ClientIdentity(ipaddress.ip_address(address), user))


def chat(text: str) -> bytes:
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": text}]}).encode()


def evaluate(pipe: Pipeline, text: str, req: RequestInfo | None = None):
    req = req or request()
    return pipe.evaluate(req, pipe.classify(req), chat(text)).outcome


# ----------------------------------------------------------------------------- severity
def test_highest_severity_among_the_decisions_that_fired_wins(marked):
    out = evaluate(marked, f"key {AWS_KEY}, mail {MAIL}, about Project Nightjar")
    # the secret's block decides what happens; the code name's critical mark is the
    # incident, although its rule only monitors
    assert out.enforced is Action.BLOCK and out.decision.rule_id == "secrets-block"
    assert out.incident == IncidentMark(Severity.CRITICAL, "codenames-block", "data",
                                        Mode.ENFORCE)
    line = audit_record(out, marked.ruleset.policy)
    assert line["incident"] == {"severity": "critical", "rule": "codenames-block"}
    assert line["rule"] == "secrets-block"


def test_incident_marks_of_single_rules(marked):
    assert evaluate(marked, f"key {AWS_KEY}").incident.severity is Severity.HIGH
    redacted = evaluate(marked, f"mail {MAIL}")
    assert redacted.enforced is Action.REDACT and redacted.incident.rule_id == "pii-redact"
    assert evaluate(marked, "Write a haiku about spring.").incident is None
    banned = request(host="api.deepseek.com", path="/chat/completions")
    out = marked.evaluate(banned, marked.classify(banned)).outcome
    assert out.enforced is Action.BLOCK
    assert out.incident == IncidentMark(Severity.MEDIUM, "banned-apps", "access",
                                        Mode.ENFORCE)
    assert audit_record(out, marked.ruleset.policy)["incident"]["severity"] == "medium"


def test_access_incident_survives_a_content_decision_and_a_failure(marked):
    req = request(host="api.mistral.ai", path="/v1/chat/completions")
    app = marked.classify(req)
    out = marked.evaluate(req, app, chat(f"mail {MAIL}")).outcome
    # report-mode access block (medium) and an enforced redaction (low): the medium one
    assert out.enforced is Action.REDACT
    assert out.incident.rule_id == "unreviewed-report" and out.incident.mode is Mode.REPORT
    failed = marked.failure_verdict(req, app, "inspection exceeded its time budget").outcome
    assert failed.enforced is Action.BLOCK and failed.incident.rule_id == "unreviewed-report"
    inc = from_outcome(failed, "v1")
    assert inc is not None and inc.mode == "report" and inc.kind == "access"


def test_highest_incident_keeps_the_earlier_mark_on_a_tie():
    a = IncidentMark(Severity.HIGH, "a", "access", Mode.ENFORCE)
    b = IncidentMark(Severity.HIGH, "b", "data", Mode.ENFORCE)
    c = IncidentMark(Severity.LOW, "c", "data", Mode.ENFORCE)
    assert highest_incident(None, a, c, b) is a
    assert highest_incident(c, None) is c and highest_incident() is None


# ----------------------------------------------------------------------------- config
def _ca_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "siem test CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


SINKS = """
incidents:
  queue_limit: 500
  sinks:
    - id: soc
      type: webhook
      url: https://soc.example.test/hook
      secret_file: webhook.secret
      min_severity: medium
    - id: slack
      type: webhook
      url_env: AIPOLICY_TEST_SLACK_URL
      secret_env: AIPOLICY_TEST_WEBHOOK_SECRET
      ca_file: siem-ca.pem
      timeout_seconds: 2
    - id: siem
      type: syslog
      host: siem.example.test
      transport: tls
      ca_file: siem-ca.pem
      facility: local6
      min_severity: high
    - id: siem-udp
      type: syslog
      host: 127.0.0.1
  escalation:
    on_store_error: allow
    thresholds:
      - id: repeated-secrets
        severity: high
        count: 3
        window: 1h
        block_for: 4h
      - id: many-incidents
        severity: low
        count: 20
        window: 1d
        block_for: until_release
        incident: high
"""


def test_incidents_section_loads_secrets_from_env_and_files(tmp_path, monkeypatch):
    slack = "https://hooks.slack.example.test/services/T000/B000/XXXXSECRETPATH"
    monkeypatch.setenv("AIPOLICY_TEST_SLACK_URL", slack)
    monkeypatch.setenv("AIPOLICY_TEST_WEBHOOK_SECRET", SECRET_VALUE)
    path = write_ruleset(tmp_path, e2e_text() + SINKS)
    (path.parent / "webhook.secret").write_text("file-secret-0123456789abcdef\n")
    pem = _ca_pem()
    (path.parent / "siem-ca.pem").write_text(pem)
    rs = load_ruleset(path)
    soc, slack_sink, siem, udp = rs.incidents.sinks
    assert isinstance(soc, WebhookConfig) and soc.secret == b"file-secret-0123456789abcdef"
    assert soc.min_severity is Severity.MEDIUM and soc.ca_pem is None
    assert slack_sink.url == slack and slack_sink.secret == SECRET_VALUE.encode()
    assert slack_sink.ca_pem == pem and slack_sink.timeout == 2
    assert isinstance(siem, SyslogConfig) and (siem.port, siem.transport) == (6514, "tls")
    assert siem.facility == "local6" and siem.ca_pem == pem
    assert (udp.port, udp.transport, udp.facility) == (514, "udp", "local4")
    assert rs.incidents.queue_limit == 500
    esc = rs.incidents.escalation
    assert esc.on_store_error is Action.ALLOW and esc.cache_seconds == 2.0
    assert esc.thresholds == (
        Threshold("repeated-secrets", Severity.HIGH, 3, 3600.0, 14400.0, Severity.HIGH),
        Threshold("many-incidents", Severity.LOW, 20, 86400.0, None, Severity.HIGH))
    # neither the secrets nor a URL that is one appear in what could be logged
    shown = repr(rs.incidents) + str(rs.incidents.sinks)
    assert SECRET_VALUE not in shown and "file-secret" not in shown and "XXXXSECRET" not in shown
    # the secret file and the CA are part of the ruleset's snapshot: a scan worker loads
    # the same ruleset from it without opening a file, and an edit is a reload
    assert {p.name for p in rs.sources.paths} >= {"webhook.secret", "siem-ca.pem"}
    (path.parent / "webhook.secret").unlink()
    again = load_ruleset(path, sources=rs.sources)
    assert again.incidents == rs.incidents


def test_an_unset_secret_is_reported_without_any_value(tmp_path, monkeypatch):
    monkeypatch.setenv("AIPOLICY_TEST_SLACK_URL", "ftp://hooks.example.test/T0/XXXXSECRET")
    monkeypatch.delenv("AIPOLICY_TEST_WEBHOOK_SECRET", raising=False)
    path = write_ruleset(tmp_path, e2e_text() + SINKS)
    (path.parent / "webhook.secret").write_text("short\n")
    with pytest.raises(ConfigError) as info:
        load_ruleset(path)
    text = str(info.value)
    assert "incidents.sinks[1].secret_env: environment variable AIPOLICY_TEST_WEBHOOK_SECRET" \
           " is not set" in text
    assert "incidents.sinks[1].url_env: is not an http(s) URL" in text
    assert "incidents.sinks[0].secret_file: the signing secret must be at least 16" in text
    assert "siem-ca.pem" in text  # the CA file is missing too: every problem at once
    assert "XXXXSECRET" not in text and "short" not in text


def test_without_a_section_incidents_are_marked_but_go_nowhere():
    rs = load_ruleset(E2E)
    assert rs.incidents.sinks == () and rs.incidents.escalation is None
    assert [r.incident for r in rs.rules] == [Severity.MEDIUM, None, None]


# ----------------------------------------------------------------------------- escalation
SETTINGS = EscalationSettings((
    Threshold("repeated-secrets", Severity.HIGH, 3, 3600.0, 4 * 3600.0, Severity.CRITICAL),
    Threshold("many", Severity.LOW, 5, 86400.0, None, Severity.HIGH),
), contact="security@example.test", cache_seconds=0)


def incident(n: int, severity: Severity = Severity.HIGH, user: str = "alice") -> Incident:
    return Incident(kind="data", severity=severity, time=1_790_000_000.0 + n,
                    reference=f"AIP-T{n:08d}", rule="secrets-block", user=user,
                    client="10.0.0.5", app="openai-api", app_name="OpenAI API",
                    action="block", mode="enforce", findings=(("aws-access-key-id", 1),),
                    policy_version="v1")


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


def _open(kind: str, tmp_path: Path, request) -> StateStore:
    if kind == "sqlite":
        return open_store(parse_store_url("sqlite", tmp_path))
    url = parse_store_url(request.getfixturevalue("redis_server").url, tmp_path)
    return open_store(url, prefix=f"t{time.monotonic_ns()}")


@pytest.fixture(params=["sqlite", "redis"])
async def store(request, tmp_path):
    s = _open(request.param, tmp_path, request)
    yield s
    await s.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_the_nth_incident_escalates_once_and_blocks(store):
    clock = Clock()
    esc = Escalations(lambda: store, clock=clock)
    assert await esc.count(incident(1), "alice", SETTINGS) is None
    assert await esc.count(incident(2, Severity.MEDIUM), "alice", SETTINGS) is None  # not high
    assert await esc.count(incident(3), "alice", SETTINGS) is None
    assert (await esc.check("alice", SETTINGS)).escalation is None
    found = await esc.count(incident(4), "alice", SETTINGS)  # the third high one
    assert found is not None and found.threshold == "repeated-secrets"
    assert found.until == clock.now + 4 * 3600 and found.count == 3
    check = await esc.check("alice", SETTINGS)
    assert check.escalation == found and not check.failed
    assert (await esc.check("bob", SETTINGS)).escalation is None
    # a second proxy on the same store sees it, and the counters start afresh
    other = Escalations(lambda: store, clock=clock)
    assert (await other.check("alice", SETTINGS)).escalation == found
    assert await esc.count(incident(5), "alice", SETTINGS) is None
    # the block ends by itself
    clock.now += 4 * 3600 + 1
    assert (await other.check("alice", SETTINGS)).escalation is None
    assert [e.who for e in await other.escalated()] == []


async def test_until_release_and_release_lifts_it(store):
    esc = Escalations(lambda: store)
    for n in range(4):
        assert await esc.count(incident(n, Severity.LOW), "bob", SETTINGS) is None
    assert await esc.count(incident(10), "bob", SETTINGS) is not None  # the 5th of any
    found = await Escalations(lambda: store).check("bob", SETTINGS)
    assert found.escalation is not None and found.escalation.threshold == "many"
    assert found.escalation.until is None  # until released
    released = await esc.release("bob", SETTINGS.thresholds)
    assert released == found.escalation
    assert (await esc.check("bob", SETTINGS)).escalation is None
    assert await esc.release("bob", SETTINGS.thresholds) is None
    # release clears the counters too: two high incidents before and two after it are
    # not three within the window
    await esc.count(incident(20), "bob", SETTINGS)
    await esc.count(incident(21), "bob", SETTINGS)
    await esc.release("bob", SETTINGS.thresholds)
    assert await esc.count(incident(22), "bob", SETTINGS) is None
    assert await esc.count(incident(23), "bob", SETTINGS) is None


async def test_two_thresholds_reached_by_one_incident_block_for_the_longest(store):
    settings = EscalationSettings((
        Threshold("short", Severity.HIGH, 2, 3600.0, 60.0, Severity.HIGH),
        Threshold("forever", Severity.HIGH, 2, 3600.0, None, Severity.CRITICAL),
        Threshold("medium", Severity.HIGH, 2, 3600.0, 600.0, Severity.HIGH),
    ), cache_seconds=0)
    esc = Escalations(lambda: store)
    assert await esc.count(incident(1), "carol", settings) is None
    found = await esc.count(incident(2), "carol", settings)
    assert found.threshold == "forever" and found.until is None


async def test_cache_and_release_from_another_process(store):
    cached = EscalationSettings(SETTINGS.thresholds, cache_seconds=60)
    proxy = Escalations(lambda: store)
    for n in range(3):
        found = await proxy.count(incident(n), "dave", cached)
    assert found is not None
    assert (await proxy.check("dave", cached)).escalation == found
    # `aipolicy release` runs elsewhere; this proxy trusts its cache for cache_seconds
    await Escalations(lambda: store).release("dave", cached.thresholds)
    assert (await proxy.check("dave", cached)).escalation == found
    assert (await proxy.check("dave", SETTINGS)).escalation is None  # cache_seconds 0


class FailingStore:
    """A store that cannot be reached."""

    def __getattr__(self, name):
        async def fail(*args, **kwargs):
            raise StoreError("the Redis state store failed")
        return fail


async def test_a_store_failure_never_lets_a_known_escalation_through(store):
    broken = False
    errors = []
    proxy = Escalations(lambda: FailingStore() if broken else store,
                        on_store_error=lambda: errors.append(1))
    for n in range(3):
        await proxy.count(incident(n), "erin", SETTINGS)
    broken = True
    check = await proxy.check("erin", SETTINGS)
    assert check.escalation is not None and check.escalation.who == "erin"
    unknown = await proxy.check("frank", SETTINGS)  # never read: cannot tell
    assert unknown.failed and unknown.escalation is None
    assert len(errors) == 2
    with pytest.raises(StoreError):
        await proxy.count(incident(9), "frank", SETTINGS)
    not_open = await Escalations(lambda: None).check("frank", SETTINGS)
    assert not_open.failed


async def test_concurrent_checks_share_one_read(tmp_path):
    store = open_store(parse_store_url("sqlite", tmp_path))
    reads = 0
    original = store.get

    async def counting(ns, key):
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.05)
        return await original(ns, key)

    store.get = counting
    proxy = Escalations(lambda: store)
    results = await asyncio.gather(*(proxy.check("gina", SETTINGS) for _ in range(20)))
    assert reads == 1 and all(r.escalation is None and not r.failed for r in results)
    await store.close()


async def test_replicas_on_one_redis_escalate_exactly_once(redis_server, tmp_path):
    url = parse_store_url(redis_server.url, tmp_path)
    prefix = f"t{time.monotonic_ns()}"
    a, b = open_store(url, prefix=prefix), open_store(url, prefix=prefix)
    ea, eb = Escalations(lambda: a), Escalations(lambda: b)
    settings = EscalationSettings((Threshold("t", Severity.HIGH, 10, 3600.0, 600.0,
                                             Severity.HIGH),), cache_seconds=0)
    results = await asyncio.gather(*(
        (ea if n % 2 else eb).count(incident(n), "hank", settings) for n in range(14)))
    assert len([r for r in results if r is not None]) == 1
    assert (await eb.check("hank", settings)).escalation is not None
    assert (await ea.check("hank", settings)).escalation is not None
    await a.close()
    await b.close()


def test_who_is_the_user_else_the_address():
    assert who_of(ClientIdentity(ipaddress.ip_address("10.0.0.1"), "alice")) == "alice"
    assert who_of(ClientIdentity(ipaddress.ip_address("::ffff:10.0.0.1"))) == "10.0.0.1"
    assert who_of(ClientIdentity(ipaddress.ip_address("fd00::1"))) == "fd00::1"
    assert who_of(ClientIdentity(None)) is None
    assert normalise_who("::ffff:127.0.0.1") == "127.0.0.1" and normalise_who("bob") == "bob"


# ----------------------------------------------------------------------------- notices
async def test_escalated_and_unchecked_notices(marked, tmp_path):
    store = open_store(parse_store_url("sqlite", tmp_path))
    esc = Escalations(lambda: store)
    for n in range(3):
        found = await esc.count(incident(n), "alice", SETTINGS)
    await store.close()
    req = request(host="api.anthropic.com", path="/v1/messages")
    verdict = marked.escalated(req, marked.classify(req), found)
    out = verdict.outcome
    assert out.enforced is Action.BLOCK and out.decision.rule_id == ESCALATED
    assert out.incident is None  # the block is not an incident again
    message = json.loads(verdict.notice.body)["error"]["message"]
    assert "suspended until" in message and found.reference in message
    assert "3 incidents of high severity or more within 1 h" in message
    assert "ai-policy@example.test" in message  # no contact in the settings: the policy's
    assert verdict.notice.status == 403
    unchecked = marked.escalation_unchecked(req, marked.classify(req))
    assert unchecked.outcome.decision.rule_id == ESCALATION_UNCHECKED
    assert "cannot check" in json.loads(unchecked.notice.body)["error"]["message"]
    # a browser page load gets the HTML page with the same reason
    page = marked.escalated(
        RequestInfo("GET", "https", "chatgpt.com", 443, "/", {"accept": "text/html"},
                    ClientIdentity(ipaddress.ip_address("10.0.0.5"), "alice")),
        marked.classify(request(host="chatgpt.com", path="/")), found)
    assert page.notice.format == "html" and b"suspended until" in page.notice.body


async def test_escalation_incident_and_audit_lines(tmp_path):
    store = open_store(parse_store_url("sqlite", tmp_path))
    esc = Escalations(lambda: store)
    for n in range(3):
        found = await esc.count(incident(n), "alice", SETTINGS)
    await store.close()
    trigger = incident(2)
    inc = escalation_incident(found, trigger, Severity.CRITICAL)
    assert inc.kind == "escalation" and inc.severity is Severity.CRITICAL
    assert inc.reference == found.reference and inc.until == found.until
    assert inc.summary().startswith("[critical] alice is blocked from all AI services until ")
    line = escalation_record(found, inc)
    assert line["event"] == "escalation" and line["trigger"] == trigger.reference
    assert line["incident"] == {"severity": "critical", "rule": "repeated-secrets"}
    assert line["until"].endswith("Z") and line["user"] == "alice"
    release = release_record(found, "alice", "ops", found.since + 5)
    assert release["event"] == "escalation-release" and release["user"] == "alice"
    assert release["reference"] == found.reference and release["released"] is True
    by_address = release_record(None, "10.0.0.5", None, found.since)
    assert by_address["client"] == "10.0.0.5" and by_address["user"] is None


# ----------------------------------------------------------------------------- CLI
async def _escalate(data_dir: Path, who: str) -> None:
    store = open_store(parse_store_url("sqlite", data_dir))
    try:
        for n in range(3):
            await Escalations(lambda: store).count(incident(n, user=who), who, SETTINGS)
    finally:
        await store.close()


def test_release_command(tmp_path, capsys):
    data = tmp_path / "data"
    path = write_ruleset(tmp_path, e2e_text() + ESCALATION)
    audit = tmp_path / "audit.log"
    assert main(["release", "alice", "--data-dir", str(data)]) == 1  # no store yet
    asyncio.run(_escalate(data, "alice"))
    asyncio.run(_escalate(data, "10.0.0.9"))
    assert main(["escalations", "--data-dir", str(data)]) == 0
    listed = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert sorted(x["who"] for x in listed) == ["10.0.0.9", "alice"]
    assert main(["release", "alice", "--data-dir", str(data), "--ruleset", str(path),
                 "--audit-log", str(audit)]) == 0
    assert "released alice" in capsys.readouterr().err
    assert main(["release", "::ffff:10.0.0.9", "--data-dir", str(data), "--ruleset",
                 str(path), "--audit-log", str(audit)]) == 0
    assert main(["release", "alice", "--data-dir", str(data), "--ruleset", str(path),
                 "--audit-log", str(audit)]) == 1  # nothing left to release
    lines = [json.loads(x) for x in audit.read_text().splitlines()]
    assert [(x["event"], x["user"] or x["client"], x["released"]) for x in lines] == [
        ("escalation-release", "alice", True), ("escalation-release", "10.0.0.9", True),
        ("escalation-release", "alice", False)]
    assert main(["escalations", "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out == ""
    assert main(["release", "x", "--store", "mysql://db", "--data-dir", str(data)]) == 1
