"""The shared store for several proxy replicas: Redis (``redis.asyncio``).

Records are JSON strings under ``<prefix>:<ns>:<key>`` with Redis's own expiry; event
windows are sorted sets scored by time. Each operation is one round trip (a MULTI
pipeline for event counts), so two replicas counting the same user's events at once
both see the right total.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from .base import Record, StateStore, StoreError

_TIMEOUT = 2.0  # seconds; a store that does not answer is a failure, not a stall


class RedisStore(StateStore):
    kind = "redis"

    def __init__(self, url: str, *, prefix: str = "aipolicy") -> None:
        self.prefix = prefix
        self._redis = aioredis.Redis.from_url(
            url, socket_timeout=_TIMEOUT, socket_connect_timeout=_TIMEOUT,
            decode_responses=True, health_check_interval=30)

    def _name(self, ns: str, key: str) -> str:
        return f"{self.prefix}:{ns}:{key}"

    async def _call(self, coro: Any) -> Any:
        try:
            return await coro
        except (RedisError, OSError, TimeoutError):
            raise StoreError("the Redis state store failed") from None

    async def get(self, ns: str, key: str) -> Record | None:
        raw = await self._call(self._redis.get(self._name(ns, key)))
        return json.loads(raw) if raw is not None else None

    async def put(self, ns: str, key: str, value: Record, ttl: float | None = None) -> None:
        data = json.dumps(value, separators=(",", ":"))
        px = max(1, int(ttl * 1000)) if ttl is not None else None
        await self._call(self._redis.set(self._name(ns, key), data, px=px))

    async def delete(self, ns: str, key: str) -> bool:
        return bool(await self._call(self._redis.delete(self._name(ns, key))))

    async def items(self, ns: str) -> list[tuple[str, Record]]:
        start = len(self._name(ns, ""))

        async def collect() -> list[tuple[str, Record]]:
            names = [n async for n in self._redis.scan_iter(match=self._name(ns, "*"),
                                                            count=500)]
            values = await self._redis.mget(names) if names else []
            return sorted((n[start:], json.loads(v)) for n, v in zip(names, values,
                                                                     strict=True)
                          if v is not None)

        return await self._call(collect())

    async def count_event(self, ns: str, key: str, at: float, window: float) -> int:
        name = self._name(f"{ns}-events", key)

        async def run() -> int:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(name, "-inf", at - window)
                # A unique member per event: two events at the same instant both count.
                pipe.zadd(name, {f"{at!r}:{secrets.token_hex(8)}": at})
                # Everything in the window, also events stamped later than ``at`` by a
                # replica whose transaction ran first: the counts every caller sees then
                # rise by one per event, so exactly one sees a threshold reached.
                pipe.zcount(name, f"({at - window}", "+inf")
                pipe.expire(name, max(1, int(window) + 1))
                results = await pipe.execute()
            return int(results[2])

        return await self._call(run())

    async def clear_events(self, ns: str, key: str) -> None:
        await self._call(self._redis.delete(self._name(f"{ns}-events", key)))

    async def ping(self) -> None:
        await self._call(self._redis.ping())

    async def close(self) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self._redis.aclose()
