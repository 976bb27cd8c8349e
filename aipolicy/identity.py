"""Client identity → policy groups (by source network and proxy-auth user)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .model import ClientIdentity

EVERYONE = "everyone"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Group:
    id: str
    description: str
    cidrs: tuple[Network, ...]
    users: frozenset[str]


@dataclass(frozen=True)
class GroupDirectory:
    """Resolves a client to the groups it belongs to, in ruleset order."""

    groups: tuple[Group, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(g.id for g in self.groups) | {EVERYONE}

    def groups_for(self, client: ClientIdentity) -> tuple[str, ...]:
        address = client.address
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped  # dual-stack sockets report ::ffff:10.0.0.1
        found: list[str] = []
        for group in self.groups:
            by_user = client.user is not None and client.user in group.users
            by_address = address is not None and any(
                address.version == net.version and address in net for net in group.cidrs)
            if by_user or by_address:
                found.append(group.id)
        found.append(EVERYONE)
        return tuple(found)


def subject(client: ClientIdentity) -> str:
    """Who a person is for acknowledgements and coach decisions: the proxy-auth user when
    the proxy authenticates, otherwise the client address (everyone behind one address,
    a NAT gateway or a VDI host, is then one person). Prefixed, so that a user named
    like an address is never confused with one."""
    if client.user is not None:
        return f"user:{client.user}"
    address = client.address
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return f"addr:{address}" if address is not None else "addr:unknown"
