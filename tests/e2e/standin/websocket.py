"""WebSocket for the stand-in: the server end of an upgraded connection, and a client that
reaches it through the proxy (CONNECT, real TLS, RFC 6455 handshake and masked frames).

The server records every message a client sends, whole and as received, and answers
each one with a text frame ``{"event": "received", "bytes": N}``, so a test can tell
what reached "upstream" and whether the proxy let a frame through. Frames are framed
and unframed by ``wsproto`` (mitmproxy's own WebSocket library).
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)
from wsproto.utilities import LocalProtocolError

from .replies import DEFAULT_REPLY, Incoming, StreamReply, openai_responses

_READ = 65536


@dataclass(frozen=True)
class WsMessage:
    """One client message as the stand-in received it."""

    host: str
    path: str
    is_text: bool
    content: bytes = field(repr=False)


class MessageLog:
    """Thread-safe list of ``WsMessage``, oldest first."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._items: list[WsMessage] = []

    def append(self, message: WsMessage) -> None:
        with self._cond:
            self._items.append(message)
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._items.clear()

    def snapshot(self) -> list[WsMessage]:
        with self._cond:
            return list(self._items)

    def wait_count(self, count: int, timeout: float = 5.0) -> list[WsMessage]:
        with self._cond:
            self._cond.wait_for(lambda: len(self._items) >= count, timeout)
            return list(self._items)


def is_upgrade(headers: Message) -> bool:
    return ("websocket" in (headers.get("upgrade") or "").lower()
            and "upgrade" in (headers.get("connection") or "").lower())


def serve(handler: Any, host: str, log: MessageLog, reply_text: str = DEFAULT_REPLY) -> None:
    """Accept the upgrade on an ``http.server`` handler's connection (its request line
    and headers already read) and serve messages until the client closes."""
    ws = WSConnection(ConnectionType.SERVER)
    head = handler.requestline + "\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in handler.headers.items()) + "\r\n"
    ws.receive_data(head.encode("latin-1"))
    path = handler.path
    _send(handler, ws, *(AcceptConnection() for e in ws.events() if isinstance(e, Request)))
    parts: list[bytes] = []
    handler.close_connection = True
    while True:
        try:
            data = handler.rfile.read1(_READ)
        except (OSError, ssl.SSLError):
            return
        ws.receive_data(data or None)
        for event in ws.events():
            if isinstance(event, TextMessage | BytesMessage):
                chunk = event.data
                parts.append(chunk.encode() if isinstance(chunk, str) else chunk)
                if event.message_finished:
                    content = b"".join(parts)
                    parts.clear()
                    log.append(WsMessage(host, path, isinstance(event, TextMessage), content))
                    _send(handler, ws, *(TextMessage(m) for m in _answer(
                        host, path, handler.headers, content, reply_text)))
            elif isinstance(event, Ping):
                _send(handler, ws, event.response())
            elif isinstance(event, CloseConnection):
                _send(handler, ws, event.response())
                return
        if not data:
            return


def _answer(host: str, path: str, headers: Message, content: bytes,
            reply_text: str) -> list[str]:
    """What the service sends back for one client message. The OpenAI Responses API over
    a WebSocket (what the Codex CLI uses by default: openai/codex,
    codex-rs/codex-api/src/endpoint/responses_websocket.rs) takes ``response.create``
    messages and answers with the same events its HTTP stream carries, one JSON object
    per message. Anything else gets a receipt the tests read."""
    try:
        data = json.loads(content)
    except ValueError:
        data = None
    if (path.partition("?")[0].endswith("/responses") and isinstance(data, dict)
            and data.get("type") == "response.create"):
        body = {k: v for k, v in data.items() if k != "type"} | {"stream": True}
        req = Incoming(host, "POST", path.partition("?")[0], {}, headers,
                       json.dumps(body).encode())
        try:
            reply = openai_responses(req, None, reply_text)
        except Exception as exc:  # noqa: BLE001 - the stand-in answers what it rejects
            return [json.dumps({"type": "error", "error": {"message": str(exc)}})]
        if isinstance(reply, StreamReply):
            return [line[len("data: "):] for event in reply.events
                    for line in event.decode().splitlines() if line.startswith("data: ")]
    return [json.dumps({"event": "received", "bytes": len(content)})]


def _send(handler: Any, ws: WSConnection, *events: Any) -> None:
    for event in events:
        handler.wfile.write(ws.send(event))
    handler.wfile.flush()


class WebSocketClient:
    """A client WebSocket to ``wss://host/path`` through an HTTP proxy."""

    def __init__(self, proxy_port: int, host: str, path: str, ca_file: Path,
                 headers: tuple[tuple[str, str], ...] = (), timeout: float = 10.0) -> None:
        raw = socket.create_connection(("127.0.0.1", proxy_port), timeout=timeout)
        raw.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = raw.recv(4096)
            if not chunk:
                raise ConnectionError("proxy closed the CONNECT")
            reply += chunk
        if b" 200 " not in reply.split(b"\r\n", 1)[0]:
            raise ConnectionError(reply.split(b"\r\n", 1)[0].decode())
        context = ssl.create_default_context(cafile=str(ca_file))
        self.sock = context.wrap_socket(raw, server_hostname=host)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.sock.sendall(self.ws.send(Request(host=host, target=path,
                                               extra_headers=list(headers))))
        self.status: int | None = None
        self._pending: list[str | bytes] = []
        self._parts: list[str | bytes] = []
        while self.status is None:
            self._pump()

    def _pump(self) -> None:
        data = self.sock.recv(_READ)
        self.ws.receive_data(data or None)
        for event in self.ws.events():
            if isinstance(event, AcceptConnection):
                self.status = 101
            elif isinstance(event, RejectConnection):
                self.status = event.status_code
            elif isinstance(event, TextMessage | BytesMessage):
                self._parts.append(event.data)
                if event.message_finished:
                    first = self._parts[0]
                    joined = "".join(self._parts) if isinstance(first, str) \
                        else b"".join(self._parts)  # type: ignore[arg-type]
                    self._pending.append(joined)
                    self._parts.clear()
            elif isinstance(event, CloseConnection):
                raise ConnectionError(f"closed by peer ({event.code})")
        if not data:
            raise ConnectionError("connection closed")

    def send(self, content: str | bytes) -> None:
        message = TextMessage(content) if isinstance(content, str) else BytesMessage(content)
        self.sock.sendall(self.ws.send(message))

    def receive(self) -> str | bytes:
        """The next whole message from the server (socket timeout applies)."""
        while not self._pending:
            self._pump()
        return self._pending.pop(0)

    def close(self) -> None:
        if self.status == 101:
            with contextlib.suppress(OSError, LocalProtocolError):
                self.sock.sendall(self.ws.send(CloseConnection(code=1000)))
        self.sock.close()

    def __enter__(self) -> WebSocketClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
