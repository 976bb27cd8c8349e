"""Content scanning in worker processes, so a slow scan never stalls the proxy.

The proxy's event loop serves every connection; NER and regex scanning are CPU work that
holds Python's GIL. Each worker process builds the pipeline once (the spaCy model, the
compiled rules) and evaluates requests with bodies. Requests from one client go to the
same worker, so the chat history a client re-sends every turn hits that worker's cache.

The worker's pipeline is process state set once by the pool initializer and never
changed: a new ruleset means a new ``ScanWorkers``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
import zlib
from concurrent.futures.process import BrokenProcessPool

from .model import RequestInfo

log = logging.getLogger("aipolicy")

_PIPELINE = None  # in a worker process only: the Pipeline built by _init


# Scan workers yield the CPU to the proxy's event loop: under load a scan waits, the
# bytes of other connections do not.
WORKER_NICENESS = 5


def _init(ruleset_path: str) -> None:
    global _PIPELINE
    from .pipeline import Pipeline

    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)

    _PIPELINE = Pipeline.from_file(ruleset_path)


def _evaluate(request: RequestInfo, app_id: str, body: bytes):
    assert _PIPELINE is not None, "worker not initialised"
    app = _PIPELINE.ruleset.catalog.get(app_id)
    if app is None:
        raise LookupError("app not in this worker's catalog")
    return _PIPELINE.evaluate(request, app, body)


def _ready() -> bool:
    return _PIPELINE is not None


class ScanWorkers:
    """One single-process pool per worker; a client's requests stick to one worker."""

    def __init__(self, ruleset_path: str, processes: int) -> None:
        self.ruleset_path = ruleset_path
        # forkserver: workers do not inherit the proxy's threads, sockets or event loop.
        self._context = multiprocessing.get_context("forkserver")
        self._pools = [self._new_pool() for _ in range(max(1, processes))]

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(1, mp_context=self._context, initializer=_init,
                                      initargs=(self.ruleset_path,))

    @property
    def size(self) -> int:
        return len(self._pools)

    def _index(self, key: str) -> int:
        return zlib.crc32(key.encode()) % len(self._pools)

    def warm_up(self, timeout: float = 120.0) -> None:
        """Wait until every worker has built its pipeline (raises if one failed)."""
        for future in [pool.submit(_ready) for pool in self._pools]:
            if not future.result(timeout=timeout):
                raise RuntimeError("scan worker did not initialise")

    def submit(self, key: str, request: RequestInfo, app_id: str, body: bytes) -> cf.Future:
        index = self._index(key)
        try:
            return self._pools[index].submit(_evaluate, request, app_id, body)
        except BrokenProcessPool:
            self.restart(index)
            return self._pools[index].submit(_evaluate, request, app_id, body)

    def restart(self, index_or_key: int | str) -> None:
        """Replace a worker that crashed or is stuck past its time budget."""
        index = index_or_key if isinstance(index_or_key, int) else self._index(index_or_key)
        old = self._pools[index]
        self._pools[index] = self._new_pool()
        _terminate(old)
        log.warning(f"aipolicy: scan worker {index} restarted")

    def close(self, wait: bool = False) -> None:
        for pool in self._pools:
            pool.shutdown(wait=wait, cancel_futures=False)

    def pids(self) -> list[int]:
        return [pid for pool in self._pools for pid in (getattr(pool, "_processes", None) or {})]


def _terminate(pool: cf.ProcessPoolExecutor) -> None:
    processes = dict(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for pid in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
