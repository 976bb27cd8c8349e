"""Test-only mitmproxy addon: every upstream connection goes to the local stand-in.

    mitmdump -s tests/e2e/standin/redirect_addon.py --set standin_address=127.0.0.1:PORT \
        --set ssl_verify_upstream_trusted_ca=<stand-in CA pem>

Only the socket's destination changes (the load order among addons does not matter):

- `server_connect` fires for every upstream connection mitmproxy opens: decrypted
  flows, plain HTTP, and connections passed through without decryption
  (`tls_clienthello` ignore_connection, `ignore_hosts`), because all of them go
  through the proxy server's open_connection. The address is swapped there.
- The upstream SNI stays the hostname the client asked for, so upstream certificate
  verification runs against the real name.
- `server_connected` puts the real address back. Otherwise, with the default eager
  connection strategy, mitmproxy would take `flow.request.host` of decrypted requests
  from the (rewritten) server address, and would not reuse the connection for the
  next request. Only `server_conn.peername` shows where the socket really goes.

Without a valid `standin_address` every upstream connection is refused, so a test
proxy never reaches a real host. Loaded by path, so no imports from the test package.
"""

from __future__ import annotations

import ipaddress
import logging

from mitmproxy import ctx, exceptions
from mitmproxy.connection import Address
from mitmproxy.proxy import server_hooks

logger = logging.getLogger(__name__)


def _parse_address(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not port.isdigit():
        raise exceptions.OptionsError("standin_address must be HOST:PORT")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise exceptions.OptionsError("standin_address must be a loopback IP address")
    return host, int(port)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class RedirectToStandin:
    def __init__(self) -> None:
        self.target: tuple[str, int] | None = None
        self._real_address: dict[str, Address] = {}  # server connection id -> real address

    def load(self, loader) -> None:
        loader.add_option(
            "standin_address",
            str,
            "",
            "HOST:PORT (loopback) of the test stand-in; every upstream connection goes there.",
        )

    def configure(self, updated: set[str]) -> None:
        if "standin_address" in updated:
            value = ctx.options.standin_address
            self.target = _parse_address(value) if value else None

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        server = data.server
        if server.error or server.address is None:
            return
        if self.target is None:
            # Never let a test proxy reach a real host by mistake.
            server.error = "standin_address is not set: upstream connections are refused"
            return
        host = server.address[0]
        # Keep the real name for SNI; mitmproxy would otherwise derive it from the address.
        if server.sni is None and not _is_ip(host):
            server.sni = host
        self._real_address[server.id] = server.address
        server.address = self.target
        logger.debug("stand-in redirect %s -> %s", self._real_address[server.id], self.target)

    def server_connected(self, data: server_hooks.ServerConnectionHookData) -> None:
        real = self._real_address.pop(data.server.id, None)
        if real is not None:
            # Server.__setattr__ refuses address changes on open connections; this only
            # restores the logical destination, the socket stays where it is.
            object.__setattr__(data.server, "address", real)

    def server_connect_error(self, data: server_hooks.ServerConnectionHookData) -> None:
        real = self._real_address.pop(data.server.id, None)
        if real is not None:
            data.server.address = real


addons = [RedirectToStandin()]
