"""Escalation: repeated incidents by one person block that person from every AI app.

A ruleset's thresholds ("3 incidents of high severity or more within 1 h") count each
enforced incident in the shared state store (``count_event``: atomic in SQLite and in
Redis, so replicas count together). The incident that makes a count reach a threshold
stores an escalation record for the person (with the block's length as its lifetime, or
none until ``aipolicy release``) and clears the person's counters: after the block,
counting starts afresh. Exactly one incident sees a count equal to the threshold, so two
replicas never escalate the same person twice for it.

Every request to an AI app first asks ``check``: a short local cache (``cache_seconds``)
keeps the store off the hot path; an escalation this proxy stored itself is known at
once. When the store cannot be read, a person this proxy knows to be escalated stays
blocked, and everyone else gets what ``on_store_error`` says (``block`` by default:
nobody escalated slips through while the store is down).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import ClientIdentity
from ..outcome import new_reference
from ..state import StateStore, StoreError
from .config import EscalationSettings, Threshold
from .model import Incident, Severity

NAMESPACE = "escalation"
_CACHE_ENTRIES = 100_000


def who_of(client: ClientIdentity) -> str | None:
    """Whom escalation counts and blocks: the proxy-auth user, else the client address
    (an IPv4 client on a dual-stack listener as its IPv4 address)."""
    if client.user:
        return client.user
    if client.address is None:
        return None
    address = client.address
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def normalise_who(value: str) -> str:
    """A user name or an address as ``aipolicy release`` is given it, keyed as
    ``who_of`` keys it."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return value
    return who_of(ClientIdentity(address))  # type: ignore[return-value]


@dataclass(frozen=True)
class Escalation:
    """One person's block: which threshold, since and until when (None: until
    released), and the reference the notice and the escalation incident share."""

    who: str
    threshold: str
    severity: Severity  # the threshold's severity (incidents of it or higher counted)
    count: int
    window: float
    since: float
    until: float | None
    reference: str

    def active(self, now: float) -> bool:
        return self.until is None or self.until > now

    def record(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "severity": self.severity.label,
                "count": self.count, "window": self.window, "since": self.since,
                "until": self.until, "reference": self.reference}

    @classmethod
    def from_record(cls, who: str, record: dict[str, Any]) -> Escalation:
        return cls(who, str(record["threshold"]), Severity.parse(record["severity"]),
                   int(record["count"]), float(record["window"]), float(record["since"]),
                   None if record.get("until") is None else float(record["until"]),
                   str(record["reference"]))

    def detail(self) -> str:
        """Fixed text: "3 incidents of high severity or more within 1 h"."""
        return (f"{self.count} incident{'s' if self.count != 1 else ''} of "
                f"{self.severity.label} severity or more within {duration_text(self.window)}")

    def until_text(self) -> str:
        return "until it is lifted" if self.until is None else f"until {utc_text(self.until)}"

    def reason(self, contact: str) -> str:
        """What the block notice says: why, until when, whom to contact."""
        return (f"Your use of AI services is suspended {self.until_text()} after "
                f"{self.detail()} (escalation {self.reference}). Contact {contact} to have "
                "it reviewed or lifted.")


@dataclass(frozen=True)
class Check:
    """What ``check`` found: an escalation in force, or that it could not tell."""

    escalation: Escalation | None = None
    failed: bool = False  # the store could not be read and nothing is known locally


def duration_text(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    return f"{seconds:g} s"


def utc_text(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


class Escalations:
    """Counts incidents towards thresholds and answers "is this person escalated?".

    ``store`` returns the state store opened for the proxy (None before it is open:
    treated as a store failure); ``on_store_error`` hears of every check that could not
    read it (for a metric). One object per proxy; its cache is per process."""

    def __init__(self, store: Callable[[], StateStore | None],
                 on_store_error: Callable[[], None] = lambda: None,
                 clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._on_store_error = on_store_error
        self._clock = clock
        # who -> (monotonic time read, escalation or None); least recently used first
        self._cache: OrderedDict[str, tuple[float, Escalation | None]] = OrderedDict()
        self._reading: dict[str, asyncio.Future[Escalation | None]] = {}

    def _open_store(self) -> StateStore:
        store = self._store()
        if store is None:
            raise StoreError("the state store is not open")
        return store

    def _remember(self, who: str, escalation: Escalation | None) -> None:
        self._cache[who] = (time.monotonic(), escalation)
        self._cache.move_to_end(who)
        while len(self._cache) > _CACHE_ENTRIES:
            self._cache.popitem(last=False)

    async def check(self, who: str | None, settings: EscalationSettings) -> Check:
        """Whether ``who`` is blocked now. Never raises: a store failure is a ``Check``
        with ``failed`` (or the escalation this proxy last saw, if it still runs)."""
        if who is None:
            return Check()
        now = self._clock()
        cached = self._cache.get(who)
        if cached is not None and time.monotonic() - cached[0] < settings.cache_seconds:
            esc = cached[1]
            return Check(esc if esc is not None and esc.active(now) else None)
        try:
            esc = await self._read(who)
        except StoreError:
            self._on_store_error()
            if cached is not None and cached[1] is not None and cached[1].active(now):
                return Check(cached[1])  # known escalated: stays blocked
            return Check(failed=True)
        return Check(esc if esc is not None and esc.active(now) else None)

    async def _read(self, who: str) -> Escalation | None:
        """One store read per person at a time; concurrent requests share it."""
        pending = self._reading.get(who)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Escalation | None] = asyncio.get_running_loop().create_future()
        self._reading[who] = future
        try:
            record = await self._open_store().get(NAMESPACE, who)
            esc = Escalation.from_record(who, record) if record is not None else None
            self._remember(who, esc)
            future.set_result(esc)
            return esc
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning if nobody waits
            raise
        finally:
            del self._reading[who]

    async def count(self, incident: Incident, who: str,
                    settings: EscalationSettings) -> Escalation | None:
        """Count one enforced incident towards every threshold it is severe enough for;
        the escalation it triggers (stored, counters cleared), or None. Raises
        StoreError."""
        store = self._open_store()
        now = self._clock()
        reached: list[Threshold] = []
        for threshold in settings.thresholds:
            if incident.severity < threshold.severity:
                continue
            n = await store.count_event(threshold.counter, who, now, threshold.window)
            if n == threshold.count:  # exactly one incident sees the threshold reached
                reached.append(threshold)
        if not reached:
            return None
        threshold = max(reached, key=lambda t: float("inf") if t.block_for is None
                        else t.block_for)
        esc = Escalation(who, threshold.id, threshold.severity, threshold.count,
                         threshold.window, now,
                         None if threshold.block_for is None else now + threshold.block_for,
                         new_reference())
        await store.put(NAMESPACE, who, esc.record(), ttl=threshold.block_for)
        self._remember(who, esc)
        await self._clear_counters(store, who, settings.thresholds)
        return esc

    async def release(self, who: str, thresholds: Sequence[Threshold] = ()
                      ) -> Escalation | None:
        """Lift ``who``'s escalation and clear their counters (of ``thresholds`` and of
        the threshold that escalated them); the escalation lifted, or None. Raises
        StoreError."""
        store = self._open_store()
        record = await store.get(NAMESPACE, who)
        esc = Escalation.from_record(who, record) if record is not None else None
        await store.delete(NAMESPACE, who)
        counters = {t.counter for t in thresholds}
        if esc is not None:
            counters.add(f"incidents:{esc.threshold}")
        for counter in sorted(counters):
            await store.clear_events(counter, who)
        self._remember(who, None)
        return esc

    async def _clear_counters(self, store: StateStore, who: str,
                              thresholds: Sequence[Threshold]) -> None:
        for threshold in thresholds:
            await store.clear_events(threshold.counter, who)

    async def escalated(self) -> list[Escalation]:
        """Every escalation in force (``aipolicy escalations``). Raises StoreError."""
        now = self._clock()
        items = await self._open_store().items(NAMESPACE)
        found = [Escalation.from_record(who, rec) for who, rec in items]
        return [e for e in found if e.active(now)]


def escalation_incident(esc: Escalation, trigger: Incident, severity: Severity) -> Incident:
    """The escalation is an incident itself: who, since when, until when, why; the
    incident that triggered it is named by reference."""
    return Incident(
        kind="escalation", severity=severity, time=esc.since, reference=esc.reference,
        rule=esc.threshold, user=trigger.user, client=trigger.client, groups=trigger.groups,
        app=trigger.app, app_name=trigger.app_name, action="block",
        policy_version=trigger.policy_version, detail=esc.detail(), until=esc.until,
        trigger=trigger.reference)
