"""The request path as plain functions: classify → gate → inspect → decide → act.

``Pipeline`` is built once per ruleset (compiled catalog, detectors, the spaCy model)
and is immutable; a reload builds a new one and the proxy swaps one reference. The very
same object serves the proxy addons and ``aipolicy test`` on the command line.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

from .activity import carries_files
from .decide import combine, decide_access, highest_incident
from .destination import ConnectionScope, Destination, DestinationClassifier
from .extract import InspectionError
from .extract.envelope import EnvelopeEdit, masked_path
from .incidents.escalation import Escalation
from .inspect import (
    INSPECTION_FAILED,
    ContentDecision,
    Inspection,
    Inspector,
    decide_content,
    summarize,
)
from .model import (
    Action,
    Activity,
    App,
    Decision,
    DestinationNames,
    IncidentMark,
    Mode,
    RequestInfo,
)
from .notices import (
    ClientView,
    Notice,
    NoticeFacts,
    ResponseNote,
    block_notice,
    identify,
    redaction_note,
    wants_note,
)
from .outcome import FindingSummary, Outcome, new_reference
from .redact import redact
from .refusal import REQUEST_REFUSED, Refusal
from .respond import ReplyContext, reply_context
from .ruleset import Ruleset, load_ruleset

log = logging.getLogger("aipolicy")

ACKNOWLEDGEMENT_RULE = "acknowledgement-required"
STORE_UNAVAILABLE = "policy-check-unavailable"
_ACK_REASON = ("Please read the AI usage policy summary and acknowledge it before using AI "
               "services.")
_UNAVAILABLE = ("The AI usage policy check is unavailable right now (the proxy cannot read "
                "its record of acknowledgements and confirmations), and the policy does not "
                "let the request through without it. Try again in a few minutes.")
ESCALATED = "escalated"  # the person is blocked from every AI app (an escalation)
ESCALATION_UNCHECKED = "escalation-unchecked"  # ... and that could not be checked
_UNCHECKED = ("The proxy cannot check right now whether your use of AI services is "
              "suspended, and the policy does not let requests through unchecked. Try "
              "again in a few minutes.")


@dataclass(frozen=True)
class Verdict:
    """What to do with one AI request."""

    outcome: Outcome
    notice: Notice | None = None  # answer the client with this instead of forwarding
    new_body: bytes | None = None  # forward this (identity-encoded) body instead
    response_headers: tuple[tuple[str, str], ...] = ()  # add to the upstream's response
    note: ResponseNote | None = None  # add to the start of the upstream's streamed answer
    new_envelope: EnvelopeEdit = EnvelopeEdit()  # redacted path, query, header values


@dataclass(frozen=True)
class Examination:
    """A verdict and the inspection it was made from (None when no body was inspected)."""

    verdict: Verdict
    inspection: Inspection | None = None


class Pipeline:
    def __init__(self, ruleset: Ruleset, *, inspect_here: bool = True) -> None:
        """``inspect_here=False`` skips building the detectors: the proxy's main process
        does that when worker processes do the scanning (``aipolicy.scan_service``)."""
        self.ruleset = ruleset
        self.inspector = (Inspector(ruleset.inspection, ruleset.sources)
                          if ruleset.inspection and inspect_here else None)
        self.destinations = DestinationClassifier(
            ruleset.catalog, ruleset.destinations,
            ruleset.tenants.sign_in_hosts if ruleset.tenants else frozenset())
        self.loaded_at = time.time()

    @classmethod
    def from_file(cls, path: str, *, inspect_here: bool = True) -> Pipeline:
        return cls(load_ruleset(path), inspect_here=inspect_here)

    @property
    def timeout_seconds(self) -> float | None:
        return self.ruleset.inspection.timeout_seconds if self.ruleset.inspection else None

    # -- classify ------------------------------------------------------------------------
    def connection_scope(self, sni: str | None, destination: str | None,
                         explicit: bool = True) -> ConnectionScope:
        """Which TLS connections are decrypted: AI hosts, configured fronts, connections
        that give no name to check (as the ruleset says); the rest is tunnelled untouched.
        ``explicit``: the client named the destination (explicit proxy, not transparent)."""
        return self.destinations.scope(sni, destination, explicit)

    def destination(self, request: RequestInfo) -> Destination:
        """The one classification of where ``request`` goes, from every name it gave.

        A request described without names (by hand: the CLI, tests) names its host."""
        names = request.names
        if not (names.destination or names.sni or names.hosts):
            names = DestinationNames(destination=request.host)
        return self.destinations.classify(
            names, request.path, lambda app: decide_access(self.ruleset, app, request))

    def classify(self, request: RequestInfo) -> App | None:
        """The app ``request`` belongs to (``destination`` also says whether its names
        disagree, which the proxy refuses)."""
        return self.destination(request).app

    def needs_body(self, request: RequestInfo) -> bool:
        """Whether the request is inspected: with inspection configured, every request of
        any method, its body (even empty) and its path, query and header fields."""
        return self.ruleset.inspection is not None

    # -- decide and act ------------------------------------------------------------------
    def evaluate(self, request: RequestInfo, app: App, body: bytes | None = None) -> Verdict:
        """Decide on one request: access, then (with a body) content; ``combine`` makes
        them one decision. A body given to a pipeline without detectors is a caller bug
        (its bodies are scanned in the scan workers), never a silent allow."""
        return self.examine(request, app, body).verdict

    def examine(self, request: RequestInfo, app: App,
                body: bytes | None = None) -> Examination:
        """``evaluate``, keeping the inspection the verdict was made from (segments and
        findings with their places), for ``aipolicy test``. The proxy keeps only the
        verdict: the inspection holds the text."""
        started = time.perf_counter()
        reference = new_reference()
        access = decide_access(self.ruleset, app, request)
        settings = self.ruleset.inspection
        # A block, or a coach the person has not proceeded past, stops the request here:
        # its body is scanned once they have gone on.
        if (body is None or settings is None
                or access.enforced_action in (Action.BLOCK, Action.COACH)):
            return Examination(self._finish(reference, request, access, started, body=body))
        if self.inspector is None:
            raise RuntimeError("this pipeline has no detectors (inspect_here=False): "
                               "bodies must go to the scan workers")
        try:
            inspection = self.inspector.inspect_request(request, app, body)
        except InspectionError as exc:
            return Examination(self._failed(reference, request, access, started, exc.reason,
                                            body))
        except Exception as exc:  # a detector bug must not let the request through
            log.error(f"aipolicy: inspection error ({type(exc).__name__}) on {request.host}")
            return Examination(self._failed(reference, request, access, started,
                                            "a detector failed", body))
        if access.activity is not Activity.UPLOAD and carries_files(inspection.extraction):
            # A file inside the body (a document block, an attachment, a PDF in a chat
            # message) is an upload too: the stricter of the two decisions stands.
            upload = decide_access(self.ruleset, app, request, Activity.UPLOAD)
            access = dataclasses.replace(combine(upload, access), activity=Activity.UPLOAD)
            if access.enforced_action in (Action.BLOCK, Action.COACH):
                return Examination(self._finish(reference, request, access, started,
                                                body=body))
        content = decide_content(settings, inspection, access, self.ruleset.mode,
                                 request.proceeded)
        return Examination(
            self._apply(reference, request, access, inspection, content, started, body),
            inspection)

    def refuse(self, request: RequestInfo, destination: Destination) -> Verdict:
        """The answer to a request whose names disagree or cannot be read: blocked with
        the refusal's fixed reason and status, whatever the app's rules say."""
        refusal = destination.refusal
        assert refusal is not None
        started = time.perf_counter()
        app = destination.app
        decision = Decision(
            action=Action.BLOCK, rule_id=refusal.rule_id, reason=refusal.reason,
            mode=self.ruleset.mode, app=app,
            status=self.ruleset.status_of(app) if app is not None else None,
            groups=self.ruleset.directory.groups_for(request.client),
            activity=self.ruleset.activities.of(request))
        verdict = self._finish(new_reference(), request, decision, started,
                               problem=refusal.reason)
        if verdict.notice is None:  # report mode: recorded, not refused
            return verdict
        return dataclasses.replace(
            verdict, notice=dataclasses.replace(verdict.notice, status=refusal.status))

    def failure_verdict(self, request: RequestInfo, app: App, reason: str,
                        body: bytes | None = None) -> Verdict:
        """For failures outside ``evaluate`` (the time budget ran out). ``body`` only
        shapes the notice (model name, streaming)."""
        access = decide_access(self.ruleset, app, request)
        return self._failed(new_reference(), request, access, time.perf_counter(), reason,
                            body)

    def acknowledgement_verdict(self, request: RequestInfo, app: App) -> Verdict:
        """The person has not acknowledged the policy: a coach-like stop whose page is
        the policy summary (the proxy's gate shows it; report mode records it)."""
        access = decide_access(self.ruleset, app, request)
        decision = dataclasses.replace(access, action=Action.COACH,
                                       rule_id=ACKNOWLEDGEMENT_RULE, reason=_ACK_REASON,
                                       mode=self.ruleset.mode, alternative=None,
                                       alternative_text=None, coach=None, incident=None)
        return self._finish(new_reference(), request, decision, time.perf_counter())

    def unavailable_verdict(self, request: RequestInfo, decision: Decision, check: str,
                            body: bytes | None = None) -> Verdict:
        """The state store could not tell whether ``decision``'s coach (or the
        acknowledgement) was done, and ``on_store_error`` is block."""
        block = dataclasses.replace(decision, action=Action.BLOCK, rule_id=STORE_UNAVAILABLE,
                                    reason=_UNAVAILABLE, mode=Mode.ENFORCE, alternative=None,
                                    alternative_text=None, coach=None, incident=None)
        verdict = self._finish(new_reference(), request, block, time.perf_counter(),
                               problem=_UNAVAILABLE, body=body)
        return dataclasses.replace(verdict, outcome=dataclasses.replace(
            verdict.outcome, store_error=check))

    def escalated(self, request: RequestInfo, app: App, escalation: Escalation) -> Verdict:
        """The person is blocked from every AI app by an escalation: the notice says why,
        until when and whom to contact. Checked before any rule, so a blocked person's
        requests are neither inspected nor counted as incidents again."""
        settings = self.ruleset.incidents.escalation
        contact = (settings.contact if settings else None) or self.ruleset.policy.contact
        return self._gate_block(request, app, ESCALATED, escalation.reason(contact))

    def escalation_unchecked(self, request: RequestInfo, app: App) -> Verdict:
        """The state store cannot say whether the person is escalated, and
        ``on_store_error: block``: fail closed."""
        return self._gate_block(request, app, ESCALATION_UNCHECKED, _UNCHECKED)

    def _gate_block(self, request: RequestInfo, app: App, rule_id: str,
                    reason: str) -> Verdict:
        access = decide_access(self.ruleset, app, request)
        decision = dataclasses.replace(access, action=Action.BLOCK, rule_id=rule_id,
                                       reason=reason, mode=self.ruleset.mode,
                                       alternative=None, alternative_text=None,
                                       incident=None, coach=None)
        return self._finish(new_reference(), request, decision, time.perf_counter())

    def identify(self, request: RequestInfo, app: App | None) -> ClientView:
        """Which client sent this request and how it shows notices."""
        return identify(request, app, self.ruleset.clients)

    def refusal_verdict(self, request: RequestInfo, app: App, reason: Refusal) -> Verdict:
        """The proxy cannot pass this request on as sent (see ``aipolicy.refusal``): a
        block in report mode too and whatever ``on_error`` says."""
        access = decide_access(self.ruleset, app, request)
        text = f"The proxy refused this request: {reason}."
        refusal = dataclasses.replace(access, action=Action.BLOCK, rule_id=REQUEST_REFUSED,
                                      reason=text, mode=Mode.ENFORCE, alternative=None,
                                      alternative_text=None, coach=None)
        decision = combine(access, refusal)
        return self._finish(new_reference(), request, decision, time.perf_counter(),
                            failure=reason.value,
                            problem=text if decision is refusal else None)

    def _apply(self, reference: str, request: RequestInfo, access: Decision,
               inspection: Inspection, content: ContentDecision, started: float,
               body: bytes) -> Verdict:
        decision = combine(access, content.decision)
        new_body, new_envelope, headers, note, profile = None, EnvelopeEdit(), (), None, None
        if decision.enforced_action is Action.REDACT:
            redaction = redact(inspection.segments, content.redact)
            new_body, new_envelope = inspection.rewrite(redaction.texts)
            headers = (("x-aipolicy-redacted",
                        ",".join(f"{k}={v}" for k, v in sorted(redaction.replaced.items()))),
                       ("x-aipolicy-reference", reference))
            view = self.identify(request, decision.app)
            if wants_note(view):
                note = redaction_note(view, self.ruleset.policy, reference,
                                      redaction.described(), self.reply_context(request, body))
            profile = view.profile.id if view.profile else None
        problem = content.problem if decision is content.decision else None
        recorded = dataclasses.replace(request, path=inspection.recorded_path(request.path))
        verdict = self._finish(reference, recorded, decision, started,
                               findings=summarize(inspection.findings),
                               scan_seconds=inspection.seconds, new_body=new_body,
                               headers=headers, problem=problem, body=body, note=note,
                               client_profile=profile, recorded=True,
                               incident=highest_incident(access.incident, content.incident))
        return dataclasses.replace(verdict, new_envelope=new_envelope)

    def _failed(self, reference: str, request: RequestInfo, access: Decision, started: float,
                reason: str, body: bytes | None) -> Verdict:
        """The request could not be inspected: ``on_error`` applies, but never weakens
        what access already decided."""
        on_error = self.ruleset.inspection.on_error if self.ruleset.inspection else Action.BLOCK
        text = (f"This request could not be inspected ({reason}), and the policy does not "
                "let uninspected content through." if on_error is Action.BLOCK else
                f"This request could not be inspected ({reason}).")
        failure = dataclasses.replace(access, action=on_error, rule_id=INSPECTION_FAILED,
                                      reason=text, mode=self.ruleset.mode, alternative=None,
                                      alternative_text=None, coach=None)
        decision = combine(access, failure)
        problem = text if decision is failure and on_error is Action.BLOCK else None
        return self._finish(reference, request, decision, started, failure=reason,
                            problem=problem, body=body)

    def _recorded_path(self, request: RequestInfo) -> str:
        """The path scanned and marked (``Inspector.recorded_path``), or masked where no
        scanner runs or the scanner failed (the failure being recorded)."""
        if self.inspector is not None:
            try:
                return self.inspector.recorded_path(request)
            except Exception:  # noqa: BLE001 - a detector bug: the verdict must still come
                pass
        return masked_path(request.path)

    def _finish(self, reference: str, request: RequestInfo, decision: Decision, started: float,
                *, findings: FindingSummary | None = None, scan_seconds: float | None = None,
                new_body: bytes | None = None, headers: tuple[tuple[str, str], ...] = (),
                failure: str | None = None, problem: str | None = None,
                body: bytes | None = None, note: ResponseNote | None = None,
                client_profile: str | None = None, recorded: bool = False,
                incident: IncidentMark | None = None) -> Verdict:
        """``incident``: the request's incident when more decisions fired than
        ``decision`` (by default the one ``decision`` marks; a failure or refusal made
        from the access decision keeps the access rule's mark)."""
        enforced = decision.enforced_action
        findings = findings or FindingSummary()
        # The outcome is what the audit log records: a path that carried a secret or
        # personal data is recorded without it (``recorded``: already so; else scanned
        # here, or masked where no scanner runs: a failure decided in the main process).
        if not recorded and self.ruleset.inspection is not None:
            request = dataclasses.replace(request, path=self._recorded_path(request))
        notice = None
        if enforced is Action.BLOCK:
            facts = NoticeFacts(reference, decision, self.ruleset.policy, request.host,
                                findings, problem)
            view = self.identify(request, decision.app)
            notice = block_notice(facts, view, self.reply_context(request, body))
            client_profile = notice.client_profile
        outcome = Outcome(
            reference=reference, request=request, decision=decision, enforced=enforced,
            notice_format=notice.format if notice else None, findings=findings,
            decision_seconds=time.perf_counter() - started, scan_seconds=scan_seconds,
            failure=failure, client_profile=client_profile,
            incident=incident or decision.incident)
        return Verdict(outcome, notice, new_body, headers, note)

    @staticmethod
    def reply_context(request: RequestInfo, body: bytes | None) -> ReplyContext:
        """What a notice that answers this request copies from it (model, streaming)."""
        return reply_context(request.path, request.query, request.accept,
                             request.headers.get("content-encoding", ""), body)

