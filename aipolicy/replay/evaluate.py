"""Run a capture's requests through a pipeline, the way the proxy runs a live request.

``replay`` follows the proxy's request path step by step: the protocol refusals of
``addons/http_guard.py`` (``refusal.protocol_refusal``), then ``addons/enforcer.py``
``Enforcer.request`` (classify the destination; refuse names that disagree; skip what
is no AI app; decide access alone when the ruleset inspects nothing; fail closed on a
body mitmproxy streamed past; else inspect the body, even empty, and the envelope) and
``Enforcer.websocket_message`` for the client's WebSocket messages. Every decision is
the pipeline's own (``Pipeline.examine``, ``refuse``, ``failure_verdict``,
``refusal_verdict``); what is added here is the explanation: the access rule and the
rules passed over, the data rule of each finding and the rules passed over
(``decide.first_match``, the very walk the decisions take), and the findings' places.

A body the capture does not hold (``BodyState.MISSING``) is inspected as empty (the
path, query and header fields are still inspected), and the result says so: the proxy,
which sees the body, may decide otherwise.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from ..decide import RuleChoice, choose_access_rule, decide_access
from ..destination import Destination
from ..inspect import Inspection, choose_data_rule
from ..model import Action, Finding, RequestInfo
from ..pipeline import INSPECTION_FAILED, Examination, Pipeline, Verdict
from ..refusal import REQUEST_REFUSED, protocol_refusal
from .capture import BodyState, Capture, CapturedRequest, Skipped
from .mask import masked, safe_where
from .results import DataRuleChoice, FindingResult, Replay, Result, Stage

NOT_AI = "not an AI service"
WEBSOCKET_REFUSED = "WebSocket messages after a refused handshake (never sent)"
STREAMED = "the request body was streamed"  # the enforcer's failure reason, word for word


def replay(pipeline: Pipeline, capture: Capture) -> Replay:
    results: list[Result] = []
    skipped = list(capture.skipped)
    non_ai: Counter[str] = Counter()
    for request in capture.requests:
        judged = _request(pipeline, request)
        if judged is None:
            skipped.append(Skipped(request.index, NOT_AI))
            non_ai[request.info.host] += 1
            continue
        result, info = judged
        results.append(result)
        if request.messages:
            if result.enforced is Action.BLOCK:
                skipped.append(Skipped(request.index, WEBSOCKET_REFUSED))
            else:
                results.extend(_messages(pipeline, request, result, info))
    skipped.sort(key=lambda s: s.index)
    return Replay(capture, tuple(results), tuple(skipped), tuple(sorted(non_ai.items())))


def _request(pipeline: Pipeline,
             request: CapturedRequest) -> tuple[Result, RequestInfo] | None:
    """The request's result, and its description as the proxy forwarded it."""
    info = request.info
    destination = pipeline.destination(info)
    app = destination.app
    if destination.host:  # the name the app was recognised by, as the enforcer does
        info = dataclasses.replace(info, host=destination.host)
    refusal = protocol_refusal(info.fields, bool(info.trailers))
    examination: Examination | None = None
    if refusal is not None and app is not None:
        verdict = pipeline.refusal_verdict(info, app, refusal)
    elif destination.refusal is not None:
        verdict = pipeline.refuse(info, destination)
    elif app is None:
        return None
    elif not pipeline.needs_body(info):
        examination = pipeline.examine(info, app)
    elif request.body_state is BodyState.STREAMED:
        verdict = pipeline.failure_verdict(info, app, STREAMED)
    else:  # any method; an empty body still has a path, a query and header fields; a
        # body the capture lacks: those fields are inspected, the body is not
        examination = pipeline.examine(info, app, request.body or b"")
    if examination is not None:
        verdict = examination.verdict
    result = _result(pipeline, request, None, info, destination, verdict,
                     examination.inspection if examination else None, request.body_state)
    if verdict.new_envelope.path is not None:  # WebSocket messages: the path as forwarded
        info = dataclasses.replace(info, path=verdict.new_envelope.path)
    return result, info


def _messages(pipeline: Pipeline, request: CapturedRequest, handshake: Result,
              info: RequestInfo) -> list[Result]:
    """As ``Enforcer.websocket_message``: each client message is a body to inspect."""
    app = handshake.app
    if app is None or pipeline.ruleset.inspection is None:
        return []  # the proxy lets such messages pass without a decision
    out = []
    for message in request.messages:
        # The handshake's path, query and header fields were inspected with the
        # handshake: a message is its content only, read by content (JSON when it
        # parses, else text in any encoding, a known file format).
        winfo = dataclasses.replace(
            info, method="POST", websocket=True, query="", fields=(), trailers=(),
            headers={**info.headers, "content-type": "" if message.is_text
                     else "application/octet-stream", "content-encoding": ""})
        examination = pipeline.examine(winfo, app, message.content)
        out.append(_result(pipeline, request, message.number, winfo, None,
                           examination.verdict, examination.inspection,
                           BodyState.SENT if message.content else BodyState.EMPTY))
    return out


def _result(pipeline: Pipeline, request: CapturedRequest, message: int | None,
            info: RequestInfo, destination: Destination | None, verdict: Verdict,
            inspection: Inspection | None, body: BodyState) -> Result:
    outcome = verdict.outcome
    decision = outcome.decision
    app, status, groups = decision.app, decision.status, decision.groups
    ruleset = pipeline.ruleset
    activity = decision.activity or ruleset.activities.of(info)
    access = (choose_access_rule(ruleset, app, status, groups, activity)
              if app is not None and status is not None else None)
    if destination is not None and destination.refusal is not None \
            and decision.rule_id == destination.refusal.rule_id:
        stage = Stage.DESTINATION
    elif decision.rule_id == REQUEST_REFUSED:
        stage = Stage.REFUSAL
    elif decision.rule_id == INSPECTION_FAILED:
        stage = Stage.INSPECTION
    elif app is not None and decision == decide_access(ruleset, app, info):
        stage = Stage.ACCESS
    else:
        stage = Stage.DATA
    findings: list[FindingResult] = []
    chosen: dict[tuple[str, str, float], RuleChoice] = {}
    choices: dict[DataRuleChoice, None] = {}  # distinct, in order of first finding
    uninspectable: tuple[str, ...] = ()
    settings = ruleset.inspection
    if inspection is not None and settings is not None and app is not None \
            and status is not None:
        segments = inspection.segments  # the body's, then the path's, query's, fields'
        uninspectable = inspection.extraction.uninspectable
        for f in inspection.findings:
            key = (f.kind, f.type, f.score)
            choice = chosen.get(key)
            if choice is None:
                choice = chosen[key] = choose_data_rule(settings, f, app, status, groups,
                                                         activity)
                choices[DataRuleChoice(f.kind, f.type, choice)] = None
            rule = choice.rule
            findings.append(_finding(f, safe_where(segments[f.segment].where), rule.id,
                                     rule.action))
    return Result(
        index=request.index, message=message, method=info.method, host=info.host,
        path=outcome.request.path,  # as the audit log records it: without a finding
        client=info.client, app=app, status=status, groups=groups,
        rule=decision.rule_id, stage=stage, action=decision.action,
        enforced=outcome.enforced, mode=decision.mode, reason=decision.reason,
        access=access, findings=tuple(findings), data_rules=tuple(choices),
        counts=tuple((t, n) for _, t, _, n in outcome.findings.counts),
        uninspectable=uninspectable, failure=outcome.failure,
        disagreement=destination.disagreement.value
        if destination is not None and destination.disagreement else None,
        body=body, notes=request.notes)


def _finding(f: Finding, where: str, rule: str, action: Action) -> FindingResult:
    return FindingResult(
        kind=f.kind, type=f.type, label=f.label, where=where, segment=f.segment,
        start=f.start, end=f.end, masked=masked(f), score=f.score, detector=f.detector,
        exact=f.exact, rule=rule, action=action)
