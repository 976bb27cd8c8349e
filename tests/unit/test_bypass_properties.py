"""Property: however a secret is packed into a request, the pipeline never forwards it.

Hypothesis builds requests in every format the proxy reads (OpenAI chat and Responses,
Anthropic, Gemini, the ChatGPT, claude.ai and Gemini web apps, Cohere, Ollama, multipart
uploads, forms, plain text, any JSON, WebSocket frames), plants a well-formed synthetic
secret in a random place (a string, an object key, a new field, JSON inside a string, a
data: URL, the query, a header, the path, a file name), in random encodings (UTF-8/16/32
with and without BOM, gzip/br/zstd/deflate, \\u escapes, percent-encoding, base64) and
runs the real pipeline with the default ruleset. The default ruleset blocks every secret
and fails closed on what it cannot read, so "never forwarded" is "the verdict is a
block": a redaction that removed the secret would also do, and is checked for.
Examples are derandomized and bounded, so CI sees the same cases every run.
"""

from __future__ import annotations

import base64
import codecs
import gzip
import ipaddress
import json
import zlib
from urllib.parse import quote, quote_plus

import brotli
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aipolicy.model import Action, ClientIdentity, RequestInfo

from .secret_values import PLANTED

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Realistic bodies per format: (host, path, content type, body structure or text).
CHAT = {"model": "gpt-4o", "temperature": 0.2, "messages": [
    {"role": "system", "content": "You are concise."},
    {"role": "user", "content": [{"type": "text", "text": "Summarise this."},
                                 {"type": "image_url", "image_url": {"url": "https://x.io/a.png",
                                                                     "detail": "auto"}}]},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
     "function": {"name": "lookup", "arguments": "{\"q\": \"status\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "ok"}],
    "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {
        "type": "object", "properties": {"q": {"type": "string"}}}}}]}
FORMATS = {
    "openai-chat": ("api.openai.com", "/v1/chat/completions", CHAT),
    "openai-responses": ("api.openai.com", "/v1/responses", {
        "model": "gpt-4o", "instructions": "Be brief.", "input": [
            {"role": "user", "content": [{"type": "input_text", "text": "hello"}]},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "done"}]}),
    "anthropic": ("api.anthropic.com", "/v1/messages", {
        "model": "claude", "max_tokens": 100, "system": [{"type": "text", "text": "Be kind."}],
        "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": [
            {"type": "tool_use", "id": "t1", "name": "search", "input": {"query": "x"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1",
                                          "content": "found"}]}]}),
    "gemini": ("generativelanguage.googleapis.com", "/v1beta/models/g:generateContent", {
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [{"role": "user", "parts": [{"text": "hello"}]}],
        "generationConfig": {"temperature": 0.1}}),
    "chatgpt-web": ("chatgpt.com", "/backend-api/f/conversation", {
        "action": "next", "messages": [{"id": "m1", "author": {"role": "user"},
                                        "content": {"content_type": "text", "parts": ["hi"]},
                                        "metadata": {"attachments": []}}],
        "parent_message_id": "p", "model": "auto", "timezone": "Europe/Berlin",
        "conversation_mode": {"kind": "primary_assistant"}}),
    "claude-web": ("claude.ai", "/api/organizations/o/chat_conversations/c/completion", {
        "prompt": "hello", "timezone": "UTC", "attachments": [
            {"file_name": "a.txt", "extracted_content": "text"}], "files": []}),
    "cohere": ("api.cohere.com", "/v2/chat", {
        "model": "command", "messages": [{"role": "user", "content": "hi"}],
        "documents": [{"data": {"title": "t", "snippet": "s"}}]}),
    "ollama": ("ollama.com", "/api/chat", {
        "model": "llama3", "messages": [{"role": "user", "content": "hi", "images": []}],
        "options": {"temperature": 0}}),
    "generic-json": ("www.perplexity.ai", "/rest/sse/perplexity_ask", {
        "query_str": "hello", "params": {"mode": "concise", "history": [{"text": "a"}]}}),
}


# ----------------------------------------------------------------------- planting
def _plant_json(value, secret: str, data) -> object:
    """``value`` with ``secret`` placed at a random position, in a random disguise."""
    disguise = data.draw(st.sampled_from([
        "plain", "nested-json", "data-url", "key", "new-field", "list"]), label="disguise")
    # A plain secret is written into a string beside its text; a disguised one replaces it
    # (a data: URL or a JSON document is only one as a whole value).
    append = disguise == "plain"
    if disguise == "nested-json":
        secret_value: object = json.dumps({"note": secret})
    elif disguise == "data-url":
        secret_value = "data:text/plain;base64," + base64.b64encode(secret.encode()).decode()
    elif disguise == "list":
        secret_value = [[secret]]
    else:
        secret_value = secret
    places = list(_places(value))
    place = data.draw(st.sampled_from(places), label="place")
    return _put(value, place, secret_value, as_key=disguise == "key",
                new_field=disguise == "new-field", append=append)


def _places(value, path=()):
    """Every container (to add a field or key to) and string (to replace) in ``value``."""
    if isinstance(value, dict):
        yield path
        for k, v in value.items():
            yield from _places(v, (*path, k))
    elif isinstance(value, list):
        yield path
        for i, v in enumerate(value):
            yield from _places(v, (*path, i))
    elif isinstance(value, str):
        yield path


def _put(value, path, secret, *, as_key: bool, new_field: bool, append: bool):
    if not path:
        if isinstance(value, dict):
            copy = dict(value)
            if as_key:
                copy[secret if isinstance(secret, str) else json.dumps(secret)] = 1
            else:
                copy["client_note" if new_field else "extra"] = secret
            return copy
        if isinstance(value, list):
            return [*value, secret]
        return f"{value} {secret}" if append else secret
    head, rest = path[0], path[1:]
    flags = {"as_key": as_key, "new_field": new_field, "append": append}
    if isinstance(value, dict):
        return {k: (_put(v, rest, secret, **flags) if k == head else v)
                for k, v in value.items()}
    return [(_put(v, rest, secret, **flags) if i == head else v) for i, v in enumerate(value)]


def _escape_all(text: str) -> str:
    """JSON with every character of every string written as a \\u escape."""
    def literal(s: str) -> str:
        return '"' + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else
                             json.dumps(c)[1:-1] for c in s) + '"'

    def dump(v) -> str:
        if isinstance(v, dict):
            return "{" + ",".join(f"{literal(k)}:{dump(x)}" for k, x in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ",".join(dump(x) for x in v) + "]"
        return literal(v) if isinstance(v, str) else json.dumps(v)
    return dump(json.loads(text))


def _content_encode(body: bytes, coding: str) -> bytes:
    return {"": lambda b: b, "gzip": gzip.compress, "br": brotli.compress,
            "zstd": zstandard.ZstdCompressor().compress,
            "deflate": zlib.compress}[coding](body)


def _request(host, path, method="POST", query="", fields=(), content_type="application/json",
             coding=""):
    headers = {"content-type": content_type}
    if coding:
        headers["content-encoding"] = coding
    return RequestInfo(method, "https", host, 443, path, headers,
                       ClientIdentity(ipaddress.ip_address("10.9.8.7")), query=query,
                       fields=(("host", host), ("content-type", content_type), *fields))


def _verdict(pipeline, request, body):
    app = pipeline.classify(request)
    assert app is not None
    return pipeline.evaluate(request, app, body)


def _never_forwarded(verdict, secret: str) -> None:
    """Blocked, or whatever goes out no longer holds the secret."""
    if verdict.outcome.enforced is Action.BLOCK:
        return
    forwarded = (verdict.new_body or b"") + repr(verdict.new_envelope).encode()
    raise AssertionError(f"forwarded ({verdict.outcome.enforced}, "
                         f"{verdict.outcome.findings.by_type()}): "
                         f"secret kept: {secret.encode() in forwarded}")


SECRETS = st.sampled_from([text for text, _ in PLANTED])
CODINGS = st.sampled_from(["", "gzip", "br", "zstd", "deflate"])


# ----------------------------------------------------------------------- properties
@SETTINGS
@given(data=st.data(), fmt=st.sampled_from(sorted(FORMATS)), secret=SECRETS, coding=CODINGS)
def test_a_secret_anywhere_in_a_json_body_is_never_forwarded(default_pipeline, data, fmt,
                                                             secret, coding):
    host, path, base = FORMATS[fmt]
    planted = _plant_json(base, secret, data)
    writer = data.draw(st.sampled_from(["compact", "ascii", "escape-all", "bom"]))
    text = json.dumps(planted, ensure_ascii=writer == "ascii")
    if writer == "escape-all":
        text = _escape_all(text)
    body = text.encode()
    if writer == "bom":
        body = codecs.BOM_UTF8 + body
    request = _request(host, path, coding=coding)
    _never_forwarded(_verdict(default_pipeline, request, _content_encode(body, coding)), secret)


@SETTINGS
@given(data=st.data(), secret=SECRETS, coding=CODINGS,
       codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                              "utf-32", "utf-32-le", "utf-32-be"]),
       lead=st.sampled_from(["", "Notes:\n", "部署说明：\n", "Заметки:\n", "BM\n", "MZ ",
                             "%PDF-1.7\n"]))
def test_a_secret_in_text_bodies_uploads_and_frames_is_never_forwarded(
        default_pipeline, data, secret, coding, codec, lead):
    content = (lead + secret + "\n").encode(codec)
    carrier = data.draw(st.sampled_from(["text", "upload", "blob-put", "frame-text",
                                         "frame-binary", "data-url-in-json"]))
    if carrier == "text":
        request = _request("api.openai.com", "/v1/notes", content_type="text/plain",
                           coding=coding)
        body = content
    elif carrier == "upload":
        boundary = "XyZ"
        declared = data.draw(st.sampled_from(["text/plain", "image/png", "application/pdf",
                                              "application/octet-stream"]))
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
                f"assistants\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\";"
                f" filename=\"notes.bin\"\r\nContent-Type: {declared}\r\n\r\n").encode() \
            + content + f"\r\n--{boundary}--\r\n".encode()
        request = _request("api.openai.com", "/v1/files",
                           content_type=f"multipart/form-data; boundary={boundary}",
                           coding=coding)
    elif carrier == "blob-put":
        body = content
        request = _request("files.oaiusercontent.com", "/file-abc", "PUT",
                           content_type="application/octet-stream", coding=coding)
    elif carrier == "data-url-in-json":
        url = "data:application/octet-stream;base64," + base64.b64encode(content).decode()
        body = json.dumps({"model": "m", "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": url}}]}]}).encode()
        request = _request("api.openai.com", "/v1/chat/completions", coding=coding)
    else:  # a WebSocket frame: the enforcer sends the handshake's request, no envelope
        body = content
        coding = ""
        request = RequestInfo(
            "POST", "https", "copilot.microsoft.com", 443, "/c/api/chat",
            {"content-type": "" if carrier == "frame-text"
             else "application/octet-stream"},
            ClientIdentity(ipaddress.ip_address("10.9.8.7")))
    verdict = _verdict(default_pipeline, request, _content_encode(body, coding))
    _never_forwarded(verdict, secret)


@SETTINGS
@given(data=st.data(), secret=SECRETS)
def test_a_secret_anywhere_in_the_envelope_is_never_forwarded(default_pipeline, data, secret):
    where = data.draw(st.sampled_from([
        "query-value", "query-name", "query-all-escaped", "path", "header", "user-agent",
        "authorization", "cookie", "x-api-key", "referer", "trailer", "form-field",
        "form-name", "gemini-web", "multipart-filename", "multipart-field"]))
    method = data.draw(st.sampled_from(["GET", "POST", "DELETE", "PUT", "OPTIONS"]))
    host, path, query, fields, trailers = "api.openai.com", "/v1/chat/completions", "", (), ()
    body, content_type = json.dumps(CHAT).encode(), "application/json"
    if where == "query-value":
        query = "api-version=1&note=" + quote_plus(secret)
    elif where == "query-name":
        query = quote_plus(secret) + "=1"
    elif where == "query-all-escaped":
        query = "q=" + "".join(f"%{b:02X}" for b in secret.encode())
    elif where == "path":
        path = "/v1/files/" + quote(secret, safe="") + "/content"
    elif where in ("header", "user-agent", "authorization", "x-api-key", "referer"):
        name = {"header": "x-debug-note"}.get(where, where)
        value = f"https://chatgpt.com/?q={quote_plus(secret)}" if where == "referer" else secret
        fields = ((name, value),)
    elif where == "cookie":
        fields = (("cookie", f"a=1; note={quote(secret)}; b=2"),)
    elif where == "trailer":
        trailers = (("x-note", secret),)
    elif where in ("form-field", "form-name"):
        host, path = "www.perplexity.ai", "/rest/submit"
        content_type = "application/x-www-form-urlencoded"
        body = (f"q={quote_plus(secret)}&a=1" if where == "form-field"
                else f"{quote_plus(secret)}=1&a=2").encode()
    elif where == "gemini-web":
        host = "gemini.google.com"
        path = "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate"
        content_type = "application/x-www-form-urlencoded"
        inner = json.dumps([["hello"], None, ["c_1", data.draw(st.sampled_from(
            [secret, json.dumps([secret])]))]])
        body = ("f.req=" + quote_plus(json.dumps([None, inner])) + "&at=x").encode()
    else:
        boundary = "b1"
        name, filename = (("file", secret) if where == "multipart-filename" else (secret, "a.txt"))
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
                f"--{boundary}--\r\n").encode()
        path, content_type = "/v1/files", f"multipart/form-data; boundary={boundary}"
    request = _request(host, path, method, query, fields, content_type)
    if trailers:
        request = RequestInfo(**{**request.__dict__, "trailers": trailers})
    _never_forwarded(_verdict(default_pipeline, request, body), secret)
