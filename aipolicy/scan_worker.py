"""A scan worker process, and the small protocol the scan service speaks with it.

A worker is one process (forkserver: it inherits none of the proxy's threads, sockets or
event loop) at niceness +5, so under load the proxy's own event loop gets the CPU first.
It is started with the ruleset's ``Snapshot`` and builds its pipeline from those bytes
(it never opens a ruleset file), says it is ready, then answers one job at a time over a
socket pair:

    proxy -> worker   (job id, RequestInfo, app id, body)
    worker -> proxy   ("ready", pid) once it has built everything (models included),
                      or ("failed", config problems or None, exception type) instead;
                      then per job ("result", job id, Verdict) or ("error", job id, type)

A frame is an 8-byte length and a pickle. The proxy side reads and writes against a
deadline: anything unexpected on the channel (end of file, a broken pipe, a reply that
does not unpickle or does not answer the job, the deadline) means the worker is killed,
and the scan service replaces it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import socket
import time
from collections.abc import Callable
from typing import Any, NoReturn

from .errors import ConfigError
from .model import RequestInfo
from .pipeline import Pipeline, Verdict
from .ruleset import load_ruleset
from .sources import Snapshot

# Scan workers yield the CPU to the proxy's event loop: under load a scan waits, the
# bytes of other connections do not.
WORKER_NICENESS = 5

Builder = Callable[[Snapshot], Pipeline]  # a module-level function: workers import it


def build_pipeline(snapshot: Snapshot) -> Pipeline:
    """What a worker runs: the ruleset and its detectors, from the snapshot's bytes."""
    return Pipeline(load_ruleset(snapshot.root, snapshot))


class WorkerStartError(Exception):
    """A worker could not build its pipeline; ``problems`` when the ruleset was at fault."""

    def __init__(self, message: str, problems: tuple = ()) -> None:
        super().__init__(message)
        self.problems = problems


class JobError(Exception):
    """The worker answered this job with an error (its exception type); it is still fine."""


class WorkerLost(Exception):
    """The worker cannot be used any more; it has been killed.

    ``delivered``: the job reached it (so the job fails; otherwise it can go to another
    worker). ``timed_out``: the job's time budget ran out (otherwise it crashed).
    """

    def __init__(self, *, delivered: bool, timed_out: bool) -> None:
        super().__init__("timed out" if timed_out else "crashed")
        self.delivered = delivered
        self.timed_out = timed_out


# ------------------------------------------------------------------------- the wire
def _dumps(message: Any) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _send(sock: socket.socket, data: bytes, deadline: float | None) -> None:
    _arm(sock, deadline)
    sock.sendall(len(data).to_bytes(8, "big"))
    _arm(sock, deadline)
    sock.sendall(data)


def _recv(sock: socket.socket, deadline: float | None) -> Any:
    size = int.from_bytes(_read(sock, 8, deadline), "big")
    return pickle.loads(_read(sock, size, deadline))


def _read(sock: socket.socket, size: int, deadline: float | None) -> bytearray:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        _arm(sock, deadline)
        n = sock.recv_into(view[got:])
        if n == 0:
            raise EOFError("the other end closed the channel")
        got += n
    return buffer


def _arm(sock: socket.socket, deadline: float | None) -> None:
    if deadline is None:
        sock.settimeout(None)
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    sock.settimeout(remaining)


# ------------------------------------------------------------- inside the worker
def worker_main(sock: socket.socket, snapshot: Snapshot, builder: Builder) -> None:
    """The worker process: build, report ready, then answer jobs until the channel closes."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    try:
        pipeline = builder(snapshot)
    except ConfigError as exc:
        _send(sock, _dumps(("failed", exc.problems, "ConfigError")), None)
        return
    except BaseException as exc:  # reported by type only: a message might quote data
        _send(sock, _dumps(("failed", (), type(exc).__name__)), None)
        return
    _send(sock, _dumps(("ready", os.getpid())), None)
    while True:
        try:
            job_id, request, app_id, body = _recv(sock, None)
        except (EOFError, OSError):
            return  # the proxy closed the channel, or is gone
        _send(sock, _answer(pipeline, job_id, request, app_id, body), None)


def _answer(pipeline: Pipeline, job_id: int, request: RequestInfo, app_id: str,
            body: bytes) -> bytes:
    try:
        app = pipeline.ruleset.catalog.get(app_id)
        if app is None:
            raise LookupError("the app is not in this worker's catalog")
        return _dumps(("result", job_id, pipeline.evaluate(request, app, body)))
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # MemoryError, CancelledError, a verdict that won't pickle
        return _dumps(("error", job_id, type(exc).__name__))


# ------------------------------------------------------------ the proxy's side
class ProcessWorker:
    """The proxy's handle on one worker process. Used by one driver thread;
    ``interrupt`` may be called from any thread."""

    counts_restarts = True  # replacing it costs a process start and a model load

    def __init__(self, snapshot: Snapshot, builder: Builder,
                 context: multiprocessing.context.BaseContext) -> None:
        self._snapshot = snapshot
        self._builder = builder
        self._context = context
        self._process: multiprocessing.process.BaseProcess | None = None
        self._sock: socket.socket | None = None
        self._interrupted = False  # for good: the service is stopping
        self.pid: int | None = None

    def start(self, timeout: float) -> None:
        """Start a process and wait until it has built everything it needs."""
        self.stop()
        ours, theirs = socket.socketpair()
        process = self._context.Process(target=worker_main, name="aipolicy-scan-worker",
                                        args=(theirs, self._snapshot, self._builder),
                                        daemon=True)
        process.start()
        theirs.close()
        self._process, self._sock, self.pid = process, ours, process.pid
        try:
            if self._interrupted:  # interrupt() came before there was a channel to shut
                raise EOFError
            message = _recv(ours, time.monotonic() + timeout)
        except TimeoutError:
            self.stop()
            raise WorkerStartError(f"did not finish loading in {timeout:.0f} s") from None
        except Exception as exc:
            self.stop()
            raise WorkerStartError(f"exited while loading ({type(exc).__name__})") from None
        if isinstance(message, tuple) and message[:1] == ("ready",):
            return
        self.stop()
        if isinstance(message, tuple) and len(message) == 3 and message[0] == "failed":
            _, problems, kind = message
            raise WorkerStartError(f"could not load the ruleset ({kind})", tuple(problems))
        raise WorkerStartError("answered its start with something else")

    def run(self, job_id: int, request: RequestInfo, app_id: str, body: bytes,
            budget: float) -> Verdict:
        """Scan one body within ``budget`` seconds (sending it, the scan, the reply)."""
        sock = self._sock
        if sock is None:
            raise WorkerLost(delivered=False, timed_out=False)
        deadline = time.monotonic() + budget
        try:
            data = _dumps((job_id, request, app_id, body))
        except Exception as exc:  # nothing was sent: the worker is fine
            raise JobError(type(exc).__name__) from None
        try:
            _send(sock, data, deadline)
        except TimeoutError:  # it stopped reading: stuck
            self._lose(delivered=True, timed_out=True)
        except OSError:  # it was gone before it had the job
            self._lose(delivered=False, timed_out=False)
        try:
            reply = _recv(sock, deadline)
        except TimeoutError:
            self._lose(delivered=True, timed_out=True)
        except Exception:  # end of file, a reset, a reply that does not unpickle
            self._lose(delivered=True, timed_out=False)
        if not (isinstance(reply, tuple) and len(reply) == 3 and reply[1] == job_id):
            self._lose(delivered=True, timed_out=False)
        kind, _, value = reply
        if kind == "result" and isinstance(value, Verdict):
            return value
        if kind == "error":
            raise JobError(str(value))
        self._lose(delivered=True, timed_out=False)

    def _lose(self, *, delivered: bool, timed_out: bool) -> NoReturn:
        self.stop()
        raise WorkerLost(delivered=delivered, timed_out=timed_out) from None

    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def interrupt(self) -> None:
        """From any thread, for good: shut the channel, so whatever the driver waits for
        (a load, a scan) ends now; the driver then stops the process."""
        self._interrupted = True
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Kill the process (it holds nothing worth keeping) and reap it."""
        sock, process = self._sock, self._process
        self._sock = self._process = None
        self.pid = None
        if sock is not None:
            sock.close()
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                if process.exitcode is None and process.pid is not None:
                    os.kill(process.pid, signal.SIGKILL)
            process.join(10)
            with contextlib.suppress(ValueError):
                process.close()
