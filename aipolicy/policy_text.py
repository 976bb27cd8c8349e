"""The policy's text for people, and whether they must acknowledge it.

Parsed from the ruleset's ``policy`` section (file, line and field for every problem).
The acknowledgement page shows the summary; an acknowledgement is recorded for the
policy's *major* version, so a clarification (the last part of the version) does not
make everyone acknowledge again, and a new major version does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .schema import Checker
from .yamlsrc import LineDict, Src

TEXT_KEYS = ("purpose", "scope", "dos", "donts", "training", "violations", "disclaimer")
OPTIONAL_KEYS = (*TEXT_KEYS, "acknowledgement")
# What the acknowledgement page cannot do without (training and disclaimer are optional).
_NEEDED_FOR_PAGE = ("purpose", "scope", "dos", "donts", "violations")


class AckRequirement(StrEnum):
    REQUIRED = "required"  # a browser's first visit to any AI app shows the page first
    OPTIONAL = "optional"  # the page is there (linked from coach pages), never forced
    OFF = "off"  # no page, nothing recorded


class UnacknowledgedApi(StrEnum):
    """What an API client (or a page's script) gets when its user never acknowledged."""

    ALLOW = "allow"  # pass, and record in the audit line that the user has not
    NOTICE = "notice"  # the client-shaped notice with a link to the page


@dataclass(frozen=True)
class PolicySummary:
    purpose: str = ""
    scope: str = ""
    dos: tuple[str, ...] = ()
    donts: tuple[str, ...] = ()
    training: str | None = None  # a course or page to read (http/https)
    violations: str = ""  # what happens on a violation
    disclaimer: str = ""


@dataclass(frozen=True)
class AcknowledgementSettings:
    ask: AckRequirement = AckRequirement.OFF
    version: str = ""  # the major version an acknowledgement is for
    reacknowledge_days: int = 0  # ask again after this many days; 0: only on a new version
    api_clients: UnacknowledgedApi = UnacknowledgedApi.ALLOW

    @property
    def required(self) -> bool:
        return self.ask is AckRequirement.REQUIRED

    @property
    def page(self) -> bool:
        """Whether the acknowledgement page is served at all."""
        return self.ask is not AckRequirement.OFF


def major_version(version: str) -> str:
    """The version without its last dot-separated part: ``2026.11.1`` -> ``2026.11``,
    ``3.2`` -> ``3``; a version without a dot is its own major version."""
    head, dot, _ = version.rpartition(".")
    return head if dot and head else version


def parse_policy_text(check: Checker, m: LineDict, src: Src, version: str | None
                      ) -> tuple[PolicySummary, AcknowledgementSettings]:
    """The summary and acknowledgement settings of the ``policy`` mapping ``m``."""
    strings = {k: _text(check, m, src, k) for k in ("purpose", "scope", "violations",
                                                     "disclaimer")}
    dos = check.string_list(m["dos"], src.key(m, "dos"), nonempty=True) if "dos" in m else ()
    donts = (check.string_list(m["donts"], src.key(m, "donts"), nonempty=True)
             if "donts" in m else ())
    training = None
    if "training" in m:
        training = check.string(m["training"], src.key(m, "training"))
        if training and not training.startswith(("https://", "http://")):
            check.fail(src.key(m, "training"), f"{training!r} is not an http(s) URL")
    summary = PolicySummary(strings["purpose"], strings["scope"], tuple(dos), tuple(donts),
                            training, strings["violations"], strings["disclaimer"])
    ack = AcknowledgementSettings()
    if "acknowledgement" in m:
        ack = _acknowledgement(check, m["acknowledgement"], src.key(m, "acknowledgement"),
                               version) or ack
        if ack.page:
            for key in _NEEDED_FOR_PAGE:
                if key not in m:
                    check.fail(Src(src.file, f"{src.field}.{key}", src.line),
                               f"is required when acknowledgement.ask is {ack.ask.value!r} "
                               "(the acknowledgement page shows it)")
    return summary, ack


def _text(check: Checker, m: LineDict, src: Src, key: str) -> str:
    if key not in m:
        return ""
    return " ".join((check.string(m[key], src.key(m, key)) or "").split())


def _acknowledgement(check: Checker, value: Any, src: Src, version: str | None
                     ) -> AcknowledgementSettings | None:
    a = check.mapping(value, src, required=("ask",),
                      optional=("version", "reacknowledge_days", "api_clients"))
    if a is None or "ask" not in a:
        return None
    ask = check.choice(a["ask"], src.key(a, "ask"), [x.value for x in AckRequirement])
    major = major_version(version) if version else None
    if "version" in a:
        major = check.string(a["version"], src.key(a, "version"))
    days = 0
    if "reacknowledge_days" in a:
        v = check.number(a["reacknowledge_days"], src.key(a, "reacknowledge_days"),
                         minimum=0, maximum=3650, integer=True)
        days = int(v) if v is not None else 0
    api = UnacknowledgedApi.ALLOW.value
    if "api_clients" in a:
        api = check.choice(a["api_clients"], src.key(a, "api_clients"),
                           [x.value for x in UnacknowledgedApi])
    if ask is None or major is None or api is None:
        return None
    return AcknowledgementSettings(AckRequirement(ask), major, days, UnacknowledgedApi(api))
