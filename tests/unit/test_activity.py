"""Activities: what a request does (prompt, upload, other), from the shipped table; the
`activity` condition of access and data rules; a body that carries a file."""

from __future__ import annotations

import base64
import ipaddress
import json
import struct
import zlib
from pathlib import Path

import pytest

from aipolicy.activity import carries_files, load_activities, normalise_path
from aipolicy.audit import audit_record
from aipolicy.decide import decide_access
from aipolicy.errors import ConfigError
from aipolicy.extract import BodyInput, extract
from aipolicy.extract.registry import ROUTES
from aipolicy.model import Action, Activity, ClientIdentity, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "tests" / "fixtures" / "rulesets" / "e2e.yaml"
MULTIPART = "multipart/form-data; boundary=b1"


@pytest.fixture(scope="module")
def table():
    return load_activities()


# ----------------------------------------------------------------------------- the table
@pytest.mark.parametrize(("method", "host", "path", "ctype", "activity"), [
    ("POST", "api.openai.com", "/v1/chat/completions", "application/json", "prompt"),
    ("POST", "api.openai.com", "/v1/responses", "application/json", "prompt"),
    ("POST", "api.openai.com", "/v1/embeddings", "application/json", "prompt"),
    ("POST", "api.anthropic.com", "/v1/messages", "application/json", "prompt"),
    ("POST", "api.anthropic.com", "/v1/messages/count_tokens", "", "prompt"),
    ("POST", "generativelanguage.googleapis.com",
     "/v1beta/models/gemini-2.0-flash:streamGenerateContent", "application/json", "prompt"),
    ("POST", "chatgpt.com", "/backend-api/conversation", "application/json", "prompt"),
    ("POST", "chatgpt.com", "/backend-anon/f/conversation", "application/json", "prompt"),
    ("POST", "api.cohere.com", "/v2/chat", "application/json", "prompt"),
    ("POST", "localhost", "/api/chat", "application/json", "prompt"),
    # servers read these paths as the chat endpoint, and so does the table
    ("POST", "api.openai.com", "//v1/chat/completions", "application/json", "prompt"),
    ("POST", "api.openai.com", "/v1/chat/completions/", "application/json", "prompt"),
    ("POST", "api.openai.com", "/v1/chat/%63ompletions", "application/json", "prompt"),
    ("POST", "api.openai.com", "/v1/./chat/completions", "application/json", "prompt"),
    ("POST", "api.openai.com", "/v1/x/../chat/completions", "application/json", "prompt"),
    ("POST", "api.openai.com", "/v1/chat/completions;a=b", "application/json", "prompt"),
    ("POST", "api.openai.com", "/v1/chat/completions?stream=true", "application/json",
     "prompt"),
    # a file body is an upload whatever the path
    ("POST", "api.openai.com", "/v1/files", MULTIPART, "upload"),
    ("POST", "api.openai.com", "/v1/chat/completions", MULTIPART, "upload"),
    ("POST", "chatgpt.com", "/backend-api/conversation", "Multipart/Form-Data; boundary=x",
     "upload"),
    ("POST", "api.openai.com", "/v1/chat/completions", "application/pdf", "upload"),
    ("POST", "api.openai.com", "/v1/anything", "image/png", "upload"),
    ("POST", "api.openai.com", "/v1/anything",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "upload"),
    ("POST", "api.openai.com", "/v1/anything", "text/csv; charset=utf-8", "upload"),
    ("PUT", "files.oaiusercontent.com", "/file-abc", "text/plain", "upload"),
    ("POST", "api.openai.com", "/v1/uploads", "application/json", "upload"),
    ("POST", "api.openai.com", "/v1/uploads/upload_1/complete", "application/json",
     "upload"),
    ("POST", "chatgpt.com", "/backend-api/files", "application/json", "upload"),
    ("POST", "claude.ai", "/api/organizations/o/upload", "", "upload"),
    ("POST", "generativelanguage.googleapis.com", "/upload/v1beta/files", "", "upload"),
    # everything else
    ("GET", "api.openai.com", "/v1/models", "", "other"),
    ("GET", "api.openai.com", "/v1/files", "", "other"),
    ("DELETE", "api.openai.com", "/v1/files/file-1", "", "other"),
    ("GET", "chatgpt.com", "/", "", "other"),
    ("POST", "chatgpt.com", "/backend-api/lat/r", "application/json", "other"),
    ("POST", "api.openai.com", "/v1/chat/completions-x", "application/json", "other"),
    ("POST", "chatgpt.com", "/backend-api/files", "text/plain", "upload"),
    # a chat WebSocket's handshake and messages
    ("GET", "copilot.microsoft.com", "/c/api/chat", "", "prompt"),
    ("POST", "copilot.microsoft.com", "/c/api/chat", "application/json", "prompt"),
    ("GET", "chatgpt.com", "/backend-api/codex/responses", "", "prompt"),
])
def test_activity_table(table, method, host, path, ctype, activity):
    assert table.activity_of(method, host, path, ctype).value == activity


@pytest.mark.parametrize(("path", "normal"), [
    ("//v1//chat/completions/", "/v1/chat/completions"),
    ("/v1/%2e%2e/v2/chat", "/v2/chat"),
    ("/a/b;jsessionid=1/c", "/a/b/c"),
    ("/", "/"),
    ("", "/"),
    ("/../../x", "/x"),
])
def test_normalise_path(path, normal):
    assert normalise_path(path) == normal


def test_every_extraction_route_has_an_activity(table):
    assert {r.adapter for r in ROUTES} == set(table.adapters)


def _write(tmp_path, text: str) -> Path:
    p = tmp_path / "activities.yaml"
    p.write_text(text)
    return p


def test_route_without_an_activity_is_refused(tmp_path):
    shipped = (ROOT / "rulesets" / "activities.yaml").read_text()
    p = _write(tmp_path, shipped.replace("    - ollama-generate\n", ""))
    with pytest.raises(ConfigError) as info:
        load_activities(p)
    problem = info.value.problems[0]
    assert problem.field == "adapters" and "'ollama-generate' has no activity" in \
        problem.message and problem.line is not None


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("    - blob-upload ", "    - blob-uploads ", "adapters.upload[0]",
     "unknown extraction route adapter 'blob-uploads'"),
    ("  - {request: GET https://chatgpt.com/, activity: other}",
     "  - {request: GET https://chatgpt.com/, activity: prompt}", "examples[15]",
     "is 'other' by this table, the example says 'prompt'"),
    ("  - audio/*", "  - Audio/*", "upload_media_types[11]", "is not a lower-case media type"),
    ("    path: '^/upload/'", "    path: '^/upload/('", "endpoints[3].path",
     "invalid regular expression"),
    ("    methods: [GET]", "    methods: [get]", "endpoints[5].methods",
     "is not an upper-case HTTP method"),
])
def test_broken_activity_table_names_file_line_field(tmp_path, old, new, field, message):
    shipped = (ROOT / "rulesets" / "activities.yaml").read_text()
    assert old in shipped
    p = _write(tmp_path, shipped.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_activities(p)
    matching = [x for x in info.value.problems if x.field == field]
    assert matching, str(info.value)
    assert message in matching[0].message and matching[0].line is not None


# ----------------------------------------------------------------------------- rules
def request(method: str, host: str, path: str, ctype: str = "application/json",
            ip: str = "192.0.2.1") -> RequestInfo:
    return RequestInfo(method, "https", host, 443, path, {"content-type": ctype},
                       ClientIdentity(ipaddress.ip_address(ip)))


def _ruleset(tmp_path, source: Path, rules: str, edit=lambda text: text):
    """``source`` with ``rules`` put first in its access rules, then ``edit``ed."""
    text = source.read_text().replace("../../../rulesets/", f"{ROOT}/rulesets/")
    text = text.replace("catalog: catalog.yaml", f"catalog: {source.parent / 'catalog.yaml'}")
    text = text.replace("access:\n  rules:\n", "access:\n  rules:\n" + rules, 1)
    p = tmp_path / "ruleset.yaml"
    p.write_text(edit(text))
    return load_ruleset(p)


UPLOADS_BLOCKED = """\
    - id: no-uploads
      when: {app: openai-api, activity: upload}
      action: block
      reason: Files may not be sent to this service.
"""


def test_chat_allowed_uploads_blocked_is_one_rule(tmp_path, test_ruleset_path):
    rs = _ruleset(tmp_path, test_ruleset_path, UPLOADS_BLOCKED)
    api = rs.catalog.get("openai-api")
    chat = decide_access(rs, api, request("POST", "api.openai.com", "/v1/chat/completions"))
    upload = decide_access(rs, api, request("POST", "api.openai.com", "/v1/files", MULTIPART))
    listing = decide_access(rs, api, request("GET", "api.openai.com", "/v1/files", ""))
    assert (chat.rule_id, chat.action, chat.activity) == ("approved", Action.ALLOW,
                                                          Activity.PROMPT)
    assert (upload.rule_id, upload.action, upload.activity) == ("no-uploads", Action.BLOCK,
                                                                Activity.UPLOAD)
    assert (listing.rule_id, listing.activity) == ("approved", Activity.OTHER)
    # the same rule for another app does not apply
    other = decide_access(rs, rs.catalog.get("openai-chatgpt"),
                          request("POST", "chatgpt.com", "/backend-api/files"))
    assert other.rule_id == "approved" and other.activity is Activity.UPLOAD


def test_activity_condition_takes_a_list(tmp_path, test_ruleset_path):
    rs = _ruleset(tmp_path, test_ruleset_path, """\
    - id: only-other
      when: {app: openai-api, activity: [prompt, upload]}
      action: block
      reason: Page loads only.
""")
    api = rs.catalog.get("openai-api")
    assert decide_access(rs, api, request("POST", "api.openai.com", "/v1/responses")
                         ).rule_id == "only-other"
    assert decide_access(rs, api, request("GET", "api.openai.com", "/v1/models", "")
                         ).rule_id == "approved"


def test_unknown_activity_in_a_rule_names_file_line_field(tmp_path, test_ruleset_path):
    with pytest.raises(ConfigError) as info:
        _ruleset(tmp_path, test_ruleset_path, """\
    - id: typo
      when: {app: openai-api, activity: uploads}
      action: block
      reason: x
""")
    problem = next(p for p in info.value.problems if p.field == "access.rules[0].when.activity")
    assert "unknown activity 'uploads'" in problem.message
    lines = (tmp_path / "ruleset.yaml").read_text().splitlines()
    assert "activity: uploads" in lines[problem.line - 1]


# ----------------------------------------------------------------------------- the body
def _chat_with_file(text: str) -> bytes:
    data = base64.b64encode(text.encode()).decode()
    return json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "Summarise the attached notes."},
        {"type": "file", "file": {"filename": "notes.txt",
                                  "file_data": f"data:text/plain;base64,{data}"}}]}]}).encode()


def _extraction(host: str, path: str, body: bytes, ctype: str = "application/json"):
    return extract(BodyInput("POST", host, path, ctype, "", body), max_bytes=1 << 20)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


PNG = base64.b64encode(_png()).decode()


def _openai_image(url: str) -> bytes:
    return json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "what is on this screenshot"},
        {"type": "image_url", "image_url": {"url": url}}]}]}).encode()


def _anthropic_image(source: dict) -> bytes:
    return json.dumps({"model": "claude", "max_tokens": 10, "messages": [{"role": "user",
        "content": [{"type": "image", "source": source}, {"type": "text", "text": "hi"}]}]}
    ).encode()


@pytest.mark.parametrize(("host", "path", "body", "files"), [
    ("api.openai.com", "/v1/chat/completions", _chat_with_file("meeting notes"), True),
    # A screenshot sent inline is a file (its text is not read); one the provider
    # fetches from a URL is not in the request at all.
    ("api.openai.com", "/v1/chat/completions", _openai_image(f"data:image/png;base64,{PNG}"),
     True),
    ("api.openai.com", "/v1/chat/completions", _openai_image("https://example.com/a.png"),
     False),
    ("api.anthropic.com", "/v1/messages",
     _anthropic_image({"type": "base64", "media_type": "image/png", "data": PNG}), True),
    ("api.anthropic.com", "/v1/messages",
     _anthropic_image({"type": "url", "url": "https://example.com/a.png"}), False),
    # A URL followed by text is no lone reference: the text rides along.
    ("api.anthropic.com", "/v1/messages",
     _anthropic_image({"type": "url", "url": "https://example.com/a.png the secret plan"}),
     True),
    ("api.openai.com", "/v1/chat/completions",
     json.dumps({"messages": [{"role": "user", "content": "hello"}]}).encode(), False),
    ("api.anthropic.com", "/v1/messages", json.dumps({"messages": [{"role": "user", "content": [
        {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                        "data": "quarterly figures"}},
        {"type": "text", "text": "summarise"}]}]}).encode(), True),
    ("claude.ai", "/api/organizations/o/chat_conversations/c/completion",
     json.dumps({"prompt": "summarise", "attachments": [
         {"file_name": "a.txt", "extracted_content": "the attached text"}]}).encode(), True),
    ("claude.ai", "/api/organizations/o/chat_conversations/c/completion",
     json.dumps({"prompt": "hello", "attachments": []}).encode(), False),
])
def test_carries_files(host, path, body, files):
    assert carries_files(_extraction(host, path, body)) is files


@pytest.fixture(scope="module")
def upload_pipeline(tmp_path_factory):
    """The e2e ruleset (content inspection on) with uploads to the OpenAI API blocked."""
    return Pipeline(_ruleset(tmp_path_factory.mktemp("rs"), E2E, UPLOADS_BLOCKED))


def test_file_inside_a_chat_message_is_an_upload(upload_pipeline):
    req = request("POST", "api.openai.com", "/v1/chat/completions")
    verdict = upload_pipeline.evaluate(req, upload_pipeline.classify(req),
                                       _chat_with_file("meeting notes"))
    d = verdict.outcome.decision
    assert verdict.notice is not None and d.rule_id == "no-uploads"
    assert d.activity is Activity.UPLOAD
    line = audit_record(verdict.outcome, upload_pipeline.ruleset.policy)
    assert line["activity"] == "upload" and line["rule"] == "no-uploads"


@pytest.mark.parametrize(("url", "blocked"), [
    (f"data:image/png;base64,{PNG}", True), ("https://example.com/a.png", False)])
def test_a_pasted_screenshot_is_an_upload(upload_pipeline, url, blocked):
    req = request("POST", "api.openai.com", "/v1/chat/completions")
    verdict = upload_pipeline.evaluate(req, upload_pipeline.classify(req), _openai_image(url))
    assert (verdict.notice is not None) is blocked
    assert verdict.outcome.decision.activity is (Activity.UPLOAD if blocked else Activity.PROMPT)


def test_plain_chat_stays_a_prompt_and_passes(upload_pipeline):
    req = request("POST", "api.openai.com", "/v1/chat/completions")
    body = json.dumps({"model": "gpt-4o", "messages": [
        {"role": "user", "content": "Explain TCP slow start."}]}).encode()
    verdict = upload_pipeline.evaluate(req, upload_pipeline.classify(req), body)
    assert verdict.notice is None
    assert verdict.outcome.decision.activity is Activity.PROMPT


def test_data_rule_can_match_an_activity(tmp_path):
    """Personal data redacted in prompts but blocked in uploads: two data rules."""
    old = "    - id: pii-redact\n      when: {finding: pii}\n"
    pipeline = Pipeline(_ruleset(tmp_path, E2E, "", lambda text: text.replace(old, """\
    - id: pii-in-uploads
      when: {finding: pii, activity: upload}
      action: block
      reason: Documents with personal data may not be uploaded.
""" + old)))
    req = request("POST", "api.openai.com", "/v1/chat/completions")
    app = pipeline.classify(req)
    prompt = json.dumps({"messages": [
        {"role": "user", "content": "Write to ops.lead@corp-mail.com please"}]}).encode()
    redacted = pipeline.evaluate(req, app, prompt)
    assert redacted.outcome.decision.rule_id == "pii-redact" and redacted.new_body
    blocked = pipeline.evaluate(req, app, _chat_with_file("mail ops.lead@corp-mail.com"))
    assert blocked.notice is not None
    assert blocked.outcome.decision.rule_id == "pii-in-uploads"
    assert blocked.outcome.decision.activity is Activity.UPLOAD
