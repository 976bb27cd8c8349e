"""The scan service through the real proxy (two worker processes, the NER model, real TLS):
a scan past its budget, a worker killed mid-load and a reload under load each leave
every other request answered correctly, with one audit line each.

The ruleset's budget (2 s) is shorter than a worker's model load, and ``person: all``
makes a 1 MB prompt take far longer than the budget.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import ssl
import threading
import time
import urllib.request
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.inputs import texts  # seeded prose, the bench's own generator

from .proxy_harness import ROOT, RunningProxy, start_proxy

E2E = ROOT / "tests" / "fixtures" / "rulesets" / "e2e.yaml"
AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"  # synthetic, well-formed
TIMEOUT_REASON = "inspection exceeded its time budget"
CRASH_REASON = "the scanner failed"
SECRET_REASON = "Credentials must never be sent to AI services."


def ruleset_text(version: str, codenames: str, person: str = "all") -> str:
    return (E2E.read_text().replace("../../../rulesets/", f"{ROOT}/rulesets/")
            .replace('version: "e2e-1"', f'version: "{version}"')
            .replace("person: contextual", f"person: '{person}'")
            .replace("limits: {max_body_bytes: 1048576, timeout_seconds: 20}",
                     "limits: {max_body_bytes: 4194304, timeout_seconds: 2, queue_seconds: 60}")
            .replace("action: block\n      reason: Unreleased",
                     f"action: {codenames}\n      reason: Unreleased"))


@pytest.fixture(scope="module")
def scanning(tmp_path_factory, standin, standin_pki):
    work = tmp_path_factory.mktemp("scan-e2e")
    ruleset = work / "rules" / "policy.yaml"
    ruleset.parent.mkdir()
    ruleset.write_text(ruleset_text("scan-a", "block"))
    proxy = start_proxy(work / "run", ruleset, standin.port, standin_pki.ca_cert, timeout=300,
                        extra_args=["--set", "aipolicy_scan_workers=2",
                                    "--set", "aipolicy_reload_interval=1"])
    proxy.extra["ruleset"] = ruleset
    yield proxy
    proxy.stop()


# ----------------------------------------------------------------------------- helpers
def source(worker: int, index: int, group: int) -> str:
    """A loopback client address whose bodies the proxy sends to scan worker ``worker``."""
    found = 0
    for host in range(1, 255):
        address = f"127.{group}.{worker}.{host}"
        if zlib.crc32(address.encode()) % 2 == worker:
            if found == index:
                return address
            found += 1
    raise AssertionError("no such address")


def post(proxy: RunningProxy, client: str, text: str) -> tuple[int, dict[str, str], bytes]:
    """One chat request from ``client`` through the proxy; a hang fails the test."""
    context = ssl.create_default_context(cafile=str(proxy.ca_cert))
    conn = http.client.HTTPSConnection("127.0.0.1", proxy.port, context=context, timeout=120,
                                       source_address=(client, 0))
    conn.set_tunnel("api.openai.com", 443)
    body = json.dumps({"model": "gpt-4o-mini",
                       "messages": [{"role": "user", "content": text}]}).encode()
    try:
        conn.request("POST", "/v1/chat/completions", body,
                     {"Content-Type": "application/json", "Accept": "application/json",
                      "Authorization": "Bearer sk-test"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, \
            response.read()
    finally:
        conn.close()


def secret(i: int) -> str:
    return f"Why does this fail ({i})?\naws_access_key_id = {AWS_KEY}"


def clean(i: int) -> str:
    return f"please summarise memo-{i}-end in two lines"


def check_answer(status: int, reply: bytes, text: str, standin) -> str | None:
    """What is wrong with the answer to ``text`` (None: blocked or forwarded as it must)."""
    if AWS_KEY in text:
        return None if status == 403 and SECRET_REASON.encode() in reply else "not blocked"
    marker = text.split()[2]
    forwarded = any(marker.encode() in r.body for r in standin.requests.for_host(
        "api.openai.com"))
    return None if status == 200 and forwarded else f"status {status}, forwarded {forwarded}"


def audit_for(proxy: RunningProxy, clients: set[str], timeout: float = 30.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        lines = [r for r in proxy.audit() if r.get("client") in clients]
        if {r["client"] for r in lines} == clients or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def ready_workers(proxy: RunningProxy) -> float:
    return proxy.metric_value("aipolicy_scan_workers_ready")


def wait_for(predicate, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.2)


def worker_pids(proxy: RunningProxy) -> dict[int, int]:
    """Slot -> pid of the newest ready worker of each slot, from the proxy's log."""
    found = re.findall(r"scan worker (\d+) ready \(pid (\d+),", proxy.stderr())
    return {int(slot): int(pid) for slot, pid in found}


def restarts(proxy: RunningProxy, reason: str) -> float:
    return proxy.metric_value(f'aipolicy_scan_worker_restarts_total{{reason="{reason}"}}')


# ------------------------------------------------------------------------------- tests
def test_a_scan_past_its_budget_fails_alone(scanning, standin_clean):
    slow_client = source(0, 0, 11)
    prompt = texts(7, "mixed", 1_000_000, 1)[0]
    with ThreadPoolExecutor(16) as pool:
        slow = pool.submit(post, scanning, slow_client, prompt)
        time.sleep(0.5)  # its scan has started; the others arrive behind it
        clients = [source(w, i, 12) for i in range(12) for w in (0, 1)]
        prompts = [secret(i) if i % 2 else clean(i) for i in range(len(clients))]
        answers = list(pool.map(post, [scanning] * len(clients), clients, prompts))
        status, _, reply = slow.result()
    assert status == 403 and TIMEOUT_REASON.encode() in reply
    wrong = [(c, check_answer(s, r, p, standin_clean))
             for c, p, (s, _, r) in zip(clients, prompts, answers, strict=True)]
    assert [w for w in wrong if w[1]] == []
    lines = audit_for(scanning, {slow_client, *clients})
    assert sorted(r["client"] for r in lines) == sorted([slow_client, *clients])
    assert [r.get("failure") for r in lines if r["client"] == slow_client] == [TIMEOUT_REASON]
    assert not any(r.get("failure") for r in lines if r["client"] != slow_client)
    wait_for(lambda: restarts(scanning, "timeout") == 1)


def test_a_worker_killed_mid_load_and_its_replacement(scanning, standin_clean):
    wait_for(lambda: ready_workers(scanning) == 2)
    crashes = restarts(scanning, "crash")
    victim = worker_pids(scanning)[0]
    clients = [source(w, i, 21) for i in range(15) for w in (0, 1)]
    prompts = [secret(i) if i % 2 else clean(100 + i) for i in range(len(clients))]

    def kill_soon() -> None:
        time.sleep(0.3)
        os.kill(victim, signal.SIGKILL)

    killer = threading.Thread(target=kill_soon)
    killer.start()
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(post, [scanning] * len(clients), clients, prompts))
    killer.join()
    failed = [c for c, (_, _, r) in zip(clients, answers, strict=True)
              if CRASH_REASON.encode() in r]
    assert len(failed) <= 1  # the one being scanned when the worker died, if any
    wrong = [(c, check_answer(s, r, p, standin_clean))
             for c, p, (s, _, r) in zip(clients, prompts, answers, strict=True)
             if c not in failed]
    assert [w for w in wrong if w[1]] == []
    assert len(audit_for(scanning, set(clients))) == len(clients)

    # Its replacement is loading the model (longer than the 2 s budget): its clients are
    # served by the other worker meanwhile, never refused for the load time.
    during = [source(0, i, 22) for i in range(8)]
    answers = [post(scanning, c, secret(i)) for i, c in enumerate(during)]
    assert [s for s, _, _ in answers] == [403] * len(during)
    assert all(SECRET_REASON.encode() in r for _, _, r in answers)
    with urllib.request.urlopen(f"http://127.0.0.1:{scanning.metrics_port}/readyz") as r:
        assert r.status == 200
    wait_for(lambda: ready_workers(scanning) == 2 and restarts(scanning, "crash") == crashes + 1)
    assert worker_pids(scanning)[0] != victim
    after = [source(0, i, 23) for i in range(8)]
    answers = [post(scanning, c, clean(200 + i)) for i, c in enumerate(after)]
    assert [check_answer(s, r, clean(200 + i), standin_clean)
            for i, (s, _, r) in enumerate(answers)] == [None] * len(after)
    assert restarts(scanning, "timeout") == 1  # no request timed out on a model load


def test_a_reload_under_load_never_mixes_rulesets(scanning, standin_clean):
    wait_for(lambda: ready_workers(scanning) == 2)
    old_pids = set(worker_pids(scanning).values())
    results: list[tuple[str, int, dict[str, str]]] = []
    stop = threading.Event()

    def client(index: int) -> None:
        n = 0
        while not stop.is_set():
            text = f"notes on Bluebird item-{index}-{n}-end"
            status, headers, _ = post(scanning, source(index % 2, index, 31), text)
            results.append((text, status, headers))
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        # B also needs no NER model, so its workers load quickly
        scanning.extra["ruleset"].write_text(ruleset_text("scan-b", "redact", "off"))
        wait_for(lambda: 'version="scan-b"' in scanning.metrics())
        time.sleep(2.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    audit = {r["reference"]: r for r in scanning.audit()}
    kinds = []
    for text, status, headers in results:
        line = audit[headers["x-aipolicy-reference"]]
        marker = text.split()[-1].encode()
        sent = [r.body for r in standin_clean.requests.for_host("api.openai.com")
                if marker in r.body]
        if status == 403:  # ruleset A, all the way: blocked, nothing forwarded
            assert (line["policy_version"], line["action"], sent) == ("scan-a", "block", [])
        else:  # ruleset B, all the way: redacted and forwarded
            assert status == 200 and len(sent) == 1 and b"Bluebird" not in sent[0]
            assert (line["policy_version"], line["action"]) == ("scan-b", "redact")
        kinds.append(status)
    assert {403, 200} <= set(kinds)
    # the old service finished what it held and stopped its workers
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in old_pids), 60)
