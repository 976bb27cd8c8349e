"""Content inspection: extract every segment of a body and find what is sensitive in it.

``Inspector`` is built once per ruleset (compiled secret rules, the spaCy model, term
indexes) and is safe to call from several threads. ``decide_content`` maps findings to
the ruleset's data rules.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .detect.pii import PiiDetector, PiiSettings
from .detect.prefilter import scan_bytes
from .detect.secrets import SecretScanner, load_secret_rules
from .extract import BodyInput, decode_body, extract
from .extract.envelope import Envelope, EnvelopeEdit, read_envelope
from .inspection_config import DataRule, InspectionSettings
from .model import (
    ACTION_STRENGTH,
    SCAN_ALL,
    SCAN_CREDENTIAL,
    Action,
    App,
    Extraction,
    Finding,
    RequestInfo,
    Segment,
    Status,
)
from .outcome import FindingSummary
from .redact import placeholder_name


@dataclass(frozen=True)
class Inspection:
    """What was found in one request: its body's segments, then its envelope's (path,
    query, header and trailer fields); ``Finding.segment`` indexes ``segments``."""

    extraction: Extraction
    findings: tuple[Finding, ...]
    seconds: float
    envelope: Envelope | None = None

    @property
    def segments(self) -> tuple[Segment, ...]:
        if self.envelope is None:
            return self.extraction.segments
        return self.extraction.segments + self.envelope.segments

    def recorded_path(self, path: str) -> str:
        """``path`` with every path segment a finding is in replaced by the finding's type
        ("/v1/files/[US_SSN]"): what the audit log may hold."""
        return _marked_path(path, self.envelope, self.findings, len(self.extraction.segments))

    def rewrite(self, replacements: Mapping[int, str]) -> tuple[bytes | None, EnvelopeEdit]:
        """The body (None when unchanged) and the envelope edit for new segment texts."""
        body_count = len(self.extraction.segments)
        body = {i: t for i, t in replacements.items() if i < body_count}
        rest = {i - body_count: t for i, t in replacements.items() if i >= body_count}
        new_body = self.extraction.rewrite(body) if body else None
        if rest and self.envelope is None:
            raise IndexError("no envelope segments")
        return new_body, self.envelope.rewrite(rest) if rest else EnvelopeEdit()


_SURROGATE = re.compile("[\ud800-\udfff]")
# (kind, type, label, start, end, score, detector) for one segment, offsets in the segment
_SegmentFindings = tuple[tuple[str, str, str, int, int, float, str], ...]


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
                Finding(kind, type_, label, segment, start, end, score, detector)
                for kind, type_, label, start, end, score, detector in self.rows))
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

    def digest_in(self, text: str, context: str, scope: str) -> bytes:
        """The key of a text scanned with a context before it, or for fewer detectors.
        0xFF, which UTF-8 never produces, separates the parts: no plain text's key can
        be one of these."""
        h = self._keyed.copy()
        h.update(b"\xff" + scope.encode() + b"\xff" + context.encode("utf-8", "surrogatepass")
                 + b"\xff" + text.encode("utf-8", "surrogatepass"))
        return h.digest()[:16]

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
    def __init__(self, settings: InspectionSettings) -> None:
        self.settings = settings
        self.cache = SegmentCache()
        rules = load_secret_rules(settings.secret_rules, check_examples=False)
        enabled = [r for r in rules.ids if r not in settings.secrets_disabled]
        self.secrets = SecretScanner(rules, enabled=enabled)
        self.pii = PiiDetector(
            PiiSettings(
                entities=frozenset(settings.entities),
                thresholds={k: v.min_score for k, v in settings.entities.items()},
                person_mode=settings.person_mode,
            ),
            settings.pii_patterns,
        )
        # Secrets that never count in a credential position: generic rules and the
        # formats any service uses for its own sessions.
        self._ignored_in_credentials = frozenset(
            {rule.id for rule in rules if rule.generic}
            | settings.http_fields.credential_formats)

    def inspect(self, body: BodyInput, envelope: Envelope | None = None,
                credentials: frozenset[str] = frozenset()) -> Inspection:
        """Decode, extract and scan the body, and scan the envelope. ``credentials``: the
        secret kinds that are the destination's own credentials (see ``scan_segments``). Raises
        ``InspectionError`` (fixed reason) on failure."""
        started = time.perf_counter()
        max_bytes = self.settings.max_body_bytes
        decoded = decode_body(body.body, body.content_encoding, max_bytes)
        extraction = extract(
            BodyInput(body.method, body.host, body.path, body.content_type, "", decoded),
            max_bytes=max_bytes)
        segments = extraction.segments + (envelope.segments if envelope else ())
        findings = self.scan_segments(segments, credentials)
        return Inspection(extraction, tuple(findings), time.perf_counter() - started,
                          envelope)

    def recorded_path(self, request: RequestInfo) -> str:
        """The request's path as the audit log may hold it (see
        ``Inspection.recorded_path``), for a request that was not inspected."""
        envelope = read_envelope(request.path, "", (), (), self.settings.http_fields)
        return _marked_path(request.path, envelope, self.scan_segments(envelope.segments), 0)

    def inspect_request(self, request: RequestInfo, app: App, body: bytes) -> Inspection:
        """``inspect`` of a request as the proxy describes it: its body, its path, query,
        header and trailer fields, and the app's own credential kinds."""
        envelope = read_envelope(request.path, request.query, request.fields,
                                 request.trailers, self.settings.http_fields)
        return self.inspect(
            BodyInput(request.method, request.host, request.path, request.content_type,
                      request.headers.get("content-encoding", ""), body),
            envelope, frozenset(app.credentials))

    def scan_segments(self, segments: Sequence[Segment],
                      credentials: frozenset[str] = frozenset()) -> list[Finding]:
        """Findings of segments, each scanned with its context and for its scope. In a
        credential position (``SCAN_CREDENTIAL``) a secret counts only when it is of a
        service's own kind that is not the destination's: the app's ``credentials``,
        formats any service uses for sessions (JWTs) and generic rules do not count."""
        plain = all(s.scope == SCAN_ALL and not s.context for s in segments)
        if plain:
            return self.scan([s.text for s in segments])
        findings = self.scan([s.text for s in segments],
                             contexts=[s.context for s in segments],
                             scopes=[s.scope for s in segments])
        ignored = self._ignored_in_credentials | credentials
        return [f for f in findings
                if not (segments[f.segment].scope == SCAN_CREDENTIAL and f.type in ignored)]

    def scan(self, texts: Sequence[str], *, contexts: Sequence[str] | None = None,
             scopes: Sequence[str] | None = None) -> list[Finding]:
        """Findings of every text; texts scanned before (re-sent history) come from cache.
        ``contexts``: text read before each one (never part of a finding); ``scopes``:
        which detectors run on each (``SCAN_ALL`` when not given)."""
        cache = self.cache
        if contexts is None and scopes is None:
            digests = cache.digests(texts)
        else:
            contexts = contexts or [""] * len(texts)
            scopes = scopes or [SCAN_ALL] * len(texts)
            digests = [cache.digest(t) if s == SCAN_ALL and not c else cache.digest_in(t, c, s)
                       for t, c, s in zip(texts, contexts, scopes, strict=True)]
        entries = cache.get_many(digests)
        # New texts, each once: the same new text twice in one request (a quoted
        # paragraph) is scanned once.
        todo: dict[bytes, int] = {}
        for i, entry in enumerate(entries):
            if entry is None:
                todo.setdefault(digests[i], i)
        made: dict[bytes, _Entry] = {}
        if todo:
            fresh = self._scan_fresh(
                [texts[i] for i in todo.values()],
                [contexts[i] for i in todo.values()] if contexts else None,
                [scopes[i] for i in todo.values()] if scopes else None)
            made = {d: cache.put(d, rows) for d, rows in zip(todo, fresh, strict=True)}
        findings: list[Finding] = []
        for i, entry in enumerate(entries):
            if entry is None:
                entry = made[digests[i]]
            if entry.rows:
                findings.extend(entry.findings(i))
        return findings

    def _scan_fresh(self, texts: Sequence[str], contexts: Sequence[str] | None = None,
                    scopes: Sequence[str] | None = None) -> list[_SegmentFindings]:
        """Scan texts not seen before; per text, its findings as cacheable tuples, with
        offsets in the text (a context's length taken off; findings inside it dropped)."""
        rows: list[list[tuple[str, str, str, int, int, float, str]]] = [[] for _ in texts]
        if contexts is None:
            for f in self._detect(texts):
                rows[f.segment].append((f.kind, f.type, f.label, f.start, f.end, f.score,
                                        f.detector))
            return [tuple(r) for r in rows]
        scopes = scopes or [SCAN_ALL] * len(texts)
        scanned = [c + t for c, t in zip(contexts, texts, strict=True)]
        for f in self._detect(scanned, scopes):
            shift = len(contexts[f.segment])
            if f.end <= shift:
                continue  # in the context only (a header's name): not this text's
            rows[f.segment].append((f.kind, f.type, f.label, max(f.start - shift, 0),
                                    f.end - shift, f.score, f.detector))
        return [tuple(r) for r in rows]

    def _detect(self, texts: Sequence[str], scopes: Sequence[str] | None = None
                ) -> list[Finding]:
        findings: list[Finding] = []
        taken: dict[int, list[tuple[int, int]]] = {}
        # What every Hyperscan pass reads, made once per text (not once per pass).
        data = [scan_bytes(t) for t in texts]
        for i, text in enumerate(texts):
            for m in self.secrets.scan(text, data[i]):
                findings.append(Finding("secret", m.rule_id, m.label, i, m.start, m.end, 1.0,
                                        "secrets"))
                taken.setdefault(i, []).append((m.start, m.end))
            if scopes is not None and scopes[i] == SCAN_CREDENTIAL:
                continue
            for c in self.settings.custom.scan(text, data[i]):
                findings.append(Finding("custom", c.detector_id, c.label, i, c.start, c.end,
                                        1.0, "custom"))
        # Personal data only where people write: not in credentials, client strings or
        # the readable strings of binaries. A lone surrogate (a JSON "\ud800" escape, a
        # header byte that is not UTF-8) is shown to the model as U+FFFD: same length,
        # and the model's tokenizer cannot encode it.
        wanted = [i for i in range(len(texts)) if scopes is None or scopes[i] == SCAN_ALL]
        pii_texts = [_SURROGATE.sub("\ufffd", texts[i]) for i in wanted]
        if len(wanted) == len(texts):
            pii = self.pii.scan_many(pii_texts, data)
        else:
            pii = [[] for _ in texts]
            for i, matches in zip(wanted, self.pii.scan_many(pii_texts,
                                                             [data[i] for i in wanted]),
                                  strict=True):
                pii[i] = matches
        for i, matches in enumerate(pii):
            spans = taken.get(i, ())
            for m in matches:
                if any(m.start < e and s < m.end for s, e in spans):
                    continue  # part of a secret (an e-mail inside a database URL)
                label = self.settings.label_of("pii", m.entity, m.entity)
                findings.append(Finding("pii", m.entity, label, i, m.start, m.end, m.score,
                                        m.detector))
        return findings


def _marked_path(path: str, envelope: Envelope | None, findings: Sequence[Finding],
                 offset: int) -> str:
    """``path`` with the path segments that findings are in (envelope segment indexes
    plus ``offset``) replaced by the findings' types."""
    if envelope is None or not findings:
        return path
    marks = {f.segment - offset: f"[{placeholder_name(f)}]" for f in findings
             if f.segment - offset in envelope.path_segments}
    edit = envelope.rewrite(marks) if marks else EnvelopeEdit()
    return edit.path if edit.path is not None else path


# ----------------------------------------------------------------------------- decide
@dataclass(frozen=True)
class ContentDecision:
    action: Action
    rule: DataRule | None  # the rule behind the strongest action
    reason: str
    acted: tuple[tuple[Finding, Action], ...]  # each finding with the action its rule gave
    problem: str | None = None  # a fixed reason when the strongest action is forced

    def findings_with(self, action: Action) -> list[Finding]:
        return [f for f, a in self.acted if a is action]


def summarize(findings: Sequence[Finding]) -> FindingSummary:
    counts: dict[tuple[str, str, str], int] = {}
    for f in findings:
        key = (f.kind, f.type, f.label)
        counts[key] = counts.get(key, 0) + 1
    return FindingSummary(tuple((k, t, lbl, n) for (k, t, lbl), n in counts.items()))


def _rule_matches(rule: DataRule, f: Finding, app: App, status: Status,
                  groups: Sequence[str]) -> bool:
    w = rule.when
    return (
        (not w.findings or f.kind in w.findings or f.type in w.findings)
        and (rule.min_score is None or f.score >= rule.min_score)
        and w.requests.applies(app, status, tuple(groups))
    )


def decide_content(settings: InspectionSettings, inspection: Inspection, app: App,
                   status: Status, groups: Sequence[str]) -> ContentDecision:
    acted: list[tuple[Finding, Action]] = []
    best: tuple[Action, DataRule | None] = (Action.ALLOW, None)
    for f in inspection.findings:
        rule = next((r for r in settings.rules if _rule_matches(r, f, app, status, groups)),
                    settings.default)
        acted.append((f, rule.action))
        if ACTION_STRENGTH[rule.action] > ACTION_STRENGTH[best[0]]:
            best = (rule.action, rule)
    action, rule = best
    problem = None
    segments = inspection.segments
    if action is Action.REDACT and any(
        not segments[f.segment].redactable for f, a in acted if a is Action.REDACT
    ):
        action, problem = Action.BLOCK, (
            "Personal data was found where it cannot be removed automatically (in an "
            "uploaded document, a file name or a request header). Remove it and try again.")
    extraction = inspection.extraction
    # Content that could not be read is treated like a body that could not be parsed.
    if extraction.uninspectable and \
            ACTION_STRENGTH[settings.on_error] > ACTION_STRENGTH[action]:
        action, rule = settings.on_error, None
        if action is Action.BLOCK:
            problem = ("Part of this request could not be read (an unreadable, encrypted or "
                       "unknown file), and the policy does not let uninspected content "
                       "through.")
    # Images, sounds and archives that cannot be opened are out of scope: the policy
    # for binary uploads decides.
    if extraction.media and ACTION_STRENGTH[settings.binary_uploads] > ACTION_STRENGTH[action]:
        action, rule = settings.binary_uploads, None
        if action is Action.BLOCK:
            problem = "Uploads whose content cannot be inspected are not allowed."
    reason = problem or (rule.reason if rule else "No findings.")
    return ContentDecision(action, rule, reason, tuple(acted), problem)
