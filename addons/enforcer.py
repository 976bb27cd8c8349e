"""Applies the policy to every AI request: block with a notice, or let it through.

The only code that turns a mitmproxy flow into the core's ``RequestInfo``; everything
else is decided by ``aipolicy.pipeline``. The outcome goes into ``flow.metadata`` for
the audit and metrics addons.
"""

from __future__ import annotations

import ipaddress
import logging

from mitmproxy import http

from aipolicy.model import ClientIdentity, RequestInfo
from aipolicy.notices import Notice

log = logging.getLogger("aipolicy")

METADATA_KEY = "aipolicy"
# Request headers the decisions look at; nothing else is copied out of the flow.
_HEADERS = ("accept", "content-type", "content-encoding", "sec-fetch-mode", "sec-fetch-dest",
            "user-agent")


def describe(flow: http.HTTPFlow) -> RequestInfo:
    req = flow.request
    address = None
    peer = flow.client_conn.peername
    if peer:
        try:
            address = ipaddress.ip_address(peer[0])
        except ValueError:
            address = None
    auth = flow.metadata.get("proxyauth")
    user = auth[0] if isinstance(auth, tuple | list) and auth else None
    headers = {name: req.headers[name] for name in _HEADERS if name in req.headers}
    return RequestInfo(
        method=req.method,
        scheme=req.scheme,
        host=req.host.lower().rstrip("."),
        port=req.port,
        path=req.path.split("?", 1)[0],
        headers=headers,
        client=ClientIdentity(address, user),
    )


def respond(flow: http.HTTPFlow, notice: Notice) -> None:
    flow.response = http.Response.make(notice.status, notice.body, dict(notice.headers))


class Enforcer:
    def __init__(self, state) -> None:
        self.state = state

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response or not flow.live:
            return
        pipeline = self.state.pipeline
        if pipeline is None:  # cannot happen after start-up; never pass unchecked
            flow.response = http.Response.make(
                503, b"aipolicy: no ruleset loaded", {"content-type": "text/plain"})
            return
        info = describe(flow)
        app = pipeline.classify(info, flow.request.host_header)
        if app is None:
            return
        verdict = pipeline.evaluate(info, app)
        flow.metadata[METADATA_KEY] = verdict.outcome
        if verdict.notice is not None:
            respond(flow, verdict.notice)
