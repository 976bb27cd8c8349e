"""Host names as clients write them, brought to the one form the policy compares.

A client names where a request goes up to four times (CONNECT target, TLS server name,
``Host``/``:authority``, absolute-form URL), and each can be written in many ways that
servers and resolvers treat alike: upper case, Unicode or punycode, trailing dots, a
port, user info, IPv4 in decimal, hex, octal or short form, bracketed IPv6 with a zone.
``parse_host`` reads any of them into one ``Host``: a DNS name (lower-case ASCII,
punycode, no trailing dot), an IP address, or *unreadable* — a value that is not a host
name at all. Unreadable values are never kept: they may carry anything.

The rules follow the WHATWG URL standard's host parser, which browsers implement:
UTS #46 mapping for non-ASCII names, and a name whose last label is a number is an IPv4
address in the forms ``inet_aton`` accepts, or invalid.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote_to_bytes

import idna

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CONTROL = re.compile(r"[\x00-\x20\x7f]")  # whitespace and control characters
_NAME = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*")  # DNS labels (and '_')
# The usual case, read in one step: a lower-case name, maybe trailing dots and a port.
_PLAIN = re.compile(r"([a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*)\.*(?::(\d{1,5}))?")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f%@:/?#\[\]\\]")  # in a percent-decoded host
_DIGITS = {10: frozenset("0123456789"), 8: frozenset("01234567"),
           16: frozenset("0123456789abcdef")}
_LOOPBACK = ipaddress.IPv4Address("127.0.0.1")


class HostKind(StrEnum):
    NAME = "name"  # a DNS name
    ADDRESS = "address"  # an IP literal (or ``localhost``): names no service
    UNREADABLE = "unreadable"  # not a host name: the policy cannot tell where it goes


@dataclass(frozen=True, slots=True)
class Host:
    kind: HostKind
    name: str = ""  # NAME: the normalised DNS name; ADDRESS: the address as text; else ""
    address: IPAddress | None = None

    @property
    def is_public_address(self) -> bool:
        """An IP address routed on the internet (not private, loopback, link-local)."""
        address = self.address
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return address is not None and address.is_global


UNREADABLE = Host(HostKind.UNREADABLE)


def parse_host(value: str | None) -> Host | None:
    """The host a CONNECT target, server name, Host value or URL authority names.

    None for an absent or empty value. Ports and user info are dropped; so are any
    number of trailing dots (``api.openai.com..:443`` is ``api.openai.com``).
    """
    if value is None:
        return None
    plain = _PLAIN.fullmatch(value)
    if plain:
        name, port = plain.groups()
        last = name.rpartition(".")[2]
        if (len(name) <= 253 and not _is_number(last) and last != "localhost"
                and (port is None or int(port) <= 65535)):
            return Host(HostKind.NAME, name)
    text = value.strip(" \t")
    if not text:
        return None
    if _CONTROL.search(text):
        return UNREADABLE  # whitespace or control characters inside: no host has them
    userinfo, at, rest = text.rpartition("@")
    if at:
        if "@" in userinfo or not rest:
            return UNREADABLE
        text = rest
    if text.startswith("["):
        return _bracketed(text)
    if text.count(":") > 1:  # a bare IPv6 address (mitmproxy's CONNECT target has none)
        return _ipv6(text) or UNREADABLE
    host, colon, port = text.partition(":")
    if colon and port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        return UNREADABLE
    return _name_or_ipv4(host)


def _bracketed(text: str) -> Host:
    inside, bracket, after = text[1:].partition("]")
    if not bracket or (after and not (after.startswith(":") and _port(after[1:]))):
        return UNREADABLE
    return _ipv6(inside.replace("%25", "%")) or UNREADABLE  # RFC 6874 zone: %25


def _port(text: str) -> bool:
    return not text or (text.isascii() and text.isdigit() and int(text) <= 65535)


def _ipv6(text: str) -> Host | None:
    try:
        address = ipaddress.IPv6Address(text)  # accepts a zone id (fe80::1%eth0)
    except ValueError:
        return None
    return Host(HostKind.ADDRESS, str(address), address)


def _name_or_ipv4(host: str) -> Host:
    if "%" in host:  # browsers percent-decode a host before reading it
        try:
            host = unquote_to_bytes(host).decode("utf-8")
        except UnicodeDecodeError:
            return UNREADABLE
        if _FORBIDDEN.search(host):
            return UNREADABLE
    if not host.isascii():
        try:
            # UTS #46 as browsers apply it: maps case, full-width forms and the
            # ideographic full stop; non-transitional, so 'ß' stays 'ß'.
            host = idna.encode(host.rstrip(".。．｡"), uts46=True, std3_rules=False,
                               transitional=False).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return UNREADABLE
    host = host.lower().rstrip(".")
    if not host:
        return UNREADABLE
    labels = host.split(".")
    if _is_number(labels[-1]):
        address = _ipv4(labels)
        return Host(HostKind.ADDRESS, str(address), address) if address else UNREADABLE
    if len(host) > 253 or not _NAME.fullmatch(host):
        return UNREADABLE
    if labels[-1] == "localhost":  # RFC 6761: always the loopback address
        return Host(HostKind.ADDRESS, host, _LOOPBACK)
    return Host(HostKind.NAME, host)


def _is_number(label: str) -> bool:
    if label.startswith("0x"):
        return _DIGITS[16].issuperset(label[2:])
    return bool(label) and _DIGITS[10].issuperset(label)


def _ipv4(labels: list[str]) -> ipaddress.IPv4Address | None:
    """IPv4 in every form ``inet_aton`` accepts: 1 to 4 parts, each decimal, 0x-hex or
    0-octal; the last part fills the remaining bytes (``127.1``, ``0x7f000001``)."""
    if len(labels) > 4:
        return None
    numbers = []
    for label in labels:
        if label.startswith("0x"):
            text, base = label[2:] or "0", 16
        elif len(label) > 1 and label.startswith("0"):
            text, base = label[1:], 8
        else:
            text, base = label, 10
        if not text or not _DIGITS[base].issuperset(text):
            return None  # also refuses int()'s extras: signs, '_', spaces
        numbers.append(int(text, base))
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)
