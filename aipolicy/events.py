"""What a person did on the proxy's pages (or with the justification header): an
acknowledgement of the policy, a coach proceeded past or cancelled.

Each is one audit line (``aipolicy.audit.event_record``) besides the request lines; the
usage report reads ``acknowledgement`` lines (``ack_version``) and ``coach-proceed``
lines (``justification``, the choice id). Never prompt text; a person's own free text
only when the ruleset says to keep it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum

from .model import App, ClientIdentity, Status
from .ruleset import PolicyInfo


class EventKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    COACH_PROCEED = "coach-proceed"
    COACH_CANCEL = "coach-cancel"


class Via(StrEnum):
    PAGE = "page"  # the proxy's page in a browser
    HEADER = "header"  # an API client's x-aipolicy-justification header


@dataclass(frozen=True)
class PolicyEvent:
    kind: EventKind
    reference: str
    client: ClientIdentity
    groups: tuple[str, ...]
    policy: PolicyInfo
    host: str
    via: Via = Via.PAGE
    app: App | None = None
    status: Status | None = None
    rule: str | None = None  # the coach rule
    scope: str | None = None  # what the proceed is remembered for: access or a finding kind
    ack_version: str | None = None  # the major version acknowledged
    justification: str | None = None  # the choice's id
    justification_text: str | None = field(default=None, repr=False)  # kept only when the
    #                                                                  ruleset says so
    remember_seconds: float | None = None
    timestamp: float = field(default_factory=time.time)
