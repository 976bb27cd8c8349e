"""The state store interface: namespaced JSON records with an optional lifetime, and
sliding-window event counts."""

from __future__ import annotations

import abc
from typing import Any

Record = dict[str, Any]  # JSON-serialisable


class StoreError(Exception):
    """The store could not be read or written. The message is fixed text: never a key,
    a value or a backend error string (those can carry user names)."""


class StateStore(abc.ABC):
    """Async, safe to call from the proxy's event loop (no call blocks it).

    ``ns`` is a fixed namespace ("ack", "coach", "escalation"); ``key`` identifies a user,
    app, ... within it. Records are small JSON objects. ``ttl`` is in seconds; an expired
    record is gone for every reader.
    """

    kind: str  # "sqlite" | "redis", for logs and metrics

    @abc.abstractmethod
    async def get(self, ns: str, key: str) -> Record | None: ...

    @abc.abstractmethod
    async def put(self, ns: str, key: str, value: Record, ttl: float | None = None) -> None: ...

    @abc.abstractmethod
    async def delete(self, ns: str, key: str) -> bool:
        """True when a (live) record was there."""

    @abc.abstractmethod
    async def items(self, ns: str) -> list[tuple[str, Record]]:
        """Every live record of a namespace, sorted by key (exports, reports)."""

    @abc.abstractmethod
    async def count_event(self, ns: str, key: str, at: float, window: float) -> int:
        """Record one event at time ``at`` and return how many events of ``key`` fall in
        ``(at - window, at]``, this one included. Older events are forgotten."""

    @abc.abstractmethod
    async def clear_events(self, ns: str, key: str) -> None: ...

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise StoreError when the store cannot be reached."""

    @abc.abstractmethod
    async def close(self) -> None: ...
