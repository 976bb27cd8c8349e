"""The typed values that flow through the request path.

All frozen dataclasses: a stage receives values and returns new ones, nothing is
mutated in place, so the same objects can be shared across threads and tests.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .incidents.model import Severity


class Status(StrEnum):
    """How the policy regards an AI app."""

    SANCTIONED = "sanctioned"  # approved, company contract
    TOLERATED = "tolerated"  # allowed with care, no contract
    UNSANCTIONED = "unsanctioned"  # not reviewed
    BANNED = "banned"  # must not be used


class Action(StrEnum):
    ALLOW = "allow"  # pass, record the decision
    MONITOR = "monitor"  # pass, record and count as a policy event
    REDACT = "redact"  # rewrite the request, then pass
    COACH = "coach"  # stop until the person gives a reason to go on (remembered a while)
    BLOCK = "block"  # answer with a notice; nothing reaches the service


# Stronger actions win when several rules apply to one request. A coach sits above a
# redaction: it is a gate the person passes before the request goes anywhere (once they
# proceeded, the coach counts as monitor and a redaction still applies), so a prompt
# with personal data cannot slip past a coach by being redacted. It sits below a block:
# a reason given on a coach page never opens what a rule blocks.
ACTION_STRENGTH = {Action.ALLOW: 0, Action.MONITOR: 1, Action.REDACT: 2, Action.COACH: 3,
                   Action.BLOCK: 4}


class Mode(StrEnum):
    ENFORCE = "enforce"  # act on decisions
    REPORT = "report"  # record what would have happened, pass everything


class Activity(StrEnum):
    """What a request does with an AI app (``aipolicy.activity`` tells them apart)."""

    PROMPT = "prompt"  # sends a prompt: chat, completion, messages, generate, conversation
    UPLOAD = "upload"  # sends a file (or starts or completes sending one)
    OTHER = "other"  # anything else: page loads, settings, history, polling


# --------------------------------------------------------------------------- catalog
@dataclass(frozen=True)
class DataHandling:
    """What is known about how a service treats the data it receives."""

    trains_on_user_data: bool | None = None  # by default, on the consumer tier
    retention: str | None = None  # free text, e.g. "30 days"
    enterprise_tier: bool | None = None  # a tier with contractual data protection exists
    notes: str | None = None


@dataclass(frozen=True)
class App:
    """One generative-AI service from the catalog."""

    id: str
    name: str
    vendor: str
    category: str
    domains: tuple[str, ...] = ()  # suffix match on label boundaries
    paths: tuple[tuple[str, str], ...] = ()  # (exact host, path prefix) on shared hosts
    api_format: str | None = None  # "openai" | "anthropic" | "gemini": native error shape
    data: DataHandling = field(default_factory=DataHandling)
    url: str | None = None  # the service's public address, for notices and reports
    # Secret rule ids of the keys and tokens the app's own clients send it (an OpenAI key
    # to the OpenAI API): in a credential header they are expected, not a leak.
    credentials: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unmet:
    """A condition of a rule that a request (or finding) does not meet: the rule's key,
    the values the rule asks for, and what the request has. Policy vocabulary only (app
    ids, groups, finding types), never content."""

    key: str  # app | vendor | category | status | group | activity | finding | min_score
    wanted: tuple[str, ...]
    actual: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.key}: {', '.join(self.wanted)} (has {', '.join(self.actual) or 'none'})"


@dataclass(frozen=True)
class AppConditions:
    """Which requests a rule applies to; an empty tuple means "any". All must hold."""

    apps: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # Status values (a StrEnum compares equal to its str)
    groups: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()  # Activity values

    def applies(self, app: App, status: str, groups: tuple[str, ...],
                activity: Activity) -> bool:
        return not any(self.unmet(app, status, groups, activity))

    def unmet(self, app: App, status: str, groups: tuple[str, ...],
              activity: Activity) -> Iterator[Unmet]:
        """The conditions that do not hold, in the rule's key order: none when the rule
        applies (``decide.first_match`` decides and explains with this one test)."""
        if self.apps and app.id not in self.apps:
            yield Unmet("app", self.apps, (app.id,))
        if self.vendors and app.vendor not in self.vendors:
            yield Unmet("vendor", self.vendors, (app.vendor,))
        if self.categories and app.category not in self.categories:
            yield Unmet("category", self.categories, (app.category,))
        if self.statuses and status not in self.statuses:
            yield Unmet("status", tuple(str(s) for s in self.statuses), (str(status),))
        if self.groups and not any(g in self.groups for g in groups):
            yield Unmet("group", self.groups, tuple(groups))
        if self.activities and activity not in self.activities:
            yield Unmet("activity", self.activities, (str(activity),))


@dataclass(frozen=True)
class CoachOptions:
    """How a coach rule treats a person who gives a reason to go on."""

    remember_seconds: float  # how long a proceed is remembered (per user, app, scope)
    api_header: bool = False  # API clients may proceed with ``x-aipolicy-justification``


@dataclass(frozen=True)
class CoachStep:
    """A coach decision's gate: what a proceed is remembered for, and whether this
    person has proceeded already (then the request passes, recorded as monitor)."""

    scope: str  # "access", or the finding kind of a data rule ("pii", "secret", "custom")
    options: CoachOptions
    cleared: bool = False


# --------------------------------------------------------------------------- requests
@dataclass(frozen=True)
class ClientIdentity:
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    user: str | None = None  # proxy-auth user name; never the password


@dataclass(frozen=True)
class DestinationNames:
    """Every name the client gave for where one request goes, exactly as sent (not
    normalised, ports included): they can disagree, and each must be classified."""

    destination: str | None = None  # where the proxy connects: CONNECT target, transparent
    #                                 destination or the host of an absolute-form URL
    sni: str | None = None  # the TLS server name the client sent, if any
    hosts: tuple[str, ...] = ()  # every Host header value and the HTTP/2 :authority or
    #                              absolute-form authority inside a tunnel
    tls: bool = False  # the client connection is TLS (decrypted by the proxy)
    explicit: bool = True  # the client named ``destination`` (explicit proxy CONNECT or
    #                        absolute URL), rather than the network (transparent mode)


@dataclass(frozen=True)
class RequestInfo:
    """What the policy needs to know about one HTTP request (built from the flow)."""

    method: str
    scheme: str
    host: str  # lower-case, no port, no trailing dot
    port: int
    path: str  # without the query string
    headers: Mapping[str, str]  # lower-case names; only what decisions need
    client: ClientIdentity
    names: DestinationNames = field(default_factory=DestinationNames)
    # Content the client sends besides the body; kept out of repr (it may be sensitive).
    query: str = field(default="", repr=False)  # raw query string, without the "?"
    fields: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # every request
    #                                 header as sent (lower-case names, duplicates kept)
    trailers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    websocket: bool = False  # a message on a WebSocket: its handshake, the message as body
    # Coach scopes this person proceeded past for this app (read from the state store,
    # or given now with the justification header): such coaches let the request pass.
    proceeded: frozenset[str] = frozenset()

    @property
    def accept(self) -> str:
        return self.headers.get("accept", "")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


# --------------------------------------------------------------------------- decisions
@dataclass(frozen=True)
class IncidentMark:
    """A rule marked what it caught as an incident: with which severity, which rule
    (access or data), and whether that rule was enforced (a report-mode rule's incident
    is recorded and delivered, but never counts towards an escalation)."""

    severity: Severity
    rule_id: str
    kind: str  # "access" | "data"
    mode: Mode


@dataclass(frozen=True)
class Decision:
    """The outcome for one request. ``reason`` is fixed policy text, never content."""

    action: Action
    rule_id: str
    reason: str
    mode: Mode
    app: App | None
    status: Status | None
    groups: tuple[str, ...] = ()
    alternative: App | None = None  # the approved app to use instead, if named
    alternative_text: str | None = None
    coach: CoachStep | None = None  # set when ``action`` is coach
    incident: IncidentMark | None = None  # the rule that made this decision marks an incident
    activity: Activity | None = None  # what the request does, as the rules saw it

    @property
    def enforced_action(self) -> Action:
        """What actually happens: report mode never blocks, rewrites or coaches (it
        records); a coach the person proceeded past lets the request through, recorded."""
        if self.mode is Mode.REPORT and self.action in (Action.BLOCK, Action.REDACT,
                                                        Action.COACH):
            return Action.MONITOR
        if self.action is Action.COACH and self.coach is not None and self.coach.cleared:
            return Action.MONITOR
        return self.action

    @property
    def pending_coach(self) -> CoachStep | None:
        """The coach this request must stop at (enforced, not proceeded past yet)."""
        return self.coach if self.enforced_action is Action.COACH else None


# --------------------------------------------------------------------------- inspection
# What a segment is scanned for (Segment.scope).
SCAN_ALL = "all"  # secrets, personal data, custom detectors
SCAN_SECRETS = "secrets"  # secrets and custom detectors: text nobody typed as prose
#                           (file metadata, readable strings of a binary, client ids)
SCAN_CREDENTIAL = "credential"  # a credential header or parameter: secrets only, and the
#                 destination's own credential kinds and generic rules do not count


@dataclass(frozen=True)
class Segment:
    """One piece of user-supplied text found in a request (body, path, query, headers).

    ``where`` is a short description for people ("messages[2].content"), never content.
    ``redactable`` is False for text that cannot be written back (text extracted from
    a PDF, a request header's name, say): a redaction there has to become a block.
    ``context`` is text that stands right before this one in the request (a header's or
    a parameter's name): the detectors read it, so "x-aws-secret-access-key: ..." is
    recognised, but it is never part of a finding or rewritten.
    """

    text: str
    where: str
    role: str = "user"
    redactable: bool = True
    context: str = ""
    scope: str = SCAN_ALL

    def __repr__(self) -> str:  # explicit: prompt text never appears in a repr
        return f"Segment({self.where!r} role={self.role} {len(self.text)} chars)"


@dataclass(frozen=True)
class Extraction:
    """All segments of a body, and how to write changed segment texts back into it."""

    adapter: str
    segments: tuple[Segment, ...]
    rewrite: Callable[[Mapping[int, str]], bytes]
    uninspectable: tuple[str, ...] = ()  # descriptions of parts that could not be read
    media: tuple[str, ...] = ()  # identified images/audio/video/archives: out of scope
    files: int = 0  # file contents inside a message (documents, images, sounds): uploads

    def __repr__(self) -> str:
        return f"Extraction({self.adapter}, {len(self.segments)} segments)"


@dataclass(frozen=True)
class Finding:
    """One detected item. Holds where it is, never a copy of the value."""

    kind: str  # "pii" | "secret" | "custom"
    type: str  # EMAIL_ADDRESS, aws-access-key-id, project-codenames
    label: str  # human-readable type name for notices: "AWS access key"
    segment: int  # index into Extraction.segments
    start: int  # character offsets in the segment text
    end: int
    score: float
    detector: str  # what found it; "+base64", "+unicode", "+join", ... when it was
    #                found in a decoded or normalised view or across two messages
    # The span holds the value as written (redact there). False when it was found in an
    # encoding that stands for the value without being it (base64, hex, reversed,
    # ROT13): then a redaction becomes a block.
    exact: bool = True

    def __repr__(self) -> str:  # explicit: no value can ever appear here
        return (
            f"Finding({self.kind}:{self.type} seg={self.segment} "
            f"[{self.start}:{self.end}] score={self.score:.2f})"
        )
