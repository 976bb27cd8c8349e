"""Pipeline builders for the scan-service tests: they run inside real worker processes.

A worker imports its builder by name, so these live in a module of their own (importing
nothing from pytest). The hooks are markers in the body; production builds its pipeline
with ``aipolicy.scan_worker.build_pipeline`` and has none of them.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from aipolicy.model import App, RequestInfo
from aipolicy.pipeline import Pipeline, Verdict
from aipolicy.ruleset import load_ruleset
from aipolicy.sources import Snapshot

SLEEP = b"__hook_sleep__"  # the scan takes a minute
EXIT = b"__hook_exit__"  # the worker process dies mid-scan
CANCEL = b"__hook_cancel__"  # the scan raises CancelledError
NO_MEMORY = b"__hook_memory__"  # the scan raises MemoryError
UNPICKLABLE = b"__hook_unpicklable__"  # the verdict cannot be sent back


class HookedPipeline(Pipeline):
    def evaluate(self, request: RequestInfo, app: App, body: bytes | None = None) -> Verdict:
        data = body or b""
        if SLEEP in data:
            time.sleep(60)
        if EXIT in data:
            os._exit(3)
        if CANCEL in data:
            raise asyncio.CancelledError
        if NO_MEMORY in data:
            raise MemoryError
        verdict = super().evaluate(request, app, body)
        if UNPICKLABLE in data:
            return Verdict(verdict.outcome, response_headers=(("x", lambda: None),))  # type: ignore[arg-type]
        return verdict


def hooked(snapshot: Snapshot) -> Pipeline:
    return HookedPipeline(load_ruleset(snapshot.root, snapshot))


def slow_after(marker: str, seconds: float, snapshot: Snapshot) -> Pipeline:
    """Loads take ``seconds`` longer once ``marker`` exists (replacements, not the first)."""
    if Path(marker).exists():
        time.sleep(seconds)
    return hooked(snapshot)


def fail_after(marker: str, snapshot: Snapshot) -> Pipeline:
    """Loads fail once ``marker`` exists."""
    if Path(marker).exists():
        raise RuntimeError("cannot load")
    return hooked(snapshot)
