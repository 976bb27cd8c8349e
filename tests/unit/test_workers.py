"""Scan workers: real processes that build the pipeline once, yield the CPU to the proxy,
and give the same verdict as scanning in process."""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path

import pytest

from aipolicy.model import ClientIdentity, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.workers import WORKER_NICENESS, ScanWorkers

ROOT = Path(__file__).resolve().parents[2]
RULESET = ROOT / "rulesets" / "default.yaml"


@pytest.fixture(scope="module")
def workers():
    pool = ScanWorkers(str(RULESET), 1)
    pool.warm_up()
    yield pool
    pool.close()


def _request() -> RequestInfo:
    return RequestInfo("POST", "https", "api.openai.com", 443, "/v1/chat/completions",
                       {"content-type": "application/json", "accept": "application/json"},
                       ClientIdentity(ipaddress.ip_address("10.1.2.3")))


def test_workers_run_at_lower_priority_than_the_proxy(workers: ScanWorkers) -> None:
    (pid,) = workers.pids()
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(
        19, os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS)


def test_a_worker_gives_the_in_process_verdict(workers: ScanWorkers) -> None:
    pipeline = Pipeline.from_file(str(RULESET))
    info = _request()
    app = pipeline.classify(info)
    assert app is not None
    body = json.dumps({"model": "gpt-4o", "messages": [
        {"role": "user", "content": "Mail jane.roe@contoso.com, card 4111 1111 1111 1111"},
    ]}).encode()
    here = pipeline.evaluate(info, app, body)
    there = workers.submit("10.1.2.3", info, app.id, body).result(timeout=60)
    assert there.outcome.enforced == here.outcome.enforced
    assert there.outcome.findings == here.outcome.findings
    assert there.new_body == here.new_body
    assert there.new_body is not None and b"jane.roe@contoso.com" not in there.new_body
