"""Where incidents go: a signed webhook and RFC 5424 syslog (UDP, TCP or TLS).

A sink's ``send`` either delivers one payload or raises ``DeliveryError`` with fixed
text; the dispatcher retries with backoff. Payloads are incident records (no values of
findings) plus a one-line ``text`` for people.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from .model import Severity

SIGNATURE_HEADER = "x-aipolicy-signature"
TIMESTAMP_HEADER = "x-aipolicy-timestamp"
DELIVERY_HEADER = "x-aipolicy-delivery"
# RFC 5612 reserves enterprise number 32473 for examples and documentation; an SD-ID
# with it is valid syslog and clearly not a registered vendor's.
SD_ID = "aipolicy@32473"
FACILITIES = {"kern": 0, "user": 1, "daemon": 3, "auth": 4, "syslog": 5, "authpriv": 10,
              **{f"local{i}": 16 + i for i in range(8)}}
_SYSLOG_SEVERITY = {Severity.CRITICAL: 2, Severity.HIGH: 3, Severity.MEDIUM: 4,
                    Severity.LOW: 5}  # crit, err, warning, notice


class DeliveryError(Exception):
    """A sink did not accept a payload. Fixed text: never the payload or a URL's secret."""


class Sink(Protocol):
    id: str
    min_severity: Severity

    async def send(self, payload: dict[str, Any]) -> None: ...

    async def close(self) -> None: ...


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>``; the timestamp is signed
    too, so a receiver can refuse replays older than a few minutes."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


# ----------------------------------------------------------------------------- webhook
@dataclass(frozen=True)
class WebhookConfig:
    id: str
    url: str
    secret: bytes = b""
    min_severity: Severity = Severity.LOW
    timeout: float = 5.0
    ca_file: str | None = None

    def __repr__(self) -> str:  # never the secret
        return f"WebhookConfig({self.id!r}, min_severity={self.min_severity.label})"


class WebhookSink:
    """JSON POST; Slack's incoming webhooks read the ``text`` field, other receivers the
    whole record. Any 2xx is delivered; anything else is retried."""

    def __init__(self, config: WebhookConfig) -> None:
        self.config = config
        self.id = config.id
        self.min_severity = config.min_severity
        verify: ssl.SSLContext | bool = True
        if config.ca_file:
            verify = ssl.create_default_context(cafile=config.ca_file)
        self._client = httpx.AsyncClient(timeout=config.timeout, verify=verify,
                                         follow_redirects=False, trust_env=False)

    async def send(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        headers = {"content-type": "application/json", TIMESTAMP_HEADER: stamp,
                   DELIVERY_HEADER: str(payload.get("delivery_id", "")),
                   "user-agent": "aipolicy-incidents/1"}
        if self.config.secret:
            headers[SIGNATURE_HEADER] = sign(self.config.secret, stamp, body)
        try:
            response = await self._client.post(self.config.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook unreachable ({type(exc).__name__})") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook answered HTTP {response.status_code}")

    async def close(self) -> None:
        await self._client.aclose()


# ----------------------------------------------------------------------------- syslog
@dataclass(frozen=True)
class SyslogConfig:
    id: str
    host: str
    port: int
    transport: str = "udp"  # udp | tcp | tls
    facility: str = "local4"
    min_severity: Severity = Severity.LOW
    ca_file: str | None = None
    app_name: str = "aipolicy"
    timeout: float = 5.0


def rfc5424(payload: dict[str, Any], facility: str, app_name: str,
            hostname: str | None = None) -> bytes:
    """One RFC 5424 message: the key fields as structured data, the whole record as the
    JSON MSG (what SIEMs parse)."""
    severity = Severity.parse(payload.get("severity", "low"))
    pri = FACILITIES[facility] * 8 + _SYSLOG_SEVERITY[severity]
    when = payload.get("time") or dt.datetime.now(dt.UTC).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    host = _header_field(hostname or socket.gethostname(), 255)
    params = " ".join(
        f'{k}="{_sd_escape(str(payload[k]))}"'
        for k in ("severity", "kind", "rule", "app", "action", "reference", "user", "client")
        if payload.get(k) is not None)
    msg = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return (f"<{pri}>1 {when} {host} {_header_field(app_name, 48)} - incident "
            f"[{SD_ID} {params}] {msg}").encode()


def _header_field(value: str, limit: int) -> str:
    """PRINTUSASCII without spaces (RFC 5424 §6.2), or the NILVALUE."""
    clean = "".join(ch for ch in value if 33 <= ord(ch) <= 126)[:limit]
    return clean or "-"


def _sd_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


class SyslogSink:
    """UDP: one datagram per message. TCP and TLS: octet-counted frames (RFC 6587 §3.4.1,
    RFC 5425) over one kept-open connection, reopened after a failure."""

    def __init__(self, config: SyslogConfig) -> None:
        self.config = config
        self.id = config.id
        self.min_severity = config.min_severity
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        message = rfc5424(payload, self.config.facility, self.config.app_name)
        try:
            if self.config.transport == "udp":
                await asyncio.wait_for(self._send_udp(message), self.config.timeout)
            else:
                await asyncio.wait_for(self._send_stream(message), self.config.timeout)
        except (OSError, ssl.SSLError, TimeoutError) as exc:
            await self._drop()
            raise DeliveryError(f"syslog {self.config.transport} failed "
                                f"({type(exc).__name__})") from None

    async def _send_udp(self, message: bytes) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, remote_addr=(self.config.host, self.config.port))
        try:
            transport.sendto(message)
        finally:
            transport.close()

    async def _send_stream(self, message: bytes) -> None:
        async with self._lock:
            # A receiver that closed the connection shows as EOF on our side: reconnect
            # rather than write into a socket that will be reset.
            if (self._writer is None or self._writer.is_closing()
                    or self._reader is None or self._reader.at_eof()):
                await self._drop()
                context = None
                if self.config.transport == "tls":
                    context = ssl.create_default_context(cafile=self.config.ca_file)
                self._reader, self._writer = await asyncio.open_connection(
                    self.config.host, self.config.port, ssl=context,
                    server_hostname=self.config.host if context else None)
            self._writer.write(str(len(message)).encode() + b" " + message)
            await self._writer.drain()

    async def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def close(self) -> None:
        await self._drop()
