"""How one HTTP request is described to the policy, from plain values.

The proxy (``addons/enforcer.py``), ``aipolicy test`` and the capture readers
(``aipolicy.replay``: HAR files, mitmproxy flow files) all build their ``RequestInfo``
here, so a request read from a capture is described exactly as the proxy describes it
when it passes.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from .model import ClientIdentity, DestinationNames, RequestInfo

# Request headers the decisions look at; nothing else is copied into ``headers``.
DECISION_HEADERS = ("accept", "content-type", "content-encoding", "sec-fetch-mode",
                    "sec-fetch-dest", "user-agent")


def client_identity(address: str | None, user: str | None = None) -> ClientIdentity:
    """The client as the policy sees it: its address (None when it is not an IP address
    or not known) and its proxy-auth user name."""
    parsed = None
    if address:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            parsed = None
    return ClientIdentity(parsed, user or None)


def describe_request(*, method: str, scheme: str, host: str, port: int, target: str,
                     fields: Iterable[tuple[str, str]], client: ClientIdentity,
                     authority: str = "", tls: bool, sni: str | None,
                     explicit: bool = True,
                     trailers: Iterable[tuple[str, str]] = ()) -> RequestInfo:
    """One request as the policy sees it.

    ``host`` and ``port``: where the request goes (the CONNECT target, the transparent
    destination or the absolute URL's host); ``target``: the path with its query string;
    ``fields``: every header as sent, in order, duplicates kept (HTTP/2 pseudo-headers
    excluded); ``authority``: the HTTP/2 ``:authority`` or the authority of an
    absolute-form URL inside a tunnel, raw; ``sni``: the TLS server name (only a TLS
    connection has one); ``explicit``: the client named the destination (explicit proxy),
    rather than the network (transparent mode).
    """
    fields = tuple((name.lower(), value) for name, value in fields)
    headers: dict[str, str] = {}
    for name in DECISION_HEADERS:
        values = [v for k, v in fields if k == name]
        if values:  # several fields of one name read as one comma-joined value
            headers[name] = ", ".join(values)
    path, _, query = target.partition("?")
    hosts = [v for k, v in fields if k == "host"]
    if authority and authority not in hosts:
        hosts.append(authority)
    names = DestinationNames(
        destination=host or None,
        sni=(sni or None) if tls else None,
        hosts=tuple(hosts),
        tls=tls,
        explicit=explicit,
    )
    return RequestInfo(
        method=method,
        scheme=scheme,
        host=host.lower().rstrip("."),
        port=port,
        path=path,
        headers=headers,
        client=client,
        names=names,
        query=query,
        fields=fields,
        trailers=tuple((k.lower(), v) for k, v in trailers),
    )
