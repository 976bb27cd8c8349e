"""Decisions that depend on what a person did before: acknowledging the policy and
proceeding past a coach. The pipeline decides from the ruleset and the request alone;
the gate adds the person's standing from the state store, on the proxy's event loop.

For an AI request (``decide``):

1. **Acknowledgement** (``policy.acknowledgement.ask: required``), unless the access
   rules block the request (the block page comes first): a browser loading a page gets
   the policy summary with "I acknowledge" until the person acknowledged the current
   major version (and within ``reacknowledge_days``); an API client or a page's script
   passes and the audit line says the acknowledgement is missing, or gets the
   client-shaped notice with a link to the page (``api_clients: notice``).
2. **Coach**: while the decision is a coach the person has not proceeded past, the
   store is asked whether they did (per person, app and scope: ``access`` or a finding
   kind); an API client may proceed with ``x-aipolicy-justification`` where the rule
   allows it. A cleared coach counts as monitor, so the decision is made again with it
   cleared (whatever it masked, a redaction say, then applies). A coach still pending
   is shown: a browser page load gets the coach page, everything else the client's own
   notice with a link to that page.
3. When the store fails, ``on_store_error`` decides: ``block`` answers with a notice
   that the policy check is unavailable, ``monitor`` lets the request through recorded.
   A block from a rule never depends on the store.

The pages themselves (``page``) live under a reserved path on the app's origin
(``aipolicy.pages``): GET shows them, POST records (CSRF-checked, ``aipolicy.csrf``) and
sends the browser back to where it was going, on the same origin only.
"""

from __future__ import annotations

import dataclasses
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from .coach_config import HEADER, CoachSettings, Given, clean_text, parse_header
from .csrf import PageKeys, new_session, same_origin, session_cookie, session_of
from .decide import ACCESS_SCOPE, decide_access
from .events import EventKind, PolicyEvent, Via
from .inspection_config import FINDING_KINDS
from .metrics import PolicyMetrics
from .model import Action, Activity, App, CoachOptions, CoachStep, Decision, Mode, RequestInfo
from .notices import ClientView, Notice, NoticeContent, NoticeKind, describe_findings, render
from .outcome import FindingSummary, new_reference
from .pages import (
    ACKNOWLEDGE,
    COACH,
    MAX_FORM_BYTES,
    CoachFacts,
    FormContext,
    acknowledgement_page,
    coach_page,
    message_page,
    page_url,
    pages_base,
    redirect,
    respond_html,
    safe_return,
)
from .pipeline import Pipeline, Verdict
from .policy_text import UnacknowledgedApi
from .ruleset import Ruleset
from .standing import Acknowledgements, Clearances
from .state import StateStore, StoreError

Evaluate = Callable[[RequestInfo], Awaitable[Verdict]]
_MAX_STEPS = 1 + len(FINDING_KINDS)  # access, then one coach per finding kind at most


class AckState(StrEnum):
    CURRENT = "current"
    MISSING = "missing"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Decided:
    verdict: Verdict
    events: tuple[PolicyEvent, ...] = ()


@dataclass(frozen=True)
class PageAnswer:
    notice: Notice
    events: tuple[PolicyEvent, ...] = ()


class _Unavailable(Exception):
    """The store failed and ``on_store_error`` is block."""

    def __init__(self, check: str) -> None:
        super().__init__(check)
        self.check = check


class Gate:
    def __init__(self, store: Callable[[], StateStore | None], keys: PageKeys,
                 metrics: PolicyMetrics | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """``store`` gives the state store (opened when the proxy runs; None before)."""
        self._store = store
        self.keys = keys
        self.metrics = metrics
        self.clock = clock
        self.acks = Acknowledgements()
        self.clearances = Clearances()

    # ------------------------------------------------------------------ AI requests
    @staticmethod
    def is_page(request: RequestInfo, app: App) -> bool:
        return request.path.startswith(pages_base(app, request.host, request.path))

    async def decide(self, pipeline: Pipeline, request: RequestInfo, app: App,
                     body: bytes | None, evaluate: Evaluate) -> Decided:
        """The verdict for one AI request (or WebSocket message): ``evaluate`` runs the
        pipeline (in the scan service when there is a body) for a request description."""
        view = pipeline.identify(request, app)
        events: list[PolicyEvent] = []
        try:
            ack = None
            if pipeline.ruleset.policy.acknowledgement.required and not request.websocket:
                ack = await self._acknowledgement(pipeline, request, app, view, body)
                if isinstance(ack, Verdict):
                    return Decided(ack)
            verdict, coach_error = await self._coach(pipeline, request, app, view, evaluate,
                                                     events)
        except _Unavailable as down:
            access = decide_access(pipeline.ruleset, app, request)
            return Decided(pipeline.unavailable_verdict(request, access, down.check, body),
                           tuple(events))
        if verdict.outcome.decision.pending_coach is not None:
            verdict = self._show_coach(pipeline, request, app, view, verdict, body)
        ack_state, ack_error = ack or (None, None)
        store_error = ",".join(e for e in (verdict.outcome.store_error, ack_error, coach_error)
                               if e) or None
        if ack_state is not None or store_error is not None:
            verdict = dataclasses.replace(verdict, outcome=dataclasses.replace(
                verdict.outcome, acknowledgement=ack_state and ack_state.value,
                store_error=store_error))
        return Decided(verdict, tuple(events))

    async def _acknowledgement(self, pipeline: Pipeline, request: RequestInfo, app: App,
                               view: ClientView, body: bytes | None
                               ) -> Verdict | tuple[AckState | None, str | None]:
        """A verdict that shows the acknowledgement page (or its notice), or the state to
        record on the request's audit line (and the check the store failed)."""
        ruleset = pipeline.ruleset
        settings = ruleset.policy.acknowledgement
        if decide_access(ruleset, app, request).enforced_action is Action.BLOCK:
            return None, None  # the block notice says what matters; no page before it
        # Report mode records a missing acknowledgement and shows nothing.
        enforced = ruleset.mode is Mode.ENFORCE and (
            view.navigation or settings.api_clients is UnacknowledgedApi.NOTICE)
        try:
            current = await self.acks.current(self._open(), request.client, settings,
                                              self.clock())
        except StoreError:
            self._store_failed("read")
            if enforced and ruleset.on_store_error is Action.BLOCK:
                raise _Unavailable("acknowledgement") from None
            return AckState.UNAVAILABLE, "acknowledgement"
        if current:
            return AckState.CURRENT, None
        if not enforced:
            return AckState.MISSING, None
        return self._show_acknowledgement(pipeline, request, app, view,
                                          pipeline.acknowledgement_verdict(request, app), body)

    async def _coach(self, pipeline: Pipeline, request: RequestInfo, app: App,
                     view: ClientView, evaluate: Evaluate, events: list[PolicyEvent]
                     ) -> tuple[Verdict, str | None]:
        """Evaluate, clearing each pending coach the person proceeded past; the verdict,
        and "coach" when the store failed and on_store_error let the request through."""
        ruleset = pipeline.ruleset
        header = self._header(request, ruleset)
        proceeded = set(request.proceeded)
        failed = False
        # An access coach is cleared before the body goes to a scanner: scanned once.
        access = decide_access(ruleset, app, request)
        if access.pending_coach is not None:
            passed, down = await self._pass(ruleset, request, app, access,
                                            access.pending_coach, view, header, events)
            failed |= down
            if passed:
                proceeded.add(access.pending_coach.scope)
        verdict = await evaluate(dataclasses.replace(request, proceeded=frozenset(proceeded)))
        for _ in range(_MAX_STEPS):
            decision = verdict.outcome.decision
            step = decision.pending_coach
            if step is None or step.scope in proceeded:
                break
            passed, down = await self._pass(ruleset, request, app, decision, step, view,
                                            header, events)
            failed |= down
            if not passed:
                break
            proceeded.add(step.scope)
            verdict = await evaluate(dataclasses.replace(request,
                                                         proceeded=frozenset(proceeded)))
        return verdict, ("coach" if failed else None)

    async def _pass(self, ruleset: Ruleset, request: RequestInfo, app: App,
                    decision: Decision, step: CoachStep, view: ClientView,
                    header: Given | None, events: list[PolicyEvent]) -> tuple[bool, bool]:
        """Whether this person may go on past ``step``: proceeded before (the store), or
        now with the justification header. (passed, the store failed)."""
        now = self.clock()
        try:
            if await self.clearances.cleared(self._open(), request.client, app.id,
                                             step.scope, now):
                return True, False
        except StoreError:
            self._store_failed("read")
            if ruleset.on_store_error is Action.BLOCK:
                raise _Unavailable("coach") from None
            return True, True
        if header is None or not step.options.api_header or view.navigation:
            return False, False
        reference = new_reference()
        down = False
        try:
            await self.clearances.record(self._open(), request.client, app.id, step.scope,
                                         decision.rule_id, header.choice.id, reference,
                                         step.options.remember_seconds, now)
        except StoreError:
            self._store_failed("write")
            if ruleset.on_store_error is Action.BLOCK:
                raise _Unavailable("coach") from None
            down = True
        events.append(self._proceed_event(ruleset, request, app, decision.rule_id, step.scope,
                                          step.options, header, reference, Via.HEADER))
        self._count_coach(app, "proceeded")
        return True, down

    @staticmethod
    def _header(request: RequestInfo, ruleset: Ruleset) -> Given | None:
        if ruleset.coach is None:
            return None
        value = next((v for k, v in request.fields if k == HEADER), None)
        return parse_header(value, ruleset.coach) if value is not None else None

    # ------------------------------------------------------------------ showing
    def _show_acknowledgement(self, pipeline: Pipeline, request: RequestInfo, app: App,
                              view: ClientView, verdict: Verdict, body: bytes | None
                              ) -> Verdict:
        policy = pipeline.ruleset.policy
        reference = verdict.outcome.reference
        base = pages_base(app, request.host, request.path)
        if view.navigation:  # to the page, on this origin, and back here afterwards
            notice = redirect(_page_path(base, ACKNOWLEDGE,
                                         **{"return": safe_return(_full_path(request), base)}),
                              reference)
        else:
            link = page_url(request.scheme, request.host, request.port, base, ACKNOWLEDGE)
            text = (f"{policy.name} (version {policy.version}): please read the AI usage "
                    f"policy summary and acknowledge it before using {app.name}. Open "
                    f"{link} in your browser, then try again. Questions: {policy.contact} . "
                    f"Reference: {reference}.")
            notice = render(NoticeContent(NoticeKind.COACH, text, reference, link), view,
                            pipeline.reply_context(request, body))
        return self._with_notice(verdict, notice)

    def _show_coach(self, pipeline: Pipeline, request: RequestInfo, app: App,
                    view: ClientView, verdict: Verdict, body: bytes | None) -> Verdict:
        ruleset = pipeline.ruleset
        decision = verdict.outcome.decision
        step = decision.pending_coach
        assert step is not None and ruleset.coach is not None
        reference = verdict.outcome.reference
        base = pages_base(app, request.host, request.path)
        found = _found(verdict.outcome.findings, step.scope)
        if view.navigation:
            notice = redirect(_page_path(base, COACH, rule=decision.rule_id, scope=step.scope,
                                         **{"return": safe_return(_full_path(request), base)}),
                              reference)
        else:
            link = page_url(request.scheme, request.host, request.port, base, COACH,
                            rule=decision.rule_id, scope=step.scope)
            notice = render(NoticeContent(NoticeKind.COACH, _coach_text(
                ruleset, decision, step, app, found, link, reference), reference, link),
                view, pipeline.reply_context(request, body))
        self._count_coach(app, "shown")
        return self._with_notice(verdict, notice)

    @staticmethod
    def _with_notice(verdict: Verdict, notice: Notice) -> Verdict:
        outcome = dataclasses.replace(verdict.outcome, notice_format=notice.format,
                                      client_profile=notice.client_profile
                                      or verdict.outcome.client_profile)
        return dataclasses.replace(verdict, outcome=outcome, notice=notice, new_body=None,
                                   response_headers=(), note=None)

    def _session(self, request: RequestInfo, base: str) -> tuple[str, str | None]:
        """The browser's page session, or a new one and the cookie that sets it."""
        session = session_of([v for k, v in request.fields if k == "cookie"])
        if session is not None:
            return session, None
        session = new_session()
        return session, session_cookie(session, base, request.scheme == "https")

    # ------------------------------------------------------------------ pages
    async def page(self, pipeline: Pipeline, request: RequestInfo, app: App,
                   body: bytes | None) -> PageAnswer:
        """A request for one of the proxy's pages on this app's origin."""
        ruleset = pipeline.ruleset
        policy = ruleset.policy
        base = pages_base(app, request.host, request.path)
        name = request.path[len(base):]
        reference = new_reference()
        method = request.method
        known = ((name == ACKNOWLEDGE and policy.acknowledgement.page)
                 or (name == COACH and ruleset.coach is not None))
        if not known:
            return PageAnswer(self._message(ruleset, 404, "Not found", "There is no such page",
                                            "This address belongs to the company's web "
                                            "proxy, and it has no page here.", reference))
        if method not in ("GET", "HEAD", "POST"):
            return PageAnswer(self._message(ruleset, 405, "Not allowed", "Not allowed",
                                            "Open this page in your browser.", reference))
        if method == "POST":
            form = _form(request, body)
            if form is None or not self._trusted(request, name, form):
                return PageAnswer(self._message(
                    ruleset, 403, "Not accepted", "This form could not be accepted",
                    "It did not come from this page in your browser, or the page was "
                    "open too long. Go back, reload the page and try again.", reference))
            if name == ACKNOWLEDGE:
                return await self._acknowledge(pipeline, request, app, base, form, reference)
            return await self._decide_coach(pipeline, request, app, base, form, reference)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(request.query).items()}
        session, cookie = self._session(request, base)
        return_to = safe_return(query.get("return"), base)
        if name == ACKNOWLEDGE:
            form_ctx = FormContext(base + ACKNOWLEDGE,
                                   self.keys.token(session, ACKNOWLEDGE, request.host),
                                   return_to)
            return PageAnswer(respond_html(acknowledgement_page(policy, form_ctx, reference,
                                                                app), 200, reference, cookie))
        target = _coach_target(ruleset, request, app, query.get("rule"), query.get("scope"))
        if target is None:
            return PageAnswer(self._no_longer_needed(ruleset, app, reference))
        form_ctx = FormContext(base + COACH, self.keys.token(session, COACH, request.host),
                               return_to)
        assert ruleset.coach is not None
        return PageAnswer(respond_html(coach_page(policy, ruleset.coach, target[0], form_ctx,
                                                  reference), 200, reference, cookie))

    async def _acknowledge(self, pipeline: Pipeline, request: RequestInfo, app: App,
                           base: str, form: dict[str, str], reference: str) -> PageAnswer:
        ruleset = pipeline.ruleset
        policy = ruleset.policy
        try:
            await self.acks.record(self._open(), request.client, policy.acknowledgement,
                                   policy.version, reference, self.clock())
        except StoreError:
            self._store_failed("write")
            return PageAnswer(self._not_recorded(ruleset, reference))
        event = PolicyEvent(EventKind.ACKNOWLEDGEMENT, reference, request.client,
                            ruleset.directory.groups_for(request.client), policy,
                            request.host, app=app, status=ruleset.status_of(app),
                            ack_version=policy.acknowledgement.version)
        if self.metrics is not None:
            self.metrics.acknowledgements.inc()
        return_to = safe_return(form.get("return"), base)
        if return_to is not None:
            return PageAnswer(redirect(return_to, reference), (event,))
        return PageAnswer(self._message(
            ruleset, 200, "Acknowledged", "Thank you", f"Your acknowledgement of version "
            f"{policy.acknowledgement.version} was recorded. You can now use AI services; "
            "try your request again.", reference, tone="ok"), (event,))

    async def _decide_coach(self, pipeline: Pipeline, request: RequestInfo, app: App,
                            base: str, form: dict[str, str], reference: str) -> PageAnswer:
        ruleset = pipeline.ruleset
        settings = ruleset.coach
        assert settings is not None
        target = _coach_target(ruleset, request, app, form.get("rule"), form.get("scope"))
        return_to = safe_return(form.get("return"), base)
        if target is None:
            if return_to is not None:  # nothing to confirm (the policy changed): go on
                return PageAnswer(redirect(return_to, reference))
            return PageAnswer(self._no_longer_needed(ruleset, app, reference))
        facts, options = target
        if form.get("decision") == "cancel":
            event = self._event(EventKind.COACH_CANCEL, ruleset, request, app, facts.rule,
                                facts.scope, reference)
            self._count_coach(app, "cancelled")
            alternative = facts.alternative
            link = ((alternative.url, f"Open {alternative.name}")
                    if alternative is not None and alternative.url else None)
            return PageAnswer(self._message(
                ruleset, 200, "Not continued", "You chose not to continue",
                f"Nothing was sent to {app.name}." + (f" {alternative.name} is approved for "
                                                      "this kind of work." if alternative
                                                      else ""),
                reference, link=link), (event,))
        choice = settings.choice(form.get("justification", ""))
        if form.get("decision") != "proceed" or choice is None:
            session, cookie = self._session(request, base)
            form_ctx = FormContext(base + COACH, self.keys.token(session, COACH, request.host),
                                   return_to)
            return PageAnswer(respond_html(coach_page(ruleset.policy, settings, facts,
                                                      form_ctx, reference), 400, reference,
                                           cookie))
        given = Given(choice, clean_text(form.get("note", ""), settings))
        try:
            await self.clearances.record(self._open(), request.client, app.id, facts.scope,
                                         facts.rule, choice.id, reference,
                                         options.remember_seconds, self.clock())
        except StoreError:
            self._store_failed("write")
            return PageAnswer(self._not_recorded(ruleset, reference))
        event = self._proceed_event(ruleset, request, app, facts.rule, facts.scope, options,
                                    given, reference, Via.PAGE)
        self._count_coach(app, "proceeded")
        if return_to is not None:
            return PageAnswer(redirect(return_to, reference), (event,))
        hours = options.remember_seconds / 3600
        return PageAnswer(self._message(
            ruleset, 200, "Continue", "You can continue",
            f"Your reason was recorded. For the next {hours:g} hours you can use {app.name} "
            "without being asked again: try your request again.", reference, tone="ok"),
            (event,))

    def _trusted(self, request: RequestInfo, purpose: str, form: dict[str, str]) -> bool:
        headers = dict(request.fields)
        session = session_of([v for k, v in request.fields if k == "cookie"])
        return (same_origin(headers.get("origin"), headers.get("sec-fetch-site"),
                            request.scheme, request.host, request.port)
                and self.keys.valid(session, purpose, request.host, form.get("csrf")))

    # ------------------------------------------------------------------ helpers
    def _open(self) -> StateStore:
        store = self._store()
        if store is None:
            raise StoreError("the state store is not open")
        return store

    def _store_failed(self, operation: str) -> None:
        if self.metrics is not None:
            self.metrics.store_failures.labels(operation=operation).inc()

    def _count_coach(self, app: App, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.coach.labels(app=app.id, outcome=outcome).inc()

    def _event(self, kind: EventKind, ruleset: Ruleset, request: RequestInfo, app: App,
               rule: str, scope: str, reference: str, **extra) -> PolicyEvent:
        return PolicyEvent(kind, reference, request.client,
                           ruleset.directory.groups_for(request.client), ruleset.policy,
                           request.host, app=app, status=ruleset.status_of(app), rule=rule,
                           scope=scope, **extra)

    def _proceed_event(self, ruleset: Ruleset, request: RequestInfo, app: App, rule: str,
                       scope: str, options: CoachOptions, given: Given, reference: str,
                       via: Via) -> PolicyEvent:
        return self._event(EventKind.COACH_PROCEED, ruleset, request, app, rule, scope,
                           reference, via=via, justification=given.choice.id,
                           justification_text=given.text,
                           remember_seconds=options.remember_seconds)

    @staticmethod
    def _message(ruleset: Ruleset, status: int, title: str, headline: str, text: str,
                 reference: str, tone: str = "info",
                 link: tuple[str, str] | None = None) -> Notice:
        tone = tone if status < 400 else "stop"
        return respond_html(message_page(ruleset.policy, title=title, headline=headline,
                                         text=text, reference=reference, tone=tone,
                                         link=link), status, reference)

    def _not_recorded(self, ruleset: Ruleset, reference: str) -> Notice:
        return self._message(ruleset, 503, "Not recorded", "This could not be recorded",
                             "The proxy cannot reach its records right now. Go back and try "
                             "again in a few minutes.", reference)

    def _no_longer_needed(self, ruleset: Ruleset, app: App, reference: str) -> Notice:
        return self._message(ruleset, 200, "Nothing to confirm", "Nothing to confirm",
                             f"The policy does not ask for a reason for {app.name} here "
                             "(any more). Try your request again.", reference)


def _coach_target(ruleset: Ruleset, request: RequestInfo, app: App, rule_id: str | None,
                  scope: str | None) -> tuple[CoachFacts, CoachOptions] | None:
    """The coach a page is about, if it is one the policy applies to this person and
    app now (a page for a rule that changed or never applied records nothing)."""
    if not rule_id or not scope:
        return None
    if scope == ACCESS_SCOPE:
        access = decide_access(ruleset, app, request)
        if access.rule_id != rule_id or access.coach is None:
            return None
        options = access.coach.options
        return CoachFacts(app, access.reason, rule_id, scope, options.remember_seconds,
                          alternative=access.alternative,
                          alternative_text=access.alternative_text), options
    if scope not in FINDING_KINDS or ruleset.inspection is None:
        return None
    rule = next((r for r in ruleset.inspection.rules if r.id == rule_id), None)
    groups = ruleset.directory.groups_for(request.client)
    # The page request is not the request that was coached: its activity is unknown here,
    # so the rule's other conditions decide.
    conditions = dataclasses.replace(rule.when.requests, activities=()) if rule else None
    if (rule is None or rule.coach is None or conditions is None
            or not conditions.applies(app, ruleset.status_of(app), groups, Activity.OTHER)):
        return None
    return CoachFacts(app, rule.reason, rule_id, scope, rule.coach.remember_seconds), rule.coach


def _coach_text(ruleset: Ruleset, decision: Decision, step: CoachStep, app: App,
                found: str | None, link: str, reference: str) -> str:
    policy = ruleset.policy
    settings: CoachSettings | None = ruleset.coach
    text = (f"Confirmation needed by {policy.name} (version {policy.version}): {app.name}. "
            f"{decision.reason}")
    if found:
        text += f" Found {found}; nothing was sent."
    text += f" To continue, open {link} in your browser and give a reason"
    if step.options.api_header and settings is not None:
        choices = ", ".join(j.id for j in settings.justifications)
        text += (f", or send the header '{HEADER}: <reason>' with one of: {choices}")
    text += (f". Policy: {policy.url} . Questions: {policy.contact} . "
             f"Reference: {reference}.")
    return text


def _found(findings: FindingSummary, scope: str) -> str | None:
    counts = tuple(c for c in findings.counts if c[0] == scope)
    return describe_findings(FindingSummary(counts)) if counts else None


def _page_path(base: str, page: str, **query: str | None) -> str:
    params = urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
    return f"{base}{page}" + (f"?{params}" if params else "")


def _full_path(request: RequestInfo) -> str:
    return request.path + (f"?{request.query}" if request.query else "")


def _form(request: RequestInfo, body: bytes | None) -> dict[str, str] | None:
    """A small url-encoded form, or None."""
    if body is None or len(body) > MAX_FORM_BYTES:
        return None
    if request.content_type.split(";")[0].strip().lower() != \
            "application/x-www-form-urlencoded":
        return None
    try:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                       max_num_fields=32, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)  # the first value counts; a repeat cannot override it
    return form
