"""Acknowledgement and coach records on both stores (SQLite and a real Redis), and
`aipolicy acks export` reading them."""

from __future__ import annotations

import asyncio
import csv
import io
import ipaddress
import json
import time

import pytest
import redis

from aipolicy.cli import main
from aipolicy.model import ClientIdentity
from aipolicy.policy_text import AcknowledgementSettings, AckRequirement
from aipolicy.standing import Acknowledgements, Clearances
from aipolicy.state import open_store, parse_store_url
from tests.redis_server import RedisServer

SETTINGS = AcknowledgementSettings(AckRequirement.REQUIRED, "2026.11", 30)
T0 = 1_900_000_000.0


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return "sqlite", tmp_path
    server = request.getfixturevalue("redis_server")
    redis.Redis.from_url(server.url).flushdb()  # one server per module: start empty
    return server.url, tmp_path


def person(ip: str, user: str | None = None) -> ClientIdentity:
    return ClientIdentity(ipaddress.ip_address(ip), user)


async def test_acknowledgements_per_person_and_version(store_url):
    store = open_store(parse_store_url(*store_url))
    acks = Acknowledgements()
    alice, bob = person("10.0.0.1", "alice"), person("10.0.0.1")
    assert not await acks.current(store, alice, SETTINGS, T0)
    await acks.record(store, alice, SETTINGS, "2026.11.1", "AIP-AAAAAAAAAA", T0)
    assert await acks.current(store, alice, SETTINGS, T0 + 1)
    assert not await acks.current(store, bob, SETTINGS, T0 + 1)  # the address is not alice
    # another process (replica) sees it in the store, and its interval
    other = Acknowledgements()
    assert await other.current(store, alice, SETTINGS, T0 + 29 * 86400)
    assert not await other.current(store, alice, SETTINGS, T0 + 31 * 86400)
    newer = AcknowledgementSettings(AckRequirement.REQUIRED, "2027.1", 30)
    assert not await other.current(store, alice, newer, T0 + 2)
    await store.close()


async def test_clearances_expire_per_app_and_scope(store_url):
    store = open_store(parse_store_url(*store_url))
    clearances = Clearances()
    now = time.time()  # the store's own expiry runs on the wall clock
    alice = person("10.0.0.1", "alice")
    await clearances.record(store, alice, "poe", "access", "default", "evaluation",
                            "AIP-BBBBBBBBBB", 600, now)
    other = Clearances()
    assert await other.cleared(store, alice, "poe", "access", now + 1)
    assert not await other.cleared(store, alice, "poe", "pii", now + 1)
    assert not await other.cleared(store, alice, "character-ai", "access", now + 1)
    assert not await other.cleared(store, person("10.0.0.2"), "poe", "access", now + 1)
    assert not await Clearances().cleared(store, alice, "poe", "access", now + 601)
    await store.close()


async def _acknowledge_three(url, data_dir) -> None:
    store = open_store(parse_store_url(url, data_dir))
    acks = Acknowledgements()
    await acks.record(store, person("10.0.0.9"), SETTINGS, "2026.11.1", "AIP-CCCCCCCCCC", T0)
    await acks.record(store, person("10.0.0.1", "=cmd|' /C calc'!A0"), SETTINGS, "2026.11.1",
                      "AIP-DDDDDDDDDD", T0 + 60)
    await acks.record(store, person("10.0.0.1", "=cmd|' /C calc'!A0"),
                      AcknowledgementSettings(AckRequirement.REQUIRED, "2027.1"), "2027.1.0",
                      "AIP-EEEEEEEEEE", T0 + 120)
    await store.close()


def test_acks_export_csv_and_json(store_url, tmp_path, capsys):
    url, data_dir = store_url
    asyncio.run(_acknowledge_three(url, data_dir))
    args = ["acks", "export", "--store", url, "--data-dir", str(data_dir)]
    assert main(args) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["reference"] for r in rows] == ["AIP-CCCCCCCCCC", "AIP-DDDDDDDDDD",
                                              "AIP-EEEEEEEEEE"]
    assert rows[0] == {"user": "", "client": "10.0.0.9", "version": "2026.11",
                       "policy_version": "2026.11.1", "acknowledged_at": "2030-03-17T17:46:40Z",
                       "reference": "AIP-CCCCCCCCCC"}
    assert rows[1]["user"] == "'=cmd|' /C calc'!A0"  # never a spreadsheet formula
    out = tmp_path / "acks.json"
    assert main([*args, "--format", "json", "--out", str(out)]) == 0
    records = json.loads(out.read_text())
    assert [r["version"] for r in records] == ["2026.11", "2026.11", "2027.1"]
    assert records[1]["user"] == "=cmd|' /C calc'!A0"


def test_acks_export_without_a_store(tmp_path, capsys):
    assert main(["acks", "export", "--data-dir", str(tmp_path / "none")]) == 1
    assert "no state store" in capsys.readouterr().err
    assert main(["acks", "export", "--store", "redis://:pw-secret@127.0.0.1:1/0"]) == 1
    err = capsys.readouterr().err
    assert "failed" in err and "pw-secret" not in err
    assert main(["acks", "export", "--store", "mysql://x"]) == 2
