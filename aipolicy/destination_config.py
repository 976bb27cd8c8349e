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

_KEYS = ("mismatch", "no_sni", "decrypt", "fronts")


class NoSni(StrEnum):
    """TLS connections whose client sent no server name (an IP literal, or hiding one)."""

    DECRYPT = "decrypt"  # decrypt and classify every request by its Host
    PUBLIC = "public"  # decrypt those to public addresses; tunnel private and loopback ones
    TUNNEL = "tunnel"  # pass them through unseen


class DecryptScope(StrEnum):
    AI = "ai"  # AI hosts (and fronts, and connections without SNI as no_sni says)
    ALL = "all"  # every TLS connection: fronting through any host is seen


@dataclass(frozen=True)
class DestinationSettings:
    mismatch: Action = Action.BLOCK  # names of different services: block (421) or monitor
    no_sni: NoSni = NoSni.DECRYPT
    decrypt: DecryptScope = DecryptScope.AI
    fronts: tuple[str, ...] = ()  # hosts (and their subdomains) decrypted to be checked


def parse_destinations(check: Checker, value: Any, src: Src) -> DestinationSettings | None:
    m = check.mapping(value, src, optional=_KEYS)
    if m is None:
        return None
    before = len(check.problems)
    defaults = DestinationSettings()
    mismatch = defaults.mismatch
    if "mismatch" in m:
        mismatch = Action(check.choice(m["mismatch"], src.key(m, "mismatch"),
                                       (Action.BLOCK.value, Action.MONITOR.value)) or mismatch)
    no_sni = defaults.no_sni
    if "no_sni" in m:
        no_sni = NoSni(check.choice(m["no_sni"], src.key(m, "no_sni"), tuple(NoSni)) or no_sni)
    decrypt = defaults.decrypt
    if "decrypt" in m:
        decrypt = DecryptScope(check.choice(m["decrypt"], src.key(m, "decrypt"),
                                            tuple(DecryptScope)) or decrypt)
    fronts: tuple[str, ...] = ()
    if "fronts" in m and m["fronts"] != []:
        fronts = tuple(dict.fromkeys(host for host, _ in host_list(check, m["fronts"],
                                                                    src.key(m, "fronts"))))
    if len(check.problems) > before:
        return None
    return DestinationSettings(mismatch=mismatch, no_sni=no_sni, decrypt=decrypt, fronts=fronts)
