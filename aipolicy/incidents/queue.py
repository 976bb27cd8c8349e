"""A bounded, durable delivery queue per sink: SQLite in the data directory.

An incident is stored before anyone tries to deliver it and deleted only after its sink
accepted it, so a receiver outage or a proxy restart loses nothing. Each sink's queue
holds at most ``max_items``; past that the oldest waiting items are dropped and counted
(a receiver that is down for days must not fill the disk). Every call runs on one
dedicated thread: the event loop only awaits.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sink TEXT NOT NULL, payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_by_sink ON queue (sink, next_at, id);
"""


@dataclass(frozen=True)
class Item:
    id: int
    sink: str
    payload: dict[str, Any]
    attempts: int


class DeliveryQueue:
    def __init__(self, path: Path, max_items: int = 10_000) -> None:
        self.path = path
        self.max_items = max_items
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="aipolicy-incidents")
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None, timeout=5.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # an accepted incident survives a crash
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # -- operations (each one transaction on the queue's thread) -------------------------
    def _put(self, sinks: tuple[str, ...], payload: dict[str, Any]) -> int:
        db = self._conn()
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        dropped = 0
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            for sink in sinks:
                db.execute("INSERT INTO queue (sink, payload, next_at) VALUES (?, ?, ?)",
                           (sink, data, now))
                over = db.execute("SELECT count(*) FROM queue WHERE sink=?",
                                  (sink,)).fetchone()[0] - self.max_items
                if over > 0:
                    db.execute("DELETE FROM queue WHERE id IN (SELECT id FROM queue WHERE "
                               "sink=? ORDER BY id LIMIT ?)", (sink, over))
                    dropped += over
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return dropped

    def _due(self, sink: str, limit: int) -> list[Item]:
        """The oldest items of a sink, in order, up to the first one still waiting for
        its retry time: delivery order is queue order, a retry holds back later items."""
        rows = self._conn().execute(
            "SELECT id, sink, payload, attempts, next_at FROM queue WHERE sink=? "
            "ORDER BY id LIMIT ?", (sink, limit)).fetchall()
        now = time.time()
        due = []
        for i, s, p, a, next_at in rows:
            if next_at > now:
                break
            due.append(Item(i, s, json.loads(p), a))
        return due

    def _retry_now(self, sink: str) -> None:
        self._conn().execute("UPDATE queue SET next_at=? WHERE sink=? AND next_at>?",
                             (time.time(), sink, time.time()))

    def _done(self, item_id: int) -> None:
        self._conn().execute("DELETE FROM queue WHERE id=?", (item_id,))

    def _retry(self, item_id: int, delay: float) -> None:
        self._conn().execute("UPDATE queue SET attempts=attempts+1, next_at=? WHERE id=?",
                             (time.time() + delay, item_id))

    def _depth(self) -> dict[str, int]:
        return dict(self._conn().execute(
            "SELECT sink, count(*) FROM queue GROUP BY sink").fetchall())

    def _next_due(self, sink: str) -> float | None:
        """When the oldest item of a sink may be sent (None: the queue is empty)."""
        row = self._conn().execute("SELECT next_at FROM queue WHERE sink=? ORDER BY id "
                                   "LIMIT 1", (sink,)).fetchone()
        return row[0] if row else None

    async def put(self, sinks: tuple[str, ...], payload: dict[str, Any]) -> int:
        """Queue one payload for each sink; returns how many old items were dropped."""
        return await self._run(self._put, sinks, payload)

    async def due(self, sink: str, limit: int = 50) -> list[Item]:
        return await self._run(self._due, sink, limit)

    async def retry_now(self, sink: str) -> None:
        """Make every waiting item of a sink due (a restart is a reason to try again)."""
        await self._run(self._retry_now, sink)

    async def done(self, item_id: int) -> None:
        await self._run(self._done, item_id)

    async def retry(self, item_id: int, delay: float) -> None:
        await self._run(self._retry, item_id, delay)

    async def depth(self) -> dict[str, int]:
        return await self._run(self._depth)

    async def next_due(self, sink: str) -> float | None:
        return await self._run(self._next_due, sink)

    def close(self) -> None:
        def shut() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        self._executor.submit(shut).result()
        self._executor.shutdown(wait=True)
