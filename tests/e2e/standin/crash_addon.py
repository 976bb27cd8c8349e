"""Test-only mitmproxy addon: make mitmproxy's own protocol layer fail on demand.

A request carrying ``x-test-crash: 1`` gets a response set and streaming enabled in
``requestheaders``; mitmproxy's HTTP layer then raises ("Can't set a response and enable
streaming at the same time") inside the layer stack, the same place as any other crash
in its protocol code. The end-to-end tests use it to check that such a crash closes the
client connection and still leaves one audit line. Loaded by path, like
``redirect_addon.py``.
"""

from __future__ import annotations

from mitmproxy import http


class CrashOnDemand:
    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.request.headers.get("x-test-crash") == "1":
            flow.response = http.Response.make(200, b"never sent")
            flow.request.stream = True


addons = [CrashOnDemand()]
