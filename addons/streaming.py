"""Streams responses through instead of buffering them.

Chat UIs and SDKs read server-sent events as they arrive; a buffered answer would
appear all at once at the end. The proxy inspects requests, not responses, so every
response is streamed; one that should start with a note about redaction
(``aipolicy.respond.stream_note``) is rewritten as it streams past.
"""

from __future__ import annotations

from enforcer import NOTE_KEY
from mitmproxy import http

from aipolicy.respond import stream_note


class Streaming:
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        response = flow.response
        if response is None:
            return
        note = flow.metadata.get(NOTE_KEY)
        rewrite = None
        if note is not None and response.status_code == 200 and \
                response.headers.get("content-encoding", "identity").lower() == "identity":
            rewrite = stream_note(note.wire, note.text, response.headers.get("content-type", ""))
        response.stream = rewrite or True
