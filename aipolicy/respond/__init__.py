"""Answers in the clients' own shapes: pure functions over the wire format of a request.

The proxy answers a request itself (a block or a coach notice) or changes the service's
answer (a note about redaction). Both depend on the API the request used, its *wire*:
Chat Completions, Responses (over HTTP or a WebSocket), Anthropic Messages, Gemini, the
web apps' own endpoints. ``wire_for`` names it from the request; the modules beside this
one build each wire's shapes, each citing where the shape comes from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..extract.codecs import decode_body
from ..extract.errors import BodyError
from ..extract.registry import find_route
from . import anthropic, chatgpt_web, claude_web, copilot_web, gemini, gemini_web, openai
from .sse import EventRewriter, FrameRewriter, Transform, dumps

# Request bodies read for the model name and whether to stream. This can run on the proxy's
# event loop (a notice after a scan timed out): larger bodies keep the defaults.
_MAX_RAW = 4 * 1024 * 1024
_MAX_DECODED = 16 * 1024 * 1024


class Wire(StrEnum):
    OPENAI_CHAT = "openai-chat"
    OPENAI_RESPONSES = "openai-responses"
    OPENAI = "openai"  # other OpenAI-shaped endpoints: errors only
    ANTHROPIC_MESSAGES = "anthropic-messages"
    ANTHROPIC = "anthropic"
    GEMINI_GENERATE = "gemini-generate"
    GEMINI = "gemini"
    CHATGPT_WEB = "chatgpt-web"
    CLAUDE_WEB = "claude-web"
    GEMINI_WEB = "gemini-web"
    COPILOT_WEB = "copilot-web"
    JSON = "json"  # an API of unknown shape: a plain JSON error


_ROUTE_WIRES = {
    "chatgpt-web": Wire.CHATGPT_WEB, "claude-web": Wire.CLAUDE_WEB,
    "gemini-web": Wire.GEMINI_WEB,
    "openai-chat": Wire.OPENAI_CHAT, "azure-openai-chat": Wire.OPENAI_CHAT,
    "mistral-chat": Wire.OPENAI_CHAT,
    "openai-responses": Wire.OPENAI_RESPONSES, "azure-openai-responses": Wire.OPENAI_RESPONSES,
    "anthropic-messages": Wire.ANTHROPIC_MESSAGES, "gemini": Wire.GEMINI_GENERATE,
}
_API_WIRES = {"openai": Wire.OPENAI, "anthropic": Wire.ANTHROPIC, "gemini": Wire.GEMINI}
# Wires whose page or client shows no text of an error: a notice is always an answer.
REPLY_ONLY = frozenset({Wire.GEMINI_WEB, Wire.COPILOT_WEB})
CAN_REPLY = frozenset({Wire.OPENAI_CHAT, Wire.OPENAI_RESPONSES, Wire.ANTHROPIC_MESSAGES,
                       Wire.GEMINI_GENERATE, Wire.CHATGPT_WEB, Wire.CLAUDE_WEB}) | REPLY_ONLY


def wire_for(host: str, path: str, api_format: str | None, websocket: bool) -> Wire:
    """The API a request speaks, from where it goes; the app's ``api_format`` for the
    endpoints no shape is known for (their errors are still the provider's)."""
    if websocket:
        if host == "copilot.microsoft.com" and path.startswith("/c/api/chat"):
            return Wire.COPILOT_WEB
        if path.endswith("/responses"):
            return Wire.OPENAI_RESPONSES
        return _API_WIRES.get(api_format or "", Wire.JSON)
    route = find_route("POST", host, path)
    wire = _ROUTE_WIRES.get(route.adapter) if route else None
    if wire is not None and not path.endswith(("/count_tokens", ":countTokens")):
        return wire
    return _API_WIRES.get(api_format or "", Wire.JSON)


@dataclass(frozen=True)
class ReplyContext:
    """What an answer copies from the request it replaces."""

    model: str = "aipolicy"
    stream: bool = False
    gemini_sse: bool = False  # streamGenerateContent with ?alt=sse (else one JSON array)
    conversation_id: str | None = None  # ChatGPT: keep the page in its conversation
    previous_response_id: str | None = None  # Responses over a WebSocket
    structured: bool = False  # the answer is for a program: JSON output or a forced tool


def _structured(doc: dict[str, Any]) -> bool:
    """Whether the request asks for output a program parses (a JSON format, a forced tool
    call): a note in front of such an answer would break it. Request fields per the
    OpenAI (``response_format``, ``text.format``, ``tool_choice``), Anthropic
    (``output_format``, ``output_config.format``, ``tool_choice``) and Gemini
    (``generationConfig.responseMimeType`` / ``responseSchema``) API references."""
    def get(*path: str) -> Any:
        node: Any = doc
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    json_types = ("json_object", "json_schema")
    if get("response_format", "type") in json_types or get("text", "format", "type") in \
            json_types or get("output_format") or get("output_config", "format"):
        return True
    gen = get("generationConfig") or get("generation_config") or {}
    if isinstance(gen, dict) and (gen.get("responseMimeType", gen.get("response_mime_type"))
                                  == "application/json" or gen.get("responseSchema")
                                  or gen.get("response_schema")):
        return True
    choice = doc.get("tool_choice")
    return choice == "required" or (isinstance(choice, dict) and choice.get("type") in (
        "function", "tool", "any", "custom", "allowed_tools"))


def reply_context(path: str, query: str, accept: str, content_encoding: str,
                  body: bytes | None) -> ReplyContext:
    """Read the model name and whether the client asked for a stream. A body that cannot
    be read leaves the defaults: this only shapes the notice, it decides nothing."""
    doc: dict[str, Any] = {}
    if body and len(body) <= _MAX_RAW:
        try:
            parsed = json.loads(decode_body(body, content_encoding, _MAX_DECODED))
            doc = parsed if isinstance(parsed, dict) else {}
        except (BodyError, ValueError):
            doc = {}
    gemini_stream = path.endswith(":streamGenerateContent")
    model = doc.get("model")
    if not isinstance(model, str) and ":" in path and "/models/" in path:
        model = path.rsplit("/models/", 1)[1].split(":", 1)[0]
    conv, prev = doc.get("conversation_id"), doc.get("previous_response_id")
    return ReplyContext(
        model=model if isinstance(model, str) and model else "aipolicy",
        stream=doc.get("stream") is True or gemini_stream or "text/event-stream" in accept,
        gemini_sse="alt=sse" in query,
        conversation_id=conv if isinstance(conv, str) else None,
        previous_response_id=prev if isinstance(prev, str) else None,
        structured=_structured(doc),
    )


@dataclass(frozen=True)
class Answer:
    """What the proxy sends in place of the service's answer."""

    status: int
    content_type: str
    body: bytes = b""
    frames: tuple[bytes, ...] = ()  # WebSocket: text messages to the client, in order

    @property
    def is_error(self) -> bool:
        return self.status >= 400


_JSON = "application/json"
_SSE = "text/event-stream; charset=utf-8"


def error_answer(wire: Wire, text: str, code: str, ref: str, status: int, *,
                 plain_text: bool = False, error_type: str | None = None,
                 websocket: bool = False) -> Answer:
    """The wire's error shape with ``status``. ``plain_text``: the message alone, as
    text/plain (a client that shows an error body verbatim)."""
    if websocket:
        # codex-rs responses_websocket.rs ``WrappedWebsocketErrorEvent``: type, status, error
        frame = {"type": "error", "status": status,
                 "error": {"type": error_type or "policy_violation", "code": code,
                           "message": text}}
        return Answer(status, _JSON, frames=(dumps(frame).encode(),))
    if plain_text:
        return Answer(status, "text/plain; charset=utf-8", text.encode())
    body: dict[str, Any]
    if wire in (Wire.OPENAI_CHAT, Wire.OPENAI_RESPONSES, Wire.OPENAI):
        body = openai.error_body(text, code, error_type)
    elif wire in (Wire.ANTHROPIC_MESSAGES, Wire.ANTHROPIC):
        body = anthropic.error_body(text, ref, error_type)
    elif wire is Wire.CLAUDE_WEB:
        body = claude_web.error_body(text, ref)
    elif wire in (Wire.GEMINI_GENERATE, Wire.GEMINI):
        body = gemini.error_body(text, status)
    elif wire is Wire.CHATGPT_WEB:
        body = chatgpt_web.error_body(text)
    else:
        body = {"error": {"code": code, "message": text, "reference": ref}}
    return Answer(status, _JSON, json.dumps(body, ensure_ascii=False).encode())


def reply_answer(wire: Wire, text: str, ref: str, ctx: ReplyContext, *,
                 websocket: bool = False) -> Answer:
    """A well-formed answer whose assistant text is ``text``; the wire must be in
    ``CAN_REPLY``."""
    if wire is Wire.COPILOT_WEB:
        return Answer(200, _JSON, frames=copilot_web.answer_frames(text, ref))
    if wire is Wire.OPENAI_RESPONSES and websocket:
        events = openai.response_events(text, ctx.model, ref, ctx.previous_response_id)
        return Answer(200, _JSON, frames=tuple(dumps(e).encode() for e in events))
    if wire is Wire.OPENAI_CHAT:
        if ctx.stream:
            return Answer(200, _SSE, openai.chat_stream(text, ctx.model, ref))
        return _json(openai.chat_completion(text, ctx.model, ref))
    if wire is Wire.OPENAI_RESPONSES:
        if ctx.stream:
            return Answer(200, _SSE, openai.response_stream(text, ctx.model, ref))
        return _json(openai.response(text, ctx.model, ref))
    if wire is Wire.ANTHROPIC_MESSAGES:
        if ctx.stream:
            return Answer(200, _SSE, anthropic.message_stream(text, ctx.model, ref))
        return _json(anthropic.message(text, ctx.model, ref))
    if wire is Wire.GEMINI_GENERATE:
        if ctx.stream:
            return Answer(200, _SSE if ctx.gemini_sse else _JSON,
                          gemini.stream(text, ctx.model, ref, ctx.gemini_sse))
        return _json(gemini.generate_content(text, ctx.model, ref))
    if wire is Wire.CHATGPT_WEB:
        return Answer(200, _SSE, chatgpt_web.conversation_stream(text, ref,
                                                                ctx.conversation_id))
    if wire is Wire.CLAUDE_WEB:
        return Answer(200, _SSE, claude_web.answer_stream(text, ctx.model, ref))
    if wire is Wire.GEMINI_WEB:
        return Answer(200, "application/json; charset=utf-8",
                      gemini_web.answer_stream(text, ref))
    raise ValueError(f"no answer shape for {wire}")


def _json(obj: dict[str, Any]) -> Answer:
    return Answer(200, _JSON, json.dumps(obj, ensure_ascii=False).encode())


# ------------------------------------------------------------------ notes in answers
_SSE_NOTES: dict[Wire, Callable[[str], Transform]] = {
    Wire.OPENAI_CHAT: openai.ChatNote,
    Wire.OPENAI_RESPONSES: openai.ResponsesNote,
    Wire.ANTHROPIC_MESSAGES: anthropic.MessagesNote,
    Wire.CLAUDE_WEB: anthropic.MessagesNote,
    Wire.GEMINI_GENERATE: gemini.GenerateNote,
    Wire.CHATGPT_WEB: chatgpt_web.ConversationNote,
}
_FRAME_NOTES: dict[Wire, Callable[[str], Transform]] = {
    Wire.OPENAI_RESPONSES: openai.ResponsesNote,
    Wire.COPILOT_WEB: copilot_web.AnswerNote,
}
NOTE_WIRES = frozenset(_SSE_NOTES) | {Wire.GEMINI_WEB}  # streamed HTTP answers
FRAME_NOTE_WIRES = frozenset(_FRAME_NOTES)  # WebSocket answers


def note_prefix(note: str) -> str:
    """The note as the first paragraph of the answer."""
    return note + "\n\n"


def stream_note(wire: Wire, note: str, content_type: str) -> Callable[[bytes], bytes] | None:
    """A ``flow.response.stream`` callable that adds ``note`` to the start of the
    streamed answer, or None when this answer is not a stream of that wire (a JSON error,
    an unstreamed answer: those keep only the ``x-aipolicy-redacted`` header)."""
    media = content_type.split(";", 1)[0].strip().lower()
    prefix = note_prefix(note)
    if wire is Wire.GEMINI_WEB:
        return gemini_web.AnswerNote(prefix) if media in (_JSON, "text/plain") else None
    factory = _SSE_NOTES.get(wire)
    if factory is None or media != "text/event-stream":
        return None
    return EventRewriter(factory(prefix))


def frame_note(wire: Wire, note: str) -> FrameRewriter | None:
    """The same for the server's WebSocket messages."""
    factory = _FRAME_NOTES.get(wire)
    return FrameRewriter(factory(note_prefix(note))) if factory else None
