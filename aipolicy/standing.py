"""A person's standing with the policy, kept in the state store: which policy versions
they acknowledged, and which coaches they proceeded past.

Records (``aipolicy.state``, namespaces ``ack`` and ``coach``):

* ``ack`` ``<subject>|<major version>`` -> user, client, version, policy version, time,
  reference. Kept without expiry (``aipolicy acks export`` lists them all); whether an
  acknowledgement is still current is decided here from its time and
  ``reacknowledge_days``.
* ``coach`` ``<subject>|<app>|<scope>`` -> user, client, app, scope, rule, choice, time,
  reference; it expires when the rule's ``remember_hours`` are over.

``subject`` is the proxy-auth user or else the client address (``identity.subject``).
Every store failure surfaces as ``StoreError``; callers apply ``on_store_error``.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from .identity import subject
from .model import ClientIdentity
from .policy_text import AcknowledgementSettings
from .state import StateStore

ACK_NS = "ack"
COACH_NS = "coach"
DAY = 86400.0


@dataclass(frozen=True)
class AckRecord:
    user: str | None
    client: str | None
    version: str  # the major version acknowledged
    policy_version: str  # the full version in force when it was acknowledged
    at: float  # epoch seconds
    reference: str

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user, "client": self.client, "version": self.version,
                "policy_version": self.policy_version, "at": self.at,
                "reference": self.reference}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> AckRecord:
        return cls(value.get("user"), value.get("client"), str(value["version"]),
                   str(value.get("policy_version", value["version"])), float(value["at"]),
                   str(value.get("reference", "")))

    @property
    def when(self) -> str:
        return dt.datetime.fromtimestamp(self.at, dt.UTC).isoformat(
            timespec="seconds").replace("+00:00", "Z")


def valid_until(record_at: float, settings: AcknowledgementSettings) -> float:
    """When an acknowledgement made at ``record_at`` stops being current."""
    if settings.reacknowledge_days <= 0:
        return float("inf")
    return record_at + settings.reacknowledge_days * DAY


class _Remembered:
    """Positive answers for a short while, per process: a person who acknowledged or
    proceeded is not looked up in the store on every request. Only positive answers: an
    acknowledgement made through another replica counts at once."""

    def __init__(self, seconds: float = 60.0, size: int = 20_000) -> None:
        self.seconds = seconds
        self.size = size
        self._until: OrderedDict[str, float] = OrderedDict()

    def get(self, key: str, now: float) -> bool:
        until = self._until.get(key)
        if until is None:
            return False
        if until <= now:
            del self._until[key]
            return False
        return True

    def put(self, key: str, now: float, expires: float) -> None:
        self._until[key] = min(now + self.seconds, expires)
        self._until.move_to_end(key)
        while len(self._until) > self.size:
            self._until.popitem(last=False)


class Acknowledgements:
    def __init__(self) -> None:
        self._known = _Remembered()

    @staticmethod
    def key(client: ClientIdentity, version: str) -> str:
        return f"{subject(client)}|{version}"

    async def current(self, store: StateStore, client: ClientIdentity,
                      settings: AcknowledgementSettings, now: float) -> bool:
        """Whether this person acknowledged the version ``settings`` asks for, recently
        enough. Raises ``StoreError``."""
        key = self.key(client, settings.version)
        if self._known.get(key, now):
            return True
        value = await store.get(ACK_NS, key)
        if value is None:
            return False
        until = valid_until(AckRecord.from_dict(value).at, settings)
        if until <= now:
            return False
        self._known.put(key, now, until)
        return True

    async def record(self, store: StateStore, client: ClientIdentity,
                     settings: AcknowledgementSettings, policy_version: str, reference: str,
                     now: float) -> AckRecord:
        record = AckRecord(client.user, str(client.address) if client.address else None,
                           settings.version, policy_version, now, reference)
        key = self.key(client, settings.version)
        await store.put(ACK_NS, key, record.as_dict())
        self._known.put(key, now, valid_until(now, settings))
        return record


async def export_acknowledgements(store: StateStore) -> list[AckRecord]:
    """Every acknowledgement in the store, oldest first (for ``aipolicy acks export``)."""
    records = [AckRecord.from_dict(v) for _, v in await store.items(ACK_NS)]
    return sorted(records, key=lambda r: (r.at, r.user or "", r.client or ""))


class Clearances:
    """Coaches people proceeded past, per subject, app and scope."""

    def __init__(self) -> None:
        self._known = _Remembered()

    @staticmethod
    def key(client: ClientIdentity, app_id: str, scope: str) -> str:
        return f"{subject(client)}|{app_id}|{scope}"

    async def cleared(self, store: StateStore, client: ClientIdentity, app_id: str,
                      scope: str, now: float) -> bool:
        key = self.key(client, app_id, scope)
        if self._known.get(key, now):
            return True
        value = await store.get(COACH_NS, key)
        if value is None:
            return False
        expires = float(value.get("expires", 0))
        if expires <= now:
            return False
        self._known.put(key, now, expires)
        return True

    async def record(self, store: StateStore, client: ClientIdentity, app_id: str,
                     scope: str, rule: str, justification: str, reference: str,
                     remember_seconds: float, now: float) -> None:
        expires = now + remember_seconds
        value = {"user": client.user,
                 "client": str(client.address) if client.address else None,
                 "app": app_id, "scope": scope, "rule": rule, "justification": justification,
                 "at": now, "expires": expires, "reference": reference}
        key = self.key(client, app_id, scope)
        await store.put(COACH_NS, key, value, ttl=remember_seconds)
        self._known.put(key, now, expires)
