"""Requests read from a capture file, as the proxy would have seen them.

Every reader (``har``, ``flows``) turns its entries into ``CapturedRequest`` values (a
``RequestInfo`` built by ``aipolicy.requests``, the body bytes, how complete the body
is) and lists what it could not use as ``Skipped`` entries, with a fixed reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..model import RequestInfo


class CaptureError(Exception):
    """The file is not a capture this reader can read. The message names the file and
    the field, never a value from it."""


class BodyState(StrEnum):
    SENT = "sent"  # the capture holds the body as the client sent it
    EMPTY = "empty"  # the request had no body
    MISSING = "missing"  # the request had a body that the capture does not hold (whole)
    STREAMED = "streamed"  # mitmproxy streamed the body past without keeping it


# Fixed notes a reader attaches to a request (never content).
NOTE_DECODED = ("the HAR file holds the body with its Content-Encoding undone; it is read "
                "as an identity-encoded body")
NOTE_MIME_TYPE = "no Content-Type header in the capture: postData.mimeType used"
NOTE_FORM_PARAMS = "the body was rebuilt from postData.params (no postData.text)"
NOTE_LOSSY = ("the capture holds a lossy text copy of a binary body (U+FFFD replacement "
              "characters): content not checked")
NOTE_REWRITTEN = ("the body had already been rewritten by aipolicy (x-aipolicy-redacted "
                  "on the response) when this flow was saved: it is not what the client sent")
NOTE_CLIENT_OVERRIDE = "client identity from --client-ip/--user, not from the capture"


@dataclass(frozen=True)
class CapturedMessage:
    """A WebSocket message the client sent (the proxy inspects each like a body)."""

    number: int  # 1-based among the client's messages on this connection
    content: bytes = field(repr=False)
    is_text: bool


@dataclass(frozen=True)
class CapturedRequest:
    index: int  # 1-based position in the capture (HAR entry, flow)
    info: RequestInfo
    body: bytes | None = field(repr=False)  # None unless ``body_state`` is SENT or EMPTY
    body_state: BodyState
    notes: tuple[str, ...] = ()
    messages: tuple[CapturedMessage, ...] = ()  # WebSocket messages from the client


@dataclass(frozen=True)
class Skipped:
    index: int
    reason: str  # fixed vocabulary: "not HTTP", "CONNECT", "unreadable: request.url"


@dataclass(frozen=True)
class Capture:
    source: str  # the file name, for output
    format: str  # "har" | "flows"
    creator: str | None  # the tool that wrote the file, when it says
    requests: tuple[CapturedRequest, ...]
    skipped: tuple[Skipped, ...] = ()
