"""Content inspection: extract every segment of a body and find what is sensitive in it.

``Inspector`` is built once per ruleset (compiled secret rules, the spaCy model, term
indexes) and is safe to call from several threads. ``decide_content`` maps findings to
the ruleset's data rules.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from .decide import combine
from .detect.joins import Joiner, JoinText, pairs
from .detect.pii import PiiDetector, PiiSettings
from .detect.prefilter import scan_bytes
from .detect.secrets import SecretScanner, load_secret_rules
from .detect.textmap import View
from .detect.views import Normalizer
from .extract import BodyInput, decode_body, extract
from .inspection_config import DataRule, InspectionSettings
from .model import Action, Decision, Extraction, Finding, Mode
from .outcome import FindingSummary
from .sources import Sources


@dataclass(frozen=True)
class Inspection:
    extraction: Extraction
    findings: tuple[Finding, ...]
    seconds: float


# (kind, type, label, start, end, score, detector, exact) for one segment, offsets in the
# segment; for a join of two segments, start and end are in one side's window and the
# side (0, 1) comes last.
_Row = tuple[str, str, str, int, int, float, str, bool]
_SegmentFindings = tuple[tuple, ...]


class _Entry:
    """What the cache holds for one text: its findings as plain rows, and the Finding
    objects last built from them (a re-sent message keeps its index: the same objects
    serve every turn)."""

    __slots__ = ("rows", "built")

    def __init__(self, rows: _SegmentFindings) -> None:
        self.rows = rows
        self.built: tuple[int, tuple[Finding, ...]] = (-1, ())

    def findings(self, segment: int) -> tuple[Finding, ...]:
        built = self.built  # one read: another thread may replace it meanwhile
        if built[0] != segment:
            built = (segment, tuple(
                Finding(kind, type_, label, segment, start, end, score, detector, exact)
                for kind, type_, label, start, end, score, detector, exact in self.rows))
            self.built = built
        return built[1]


class SegmentCache:
    """Findings of segments already scanned, keyed by a keyed hash of their text.

    Chat clients re-send the whole conversation on every turn; a segment seen before
    costs one hash. Only hashes, offsets and types are kept, never text, and the hash key
    is random per process, so the cache cannot be probed for known values.
    """

    def __init__(self, max_entries: int = 50_000) -> None:
        # SHA-256 over a secret random block followed by the text: a keyed hash that is
        # several times faster than keyed BLAKE2b on CPUs with SHA instructions (hashing
        # the re-sent history is most of a long conversation's cost). Digests never leave
        # the process, so length extension gives nothing to anyone.
        self._keyed = hashlib.sha256(os.urandom(64))
        self._max = max_entries
        self._data: OrderedDict[bytes, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def digest(self, text: str) -> bytes:
        return self.digests([text])[0]

    def digests(self, texts: Sequence[str]) -> list[bytes]:
        keyed = self._keyed
        out = []
        for text in texts:
            h = keyed.copy()
            h.update(text.encode("utf-8", "surrogatepass"))
            out.append(h.digest()[:16])
        return out

    def get_many(self, digests: Sequence[bytes]) -> list[_Entry | None]:
        with self._lock:
            data = self._data
            found = [data.get(d) for d in digests]
            for d, entry in zip(digests, found, strict=True):
                if entry is not None:
                    data.move_to_end(d)
            return found

    def put(self, digest: bytes, findings: _SegmentFindings) -> _Entry:
        entry = _Entry(findings)
        with self._lock:
            self._data[digest] = entry
            self._data.move_to_end(digest)
            while len(self._data) > self._max:
                self._data.popitem(last=False)
        return entry

    def __len__(self) -> int:
        return len(self._data)


class Inspector:
    def __init__(self, settings: InspectionSettings, sources: Sources | None = None) -> None:
        """``sources``: the ruleset's snapshot the rule files are read from (by default,
        the disk)."""
        self.settings = settings
        self.cache = SegmentCache()
        rules = load_secret_rules(settings.secret_rules, check_examples=False,
                                  sources=sources)
        enabled = [r for r in rules.ids if r not in settings.secrets_disabled]
        self.secrets = SecretScanner(rules, enabled=enabled)
        self.pii = PiiDetector(
            PiiSettings(
                entities=frozenset(settings.entities),
                thresholds={k: v.min_score for k, v in settings.entities.items()},
                person_mode=settings.person_mode,
            ),
            settings.pii_patterns,
            sources,
        )
        self.normalizer: Normalizer | None = None
        self.joiner: Joiner | None = None
        if settings.normalize is not None:
            keywords = [k for rule in rules if rule.id in enabled for k in rule.keywords]
            self.normalizer = Normalizer(settings.normalize, keywords)
            self.joiner = Joiner(settings.normalize)

    def inspect(self, body: BodyInput) -> Inspection:
        """Decode, extract and scan. Raises ``InspectionError`` (fixed reason) on failure."""
        started = time.perf_counter()
        max_bytes = self.settings.max_body_bytes
        decoded = decode_body(body.body, body.content_encoding, max_bytes)
        extraction = extract(
            BodyInput(body.method, body.host, body.path, body.content_type, "", decoded),
            max_bytes=max_bytes)
        segments = extraction.segments
        findings = self.scan([s.text for s in segments], [s.role for s in segments])
        return Inspection(extraction, tuple(findings), time.perf_counter() - started)

    def scan(self, texts: Sequence[str], roles: Sequence[str] | None = None) -> list[Finding]:
        """Findings of every text, and of values split between consecutive texts (the
        messages of one request, in order; ``roles`` says which are uploaded files, not
        joined). Texts and joins scanned before (re-sent history) come from cache."""
        cache = self.cache
        digests = cache.digests(texts)
        entries = cache.get_many(digests)
        # New texts, each once: the same new text twice in one request (a quoted
        # paragraph) is scanned once.
        todo: dict[bytes, int] = {}
        for i, entry in enumerate(entries):
            if entry is None:
                todo.setdefault(digests[i], i)
        made: dict[bytes, _Entry] = {}
        if todo:
            fresh = self._scan_fresh([texts[i] for i in todo.values()])
            made = {d: cache.put(d, rows) for d, rows in zip(todo, fresh, strict=True)}
        findings: list[Finding] = []
        for i, entry in enumerate(entries):
            if entry is None:
                entry = made[digests[i]]
            if entry.rows:
                findings.extend(entry.findings(i))
        if self.joiner is not None and len(texts) > 1:
            by_segment: dict[int, list[Finding]] = {}
            for f in findings:
                by_segment.setdefault(f.segment, []).append(f)
            for parts in self._joins(texts, roles or ["user"] * len(texts)):
                # A side that holds a whole finding already ("a@b.com" | "0 ..."): the
                # join only glued something onto it.
                if not any(g.kind == p.kind and g.start <= p.start and p.end <= g.end
                           for p in parts for g in by_segment.get(p.segment, ())):
                    findings.extend(parts)
        return findings

    def _joins(self, texts: Sequence[str], roles: Sequence[str]) -> list[list[Finding]]:
        """Findings that take characters from both texts of a pair (``joins.pairs``):
        per finding, its part on each side. A pair's findings are cached under its two
        windows, with offsets in the windows."""
        joiner, cache = self.joiner, self.cache
        assert joiner is not None
        todo = pairs(roles)
        windows = [joiner.windows(texts[i], texts[j]) for i, j in todo]
        keys = cache.digests(["\x00join\x00".join(w) for w in windows])
        entries = cache.get_many(keys)
        scanned: list[tuple[int, JoinText]] = []
        for n, entry in enumerate(entries):
            if entry is None:
                jt = joiner.text(*windows[n])
                if jt is None:
                    entries[n] = cache.put(keys[n], ())
                else:
                    scanned.append((n, jt))
        if scanned:
            rows: dict[int, list[tuple]] = {n: [] for n, _ in scanned}
            for f in self._detect([jt.text for _, jt in scanned]):
                n, jt = scanned[f.segment]
                group = len(rows[n])  # the parts of one finding share it
                for side, start, end in jt.parts(f.start, f.end):
                    rows[n].append((f.kind, f.type, f.label, start, end, f.score,
                                    f.detector + "+join", group, side))
            for n, found in rows.items():
                entries[n] = cache.put(keys[n], tuple(dict.fromkeys(found)))
        out: list[list[Finding]] = []
        for n, (i, j) in enumerate(todo):
            entry = entries[n]
            assert entry is not None
            shift = len(texts[i]) - len(windows[n][0])  # the left window's start
            groups: dict[int, list[Finding]] = {}
            for kind, type_, label, start, end, score, detector, group, side in entry.rows:
                offset = shift if side == 0 else 0
                groups.setdefault(group, []).append(Finding(
                    kind, type_, label, i if side == 0 else j, start + offset, end + offset,
                    score, detector))
            out.extend(groups.values())
        return out

    def _scan_fresh(self, texts: Sequence[str]) -> list[_SegmentFindings]:
        """Scan texts not seen before, and their views (``detect.views``); per text, its
        findings as cacheable rows."""
        data = [scan_bytes(t) for t in texts]
        owners: list[tuple[int, View]] = []  # per view: the text it came from
        all_texts, all_data = list(texts), list(data)
        if self.normalizer is not None:
            for i, text in enumerate(texts):
                for view, view_data in self.normalizer.views(text, data[i]):
                    owners.append((i, view))
                    all_texts.append(view.text)
                    all_data.append(view_data)
        rows: list[list[_Row]] = [[] for _ in texts]
        seen: list[list[Finding]] = [[] for _ in texts]
        from_views: list[tuple[int, Finding]] = []
        for f in self._detect(all_texts, all_data):
            if f.segment < len(texts):
                seen[f.segment].append(f)
                rows[f.segment].append((f.kind, f.type, f.label, f.start, f.end, f.score,
                                        f.detector, True))
            else:
                from_views.append((f.segment - len(texts), f))
        for n, f in from_views:
            i, view = owners[n]
            where = view.resolve(f.start, f.end)
            if not where.techniques:
                continue  # untouched text around a change: the text as written says it
            if any(g.kind == f.kind and g.start <= where.start and where.end <= g.end
                   for g in seen[i]):
                continue  # the text as written already showed it
            rows[i].append((f.kind, f.type, f.label, where.start, where.end, f.score,
                            "+".join((f.detector, *where.techniques)), where.exact))
        return [tuple(dict.fromkeys(r)) for r in rows]

    def _detect(self, texts: Sequence[str], data: Sequence[bytes] | None = None
                ) -> list[Finding]:
        findings: list[Finding] = []
        taken: dict[int, list[tuple[int, int]]] = {}
        # What every Hyperscan pass reads, made once per text (not once per pass).
        data = [scan_bytes(t) for t in texts] if data is None else data
        for i, text in enumerate(texts):
            for m in self.secrets.scan(text, data[i]):
                findings.append(Finding("secret", m.rule_id, m.label, i, m.start, m.end, 1.0,
                                        "secrets"))
                taken.setdefault(i, []).append((m.start, m.end))
            for c in self.settings.custom.scan(text, data[i]):
                findings.append(Finding("custom", c.detector_id, c.label, i, c.start, c.end,
                                        1.0, "custom"))
        for i, matches in enumerate(self.pii.scan_many(list(texts), list(data))):
            spans = taken.get(i, ())
            for m in matches:
                if any(m.start < e and s < m.end for s, e in spans):
                    continue  # part of a secret (an e-mail inside a database URL)
                label = self.settings.label_of("pii", m.entity, m.entity)
                findings.append(Finding("pii", m.entity, label, i, m.start, m.end, m.score,
                                        m.detector))
        return findings


# ----------------------------------------------------------------------------- decide
@dataclass(frozen=True)
class ContentDecision:
    """What the data rules say about one inspected body."""

    decision: Decision | None  # the strongest decision over findings and unreadable
    #                            parts (``combine``); None when there is nothing to decide
    redact: tuple[Finding, ...]  # findings whose rule redacts them, and is enforced
    problem: str | None = None  # the fixed reason, when ``decision`` is a forced block


_NOT_REDACTABLE = ("Personal data was found in an uploaded document, where it cannot be "
                   "removed automatically. Remove it and upload the document again.")
_UNINSPECTABLE_UPLOAD = "Uploads whose content cannot be inspected are not allowed."
_ENCODED = ("Personal data was found in encoded or disguised text (base64, hex, reversed or "
            "ROT13), where it cannot be removed automatically. Remove it and send the "
            "request again.")


def summarize(findings: Sequence[Finding]) -> FindingSummary:
    counts: dict[tuple[str, str, str], int] = {}
    for f in findings:
        key = (f.kind, f.type, f.label)
        counts[key] = counts.get(key, 0) + 1
    return FindingSummary(tuple((k, t, lbl, n) for (k, t, lbl), n in counts.items()))


def _rule_matches(rule: DataRule, f: Finding, access: Decision) -> bool:
    w = rule.when
    assert access.app and access.status and access.activity  # set by decide_access
    return (
        (not w.findings or f.kind in w.findings or f.type in w.findings)
        and (rule.min_score is None or f.score >= rule.min_score)
        and w.requests.applies(access.app, access.status, access.groups, access.activity)
    )


def _rule_decision(access: Decision, rule: DataRule, mode: Mode) -> Decision:
    return dataclasses.replace(access, action=rule.action, rule_id=rule.id,
                               reason=rule.reason, mode=rule.mode or mode,
                               alternative=None, alternative_text=None)


def decide_content(settings: InspectionSettings, inspection: Inspection, access: Decision,
                   mode: Mode) -> ContentDecision:
    """Each finding gets the first data rule that matches it (or the default); the body
    gets the strongest of their decisions, through the same ``combine`` as everything
    else. ``access`` supplies the app, status and groups; ``mode`` is the ruleset's."""
    assert access.app is not None and access.status is not None
    by_rule: dict[str, Decision] = {}
    decisions: list[Decision] = []
    redact: list[tuple[Finding, Decision]] = []
    for f in inspection.findings:
        rule = next((r for r in settings.rules if _rule_matches(r, f, access)),
                    settings.default)
        decision = by_rule.get(rule.id)
        if decision is None:
            decision = by_rule[rule.id] = _rule_decision(access, rule, mode)
            decisions.append(decision)
        if decision.enforced_action is Action.REDACT:
            redact.append((f, decision))
    forced: dict[int, str] = {}  # id of a forced decision -> its fixed reason
    segments = inspection.extraction.segments
    unwritable = next((d for f, d in redact if not segments[f.segment].redactable), None)
    if unwritable is not None:  # a redaction that cannot be written back becomes a block
        block = dataclasses.replace(unwritable, action=Action.BLOCK, reason=_NOT_REDACTABLE)
        decisions.append(block)
        forced[id(block)] = _NOT_REDACTABLE
    encoded = next((d for f, d in redact if not f.exact), None)
    if encoded is not None:  # a redaction of an encoded value becomes a block
        block = dataclasses.replace(encoded, action=Action.BLOCK, reason=_ENCODED)
        decisions.append(block)
        forced[id(block)] = _ENCODED
    if inspection.extraction.uninspectable:
        binary = settings.binary_uploads
        reason = (_UNINSPECTABLE_UPLOAD if binary is Action.BLOCK else
                  "An upload could not be inspected; it was recorded.")
        uploads = dataclasses.replace(access, action=binary, rule_id="inspection",
                                      reason=reason, mode=mode, alternative=None,
                                      alternative_text=None)
        decisions.append(uploads)
        if binary is Action.BLOCK:
            forced[id(uploads)] = _UNINSPECTABLE_UPLOAD
    if not decisions:
        return ContentDecision(None, ())
    decision = combine(*decisions)
    return ContentDecision(decision, tuple(f for f, _ in redact), forced.get(id(decision)))
