"""Response shapes: every answer and error parses with the official SDKs, and a note
added to a streamed answer keeps the stream valid (the SDK's accumulated text is the
note followed by the service's text, whatever the chunking)."""

from __future__ import annotations

import json
import random
from email.message import Message

import anthropic
import httpx2
import openai
import pytest

from aipolicy.respond import (
    CAN_REPLY,
    Answer,
    ReplyContext,
    Wire,
    error_answer,
    frame_note,
    note_prefix,
    reply_answer,
    reply_context,
    stream_note,
    wire_for,
)
from tests.e2e.standin.replies import Incoming, StreamReply, respond

TEXT = "Blocked by Test Policy: secrets must not be sent. Reference: AIP-TESTREF234."
REF = "AIP-TESTREF234"
NOTE = "2 e-mail addresses were replaced before sending — policy: https://p.example/ai"
REPLY = "Hello from the aipolicy test stand-in. Ünïcödé ✓ 😀"


def _mock(answer: Answer) -> httpx2.Client:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(answer.status, headers={"content-type": answer.content_type},
                               content=answer.body)
    return httpx2.Client(transport=httpx2.MockTransport(handler))


def _oai(answer: Answer) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test", base_url="https://api.openai.com/v1",
                         http_client=_mock(answer), max_retries=0)


def _ant(answer: Answer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-ant-test", base_url="https://api.anthropic.com",
                               http_client=_mock(answer), max_retries=0)


MSGS = [{"role": "user", "content": "hi"}]


# ---------------------------------------------------------------- answers (notices)
def test_openai_chat_answer_whole_and_streamed():
    whole = reply_answer(Wire.OPENAI_CHAT, TEXT, REF, ReplyContext(model="gpt-x"))
    done = _oai(whole).chat.completions.create(model="gpt-x", messages=MSGS)
    assert done.choices[0].message.content == TEXT and done.choices[0].finish_reason == "stop"
    streamed = reply_answer(Wire.OPENAI_CHAT, TEXT, REF, ReplyContext("gpt-x", stream=True))
    chunks = list(_oai(streamed).chat.completions.create(model="gpt-x", messages=MSGS,
                                                          stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == TEXT


def test_openai_responses_answer_whole_and_streamed():
    whole = reply_answer(Wire.OPENAI_RESPONSES, TEXT, REF, ReplyContext(model="gpt-x"))
    assert _oai(whole).responses.create(model="gpt-x", input="hi").output_text == TEXT
    streamed = reply_answer(Wire.OPENAI_RESPONSES, TEXT, REF, ReplyContext("gpt-x", True))
    with _oai(streamed).responses.stream(model="gpt-x", input="hi") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == TEXT and final.output_text == TEXT


def test_responses_over_websocket_chains_to_the_last_real_response():
    """Codex sends its next request with previous_response_id = the id of the last
    response it saw; the notice carries the id the blocked request chained to."""
    ctx = ReplyContext(model="gpt-x", previous_response_id="resp_real_41")
    answer = reply_answer(Wire.OPENAI_RESPONSES, TEXT, REF, ctx, websocket=True)
    events = [json.loads(f) for f in answer.frames]
    assert answer.body == b"" and events[0]["type"] == "response.created"
    assert events[-1]["type"] == "response.completed"
    assert events[-1]["response"]["id"] == "resp_real_41"
    from openai._models import construct_type  # how the SDK reads each streamed event
    from openai.types.responses import ResponseStreamEvent
    parsed = [construct_type(type_=ResponseStreamEvent, value=e) for e in events]
    assert "".join(e.delta for e in parsed if e.type == "response.output_text.delta") == TEXT
    assert parsed[-1].response.output_text == TEXT


def test_anthropic_answer_whole_and_streamed():
    whole = reply_answer(Wire.ANTHROPIC_MESSAGES, TEXT, REF, ReplyContext(model="claude-x"))
    msg = _ant(whole).messages.create(model="claude-x", max_tokens=10, messages=MSGS)
    assert msg.content[0].text == TEXT and msg.stop_reason == "end_turn"
    streamed = reply_answer(Wire.ANTHROPIC_MESSAGES, TEXT, REF, ReplyContext("claude-x", True))
    with _ant(streamed).messages.stream(model="claude-x", max_tokens=10, messages=MSGS) as s:
        assert s.get_final_text() == TEXT


def test_gemini_answers():
    whole = json.loads(reply_answer(Wire.GEMINI_GENERATE, TEXT, REF, ReplyContext()).body)
    assert whole["candidates"][0]["content"]["parts"][0]["text"] == TEXT
    sse = reply_answer(Wire.GEMINI_GENERATE, TEXT, REF,
                       ReplyContext(stream=True, gemini_sse=True))
    assert sse.content_type.startswith("text/event-stream")
    data = json.loads(sse.body.decode().removeprefix("data: "))
    assert data["candidates"][0]["finishReason"] == "STOP"
    array = reply_answer(Wire.GEMINI_GENERATE, TEXT, REF,
                         ReplyContext(stream=True, gemini_sse=False))
    assert json.loads(array.body)[0]["candidates"][0]["content"]["parts"][0]["text"] == TEXT


def test_chatgpt_web_answer_carries_the_text_in_its_error_field():
    answer = reply_answer(Wire.CHATGPT_WEB, TEXT, REF, ReplyContext(conversation_id="c-7"))
    events = [line.removeprefix("data: ") for line in answer.body.decode().split("\n\n")
              if line]
    first = json.loads(events[0])
    assert first["error"] == TEXT and first["conversation_id"] == "c-7"
    assert first["message"]["content"]["parts"] == [TEXT]
    assert first["message"]["author"]["role"] == "assistant"
    assert events[-1] == "[DONE]"


def test_gemini_web_answer_frames_count_utf16_units():
    text = "Blocked 😀 by policy"  # one astral character: two UTF-16 units
    body = reply_answer(Wire.GEMINI_WEB, text, REF, ReplyContext()).body
    assert body.startswith(b")]}'\n\n")
    frame = body[6:].decode()
    length, rest = frame.split("\n", 1)
    payload = "\n" + rest.rstrip("\n")
    assert int(length) == len(payload.encode("utf-16-le")) // 2
    inner = json.loads(json.loads(payload)[0][2])
    assert inner[4][0][1][0] == text


def test_copilot_answer_frames():
    answer = reply_answer(Wire.COPILOT_WEB, TEXT, REF, ReplyContext(), websocket=True)
    events = [json.loads(f) for f in answer.frames]
    assert [e["event"] for e in events] == ["startMessage", "appendText", "partCompleted",
                                            "done"]
    assert events[1]["text"] == TEXT


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("status,exc", [(400, openai.BadRequestError),
                                        (403, openai.PermissionDeniedError),
                                        (451, openai.APIStatusError)])
def test_openai_errors_raise_with_the_message(status, exc):
    answer = error_answer(Wire.OPENAI_CHAT, TEXT, "blocked_by_policy", REF, status)
    with pytest.raises(exc) as info:
        _oai(answer).chat.completions.create(model="gpt-x", messages=MSGS)
    assert info.value.status_code == status and TEXT in str(info.value)
    assert info.value.body["code"] == "blocked_by_policy"


def test_anthropic_error_raises_with_the_message():
    answer = error_answer(Wire.ANTHROPIC_MESSAGES, TEXT, "blocked_by_policy", REF, 403)
    with pytest.raises(anthropic.PermissionDeniedError) as info:
        _ant(answer).messages.create(model="claude-x", max_tokens=10, messages=MSGS)
    assert TEXT in str(info.value)


def test_plain_text_error_and_websocket_error_frame():
    text = error_answer(Wire.OPENAI_RESPONSES, TEXT, "blocked_by_policy", REF, 400,
                        plain_text=True)
    assert text.body == TEXT.encode() and text.content_type.startswith("text/plain")
    ws = error_answer(Wire.OPENAI_RESPONSES, TEXT, "blocked_by_policy", REF, 400,
                      websocket=True)
    frame = json.loads(ws.frames[0])
    assert frame == {"type": "error", "status": 400, "error": {
        "type": "policy_violation", "code": "blocked_by_policy", "message": TEXT}}


def test_web_app_errors():
    chatgpt = error_answer(Wire.CHATGPT_WEB, TEXT, "blocked_by_policy", REF, 403)
    assert json.loads(chatgpt.body) == {"detail": TEXT}
    claude = json.loads(error_answer(Wire.CLAUDE_WEB, TEXT, "blocked_by_policy", REF, 403).body)
    assert claude["error"] == {"type": "permission_error", "message": TEXT}


# ---------------------------------------------------------------- which wire, which options
@pytest.mark.parametrize("host,path,api,ws,wire", [
    ("api.openai.com", "/v1/chat/completions", "openai", False, Wire.OPENAI_CHAT),
    ("api.openai.com", "/v1/responses", "openai", False, Wire.OPENAI_RESPONSES),
    ("api.openai.com", "/v1/responses", "openai", True, Wire.OPENAI_RESPONSES),
    ("chatgpt.com", "/backend-api/codex/responses", None, False, Wire.OPENAI_RESPONSES),
    ("api.openai.com", "/v1/embeddings", "openai", False, Wire.OPENAI),
    ("api.anthropic.com", "/v1/messages", "anthropic", False, Wire.ANTHROPIC_MESSAGES),
    ("api.anthropic.com", "/v1/messages/count_tokens", "anthropic", False, Wire.ANTHROPIC),
    ("generativelanguage.googleapis.com", "/v1beta/models/g:streamGenerateContent",
     "gemini", False, Wire.GEMINI_GENERATE),
    ("generativelanguage.googleapis.com", "/v1beta/models/g:countTokens", "gemini", False,
     Wire.GEMINI),
    ("chatgpt.com", "/backend-api/f/conversation", None, False, Wire.CHATGPT_WEB),
    ("claude.ai", "/api/organizations/o/chat_conversations/c/completion", None, False,
     Wire.CLAUDE_WEB),
    ("gemini.google.com",
     "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate", None, False,
     Wire.GEMINI_WEB),
    ("copilot.microsoft.com", "/c/api/chat", None, True, Wire.COPILOT_WEB),
    ("chat.deepseek.com", "/api/v0/chat/completion", None, False, Wire.JSON),
])
def test_wire_for(host, path, api, ws, wire):
    assert wire_for(host, path, api, ws) is wire


def test_reply_context_reads_model_and_stream_from_any_encoding():
    import gzip
    body = gzip.compress(json.dumps({"model": "gpt-x", "stream": True,
                                     "previous_response_id": "resp_1"}).encode())
    ctx = reply_context("/v1/responses", "", "*/*", "gzip", body)
    assert ctx == ReplyContext("gpt-x", stream=True, gemini_sse=False,
                               previous_response_id="resp_1")
    assert reply_context("/v1/chat/completions", "", "", "", b"not json") == ReplyContext()
    gem = reply_context("/v1beta/models/gemini-2.5:streamGenerateContent", "alt=sse", "", "",
                        None)
    assert gem.model == "gemini-2.5" and gem.stream and gem.gemini_sse


def test_every_reply_wire_has_an_answer():
    for wire in CAN_REPLY:
        for stream in (False, True):
            answer = reply_answer(wire, TEXT, REF, ReplyContext(stream=stream),
                                  websocket=wire is Wire.COPILOT_WEB)
            assert answer.status == 200 and (answer.body or answer.frames)


# ---------------------------------------------------------------- notes in answers
def _standin(path: str, body: dict, host: str = "api.openai.com", query=None) -> StreamReply:
    headers = Message()
    reply = respond(Incoming(host, "POST", path, query or {}, headers,
                             json.dumps(body).encode()), REPLY)
    assert isinstance(reply, StreamReply)
    return reply


def _rechunk(data: bytes, rng: random.Random) -> list[bytes]:
    cuts = sorted(rng.sample(range(1, len(data)), min(12, len(data) - 1)))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def _through(rewriter, data: bytes, seed: int) -> bytes:
    out = [rewriter(c) for c in _rechunk(data, random.Random(seed))]
    out.append(rewriter(b""))
    return b"".join(out)


def _content_type(reply: StreamReply) -> str:
    return dict((k.lower(), v) for k, v in reply.headers)["content-type"]


@pytest.mark.parametrize("seed", range(5))
def test_note_in_openai_chat_stream(seed):
    up = _standin("/v1/chat/completions", {"model": "gpt-x", "messages": MSGS, "stream": True})
    raw = b"".join(up.events)
    rw = stream_note(Wire.OPENAI_CHAT, NOTE, _content_type(up))
    answer = Answer(200, "text/event-stream", _through(rw, raw, seed))
    chunks = list(_oai(answer).chat.completions.create(model="gpt-x", messages=MSGS,
                                                        stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == \
        note_prefix(NOTE) + REPLY


@pytest.mark.parametrize("seed", range(5))
def test_note_in_responses_stream_and_its_final_text(seed):
    up = _standin("/v1/responses", {"model": "gpt-x", "input": "hi", "stream": True})
    rw = stream_note(Wire.OPENAI_RESPONSES, NOTE, _content_type(up))
    answer = Answer(200, "text/event-stream", _through(rw, b"".join(up.events), seed))
    with _oai(answer).responses.stream(model="gpt-x", input="hi") as stream:
        events = list(stream)
        final = stream.get_final_response()
    expected = note_prefix(NOTE) + REPLY
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == \
        expected
    # Codex prints the text of output_item.done: every event repeating the text agrees
    assert [e.item.content[0].text for e in events if e.type == "response.output_item.done"
            ] == [expected]
    assert [e.text for e in events if e.type == "response.output_text.done"] == [expected]
    assert final.output_text == expected


def test_note_in_responses_websocket_messages():
    up = _standin("/v1/responses", {"model": "gpt-x", "input": "hi", "stream": True})
    rw = frame_note(Wire.OPENAI_RESPONSES, NOTE)
    frames = []
    for raw in up.events:  # each SSE event's data is one WebSocket message
        data = raw.decode().split("data: ", 1)[1].strip()
        frames += rw(data.encode())
    events = [json.loads(f) for f in frames]
    assert rw.finished
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == \
        note_prefix(NOTE) + REPLY


@pytest.mark.parametrize("seed", range(5))
def test_note_in_anthropic_stream(seed):
    up = _standin("/v1/messages", {"model": "claude-x", "max_tokens": 5, "messages": MSGS,
                                   "stream": True}, host="api.anthropic.com")
    rw = stream_note(Wire.ANTHROPIC_MESSAGES, NOTE, _content_type(up))
    answer = Answer(200, "text/event-stream", _through(rw, b"".join(up.events), seed))
    with _ant(answer).messages.stream(model="claude-x", max_tokens=5, messages=MSGS) as s:
        assert s.get_final_text() == note_prefix(NOTE) + REPLY


def _anthropic_events(blocks: list[tuple[str, dict]]) -> bytes:
    from aipolicy.respond.sse import event
    out = [event({"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1}}}, "message_start")]
    for i, (kind, delta) in enumerate(blocks):
        start = {"thinking": {"type": "thinking", "thinking": "", "signature": ""},
                 "tool_use": {"type": "tool_use", "id": "toolu_1", "name": "Bash",
                              "input": {}},
                 "text": {"type": "text", "text": ""}}[kind]
        out.append(event({"type": "content_block_start", "index": i, "content_block": start},
                         "content_block_start"))
        out.append(event({"type": "content_block_delta", "index": i, "delta": delta},
                         "content_block_delta"))
        if kind == "thinking":
            out.append(event({"type": "content_block_delta", "index": i, "delta": {
                "type": "signature_delta", "signature": "sig"}}, "content_block_delta"))
        out.append(event({"type": "content_block_stop", "index": i}, "content_block_stop"))
    out.append(event({"type": "message_delta", "delta": {"stop_reason": "tool_use",
                      "stop_sequence": None}, "usage": {"output_tokens": 3}},
                     "message_delta"))
    out.append(event({"type": "message_stop"}, "message_stop"))
    return b"".join(out)


def test_note_before_a_tool_call_keeps_thinking_first_and_indexes_consistent():
    raw = _anthropic_events([
        ("thinking", {"type": "thinking_delta", "thinking": "plan"}),
        ("tool_use", {"type": "input_json_delta", "partial_json": '{"command": "ls"}'}),
    ])
    rw = stream_note(Wire.ANTHROPIC_MESSAGES, NOTE, "text/event-stream")
    answer = Answer(200, "text/event-stream", _through(rw, raw, 3))
    with _ant(answer).messages.stream(model="claude-x", max_tokens=5, messages=MSGS) as s:
        message = s.get_final_message()
    assert [b.type for b in message.content] == ["thinking", "text", "tool_use"]
    assert message.content[1].text == note_prefix(NOTE)
    assert message.content[2].input == {"command": "ls"}


def test_note_in_gemini_sse_stream():
    up = _standin("/v1beta/models/gemini-x:streamGenerateContent",
                  {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
                  host="generativelanguage.googleapis.com", query={"alt": ["sse"]})
    rw = stream_note(Wire.GEMINI_GENERATE, NOTE, _content_type(up))
    out = _through(rw, b"".join(up.events), 1).decode()
    texts = [json.loads(line.removeprefix("data: "))["candidates"][0]["content"]["parts"][0][
        "text"] for line in out.split("\r\n\r\n") if line]
    assert "".join(texts) == note_prefix(NOTE) + REPLY


def test_note_in_chatgpt_delta_stream():
    up = _standin("/backend-api/f/conversation", {"action": "next"}, host="chatgpt.com")
    rw = stream_note(Wire.CHATGPT_WEB, NOTE, _content_type(up))
    out = _through(rw, b"".join(up.events), 2).decode()
    text, parts = "", None
    for ev in out.split("\n\n"):
        data = ev.split("data: ", 1)[1] if "data: " in ev else ""
        if not data.startswith("{"):
            continue
        op = json.loads(data)
        if op.get("o") == "add":
            parts = op["v"]["message"]["content"]["parts"]
            text = parts[0]
        elif op.get("p") == "/message/content/parts/0" or ("v" in op and "o" not in op
                                                            and isinstance(op["v"], str)):
            text += op["v"]
    assert text == note_prefix(NOTE) + REPLY


def test_note_in_chatgpt_snapshot_stream():
    from aipolicy.respond.sse import event
    snap = lambda t: event({"message": {"id": "m1", "author": {"role": "assistant"},  # noqa: E731
                                        "content": {"content_type": "text", "parts": [t]}},
                            "conversation_id": "c", "error": None})
    raw = snap("Hel") + snap("Hello") + event("[DONE]")
    rw = stream_note(Wire.CHATGPT_WEB, NOTE, "text/event-stream")
    out = _through(rw, raw, 0).decode()
    texts = [json.loads(e.removeprefix("data: "))["message"]["content"]["parts"][0]
             for e in out.split("\n\n") if e.startswith("data: {")]
    assert texts == [note_prefix(NOTE) + "Hel", note_prefix(NOTE) + "Hello"]


def _gemini_upstream(snapshots: list[str], trailing_in_count: bool) -> bytes:
    """Gemini's answer stream: one frame per snapshot of the text so far. Google's
    length counts UTF-16 units after the digits; some captures count the newline after
    the JSON too, some do not."""
    out = ")]}'\n\n"
    for text in snapshots:
        inner = json.dumps([None, ["c_1", "r_1"], None, None, [["rc_1", [text]]]])
        line = json.dumps([["wrb.fr", None, inner]])
        counted = "\n" + line + ("\n" if trailing_in_count else "")
        out += f"{len(counted.encode('utf-16-le')) // 2}{counted}"
        out += "" if trailing_in_count else "\n"
    return out.encode()


@pytest.mark.parametrize("trailing_in_count", [False, True])
def test_note_in_gemini_web_frames(trailing_in_count):
    raw = _gemini_upstream(["Hel", "Hello 😀", REPLY], trailing_in_count)
    rw = stream_note(Wire.GEMINI_WEB, NOTE, "application/json; charset=utf-8")
    out = _through(rw, raw, 4)
    texts = [json.loads(env[0][2])[4][0][1][0] for env in _gemini_frames(out)]
    assert texts and all(t.startswith(note_prefix(NOTE)) for t in texts)
    assert texts[-1] == note_prefix(NOTE) + REPLY


def test_note_in_copilot_messages():
    rw = frame_note(Wire.COPILOT_WEB, NOTE)
    msgs = [{"event": "startMessage", "messageId": "m"},
            {"event": "appendText", "messageId": "m", "text": "Hi"},
            {"event": "appendText", "messageId": "m", "text": " there"},
            {"event": "done", "messageId": "m"}]
    out = [json.loads(f) for m in msgs for f in rw(json.dumps(m).encode())]
    assert "".join(m.get("text", "") for m in out) == note_prefix(NOTE) + "Hi there"


def test_no_note_in_errors_or_other_content():
    assert stream_note(Wire.OPENAI_CHAT, NOTE, "application/json") is None
    assert stream_note(Wire.OPENAI, NOTE, "text/event-stream") is None
    assert frame_note(Wire.ANTHROPIC_MESSAGES, NOTE) is None


def test_a_stream_that_is_not_sse_passes_unchanged():
    rw = stream_note(Wire.OPENAI_CHAT, NOTE, "text/event-stream")
    junk = b"x" * (2 << 20)  # no event boundary: given up on, passed through
    assert _through(rw, junk, 0) == junk


def _gemini_frames(body: bytes) -> list:
    """Parse Gemini's framing as HanaokaYuzu/Gemini-API does: after ``)]}'``, frames of
    ``<n>`` then n UTF-16 units counted from the character after the digits."""
    text = body.decode()
    assert text.startswith(")]}'")
    pos, frames = 4, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        digits = pos
        while pos < len(text) and text[pos].isdigit():
            pos += 1
        if digits == pos:
            break
        units, start = int(text[digits:pos]), pos
        while units > 0:
            units -= 2 if ord(text[pos]) > 0xFFFF else 1
            pos += 1
        frames.append(json.loads(text[start:pos]))
    assert not text[pos:].strip(), "trailing bytes that are not a frame"
    return frames
