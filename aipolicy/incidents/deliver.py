"""The dispatcher: queue incidents durably, deliver them per sink in the background.

``submit`` only stores the incident (on the queue's own thread) and wakes the senders;
nothing here ever runs on the request path's time. One sender task per sink delivers in
order, retries with exponential backoff (1 s doubling to 10 min, with jitter) and counts
failures; items survive restarts in the queue and are sent when the proxy is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from .model import Incident
from .queue import DeliveryQueue
from .sinks import DeliveryError, Sink

log = logging.getLogger("aipolicy")

MAX_BACKOFF = 600.0


class DeliveryMetrics(Protocol):
    def incident(self, severity: str) -> None: ...
    def delivered(self, sink: str) -> None: ...
    def failed(self, sink: str) -> None: ...
    def dropped(self, sink: str, count: int) -> None: ...


def backoff(attempts: int) -> float:
    return min(MAX_BACKOFF, 2.0 ** attempts) * random.uniform(0.8, 1.2)


class Dispatcher:
    def __init__(self, queue: DeliveryQueue, sinks: Sequence[Sink],
                 metrics: DeliveryMetrics | None = None) -> None:
        self.queue = queue
        self.sinks = {s.id: s for s in sinks}
        self.metrics = metrics
        self._wake = {s.id: asyncio.Event() for s in sinks}
        self._tasks: list[asyncio.Task] = []
        self._pending: set[asyncio.Task] = set()
        self._stopping = False

    def start(self) -> None:
        """Start one sender per sink (also sends what an earlier run left queued)."""
        for sink_id in self.sinks:
            self._tasks.append(asyncio.get_running_loop().create_task(
                self._sender(sink_id), name=f"aipolicy incidents -> {sink_id}"))

    def submit(self, incident: Incident) -> None:
        """Fire and forget from the request path: the incident is stored on the queue's
        thread; the caller never waits for disk or network."""
        if self.metrics:
            self.metrics.incident(incident.severity.label)
        targets = tuple(s.id for s in self.sinks.values()
                        if incident.severity >= s.min_severity)
        if not targets:
            return
        task = asyncio.get_running_loop().create_task(self._store(incident, targets))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _store(self, incident: Incident, targets: tuple[str, ...]) -> None:
        payload: dict[str, Any] = incident.as_dict()
        payload["text"] = incident.summary()
        payload["delivery_id"] = str(uuid.uuid4())
        try:
            dropped = await self.queue.put(targets, payload)
        except Exception as exc:  # noqa: BLE001 - the disk failed; say so, keep serving
            log.error(f"aipolicy: could not queue an incident ({type(exc).__name__})")
            for sink_id in targets:
                if self.metrics:
                    self.metrics.failed(sink_id)
            return
        if dropped and self.metrics:
            for sink_id in targets:
                self.metrics.dropped(sink_id, dropped)
        for sink_id in targets:
            self._wake[sink_id].set()

    async def _sender(self, sink_id: str) -> None:
        sink, wake = self.sinks[sink_id], self._wake[sink_id]
        await self.queue.retry_now(sink_id)
        while not self._stopping:
            items = await self.queue.due(sink_id)
            for item in items:
                if self._stopping:
                    return
                try:
                    await sink.send(item.payload)
                except DeliveryError as exc:
                    log.warning(f"aipolicy: incident delivery to {sink_id} failed: {exc}; "
                                f"retry {item.attempts + 1}")
                    if self.metrics:
                        self.metrics.failed(sink_id)
                    await self.queue.retry(item.id, backoff(item.attempts))
                    break  # later items wait behind it: delivery keeps the queue order
                await self.queue.done(item.id)
                if self.metrics:
                    self.metrics.delivered(sink_id)
            else:
                if len(items) == 50:
                    continue  # more are waiting
            next_at = await self.queue.next_due(sink_id)
            timeout = None if next_at is None else max(0.0, next_at - time.time())
            wake.clear()
            if self._stopping:  # stop() may have woken us before the clear
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout)

    async def flush_pending(self) -> None:
        """Wait until every submitted incident is on disk (tests; shutdown)."""
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def stop(self, grace: float = 5.0) -> None:
        """Store what was submitted, let each sender finish the delivery it is in (so an
        accepted incident is not sent again after a restart), then stop."""
        await self.flush_pending()
        self._stopping = True
        for wake in self._wake.values():
            wake.set()
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=grace)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks.clear()
        for sink in self.sinks.values():
            await sink.close()
