"""Text and JSON for ``aipolicy test --har/--flows`` and ``aipolicy diff``.

Everything printed is policy vocabulary (apps, rules, groups, finding types), places
(segment descriptions, character offsets), counts and the fixed texts of rules and
notes: never a header, a query string, a body or a finding's characters.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..decide import RuleChoice
from ..ruleset import Ruleset
from .capture import BodyState
from .compare import Comparison
from .results import Replay, Result, Stage

# ---------------------------------------------------------------------------- JSON


def replay_json(replay: Replay, ruleset: Ruleset) -> dict[str, Any]:
    return {
        "capture": _capture_json(replay),
        "ruleset": _ruleset_json(ruleset),
        "summary": _summary(replay),
        "requests": [result_json(r) for r in replay.results],
        "skipped": [{"entry": s.index, "reason": s.reason} for s in replay.skipped],
        "non_ai_hosts": dict(replay.non_ai_hosts),
    }


def comparison_json(cmp: Comparison, old: Ruleset, new: Ruleset) -> dict[str, Any]:
    def change(c) -> dict[str, Any]:
        return {"entry": c.index, "message": c.message, "method": c.method, "host": c.host,
                "path": c.path,
                "old": {**result_json(c.old), "path": c.path} if c.old else None,
                "new": {**result_json(c.new), "path": c.path} if c.new else None}

    return {
        "capture": _capture_json(cmp.old),
        "old": _ruleset_json(old),
        "new": _ruleset_json(new),
        "compared": cmp.compared,
        "changed": [change(c) for c in cmp.changed],
        "findings_only": [change(c) for c in cmp.findings_only],
    }


def result_json(r: Result) -> dict[str, Any]:
    app = r.app
    return {
        "entry": r.index,
        "message": r.message,
        "method": r.method,
        "host": r.host,
        "path": r.path,
        "client": {"address": str(r.client.address) if r.client.address else None,
                   "user": r.client.user},
        "groups": list(r.groups),
        "app": app.id if app else None,
        "app_name": app.name if app else None,
        "vendor": app.vendor if app else None,
        "category": app.category if app else None,
        "status": r.status.value if r.status else None,
        "decision": {"stage": r.stage.value, "rule": r.rule, "action": r.action.value,
                     "enforced": r.enforced.value, "mode": r.mode.value, "reason": r.reason},
        "access": _choice_json(r.access) if r.access else None,
        "finding_counts": dict(r.counts),
        "findings": [{
            "kind": f.kind, "type": f.type, "label": f.label, "where": f.where,
            "segment": f.segment, "start": f.start, "end": f.end, "masked": f.masked,
            "score": round(f.score, 2), "detector": f.detector, "exact": f.exact,
            "rule": f.rule, "action": f.action.value} for f in r.findings],
        "data_rules": [{"kind": d.kind, "type": d.type, **_choice_json(d.choice)}
                       for d in r.data_rules],
        "body": r.body.value,
        "content_checked": r.checked,
        "uninspectable": list(r.uninspectable),
        "failure": r.failure,
        "disagreement": r.disagreement,
        "notes": list(r.notes),
    }


def _choice_json(choice: RuleChoice) -> dict[str, Any]:
    return {"rule": choice.rule.id, "action": choice.rule.action.value,
            "passed": [{"rule": p.rule_id,
                        "unmet": [{"key": u.key, "wanted": list(u.wanted),
                                   "actual": list(u.actual)} for u in p.unmet]}
                       for p in choice.passed]}


def _capture_json(replay: Replay) -> dict[str, Any]:
    c = replay.capture
    return {"file": c.source, "format": c.format, "creator": c.creator,
            "requests": len(c.requests), "unreadable_or_not_http": len(c.skipped)}


def _ruleset_json(rs: Ruleset) -> dict[str, Any]:
    return {"file": str(rs.path), "policy": rs.policy.name, "version": rs.policy.version,
            "mode": rs.mode.value}


def _summary(replay: Replay) -> dict[str, Any]:
    return {
        "ai_requests": len(replay.results),
        "enforced": dict(Counter(r.enforced.value for r in replay.results)),
        "content_not_checked": sum(not r.checked for r in replay.results),
        "skipped": dict(Counter(s.reason for s in replay.skipped)),
    }


# ---------------------------------------------------------------------------- text


def replay_text(replay: Replay, ruleset: Ruleset) -> str:
    lines = [_heading(replay, ruleset)]
    summary = _summary(replay)
    enforced = ", ".join(f"{a} {n}" for a, n in sorted(summary["enforced"].items()))
    lines.append(f"{summary['ai_requests']} AI request(s) ({enforced or 'none'})"
                 + (f"; content not checked in {summary['content_not_checked']} (no body "
                    "in the capture)" if summary["content_not_checked"] else ""))
    if summary["skipped"]:
        lines.append("skipped: " + ", ".join(f"{reason} {n}" for reason, n
                                               in sorted(summary["skipped"].items())))
    if replay.non_ai_hosts:
        lines.append("non-AI hosts: " + ", ".join(f"{h} ({n})" for h, n in replay.non_ai_hosts))
    for r in replay.results:
        lines.append("")
        lines.extend(result_text(r))
    return "\n".join(lines)


def result_text(r: Result) -> list[str]:
    ind = "    "
    out = [f"#{_label(r.index, r.message)} {r.method} {r.host}{r.path}"]
    if r.app is not None:
        status = r.status.value if r.status else "-"
        out.append(f"{ind}app       {r.app.id} ({r.app.name}; {r.app.vendor}; "
                   f"{r.app.category}; {status})")
    address = str(r.client.address) if r.client.address else "address unknown"
    user = f"user {r.client.user}" if r.client.user else "no user"
    out.append(f"{ind}client    {address}, {user}; groups {', '.join(r.groups)}")
    enforced = "" if r.enforced is r.action else f", enforced {r.enforced.value}"
    mode = "" if r.mode.value == "enforce" else f" ({r.mode.value} mode)"
    out.append(f"{ind}decision  {r.action.value.upper()}{enforced}{mode} by "
               f"{_stage_text(r.stage)} {r.rule}")
    out.append(f"{ind}          {r.reason}")
    if r.disagreement:
        out.append(f"{ind}names     disagree: {r.disagreement}")
    if r.failure:
        out.append(f"{ind}failure   {r.failure}")
    if r.access is not None:
        out.append(f"{ind}access    {r.access.rule.id} ({r.access.rule.action.value})")
        out.extend(f"{ind}            {line}" for line in _passed_text(r.access))
    if r.counts:
        out.append(f"{ind}findings  " + ", ".join(f"{t} {n}" for t, n in r.counts))
        for f in r.findings:
            out.append(f"{ind}          {f.where} [{f.start}:{f.end}] {f.masked} "
                       f"-> {f.rule} ({f.action.value})")
        for d in r.data_rules:
            out.append(f"{ind}data      {d.type} -> {d.choice.rule.id} "
                       f"({d.choice.rule.action.value})")
            out.extend(f"{ind}            {line}" for line in _passed_text(d.choice))
    for part in r.uninspectable:
        out.append(f"{ind}unread    {part}")
    if r.body in (BodyState.MISSING, BodyState.STREAMED):
        out.append(f"{ind}body      {r.body.value}"
                   + ("" if r.checked else ": content not checked, the proxy may decide "
                      "otherwise"))
    out.extend(f"{ind}note      {note}" for note in r.notes)
    return out


def _passed_text(choice: RuleChoice) -> list[str]:
    return [f"not {p.rule_id}: " + "; ".join(str(u) for u in p.unmet) for p in choice.passed]


def _stage_text(stage: Stage) -> str:
    return {Stage.ACCESS: "access rule", Stage.DATA: "data rule",
            Stage.DESTINATION: "destination check", Stage.INSPECTION: "inspection failure",
            Stage.REFUSAL: "protocol refusal"}[stage]


def _label(index: int, message: int | None) -> str:
    return f"{index}" if message is None else f"{index}.ws{message}"


def _heading(replay: Replay, ruleset: Ruleset) -> str:
    c = replay.capture
    kind = "HAR" if c.format == "har" else "mitmproxy flows"
    by = f" by {c.creator}" if c.creator else ""
    return (f"{c.source} ({kind}{by}, {len(c.requests) + len(c.skipped)} entries) against "
            f"{ruleset.path} ({ruleset.policy.name}, version {ruleset.policy.version})")


def comparison_text(cmp: Comparison, old: Ruleset, new: Ruleset) -> str:
    c = cmp.old.capture
    lines = [f"{c.source}: {old.path} (version {old.policy.version}) -> {new.path} "
             f"(version {new.policy.version})",
             f"{len(cmp.changed)} of {cmp.compared} AI request(s) change decision"
             + (f"; {len(cmp.findings_only)} change findings only" if cmp.findings_only
                else "")]
    for title, changes in (("", cmp.changed), ("findings only", cmp.findings_only)):
        if title and changes:
            lines += ["", f"-- {title}"]
        for ch in changes:
            lines += ["", f"#{_label(ch.index, ch.message)} {ch.method} {ch.host}{ch.path}"]
            for side, r in (("old", ch.old), ("new", ch.new)):
                lines.append(f"    {side}  {_brief(r, ch.message)}")
    return "\n".join(lines)


def _brief(r: Result | None, message: int | None) -> str:
    if r is None:
        return "not an AI request" if message is None else "not sent or not inspected"
    app = r.app.id if r.app else "-"
    enforced = "" if r.enforced is r.action else f" (enforced {r.enforced.value})"
    counts = ", ".join(f"{t} {n}" for t, n in r.counts)
    return (f"{r.action.value}{enforced} by {_stage_text(r.stage)} {r.rule}; app {app}"
            + (f"; findings {counts}" if counts else ""))
