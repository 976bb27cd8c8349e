"""Re-sent chat history: plain bodies read without positions, segments served from cache.

The plain readers (``aipolicy.extract.plain``) must give exactly what the full reader
gives, or give up; the cache must hold no text and must rescan nothing it has seen.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from aipolicy.extract import BodyInput, InspectionError, extract, plain
from aipolicy.extract.adapters import anthropic, openai
from aipolicy.extract.jsonpos import STRING, load, parse
from aipolicy.inspect import Inspector, SegmentCache
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
BODIES = ROOT / "tests" / "fixtures" / "bodies"
E2E = ROOT / "tests" / "fixtures" / "rulesets" / "e2e.yaml"
MAX = 1 << 22
CHAT = ("POST", "api.openai.com", "/v1/chat/completions", "application/json", "")
MESSAGES = ("POST", "api.anthropic.com", "/v1/messages", "application/json", "")


# --------------------------------------------------------------------- body generator
class Obj:
    """A JSON object that may repeat keys (json.dumps cannot write those)."""

    def __init__(self, *pairs: tuple[str, Any]) -> None:
        self.pairs = list(pairs)


def dump(value: Any) -> str:
    if isinstance(value, Obj):
        return "{" + ", ".join(f"{json.dumps(k)}: {dump(v)}" for k, v in value.pairs) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(v) for v in value) + "]"
    return json.dumps(value)


def deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


STRINGS = [
    "Please mail jane.roe@example.org about the offer.", "", "   ", "Caf\u00e9 f\u00fcr Tom",
    "line\nbreak \u2028 and \ud800 lone surrogate", "data:text/plain;base64,aGVsbG8gSmFuZQ==",
    '{"email": "bob@example.com"}', "[1, 2]", "{not json", "QUJD" * 80, "x" * 300,
    "[1] see the appendix", "call +1 415 555 0142", "model", "DATA:text/plain,hi",
]


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def pick(self, *options: Any) -> Any:
        return self.r.choice(options)

    def text(self) -> str:
        return self.r.choice(STRINGS)

    def scalar(self) -> Any:
        return self.pick(5, 2.5, None, True, self.text())

    def loose(self, depth: int = 0) -> Any:
        """Anything a residual walk may meet."""
        roll = self.r.random()
        if depth > 2 or roll < 0.5:
            return self.scalar()
        if roll < 0.75:
            return [self.loose(depth + 1) for _ in range(self.r.randint(0, 3))]
        keys = ["note", "id", "type", "title", "url", "model", "?odd key", "citations"]
        return Obj(*((self.r.choice(keys), self.loose(depth + 1))
                     for _ in range(self.r.randint(0, 3))))

    def extras(self, pool: list[str]) -> list[tuple[str, Any]]:
        out = []
        for _ in range(self.r.choice((0, 0, 0, 1, 2))):
            key = self.r.choice(pool)
            value = deep(self.pick(99, 100, 101)) if self.r.random() < 0.05 else self.loose()
            out.append((key, value))
        return out

    def role(self) -> Any:
        return self.pick("user", "assistant", "system", "developer", "Human", "model",
                         "tool", "weird", 5, None)

    # -- OpenAI chat
    def openai_part(self) -> Any:
        kind = self.r.randrange(12)
        if kind == 0:
            return self.text()
        if kind == 1:
            return self.loose()
        if kind in (2, 3, 4):
            return Obj(("type", "text"), ("text", self.text()), *self.extras(
                ["cache_control", "annotations", "text", "type"]))
        if kind == 5:
            return Obj(("type", self.pick("input_text", "output_text")), ("text", self.loose()))
        if kind == 6:
            return Obj(("type", "refusal"), ("refusal", self.text()))
        if kind == 7:
            return Obj(("text", self.text()))
        if kind == 8:
            return Obj(("type", ""), ("text", self.text()), ("note", self.text()))
        if kind == 9:
            return Obj(("type", "image_url"), ("image_url", Obj(("url", self.text()))),
                       *self.extras(["detail", "note"]))
        if kind == 10:
            return Obj(("type", "file"), ("file", Obj(("file_data", self.text()))))
        return Obj(("type", "custom_part"), ("note", self.text()))

    def arguments(self) -> Any:
        return self.pick(
            json.dumps({"email": self.text(), "fields": [self.text(), 3]}),
            json.dumps(deep(self.pick(3, 100))), "{broken", "", self.text(), 5,
            Obj(("q", self.text())))

    def function(self) -> Obj:
        return Obj(("name", self.pick("lookup", deep(100), 5)),
                   ("arguments", self.arguments()),
                   *self.extras(["description", "strict", "arguments"]))

    def tool_call(self) -> Any:
        kind = self.r.randrange(5)
        if kind == 0:
            return self.loose()
        if kind == 1:
            return Obj(("id", "call_1"), ("type", "custom"),
                       ("custom", Obj(("name", self.text()), ("input", self.loose()))))
        return Obj(("id", "call_1"), ("type", "function"), ("function", self.function()),
                   *self.extras(["index", "note"]))

    def openai_message(self) -> Any:
        if self.r.random() < 0.03:
            return self.loose()
        pairs: list[tuple[str, Any]] = [("role", self.role())]
        roll = self.r.random()
        if roll < 0.5:
            pairs.append(("content", self.text()))
        elif roll < 0.8:
            pairs.append(("content", [self.openai_part() for _ in range(self.r.randint(0, 3))]))
        elif roll < 0.9:
            pairs.append(("content", self.loose()))
        if self.r.random() < 0.15:
            pairs.append(("tool_calls", self.pick(
                [], None, [self.tool_call() for _ in range(self.r.randint(1, 2))])))
        if self.r.random() < 0.05:
            pairs.append(("function_call", self.pick(None, self.function())))
        if self.r.random() < 0.1:
            pairs.append(("refusal", self.pick(None, self.text())))
        pairs += self.extras(["name", "tool_call_id", "metadata", "content", "role", "audio"])
        self.r.shuffle(pairs)
        return Obj(*pairs)

    def openai_body(self) -> str:
        messages = [self.openai_message() for _ in range(self.r.randint(0, 5))]
        pairs = [("model", "gpt-4o"), ("messages", messages)]
        pairs += self.extras(["user", "metadata", "tools", "stream", "temperature",
                              "messages", "model", "response_format"])
        self.r.shuffle(pairs)
        return dump(Obj(*pairs))

    # -- Anthropic messages
    def block(self, depth: int = 0) -> Any:
        kind = self.r.randrange(12)
        if kind == 0:
            return self.text()
        if kind == 1:
            return self.loose()
        if kind in (2, 3):
            return Obj(("type", "text"), ("text", self.text()),
                       *self.extras(["cache_control", "citations", "text"]))
        if kind == 4:
            return Obj(("type", "thinking"), ("thinking", self.text()), ("signature", "sig"))
        if kind == 5:
            return Obj(("type", "tool_use"), ("id", "tu_1"), ("name", self.text()),
                       ("input", Obj(("query", self.text()), ("n", [self.text(), 2]))))
        if kind == 6 and depth < 2:
            content = self.pick(self.text(), [self.block(depth + 1) for _ in range(2)])
            return Obj(("type", "tool_result"), ("tool_use_id", "tu_1"), ("content", content),
                       ("note", self.text()), *self.extras(["is_error", "note"]))
        if kind == 7 and depth < 2:
            return Obj(("type", "search_result"), ("title", self.text()),
                       ("content", [self.block(depth + 1)]))
        if kind == 8:
            return Obj(("type", self.pick("image", "redacted_thinking")),
                       ("source", Obj(("data", self.text()))))
        if kind == 9:
            return Obj(("type", "document"), ("source", Obj(("type", "text"),
                                                            ("data", self.text()))))
        return Obj(("type", self.pick("mystery", None)), ("note", self.loose()))

    def content(self) -> Any:
        roll = self.r.random()
        if roll < 0.45:
            return self.text()
        if roll < 0.9:
            return [self.block() for _ in range(self.r.randint(0, 3))]
        return self.loose()

    def anthropic_body(self) -> str:
        messages: list[Any] = []
        for _ in range(self.r.randint(0, 5)):
            if self.r.random() < 0.03:
                messages.append(self.loose())
                continue
            pairs = [("role", self.role()), ("content", self.content())]
            pairs += self.extras(["name", "metadata", "content", "id"])
            messages.append(Obj(*pairs))
        pairs = [("model", "claude"), ("messages", messages), ("max_tokens", 100)]
        if self.r.random() < 0.6:
            pairs.append(("system", self.content()))
        pairs += self.extras(["metadata", "tools", "system", "messages", "stop_sequences"])
        self.r.shuffle(pairs)
        return dump(Obj(*pairs))


def _both(request: tuple[str, ...], body: bytes) -> tuple[Any, Any]:
    """(shortcut, full) extraction results, or the failure reason of each."""
    out = []
    for shortcut in (True, False):
        try:
            out.append(extract(BodyInput(*request, body), max_bytes=MAX, shortcut=shortcut))
        except InspectionError as exc:
            out.append(exc.reason)
    return out[0], out[1]


def _same(request: tuple[str, ...], body: bytes) -> bool:
    """Asserts both readers agree; True when the plain reader took the body."""
    fast, full = _both(request, body)
    if isinstance(full, str):
        assert fast == full
        return False
    assert (fast.adapter, fast.segments, fast.uninspectable) == \
        (full.adapter, full.segments, full.uninspectable)
    redactable = [i for i, s in enumerate(full.segments) if s.redactable]
    changes = [{i: f"<R{i} \u00e9 \"q\" \\>"} for i in redactable]
    if len(redactable) > 1:
        changes.append({redactable[-1]: "[X]", redactable[0]: "[Y]"})
    for change in changes:  # byte-exact write-back, whichever way positions are found
        assert fast.rewrite(change) == full.rewrite(change)
    return _plain(request, body)


def _plain(request: tuple[str, ...], body: bytes) -> bool:
    handler = openai.chat if request is CHAT else anthropic.messages
    return plain.read(handler, load(body.decode("utf-8"))) is not None


@pytest.mark.parametrize(("request_", "make"), [(CHAT, Gen.openai_body),
                                                (MESSAGES, Gen.anthropic_body)],
                         ids=["openai-chat", "anthropic-messages"])
def test_plain_reader_agrees_with_full_reader_on_generated_bodies(request_, make):
    gen = Gen(20261101)
    took = sum(_same(request_, make(gen).encode("utf-8")) for _ in range(600))
    # Plenty of bodies of both kinds: the plain reader is exercised, and so is giving up.
    assert 100 < took < 550


@pytest.mark.parametrize("name", ["openai_chat.json", "mistral_chat.json",
                                  "anthropic_messages.json"])
def test_plain_reader_agrees_on_fixture_bodies(name):
    request = MESSAGES if name.startswith("anthropic") else CHAT
    body = (BODIES / name).read_bytes()
    _same(request, body)
    # the same body with files and other rare parts taken out is plain
    doc = json.loads(body)
    for message in doc["messages"]:
        if isinstance(message.get("content"), list):
            message["content"] = [p for p in message["content"]
                                  if p.get("type") in ("text", "tool_use", "tool_result")]
    stripped = json.dumps(doc, indent=1, ensure_ascii=False).encode()
    assert _same(request, stripped)


def test_plain_reader_handles_tool_calls_and_text_parts():
    body = json.dumps({"model": "m", "user": "u-17", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "mail jane@example.org"}]},
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "c1", "type": "function",
            "function": {"name": "send", "arguments": '{"to": "jane@example.org"}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "sent", "name": "send"},
        {"role": "assistant", "function_call": {"name": "f", "arguments": json.dumps(deep(101))}},
    ]}).encode()
    assert _same(CHAT, body)
    got = extract(BodyInput(*CHAT, body), max_bytes=MAX)
    assert [(s.where, s.role) for s in got.segments] == [
        ("messages[0].content", "system"), ("messages[1].content[0].text", "user"),
        ("messages[2].tool_calls[0].function.name", "assistant"),
        ("messages[2].tool_calls[0].function.arguments.to.(key)", "assistant"),
        ("messages[2].tool_calls[0].function.arguments.to", "assistant"),
        ("messages[3].content", "tool"), ("messages[3].name", "tool"),
        ("messages[4].function_call.name", "assistant"),
        # arguments too deep for a JSON document are scanned as text
        ("messages[4].function_call.arguments", "assistant"), ("user", "field")]


def test_repeated_keys_in_a_swept_object_are_written_back_in_place():
    body = (b'{"messages": [{"role": "user", "content": "hi"}],'
            b' "metadata": {"note": "first note", "note": "second note"}}')
    assert _same(CHAT, body)
    fast = extract(BodyInput(*CHAT, body), max_bytes=MAX)
    assert [s.where for s in fast.segments] == ["messages[0].content", "metadata.note.(key)",
                                                "metadata.note", "metadata.note"]
    assert fast.rewrite({2: "X"}) == body.replace(b'"first note"', b'"X"')
    # one key text, one segment, written back wherever it occurs
    assert fast.rewrite({1: "N"}) == body.replace(b'"note"', b'"N"')


@pytest.mark.parametrize("body", [
    b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]',  # truncated
    b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]} x',
    b'{"model": "m", "messages": [{"role": "user", "content": "\xff"}]}',  # not UTF-8
    b'{"model": ' + json.dumps(deep(120)).encode()
    + b', "messages": [{"role": "user", "content": "hi"}]}',  # too deep, under a skipped key
    b'{"model": "m", "messages": [{"role": "user", "content": "hi", "n": 1' + b"0" * 5000
    + b"}]}",  # a number past the digit limit
])
def test_bad_bodies_fail_closed_as_before(body):
    fast, full = _both(CHAT, body)
    assert isinstance(full, str) and fast == full


def test_deferred_rewrite_is_byte_exact():
    body = (b'{ "model":"m",\n  "messages" : [ {"content": "mail a@x.io \\u00e9t\\u00e9",'
            b' "role":"user"},\n {"role": "assistant", "content": "ok"} ] }')
    fast, full = _both(CHAT, body)
    assert _plain(CHAT, body) and fast.segments[0].text == "mail a@x.io \u00e9t\u00e9"
    out = fast.rewrite({0: "mail [EMAIL] \u00e9t\u00e9"})
    assert out == body.replace(b'"mail a@x.io \\u00e9t\\u00e9"',
                               '"mail [EMAIL] \u00e9t\u00e9"'.encode())
    assert fast.rewrite({}) == body == fast.rewrite({1: "ok"})
    with pytest.raises(IndexError):
        fast.rewrite({2: "x"})


def test_string_positions_survive_escapes():
    r = random.Random(7)
    pieces = ["a", "\\", '"', "\n", "\u00e9", "\u2028", "{", "]", " ", "\\\\", "\U0001f600"]

    def word() -> str:
        return "".join(r.choice(pieces) for _ in range(r.randint(0, 8)))

    literal = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # the slow, obvious way
    for _ in range(2000):
        text = json.dumps({word(): [word(), 1, {word(): word()}]}, ensure_ascii=r.random() < 0.5)
        spans = [m.span() for m in literal.finditer(text)]
        root = parse(text)
        key, array = root.value[0]
        found = [n for n in (array.value[0], *(v for _, v in array.value[2].value))
                 if n.kind == STRING]
        assert [(n.start, n.end) for n in found] == [spans[1], spans[3]]
        assert all(json.loads(text[n.start:n.end]) == n.value for n in found)


# --------------------------------------------------------------------- the cache
@pytest.fixture(scope="module")
def inspector() -> Inspector:
    inspector = Pipeline(load_ruleset(E2E)).inspector
    assert inspector is not None
    return inspector


def _chat(messages: list[dict[str, str]]) -> BodyInput:
    return BodyInput(*CHAT, json.dumps({"model": "m", "messages": messages}).encode())


def _spans(inspection) -> list[tuple[int, str, int, int]]:
    return [(f.segment, f.type, f.start, f.end) for f in inspection.findings]


def test_each_turn_scans_only_its_new_messages(inspector, monkeypatch):
    scanned: list[str] = []
    joins: list[int] = []
    real = inspector._detect

    def counting(texts, data=None, scopes=None):
        if scanned or joins:  # a later call of one scan: the joins of new pairs
            joins.append(len(texts))
        else:
            scanned.extend(texts)
        return real(texts, data, scopes)

    monkeypatch.setattr(inspector, "_detect", counting)
    history = [{"role": "system", "content": "History test: answer briefly, turn-by-turn."}]
    results = []
    for turn in range(4):
        history.append({"role": "user",
                        "content": f"History test turn {turn}: write to t{turn}@corp-mail.com"})
        scanned.clear()
        joins.clear()
        results.append(inspector.inspect(_chat(history)))
        new = history[-2:] if turn else history
        assert scanned == [m["content"] for m in new]
        assert sum(joins) <= 2 * len(new)  # only pairs with a new message (joins.pairs)
        history.append({"role": "assistant", "content": f"History test reply {turn}."})
    last = _spans(results[-1])
    for earlier in results[:-1]:  # the history's findings are those of the first scan
        assert set(_spans(earlier)) <= set(last)
    assert [f.type for f in results[-1].findings].count("EMAIL_ADDRESS") == 4


def test_cached_findings_follow_the_segment_index(inspector):
    texts = ["Index test: reach ops at index-ops@corp-mail.com today", "Index test: no data"]
    first = inspector.scan(texts)
    again = inspector.scan(texts)
    assert again == first and again[0] is first[0]  # same turn twice: the same objects
    moved = inspector.scan(["Index test: a new first message", *texts])
    assert [(f.segment, f.start, f.end) for f in moved] == \
        [(f.segment + 1, f.start, f.end) for f in first]


def test_cache_holds_no_text_and_its_key_is_per_process(inspector):
    secret = "Cache test: my card 4111 1111 1111 1111 and cache-test@corp-mail.com"
    inspector.scan([secret])
    assert SegmentCache().digest(secret) != SegmentCache().digest(secret)
    digest = inspector.cache.digest(secret)
    assert len(digest) == 16
    entry = inspector.cache.get_many([digest])[0]
    assert entry is not None and entry.rows
    for row in entry.rows:
        kind, type_, label, start, end, score, detector, exact = row
        assert exact is True
        assert all(value not in secret for value in (kind, type_, label, detector))
        assert isinstance(start, int) and isinstance(end, int) and isinstance(score, float)
