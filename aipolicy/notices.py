"""Notices people understand: an HTML page for browsers, the provider's own error for SDKs.

A notice says which app, why (the rule's fixed reason), what was found (kinds and
counts only, never values), the approved alternative, the policy link, the contact and
a reference id that also appears in the audit log.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from importlib import resources
from string import Template

from .model import App, Decision, RequestInfo
from .outcome import FindingSummary
from .ruleset import PolicyInfo

NOTICE_FORMATS = ("html", "openai", "anthropic", "gemini", "json")
_TEMPLATE = Template(resources.files("aipolicy").joinpath("templates/notice.html").read_text())


@dataclass(frozen=True)
class Notice:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    format: str


@dataclass(frozen=True)
class NoticeFacts:
    """Everything a notice may say. ``problem`` replaces the rule's reason when the
    request was blocked because it could not be inspected."""

    reference: str
    decision: Decision
    policy: PolicyInfo
    host: str
    findings: FindingSummary = FindingSummary()
    problem: str | None = None


def choose_format(request: RequestInfo, app: App | None) -> str:
    """Browser navigations get HTML; API clients their provider's error shape."""
    accept = request.accept.lower()
    navigation = request.headers.get("sec-fetch-mode", "") == "navigate" or (
        request.method in ("GET", "HEAD") and "text/html" in accept
    )
    if navigation:
        return "html"
    if app is not None and app.api_format in ("openai", "anthropic", "gemini"):
        return app.api_format
    return "json"


def describe_findings(findings: FindingSummary) -> str:
    """'2 secrets: AWS access key, GitHub token' style text; kinds and counts only."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for kind, _type, label, count in findings.counts:
        groups.setdefault(kind, []).append((label, count))
    nouns = {"secret": ("secret", "secrets"), "pii": ("item of personal data",
             "items of personal data"), "custom": ("confidential term", "confidential terms")}
    parts = []
    for kind, items in groups.items():
        total = sum(c for _, c in items)
        one, many = nouns.get(kind, ("finding", "findings"))
        labels = ", ".join(f"{label} ×{c}" if c > 1 else label for label, c in items)
        parts.append(f"{total} {one if total == 1 else many}: {labels}")
    return "; ".join(parts)


def _message(facts: NoticeFacts) -> str:
    d = facts.decision
    app = d.app.name if d.app else facts.host
    what = facts.problem or d.reason
    text = f"Blocked by {facts.policy.name} (version {facts.policy.version}): {app}. {what}"
    if facts.findings.total:
        text += f" Found {describe_findings(facts.findings)}."
    alt = _alternative_name(d)
    if alt:
        text += f" Use {alt} instead."
    text += (
        f" Policy: {facts.policy.url} . Questions: {facts.policy.contact} ."
        f" Reference: {facts.reference}."
    )
    return text


def _alternative_name(d: Decision) -> str | None:
    if d.alternative is not None:
        return d.alternative.name
    return d.alternative_text


def render(fmt: str, facts: NoticeFacts) -> Notice:
    if fmt == "html":
        return _html(facts)
    message = _message(facts)
    ref = facts.reference
    if fmt == "openai":
        body = {"error": {"message": message, "type": "policy_violation", "param": None,
                          "code": "blocked_by_policy"}}
    elif fmt == "anthropic":
        body = {"type": "error", "error": {"type": "permission_error", "message": message},
                "request_id": ref}
    elif fmt == "gemini":
        body = {"error": {"code": 403, "message": message, "status": "PERMISSION_DENIED"}}
    else:
        body = {"error": {"code": "blocked_by_policy", "message": message, "reference": ref,
                          "policy": facts.policy.url, "contact": facts.policy.contact}}
    headers = (
        ("content-type", "application/json"),
        ("x-should-retry", "false"),  # official SDKs would otherwise retry a block
        ("x-request-id", ref),  # shown by the openai SDK
        ("request-id", ref),  # shown by the anthropic SDK
        ("x-aipolicy-reference", ref),
        ("cache-control", "no-store"),
    )
    data = json.dumps(body, ensure_ascii=False).encode()
    return Notice(403, headers, data, fmt)


def _html(facts: NoticeFacts) -> Notice:
    d = facts.decision
    esc = html.escape
    app_name = d.app.name if d.app else facts.host
    findings_html = ""
    if facts.findings.total:
        findings_html = (
            "<p>Your request contained "
            f"<strong>{esc(describe_findings(facts.findings))}</strong>. "
            "Nothing was sent to the service.</p>"
        )
    alternative_html = ""
    alt = _alternative_name(d)
    if alt:
        link = ""
        if d.alternative is not None and d.alternative.url:
            link = f' <a href="{esc(d.alternative.url)}">Open {esc(d.alternative.name)}</a>.'
        alternative_html = (
            '<section class="card" aria-labelledby="alt"><h2 id="alt" style="font-size:1.1rem;'
            f'margin-top:0">What you can use instead</h2><p>{esc(alt)} is approved for this '
            f"kind of work.{link}</p></section>"
        )
    inspection = facts.problem is not None or facts.findings.total > 0
    page = _TEMPLATE.substitute(
        title="Request blocked" if inspection else "Blocked by AI usage policy",
        badge="Request blocked" if inspection else "Access blocked",
        headline=esc(
            f"Your request to {app_name} was blocked" if inspection
            else f"{app_name} is not allowed by the company's AI usage policy"
        ),
        reason=esc(facts.problem or d.reason),
        findings_html=findings_html,
        alternative_html=alternative_html,
        app_name=esc(app_name),
        vendor=esc(d.app.vendor if d.app else "unknown vendor"),
        host=esc(facts.host),
        policy_url=esc(facts.policy.url),
        policy_name=esc(facts.policy.name),
        policy_version=esc(facts.policy.version),
        contact=esc(facts.policy.contact),
        reference=esc(facts.reference),
        time=esc(dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
    )
    headers = (
        ("content-type", "text/html; charset=utf-8"),
        ("cache-control", "no-store"),
        ("x-aipolicy-reference", facts.reference),
        ("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'"),
    )
    return Notice(403, headers, page.encode(), "html")
