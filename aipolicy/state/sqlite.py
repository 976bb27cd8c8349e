"""The default store: one SQLite file in the data directory.

Every query runs on one dedicated thread (SQLite connections belong to a thread, and one
writer at a time is what SQLite does anyway), so the event loop only awaits. WAL mode:
readers never wait for the writer, and a crash never leaves a half-written record.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .base import Record, StateStore, StoreError

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires REAL,
    PRIMARY KEY (ns, key)
);
CREATE TABLE IF NOT EXISTS events (ns TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_key ON events (ns, key, at);
"""


class SqliteStore(StateStore):
    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="aipolicy-sqlite")
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def call() -> T:
            return work(self._connect())

        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, call)
        except (sqlite3.Error, OSError, RuntimeError):
            raise StoreError("the SQLite state store failed") from None

    async def get(self, ns: str, key: str) -> Record | None:
        def work(db: sqlite3.Connection) -> Record | None:
            row = db.execute(
                "SELECT value FROM records WHERE ns=? AND key=? AND (expires IS NULL OR "
                "expires > ?)", (ns, key, time.time())).fetchone()
            return json.loads(row[0]) if row else None

        return await self._run(work)

    async def put(self, ns: str, key: str, value: Record, ttl: float | None = None) -> None:
        data = json.dumps(value, separators=(",", ":"))
        expires = time.time() + ttl if ttl is not None else None

        def work(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR REPLACE INTO records (ns, key, value, expires) "
                       "VALUES (?, ?, ?, ?)", (ns, key, data, expires))

        await self._run(work)

    async def delete(self, ns: str, key: str) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            cur = db.execute("DELETE FROM records WHERE ns=? AND key=? AND (expires IS NULL "
                             "OR expires > ?)", (ns, key, time.time()))
            return cur.rowcount > 0

        return await self._run(work)

    async def items(self, ns: str) -> list[tuple[str, Record]]:
        def work(db: sqlite3.Connection) -> list[tuple[str, Record]]:
            now = time.time()
            db.execute("DELETE FROM records WHERE expires IS NOT NULL AND expires <= ?",
                       (now,))
            rows = db.execute("SELECT key, value FROM records WHERE ns=? ORDER BY key",
                              (ns,)).fetchall()
            return [(k, json.loads(v)) for k, v in rows]

        return await self._run(work)

    async def count_event(self, ns: str, key: str, at: float, window: float) -> int:
        def work(db: sqlite3.Connection) -> int:
            with _transaction(db):
                db.execute("DELETE FROM events WHERE ns=? AND key=? AND at <= ?",
                           (ns, key, at - window))
                db.execute("INSERT INTO events (ns, key, at) VALUES (?, ?, ?)", (ns, key, at))
                # also events stamped later by another process that got here first
                row = db.execute("SELECT COUNT(*) FROM events WHERE ns=? AND key=? AND "
                                 "at > ?", (ns, key, at - window)).fetchone()
            return int(row[0])

        return await self._run(work)

    async def clear_events(self, ns: str, key: str) -> None:
        await self._run(lambda db: db.execute("DELETE FROM events WHERE ns=? AND key=?",
                                              (ns, key)))

    async def ping(self) -> None:
        await self._run(lambda db: db.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.close()
            self._db = None

        if self._db is not None:
            await self._run(work)
        self._executor.shutdown(wait=True)


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: Any, *_: Any) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")
