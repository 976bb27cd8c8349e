"""Form protection for the proxy's own pages (acknowledgement, coach).

Each browser gets a random session id in a cookie that only the pages' reserved path
receives (``Path=<pages>``, ``HttpOnly``, ``SameSite=Strict``, ``Secure`` over TLS), so
the AI service never sees it; each form carries ``HMAC(key, session | purpose | host)``.
A form posted from another site has neither the cookie (SameSite) nor the token (it
cannot read the page), and the ``Origin`` and ``Sec-Fetch-Site`` headers must name this
origin when the browser sends them. ``Origin: null`` (an opaque origin) never passes, so
the pages must not hide their origin from their own forms: their ``Referrer-Policy`` is
``same-origin`` (``aipolicy.pages``), since under ``no-referrer`` a browser posts with
``Origin: null``.

The key is random per process unless configured (``aipolicy_page_secret``): replicas
behind a load balancer need the same key, or a form served by one is refused by another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

COOKIE = "aipolicy_session"
_SESSION_BYTES = 18
_MIN_SECRET = 16


class PageKeys:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < _MIN_SECRET:
            raise ValueError(f"the page secret must be at least {_MIN_SECRET} bytes")
        self._secret = secret

    @classmethod
    def random(cls) -> PageKeys:
        return cls(os.urandom(32))

    @classmethod
    def from_file(cls, path: Path) -> PageKeys:
        """Raises OSError or ValueError (the message never holds the secret)."""
        return cls(path.read_bytes().strip())

    def token(self, session: str, purpose: str, host: str) -> str:
        mac = hmac.new(self._secret, f"{session}|{purpose}|{host}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()[:24]).decode().rstrip("=")

    def valid(self, session: str | None, purpose: str, host: str, token: str | None) -> bool:
        if not session or not token:
            return False
        return hmac.compare_digest(self.token(session, purpose, host).encode(),
                                   token.encode("ascii", "replace"))


def session_of(cookie_headers: list[str]) -> str | None:
    """The session id the browser sent, if it is one we could have made."""
    for header in cookie_headers:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            continue
        morsel = jar.get(COOKIE)
        if morsel is not None and _well_formed(morsel.value):
            return morsel.value
    return None


def new_session() -> str:
    return secrets.token_urlsafe(_SESSION_BYTES)


def _well_formed(value: str) -> bool:
    return 16 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def session_cookie(session: str, path: str, secure: bool) -> str:
    flags = "; Secure" if secure else ""
    return f"{COOKIE}={session}; Path={path}; HttpOnly; SameSite=Strict{flags}"


def same_origin(origin: str | None, fetch_site: str | None, scheme: str, host: str,
                port: int) -> bool:
    """The browser's own word on where a form post comes from, when it gives one."""
    if fetch_site is not None and fetch_site.strip().lower() not in ("same-origin", "none"):
        return False
    if origin is None:
        return True
    try:
        parts = urlsplit(origin.strip())
        their_port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    return (parts.scheme == scheme and (parts.hostname or "") == host.lower()
            and their_port == port)
