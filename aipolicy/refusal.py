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

from enum import StrEnum

REQUEST_REFUSED = "request-refused"  # the rule id of every refusal


class Refusal(StrEnum):
    TRAILERS = "the request carried trailer fields, which the proxy does not pass on"
    UPGRADE = "the request asked to switch to a protocol the proxy cannot inspect"
    TRANSFER_CODING = "the request body is sent in a transfer coding the proxy does not decode"
    UNREADABLE = "the proxy could not read the request"
    PROXY_FAILED = "the proxy failed while handling the request"
    UNDECIDED = "the policy check on the request did not complete"
