"""Requests the proxy refuses because it cannot carry them intact, whatever the rules say.

These are not policy decisions but the limits of what the proxy can read and pass on:
HTTP/1 trailer fields (mitmproxy cannot parse them), a switch to a protocol the proxy
cannot inspect, a body in a transfer coding the proxy does not undo (the upstream would
read other bytes than were inspected), a request mitmproxy could not read, a failure
inside the proxy, a policy check that did not complete. Passing any of them on would
mean content reaching an AI service without the policy having seen it, so they are
refused in report mode too and whatever ``inspection.on_error`` says.

Each reason is fixed text: it is the audit line's ``failure``, the label of
``aipolicy_inspection_failures_total`` and part of the notice. Nothing from the request
is ever part of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

REQUEST_REFUSED = "request-refused"  # the rule id of every refusal


class Refusal(StrEnum):
    TRAILERS = "the request carried trailer fields, which the proxy does not pass on"
    UPGRADE = "the request asked to switch to a protocol the proxy cannot inspect"
    TRANSFER_CODING = "the request body is sent in a transfer coding the proxy does not decode"
    UNREADABLE = "the proxy could not read the request"
    PROXY_FAILED = "the proxy failed while handling the request"
    UNDECIDED = "the policy check on the request did not complete"


def protocol_refusal(fields: Sequence[tuple[str, str]], trailers: bool, *,
                     websocket: bool = True) -> Refusal | None:
    """Why the proxy refuses a request before any rule, if it does: trailer fields, a
    body in a transfer coding besides ``chunked`` (mitmproxy undoes only that one:
    ``gzip, chunked`` would be scanned compressed and inflated upstream), or a switch to
    anything but a WebSocket the proxy inspects (after a ``101`` mitmproxy would relay
    raw bytes). ``fields``: the header fields, lower-case names; ``websocket``:
    mitmproxy's ``websocket`` option (off: no WebSocket is inspected)."""

    def value(name: str) -> str | None:  # several fields of one name read comma-joined
        values = [v for k, v in fields if k == name]
        return ", ".join(values) if values else None

    if trailers:
        return Refusal.TRAILERS
    coding = value("transfer-encoding")
    if coding is not None and coding.replace(" ", "").lower() != "chunked":
        return Refusal.TRANSFER_CODING
    upgrade = value("upgrade")
    # the header and version mitmproxy checks before it picks its WebSocket layer
    if upgrade is not None and not (websocket and upgrade.strip().lower() == "websocket"
                                    and (value("sec-websocket-version") or "").strip() == "13"):
        return Refusal.UPGRADE
    return None
