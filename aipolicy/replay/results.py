"""What replaying a capture found, per request: typed values the renderers and ``diff``
read. They hold policy vocabulary, places and counts, never request content."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..decide import RuleChoice
from ..model import Action, App, ClientIdentity, Mode, Status
from .capture import BodyState, Capture, Skipped


class Stage(StrEnum):
    """Which step of the pipeline made the decision."""

    ACCESS = "access"  # an access rule (or the access default)
    DATA = "data"  # a data rule over the findings (or the data default)
    DESTINATION = "destination"  # the request's names disagree or cannot be read
    INSPECTION = "inspection"  # the body could not be inspected (on_error)
    REFUSAL = "refusal"  # the proxy cannot pass the request on as sent


@dataclass(frozen=True)
class FindingResult:
    """One finding: its type and place, and the data rule that decided it."""

    kind: str
    type: str
    label: str
    where: str  # the segment's description (file names masked)
    segment: int
    start: int  # character offsets in the segment's text
    end: int
    masked: str  # "[EMAIL_ADDRESS 17 chars]"
    score: float
    detector: str
    exact: bool
    rule: str  # the data rule that decides it
    action: Action  # that rule's action


@dataclass(frozen=True)
class DataRuleChoice:
    """For one type of finding: the deciding data rule and why the data rules before it
    did not match (a type appears once per distinct choice: ``min_score`` can split it)."""

    kind: str
    type: str
    choice: RuleChoice


@dataclass(frozen=True)
class Result:
    """The decision on one request, or one WebSocket message, of the capture."""

    index: int  # the capture's entry / flow number
    message: int | None  # the client's WebSocket message number, for a message
    method: str
    host: str
    path: str
    client: ClientIdentity
    app: App | None  # None only for a refusal of names that name no AI app
    status: Status | None
    groups: tuple[str, ...]
    rule: str
    stage: Stage
    action: Action
    enforced: Action
    mode: Mode
    reason: str
    access: RuleChoice | None  # the access rule that applies, and the rules passed over
    findings: tuple[FindingResult, ...] = ()
    data_rules: tuple[DataRuleChoice, ...] = ()
    counts: tuple[tuple[str, int], ...] = ()  # (type, count), as audit and notices count
    uninspectable: tuple[str, ...] = ()  # parts of the body that could not be read
    failure: str | None = None  # why the body could not be inspected
    disagreement: str | None = None  # how the request's names disagree
    body: BodyState = BodyState.EMPTY
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[int, int | None]:
        return self.index, self.message

    @property
    def checked(self) -> bool:
        """Whether the decision covers the content (False: the capture lacks the body,
        so the proxy could decide otherwise)."""
        return self.body is not BodyState.MISSING


@dataclass(frozen=True)
class Replay:
    capture: Capture
    results: tuple[Result, ...]
    skipped: tuple[Skipped, ...]  # the capture's own, and entries not sent to an AI app
    non_ai_hosts: tuple[tuple[str, int], ...]  # hosts of entries that are no AI app
