"""The labelled items of the validation corpus, and the builder that records exact spans.

An item is a request: one or more messages. Each planted value knows every place it
appears in them, as it appears there (an encoded form for evasion items, the fragments
of a value split across messages). A value *leaks* when every distinct text at its spans
is still in the forwarded request: a fragment alone is not the value, and a value written
the same way twice is one value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Classes of item.
PII, SECRET, EVASION, BENIGN = "pii", "secret", "evasion", "benign"
CLASSES = (PII, SECRET, EVASION, BENIGN)

# Types a planted value can have. SECRET covers every credential; its kind says which.
PII_TYPES = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE",
             "IP_ADDRESS", "DATE_OF_BIRTH", "PASSPORT", "US_DRIVER_LICENSE", "STREET_ADDRESS")
# LOCATION is only ever context (a city or postcode beside a planted street address).
TYPES = (*PII_TYPES, "SECRET", "LOCATION")


@dataclass(frozen=True)
class Span:
    message: int
    start: int
    end: int


@dataclass(frozen=True)
class Planted:
    """One planted value. ``scored`` is False for context: personal or secret-adjacent text
    (a city beside a street, a Twilio account SID beside its token) that is not counted
    in recall, and where a finding is not a false positive either."""

    type: str
    kind: str
    value: str  # the value itself, before any encoding
    spans: tuple[Span, ...]
    scored: bool = True


@dataclass(frozen=True)
class Message:
    role: str  # system | user | assistant
    text: str


@dataclass(frozen=True)
class Item:
    id: str
    cls: str  # pii | secret | evasion | benign
    technique: str  # layout (csv, sql, py, env, letter...), evasion technique or benign kind
    messages: tuple[Message, ...]
    planted: tuple[Planted, ...] = ()
    api: str = "openai"  # openai | anthropic: the request format the harness builds

    def shown(self, planted: Planted) -> tuple[str, ...]:
        """The distinct texts at the planted value's spans, in order: what must all still be
        in the forwarded request for the value to leak."""
        out = dict.fromkeys(self.messages[s.message].text[s.start:s.end] for s in planted.spans)
        return tuple(out)

    @property
    def scored(self) -> tuple[Planted, ...]:
        return tuple(p for p in self.planted if p.scored)

    def to_json(self) -> dict:
        return {
            "id": self.id, "class": self.cls, "technique": self.technique, "api": self.api,
            "messages": [{"role": m.role, "text": m.text} for m in self.messages],
            "planted": [{"type": p.type, "kind": p.kind, "value": p.value, "scored": p.scored,
                         "spans": [[s.message, s.start, s.end] for s in p.spans]}
                        for p in self.planted],
        }


class CorpusError(ValueError):
    """The generator produced an item that breaks an invariant (a bug in a template)."""


# --------------------------------------------------------------------------- builder
@dataclass
class _Mark:
    type: str
    kind: str
    value: str
    start: int
    end: int
    scored: bool


@dataclass
class Doc:
    """Text built piece by piece; ``val`` appends a planted value and records its span."""

    parts: list[str] = field(default_factory=list)
    marks: list[_Mark] = field(default_factory=list)
    size: int = 0

    def add(self, *texts: str) -> Doc:
        for t in texts:
            self.parts.append(t)
            self.size += len(t)
        return self

    def val(self, type_: str, kind: str, shown: str, value: str | None = None,
            scored: bool = True) -> Doc:
        if type_ not in TYPES:
            raise CorpusError(f"unknown planted type {type_}")
        if not shown:
            raise CorpusError("empty planted value")
        self.marks.append(_Mark(type_, kind, shown if value is None else value, self.size,
                                self.size + len(shown), scored))
        return self.add(shown)

    def extend(self, other: Doc) -> Doc:
        """Append another document, keeping its marks."""
        base = self.size
        for m in other.marks:
            self.marks.append(_Mark(m.type, m.kind, m.value, m.start + base, m.end + base,
                                    m.scored))
        return self.add(other.text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


_TEMPLATE_SLOT = re.compile(r"<<(\w+)>>")


def fill(doc: Doc, template: str, slots: dict[str, object]) -> Doc:
    """Append ``template`` with each ``<<name>>`` replaced: a ``str`` slot is plain text, a
    ``Val`` slot is planted. Angle-bracket pairs keep code braces literal."""
    pos = 0
    for m in _TEMPLATE_SLOT.finditer(template):
        doc.add(template[pos:m.start()])
        slot = slots[m.group(1)]
        if isinstance(slot, Val):
            doc.val(slot.type, slot.kind, slot.shown, slot.value, slot.scored)
        else:
            doc.add(str(slot))
        pos = m.end()
    return doc.add(template[pos:])


@dataclass(frozen=True)
class Val:
    """A value to plant through ``fill``."""

    type: str
    kind: str
    shown: str
    value: str | None = None
    scored: bool = True


def assemble(item_id: str, cls: str, technique: str, docs: list[tuple[str, Doc]],
             api: str = "openai", extra: tuple[Planted, ...] = ()) -> Item:
    """Messages from (role, doc) pairs; marks of the same type and shown text merge into
    one planted value (a value written twice is one value; the first mark names its kind).
    ``extra`` carries values whose spans the caller computed (a value split across
    messages)."""
    messages = tuple(Message(role, d.text) for role, d in docs)
    merged: dict[tuple[str, str, bool], list[Span]] = {}
    first: dict[tuple[str, str, bool], tuple[str, str]] = {}  # kind and value of the first
    for i, (_, d) in enumerate(docs):
        for m in d.marks:
            key = (m.type, d.text[m.start:m.end], m.scored)
            merged.setdefault(key, []).append(Span(i, m.start, m.end))
            first.setdefault(key, (m.kind, m.value))
    planted = tuple(Planted(t, *first[(t, s, sc)], tuple(spans), sc)
                    for (t, s, sc), spans in merged.items()) + extra
    item = Item(item_id, cls, technique, messages, planted, api)
    check(item)
    return item


def check(item: Item) -> None:
    """Invariants the harness relies on: spans inside their message; every shown text of a
    scored value occurs in its message only at that value's spans (so its presence in
    the forwarded body means this value survived, not a look-alike elsewhere); benign
    items plant nothing scored."""
    if item.cls not in CLASSES:
        raise CorpusError(f"{item.id}: unknown class {item.cls}")
    if item.cls == BENIGN and item.scored:
        raise CorpusError(f"{item.id}: a benign item plants a scored value")
    if item.cls != BENIGN and not item.scored:
        raise CorpusError(f"{item.id}: nothing planted")
    for p in item.planted:
        for s in p.spans:
            if not (0 <= s.start < s.end <= len(item.messages[s.message].text)):
                raise CorpusError(f"{item.id}: span out of range")
    for p in item.scored:
        for shown in item.shown(p):
            own = sum(1 for s in p.spans
                      if item.messages[s.message].text[s.start:s.end] == shown)
            seen = sum(_count(m.text, shown) for m in item.messages)
            if seen != own:
                raise CorpusError(f"{item.id}: a {p.type} value also occurs outside its spans")


def _count(text: str, sub: str) -> int:
    """Occurrences of ``sub`` in ``text``, overlapping ones included."""
    n, i = 0, text.find(sub)
    while i >= 0:
        n += 1
        i = text.find(sub, i + 1)
    return n
