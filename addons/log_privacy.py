"""Keep client bytes out of mitmproxy's connection log.

When mitmproxy cannot parse what a client sent, its proxy core logs the raw bytes:
"Bad HTTP request line: b'POST /v1/chat?key=…'", "Client closed connection before
completing request headers: b'…Authorization: Bearer …'", WebSocket ping payloads,
"Unexpected data from server: b'…'". Those are exactly the requests this proxy refuses,
and they can carry prompts and credentials. Every Python bytes literal in a record of
mitmproxy's connection logger is replaced by a placeholder before any handler sees it;
the rest of the message (what went wrong, which client) stays.
"""

from __future__ import annotations

import logging
import re

LOGGER = "mitmproxy.proxy.server"  # where the proxy layers' log commands are written
_BYTES_LITERAL = re.compile(r"""(?<![\w'"])b'(?:[^'\\]|\\.)*'|(?<![\w'"])b"(?:[^"\\]|\\.)*\"""")


class WithholdBytes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        withheld = _BYTES_LITERAL.sub("<bytes withheld>", message)
        if withheld != message:
            record.msg, record.args = withheld, ()
        return True


def install() -> None:
    """Add the filter to mitmproxy's connection logger, once per process."""
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(f, WithholdBytes) for f in logger.filters):
        logger.addFilter(WithholdBytes())
