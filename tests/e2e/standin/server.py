"""A loopback HTTPS server standing in for the AI services in end-to-end tests.

One port serves every hostname: the certificate is chosen by SNI (the AI certificate,
the `plain.example.test` certificate, or one minted for an unknown name), and a
connection whose first byte is not a TLS handshake is served as plain HTTP. Every
request is recorded with its body bytes exactly as received (after HTTP/1.1 chunked
framing, before any Content-Encoding), so tests can see what reached "upstream".

A WebSocket upgrade is accepted and its client messages recorded in
`StandIn.websocket_messages` (see `websocket.py`).

Test controls, as request headers:
  x-test-gate: NAME   a streamed reply sends its first event, then waits for
                      `StandIn.release(NAME)` (or the gate timeout, after which the
                      stream is cut off, so a forgotten release fails loudly).
  x-test-reply: TEXT  the assistant text to answer with (ASCII).
  x-test-trailers: 1  end a streamed reply with a trailer field (X-Test-Trailer).
  x-test-switch: 1    answer 101 Switching Protocols (to the request's Upgrade, else
                      "test"), then echo every byte received, recording each read as a
                      request with method "RAW" (what a proxy relays after a switch).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from typing import Any, Self

from . import websocket
from .bodies import MultipartPart, decode_content, parse_multipart
from .pki import StandinPKI
from .replies import DEFAULT_REPLY, Incoming, Reply, StreamReply, respond

_MAX_LINE = 65536


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the stand-in received it."""

    connection_id: int
    tls: bool
    sni: str | None
    host: str  # from the Host header (no port), else the SNI
    method: str
    path: str  # with the query string
    http_version: str
    headers: tuple[tuple[str, str], ...] = field(repr=False)
    body: bytes = field(repr=False)  # exactly as received, still content-encoded

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [v for k, v in self.headers if k.lower() == wanted]

    @property
    def path_only(self) -> str:
        return self.path.partition("?")[0]

    @property
    def query(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(self.path.partition("?")[2], keep_blank_values=True)

    def decoded_body(self) -> bytes:
        """The body with its Content-Encoding undone."""
        return decode_content(self.body, self.header("content-encoding"))

    def json(self) -> Any:
        return json.loads(self.decoded_body())

    def form(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(self.decoded_body().decode(), keep_blank_values=True)

    def multipart(self) -> tuple[MultipartPart, ...]:
        return parse_multipart(self.decoded_body(), self.header("content-type"))


@dataclass(frozen=True)
class ConnectionInfo:
    connection_id: int
    tls: bool
    sni: str | None
    alpn: str | None
    peer: tuple[str, int]


def _host_matches(wanted: str | None, host: str) -> bool:
    return wanted is None or wanted.lower() == host


class RequestLog:
    """Thread-safe list of `RecordedRequest`s, oldest first."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._items: list[RecordedRequest] = []

    def append(self, request: RecordedRequest) -> None:
        with self._cond:
            self._items.append(request)
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._items.clear()

    def snapshot(self) -> list[RecordedRequest]:
        with self._cond:
            return list(self._items)

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.snapshot())

    def __getitem__(self, index: int) -> RecordedRequest:
        with self._cond:
            return self._items[index]

    def for_host(self, host: str | None, path_prefix: str = "") -> list[RecordedRequest]:
        """Requests to `host` (None: any) whose path starts with `path_prefix`."""
        return [
            r
            for r in self.snapshot()
            if _host_matches(host, r.host) and r.path.startswith(path_prefix)
        ]

    def last_for(self, host: str | None, path_prefix: str = "") -> RecordedRequest | None:
        found = self.for_host(host, path_prefix)
        return found[-1] if found else None

    def wait_for(
        self, host: str | None, path_prefix: str = "", timeout: float = 5.0
    ) -> RecordedRequest:
        """The last matching request, waiting up to `timeout` s for one to arrive."""
        with self._cond:
            self._cond.wait_for(lambda: self.last_for(host, path_prefix) is not None, timeout)
        found = self.last_for(host, path_prefix)
        if found is None:
            raise TimeoutError(f"no request for {host} {path_prefix!r} within {timeout}s")
        return found


class _Gate:
    def __init__(self) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()


class _Gates:
    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._lock = threading.Lock()
        self._gates: dict[str, _Gate] = {}
        self.timed_out: list[str] = []

    def _get(self, name: str) -> _Gate:
        with self._lock:
            return self._gates.setdefault(name, _Gate())

    def pass_through(self, name: str) -> bool:
        """Called by the server: mark the gate reached and wait; False on timeout."""
        gate = self._get(name)
        gate.reached.set()
        if gate.released.wait(self._timeout):
            return True
        with self._lock:
            self.timed_out.append(name)
        return False

    def release(self, name: str) -> None:
        self._get(name).released.set()

    def wait_reached(self, name: str, timeout: float) -> bool:
        return self._get(name).reached.wait(timeout)

    def reset(self) -> None:
        with self._lock:
            for gate in self._gates.values():
                gate.released.set()  # never leave a stream of an earlier test blocked
            self._gates.clear()
            self.timed_out.clear()


class _HTTPServer(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin
        super().__init__(("127.0.0.1", 0), BaseHTTPRequestHandler)

    def get_request(self) -> tuple[Any, Any]:
        sock, address = super().get_request()
        # Headers and body go out in separate writes: without this, Nagle + delayed ACK
        # hold every reply for ~40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, address

    def finish_request(self, request: Any, client_address: Any) -> None:
        self.standin._serve_connection(request, client_address, self)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin/1.0"
    sys_version = ""

    def __init__(
        self, request: Any, client_address: Any, server: Any, standin: StandIn, info: ConnectionInfo
    ) -> None:
        self.standin = standin
        self.info = info
        self.timeout = standin.idle_timeout
        super().__init__(request, client_address, server)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output clean; the request log is the record

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.send_error(400, "bad request framing")
            self.close_connection = True
            return
        header_items = tuple((k, v) for k, v in self.headers.items())
        record = RecordedRequest(
            connection_id=self.info.connection_id,
            tls=self.info.tls,
            sni=self.info.sni,
            host=_host_of(self.headers.get("host")) or (self.info.sni or ""),
            method=self.command,
            path=self.path,
            http_version=self.request_version,
            headers=header_items,
            body=body,
        )
        self.standin.requests.append(record)
        if self.headers.get("x-test-switch"):
            self._switch_protocols(record)
            return
        if websocket.is_upgrade(self.headers):
            websocket.serve(self, record.host, self.standin.websocket_messages,
                            self.headers.get("x-test-reply") or self.standin.reply_text)
            return

        try:
            decoded = decode_content(body, self.headers.get("content-encoding"))
        except ValueError:
            self._send_reply(Reply(400, (("Content-Type", "text/plain"),), b"undecodable body"))
            return
        target = urllib.parse.urlsplit(self.path)
        incoming = Incoming(
            host=record.host,
            method=self.command,
            path=target.path,
            query=urllib.parse.parse_qs(target.query, keep_blank_values=True),
            headers=self.headers,
            body=decoded,
        )
        reply = respond(incoming, self.headers.get("x-test-reply") or self.standin.reply_text)
        if isinstance(reply, StreamReply):
            self._send_stream(reply, self.headers.get("x-test-gate"))
        else:
            self._send_reply(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _dispatch
    do_QUERY = do_PROPFIND = do_SEARCH = _dispatch

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(_MAX_LINE)
                size = int(size_line.split(b";", 1)[0].strip() or b"x", 16)
                if size == 0:
                    while self.rfile.readline(_MAX_LINE) not in (b"\r\n", b"\n", b""):
                        pass  # trailer fields
                    return b"".join(chunks)
                chunk = self.rfile.read(size)
                if len(chunk) != size:
                    raise ValueError("truncated chunk")
                chunks.append(chunk)
                self.rfile.readline(_MAX_LINE)
        length = self.headers.get("content-length")
        if not length:
            return b""
        size = int(length)
        data = self.rfile.read(size)
        if len(data) != size:
            raise ValueError("truncated body")
        return data

    def _switch_protocols(self, record: RecordedRequest) -> None:
        self.send_response(101)
        self.send_header("Upgrade", self.headers.get("upgrade") or "test")
        self.send_header("Connection", "Upgrade")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        self.connection.settimeout(5)
        while True:
            try:
                data = self.rfile.read1(65536)
            except OSError:
                return
            if not data:
                return
            self.standin.requests.append(
                dataclasses.replace(record, method="RAW", headers=(), body=data))
            self.wfile.write(data)
            self.wfile.flush()

    def _send_reply(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.status not in (204, 304):
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def _send_stream(self, reply: StreamReply, gate: str | None) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.command == "HEAD":
            return
        for index, event in enumerate(reply.events):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
            if index == 0 and gate and not self.standin._gates.pass_through(gate):
                self.close_connection = True  # cut the stream: no terminating chunk
                return
        trailer = b"X-Test-Trailer: 1\r\n" if self.headers.get("x-test-trailers") else b""
        self.wfile.write(b"0\r\n%s\r\n" % trailer)


def _host_of(host_header: str | None) -> str:
    if not host_header:
        return ""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    name, _, port = host.rpartition(":")
    return name if name and port.isdigit() else host


class StandIn:
    """The running stand-in: `start()`, point clients at `port`, read `requests`."""

    def __init__(
        self,
        pki: StandinPKI,
        *,
        reply_text: str = DEFAULT_REPLY,
        gate_timeout: float = 10.0,
        idle_timeout: float = 30.0,
    ) -> None:
        self.pki = pki
        self.reply_text = reply_text
        self.idle_timeout = idle_timeout
        self.requests = RequestLog()
        self.websocket_messages = websocket.MessageLog()
        self._gates = _Gates(gate_timeout)
        self._lock = threading.Lock()
        self._connection_ids = itertools.count(1)
        self._connections: list[ConnectionInfo] = []
        self._open_sockets: set[socket.socket] = set()
        self._local = threading.local()
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._plain_context = self._context(pki.plain.cert_path, pki.plain.key_path)
        self._default_context = self._context(pki.ai.cert_path, pki.ai.key_path)
        self._default_context.sni_callback = self._on_sni
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    def start(self) -> Self:
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._gates.reset()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            sockets = list(self._open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(5)
        self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- for tests ---

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("stand-in not started")
        return self._httpd.server_address[1]

    @property
    def address(self) -> str:
        """`127.0.0.1:PORT`, the value of the redirect addon's `standin_address` option."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/", host: str = "localhost", scheme: str = "https") -> str:
        """A URL reaching the stand-in directly (no proxy)."""
        return f"{scheme}://{host}:{self.port}{path}"

    def release(self, gate: str) -> None:
        """Let streams waiting at `gate` send the rest of their events."""
        self._gates.release(gate)

    def wait_gate_reached(self, gate: str, timeout: float = 5.0) -> bool:
        """True once a stream has sent its first event and is waiting at `gate`."""
        return self._gates.wait_reached(gate, timeout)

    def gate_timeouts(self) -> list[str]:
        """Gates whose stream was cut off because nobody released them in time."""
        with self._gates._lock:
            return list(self._gates.timed_out)

    def connections(self) -> list[ConnectionInfo]:
        with self._lock:
            return list(self._connections)

    def reset(self) -> None:
        """Forget recorded requests, connections and gates (between tests)."""
        self.requests.clear()
        self.websocket_messages.clear()
        self._gates.reset()
        with self._lock:
            self._connections.clear()

    # --- internals ---

    @staticmethod
    def _context(cert: Any, key: Any) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    def _context_for(self, server_name: str) -> ssl.SSLContext:
        if self.pki.plain.covers(server_name):
            return self._plain_context
        if self.pki.ai.covers(server_name):
            return self._default_context
        with self._lock:
            if server_name not in self._contexts:
                issued = self.pki.issue(server_name)
                self._contexts[server_name] = self._context(issued.cert_path, issued.key_path)
            return self._contexts[server_name]

    def _on_sni(self, sslobj: Any, server_name: str | None, ctx: ssl.SSLContext) -> None:
        # Runs in the connection's thread during the handshake.
        self._local.sni = server_name
        if server_name:
            # A name that is not a usable hostname keeps the default certificate.
            with contextlib.suppress(ValueError):
                sslobj.context = self._context_for(server_name)

    def _serve_connection(self, sock: socket.socket, peer: Any, httpd: _HTTPServer) -> None:
        conn = sock
        self._track(conn, True)
        try:
            sock.settimeout(self.idle_timeout)
            first = sock.recv(1, socket.MSG_PEEK)
            if not first:
                return
            tls = first == b"\x16"
            sni = alpn = None
            if tls:
                self._local.sni = None
                self._track(sock, False)
                conn = self._default_context.wrap_socket(sock, server_side=True)
                self._track(conn, True)
                sni, alpn = self._local.sni, conn.selected_alpn_protocol()
            with self._lock:
                info = ConnectionInfo(next(self._connection_ids), tls, sni, alpn, tuple(peer[:2]))
                self._connections.append(info)
            _Handler(conn, peer, httpd, self, info)
        except (OSError, ssl.SSLError):
            pass  # the client went away or refused the certificate
        finally:
            self._track(conn, False)
            conn.close()

    def _track(self, sock: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._open_sockets.add(sock)
            else:
                self._open_sockets.discard(sock)
