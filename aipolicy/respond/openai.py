"""OpenAI-shaped answers: errors, Chat Completions and Responses, whole or streamed.

Shapes follow the official SDKs' types (openai-python ``types/chat/chat_completion.py``,
``chat_completion_chunk.py``, ``types/responses/response.py`` and the
``response_*_event.py`` stream events) and the API reference's error object
``{"error": {"message", "type", "param", "code"}}``. Responses over a WebSocket carry the
same events, one JSON text message each, without the SSE framing (OpenAI "WebSocket
mode" guide; codex-rs ``codex-api/src/endpoint/responses_websocket.rs`` parses each text
message as one ``ResponsesStreamEvent``).
"""

from __future__ import annotations

import time
from typing import Any

from .sse import Event, Transform, event


def error_body(message: str, code: str, error_type: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type or "policy_violation",
                      "param": None, "code": code}}


# --------------------------------------------------------------------- Chat Completions
def chat_completion(text: str, model: str, ref: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{ref}", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text,
                                             "refusal": None},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def chat_stream(text: str, model: str, ref: str) -> bytes:
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None) -> bytes:
        return event({"id": f"chatcmpl-{ref}", "object": "chat.completion.chunk",
                      "created": created, "model": model,
                      "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                   "finish_reason": finish}]})

    return b"".join((chunk({"role": "assistant", "content": ""}, None),
                     chunk({"content": text}, None), chunk({}, "stop"), event("[DONE]")))


class ChatNote(Transform):
    """Puts the note in front of the first text the assistant streams."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, ev: Event) -> list[Event] | None:
        data = ev.data
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
            return None
        for choice in data["choices"]:
            delta = choice.get("delta") if isinstance(choice, dict) else None
            if isinstance(delta, dict) and isinstance(delta.get("content"), str):
                delta["content"] = self.prefix + delta["content"]
                self.finished = True
                return [ev]
        return None


# --------------------------------------------------------------------- Responses
def _response(rid: str, model: str, status: str, output: list[dict[str, Any]]
              ) -> dict[str, Any]:
    return {
        "id": rid, "object": "response", "created_at": int(time.time()), "status": status,
        "model": model, "output": output, "error": None, "incomplete_details": None,
        "instructions": None, "metadata": {}, "parallel_tool_calls": False,
        "tool_choice": "auto", "tools": [], "temperature": None, "top_p": None,
        "usage": {"input_tokens": 0, "input_tokens_details": {"cached_tokens": 0},
                  "output_tokens": 0, "output_tokens_details": {"reasoning_tokens": 0},
                  "total_tokens": 0} if status == "completed" else None,
    }


def _message(mid: str, status: str, text: str | None) -> dict[str, Any]:
    content = [] if text is None else [
        {"type": "output_text", "text": text, "annotations": [], "logprobs": []}]
    return {"type": "message", "id": mid, "status": status, "role": "assistant",
            "content": content}


def response(text: str, model: str, ref: str) -> dict[str, Any]:
    return _response(f"resp_{ref}", model, "completed",
                     [_message(f"msg_{ref}", "completed", text)])


def response_events(text: str, model: str, ref: str, response_id: str | None = None
                    ) -> list[dict[str, Any]]:
    """The events of a Responses stream whose only output is ``text``.

    ``response_id``: over a WebSocket, Codex chains its next request to the id of the last
    response it saw (``previous_response_id``, incremental input). The blocked request
    never reached the service, so a made-up id would be unknown there; giving the notice
    the id the blocked request chained to makes the next request continue from the last
    real response, without the blocked prompt and without the notice.
    """
    rid, mid = response_id or f"resp_{ref}", f"msg_{ref}"
    loc = {"item_id": mid, "output_index": 0, "content_index": 0}
    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    done = _message(mid, "completed", text)
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("response.created", {"response": _response(rid, model, "in_progress", [])}),
        ("response.in_progress", {"response": _response(rid, model, "in_progress", [])}),
        ("response.output_item.added",
         {"output_index": 0, "item": _message(mid, "in_progress", None)}),
        ("response.content_part.added", {**loc, "part": {**part, "text": ""}}),
        ("response.output_text.delta", {**loc, "delta": text, "logprobs": []}),
        ("response.output_text.done", {**loc, "text": text, "logprobs": []}),
        ("response.content_part.done", {**loc, "part": part}),
        ("response.output_item.done", {"output_index": 0, "item": done}),
        ("response.completed", {"response": _response(rid, model, "completed", [done])}),
    ]
    return [{"type": kind, "sequence_number": n, **fields}
            for n, (kind, fields) in enumerate(kinds)]


def response_stream(text: str, model: str, ref: str) -> bytes:
    return b"".join(event(e, e["type"]) for e in response_events(text, model, ref))


class ResponsesNote(Transform):
    """Puts the note in front of the first output text, in its delta and in every later
    event that repeats the whole text (``.done`` events, ``response.completed``): Codex
    prints the text of ``response.output_item.done``, SDKs accumulate the deltas."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.target: tuple[str, int] | None = None  # (item id, content index)

    def __call__(self, ev: Event) -> list[Event] | None:
        data = ev.data
        kind = data.get("type") if isinstance(data, dict) else None
        if not isinstance(kind, str):
            return None
        changed = False
        if kind == "response.output_text.delta" and self.target is None:
            if isinstance(data.get("delta"), str):
                self.target = (data.get("item_id"), data.get("content_index", 0))
                data["delta"] = self.prefix + data["delta"]
                changed = True
        elif kind == "response.output_text.done" and self._is_target(data):
            changed = self._prefix_key(data, "text")
        elif kind in ("response.content_part.done",) and self._is_target(data):
            changed = self._prefix_key(data.get("part"), "text")
        elif kind == "response.output_item.done":
            changed = self._prefix_item(data.get("item"))
        elif kind in ("response.completed", "response.incomplete", "response.done"):
            resp = data.get("response")
            output = resp.get("output") if isinstance(resp, dict) else None
            for item in output if isinstance(output, list) else ():
                changed = self._prefix_item(item) or changed
            self.finished = True
        return [ev] if changed else None

    def _is_target(self, data: dict[str, Any]) -> bool:
        return self.target == (data.get("item_id"), data.get("content_index", 0))

    def _prefix_key(self, obj: Any, key: str) -> bool:
        if isinstance(obj, dict) and isinstance(obj.get(key), str):
            obj[key] = self.prefix + obj[key]
            return True
        return False

    def _prefix_item(self, item: Any) -> bool:
        if not isinstance(item, dict) or item.get("type") != "message":
            return False
        content = item.get("content")
        if not isinstance(content, list):
            return False
        if self.target is None:  # a message that came whole, without deltas
            index = next((i for i, c in enumerate(content) if isinstance(c, dict)
                          and c.get("type") == "output_text"), None)
            if index is None:
                return False
            self.target = (item.get("id"), index)
        if item.get("id") != self.target[0] or len(content) <= self.target[1]:
            return False
        return self._prefix_key(content[self.target[1]], "text")
