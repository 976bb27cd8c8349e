"""What a browser sends that the proxy's form check depends on, modelled from the Fetch
standard, so tests that post the pages' forms without a browser post what one would."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

_POLICIES = frozenset({
    "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin",
    "strict-origin", "origin-when-cross-origin", "strict-origin-when-cross-origin",
    "unsafe-url"})
_DEFAULT_POLICY = "strict-origin-when-cross-origin"


def referrer_policy(header: str | None) -> str:
    """A ``Referrer-Policy`` header's policy: its last token a browser knows."""
    known = [t.strip().lower() for t in (header or "").split(",")
             if t.strip().lower() in _POLICIES]
    return known[-1] if known else _DEFAULT_POLICY


def form_post_origin(policy_header: str | None, page: str, action: str) -> str:
    """The ``Origin`` a browser sends with a form POST from ``page`` to ``action``, per
    the referrer policy of the page ("serializing a request origin")."""
    source, target = urlsplit(page), urlsplit(urljoin(page, action))
    policy = referrer_policy(policy_header)
    same_origin = (source.scheme, source.netloc) == (target.scheme, target.netloc)
    downgrade = source.scheme == "https" and target.scheme != "https"
    if (policy == "no-referrer"
            or policy == "same-origin" and not same_origin
            or policy in ("no-referrer-when-downgrade", "strict-origin",
                          "strict-origin-when-cross-origin") and downgrade):
        return "null"
    return f"{source.scheme}://{source.netloc}"
