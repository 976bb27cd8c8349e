"""Applies the policy to every AI request: block with a notice, or let it through.

The only code that turns a mitmproxy flow into the core's ``RequestInfo``; everything
else is decided by ``aipolicy.pipeline``. The outcome goes into ``flow.metadata`` for
the audit and metrics addons.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from mitmproxy import http

from aipolicy.model import ClientIdentity, RequestInfo
from aipolicy.notices import Notice

log = logging.getLogger("aipolicy")

METADATA_KEY = "aipolicy"
RESPONSE_HEADERS_KEY = "aipolicy_response_headers"
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

    async def request(self, flow: http.HTTPFlow) -> None:
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
        if not pipeline.needs_body(info):
            verdict = pipeline.evaluate(info, app)
        elif flow.request.raw_content is None:  # streamed past us: cannot be inspected
            verdict = pipeline.failure_verdict(info, app, "the request body was streamed")
        elif not flow.request.raw_content:
            verdict = pipeline.evaluate(info, app)
        else:
            # Scanning is CPU work: off the event loop, or every connection stalls.
            try:
                verdict = await asyncio.wait_for(
                    asyncio.to_thread(pipeline.evaluate, info, app, flow.request.raw_content),
                    pipeline.timeout_seconds)
            except TimeoutError:
                verdict = pipeline.failure_verdict(info, app,
                                                   "inspection exceeded its time budget")
        flow.metadata[METADATA_KEY] = verdict.outcome
        if verdict.notice is not None:
            respond(flow, verdict.notice)
            return
        if verdict.new_body is not None:
            # The redacted body goes out identity-encoded with a correct Content-Length.
            flow.request.headers.pop("content-encoding", None)
            flow.request.content = verdict.new_body
        if verdict.response_headers:
            flow.metadata[RESPONSE_HEADERS_KEY] = verdict.response_headers

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        extra = flow.metadata.get(RESPONSE_HEADERS_KEY)
        if extra and flow.response is not None:
            for name, value in extra:
                flow.response.headers[name] = value
