"""The scan service with real worker processes: every body gets a verdict, whatever
happens to the scanners, and a failure touches only the body that caused it.

The rulesets here scan without the NER model (``person: off``), so a worker loads in
seconds; ``scan_hooks`` makes a scan sleep, crash or raise when its body says so.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import os
import shutil
import signal
import time
import zlib
from pathlib import Path

import pytest
import yaml

from aipolicy.model import Action, ClientIdentity, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset
from aipolicy.scan_service import (
    FailureReason,
    RestartReason,
    ScanFailure,
    ScanService,
    _Backoff,
)
from aipolicy.scan_worker import WORKER_NICENESS, build_pipeline

from . import scan_hooks

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "tests" / "fixtures" / "rulesets" / "e2e.yaml"
AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"  # synthetic, well-formed
EMAIL = "jane.roe@contoso.com"


def write_ruleset(directory: Path, *, timeout: float = 5.0, queue: float = 10.0) -> Path:
    """The e2e ruleset without NER and with the AWS secret rules only: a worker builds
    it in a few seconds."""
    directory.mkdir(parents=True, exist_ok=True)
    secrets = yaml.safe_load((ROOT / "rulesets" / "secrets.yaml").read_text())
    catalog = yaml.safe_load((ROOT / "rulesets" / "catalog.yaml").read_text())
    credentials = {c for app in catalog["apps"] for c in app.get("credentials", [])}
    secrets["rules"] = [r for r in secrets["rules"]
                        if r["id"].startswith("aws-") or r["id"] in credentials]
    known = {r["id"] for r in secrets["rules"]} | {a["id"] for a in secrets.get("anchors", [])}
    secrets["pairs"] = [p for p in secrets.get("pairs", [])
                        if p["reports"] in known and p["anchor"] in known]
    (directory / "aws-secrets.yaml").write_text(yaml.safe_dump(secrets, sort_keys=False))
    text = (E2E.read_text().replace("../../../rulesets/", f"{ROOT}/rulesets/")
            .replace(f"{ROOT}/rulesets/secrets.yaml", "aws-secrets.yaml")
            .replace("person: contextual", "person: 'off'")
            .replace("timeout_seconds: 20", f"timeout_seconds: {timeout}, queue_seconds: {queue}"))
    path = directory / "policy.yaml"
    path.write_text(text)
    return path


def request(address: str) -> RequestInfo:
    return RequestInfo("POST", "https", "api.openai.com", 443, "/v1/chat/completions",
                       {"content-type": "application/json", "accept": "application/json"},
                       ClientIdentity(ipaddress.ip_address(address)))


def body(text: str | bytes) -> bytes:
    text = text.decode() if isinstance(text, bytes) else text
    return json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": text}]}
                      ).encode()


def addresses_on(queue: int, count: int, queues: int = 2) -> list[str]:
    """Client addresses whose bodies go to worker ``queue`` (the service's affinity)."""
    found = []
    for i in range(1, 250):
        address = f"10.20.0.{i}"
        if zlib.crc32(address.encode()) % queues == queue:
            found.append(address)
        if len(found) == count:
            return found
    raise AssertionError("not enough addresses")


class Service:
    """A started ScanService and what it reported."""

    def __init__(self, ruleset: Path, workers: int, builder=scan_hooks.hooked) -> None:
        self.pipeline = Pipeline(load_ruleset(ruleset), inspect_here=False)
        self.app = self.pipeline.ruleset.catalog.get("openai-api")
        self.restarts: list[tuple[float, RestartReason]] = []
        self.service = ScanService.in_processes(
            self.pipeline, workers, builder=builder,
            on_restart=lambda reason: self.restarts.append((time.monotonic(), reason)))
        self.service.start()

    async def scan(self, address: str, text: str | bytes):
        return await asyncio.wait_for(
            self.service.scan(request(address), self.app, body(text)), 120)


@pytest.fixture
def make_service():
    made: list[Service] = []

    def make(*args, **kwargs) -> Service:
        made.append(Service(*args, **kwargs))
        return made[-1]

    yield make
    for service in made:  # what a test wanted to see has been seen: stop at once
        service.service.close(drain=False)
        assert service.service.join(30)


def enforced(result) -> Action:
    assert not isinstance(result, ScanFailure), result
    return result.outcome.enforced


async def wait_until(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


# ------------------------------------------------------------------- basic behaviour
async def test_workers_run_niced_and_give_the_in_process_verdict(tmp_path, make_service):
    rs = write_ruleset(tmp_path)
    svc = make_service(rs, 1, builder=build_pipeline)
    (pid,) = svc.service.pids()
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(
        19, os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS)
    here = Pipeline(load_ruleset(rs))
    text = f"Mail {EMAIL}, card 4111 1111 1111 1111"
    expected = here.evaluate(request("10.1.2.3"), svc.app, body(text))
    got = await svc.scan("10.1.2.3", text)
    assert got.outcome.enforced is expected.outcome.enforced is Action.REDACT
    assert got.outcome.findings == expected.outcome.findings
    assert got.new_body == expected.new_body and EMAIL.encode() not in got.new_body
    assert svc.service.ready_workers == 1 and svc.service.queue_depth == 0


# ------------------------------------------------- a slow scan fails alone, nothing hangs
async def test_a_scan_past_its_budget_fails_alone(tmp_path, make_service):
    svc = make_service(write_ruleset(tmp_path, timeout=1.5), 2)
    slow_client, *clients = addresses_on(0, 31)
    slow = asyncio.create_task(svc.scan(slow_client, scan_hooks.SLEEP))
    await asyncio.sleep(0.2)  # the slow one is being scanned; the others queue behind it
    texts = [f"deploy key {AWS_KEY} please" if i % 2 else f"summarise memo {i}"
             for i in range(len(clients))]
    results = await asyncio.gather(*(svc.scan(c, t) for c, t in zip(clients, texts,
                                                                      strict=True)))
    assert await slow == ScanFailure(FailureReason.TIMEOUT)
    assert [enforced(r) for r in results] == [
        Action.BLOCK if i % 2 else Action.ALLOW for i in range(len(clients))]
    await wait_until(lambda: svc.restarts and svc.service.ready_workers == 2)
    assert [reason for _, reason in svc.restarts] == [RestartReason.TIMEOUT]
    # the replacement serves its clients again
    assert enforced(await svc.scan(slow_client, f"key {AWS_KEY}")) is Action.BLOCK


async def test_a_busy_workers_clients_wait_for_it_not_for_another(tmp_path, make_service):
    """Affinity: a body waits for its own busy worker (its client's history is cached
    there, and a heavy client slows down only its own worker's clients); only once that
    worker is lost does the other one take it, before the replacement is ready."""
    svc = make_service(write_ruleset(tmp_path, timeout=3.0, queue=30.0), 2)
    (home,), (other,) = addresses_on(0, 1), addresses_on(1, 1)
    busy_since = time.monotonic()
    busy = asyncio.create_task(svc.scan(home, scan_hooks.SLEEP))
    await asyncio.sleep(0.3)
    assert enforced(await svc.scan(other, "hello")) is Action.ALLOW  # its own, idle worker
    assert enforced(await svc.scan(home, "hello")) is Action.ALLOW
    assert time.monotonic() - busy_since >= 3.0  # it waited out the busy worker's budget
    assert svc.service.ready_workers == 1  # then the other worker took it, not the replacement
    assert await busy == ScanFailure(FailureReason.TIMEOUT)


async def test_sigkill_mid_load_fails_at_most_the_scan_in_flight(tmp_path, make_service):
    svc = make_service(write_ruleset(tmp_path), 2)
    victim = svc.service.pids()[0]
    long_text = f"{EMAIL} " + "quarterly numbers and plans. " * 1500  # ~40 KB: scans take time
    texts = [f"key {AWS_KEY}" if i % 3 == 0 else f"{i} {long_text}" if i % 3 == 1 else "hello"
             for i in range(60)]
    clients = addresses_on(0, 30) + addresses_on(1, 30)

    async def kill_soon() -> None:
        await asyncio.sleep(0.3)
        os.kill(victim, signal.SIGKILL)

    killer = asyncio.create_task(kill_soon())
    results = await asyncio.gather(*(svc.scan(c, t) for c, t in zip(clients, texts,
                                                                      strict=True)))
    await killer
    failed = [r for r in results if isinstance(r, ScanFailure)]
    assert failed in ([], [ScanFailure(FailureReason.CRASHED)])
    expected = [Action.BLOCK, Action.REDACT, Action.ALLOW] * 20
    wrong = [(i, r) for i, r in enumerate(results)
             if not isinstance(r, ScanFailure) and r.outcome.enforced is not expected[i]]
    assert wrong == []
    await wait_until(lambda: len(svc.restarts) == 1 and svc.service.ready_workers == 2)
    assert svc.restarts[0][1] is RestartReason.CRASH and victim not in svc.service.pids()


# ------------------------------------------- a replacement's load is not a request's time
async def test_a_replacement_loads_before_it_takes_work(tmp_path, make_service):
    """Budget 0.5 s, a replacement takes 3 s longer to load: requests for the lost
    worker wait for it (or another worker) and are scanned, never timed out."""
    marker = tmp_path / "slow-loads"
    svc = make_service(write_ruleset(tmp_path, timeout=0.5, queue=120), 1,
                       builder=functools.partial(scan_hooks.slow_after, str(marker), 3.0))
    marker.touch()
    os.kill(svc.service.pids()[0], signal.SIGKILL)
    await wait_until(lambda: svc.service.ready_workers == 0)
    started = time.monotonic()
    results = await asyncio.gather(*(svc.scan(c, f"key {AWS_KEY}")
                                     for c in addresses_on(0, 3, queues=1)))
    assert [enforced(r) for r in results] == [Action.BLOCK] * 3
    assert time.monotonic() - started >= 2.5  # they did wait for the load
    assert [reason for _, reason in svc.restarts] == [RestartReason.CRASH]


async def test_another_ready_worker_takes_the_queue_of_a_lost_one(tmp_path, make_service):
    marker = tmp_path / "slow-loads"
    svc = make_service(write_ruleset(tmp_path, timeout=0.5), 2,
                       builder=functools.partial(scan_hooks.slow_after, str(marker), 8.0))
    marker.touch()
    os.kill(svc.service.pids()[0], signal.SIGKILL)
    await wait_until(lambda: svc.service.ready_workers == 1)
    clients = addresses_on(0, 5) + addresses_on(1, 5)
    results = await asyncio.gather(*(svc.scan(c, "hello") for c in clients))
    assert [enforced(r) for r in results] == [Action.ALLOW] * 10
    assert svc.service.ready_workers == 1  # answered before the replacement was ready


async def test_restarts_back_off(tmp_path, make_service):
    svc = make_service(write_ruleset(tmp_path), 1)
    client = addresses_on(0, 1, queues=1)[0]
    lost_at = []  # a lower bound: taken before the worker is lost
    for lost in range(3):
        await wait_until(lambda n=lost: len(svc.restarts) == n and svc.service.ready_workers)
        lost_at.append(time.monotonic())
        assert await svc.scan(client, scan_hooks.EXIT) == ScanFailure(FailureReason.CRASHED)
    await wait_until(lambda: len(svc.restarts) == 3)
    waited = [at - lost for (at, _), lost in zip(svc.restarts, lost_at, strict=True)]
    assert waited[1] >= 0.5 and waited[2] >= 1.0  # 0, then 0.5 s, doubling
    assert {reason for _, reason in svc.restarts} == {RestartReason.CRASH}


def test_backoff_doubles_to_a_cap_and_resets_after_a_healthy_run(monkeypatch):
    import aipolicy.scan_service as module

    now = [1000.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: now[0])
    backoff = _Backoff()
    backoff.up()
    assert [backoff.next_delay() for _ in range(8)] == [0, 0.5, 1, 2, 4, 8, 10, 10]
    backoff.up()
    now[0] += module.BACKOFF_RESET - 1
    assert backoff.next_delay() == 10  # up, but not for long
    backoff.up()
    now[0] += module.BACKOFF_RESET
    assert backoff.next_delay() == 0


# ------------------------------------------------ every failure becomes a typed result
async def test_whatever_a_scan_ends_with_the_request_gets_a_verdict(tmp_path, make_service):
    svc = make_service(write_ruleset(tmp_path), 1)
    client = addresses_on(0, 1, queues=1)[0]
    for hook in (scan_hooks.CANCEL, scan_hooks.NO_MEMORY, scan_hooks.UNPICKLABLE):
        assert await svc.scan(client, hook) == ScanFailure(FailureReason.CRASHED)
    assert svc.restarts == []  # the worker reported those itself and kept working
    assert enforced(await svc.scan(client, f"key {AWS_KEY}")) is Action.BLOCK
    verdict = await svc.service.evaluate(request(client), svc.app, body(scan_hooks.EXIT))
    assert verdict.outcome.failure == "the scanner failed"
    assert verdict.outcome.enforced is Action.BLOCK and verdict.notice is not None
    assert b"the scanner failed" in verdict.notice.body


async def test_waiting_for_a_scanner_is_bounded(tmp_path, make_service):
    svc = make_service(write_ruleset(tmp_path, timeout=3.0, queue=0.3), 1)
    busy = asyncio.create_task(svc.scan("10.9.9.9", scan_hooks.SLEEP))
    await asyncio.sleep(0.2)
    waited = await asyncio.gather(*(svc.scan(f"10.9.9.{i}", "hello") for i in range(5)))
    assert waited == [ScanFailure(FailureReason.OVERLOADED)] * 5
    assert svc.service.queue_depth == 0
    assert await busy == ScanFailure(FailureReason.TIMEOUT)
    await wait_until(lambda: svc.restarts and svc.service.ready_workers == 1)
    verdict = await svc.service.evaluate(request("10.9.9.1"), svc.app, body("hello"))
    assert verdict.outcome.enforced is Action.ALLOW  # once the replacement is up


async def test_close_finishes_queued_work_then_stops_the_workers(tmp_path, make_service):
    svc = make_service(write_ruleset(tmp_path), 2)
    pids = svc.service.pids()
    pending = [asyncio.create_task(svc.scan(f"10.3.0.{i}", f"key {AWS_KEY}"))
               for i in range(20)]
    await asyncio.sleep(0)  # every body is queued
    svc.service.close()
    assert [enforced(r) for r in await asyncio.gather(*pending)] == [Action.BLOCK] * 20
    assert await asyncio.to_thread(svc.service.join, 30)
    await wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in pids), 10)
    assert await svc.scan("10.3.0.1", "hello") == ScanFailure(FailureReason.STOPPED)


async def test_close_without_draining_answers_everything_at_once(tmp_path, make_service):
    svc = make_service(write_ruleset(tmp_path), 1)
    busy = asyncio.create_task(svc.scan("10.4.0.1", scan_hooks.SLEEP))
    await asyncio.sleep(0.3)
    queued = [asyncio.create_task(svc.scan("10.4.0.1", "hello")) for _ in range(3)]
    await asyncio.sleep(0)
    svc.service.close(drain=False)
    results = await asyncio.wait_for(asyncio.gather(busy, *queued), 10)
    assert results[1:] == [ScanFailure(FailureReason.STOPPED)] * 3
    assert isinstance(results[0], ScanFailure)


# ----------------------------------------------- workers build from the validated bytes
async def test_workers_build_from_the_validated_snapshot_not_the_disk(tmp_path, make_service):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rulesets", rules)
    rs = write_ruleset(rules)
    rs.write_text(rs.read_text().replace(f"{ROOT}/rulesets/", ""))
    (rules / "secrets.yaml").unlink()  # the ruleset uses its AWS-only copy
    svc = make_service(rs, 1, builder=build_pipeline)
    client = addresses_on(0, 1, queues=1)[0]
    assert enforced(await svc.scan(client, "about Bluebird")) is Action.BLOCK
    # Edited after validation: the code name unblocked, the secret rules file broken.
    rs.write_text(rs.read_text().replace("Bluebird", "Kingfisher"))
    (rules / "aws-secrets.yaml").write_text("rules: [")
    os.kill(svc.service.pids()[0], signal.SIGKILL)
    await wait_until(lambda: len(svc.restarts) == 1 and svc.service.ready_workers == 1)
    assert enforced(await svc.scan(client, "about Bluebird")) is Action.BLOCK
    assert enforced(await svc.scan(client, "about Kingfisher")) is Action.ALLOW
    assert enforced(await svc.scan(client, f"key {AWS_KEY}")) is Action.BLOCK


# ------------------------------------------------------------------ in-process threads
class SlowPipeline(scan_hooks.HookedPipeline):
    def evaluate(self, request, app, body=None):
        if body and scan_hooks.SLEEP in body:
            time.sleep(2.0)  # a thread cannot be killed: keep it short
            return super().evaluate(request, app, b"{}")
        return super().evaluate(request, app, body)


async def test_threads_have_the_same_interface_and_failures(tmp_path):
    pipeline = SlowPipeline(load_ruleset(write_ruleset(tmp_path, timeout=0.5)))
    service = ScanService.in_threads(pipeline, 2)
    service.start()
    app = pipeline.ruleset.catalog.get("openai-api")
    try:
        async def scan(text):
            return await service.scan(request("10.5.0.1"), app, body(text))

        slow = asyncio.create_task(scan(scan_hooks.SLEEP))
        await asyncio.sleep(0.1)
        blocked = await scan(f"key {AWS_KEY}")  # the other thread
        assert enforced(blocked) is Action.BLOCK
        started = time.monotonic()
        assert await slow == ScanFailure(FailureReason.TIMEOUT)
        assert time.monotonic() - started < 1.5  # answered at the budget, not at the end
        assert service.ready_workers == 1  # its thread is still busy with the late scan
        for hook in (scan_hooks.CANCEL, scan_hooks.NO_MEMORY):
            assert await scan(hook) == ScanFailure(FailureReason.CRASHED)
        await wait_until(lambda: service.ready_workers == 2, 10)
        assert enforced(await scan("hello")) is Action.ALLOW
    finally:
        service.close()
        assert service.join(10)
