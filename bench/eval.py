"""Detection measured end to end: what would reach the AI service.

    .venv/bin/python -m bench.eval [--smoke] [--sets development,generated,validation]
                                   [--no-anchors] [--out bench/results] [--ruleset PATH]

Every item of a set becomes a request body (OpenAI chat JSON; a quarter of the validation
items as Anthropic messages; several messages where the item has them) and goes through
the real ``Pipeline`` of the ruleset, in process, as the proxy would run it. A planted value
*leaks* when every distinct text it was written as (its encoded form for evasion items, its
fragments when split across messages) is still in the body that would be forwarded, and
the request was not blocked. Per type: leak rate and recall (1 - leak), span recall (a
finding of that type overlaps the value: what ``bench/measure_pii.py`` and
``bench/measure_secrets.py`` count), precision (findings of that type that overlap a planted
value of a compatible type), benign items touched (blocked or changed), and the share of
evasion items caught per technique (no planted value leaked).

Sets, side by side: *development* (the reference data rules were tuned on,
``../shared/data/dev_corpus/``, read in place), *generated* (``tests/corpus/pii_corpus.py``
and ``secrets_corpus.py``, written alongside the rules) and *validation*
(``tests/corpus/validation``, written independently and never tuned on). On the validation
set, anchors: stock Presidio ``AnalyzerEngine`` (configured as ``bench/measure_pii.py`` does)
and ``detect-secrets`` with its default plugins, recall per type on the same items.

Writes ``bench/results/eval.json`` and ``eval.md``.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aipolicy.extract import BodyInput  # noqa: E402
from aipolicy.model import ClientIdentity, RequestInfo  # noqa: E402
from aipolicy.pipeline import Pipeline  # noqa: E402
from aipolicy.ruleset import load_ruleset  # noqa: E402
from tests.corpus.validation.model import Item, Message, Planted, Span  # noqa: E402

DEFAULT_RULESET = ROOT / "rulesets" / "default.yaml"
SETS = ("development", "generated", "validation")
TYPES = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE",
         "IP_ADDRESS", "DATE_OF_BIRTH", "PASSPORT", "US_DRIVER_LICENSE", "STREET_ADDRESS",
         "SECRET")
# Finding types (ours and the anchors') -> the class they are scored as.
FINDING_CLASS = {"US_PASSPORT": "PASSPORT", "UK_PASSPORT": "PASSPORT",
                 "DATE_TIME": "DATE_OF_BIRTH"}
ADDRESS_LIKE = frozenset({"STREET_ADDRESS", "LOCATION"})
CLIENT = ClientIdentity(ipaddress.ip_address("127.0.0.1"))
ENDPOINTS = {"openai": ("api.openai.com", "/v1/chat/completions"),
             "anthropic": ("api.anthropic.com", "/v1/messages")}


# =========================================================================== sets
ALL, SECRETS_ONLY = "all", "secrets"


@dataclass(frozen=True)
class Case:
    """An item and what its corpus labels: ``secrets`` for the secret corpora, which do not
    label personal data (a git log's author e-mail is neither a secret nor a false positive
    there), so only secret findings and blocks are judged on them."""

    item: Item
    labels: str = ALL


def validation_set(smoke: bool = False) -> list[Case]:
    from tests.corpus.validation import generate

    items = generate()
    return [Case(it) for it in (_slice(items, 2) if smoke else items)]


def development_set(smoke: bool = False) -> list[Case]:
    """The PII dev texts (labels as ``bench/measure_pii.py`` reads them: a DATE_TIME with a
    birth cue before it is a date of birth; places and postcodes are context) and the
    secret dev lines (a labelled span, or for rows known by file only, the whole row)."""
    from bench import measure_pii, measure_secrets

    items: list[Case] = []
    if measure_pii.DEV.exists():
        rows = [json.loads(x) for x in measure_pii.DEV.read_text(encoding="utf-8").splitlines()]
        for n, d in enumerate(rows[:60] if smoke else rows):
            planted = []
            for s in d["spans"]:
                label = s["label"]
                if label == "DATE_TIME":
                    if not measure_pii.BIRTH.search(d["text"][max(0, s["start"] - 40):s["start"]]):
                        continue
                    label = "DATE_OF_BIRTH"
                context = label in ("GPE", "ZIP_CODE", "LOCATION")
                if label in TYPES or context:
                    planted.append(Planted("LOCATION" if context else label, label,
                                           d["text"][s["start"]:s["end"]],
                                           (Span(0, s["start"], s["end"]),), not context))
            items.append(Case(_item(f"dp{n}", planted, "pii-dev", d["text"])))
    if measure_secrets.DEV_CORPUS.exists():
        text = measure_secrets.DEV_CORPUS.read_text(encoding="utf-8")
        rows = [json.loads(x) for x in text.splitlines()]
        for n, r in enumerate(rows[::100] if smoke else rows):
            planted = []
            if r["label"] == "secret":
                spans = ((Span(0, r["secret_start"], r["secret_end"]),)
                         if "secret_start" in r else ())
                planted.append(Planted("SECRET", r["type"], r.get("secret", ""), spans))
            items.append(Case(_item(f"ds{n}", planted, r["type"], r["text"], secret=True),
                              SECRETS_ONLY))
    return items


def generated_set(smoke: bool = False) -> list[Case]:
    from bench import measure_secrets
    from tests.corpus.pii_corpus import generate

    items: list[Case] = []
    pii = generate(7)
    for n, s in enumerate(pii[:60] if smoke else pii):
        planted = [Planted(sp.entity, sp.entity, s.text[sp.start:sp.end],
                           (Span(0, sp.start, sp.end),), sp.entity != "LOCATION")
                   for sp in s.spans if sp.entity in TYPES or sp.entity == "LOCATION"]
        items.append(Case(_item(f"gp{n}", planted, s.kind, s.text)))
    corpus = measure_secrets._corpus_module().generate_corpus()
    secret, benign = corpus.secret_samples, corpus.benign_samples
    if smoke:
        secret, benign = secret[:30], benign[:30]
    for n, s in enumerate(secret):
        planted = [Planted("SECRET", sp.kind, s.text[sp.start:sp.end],
                           (Span(0, sp.start, sp.end),)) for sp in s.spans]
        items.append(Case(_item(f"gs{n}", planted, s.context, s.text, secret=True),
                          SECRETS_ONLY))
    for n, s in enumerate(benign):
        items.append(Case(_item(f"gb{n}", [], s.context, s.text, secret=True), SECRETS_ONLY))
    return items


def _item(item_id: str, planted: list[Planted], technique: str, text: str,
          secret: bool = False) -> Item:
    """Benign only when nothing at all is labelled: a text with a place name but no scored
    value is neither counted as benign nor adds to any type."""
    cls = ("secret" if secret else "pii") if planted else "benign"
    return Item(item_id, cls, technique, (Message("user", text),), tuple(planted))


def _slice(items: list[Item], per_technique: int) -> list[Item]:
    """The first few items of every class and technique, smallest first: seconds to run."""
    seen: Counter[tuple[str, str]] = Counter()
    out = []
    for it in sorted(items, key=lambda i: sum(len(m.text) for m in i.messages)):
        key = (it.cls, it.technique)
        if seen[key] < per_technique:
            seen[key] += 1
            out.append(it)
    return sorted(out, key=lambda i: i.id)


def load_sets(names: Iterable[str], smoke: bool) -> dict[str, list[Case]]:
    makers = {"development": development_set, "generated": generated_set,
              "validation": validation_set}
    return {n: makers[n](smoke) for n in names}


# =========================================================================== requests
def request_body(item: Item) -> bytes:
    """The item as the SDKs send it: OpenAI chat JSON (compact, UTF-8) or Anthropic
    messages (``system`` on top, ASCII-escaped). A ``tool`` message follows the assistant's
    call for it."""
    if item.api == "anthropic":
        system = [m.text for m in item.messages if m.role == "system"]
        messages: list[dict] = []
        for i, m in enumerate(item.messages):
            if m.role == "system":
                continue
            if m.role == "tool":
                messages.append({"role": "assistant", "content": [
                    {"type": "tool_use", "id": f"toolu_{i:02d}", "name": "read_file",
                     "input": {"path": "notes.txt"}}]})
                messages.append({"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": f"toolu_{i:02d}", "content": m.text}]})
            else:
                messages.append({"role": m.role, "content": m.text})
        body: dict = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": messages}
        if system:
            body["system"] = "\n\n".join(system)
        return json.dumps(body).encode()
    messages = []
    for i, m in enumerate(item.messages):
        if m.role == "tool":
            call = f"call_{i:02d}"
            messages.append({"role": "assistant", "content": None, "tool_calls": [
                {"id": call, "type": "function", "function": {
                    "name": "read_file", "arguments": "{\"path\": \"notes.txt\"}"}}]})
            messages.append({"role": "tool", "tool_call_id": call, "content": m.text})
        else:
            messages.append({"role": m.role, "content": m.text})
    return json.dumps({"model": "gpt-4o", "messages": messages}, ensure_ascii=False,
                      separators=(",", ":")).encode()


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@dataclass(frozen=True)
class Hit:
    """A finding placed in the item: its class, message and character span."""

    cls: str
    message: int
    start: int
    end: int


@dataclass(frozen=True)
class Observed:
    item: Item
    blocked: bool
    changed: bool  # forwarded with a different body (redacted)
    failure: str | None  # inspection failed (then the request was blocked: fail closed)
    leaked: tuple[bool, ...]  # per item.planted; False for context values
    hits: tuple[Hit, ...]
    labels: str = ALL


class Harness:
    """Runs items through one ``Pipeline``."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.inspector = pipeline.inspector  # None for a ruleset without inspection

    def observe(self, item: Item, labels: str = ALL) -> Observed:
        host, path = ENDPOINTS[item.api]
        info = RequestInfo(method="POST", scheme="https", host=host, port=443, path=path,
                           headers={"content-type": "application/json",
                                    "accept": "application/json"}, client=CLIENT)
        app = self.pipeline.classify(info)
        if app is None:
            raise RuntimeError(f"{host} is not an AI app in this ruleset's catalog")
        body = request_body(item)
        verdict = self.pipeline.evaluate(info, app, body)
        blocked = verdict.notice is not None
        forwarded = verdict.new_body if verdict.new_body is not None else body
        changed = not blocked and forwarded != body
        if labels == SECRETS_ONLY:  # a redaction there is of personal data, not judged
            changed = False
        strings = [] if blocked else list(_strings(json.loads(forwarded)))
        leaked = []
        for p in item.planted:
            if not p.scored:
                leaked.append(False)
                continue
            shown = item.shown(p)
            if not shown:  # a value known only by its row: any action on the request counts
                leaked.append(not blocked and not changed)
            else:
                leaked.append(all(any(s in t for t in strings) for s in shown))
        hits = self._hits(item, info, body)
        if labels == SECRETS_ONLY:
            hits = tuple(h for h in hits if h.cls == "SECRET")
        return Observed(item, blocked, changed, verdict.outcome.failure, tuple(leaked), hits,
                        labels)

    def _hits(self, item: Item, info: RequestInfo, body: bytes) -> tuple[Hit, ...]:
        """Findings with their places. The pipeline has just scanned these very segments,
        so this second inspection is served from its segment cache."""
        if self.inspector is None:
            return ()
        inspection = self.inspector.inspect(BodyInput(
            "POST", info.host, info.path, "application/json", "", body))
        where: dict[int, int] = {}
        free = {i: m.text for i, m in enumerate(item.messages)}
        for k, seg in enumerate(inspection.extraction.segments):
            for i, text in free.items():
                if seg.text == text:
                    where[k] = i
                    del free[i]
                    break
        hits = []
        for f in inspection.findings:
            cls = "SECRET" if f.kind == "secret" else ("CUSTOM" if f.kind == "custom" else
                                                       FINDING_CLASS.get(f.type, f.type))
            hits.append(Hit(cls, where.get(f.segment, -1), f.start, f.end))
        return tuple(hits)


# =========================================================================== scoring
def compatible(finding: str, planted: str) -> bool:
    return (finding == planted or finding == "CUSTOM"
            or (finding in ADDRESS_LIKE and planted in ADDRESS_LIKE))


def _overlaps(h: Hit, p: Planted) -> bool:
    return any(s.message == h.message and h.start < s.end and s.start < h.end for s in p.spans)


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def score(observed: Sequence[Observed]) -> dict:
    """Figures for one set (see the module docstring); JSON-ready."""
    values: Counter[str] = Counter()
    leaked: Counter[str] = Counter()
    span_found: Counter[str] = Counter()
    items_with: Counter[str] = Counter()  # items that plant the type
    items_leaking: Counter[str] = Counter()  # ... and let at least one of its values through
    by_layout: dict[str, Counter] = defaultdict(Counter)  # "TYPE|layout" -> values, leaked
    by_kind: dict[str, Counter] = defaultdict(Counter)  # secret kind -> values, leaked
    findings: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    benign = Counter()
    benign_kinds: dict[str, Counter] = defaultdict(Counter)
    evasion: dict[str, Counter] = defaultdict(Counter)
    evasion_targets: dict[str, Counter] = defaultdict(Counter)
    failures = 0
    unplaced = 0
    for ob in observed:
        it = ob.item
        failures += ob.failure is not None
        for h in ob.hits:
            if h.message < 0:  # in the request's scaffolding (a tool call's arguments)
                unplaced += 1
                continue
            findings[h.cls] += 1
            if any((it.cls == "evasion" or compatible(h.cls, p.type)) and _overlaps(h, p)
                   for p in it.planted):
                correct[h.cls] += 1
        if it.cls == "benign":
            touched = ob.blocked or ob.changed
            benign["items"] += 1
            benign["touched"] += touched
            benign["blocked"] += ob.blocked
            benign_kinds[it.technique]["items"] += 1
            benign_kinds[it.technique]["touched"] += touched
            continue
        if it.cls == "evasion":
            caught = not any(ob.leaked)
            evasion[it.technique]["items"] += 1
            evasion[it.technique]["caught"] += caught
            target = next(p.type for p in it.planted if p.scored)
            evasion_targets[target]["items"] += 1
            evasion_targets[target]["caught"] += caught
            continue
        item_types = {p.type for p in it.planted if p.scored and p.type in TYPES}
        items_with.update(item_types)
        items_leaking.update({p.type for p, leak in zip(it.planted, ob.leaked, strict=True)
                              if leak and p.type in item_types})
        for p, leak in zip(it.planted, ob.leaked, strict=True):
            if not p.scored or p.type not in TYPES:
                continue
            values[p.type] += 1
            leaked[p.type] += leak
            span_found[p.type] += any(compatible(h.cls, p.type) and _overlaps(h, p)
                                      for h in ob.hits)
            by_layout[f"{p.type}|{it.technique}"]["values"] += 1
            by_layout[f"{p.type}|{it.technique}"]["leaked"] += leak
            if p.type == "SECRET":
                by_kind[p.kind]["values"] += 1
                by_kind[p.kind]["leaked"] += leak
    types = {}
    for t in TYPES:
        if values[t] or findings[t]:
            types[t] = {
                "values": values[t], "leaked": leaked[t],
                "leak_rate": _rate(leaked[t], values[t]),
                "recall": _rate(values[t] - leaked[t], values[t]),
                "span_recall": _rate(span_found[t], values[t]),
                "findings": findings[t], "precision": _rate(correct[t], findings[t]),
                "items": items_with[t], "items_leaking": items_leaking[t],
            }
    all_findings, all_correct = sum(findings.values()), sum(correct.values())
    ev_items = sum(c["items"] for c in evasion.values())
    ev_caught = sum(c["caught"] for c in evasion.values())
    return {
        "items": len(observed),
        "classes": dict(Counter(ob.item.cls for ob in observed)),
        "inspection_failures": failures,
        "types": types,
        "findings": {"total": all_findings, "correct": all_correct,
                     "outside_planted": all_findings - all_correct,
                     "precision": _rate(all_correct, all_findings), "unplaced": unplaced,
                     "by_class": {c: {"findings": n, "correct": correct[c]}
                                  for c, n in sorted(findings.items())}},
        "benign": {"items": benign["items"], "touched": benign["touched"],
                   "blocked": benign["blocked"],
                   "touched_rate": _rate(benign["touched"], benign["items"]),
                   "by_kind": {k: {"items": c["items"], "touched": c["touched"]}
                               for k, c in sorted(benign_kinds.items()) if c["touched"]}},
        "evasion": {"items": ev_items, "caught": ev_caught,
                    "caught_rate": _rate(ev_caught, ev_items),
                    "by_technique": {t: {"items": c["items"], "caught": c["caught"],
                                         "caught_rate": _rate(c["caught"], c["items"])}
                                     for t, c in sorted(evasion.items())},
                    "by_target": {t: {"items": c["items"], "caught": c["caught"],
                                      "caught_rate": _rate(c["caught"], c["items"])}
                                  for t, c in sorted(evasion_targets.items())}},
        "layouts": {k: {"values": c["values"], "leaked": c["leaked"],
                        "leak_rate": _rate(c["leaked"], c["values"])}
                    for k, c in sorted(by_layout.items())},
        "secret_kinds": {k: {"values": c["values"], "leaked": c["leaked"]}
                         for k, c in sorted(by_kind.items())},
    }


def run_set(harness: Harness, cases: Sequence[Case],
            progress: Callable[[int], None] | None = None) -> list[Observed]:
    out = []
    for n, case in enumerate(cases):
        out.append(harness.observe(case.item, case.labels))
        if progress and n % 2000 == 1999:
            progress(n + 1)
    return out


# =========================================================================== anchors
def presidio_anchor(items: Sequence[Item]) -> dict:
    """Stock ``AnalyzerEngine`` (as ``bench/measure_pii.py`` builds it) on every message of
    the items that plant personal data, and on the benign ones: span recall per type at its
    default threshold (0) and at 0.5, precision, benign items with any finding."""
    from bench.measure_pii import build_stock

    engine = build_stock()
    hits: dict[float, list[tuple[Item, tuple[Hit, ...]]]] = {0.0: [], 0.5: []}
    for it in items:
        if it.cls == "secret" or (it.cls == "evasion"
                                  and all(p.type == "SECRET" for p in it.planted)):
            continue
        results = [(i, r) for i, m in enumerate(it.messages)
                   for r in engine.analyze(m.text, language="en")]
        for t in hits:
            hits[t].append((it, tuple(Hit(FINDING_CLASS.get(r.entity_type, r.entity_type), i,
                                          r.start, r.end) for i, r in results if r.score >= t)))
    return {f"t={t}": _anchor_score(pairs) for t, pairs in hits.items()}


def detect_secrets_anchor(items: Sequence[Item]) -> dict:
    """``detect-secrets`` with its default plugins and filters, each message scanned as a
    file (``scan_file``, so its YAML/INI transformers and heuristics apply)."""
    from detect_secrets.core.scan import scan_file
    from detect_secrets.settings import default_settings

    pairs = []
    with tempfile.TemporaryDirectory(prefix="eval-ds-") as tmp, default_settings():
        for it in items:
            if it.cls == "pii" or (it.cls == "evasion"
                                   and all(p.type != "SECRET" for p in it.planted)):
                continue
            found = []
            for i, m in enumerate(it.messages):
                path = Path(tmp) / f"{it.id}-{i}.txt"
                path.write_text(m.text, encoding="utf-8")
                lines = m.text.split("\n")
                starts = [0]
                for line in lines[:-1]:
                    starts.append(starts[-1] + len(line) + 1)
                for s in scan_file(str(path)):
                    value = s.secret_value or ""
                    line_no = min(max(s.line_number, 1), len(lines)) - 1
                    at = lines[line_no].find(value) if value else -1
                    if at >= 0:
                        start = starts[line_no] + at
                    else:
                        whole = m.text.find(value) if value else -1
                        start = whole if whole >= 0 else starts[line_no]
                    end = start + max(len(value), 1)
                    found.append(Hit("SECRET", i, start, end))
            pairs.append((it, tuple(found)))
    return _anchor_score(pairs)


def _anchor_score(pairs: Sequence[tuple[Item, tuple[Hit, ...]]]) -> dict:
    values: Counter[str] = Counter()
    found: Counter[str] = Counter()
    findings: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    benign = touched = 0
    evasion = caught = 0
    for it, hits in pairs:
        for h in hits:
            findings[h.cls] += 1
            correct[h.cls] += any((it.cls == "evasion" or compatible(h.cls, p.type))
                                  and _overlaps(h, p) for p in it.planted)
        if it.cls == "benign":
            benign += 1
            touched += bool([h for h in hits if h.cls in TYPES])
            continue
        if it.cls == "evasion":
            evasion += 1
            caught += all(any(_overlaps(h, p) for h in hits) for p in it.planted if p.scored)
            continue
        for p in it.planted:
            if p.scored and p.type in TYPES:
                values[p.type] += 1
                found[p.type] += any(compatible(h.cls, p.type) and _overlaps(h, p)
                                     for h in hits)
    return {
        "types": {t: {"values": values[t], "span_recall": _rate(found[t], values[t]),
                      "findings": findings[t], "precision": _rate(correct[t], findings[t])}
                  for t in TYPES if values[t]},
        "benign": {"items": benign, "with_findings": touched,
                   "rate": _rate(touched, benign)},
        "evasion": {"items": evasion, "found": caught, "rate": _rate(caught, evasion)},
    }


# =========================================================================== report
def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def render_md(result: dict) -> str:
    sets = result["sets"]
    names = list(sets)
    out = [f"# Detection, end to end ({result['meta']['date']})", "",
           f"Command: `{result['meta']['command']}` — ruleset `{result['meta']['ruleset']}`, "
           f"commit {result['meta']['commit']}, {result['meta']['seconds']:.0f} s.", "",
           "A value *leaks* when it (its encoded form, its fragments) is still in the body "
           "that would be forwarded and the request was not blocked. Recall = 1 − leak rate; "
           "span recall = a finding of the type overlaps the value; precision = findings of "
           "the type that overlap a planted value of that type.", ""]
    out += ["## Per type: recall (leak rate) — precision", "",
            "| type | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for t in TYPES:
        cells = []
        for n in names:
            f = sets[n]["types"].get(t)
            if not f or not f["values"]:
                cells.append("–" if not f else f"– — {_num(f['precision'])}")
                continue
            cells.append(f"{_num(f['recall'])} ({_pct(f['leak_rate'])} of {f['values']}) — "
                         f"{_num(f['precision'])}")
        out.append(f"| {t} | " + " | ".join(cells) + " |")
    out.append("| benign items touched | " + " | ".join(
        f"{_pct(sets[n]['benign']['touched_rate'])} of {sets[n]['benign']['items']}"
        for n in names) + " |")
    out.append("| evasion items caught | " + " | ".join(
        f"{_pct(sets[n]['evasion']['caught_rate'])} of {sets[n]['evasion']['items']}"
        if sets[n]["evasion"]["items"] else "–" for n in names) + " |")
    out.append("| findings outside planted values | " + " | ".join(
        f"{sets[n]['findings']['outside_planted']} of {sets[n]['findings']['total']}"
        for n in names) + " |")
    out += ["", "Items with at least one leaked value, per type: " + "; ".join(
        f"{n}: " + ", ".join(f"{t} {f['items_leaking']}/{f['items']}"
                             for t, f in sets[n]["types"].items() if f["values"])
        for n in names)]
    out += ["", "Span recall per type (detector level): " + "; ".join(
        f"{n}: " + ", ".join(f"{t} {_num(f['span_recall'])}" for t, f in sets[n]["types"].items()
                             if f["values"]) for n in names), ""]
    val = sets.get("validation")
    if val:
        out += ["## Validation: evasion techniques", "",
                "| technique | items | caught |", "|---|---|---|"]
        for t, c in val["evasion"]["by_technique"].items():
            out.append(f"| {t} | {c['items']} | {_pct(c['caught_rate'])} |")
        out += ["", "By target: " + ", ".join(
            f"{t} {_pct(c['caught_rate'])} of {c['items']}"
            for t, c in val["evasion"]["by_target"].items()), ""]
        out += ["## Validation: where values leak (type, layout: leaked / values)", ""]
        rows = defaultdict(list)
        for k, c in val["layouts"].items():
            t, layout = k.split("|", 1)
            if c["leaked"]:
                rows[t].append(f"{layout} {c['leaked']}/{c['values']}")
        for t in TYPES:
            if rows[t]:
                out.append(f"- **{t}**: " + ", ".join(rows[t]))
        leaky = [(k, c) for k, c in val["secret_kinds"].items() if c["leaked"]]
        if leaky:
            out += ["", "Secret kinds with leaks: " + ", ".join(
                f"{k} {c['leaked']}/{c['values']}" for k, c in leaky)]
        out.append("")
    out += ["## Benign items touched, by kind (the most touched first)", ""]
    for n in names:
        kinds = sorted(sets[n]["benign"]["by_kind"].items(), key=lambda kv: -kv[1]["touched"])
        out.append(f"- {n}: " + (", ".join(f"{k} {c['touched']}/{c['items']}"
                                           for k, c in kinds[:12]) or "none"))
    out.append("")
    anchors = result.get("anchors")
    if anchors:
        out += ["## Validation: anchors on the same items (span recall — precision)", "",
                "| type | ours | stock Presidio t=0 | stock Presidio t=0.5 | detect-secrets |",
                "|---|---|---|---|---|"]
        pres, ds = anchors.get("presidio", {}), anchors.get("detect_secrets", {})
        for t in TYPES:
            ours = val["types"].get(t) if val else None
            cells = [f"{_num(ours['span_recall'])} — {_num(ours['precision'])}"
                     if ours and ours["values"] else "–"]
            for a in (pres.get("t=0.0"), pres.get("t=0.5"), ds):
                f = a["types"].get(t) if a else None
                cells.append(f"{_num(f['span_recall'])} — {_num(f['precision'])}" if f else "–")
            out.append(f"| {t} | " + " | ".join(cells) + " |")
        bits = []
        for name, a in (("Presidio t=0", pres.get("t=0.0")), ("Presidio t=0.5",
                                                               pres.get("t=0.5")),
                        ("detect-secrets", ds)):
            if a:
                bits.append(f"{name}: benign items with findings {_pct(a['benign']['rate'])}, "
                            f"evasion values found {_pct(a['evasion']['rate'])}")
        out += ["", "; ".join(bits), ""]
    return "\n".join(out) + "\n"


def print_side_by_side(result: dict) -> None:
    sets = result["sets"]
    names = list(sets)
    print("\n" + f"{'type':<20}" + "".join(f"{n:>32}" for n in names))
    print(f"{'':<20}" + "".join(f"{'recall (leak%) n / precision':>32}" for _ in names))
    for t in TYPES:
        line = f"{t:<20}"
        for n in names:
            f = sets[n]["types"].get(t)
            if not f or not f["values"]:
                line += f"{'-':>32}"
                continue
            line += f"{_num(f['recall']):>10} ({_pct(f['leak_rate']):>7}) {f['values']:>5} / " \
                    f"{_num(f['precision']):>5}"
        print(line)
    print(f"{'benign touched':<20}" + "".join(
        f"{_pct(sets[n]['benign']['touched_rate']) + ' of ' + str(sets[n]['benign']['items']):>32}"
        for n in names))
    print(f"{'evasion caught':<20}" + "".join(
        f"{_pct(sets[n]['evasion']['caught_rate']) + ' of ' + str(sets[n]['evasion']['items']):>32}"
        for n in names))


# =========================================================================== main
def _commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def evaluate(ruleset: Path, set_names: Sequence[str], smoke: bool, anchors: bool,
             log: Callable[[str], None] = print) -> dict:
    started = time.perf_counter()
    pipeline = Pipeline(load_ruleset(ruleset))
    harness = Harness(pipeline)
    result: dict = {"sets": {}}
    items_by_set = load_sets(set_names, smoke)
    for name, items in items_by_set.items():
        t0 = time.perf_counter()
        observed = run_set(harness, items, lambda n, name=name: log(f"  {name}: {n} items"))
        result["sets"][name] = score(observed)
        log(f"{name}: {len(items)} items in {time.perf_counter() - t0:.0f} s")
    if anchors and "validation" in items_by_set:
        t0 = time.perf_counter()
        val = [c.item for c in items_by_set["validation"]]
        result["anchors"] = {"presidio": presidio_anchor(val),
                             "detect_secrets": detect_secrets_anchor(val)}
        log(f"anchors in {time.perf_counter() - t0:.0f} s")
    result["meta"] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join([Path(sys.executable).name, "-m", "bench.eval", *sys.argv[1:]]),
        "ruleset": str(ruleset.relative_to(ROOT) if ruleset.is_relative_to(ROOT) else ruleset),
        "commit": _commit(), "mode": "smoke" if smoke else "full",
        "python": platform.python_version(), "seconds": round(time.perf_counter() - started, 1),
    }
    return result


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ruleset", type=Path, default=DEFAULT_RULESET)
    ap.add_argument("--sets", default=",".join(SETS),
                    help="comma-separated: " + ", ".join(SETS))
    ap.add_argument("--smoke", action="store_true",
                    help="a few items of every kind, no anchors: seconds")
    ap.add_argument("--no-anchors", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    unknown = set(names) - set(SETS)
    if unknown:
        ap.error(f"unknown set(s): {', '.join(sorted(unknown))}")
    result = evaluate(args.ruleset.resolve(), names, args.smoke,
                      anchors=not (args.no_anchors or args.smoke))
    print_side_by_side(result)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (args.out / "eval.md").write_text(render_md(result), encoding="utf-8")
    print(f"\nwrote {args.out / 'eval.json'} and {args.out / 'eval.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
