"""Content inspection: extract every segment of a body and find what is sensitive in it.

``Inspector`` is built once per ruleset (compiled secret rules, the spaCy model, term
indexes) and is safe to call from several threads. ``decide_content`` maps findings to
the ruleset's data rules.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .decide import RuleChoice, coach_step, combine, first_match, highest_incident
from .detect.joins import Joiner, JoinText, pairs
from .detect.pii import PiiDetector, PiiSettings
from .detect.prefilter import scan_bytes
from .detect.secrets import SecretScanner, load_secret_rules
from .detect.textmap import View
from .detect.views import Normalizer
from .extract import BodyInput, decode_body, extract
from .extract.envelope import Envelope, EnvelopeEdit, read_envelope
from .inspection_config import DataRule, InspectionSettings
from .model import (
    SCAN_ALL,
    SCAN_CREDENTIAL,
    Action,
    Activity,
    App,
    Decision,
    Extraction,
    Finding,
    IncidentMark,
    Mode,
    RequestInfo,
    Segment,
    Status,
)
from .outcome import FindingSummary
from .redact import placeholder_name
from .sources import Sources


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
        findings = self.scan_segments(segments, credentials, len(extraction.segments))
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
                      credentials: frozenset[str] = frozenset(),
                      messages: int | None = None) -> list[Finding]:
        """Findings of segments, each scanned with its context and for its scope. In a
        credential position (``SCAN_CREDENTIAL``) a secret counts only when it is of a
        service's own kind that is not the destination's: the app's ``credentials``,
        formats any service uses for sessions (JWTs) and generic rules do not count.
        Values split between consecutive segments are looked for among the first
        ``messages`` segments (the body's; the envelope's fields are not messages)."""
        count = len(segments) if messages is None else messages
        roles = [s.role if i < count and s.scope == SCAN_ALL else "file"
                 for i, s in enumerate(segments)]
        plain = all(s.scope == SCAN_ALL and not s.context for s in segments)
        if plain:
            return self.scan([s.text for s in segments], roles)
        findings = self.scan([s.text for s in segments], roles,
                             contexts=[s.context for s in segments],
                             scopes=[s.scope for s in segments])
        ignored = self._ignored_in_credentials | credentials
        return [f for f in findings
                if not (segments[f.segment].scope == SCAN_CREDENTIAL and f.type in ignored)]

    def scan(self, texts: Sequence[str], roles: Sequence[str] | None = None, *,
             contexts: Sequence[str] | None = None,
             scopes: Sequence[str] | None = None) -> list[Finding]:
        """Findings of every text, and of values split between consecutive texts (the
        messages of one request, in order; ``roles`` says which are uploaded files or
        fields, not joined). Texts and joins scanned before (re-sent history) come from
        cache. ``contexts``: text read before each one (never part of a finding);
        ``scopes``: which detectors run on each (``SCAN_ALL`` when not given)."""
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

    def _scan_fresh(self, texts: Sequence[str], contexts: Sequence[str] | None = None,
                    scopes: Sequence[str] | None = None) -> list[_SegmentFindings]:
        """Scan texts not seen before, and their views (``detect.views``); per text, its
        findings as cacheable rows, with offsets in the text (a context's length taken
        off; findings inside it dropped). Only plain text (no context, every detector)
        gets normalised and decoded views."""
        n = len(texts)
        contexts = contexts or [""] * n
        scopes = scopes or [SCAN_ALL] * n
        scanned = [c + t for c, t in zip(contexts, texts, strict=True)]
        data = [scan_bytes(t) for t in scanned]
        owners: list[tuple[int, View]] = []  # per view: the text it came from
        all_texts, all_data, all_scopes = list(scanned), list(data), list(scopes)
        if self.normalizer is not None:
            for i, text in enumerate(texts):
                if contexts[i] or scopes[i] != SCAN_ALL:
                    continue
                for view, view_data in self.normalizer.views(text, data[i]):
                    owners.append((i, view))
                    all_texts.append(view.text)
                    all_data.append(view_data)
                    all_scopes.append(SCAN_ALL)
        rows: list[list[_Row]] = [[] for _ in texts]
        seen: list[list[Finding]] = [[] for _ in texts]
        from_views: list[tuple[int, Finding]] = []
        for f in self._detect(all_texts, all_data, all_scopes):
            if f.segment >= n:
                from_views.append((f.segment - n, f))
                continue
            shift = len(contexts[f.segment])
            if f.end <= shift:
                continue  # in the context only (a header's name): not this text's
            if shift:
                f = dataclasses.replace(f, start=max(f.start - shift, 0), end=f.end - shift)
            seen[f.segment].append(f)
            rows[f.segment].append((f.kind, f.type, f.label, f.start, f.end, f.score,
                                    f.detector, True))
        shown: list[list[tuple[str, str, int, int]]] = [[] for _ in texts]
        for k, f in from_views:
            i, view = owners[k]
            where = view.resolve(f.start, f.end)
            if not where.techniques:
                # Untouched text around a change: the text as written says it, unless a
                # change right beside it made it one (a decoded "%20" or "%3D" before it).
                if not view.touches_change(max(0, f.start - 1), f.end + 1):
                    continue
                where = dataclasses.replace(where, techniques=(view.technique,))
            if any(g.kind == f.kind and g.start <= where.start and where.end <= g.end
                   for g in seen[i]):
                continue  # the text as written already showed it
            if any(kind == f.kind and type_ == f.type and s <= where.start and where.end <= e
                   for kind, type_, s, e in shown[i]):
                continue  # another view showed it (entities: decoded and laid out as HTML)
            shown[i].append((f.kind, f.type, where.start, where.end))
            rows[i].append((f.kind, f.type, f.label, where.start, where.end, f.score,
                            "+".join((f.detector, *where.techniques)), where.exact))
        return [tuple(dict.fromkeys(r)) for r in rows]

    def _detect(self, texts: Sequence[str], data: Sequence[bytes] | None = None,
                scopes: Sequence[str] | None = None
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
    """What the data rules say about one inspected body."""

    decision: Decision | None  # the strongest decision over findings and unreadable
    #                            parts (``combine``); None when there is nothing to decide
    redact: tuple[Finding, ...]  # findings whose rule redacts them, and is enforced
    problem: str | None = None  # the fixed reason, when ``decision`` is a forced block
    incident: IncidentMark | None = None  # the highest a data rule that fired marks


INSPECTION_FAILED = "inspection-failed"
_NOT_REDACTABLE = ("Personal data was found where it cannot be removed automatically (in an "
                   "uploaded document, a file name or a request header). Remove it and try "
                   "again.")
_UNREADABLE = ("Part of this request could not be read (an unreadable, encrypted or unknown "
               "file), and the policy does not let uninspected content through.")
_UNINSPECTABLE_UPLOAD = "Uploads whose content cannot be inspected are not allowed."
_ENCODED = ("Personal data was found in encoded, disguised or marked-up text (base64, hex, "
            "reversed, ROT13, or split by HTML tags), where it cannot be removed "
            "automatically. Remove it and send the request again.")


def summarize(findings: Sequence[Finding]) -> FindingSummary:
    counts: dict[tuple[str, str, str], int] = {}
    for f in findings:
        key = (f.kind, f.type, f.label)
        counts[key] = counts.get(key, 0) + 1
    return FindingSummary(tuple((k, t, lbl, n) for (k, t, lbl), n in counts.items()))


def choose_data_rule(settings: InspectionSettings, finding: Finding, app: App,
                     status: Status, groups: tuple[str, ...],
                     activity: Activity) -> RuleChoice[DataRule]:
    """The data rule that decides a finding (the first that matches, or the default),
    and why the rules before it did not."""
    return first_match(settings.rules, settings.default, lambda rule: rule.unmet(
        finding.kind, finding.type, finding.score, app, status, groups, activity))


def _rule_decision(access: Decision, rule: DataRule, mode: Mode, kind: str,
                   proceeded: frozenset[str]) -> Decision:
    mode = rule.mode or mode
    incident = IncidentMark(rule.incident, rule.id, "data", mode) if rule.incident else None
    return dataclasses.replace(access, action=rule.action, rule_id=rule.id,
                               reason=rule.reason, mode=mode, alternative=None,
                               alternative_text=None, incident=incident,
                               coach=coach_step(kind, rule.coach, proceeded))


def decide_content(settings: InspectionSettings, inspection: Inspection, access: Decision,
                   mode: Mode, proceeded: frozenset[str] = frozenset()) -> ContentDecision:
    """Each finding gets the first data rule that matches it (or the default); the body
    gets the strongest of their decisions, through the same ``combine`` as everything
    else. ``access`` supplies the app, status and groups; ``mode`` is the ruleset's. A
    coach rule decides per finding kind: a proceed is remembered per kind
    (``proceeded``: the kinds this person proceeded past for this app)."""
    assert access.app is not None and access.status is not None and access.activity is not None
    by_rule: dict[tuple[str, str], Decision] = {}
    decisions: list[Decision] = []
    redact: list[tuple[Finding, Decision]] = []
    chosen: dict[tuple[str, str, float], DataRule] = {}  # the same kind of finding: once
    for f in inspection.findings:
        same = (f.kind, f.type, f.score)
        rule = chosen.get(same)
        if rule is None:
            rule = chosen[same] = choose_data_rule(settings, f, access.app, access.status,
                                                   access.groups, access.activity).rule
        key = (rule.id, f.kind if rule.coach else "")
        decision = by_rule.get(key)
        if decision is None:
            decision = by_rule[key] = _rule_decision(access, rule, mode, f.kind, proceeded)
            decisions.append(decision)
        if decision.enforced_action is Action.REDACT:
            redact.append((f, decision))
    forced: dict[int, str] = {}  # id of a forced decision -> its fixed reason

    def force(decision: Decision, reason: str) -> None:
        decisions.append(decision)
        forced[id(decision)] = reason

    segments = inspection.segments
    unwritable = next((d for f, d in redact if not segments[f.segment].redactable), None)
    if unwritable is not None:  # a redaction that cannot be written back becomes a block
        force(dataclasses.replace(unwritable, action=Action.BLOCK, reason=_NOT_REDACTABLE),
              _NOT_REDACTABLE)
    encoded = next((d for f, d in redact if not f.exact), None)
    if encoded is not None:  # a redaction of an encoded value becomes a block
        force(dataclasses.replace(encoded, action=Action.BLOCK, reason=_ENCODED), _ENCODED)
    extraction = inspection.extraction
    if extraction.uninspectable:  # content that cannot be read: as a body that cannot be
        failed = dataclasses.replace(  # parsed, ``on_error`` decides
            access, action=settings.on_error, rule_id=INSPECTION_FAILED,
            reason=_UNREADABLE, mode=mode, alternative=None, alternative_text=None)
        if settings.on_error is Action.BLOCK:
            force(failed, _UNREADABLE)
        else:
            decisions.append(failed)
    if extraction.media:  # images, sounds, unopenable archives: out of scope, the policy
        binary = settings.binary_uploads  # for binary uploads decides
        uploads = dataclasses.replace(
            access, action=binary, rule_id="inspection",
            reason=(_UNINSPECTABLE_UPLOAD if binary is Action.BLOCK else
                    "An upload could not be inspected; it was recorded."),
            mode=mode, alternative=None, alternative_text=None)
        if binary is Action.BLOCK:
            force(uploads, _UNINSPECTABLE_UPLOAD)
        else:
            decisions.append(uploads)
    if not decisions:
        return ContentDecision(None, ())
    decision = combine(*decisions)
    return ContentDecision(decision, tuple(f for f, _ in redact), forced.get(id(decision)),
                           highest_incident(*(d.incident for d in by_rule.values())))
