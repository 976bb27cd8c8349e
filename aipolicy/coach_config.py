"""The coach action's settings: the reasons people choose from, the free text they may
add, and per rule how long a proceed is remembered and whether API clients may proceed
with a header.

The ruleset's top-level ``coach`` section holds the choices (policy text, so it is
required as soon as a rule coaches); a rule whose action is ``coach`` may carry a
``coach`` mapping with its own ``remember_hours`` and ``api_header``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import CoachOptions
from .schema import Checker
from .yamlsrc import LineDict, Src

DEFAULT_REMEMBER_HOURS = 8.0  # a working day: gateways remember minutes to hours
MAX_REMEMBER_HOURS = 24.0 * 90
DEFAULT_TEXT_CHARS = 200
MAX_TEXT_CHARS = 2000
HEADER = "x-aipolicy-justification"  # "<choice id>[; free text]", from API clients


@dataclass(frozen=True)
class Justification:
    id: str  # what the audit line and the report show
    label: str  # what the page shows


@dataclass(frozen=True)
class CoachSettings:
    justifications: tuple[Justification, ...]
    text_max_chars: int = DEFAULT_TEXT_CHARS  # 0: no free text
    store_text: bool = False  # the free text goes into the audit line (and nowhere else)

    def choice(self, choice_id: str) -> Justification | None:
        return next((j for j in self.justifications if j.id == choice_id), None)


@dataclass(frozen=True)
class Given:
    """A justification someone gave: the choice, and their text as it may be kept."""

    choice: Justification
    text: str | None  # None unless the ruleset stores free text


def parse_coach_section(check: Checker, value: Any, src: Src) -> CoachSettings | None:
    m = check.mapping(value, src, required=("justifications",), optional=("free_text",))
    if m is None or "justifications" not in m:
        return None
    jsrc = src.key(m, "justifications")
    items = check.sequence(m["justifications"], jsrc, nonempty=True) or []
    choices: list[Justification] = []
    for i, item in enumerate(items):
        isrc = jsrc.item(m["justifications"], i)
        choice = _justification(check, item, isrc)
        if choice is not None and any(c.id == choice.id for c in choices):
            check.fail(isrc, f"duplicate choice id {choice.id!r}")
        elif choice is not None:
            choices.append(choice)
    max_chars, store = DEFAULT_TEXT_CHARS, False
    if "free_text" in m:
        fsrc = src.key(m, "free_text")
        f = check.mapping(m["free_text"], fsrc, optional=("max_chars", "store"))
        if f is not None and "max_chars" in f:
            v = check.number(f["max_chars"], fsrc.key(f, "max_chars"), minimum=0,
                             maximum=MAX_TEXT_CHARS, integer=True)
            max_chars = int(v) if v is not None else max_chars
        if f is not None and "store" in f:
            store = bool(check.boolean(f["store"], fsrc.key(f, "store")))
    return CoachSettings(tuple(choices), max_chars, store)


def _justification(check: Checker, value: Any, src: Src) -> Justification | None:
    j = check.mapping(value, src, required=("id", "label"))
    if j is None or "id" not in j or "label" not in j:
        return None
    jid = check.identifier(j["id"], src.key(j, "id"))
    label = check.string(j["label"], src.key(j, "label"))
    if jid is None or label is None:
        return None
    return Justification(jid, " ".join(label.split()))


def rule_coach_options(check: Checker, rule: LineDict, src: Src, action: str | None
                       ) -> CoachOptions | None:
    """The options of a rule whose action is ``coach`` (None for other actions); a
    ``coach`` mapping on any other rule is an error."""
    if action != "coach":
        if "coach" in rule and action is not None:
            check.fail(src.key(rule, "coach"), f"only rules with action coach take coach "
                                               f"options (this rule's action is {action!r})")
        return None
    hours, header = DEFAULT_REMEMBER_HOURS, False
    if "coach" in rule:
        csrc = src.key(rule, "coach")
        c = check.mapping(rule["coach"], csrc, optional=("remember_hours", "api_header"))
        if c is not None and "remember_hours" in c:
            v = check.number(c["remember_hours"], csrc.key(c, "remember_hours"),
                             minimum=0.01, maximum=MAX_REMEMBER_HOURS)
            hours = float(v) if v is not None else hours
        if c is not None and "api_header" in c:
            header = bool(check.boolean(c["api_header"], csrc.key(c, "api_header")))
    return CoachOptions(remember_seconds=hours * 3600, api_header=header)


def parse_header(value: str, settings: CoachSettings) -> Given | None:
    """``x-aipolicy-justification: <choice>[; free text]``; None when the choice is not
    one the ruleset offers."""
    choice_id, _, text = value.partition(";")
    choice = settings.choice(choice_id.strip().lower())
    if choice is None:
        return None
    return Given(choice, clean_text(text, settings))


def clean_text(text: str, settings: CoachSettings) -> str | None:
    """Free text as it may be kept: only when the ruleset stores it, one line without
    control characters, capped at ``text_max_chars``."""
    if not settings.store_text or settings.text_max_chars == 0:
        return None
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return cleaned[:settings.text_max_chars] or None
