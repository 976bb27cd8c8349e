"""The state store contract, run against both implementations: SQLite and a real Redis."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from aipolicy.state import StateStore, StoreError, open_store, parse_store_url
from tests.redis_server import RedisServer


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "redis"])
async def store(request, tmp_path) -> StateStore:
    if request.param == "sqlite":
        url = parse_store_url("sqlite", tmp_path)
        prefix = "t"
    else:
        url = parse_store_url(request.getfixturevalue("redis_server").url, tmp_path)
        prefix = f"t{time.monotonic_ns()}"  # one keyspace per test on the shared server
    s = open_store(url, prefix=prefix)
    yield s
    await s.close()


async def test_put_get_delete(store):
    assert await store.get("ack", "alice") is None
    await store.put("ack", "alice", {"version": "2026.11", "at": 1.5})
    assert await store.get("ack", "alice") == {"version": "2026.11", "at": 1.5}
    await store.put("ack", "alice", {"version": "2027.1"})
    assert await store.get("ack", "alice") == {"version": "2027.1"}
    assert await store.get("coach", "alice") is None  # namespaces are separate
    assert await store.delete("ack", "alice") is True
    assert await store.delete("ack", "alice") is False
    assert await store.get("ack", "alice") is None


async def test_keys_with_separators_and_unicode(store):
    keys = ["10.0.0.1", "DOMAIN\\bob", "a:b:c", "zoë@example.com", "app|pii"]
    for i, key in enumerate(keys):
        await store.put("coach", key, {"i": i})
    assert [k for k, _ in await store.items("coach")] == sorted(keys)
    assert await store.get("coach", "a:b:c") == {"i": 2}


async def test_records_expire(store):
    await store.put("coach", "bob|chatgpt", {"ok": True}, ttl=0.3)
    await store.put("coach", "carol|chatgpt", {"ok": True})
    assert await store.get("coach", "bob|chatgpt") == {"ok": True}
    await asyncio.sleep(0.6)
    assert await store.get("coach", "bob|chatgpt") is None
    assert [k for k, _ in await store.items("coach")] == ["carol|chatgpt"]


async def test_event_window_counts(store):
    t = 1_000_000.0
    counts = [await store.count_event("incident", "dave", t + dt, window=60)
              for dt in (0, 10, 20, 20)]
    assert counts == [1, 2, 3, 4]  # two events at the same instant both count
    # 70 s later the first two are outside the window
    assert await store.count_event("incident", "dave", t + 70, window=60) == 3
    assert await store.count_event("incident", "erin", t + 70, window=60) == 1
    await store.clear_events("incident", "dave")
    assert await store.count_event("incident", "dave", t + 71, window=60) == 1


async def test_concurrent_counts_are_not_lost(store):
    t = 2_000_000.0
    await asyncio.gather(*(store.count_event("incident", "frank", t + i / 100, window=600)
                           for i in range(40)))
    assert await store.count_event("incident", "frank", t + 1, window=600) == 41


async def test_ping(store):
    await store.ping()


async def test_sqlite_survives_a_restart(tmp_path):
    url = parse_store_url("sqlite", tmp_path)
    first = open_store(url)
    await first.put("ack", "alice", {"version": "1"})
    await first.count_event("incident", "alice", 10.0, 100)
    await first.close()
    second = open_store(url)
    assert await second.get("ack", "alice") == {"version": "1"}
    assert await second.count_event("incident", "alice", 11.0, 100) == 2
    await second.close()


async def test_two_clients_share_one_redis(redis_server, tmp_path):
    url = parse_store_url(redis_server.url, tmp_path)
    a, b = open_store(url, prefix="shared"), open_store(url, prefix="shared")
    await a.put("ack", "alice", {"version": "2"})
    assert await b.get("ack", "alice") == {"version": "2"}
    await a.close()
    await b.close()


async def test_unreachable_redis_is_a_store_error_without_the_password(tmp_path):
    url = parse_store_url("redis://:hunter2secret@127.0.0.1:1/0", tmp_path)
    assert "hunter2secret" not in url.describe()
    store = open_store(url)
    with pytest.raises(StoreError) as info:
        await store.get("ack", "alice")
    assert "hunter2secret" not in str(info.value) and "alice" not in str(info.value)
    await store.close()


async def test_unwritable_sqlite_is_a_store_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    store = open_store(parse_store_url(f"sqlite://{blocker}/state.db", tmp_path))
    with pytest.raises(StoreError):
        await store.put("ack", "alice", {"v": 1})
    await store.close()


@pytest.mark.parametrize("value,message", [
    ("mysql://x", "store must be"),
    ("redis://", "needs a host"),
    ("redis://h:99999/0", "invalid port"),
    ("sqlite:", "needs a path"),
])
def test_bad_store_urls(value, message):
    with pytest.raises(ValueError, match=message):
        parse_store_url(value, Path("/tmp"))
