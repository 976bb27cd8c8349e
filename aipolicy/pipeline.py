"""The request path as plain functions: classify → gate → (inspect) → decide → notice.

``Pipeline`` is built once per ruleset (compiled catalog, detectors) and is immutable;
a reload builds a new one and the proxy swaps one reference. The very same object is
used by the proxy addons and by ``aipolicy test`` on the command line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .decide import decide_access
from .model import Action, App, RequestInfo
from .notices import Notice, NoticeFacts, choose_format, render
from .outcome import Outcome, new_reference
from .ruleset import Ruleset, load_ruleset


@dataclass(frozen=True)
class Verdict:
    """What to do with one AI request."""

    outcome: Outcome
    notice: Notice | None = None  # answer the client with this instead of forwarding
    new_body: bytes | None = None  # forward this body instead of the original
    response_headers: tuple[tuple[str, str], ...] = ()  # add to the upstream's response


class Pipeline:
    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.loaded_at = time.time()

    @classmethod
    def from_file(cls, path: str) -> Pipeline:
        return cls(load_ruleset(path))

    # -- stage 2: classify ---------------------------------------------------------------
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

    # -- stages 3-7 ----------------------------------------------------------------------
    def evaluate(self, request: RequestInfo, app: App) -> Verdict:
        started = time.perf_counter()
        reference = new_reference()
        decision = decide_access(self.ruleset, app, request.client)
        enforced = decision.enforced_action
        notice = None
        if enforced is Action.BLOCK:
            fmt = choose_format(request, app)
            notice = render(fmt, NoticeFacts(reference, decision, self.ruleset.policy,
                                             request.host))
        outcome = Outcome(
            reference=reference,
            request=request,
            decision=decision,
            enforced=enforced,
            notice_format=notice.format if notice else None,
            decision_seconds=time.perf_counter() - started,
        )
        return Verdict(outcome, notice)
