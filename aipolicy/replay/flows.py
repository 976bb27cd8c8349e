"""mitmproxy flow files (``mitmdump -w`` / ``--save-stream-file``).

The core does not import mitmproxy: the command line opens the file with
``mitmproxy.io.FlowReader`` and hands the flows in. Each HTTP flow is described from
the same values the proxy's enforcer reads from a live flow (``addons/enforcer.py``
``describe``; a test holds the two equal on the fixture captures): method, scheme,
host, port, path, every header field, the raw ``:authority``, the client's address and
proxy-auth user, the TLS server name, the proxy mode and the trailers. The body is
``raw_content``: as sent, still Content-Encoded, as the proxy scans it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..model import ClientIdentity
from ..requests import client_identity, describe_request
from .capture import (
    NOTE_CLIENT_OVERRIDE,
    NOTE_REWRITTEN,
    BodyState,
    Capture,
    CapturedMessage,
    CapturedRequest,
    Skipped,
)

# Proxy modes in which the client names the destination (CONNECT, absolute URL), as
# ``enforcer.client_named_destination`` decides with mitmproxy's mode classes.
_EXPLICIT_MODES = frozenset({"regular", "upstream"})


def requests_from_flows(flows: Iterable[Any], source: str, *, client_ip: str | None = None,
                        user: str | None = None) -> Capture:
    """``client_ip``/``user`` replace the identity the capture recorded, when given."""
    requests: list[CapturedRequest] = []
    skipped: list[Skipped] = []
    for index, flow in enumerate(flows, 1):
        if getattr(flow, "type", None) != "http":
            skipped.append(Skipped(index, "not HTTP"))
            continue
        if flow.request.method.upper() == "CONNECT":
            skipped.append(Skipped(index, "CONNECT"))
            continue
        requests.append(_request(index, flow, client_ip, user))
    return Capture(source, "flows", None, tuple(requests), tuple(skipped))


def _request(index: int, flow: Any, client_ip: str | None,
             user: str | None) -> CapturedRequest:
    req, conn = flow.request, flow.client_conn
    notes: list[str] = []
    client = _client(flow)
    if client_ip is not None or user is not None:
        override = client_identity(client_ip, user)
        client = ClientIdentity(override.address if client_ip is not None else client.address,
                                user if user is not None else client.user)
        notes.append(NOTE_CLIENT_OVERRIDE)
    info = describe_request(
        method=req.method, scheme=req.scheme, host=req.host, port=req.port, target=req.path,
        fields=req.headers.items(multi=True), client=client,
        authority=req.data.authority.decode("utf-8", "surrogateescape"),
        tls=bool(conn.tls), sni=conn.sni,
        explicit=getattr(conn.proxy_mode, "type_name", "regular") in _EXPLICIT_MODES,
        trailers=req.trailers.items(multi=True) if req.trailers else ())
    body = req.raw_content
    state = BodyState.STREAMED if body is None else BodyState.SENT if body else BodyState.EMPTY
    if flow.response is not None and "x-aipolicy-redacted" in flow.response.headers:
        notes.append(NOTE_REWRITTEN)
    messages: tuple[CapturedMessage, ...] = ()
    if flow.websocket is not None:
        sent = [m for m in flow.websocket.messages if m.from_client and not m.injected]
        messages = tuple(CapturedMessage(n, m.content, m.is_text)
                         for n, m in enumerate(sent, 1))
    return CapturedRequest(index, info, body, state, tuple(notes), messages)


def _client(flow: Any) -> ClientIdentity:
    peer = flow.client_conn.peername
    auth = flow.metadata.get("proxyauth")
    user = auth[0] if isinstance(auth, tuple | list) and auth else None
    return client_identity(peer[0] if peer else None, user)
