"""Streams responses through instead of buffering them.

Chat UIs and SDKs read server-sent events as they arrive; a buffered answer would
appear all at once at the end. The proxy inspects requests, not responses, so every
response is streamed.
"""

from __future__ import annotations

from mitmproxy import http


class Streaming:
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None:
            flow.response.stream = True
