"""Notices people understand, in the shape each client shows: HTML for a browser page,
the client's own error or answer for everything else.

A notice says which app, why (the rule's fixed reason), what was found (kinds and
counts only, never values), the approved alternative, the policy link, the contact and
a reference id that also appears in the audit log. Which shape a client gets is data
(``rulesets/clients.yaml``, ``aipolicy.clients``); the shapes themselves are in
``aipolicy.respond``. A notice has a kind: a block, a coach notice (text with a link to
a page where the person can go on) or the one-line note about redaction that
interactive clients see at the start of the answer.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from string import Template

from .clients import AnswerKind, ClientProfile, ClientProfiles, ErrorBody, NoticeStyle
from .model import App, Decision, RequestInfo
from .outcome import FindingSummary
from .respond import (
    CAN_REPLY,
    FRAME_NOTE_WIRES,
    NOTE_WIRES,
    REPLY_ONLY,
    ReplyContext,
    Wire,
    error_answer,
    reply_answer,
    wire_for,
)
from .ruleset import PolicyInfo

_TEMPLATE = Template(resources.files("aipolicy").joinpath("templates/notice.html").read_text())


class NoticeKind(StrEnum):
    BLOCK = "block"
    COACH = "coach"  # the person may go on after reading the linked page
    REDACTION_NOTE = "redaction-note"


# The ``code`` of a provider error, per kind (shown by SDKs, stable for scripts). A
# redaction note is never an answer of its own: it goes into the service's answer.
_ERROR_CODES = {NoticeKind.BLOCK: "blocked_by_policy",
                NoticeKind.COACH: "policy_confirmation_required"}


@dataclass(frozen=True)
class NoticeContent:
    """What a notice says, independent of its shape. ``text`` never holds a value that
    was found, only policy text, kinds and counts."""

    kind: NoticeKind
    text: str
    reference: str
    link: str | None = None  # a page to read or to go on from; appended if not in text

    @property
    def full_text(self) -> str:
        if self.link and self.link not in self.text:
            return f"{self.text} {self.link}"
        return self.text


@dataclass(frozen=True)
class Notice:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    format: str  # for the audit line: html, or "<wire>-<error|reply>"
    frames: tuple[bytes, ...] = ()  # WebSocket: messages for the client instead of a body
    client_profile: str | None = None


@dataclass(frozen=True)
class ClientView:
    """Who sent a request, as far as notices care: the API it speaks, whether it is a
    browser navigating or a WebSocket message, and the client's profile (None: the
    ruleset names no client profiles, every client gets the provider's 403)."""

    wire: Wire
    websocket: bool
    navigation: bool
    profile: ClientProfile | None

    @property
    def style(self) -> NoticeStyle:
        if self.profile is None:
            return _PROVIDER_403
        return self.profile.websocket if self.websocket else self.profile.http


_PROVIDER_403 = NoticeStyle(AnswerKind.ERROR, 403)


@dataclass(frozen=True)
class ResponseNote:
    """A note to add at the start of the service's streamed answer (see
    ``aipolicy.respond.stream_note`` / ``frame_note``)."""

    wire: Wire
    text: str
    websocket: bool


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


def is_navigation(request: RequestInfo) -> bool:
    """A browser loading a page (it shows HTML), not a page's script calling an API."""
    accept = request.accept.lower()
    return request.headers.get("sec-fetch-mode", "") == "navigate" or (
        request.method in ("GET", "HEAD") and "text/html" in accept)


def identify(request: RequestInfo, app: App | None, profiles: ClientProfiles | None
             ) -> ClientView:
    websocket = request.websocket
    wire = wire_for(request.host, request.path, app.api_format if app else None, websocket)
    profile = None
    if profiles is not None:
        profile = profiles.match(app.id if app else None, request.path, request.fields)
    return ClientView(wire, websocket, not websocket and is_navigation(request), profile)


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


def block_content(facts: NoticeFacts, profile: ClientProfile | None) -> NoticeContent:
    text = _message(facts)
    if profile is not None and profile.hint and (facts.problem or facts.findings.total):
        text += f" {profile.hint}"  # the blocked text stays in this client's conversation
    return NoticeContent(NoticeKind.BLOCK, text, facts.reference)


def block_notice(facts: NoticeFacts, view: ClientView, ctx: ReplyContext) -> Notice:
    """The block notice for this client: the HTML page for a browser navigation, else
    the client's own shape."""
    if view.navigation:
        return _html(facts)
    return render(block_content(facts, view.profile), view, ctx)


def render(content: NoticeContent, view: ClientView, ctx: ReplyContext) -> Notice:
    """``content`` in the shape ``view``'s client shows without retrying: its provider
    error with the profile's status, or an answer whose text is the notice."""
    if content.kind not in _ERROR_CODES:
        raise ValueError(f"a {content.kind} notice is not sent as an answer")
    style = view.style
    ref = content.reference
    text = content.full_text
    reply = view.wire in CAN_REPLY and (
        style.answer is AnswerKind.REPLY or view.wire in REPLY_ONLY)
    if reply:
        answer = reply_answer(view.wire, text, ref, ctx, websocket=view.websocket)
    else:
        status = style.status if style.answer is AnswerKind.ERROR else 403
        answer = error_answer(view.wire, text, _ERROR_CODES[content.kind], ref, status,
                              plain_text=style.body is ErrorBody.TEXT,
                              error_type=style.error_type, websocket=view.websocket)
    headers: list[tuple[str, str]] = [("content-type", answer.content_type)]
    if answer.is_error:
        headers.append(("x-should-retry", "false"))  # official SDKs would retry otherwise
    headers += [
        ("x-request-id", ref),  # shown by the openai SDK
        ("request-id", ref),  # shown by the anthropic SDK
        ("x-aipolicy-reference", ref),
        ("cache-control", "no-store"),
    ]
    fmt = f"{view.wire.value}-{'reply' if reply else 'error'}"
    return Notice(answer.status, tuple(headers), answer.body, fmt, answer.frames,
                  view.profile.id if view.profile else None)


def wants_note(view: ClientView) -> bool:
    """Whether this client is shown notes about redaction at all."""
    return view.profile is not None and view.profile.redaction_note


def redaction_note(view: ClientView, policy: PolicyInfo, reference: str,
                   replaced: tuple[tuple[str, int], ...], ctx: ReplyContext
                   ) -> ResponseNote | None:
    """The note interactive clients see at the start of the answer ("2 e-mail addresses
    were replaced before sending — policy …"), or None where the client cannot show it
    (API callers: they keep the ``x-aipolicy-redacted`` header) or where the answer is
    for a program (JSON output, a forced tool call), which a note would break."""
    if not wants_note(view) or not replaced or ctx.structured:
        return None
    if view.wire not in (FRAME_NOTE_WIRES if view.websocket else NOTE_WIRES):
        return None
    items = [f"{count} {label if count == 1 else plural(label)}" for label, count in replaced]
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    verb = "was" if len(items) == 1 and replaced[0][1] == 1 else "were"
    text = (f"{listed} {verb} replaced before sending — policy: {policy.url} "
            f"(reference {reference})")
    content = NoticeContent(NoticeKind.REDACTION_NOTE, text, reference)
    return ResponseNote(view.wire, content.full_text, view.websocket)


def plural(label: str) -> str:
    """English plural of a finding label ("e-mail address" -> "e-mail addresses")."""
    if label.endswith(("s", "x", "z", "ch", "sh")):
        return label + "es"
    if label.endswith("y") and label[-2:-1] not in ("a", "e", "i", "o", "u"):
        return label[:-1] + "ies"
    return label + "s"


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
