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

from .decide import decide_access
from .extract import InspectionError
from .extract.envelope import EnvelopeEdit, masked_path
from .inspect import ContentDecision, Inspection, Inspector, decide_content, summarize
from .model import ACTION_STRENGTH, Action, App, Decision, RequestInfo
from .notices import Notice, NoticeFacts, choose_format, render
from .outcome import FindingSummary, Outcome, new_reference
from .redact import redacted_texts
from .ruleset import Ruleset, load_ruleset

log = logging.getLogger("aipolicy")

INSPECTION_FAILED = "inspection-failed"


@dataclass(frozen=True)
class Verdict:
    """What to do with one AI request."""

    outcome: Outcome
    notice: Notice | None = None  # answer the client with this instead of forwarding
    new_body: bytes | None = None  # forward this (identity-encoded) body instead
    response_headers: tuple[tuple[str, str], ...] = ()  # add to the upstream's response
    new_envelope: EnvelopeEdit = EnvelopeEdit()  # redacted path, query, header values


class Pipeline:
    def __init__(self, ruleset: Ruleset, *, inspect_here: bool = True) -> None:
        """``inspect_here=False`` skips building the detectors: the proxy's main process
        does that when worker processes do the scanning (``aipolicy.workers``)."""
        self.ruleset = ruleset
        self.inspector = (Inspector(ruleset.inspection)
                          if ruleset.inspection and inspect_here else None)
        self.loaded_at = time.time()

    @classmethod
    def from_file(cls, path: str, *, inspect_here: bool = True) -> Pipeline:
        return cls(load_ruleset(path), inspect_here=inspect_here)

    @property
    def timeout_seconds(self) -> float | None:
        return self.ruleset.inspection.timeout_seconds if self.ruleset.inspection else None

    # -- classify ------------------------------------------------------------------------
    def should_intercept(self, host: str) -> bool:
        """Only AI destinations are decrypted; everything else is tunnelled untouched."""
        return self.ruleset.catalog.should_intercept(host)

    def classify(self, request: RequestInfo, host_header: str | None = None) -> App | None:
        catalog = self.ruleset.catalog
        app = catalog.match(request.host, request.path)
        if app is None and host_header and host_header != request.host:
            # A Host header naming an AI service behind a shared front is still that service.
            app = catalog.match(host_header, request.path)
        return app

    def needs_body(self, request: RequestInfo) -> bool:
        """Whether the request is inspected: with inspection configured, every request of
        any method, its body (even empty) and its path, query and header fields."""
        return self.ruleset.inspection is not None

    # -- decide and act ------------------------------------------------------------------
    def evaluate(self, request: RequestInfo, app: App, body: bytes | None = None) -> Verdict:
        started = time.perf_counter()
        reference = new_reference()
        access = decide_access(self.ruleset, app, request.client)
        if access.enforced_action is Action.BLOCK or body is None or self.inspector is None:
            return self._finish(reference, request, access, started)
        try:
            inspection = self.inspector.inspect_request(request, app, body)
        except InspectionError as exc:
            return self._failed(reference, request, access, started, exc.reason)
        except Exception as exc:  # a detector bug must not let the request through
            log.error(f"aipolicy: inspection error ({type(exc).__name__}) on {request.host}")
            return self._failed(reference, request, access, started, "a detector failed")
        content = decide_content(self.ruleset.inspection, inspection, app,
                                 access.status, access.groups)
        return self._apply(reference, request, access, inspection, content, started)

    def failure_verdict(self, request: RequestInfo, app: App, reason: str) -> Verdict:
        """For failures outside ``evaluate`` (the time budget ran out)."""
        access = decide_access(self.ruleset, app, request.client)
        return self._failed(new_reference(), request, access, time.perf_counter(), reason)

    def _apply(self, reference: str, request: RequestInfo, access: Decision,
               inspection: Inspection, content: ContentDecision, started: float) -> Verdict:
        findings = summarize(inspection.findings)
        decision = access
        if ACTION_STRENGTH[content.action] > ACTION_STRENGTH[access.action]:
            rule = content.rule
            decision = dataclasses.replace(
                access, action=content.action, reason=content.reason,
                rule_id=rule.id if rule else "inspection",
                mode=(rule.mode if rule and rule.mode else self.ruleset.mode),
                alternative=None, alternative_text=None)
        enforced = decision.enforced_action
        new_body, new_envelope, headers = None, EnvelopeEdit(), ()
        if enforced is Action.REDACT:
            to_redact = content.findings_with(Action.REDACT)
            new_texts, counts = redacted_texts(inspection.segments, to_redact)
            new_body, new_envelope = inspection.rewrite(new_texts)
            headers = (("x-aipolicy-redacted",
                        ",".join(f"{k}={v}" for k, v in sorted(counts.items()))),
                       ("x-aipolicy-reference", reference))
        recorded = dataclasses.replace(request, path=inspection.recorded_path(request.path))
        verdict = self._finish(reference, recorded, decision, started, findings=findings,
                               scan_seconds=inspection.seconds, new_body=new_body,
                               headers=headers, problem=content.problem, recorded=True)
        return dataclasses.replace(verdict, new_envelope=new_envelope)

    def _failed(self, reference: str, request: RequestInfo, access: Decision, started: float,
                reason: str) -> Verdict:
        on_error = self.ruleset.inspection.on_error if self.ruleset.inspection else Action.BLOCK
        text = (f"This request could not be inspected ({reason}), and the policy does not "
                "let uninspected content through." if on_error is Action.BLOCK else
                f"This request could not be inspected ({reason}).")
        decision = dataclasses.replace(access, action=on_error, rule_id=INSPECTION_FAILED,
                                       reason=text, alternative=None, alternative_text=None)
        return self._finish(reference, request, decision, started, failure=reason,
                            problem=text if on_error is Action.BLOCK else None)

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
                recorded: bool = False) -> Verdict:
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
            notice = render(choose_format(request, decision.app), facts)
        outcome = Outcome(
            reference=reference, request=request, decision=decision, enforced=enforced,
            notice_format=notice.format if notice else None, findings=findings,
            decision_seconds=time.perf_counter() - started, scan_seconds=scan_seconds,
            failure=failure)
        return Verdict(outcome, notice, new_body, headers)

