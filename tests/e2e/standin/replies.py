"""Replies of the stand-in in the AI services' real wire formats.

Transport-free: `respond()` maps one received request to a `Reply` (sent with
Content-Length) or a `StreamReply` (sent chunked, one flushed write per event). The
shapes follow the official SDKs' types, so `openai`/`anthropic` parse them as they
parse the real services' answers. Web-app replies are minimal but plausible.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any

from .bodies import parse_multipart

DEFAULT_REPLY = "Hello from the aipolicy test stand-in."

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Incoming:
    """What a reply depends on: the request, its body already content-decoded."""

    host: str
    method: str
    path: str  # without the query
    query: Mapping[str, list[str]]
    headers: Message
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Headers
    body: bytes


@dataclass(frozen=True)
class StreamReply:
    """A streamed reply; `events` are written and flushed one at a time."""

    status: int
    headers: Headers
    events: tuple[bytes, ...]


class _Rejected(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


Handler = Callable[[Incoming, "re.Match[str]", str], Reply | StreamReply]


# --- helpers ------------------------------------------------------------------


def _json_reply(obj: Any, status: int = 200, extra: Headers = ()) -> Reply:
    body = json.dumps(obj, separators=(",", ":")).encode()
    return Reply(status, (("Content-Type", "application/json"), *extra), body)


def _sse(data: Any, event: str | None = None, eol: str = "\n") -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}{eol}" if event else ""
    return f"{head}data: {payload}{eol}{eol}".encode()


def _stream(events: list[bytes], extra: Headers = ()) -> StreamReply:
    headers = (("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache"))
    return StreamReply(200, headers + extra, tuple(events))


def _pieces(text: str) -> list[str]:
    """Split a reply into word-sized deltas, as the services stream them."""
    return re.findall(r"\S+\s*|\s+", text) or [""]


def _tokens(value: Any) -> int:
    text = value if isinstance(value, str) else json.dumps(value)
    return max(1, len(text) // 4)


def _new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:24]


def _vendor(req: Incoming) -> str:
    if req.headers.get("anthropic-version") or req.host.endswith("anthropic.com"):
        return "anthropic"
    if req.host.endswith("googleapis.com") or req.headers.get("x-goog-api-key"):
        return "google"
    return "openai"


def _error(vendor: str, status: int, message: str, kind: str = "invalid_request_error") -> Reply:
    no_retry = (("x-should-retry", "false"),)
    if vendor == "anthropic":
        body = {
            "type": "error",
            "error": {"type": kind, "message": message},
            "request_id": _new_id("req_"),
        }
        return _json_reply(body, status, no_retry)
    if vendor == "google":
        statuses = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 405: "UNIMPLEMENTED"}
        body = {"error": {"code": status, "message": message, "status": statuses.get(status)}}
        return _json_reply(body, status, no_retry)
    body = {"error": {"message": message, "type": kind, "param": None, "code": None}}
    return _json_reply(body, status, no_retry)


def _json_body(req: Incoming, vendor: str) -> dict[str, Any]:
    try:
        body = json.loads(req.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Rejected(_error(vendor, 400, "request body is not valid JSON")) from e
    if not isinstance(body, dict):
        raise _Rejected(_error(vendor, 400, "request body must be a JSON object"))
    return body


def _require(body: dict[str, Any], vendor: str, **fields: type | tuple[type, ...]) -> None:
    for name, kind in fields.items():
        if not isinstance(body.get(name), kind):
            raise _Rejected(_error(vendor, 400, f"missing or invalid field: {name}"))


# --- OpenAI -------------------------------------------------------------------


def openai_chat(req: Incoming, m: re.Match[str], text: str) -> Reply | StreamReply:
    body = _json_body(req, "openai")
    _require(body, "openai", model=str, messages=list)
    model, cid, created = body["model"], _new_id("chatcmpl-"), int(time.time())
    prompt_tokens, completion_tokens = _tokens(body["messages"]), _tokens(text)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if body.get("stream") is not True:
        return _json_reply(
            {
                "id": cid,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_standin",
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": text,
                            "refusal": None,
                            "annotations": [],
                        },
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
            }
        )

    def chunk(delta: dict[str, Any], finish: str | None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return _sse(
            {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_standin",
                "choices": [choice],
            }
        )

    events = [chunk({"role": "assistant", "content": "", "refusal": None}, None)]
    events += [chunk({"content": piece}, None) for piece in _pieces(text)]
    events.append(chunk({}, "stop"))
    options = body.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage"):
        events.append(
            _sse(
                {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "system_fingerprint": "fp_standin",
                    "choices": [],
                    "usage": usage,
                }
            )
        )
    events.append(_sse("[DONE]"))
    return _stream(events, (("x-request-id", _new_id("req_")),))


def openai_responses(req: Incoming, m: re.Match[str], text: str) -> Reply | StreamReply:
    body = _json_body(req, "openai")
    _require(body, "openai", model=str)
    if not isinstance(body.get("input"), str | list):
        raise _Rejected(_error("openai", 400, "missing or invalid field: input"))
    rid, mid = _new_id("resp_"), _new_id("msg_")
    in_tokens, out_tokens = _tokens(body["input"]), _tokens(text)

    def message(status: str, content: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "type": "message",
            "id": mid,
            "status": status,
            "role": "assistant",
            "content": content,
        }

    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}

    def response(status: str, output: list[dict[str, Any]], usage: bool) -> dict[str, Any]:
        return {
            "id": rid,
            "object": "response",
            "created_at": int(time.time()),
            "status": status,
            "model": body["model"],
            "output": output,
            "instructions": body.get("instructions"),
            "error": None,
            "incomplete_details": None,
            "metadata": {},
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "temperature": 1.0,
            "top_p": 1.0,
            "text": {"format": {"type": "text"}},
            "truncation": "disabled",
            "usage": {
                "input_tokens": in_tokens,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": out_tokens,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": in_tokens + out_tokens,
            }
            if usage
            else None,
        }

    done_message = message("completed", [part])
    if body.get("stream") is not True:
        return _json_reply(response("completed", [done_message], True))

    seq = iter(range(1_000_000))

    def ev(kind: str, **fields: Any) -> bytes:
        return _sse({"type": kind, "sequence_number": next(seq), **fields}, event=kind)

    loc = {"item_id": mid, "output_index": 0, "content_index": 0}
    events = [
        ev("response.created", response=response("in_progress", [], False)),
        ev("response.in_progress", response=response("in_progress", [], False)),
        ev("response.output_item.added", output_index=0, item=message("in_progress", [])),
        ev(
            "response.content_part.added",
            **loc,
            part={"type": "output_text", "text": "", "annotations": [], "logprobs": []},
        ),
    ]
    events += [
        ev("response.output_text.delta", **loc, delta=piece, logprobs=[]) for piece in _pieces(text)
    ]
    events += [
        ev("response.output_text.done", **loc, text=text, logprobs=[]),
        ev("response.content_part.done", **loc, part=part),
        ev("response.output_item.done", output_index=0, item=done_message),
        ev("response.completed", response=response("completed", [done_message], True)),
    ]
    return _stream(events, (("x-request-id", _new_id("req_")),))


def files_upload(req: Incoming, m: re.Match[str], text: str) -> Reply:
    vendor = _vendor(req)
    try:
        parts = parse_multipart(req.body, req.headers.get("content-type"))
    except ValueError:
        return _error(vendor, 400, "expected a multipart/form-data body")
    file_part = next((p for p in parts if p.name == "file"), None)
    if file_part is None:
        return _error(vendor, 400, "missing file part")
    filename = file_part.filename or "upload"
    if vendor == "anthropic":
        return _json_reply(
            {
                "id": _new_id("file_"),
                "type": "file",
                "filename": filename,
                "mime_type": file_part.content_type or "application/octet-stream",
                "size_bytes": len(file_part.data),
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "downloadable": False,
            }
        )
    purpose = next((p.data.decode("utf-8", "replace") for p in parts if p.name == "purpose"), None)
    if not purpose:
        return _error(vendor, 400, "missing purpose")
    return _json_reply(
        {
            "id": _new_id("file-"),
            "object": "file",
            "bytes": len(file_part.data),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
            "expires_at": None,
            "status_details": None,
        }
    )


_MODELS = {
    "openai": ("gpt-4o-mini", "gpt-4.1", "o4-mini"),
    "anthropic": ("claude-opus-4-6", "claude-haiku-4-5"),
    "google": ("gemini-2.5-flash", "gemini-2.5-pro"),
}


def models(req: Incoming, m: re.Match[str], text: str) -> Reply:
    vendor = "google" if req.path.startswith("/v1beta/") else _vendor(req)
    wanted = m.group("id")
    names = _MODELS[vendor] if wanted is None else (wanted,)
    if vendor == "anthropic":
        items = [
            {"type": "model", "id": n, "display_name": n, "created_at": "2025-01-01T00:00:00Z"}
            for n in names
        ]
        if wanted:
            return _json_reply(items[0])
        return _json_reply(
            {"data": items, "has_more": False, "first_id": names[0], "last_id": names[-1]}
        )
    if vendor == "google":
        items = [
            {
                "name": f"models/{n}",
                "displayName": n,
                "supportedGenerationMethods": ["generateContent", "countTokens"],
            }
            for n in names
        ]
        return _json_reply(items[0] if wanted else {"models": items})
    items = [
        {"id": n, "object": "model", "created": 1700000000, "owned_by": "openai"} for n in names
    ]
    return _json_reply(items[0] if wanted else {"object": "list", "data": items})


# --- Anthropic ----------------------------------------------------------------


def _anthropic_events(model: str, text: str, in_tokens: int) -> list[bytes]:
    start = {
        "id": _new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": in_tokens, "output_tokens": 1},
    }
    events = [
        _sse({"type": "message_start", "message": start}, "message_start"),
        _sse(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
            "content_block_start",
        ),
        _sse({"type": "ping"}, "ping"),
    ]
    events += [
        _sse(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": piece},
            },
            "content_block_delta",
        )
        for piece in _pieces(text)
    ]
    events += [
        _sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
        _sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": _tokens(text)},
            },
            "message_delta",
        ),
        _sse({"type": "message_stop"}, "message_stop"),
    ]
    return events


def anthropic_messages(req: Incoming, m: re.Match[str], text: str) -> Reply | StreamReply:
    body = _json_body(req, "anthropic")
    _require(body, "anthropic", model=str, messages=list, max_tokens=int)
    in_tokens = _tokens([body.get("system"), body["messages"]])
    extra = (("request-id", _new_id("req_")),)
    if body.get("stream") is True:
        return _stream(_anthropic_events(body["model"], text, in_tokens), extra)
    return _json_reply(
        {
            "id": _new_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": in_tokens, "output_tokens": _tokens(text)},
        },
        extra=extra,
    )


def anthropic_count_tokens(req: Incoming, m: re.Match[str], text: str) -> Reply:
    body = _json_body(req, "anthropic")
    _require(body, "anthropic", model=str, messages=list)
    return _json_reply({"input_tokens": _tokens([body.get("system"), body["messages"]])})


# --- Gemini API ---------------------------------------------------------------


def gemini_generate(req: Incoming, m: re.Match[str], text: str) -> Reply | StreamReply:
    body = _json_body(req, "google")
    if not isinstance(body.get("contents"), list):
        raise _Rejected(_error("google", 400, "missing or invalid field: contents"))
    model, rid = m.group("model"), _new_id("")
    in_tokens = _tokens(body["contents"])

    def answer(part: str, final: bool) -> dict[str, Any]:
        candidate: dict[str, Any] = {
            "content": {"parts": [{"text": part}], "role": "model"},
            "index": 0,
        }
        if final:
            candidate["finishReason"] = "STOP"
        out_tokens = _tokens(text)
        return {
            "candidates": [candidate],
            "usageMetadata": {
                "promptTokenCount": in_tokens,
                "candidatesTokenCount": out_tokens,
                "totalTokenCount": in_tokens + out_tokens,
            },
            "modelVersion": model,
            "responseId": rid,
        }

    if m.group("method") == "generateContent":
        return _json_reply(answer(text, True))
    pieces = _pieces(text)
    answers = [answer(p, i == len(pieces) - 1) for i, p in enumerate(pieces)]
    if req.query.get("alt") == ["sse"]:
        return _stream([_sse(a, eol="\r\n") for a in answers])
    # Without alt=sse the API streams one JSON array, element by element.
    chunks = [
        ("[" if i == 0 else ",\r\n").encode() + json.dumps(a).encode()
        for i, a in enumerate(answers)
    ]
    chunks.append(b"]")
    return StreamReply(200, (("Content-Type", "application/json; charset=UTF-8"),), tuple(chunks))


# --- consumer web apps --------------------------------------------------------


def chatgpt_conversation(req: Incoming, m: re.Match[str], text: str) -> StreamReply:
    body = _json_body(req, "openai")
    conv = body.get("conversation_id") or str(uuid.uuid4())
    message = {
        "id": str(uuid.uuid4()),
        "author": {"role": "assistant", "name": None, "metadata": {}},
        "create_time": time.time(),
        "content": {"content_type": "text", "parts": [""]},
        "status": "in_progress",
        "end_turn": None,
        "weight": 1.0,
        "metadata": {"model_slug": body.get("model", "auto")},
        "recipient": "all",
    }
    pieces = _pieces(text)
    events = [
        _sse('"v1"', "delta_encoding"),
        _sse(
            {
                "p": "",
                "o": "add",
                "v": {"message": message, "conversation_id": conv, "error": None},
                "c": 0,
            },
            "delta",
        ),
        _sse({"p": "/message/content/parts/0", "o": "append", "v": pieces[0]}, "delta"),
    ]
    events += [_sse({"v": piece}, "delta") for piece in pieces[1:]]
    events += [
        _sse(
            {
                "p": "",
                "o": "patch",
                "v": [
                    {"p": "/message/status", "o": "replace", "v": "finished_successfully"},
                    {"p": "/message/end_turn", "o": "replace", "v": True},
                ],
            },
            "delta",
        ),
        _sse({"type": "message_stream_complete", "conversation_id": conv}),
        _sse("[DONE]"),
    ]
    return _stream(events)


def chatgpt_file_create(req: Incoming, m: re.Match[str], text: str) -> Reply:
    body = _json_body(req, "openai")
    file_id = "file-" + uuid.uuid4().hex[:22]
    return _json_reply(
        {
            "status": "success",
            "file_id": file_id,
            "upload_url": f"https://files.oaiusercontent.com/{file_id}?se=2030-01-01&sig=test",
            "file_name": body.get("file_name"),
        }
    )


def chatgpt_file_uploaded(req: Incoming, m: re.Match[str], text: str) -> Reply:
    file_id = m.group("file_id")
    return _json_reply(
        {
            "status": "success",
            "download_url": f"https://files.oaiusercontent.com/{file_id}",
            "metadata": {},
            "file_name": None,
            "creation_time": time.time(),
        }
    )


def blob_put(req: Incoming, m: re.Match[str], text: str) -> Reply:
    # Azure blob storage (ChatGPT uploads) answers a PUT with 201 and no body.
    return Reply(201, (("x-ms-request-id", str(uuid.uuid4())),), b"")


def claude_completion(req: Incoming, m: re.Match[str], text: str) -> StreamReply:
    body = _json_body(req, "anthropic")
    model = body.get("model") if isinstance(body.get("model"), str) else "claude-haiku-4-5"
    return _stream(_anthropic_events(model, text, _tokens(body.get("prompt", ""))))


def claude_upload(req: Incoming, m: re.Match[str], text: str) -> Reply:
    try:
        parts = parse_multipart(req.body, req.headers.get("content-type"))
    except ValueError:
        return _error("anthropic", 400, "expected a multipart/form-data body")
    file_part = next((p for p in parts if p.filename is not None), None)
    if file_part is None:
        return _error("anthropic", 400, "missing file part")
    return _json_reply(
        {
            "file_uuid": str(uuid.uuid4()),
            "file_name": file_part.filename,
            "size_bytes": len(file_part.data),
            "file_kind": "document",
            "success": True,
        }
    )


def gemini_web_stream(req: Incoming, m: re.Match[str], text: str) -> StreamReply:
    conv, resp, cand = (_new_id(p) for p in ("c_", "r_", "rc_"))

    def frame(part: str) -> bytes:
        inner = json.dumps([None, [conv, resp], None, None, [[cand, [part]]]])
        line = json.dumps([["wrb.fr", None, inner]])
        return f"{len(line) + 1}\n{line}\n".encode()

    pieces = _pieces(text)
    first = b")]}'\n\n" + frame(pieces[0])
    return StreamReply(
        200,
        (("Content-Type", "application/json; charset=utf-8"),),
        (first, frame(text)),
    )


def landing_page(req: Incoming, m: re.Match[str], text: str) -> Reply:
    host = req.host or "stand-in"
    page = (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>{host} (test stand-in)</title></head>"
        f"<body><h1>{host}</h1><p>aipolicy test stand-in</p></body></html>"
    )
    return Reply(200, (("Content-Type", "text/html; charset=utf-8"),), page.encode())


def preflight(req: Incoming, m: re.Match[str], text: str) -> Reply:
    origin = req.headers.get("origin", "*")
    asked = req.headers.get("access-control-request-headers", "*")
    return Reply(
        204,
        (
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"),
            ("Access-Control-Allow-Headers", asked),
            ("Access-Control-Max-Age", "600"),
        ),
        b"",
    )


_ROUTES: tuple[tuple[str, re.Pattern[str], Handler], ...] = tuple(
    (method, re.compile(pattern), handler)
    for method, pattern, handler in (
        ("OPTIONS", r"^/", preflight),
        ("GET", r"^/$", landing_page),
        ("POST", r"^(?:/v1|/openai/v1|/openai/deployments/[^/]+)/chat/completions$", openai_chat),
        ("POST", r"^(?:/v1|/openai/v1)/responses$", openai_responses),
        ("POST", r"^(?:/v1|/openai/v1)/files$", files_upload),
        ("GET", r"^/v1(?:beta)?/models(?:/(?P<id>[^/:]+))?$", models),
        ("POST", r"^/v1/messages$", anthropic_messages),
        ("POST", r"^/v1/messages/count_tokens$", anthropic_count_tokens),
        (
            "POST",
            r"^/v1(?:beta|alpha)?/(?:models|tunedModels)/(?P<model>[^/:]+)"
            r":(?P<method>generateContent|streamGenerateContent)$",
            gemini_generate,
        ),
        ("POST", r"^/backend-(?:api|anon)/(?:f/)?conversation$", chatgpt_conversation),
        ("POST", r"^/backend-api/files$", chatgpt_file_create),
        ("POST", r"^/backend-api/files/(?P<file_id>[^/]+)/uploaded$", chatgpt_file_uploaded),
        ("PUT", r"^/", blob_put),
        (
            "POST",
            r"^/api/organizations/[^/]+/chat_conversations/[^/]+/(?:retry_)?completion$",
            claude_completion,
        ),
        ("POST", r"^/api/(?:organizations/)?[^/]+/upload$", claude_upload),
        (
            "POST",
            r"^/_/BardChatUi/data/assistant\.lamda\.BardFrontendService/StreamGenerate$",
            gemini_web_stream,
        ),
    )
)


def respond(req: Incoming, text: str = DEFAULT_REPLY) -> Reply | StreamReply:
    """The reply to one request; unknown paths get the vendor's 404 error body."""
    method = "GET" if req.method == "HEAD" else req.method
    for route_method, pattern, handler in _ROUTES:
        if route_method == method and (m := pattern.match(req.path)):
            try:
                return handler(req, m, text)
            except _Rejected as rejected:
                return rejected.reply
    return _error(_vendor(req), 404, f"no route for {req.method} {req.path}", "not_found_error")
