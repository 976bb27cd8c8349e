"""Scanning as a service: ``await service.evaluate(request, app, body)`` gives a Verdict,
whatever happens to the scanner.

Scanning is CPU work that holds the GIL, so it never runs on the proxy's event loop. The
service owns the scanners (worker processes, or threads in the proxy process), the queue
in front of them, the time budget, and what happens when a scanner fails:

* **Affinity.** A body goes to the queue of the worker its client's address hashes to:
  the conversation history a chat client re-sends every turn is in that worker's cache,
  and a client sending huge prompts slows down only the clients that share its worker
  (an idle worker does not take a busy one's bodies: that would spread one heavy client
  over every worker). A ready worker with nothing of its own to do takes, oldest first,
  the bodies of a worker that is not ready (starting, being replaced).
* **Bounded waiting.** A body that no scanner took within ``limits.queue_seconds`` is
  answered at once: ``ScanFailure(OVERLOADED)``. Nothing waits without bound.
* **Time budget.** ``limits.timeout_seconds`` counts from when a scanner takes the body
  (sending it, the scan, the reply): a queue or a model load never eats into it. Past
  it, that worker is killed and the body fails with ``TIMEOUT``.
* **Crashes.** A worker that dies fails the one body it was scanning (``CRASHED``); a
  body it never received goes to another worker. A worker that reports an error for a
  body fails that body only and keeps working.
* **Replacement.** Only the worker that failed is replaced. A replacement builds
  everything (pipeline, model copies) and reports ready before it takes work; meanwhile
  the other workers take its queue. Restarts back off (0, then 0.5 s doubling up to
  ``MAX_BACKOFF``; the streak ends once a worker has stayed up for ``BACKOFF_RESET``)
  and are reported through ``on_restart`` (``timeout`` or ``crash``).
* **Threads** (``in_threads``, ``aipolicy_scan_workers=0``): the same queue, budget and
  failures. A thread cannot be killed: a scan past its budget is answered with
  ``TIMEOUT`` at once, but keeps its thread busy until it ends; that thread takes no
  other body meanwhile (the other threads do).

Every ``evaluate`` returns a Verdict (the pipeline's failure verdict for a
``ScanFailure``): no exception from a scanner, the channel or the queue reaches the
caller, and no body is left waiting when a worker dies or the service closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import logging
import multiprocessing
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from typing import Protocol

from .errors import ConfigError
from .model import App, RequestInfo
from .pipeline import Pipeline, Verdict
from .scan_worker import (
    Builder,
    JobError,
    ProcessWorker,
    WorkerLost,
    WorkerStartError,
    build_pipeline,
)

log = logging.getLogger("aipolicy")

LOAD_SECONDS = 300.0  # a worker that has not built its pipeline by then is killed
START_SECONDS = 300.0  # how long ``start`` waits for every worker's first load
MAX_BACKOFF = 10.0
BACKOFF_RESET = 60.0
_GRACE = 5.0  # beyond the budget: killing a worker and the reply (a safety net only)
_IDLE_CHECK = 1.0  # how often an idle driver checks that its worker is still alive


class FailureReason(enum.Enum):
    """Why a body was not scanned: fixed texts for the notice, the audit line's
    ``failure`` and the ``aipolicy_inspection_failures_total{reason}`` label."""

    TIMEOUT = "inspection exceeded its time budget"
    CRASHED = "the scanner failed"
    OVERLOADED = "the scanners are overloaded"
    STOPPED = "the scanners were stopped"


@dataclass(frozen=True)
class ScanFailure:
    reason: FailureReason


class RestartReason(enum.Enum):
    TIMEOUT = "timeout"
    CRASH = "crash"


class ScanServiceError(Exception):
    """The scanners could not be started."""


# --------------------------------------------------------------------------- scanners
class _Scanner(Protocol):
    counts_restarts: bool

    def start(self, timeout: float) -> None: ...

    def run(self, job_id: int, request: RequestInfo, app_id: str, body: bytes,
            budget: float) -> Verdict: ...

    def alive(self) -> bool: ...

    def interrupt(self) -> None: ...

    def stop(self) -> None: ...


class _ThreadScanner:
    """Scans in a thread of the proxy process, with the main process's pipeline."""

    counts_restarts = False  # nothing is restarted: a late scan is waited out
    pid = None

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="aipolicy-scan")
        self._late: Future | None = None

    def start(self, timeout: float) -> None:
        late, self._late = self._late, None
        if late is not None:
            wait_futures([late])  # cannot be killed: this thread is free when it ends

    def run(self, job_id: int, request: RequestInfo, app_id: str, body: bytes,
            budget: float) -> Verdict:
        app = self._pipeline.ruleset.catalog.get(app_id)
        if app is None:
            raise JobError("LookupError")
        future = self._pool.submit(self._pipeline.evaluate, request, app, body)
        wait_futures([future], timeout=budget)
        if not future.done():
            self._late = future
            raise WorkerLost(delivered=True, timed_out=True)
        if future.cancelled():
            raise JobError("CancelledError")
        error = future.exception()
        if error is not None:  # whatever it is, CancelledError included
            raise JobError(type(error).__name__)
        return future.result()

    def alive(self) -> bool:
        return True

    def interrupt(self) -> None:
        return  # a running scan cannot be interrupted

    def stop(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# ------------------------------------------------------------------------------ jobs
class _State(enum.Enum):
    QUEUED = 1
    TAKEN = 2
    WITHDRAWN = 3


class _Job:
    __slots__ = ("id", "request", "app_id", "body", "queue", "enqueued", "state", "loop",
                 "future")

    def __init__(self, job_id: int, request: RequestInfo, app_id: str, body: bytes,
                 queue: int, loop: asyncio.AbstractEventLoop) -> None:
        self.id = job_id
        self.request = request
        self.app_id = app_id
        self.body = body
        self.queue = queue
        self.enqueued = time.monotonic()
        self.state = _State.QUEUED
        self.loop = loop
        self.future: asyncio.Future[Verdict | ScanFailure] = loop.create_future()

    def settle(self, result: Verdict | ScanFailure) -> None:
        """From any thread; the first result counts."""
        with contextlib.suppress(RuntimeError):  # the event loop is closed: nobody waits
            self.loop.call_soon_threadsafe(_set_result, self.future, result)


def _set_result(future: asyncio.Future, result: Verdict | ScanFailure) -> None:
    if not future.done():
        future.set_result(result)


_CLOSED = object()  # take(): the service is closing and nothing is left
_IDLE = object()  # take(): nothing to do for a while (time to check the worker)


class _Dispatch:
    """The queues in front of the scanners; all of it under one lock."""

    def __init__(self, slots: int, affinity: bool) -> None:
        self.cond = threading.Condition()
        self.affinity = affinity
        self.queues: list[deque[_Job]] = [deque() for _ in range(slots if affinity else 1)]
        self.ready = [False] * slots
        self.up_once = [False] * slots
        self.start_error: WorkerStartError | None = None
        self.closing = False
        self.aborted = False
        self.drivers = slots  # drivers that will still call take()

    def put(self, job: _Job) -> bool:
        with self.cond:
            if self.drivers == 0 or self.aborted:
                return False
            self.queues[job.queue].append(job)
            self.cond.notify_all()
            return True

    def withdraw(self, job: _Job) -> bool:
        """Take back a job no scanner has taken; False if one has."""
        with self.cond:
            if job.state is not _State.QUEUED:
                return False
            self.queues[job.queue].remove(job)
            job.state = _State.WITHDRAWN
            return True

    def requeue(self, job: _Job) -> None:
        """A job whose worker died before it had it: first in line again."""
        with self.cond:
            job.state = _State.QUEUED
            self.queues[job.queue].appendleft(job)
            self.cond.notify_all()

    def set_ready(self, slot: int, ready: bool) -> None:
        with self.cond:
            self.ready[slot] = ready
            if ready:
                self.up_once[slot] = True
            self.cond.notify_all()

    def take(self, slot: int) -> _Job | object:
        with self.cond:
            idle_until = time.monotonic() + _IDLE_CHECK
            while True:
                job = self._pick(slot)
                if job is not None:
                    job.state = _State.TAKEN
                    return job
                if self.aborted or (self.closing and not any(self.queues)):
                    return _CLOSED
                now = time.monotonic()
                if now >= idle_until:
                    return _IDLE
                self.cond.wait(idle_until - now)

    def _pick(self, slot: int) -> _Job | None:
        """The job this slot takes now: its own oldest, else the oldest of a worker that
        is not ready (or of any, once the service is closing)."""
        own = self.queues[slot if self.affinity else 0]
        if own:
            return own.popleft()
        if not self.affinity:
            return None
        orphans = [q for i, q in enumerate(self.queues)
                   if q and i != slot and (self.closing or not self.ready[i])]
        return min(orphans, key=lambda q: q[0].enqueued).popleft() if orphans else None

    def retire(self) -> list[_Job]:
        """A driver stops; the last one hands back every job still queued."""
        with self.cond:
            self.drivers -= 1
            if self.drivers > 0 and not self.aborted:
                return []
            return self.flush()

    def flush(self) -> list[_Job]:
        with self.cond:
            left = [job for queue in self.queues for job in queue]
            for queue in self.queues:
                queue.clear()
            for job in left:
                job.state = _State.WITHDRAWN
            return left

    @property
    def depth(self) -> int:
        return sum(len(q) for q in self.queues)


class _Backoff:
    """Delays before restarting one worker: 0, then 0.5 s doubling to MAX_BACKOFF; a
    worker that stayed up BACKOFF_RESET seconds starts a new streak."""

    def __init__(self) -> None:
        self.streak = 0
        self.up_since: float | None = None  # None: not up since the last restart

    def up(self) -> None:
        self.up_since = time.monotonic()

    def next_delay(self) -> float:
        if self.up_since is not None and time.monotonic() - self.up_since >= BACKOFF_RESET:
            self.streak = 0
        self.up_since = None
        self.streak += 1
        return 0.0 if self.streak == 1 else min(MAX_BACKOFF, 0.5 * 2 ** (self.streak - 2))


# --------------------------------------------------------------------------- service
class ScanService:
    """Scans request bodies for one ruleset (one pipeline) with a fixed set of scanners.

    Build with ``in_processes`` or ``in_threads``, then ``start()`` (blocks until every
    scanner is ready). ``close()`` lets it finish what it holds, then stops it.
    """

    def __init__(self, pipeline: Pipeline, scanners: Sequence[_Scanner], *, affinity: bool,
                 on_restart: Callable[[RestartReason], None] | None = None) -> None:
        settings = pipeline.ruleset.inspection
        if settings is None:
            raise ValueError("the ruleset inspects no content: there is nothing to scan")
        self.pipeline = pipeline
        self.budget = settings.timeout_seconds
        self.queue_seconds = settings.queue_seconds
        self._scanners = list(scanners)
        self._dispatch = _Dispatch(len(self._scanners), affinity)
        self._on_restart = on_restart or (lambda reason: None)
        self._ids = itertools.count(1)
        self._wakeup = threading.Event()  # set by an aborting close: stop backing off
        self._threads = [threading.Thread(target=self._drive, args=(slot,), daemon=True,
                                          name=f"aipolicy-scan-driver-{slot}")
                         for slot in range(len(self._scanners))]
        self._started = False

    @classmethod
    def in_processes(cls, pipeline: Pipeline, count: int, *, builder: Builder = build_pipeline,
                     on_restart: Callable[[RestartReason], None] | None = None) -> ScanService:
        """``count`` worker processes, each building its pipeline from the ruleset's
        snapshot with ``builder``; a client's bodies go to one worker."""
        context = multiprocessing.get_context("forkserver")
        snapshot = pipeline.ruleset.sources
        return cls(pipeline, [ProcessWorker(snapshot, builder, context)
                              for _ in range(max(1, count))],
                   affinity=True, on_restart=on_restart)

    @classmethod
    def in_threads(cls, pipeline: Pipeline, count: int) -> ScanService:
        """``count`` threads in this process sharing ``pipeline`` (and its cache)."""
        if pipeline.inspector is None:
            raise ValueError("in_threads needs a pipeline built with inspect_here=True")
        return cls(pipeline, [_ThreadScanner(pipeline) for _ in range(max(1, count))],
                   affinity=False)

    # -- the interface -------------------------------------------------------------
    async def evaluate(self, request: RequestInfo, app: App, body: bytes) -> Verdict:
        """The verdict on one body: scanned, or the pipeline's failure verdict."""
        result = await self.scan(request, app, body)
        if isinstance(result, ScanFailure):
            return self.pipeline.failure_verdict(request, app, result.reason.value, body)
        return result

    async def scan(self, request: RequestInfo, app: App, body: bytes) -> Verdict | ScanFailure:
        dispatch = self._dispatch
        queue = zlib.crc32(str(request.client.address or "").encode()) % len(dispatch.queues)
        job = _Job(next(self._ids), request, app.id, body, queue, asyncio.get_running_loop())
        if not dispatch.put(job):
            return ScanFailure(FailureReason.STOPPED)
        try:
            try:
                return await asyncio.wait_for(asyncio.shield(job.future), self.queue_seconds)
            except TimeoutError:
                if dispatch.withdraw(job):
                    return ScanFailure(FailureReason.OVERLOADED)
            # A scanner has it and answers within the budget; this wait is a safety net.
            try:
                return await asyncio.wait_for(asyncio.shield(job.future), self.budget + _GRACE)
            except TimeoutError:
                dispatch.withdraw(job)
                log.error("aipolicy: a scan got no answer past its budget; failed closed")
                return ScanFailure(FailureReason.TIMEOUT)
        except asyncio.CancelledError:
            dispatch.withdraw(job)
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the request itself is being cancelled (client gone, shutdown)
            return ScanFailure(FailureReason.CRASHED)

    def start(self, timeout: float = START_SECONDS) -> None:
        """Start every scanner and wait until each is ready; raise ``ConfigError`` (the
        ruleset cannot be built) or ``ScanServiceError`` if one cannot start."""
        if self._started:
            return
        self._started = True
        for thread in self._threads:
            thread.start()
        dispatch = self._dispatch
        with dispatch.cond:
            done = dispatch.cond.wait_for(
                lambda: dispatch.start_error is not None or all(dispatch.up_once), timeout)
            error = dispatch.start_error
        if error is None and done:
            return
        self.close(drain=False)
        if error is not None and error.problems:
            raise ConfigError(error.problems)
        raise ScanServiceError(f"a scan worker could not start: {error}" if error else
                               f"the scan workers did not start within {timeout:.0f} s")

    def close(self, drain: bool = True) -> None:
        """Stop taking new bodies. ``drain``: finish every body queued or in a scan, then
        stop the scanners (in the background); otherwise answer them all now with
        ``STOPPED`` and stop the scanners at once."""
        dispatch = self._dispatch
        with dispatch.cond:
            dispatch.closing = True
            dispatch.aborted = dispatch.aborted or not drain
            dispatch.cond.notify_all()
        if not drain:
            self._wakeup.set()
            for job in dispatch.flush():
                job.settle(ScanFailure(FailureReason.STOPPED))
            for scanner in self._scanners:
                scanner.interrupt()
        if not self._started:  # no driver will run: nothing else would answer
            for job in dispatch.flush():
                job.settle(ScanFailure(FailureReason.STOPPED))

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every driver has stopped its scanner; True if all did."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            if thread.is_alive():
                thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    @property
    def size(self) -> int:
        return len(self._scanners)

    @property
    def in_process(self) -> bool:
        return not self._dispatch.affinity

    @property
    def ready_workers(self) -> int:
        return sum(self._dispatch.ready)

    @property
    def queue_depth(self) -> int:
        return self._dispatch.depth

    def pids(self) -> list[int]:
        """Process ids of the worker processes now running (none for threads)."""
        return [p for p in (getattr(s, "pid", None) for s in self._scanners) if p]

    # -- one driver thread per scanner ------------------------------------------------
    def _drive(self, slot: int) -> None:
        scanner = self._scanners[slot]
        backoff = _Backoff()
        lost: RestartReason | None = None
        try:
            while self._bring_up(slot, scanner, backoff, lost):
                lost = self._serve(slot, scanner)
                if lost is None:
                    break
        finally:
            self._dispatch.set_ready(slot, False)
            scanner.stop()
            for job in self._dispatch.retire():
                job.settle(ScanFailure(FailureReason.STOPPED))

    def _bring_up(self, slot: int, scanner: _Scanner, backoff: _Backoff,
                  lost: RestartReason | None) -> bool:
        """(Re)start the scanner; False when the service is closing instead."""
        dispatch = self._dispatch
        while True:
            if dispatch.aborted or (dispatch.closing and not any(dispatch.queues)):
                return False
            if lost is not None and scanner.counts_restarts:
                self._wakeup.wait(backoff.next_delay())
                if dispatch.aborted:
                    return False
                self._on_restart(lost)
            started = time.monotonic()
            try:
                try:
                    scanner.start(LOAD_SECONDS)
                except WorkerStartError:
                    raise
                except Exception as exc:  # e.g. no process can be started
                    raise WorkerStartError(f"{type(exc).__name__} starting it") from None
            except WorkerStartError as exc:
                log.error(f"aipolicy: scan worker {slot} could not start: {exc}")
                with dispatch.cond:
                    if not dispatch.up_once[slot] and dispatch.start_error is None:
                        dispatch.start_error = exc
                        dispatch.cond.notify_all()
                if not dispatch.up_once[slot]:
                    return False  # a first start that fails fails ``start()``
                lost = RestartReason.CRASH
                continue
            backoff.up()
            dispatch.set_ready(slot, True)
            if scanner.counts_restarts:
                log.info(f"aipolicy: scan worker {slot} ready (pid {scanner.pid}, "
                         f"{time.monotonic() - started:.1f} s to load)")
            return True

    def _serve(self, slot: int, scanner: _Scanner) -> RestartReason | None:
        """Scan jobs until the scanner is lost (why) or the service closes (None)."""
        dispatch = self._dispatch
        while True:
            job = dispatch.take(slot)
            if job is _CLOSED:
                return None
            if job is _IDLE:
                if not scanner.alive():
                    dispatch.set_ready(slot, False)
                    log.warning(f"aipolicy: scan worker {slot} died while idle; replacing it")
                    return RestartReason.CRASH
                continue
            assert isinstance(job, _Job)
            lost = self._run(slot, scanner, job)
            del job  # its body is not kept while this driver waits for the next one
            if lost is not None:
                return lost

    def _run(self, slot: int, scanner: _Scanner, job: _Job) -> RestartReason | None:
        """Scan one job and settle it; why the scanner is lost, if it is."""
        dispatch = self._dispatch
        try:
            job.settle(scanner.run(job.id, job.request, job.app_id, job.body, self.budget))
        except JobError as exc:
            log.error(f"aipolicy: a scan failed ({exc})")
            job.settle(ScanFailure(FailureReason.CRASHED))
        except WorkerLost as exc:
            dispatch.set_ready(slot, False)  # its queue goes to the other workers now
            if exc.delivered:
                job.settle(ScanFailure(FailureReason.TIMEOUT if exc.timed_out
                                       else FailureReason.CRASHED))
            else:
                dispatch.requeue(job)
            what = "exceeded the time budget" if exc.timed_out else "crashed"
            log.warning(f"aipolicy: scan worker {slot} {what}; "
                        + ("replacing it" if scanner.counts_restarts
                           else "its thread is busy until the scan ends"))
            return RestartReason.TIMEOUT if exc.timed_out else RestartReason.CRASH
        except BaseException as exc:  # a bug here must not leave the request waiting
            log.error(f"aipolicy: scan dispatch error ({type(exc).__name__})")
            job.settle(ScanFailure(FailureReason.CRASHED))
            dispatch.set_ready(slot, False)
            return RestartReason.CRASH
        return None
