"""`aipolicy test --har/--flows` and `aipolicy diff` on the capture fixtures: the
decisions, the explanations, the masking and the command line."""

from __future__ import annotations

import base64
import json

import pytest
from mitmproxy import io
from mitmproxy.test import tflow, tutils

from aipolicy.cli import main
from aipolicy.model import Action, ClientIdentity
from aipolicy.pipeline import Pipeline
from aipolicy.replay.capture import BodyState
from aipolicy.replay.compare import compare
from aipolicy.replay.evaluate import NOT_AI, WEBSOCKET_REFUSED, replay
from aipolicy.replay.flows import requests_from_flows
from aipolicy.replay.har import read_har
from aipolicy.replay.mask import safe_where
from aipolicy.replay.render import comparison_json, comparison_text, replay_json, replay_text
from aipolicy.replay.results import Stage
from aipolicy.ruleset import load_ruleset

from ..conftest import FIXTURES, ROOT

CAPTURES = FIXTURES / "captures"
E2E = FIXTURES / "rulesets" / "e2e.yaml"
NOBODY = ClientIdentity(None)

# (entry, app, rule, enforced) for tests/fixtures/captures/traffic.flows under e2e.yaml
EXPECTED = [
    (1, "openai-api", "approved", "allow"),  # GET /v1/models
    (2, "openai-api", "approved", "allow"),  # a benign chat
    (3, "openai-api", "pii-redact", "redact"),  # name, e-mail, phone
    (4, "anthropic-api", "secrets-block", "block"),  # AWS key id, gzip-encoded body
    (5, "openai-chatgpt", "pii-redact", "redact"),  # ChatGPT web: card number
    (6, "openai-api", "pii-redact", "redact"),  # CSV upload
    (7, "deepseek-api", "banned-apps", "block"),
    (8, "anthropic-claude", "pii-redact", "redact"),  # claude.ai attachment with an IBAN
    (10, "anthropic-api", "destination-mismatch", "block"),  # SNI openai, Host anthropic
    (11, "openai-chatgpt", "approved", "allow"),  # Chromium: the page
    (12, "openai-chatgpt", "approved", "allow"),  # its favicon
    (13, "openai-chatgpt", "pii-redact", "redact"),  # fetch() of the conversation
    (14, "anthropic-claude", "approved", "allow"),
    (15, "anthropic-claude", "approved", "allow"),
    (16, "anthropic-claude", "secrets-block", "block"),
    (17, "deepseek-chat", "banned-apps", "block"),
    (18, "deepseek-chat", "banned-apps", "block"),
    (19, "deepseek-chat", "banned-apps", "block"),
]


def ruleset_variant(tmp_path, name: str, *edits: tuple[str, str]):
    text = E2E.read_text().replace("../../../rulesets/", f"{ROOT}/rulesets/")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(load_ruleset(E2E))


@pytest.fixture(scope="module")
def flows_capture():
    with (CAPTURES / "traffic.flows").open("rb") as f:
        return requests_from_flows(io.FlowReader(f).stream(), "traffic.flows")


@pytest.fixture(scope="module")
def flows_replay(pipeline, flows_capture):
    return replay(pipeline, flows_capture)


@pytest.fixture(scope="module")
def new_ruleset(tmp_path_factory):
    return ruleset_variant(
        tmp_path_factory.mktemp("diff"), "new.yaml",
        ("banned: [deepseek-chat, deepseek-api]", "banned: []"),
        ("              google-gemini-api, microsoft-copilot]",
         "              google-gemini-api, microsoft-copilot, deepseek-chat, deepseek-api]"),
        ("    - id: pii-redact\n",
         "    - id: cards-block\n      when: {finding: CREDIT_CARD}\n      action: block\n"
         "      reason: Card numbers never leave.\n    - id: pii-redact\n"),
        ("      terms: [Bluebird, Project Nightjar]\n",
         "      terms: [Bluebird, Project Nightjar]\n    - id: order-numbers\n"
         "      label: order number\n      regex: '\\border \\d{5}\\b'\n"))


@pytest.fixture(scope="module")
def new_pipeline(new_ruleset) -> Pipeline:
    return Pipeline(load_ruleset(new_ruleset))


@pytest.fixture
def built(monkeypatch, pipeline, new_pipeline):
    """The command line gets the pipelines built once for this module (building one
    loads the NER model), by ruleset file; other rulesets are built as usual."""
    real = Pipeline
    by_path = {pipeline.ruleset.path: pipeline, new_pipeline.ruleset.path: new_pipeline}
    monkeypatch.setattr("aipolicy.pipeline.Pipeline",
                        lambda rs, **kw: by_path.get(rs.path) or real(rs, **kw))


def decisions(rp) -> list[tuple]:
    return [(r.index, r.app.id, r.rule, r.enforced.value) for r in rp.results]


def test_flow_file_decisions(flows_replay):
    assert decisions(flows_replay) == EXPECTED
    assert [(s.index, s.reason) for s in flows_replay.skipped] == [(9, NOT_AI)]
    assert flows_replay.non_ai_hosts == (("www.example.org", 1),)
    by_entry = {r.index: r for r in flows_replay.results}
    assert dict(by_entry[3].counts) == {"PERSON": 1, "EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1}
    assert dict(by_entry[6].counts) == {"PERSON": 2, "EMAIL_ADDRESS": 2, "PHONE_NUMBER": 2}
    assert by_entry[10].stage is Stage.DESTINATION and by_entry[10].disagreement == \
        "different-apps"
    assert by_entry[7].stage is Stage.ACCESS and by_entry[3].stage is Stage.DATA
    assert all(r.checked for r in flows_replay.results)


def test_har_files_decide_the_same_except_where_har_lacks_the_connection(pipeline):
    """mitmproxy's HAR export of the same traffic: every decision is the flow file's,
    except the fronted request. HAR records one URL per request and no TLS server name,
    so a request whose connection and Host header name different services is seen only
    in a flow file."""
    har = replay(pipeline, read_har((CAPTURES / "traffic.har").read_bytes(), "traffic.har",
                                    ClientIdentity(None)))
    expected = [e if e[0] != 10 else (10, "anthropic-api", "approved", "allow")
                for e in EXPECTED]
    assert decisions(har) == expected


def test_chromium_har(pipeline):
    rp = replay(pipeline, read_har((CAPTURES / "chromium.har").read_bytes(), "chromium.har",
                                   NOBODY))
    assert [(r.app.id, r.method, r.rule, r.enforced.value) for r in rp.results] == [
        ("openai-chatgpt", "GET", "approved", "allow"),
        ("openai-chatgpt", "GET", "approved", "allow"),
        ("openai-chatgpt", "POST", "pii-redact", "redact"),
        ("anthropic-claude", "GET", "approved", "allow"),
        ("anthropic-claude", "GET", "approved", "allow"),
        ("anthropic-claude", "POST", "secrets-block", "block"),
        ("deepseek-chat", "GET", "banned-apps", "block"),
        ("deepseek-chat", "GET", "banned-apps", "block"),
        ("deepseek-chat", "POST", "banned-apps", "block"),
    ]


def test_explanations(flows_replay):
    by_entry = {r.index: r for r in flows_replay.results}
    pii = by_entry[3]
    assert pii.access.rule.id == "approved"
    assert [p.rule_id for p in pii.access.passed] == ["banned-apps", "restricted-no-anthropic"]
    email = next(d for d in pii.data_rules if d.type == "EMAIL_ADDRESS")
    assert email.choice.rule.id == "pii-redact"
    assert [str(u) for p in email.choice.passed for u in p.unmet] == [
        "finding: secret (has pii, EMAIL_ADDRESS)",
        "finding: project-codenames (has pii, EMAIL_ADDRESS)"]
    f = next(f for f in pii.findings if f.type == "EMAIL_ADDRESS")
    assert (f.where, f.rule, f.action, f.masked) == (
        "messages[0].content", "pii-redact", Action.REDACT, f"[EMAIL_ADDRESS {f.end - f.start} "
        "chars]")
    upload = by_entry[6]
    assert {f.where for f in upload.findings} == {"file:*.csv"}  # not the file's name
    banned = by_entry[7]
    assert banned.access.rule.id == "banned-apps" and banned.access.passed == ()
    assert banned.findings == ()  # a blocked app's body is never inspected


@pytest.mark.parametrize(("where", "shown"), [
    ("file:payroll-dana.csv", "file:*.csv"),
    ("file:payroll-dana.csv.(name)", "file:*.csv.(name)"),
    ("messages[0].content[1].file:Dana Whitfield.docx", "messages[0].content[1].file:*.docx"),
    ("file:dana-whitfield", "file:*"),
    ("metadata.dana.whitfield@contoso.org.(key)", "?.(key)"),
    ("query.dana@contoso.org[2]", "?[2]"),
    ("messages[3].content", "messages[3].content"),
    ("header.x-api-key", "header.x-api-key"),
])
def test_segment_descriptions_lose_names_that_are_content(where, shown):
    assert safe_where(where) == shown
    assert "dana" not in shown.lower()


def test_restricted_client_explanation(pipeline):
    """With the address of the restricted pool, Anthropic requests are blocked by the
    access rule, and the explanation says why the banned-apps rule did not apply."""
    with (CAPTURES / "traffic.flows").open("rb") as f:
        capture = requests_from_flows(io.FlowReader(f).stream(), "traffic.flows",
                                      client_ip="127.0.0.2")
    rp = replay(pipeline, capture)
    claude = next(r for r in rp.results if r.index == 8)
    assert (claude.rule, claude.stage, claude.groups) == (
        "restricted-no-anthropic", Stage.ACCESS, ("restricted", "everyone"))
    [passed] = claude.access.passed
    assert [str(u) for u in passed.unmet] == ["status: banned (has tolerated)"]


def sensitive_values(pipeline, capture) -> set[str]:
    """Every value a finding covers, every prompt text, the API keys, the upload's file
    name: none of it may appear in any output."""
    values = {"customers.csv", "sk-fake-aipolicy-test-key", "sk-ant-fake-aipolicy-test-key",
              "sk-fake-deepseek-key"}
    for request in capture.requests:
        if request.body_state is not BodyState.SENT:
            continue
        app = pipeline.classify(request.info)
        if app is None:
            continue
        inspection = pipeline.examine(request.info, app, request.body).inspection
        if inspection is None:
            continue
        texts = [s.text for s in inspection.extraction.segments]
        values |= {texts[f.segment][f.start:f.end] for f in inspection.findings}
        values |= {t for t in texts if len(t) >= 10}
    assert {"AKIAZ3MSJV4WWNKYH6CX", "m.okafor@contoso.org", "4111 1111 1111 1111",
            "+44 20 7946 0958", "GB82 WEST 1234 5698 7654 32"} <= values
    return values


def test_no_value_in_any_output(pipeline, new_pipeline, flows_capture, flows_replay):
    values = sensitive_values(pipeline, flows_capture)
    other = new_pipeline
    cmp = compare(flows_replay, replay(other, flows_capture))
    outputs = [replay_text(flows_replay, pipeline.ruleset),
               json.dumps(replay_json(flows_replay, pipeline.ruleset), ensure_ascii=False),
               comparison_text(cmp, pipeline.ruleset, other.ruleset),
               json.dumps(comparison_json(cmp, pipeline.ruleset, other.ruleset),
                          ensure_ascii=False)]
    for out in outputs:
        leaked = sorted(v for v in values if v in out)
        assert not leaked, leaked
        for variant in ("AKIAZ3MSJV4WWNKYH6CX", "4111111111111111", "7946 0958", "contoso",
                        "fabrikam", "Whitfield", "Okafor", "WEST 1234"):
            assert variant not in out


def har_bytes(*entries: dict) -> bytes:
    return json.dumps({"log": {"version": "1.2", "entries": entries}}).encode()


def entry(method: str, url: str, headers=(), **request) -> dict:
    return {"request": {"method": method, "url": url, "httpVersion": "h2",
                        "headers": [{"name": k, "value": v} for k, v in headers], **request}}


def test_websocket_messages_are_decided_one_by_one(pipeline):
    sent = [{"type": "send", "opcode": 1, "data": json.dumps(
                {"event": "send", "content": [{"type": "text", "text": text}]})}
            for text in ("What is the capital of France?",
                         "Deploy with AWS_ACCESS_KEY_ID=AKIAZ3MSJV4WWNKYH6CX please")]
    ws = [("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13")]
    capture = read_har(har_bytes(
        {**entry("GET", "wss://copilot.microsoft.com/c/api/chat?api-version=2", ws),
         "_webSocketMessages": sent},
        {**entry("GET", "wss://chat.deepseek.com/ws", ws), "_webSocketMessages": sent},
    ), "ws.har", NOBODY)
    rp = replay(pipeline, capture)
    assert [(r.index, r.message, r.rule, r.enforced.value) for r in rp.results] == [
        (1, None, "approved", "allow"),  # the handshake
        (1, 1, "approved", "allow"),
        (1, 2, "secrets-block", "block"),
        (2, None, "banned-apps", "block"),
    ]
    assert [(s.index, s.reason) for s in rp.skipped] == [(2, WEBSOCKET_REFUSED)]
    assert "#1.ws2 POST copilot.microsoft.com/c/api/chat" in replay_text(rp, pipeline.ruleset)


def test_envelope_findings_are_placed_and_the_path_recorded_without_them(pipeline):
    """Path, query and header fields are inspected as the proxy inspects them; the path
    shown is the one the audit log records, without what was found in it."""
    capture = read_har(har_bytes(entry(
        "GET", "https://api.openai.com/v1/files/dana.whitfield@contoso.org/content"
        "?user=dana.whitfield%40contoso.org", [("x-note", "call +44 20 7946 0958")])),
        "t.har", NOBODY)
    rp = replay(pipeline, capture)
    [r] = rp.results
    assert (r.rule, r.enforced) == ("pii-redact", Action.REDACT)
    assert [(f.where, f.type) for f in r.findings] == [
        ("path[3]", "EMAIL_ADDRESS"), ("query.user", "EMAIL_ADDRESS"),
        ("header.x-note", "PHONE_NUMBER")]
    assert r.path == "/v1/files/%5BEMAIL_ADDRESS%5D/content"
    cmp = compare(rp, rp)
    for out in (replay_text(rp, pipeline.ruleset),
                json.dumps(replay_json(rp, pipeline.ruleset)),
                comparison_text(cmp, pipeline.ruleset, pipeline.ruleset),
                json.dumps(comparison_json(cmp, pipeline.ruleset, pipeline.ruleset))):
        assert "whitfield" not in out and "7946" not in out


def test_missing_body_is_inspected_as_empty_and_says_so(pipeline):
    capture = read_har(har_bytes(entry("POST", "https://api.openai.com/v1/chat/completions",
                                       [("content-type", "application/json")],
                                       bodySize=4200)), "t.har", NOBODY)
    [r] = replay(pipeline, capture).results
    assert (r.rule, r.body, r.checked) == ("approved", BodyState.MISSING, False)
    text = replay_text(replay(pipeline, capture), pipeline.ruleset)
    assert "content not checked" in text


def test_protocol_refusal_comes_first(pipeline):
    capture = read_har(har_bytes(entry(
        "POST", "https://api.openai.com/v1/chat/completions",
        [("content-type", "application/json"), ("transfer-encoding", "gzip, chunked")],
        postData={"mimeType": "application/json", "text": "{}"})), "t.har", NOBODY)
    [r] = replay(pipeline, capture).results
    assert (r.rule, r.stage, r.enforced) == ("request-refused", Stage.REFUSAL, Action.BLOCK)


def test_streamed_body_fails_closed(pipeline):
    f = tflow.tflow()
    f.request = tutils.treq(host="api.openai.com", port=443, path="/v1/chat/completions",
                            method=b"POST")
    f.request.scheme = "https"
    f.request.data.content = None
    [r] = replay(pipeline, requests_from_flows([f], "x")).results
    assert (r.rule, r.stage, r.failure, r.enforced) == (
        "inspection-failed", Stage.INSPECTION, "the request body was streamed", Action.BLOCK)


def test_base64_body_with_its_encoding_is_inspected(pipeline):
    import gzip

    body = gzip.compress(json.dumps({"model": "m", "messages": [
        {"role": "user", "content": "AWS key AKIAZ3MSJV4WWNKYH6CX"}]}).encode())
    capture = read_har(har_bytes(entry(
        "POST", "https://api.openai.com/v1/chat/completions",
        [("content-type", "application/json"), ("content-encoding", "gzip")],
        postData={"mimeType": "application/json", "encoding": "base64",
                  "text": base64.b64encode(body).decode()})), "t.har", NOBODY)
    [r] = replay(pipeline, capture).results
    assert (r.rule, dict(r.counts)) == ("secrets-block", {"aws-access-key-id": 1})


# ------------------------------------------------------------------------------ diff
def test_diff_lists_decision_changes(flows_capture, flows_replay, new_pipeline):
    cmp = compare(flows_replay, replay(new_pipeline, flows_capture))
    changed = {c.index: (c.old.rule, c.new.rule, c.new.enforced.value) for c in cmp.changed}
    assert changed == {
        5: ("pii-redact", "cards-block", "block"),  # the new data rule
        7: ("banned-apps", "approved", "allow"),  # DeepSeek tolerated now
        17: ("banned-apps", "approved", "allow"),
        18: ("banned-apps", "approved", "allow"),
        19: ("banned-apps", "approved", "allow"),
    }
    # the order number is a new finding that does not change the decision (default monitor)
    assert [c.index for c in cmp.findings_only] == [3]
    assert cmp.compared == len(EXPECTED)
    assert compare(flows_replay, flows_replay).changed == ()


def test_diff_command(built, new_ruleset, capsys):
    flows = str(CAPTURES / "traffic.flows")
    assert main(["diff", str(E2E), str(new_ruleset), "--flows", flows, "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [c["entry"] for c in out["changed"]] == [5, 7, 17, 18, 19]
    assert out["changed"][1]["old"]["decision"]["rule"] == "banned-apps"
    assert [c["entry"] for c in out["findings_only"]] == [3]
    har = str(CAPTURES / "chromium.har")
    assert main(["diff", str(E2E), str(E2E), "--har", har]) == 0
    assert "0 of 9 AI request(s) change decision" in capsys.readouterr().out


# ------------------------------------------------------------------------------ CLI
def test_test_command_text_and_json(built, capsys):
    flows = str(CAPTURES / "traffic.flows")
    assert main(["test", "--flows", flows, "--ruleset", str(E2E), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(r["entry"], r["app"], r["decision"]["rule"], r["decision"]["enforced"])
            for r in out["requests"]] == EXPECTED
    assert out["summary"]["skipped"] == {NOT_AI: 1}
    assert out["non_ai_hosts"] == {"www.example.org": 1}
    har = str(CAPTURES / "chromium.har")
    assert main(["test", "--har", har, "--ruleset", str(E2E), "--client-ip", "127.0.0.2"]) == 0
    text = capsys.readouterr().out
    assert "#6 POST claude.ai/api/organizations/" in text
    assert "decision  BLOCK by access rule restricted-no-anthropic" in text
    assert "127.0.0.2, no user; groups restricted, everyone" in text


@pytest.mark.parametrize("args,message", [
    (["test", "https://api.openai.com/", "--har", "x.har"], "not both"),
    (["test"], "give a URL or a capture"),
    (["test", "--har", "x.har", "--prompt", "hi"], "--prompt apply to a URL"),
    (["test", "--har", "/nonexistent/x.har", "--ruleset", str(E2E)], "No such file"),
    (["test", "--flows", str(CAPTURES / "chromium.har"), "--ruleset", str(E2E)],
     "this is a HAR file: use --har"),
    (["test", "--har", str(CAPTURES / "traffic.flows"), "--ruleset", str(E2E)],
     "not a HAR file"),
    (["test", "--har", str(CAPTURES / "chromium.har"), "--client-ip", "10.1", "--ruleset",
      str(E2E)], "is not an IP address"),
    (["diff", str(E2E), str(FIXTURES / "rulesets" / "broken" / "nonexistent.yaml"), "--har",
      str(CAPTURES / "chromium.har")], "invalid ruleset"),
])
def test_command_errors(args, message, capsys):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_flow_file_that_is_not_one(tmp_path, capsys):
    bad = tmp_path / "x.flows"
    bad.write_bytes(b"12:not a flow,}garbage")
    assert main(["test", "--flows", str(bad), "--ruleset", str(E2E)]) == 2
    err = capsys.readouterr().err
    assert "not a mitmproxy" in err and "garbage" not in err
