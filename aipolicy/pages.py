"""The proxy's own pages on an AI service's origin: the acknowledgement page, the coach
page, and the short pages that follow a form.

They are served under a reserved path (``/.aipolicy/``; for an app on a shared host,
under its path prefix, so they stay on the app's pages) and never reach the service.
Plain HTML and CSS, no scripts and no external assets (a CSP forbids both), readable on a
phone, printable, with labelled controls and landmarks. Every value shown is escaped;
a page never shows a value found in a request, only kinds and counts.
"""

from __future__ import annotations

import html
import urllib.parse
from dataclasses import dataclass
from importlib import resources
from string import Template

from .coach_config import CoachSettings
from .model import App
from .notices import Notice
from .ruleset import PolicyInfo

PAGES_DIR = ".aipolicy"
ACKNOWLEDGE = "acknowledge"
COACH = "coach"
MAX_FORM_BYTES = 16 * 1024
_MAX_RETURN = 2048

_LAYOUT = Template(resources.files("aipolicy").joinpath("templates/page.html").read_text())
CSP = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
# "same-origin", not "no-referrer": under "no-referrer" a browser sends ``Origin: null``
# with the pages' own form posts (Fetch: serializing a request origin), which the CSRF
# check rightly refuses; "same-origin" still gives other sites no referrer.
PAGE_REFERRER_POLICY = "same-origin"
_BADGES = {"info": ("#0a58ca", "#6ea8fe"), "stop": ("#b42318", "#ff8a80"),
           "ok": ("#1a7f37", "#56d364")}


def pages_base(app: App, host: str, path: str) -> str:
    """Where the pages are on this origin: ``/.aipolicy/``, or for an app the catalog
    knows by a path on a shared host (``huggingface.co/chat``) under that path."""
    for entry_host, prefix in app.paths:
        stem = prefix.rstrip("/")
        if entry_host.lower() == host and stem and (path == stem or
                                                    path.startswith(stem + "/")):
            return f"{stem}/{PAGES_DIR}/"
    return f"/{PAGES_DIR}/"


def safe_return(value: str | None, base: str) -> str | None:
    """A path on this origin to send the browser back to, or None: no other origin
    (``//host``, ``/\\host``, a scheme), no control characters or non-ASCII, never back
    into the pages themselves."""
    if not value or len(value) > _MAX_RETURN or not value.startswith("/"):
        return None
    if value.startswith(("//", "/\\")) or any(not (0x20 < ord(c) < 0x7f) or c == "\\"
                                              for c in value):
        return None
    if value.startswith(base) or value.startswith(f"/{PAGES_DIR}/"):
        return None
    return value


def page_url(scheme: str, host: str, port: int, base: str, page: str,
             **query: str | None) -> str:
    default = 443 if scheme == "https" else 80
    authority = host if port == default else f"{host}:{port}"
    params = urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
    return f"{scheme}://{authority}{base}{page}" + (f"?{params}" if params else "")


@dataclass(frozen=True)
class FormContext:
    """What every form needs: where it posts, its token, where to go back to."""

    action: str  # the page's path (same origin)
    token: str
    return_to: str | None


def _hidden(form: FormContext, **fields: str | None) -> str:
    values = {"csrf": form.token, "return": form.return_to, **fields}
    return "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                   for k, v in values.items() if v is not None)


def _page(*, title: str, badge: str, tone: str, headline: str, content: str,
          reference: str) -> str:
    light, dark = _BADGES[tone]
    return _LAYOUT.substitute(title=html.escape(title), badge=html.escape(badge),
                              badge_color=light, badge_color_dark=dark,
                              headline=html.escape(headline), content=content,
                              reference=html.escape(reference))


def respond_html(page: str, status: int = 200, reference: str = "",
                 cookie: str | None = None) -> Notice:
    headers = [("content-type", "text/html; charset=utf-8"), ("cache-control", "no-store"),
               ("content-security-policy", CSP), ("x-content-type-options", "nosniff"),
               ("referrer-policy", PAGE_REFERRER_POLICY)]
    if reference:
        headers.append(("x-aipolicy-reference", reference))
    if cookie:
        headers.append(("set-cookie", cookie))
    return Notice(status, tuple(headers), page.encode(), "html")


def redirect(location: str, reference: str = "") -> Notice:
    # The request that follows carries no Referer: the service never learns which of the
    # proxy's pages (and their query) the person came from.
    headers = [("location", location), ("cache-control", "no-store"),
               ("referrer-policy", "no-referrer")]
    if reference:
        headers.append(("x-aipolicy-reference", reference))
    return Notice(303, tuple(headers), b"", "redirect")


def _details(policy: PolicyInfo, reference: str, rows: tuple[tuple[str, str], ...] = ()
             ) -> str:
    esc = html.escape
    items = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        '<section class="card" aria-labelledby="details"><h2 id="details">Details</h2><dl>'
        f'{items}<dt>Policy</dt><dd><a href="{esc(policy.url)}">{esc(policy.name)}</a> '
        f"(version {esc(policy.version)})</dd>"
        f'<dt>Questions</dt><dd><a href="mailto:{esc(policy.contact)}">'
        f"{esc(policy.contact)}</a></dd>"
        f"<dt>Reference</dt><dd><code>{esc(reference)}</code> (quote it when you ask for "
        "help)</dd></dl></section>")


# ---------------------------------------------------------------------- acknowledgement
def acknowledgement_page(policy: PolicyInfo, form: FormContext, reference: str,
                         app: App | None) -> str:
    esc = html.escape
    s = policy.summary
    ack = policy.acknowledgement
    parts = [f"<p>Before you use {esc(app.name) if app else 'AI services'} at work, "
             "please read this summary of the company's AI usage policy.</p>"]

    def section(hid: str, title: str, body: str) -> None:
        if body:
            parts.append(f'<section aria-labelledby="{hid}"><h2 id="{hid}">{esc(title)}</h2>'
                         f"{body}</section>")

    def listed(items: tuple[str, ...]) -> str:
        return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>" if items else ""

    section("purpose", "Why this policy exists", f"<p>{esc(s.purpose)}</p>" if s.purpose
            else "")
    section("scope", "Who and what it covers", f"<p>{esc(s.scope)}</p>" if s.scope else "")
    section("dos", "Do", listed(s.dos))
    section("donts", "Don't", listed(s.donts))
    section("violations", "If the policy is not followed",
            f"<p>{esc(s.violations)}</p>" if s.violations else "")
    if s.training:
        section("training", "Training",
                f'<p><a href="{esc(s.training)}">Take the short training</a> before your '
                "first use.</p>")
    if s.disclaimer:
        section("disclaimer", "Please note", f"<p>{esc(s.disclaimer)}</p>")
    again = (f" You will be asked again after {ack.reacknowledge_days} days or when the "
             "policy changes." if ack.reacknowledge_days else
             " You will be asked again when the policy changes.")
    parts.append(
        f'<form method="post" action="{esc(form.action)}" aria-labelledby="confirm">'
        f'<h2 id="confirm">Your acknowledgement</h2>'
        f"<p>Selecting <strong>I acknowledge</strong> records your user name (or, without "
        f"one, your computer's network address), the time and the policy version "
        f"{esc(ack.version)}.{esc(again)}</p>"
        f"{_hidden(form)}"
        '<div class="actions"><button class="primary" type="submit" name="decision" '
        'value="acknowledge">I acknowledge</button></div></form>')
    parts.append(_details(policy, reference, (("Version", esc(policy.version)),
                                              ("In force since", esc(str(policy.effective))))))
    return _page(title=f"Please read first – {policy.name}", badge="Please read first",
                 tone="info", headline=policy.name, content="".join(parts),
                 reference=reference)


# ---------------------------------------------------------------------- coach
@dataclass(frozen=True)
class CoachFacts:
    """What the coach page says: the app, the rule's guidance, the alternative, how long a
    proceed is remembered."""

    app: App
    guidance: str
    rule: str
    scope: str  # "access", or the finding kind of a data rule
    remember_seconds: float
    alternative: App | None = None
    alternative_text: str | None = None


def coach_page(policy: PolicyInfo, settings: CoachSettings, facts: CoachFacts,
               form: FormContext, reference: str) -> str:
    esc = html.escape
    app = facts.app
    content = facts.scope != "access"  # a data rule: about what a request contained
    headline = (f"Your request to {app.name} needs a reason" if content else
                f"{app.name} needs a reason before you continue")
    parts = [f'<section aria-labelledby="why"><h2 id="why">Why you see this</h2>'
             f"<p>{esc(facts.guidance)}</p>"]
    if content:
        parts.append("<p>Nothing has been sent yet. After you continue, send your request "
                     "again.</p>")
    parts.append("</section>")
    alternative = facts.alternative.name if facts.alternative else facts.alternative_text
    if alternative:
        link = ""
        if facts.alternative is not None and facts.alternative.url:
            link = (f' <a href="{esc(facts.alternative.url)}">Open '
                    f"{esc(facts.alternative.name)}</a>.")
        parts.append('<section class="card" aria-labelledby="alt"><h2 id="alt">Approved '
                     f"instead</h2><p>{esc(alternative)} is approved for this kind of work."
                     f"{link}</p></section>")
    choices = "".join(
        f'<div class="choice"><input type="radio" id="j-{esc(j.id)}" name="justification" '
        f'value="{esc(j.id)}" required><label for="j-{esc(j.id)}">{esc(j.label)}</label>'
        "</div>" for j in settings.justifications)
    text = ""
    if settings.text_max_chars:
        kept = ("It is kept in the audit log with your choice." if settings.store_text else
                "Only your choice is recorded; this text is not stored.")
        text = (f'<label class="block" for="note">Anything to add? (optional, up to '
                f"{settings.text_max_chars} characters)</label>"
                f'<textarea id="note" name="note" maxlength="{settings.text_max_chars}" '
                f'aria-describedby="note-hint"></textarea>'
                f'<p class="hint" id="note-hint">{kept} Never paste the content of your '
                "request here.</p>")
    hours = facts.remember_seconds / 3600
    remembered = (f"{hours:g} hour{'s' if hours != 1 else ''}" if hours >= 1 else
                  f"{facts.remember_seconds / 60:g} minutes")
    parts.append(
        f'<form method="post" action="{esc(form.action)}" aria-labelledby="reason">'
        f'<h2 id="reason">Continue with a reason</h2>'
        f"<fieldset><legend>Why do you need to continue?</legend>{choices}</fieldset>"
        f"{text}"
        f'{_hidden(form, rule=facts.rule, scope=facts.scope)}'
        f'<p class="hint">Your choice is recorded with your user name and the time, and '
        f"remembered for {esc(remembered)} for {esc(app.name)}.</p>"
        '<div class="actions"><button class="primary" type="submit" name="decision" '
        'value="proceed">Continue</button><button class="secondary" type="submit" '
        'name="decision" value="cancel" formnovalidate>Cancel</button></div></form>')
    parts.append(_details(policy, reference, (("Service", f"{esc(app.name)} "
                                                          f"({esc(app.vendor)})"),)))
    return _page(title=f"Before you continue – {app.name}", badge="Before you continue",
                 tone="info", headline=headline, content="".join(parts), reference=reference)


# ---------------------------------------------------------------------- short pages
def message_page(policy: PolicyInfo, *, title: str, headline: str, text: str,
                 reference: str, tone: str = "info", link: tuple[str, str] | None = None
                 ) -> str:
    esc = html.escape
    body = f"<p>{esc(text)}</p>"
    if link is not None:
        body += f'<p><a href="{esc(link[0])}">{esc(link[1])}</a></p>'
    return _page(title=title, badge=title, tone=tone, headline=headline,
                 content=body + _details(policy, reference), reference=reference)
