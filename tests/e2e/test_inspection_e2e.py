"""End to end content inspection: what the stand-in upstream receives is checked.

Real proxy (launcher), real TLS, the official openai and anthropic SDKs and raw httpx.
"""

from __future__ import annotations

import gzip
import json
import ssl

import anthropic
import httpx2 as httpx
import openai
import pytest

EMAIL = "john.smith@acme-corp.com"
PHONE = "+1 415-555-0132"
AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"  # synthetic, well-formed
AWS_SECRET = "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"


def http_client(proxy) -> httpx.Client:
    return httpx.Client(proxy=proxy.url, timeout=30,
                        verify=ssl.create_default_context(cafile=str(proxy.ca_cert)))


@pytest.fixture
def oai(proxy):
    return openai.OpenAI(base_url="https://api.openai.com/v1", api_key="sk-test",
                         http_client=http_client(proxy), max_retries=2)


def test_personal_data_redacted_everywhere_in_history(proxy, standin_clean, oai):
    history = [
        {"role": "system", "content": f"You help the sales team. Escalations go to {EMAIL}."},
        {"role": "user", "content": f"Customer record: John Smith, {EMAIL}, phone {PHONE}"},
        {"role": "assistant", "content": "Noted the customer's details."},
        {"role": "user", "content": [{"type": "text",
                                      "text": f"Draft a follow-up mail to {EMAIL} please."}]},
    ]
    raw = oai.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=history)
    completion = raw.parse()
    assert completion.choices[0].message.content
    assert raw.headers["x-aipolicy-redacted"].startswith("EMAIL_ADDRESS=3")
    got = standin_clean.requests.last_for("api.openai.com", "/v1/chat/completions")
    body = got.body.decode()
    assert EMAIL not in body and "415-555-0132" not in body
    sent = json.loads(body)  # still valid JSON
    msgs = sent["messages"]
    assert "[EMAIL_ADDRESS_1]" in msgs[0]["content"]
    assert "[EMAIL_ADDRESS_1]" in msgs[1]["content"]  # same value, same placeholder
    assert "[EMAIL_ADDRESS_1]" in msgs[3]["content"][0]["text"]
    assert "[PHONE_NUMBER_1]" in msgs[1]["content"]
    assert msgs[2]["content"] == "Noted the customer's details."
    assert sent["model"] == "gpt-4o-mini"
    rec = proxy.wait_audit(lambda r: r.get("findings", {}).get("EMAIL_ADDRESS") == 3)
    assert rec["action"] == "redact" and rec["rule"] == "pii-redact" and rec["scan_ms"] > 0
    assert EMAIL not in proxy.audit_path.read_text()
    assert proxy.metric_value(
        'aipolicy_findings_total{kind="pii",type="EMAIL_ADDRESS"}') >= 3


def test_benign_prompt_reaches_upstream_byte_identical(proxy, standin_clean):
    raw = json.dumps({"model": "gpt-4o-mini", "messages": [
        {"role": "user", "content": "Write a short biography of Marie Curie."},
        {"role": "user", "content": "Compare Siemens and Samsung as employers."}],
        "temperature": 0.2}, indent=1).encode()
    with http_client(proxy) as c:
        r = c.post("https://api.openai.com/v1/chat/completions", content=raw,
                   headers={"content-type": "application/json", "authorization": "Bearer x"})
    assert r.status_code == 200 and "x-aipolicy-redacted" not in r.headers
    assert standin_clean.requests.last_for("api.openai.com").body == raw


def test_secret_blocked_with_sdk_error_naming_the_type(proxy, standin_clean, oai):
    prompt = (f"Why does this fail?\n```\naws_access_key_id = {AWS_KEY}\n"
              f"aws_secret_access_key = {AWS_SECRET}\n```")
    with pytest.raises(openai.PermissionDeniedError) as info:
        oai.chat.completions.create(model="gpt-4o-mini",
                                    messages=[{"role": "user", "content": prompt}])
    text = str(info.value)
    assert "AWS access key" in text and "2 secrets" in text
    assert "Credentials must never be sent to AI services." in text
    assert AWS_KEY not in text and AWS_SECRET not in text
    assert standin_clean.requests.for_host("api.openai.com") == []
    ref = info.value.response.headers["x-aipolicy-reference"]
    rec = proxy.wait_audit(lambda r: r["reference"] == ref)
    assert rec["action"] == "block" and rec["rule"] == "secrets-block"
    assert rec["findings"] == {"aws-access-key-id": 1, "aws-secret-access-key": 1}
    assert AWS_KEY not in proxy.audit_path.read_text()


def test_anthropic_system_and_tool_result_redacted(proxy, standin_clean):
    client = anthropic.Anthropic(base_url="https://api.anthropic.com", api_key="sk-ant-test",
                                 http_client=http_client(proxy))
    client.messages.create(
        model="claude-test-model", max_tokens=64,
        system=f"Support agent. The customer's e-mail is {EMAIL}.",
        messages=[
            {"role": "user", "content": "Look up the customer."},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "crm_lookup",
                 "input": {"email": EMAIL}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1",
                 "content": "Name: Jane Doe\nSSN: 536-22-8149\nPhone: +1 212 555 0199"}]},
        ])
    got = standin_clean.requests.last_for("api.anthropic.com", "/v1/messages")
    body = got.body.decode()
    assert EMAIL not in body and "536-22-8149" not in body and "555 0199" not in body
    sent = json.loads(body)
    assert "[EMAIL_ADDRESS_1]" in sent["system"]
    assert sent["messages"][1]["content"][0]["input"]["email"] == "[EMAIL_ADDRESS_1]"
    assert "[US_SSN_1]" in sent["messages"][2]["content"][0]["content"]


def test_gzip_body_is_decoded_scanned_and_sent_identity(proxy, standin_clean):
    body = json.dumps({"model": "gpt-4o-mini", "messages": [
        {"role": "user", "content": f"Reply to {EMAIL}"}]}).encode()
    with http_client(proxy) as c:
        r = c.post("https://api.openai.com/v1/chat/completions", content=gzip.compress(body),
                   headers={"content-type": "application/json", "content-encoding": "gzip"})
    assert r.status_code == 200
    got = standin_clean.requests.last_for("api.openai.com")
    assert got.header("content-encoding") is None
    assert int(got.header("content-length")) == len(got.body)
    assert json.loads(got.body)["messages"][0]["content"] == "Reply to [EMAIL_ADDRESS_1]"


def test_unparseable_body_is_blocked_not_passed(proxy, standin_clean):
    with http_client(proxy) as c:
        r = c.post("https://api.openai.com/v1/chat/completions",
                   content=b'{"messages": [{"role": "user", "content": "hi"}',
                   headers={"content-type": "application/json"})
    assert r.status_code == 403
    msg = r.json()["error"]["message"]
    assert "could not be inspected" in msg
    assert standin_clean.requests.for_host("api.openai.com") == []
    ref = r.headers["x-aipolicy-reference"]
    rec = proxy.wait_audit(lambda x: x["reference"] == ref)
    assert rec["rule"] == "inspection-failed" and rec["failure"]
    sample = f'aipolicy_inspection_failures_total{{reason="{rec["failure"]}"}}'
    assert proxy.metric_value(sample) >= 1


def test_corrupt_gzip_is_blocked(proxy, standin_clean):
    with http_client(proxy) as c:
        r = c.post("https://api.openai.com/v1/chat/completions", content=b"\x1f\x8bnot gzip",
                   headers={"content-type": "application/json", "content-encoding": "gzip"})
    assert r.status_code == 403 and "could not be inspected" in r.json()["error"]["message"]
    assert standin_clean.requests.for_host("api.openai.com") == []


def test_file_upload_csv_redacted(proxy, standin_clean, oai, tmp_path):
    csv = tmp_path / "customers.csv"
    csv.write_text("name,email,phone\nJane Doe,jane.doe@example-shop.com,+1 646 555 0147\n"
                   "Omar Haddad,omar.haddad@example-shop.com,+1 646 555 0148\n")
    with csv.open("rb") as fh:
        oai.files.create(file=fh, purpose="assistants")
    got = standin_clean.requests.last_for("api.openai.com", "/v1/files")
    parts = {p.name: p for p in got.multipart()}
    content = parts["file"].data.decode()
    assert "jane.doe@example-shop.com" not in content and "555 0147" not in content
    assert "[EMAIL_ADDRESS_1]" in content and "[EMAIL_ADDRESS_2]" in content
    assert parts["purpose"].data == b"assistants"


def test_custom_codename_blocked(proxy, standin_clean, oai):
    with pytest.raises(openai.PermissionDeniedError) as info:
        oai.chat.completions.create(model="gpt-4o-mini", messages=[
            {"role": "user", "content": "Summarise the launch plan for project nightjar."}])
    assert "project code name" in str(info.value)
    assert "nightjar" not in str(info.value).lower()
