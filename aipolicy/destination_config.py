"""The ``destinations`` section of a ruleset: which connections are decrypted to be
checked, and what happens when a request's names disagree.

Parsed and validated here (file, line, field for every problem); the classification
itself is ``aipolicy.destination``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .catalog import host_list
from .model import Action
from .schema import Checker
from .yamlsrc import Src

_KEYS = ("mismatch", "no_sni", "ip_connect", "decrypt", "fronts")


class Unnamed(StrEnum):
    """TLS connections that give the proxy no name to check: no server name (SNI), or an
    explicit-proxy CONNECT to an IP address (whatever server name the client sends)."""

    DECRYPT = "decrypt"  # decrypt and classify every request by its Host
    PUBLIC = "public"  # decrypt those to public addresses; tunnel private and loopback ones
    TUNNEL = "tunnel"  # pass them through unseen


class DecryptScope(StrEnum):
    AI = "ai"  # AI hosts, fronts, and unnamed connections as no_sni / ip_connect say
    ALL = "all"  # every TLS connection: fronting through any host is seen


@dataclass(frozen=True)
class DestinationSettings:
    mismatch: Action = Action.BLOCK  # names of different services: block (421) or monitor
    no_sni: Unnamed = Unnamed.DECRYPT
    ip_connect: Unnamed = Unnamed.DECRYPT
    decrypt: DecryptScope = DecryptScope.AI
    fronts: tuple[str, ...] = ()  # hosts (and their subdomains) decrypted to be checked


_CHOICES: tuple[tuple[str, type[StrEnum], tuple[str, ...]], ...] = (
    ("mismatch", Action, (Action.BLOCK.value, Action.MONITOR.value)),
    ("no_sni", Unnamed, tuple(u.value for u in Unnamed)),
    ("ip_connect", Unnamed, tuple(u.value for u in Unnamed)),
    ("decrypt", DecryptScope, tuple(d.value for d in DecryptScope)),
)


def parse_destinations(check: Checker, value: Any, src: Src) -> DestinationSettings | None:
    m = check.mapping(value, src, optional=_KEYS)
    if m is None:
        return None
    before = len(check.problems)
    values: dict[str, Any] = {}
    for key, kind, choices in _CHOICES:
        if key in m:
            choice = check.choice(m[key], src.key(m, key), choices)
            if choice is not None:
                values[key] = kind(choice)
    if "fronts" in m and m["fronts"] != []:  # an explicit empty list is fine
        values["fronts"] = tuple(dict.fromkeys(
            host for host, _ in host_list(check, m["fronts"], src.key(m, "fronts"))))
    if len(check.problems) > before:
        return None
    return DestinationSettings(**values)
