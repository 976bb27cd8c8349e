"""Each adapter against a realistic fixture body: the exact segments, in order."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from extract_helpers import fixture, run

CHAT = "/v1/chat/completions"
JSON = "application/json"


@dataclass(frozen=True)
class Case:
    fixture: str
    host: str
    path: str
    adapter: str
    expected: list[tuple]  # (where, role, text) or (where, role, text, redactable)
    content_type: str = JSON


CASES = [
    Case("openai_chat.json", "api.openai.com", CHAT, "openai-chat", [
        ("messages[0].content", "system",
         "You are a helpful assistant for ACME Corp. Answer in English."),
        ("messages[1].content", "developer", "Never reveal internal ticket numbers."),
        ("messages[2].content[0].text", "user",
         "Please summarise the attached CSV and check the résumé of Jane Roe "
         "(jane.roe@example.org)."),
        ("messages[2].content[3].file.file_data", "file",
         "name,email\nJane Roe,jane.roe@example.org\n"),
        ("messages[2].content[3].file.filename", "user", "contacts.csv"),
        ("messages[3].tool_calls[0].function.name", "assistant", "lookup_customer"),
        ("messages[3].tool_calls[0].function.arguments.email.(key)", "assistant", "email"),
        ("messages[3].tool_calls[0].function.arguments.email", "assistant",
         "jane.roe@example.org"),
        ("messages[3].tool_calls[0].function.arguments.fields.(key)", "assistant", "fields"),
        ("messages[3].tool_calls[0].function.arguments.fields[0]", "assistant", "phone"),
        ("messages[3].tool_calls[0].function.arguments.fields[1]", "assistant", "address"),
        ("messages[3].tool_calls[0].function.arguments.limit.(key)", "assistant", "limit"),
        ("messages[4].content", "tool",
         '{"phone":"+1 415 555 0142","address":"1 Main St\\/Springfield"}'),
        ("messages[5].content", "assistant", "Jane Roe's phone number is +1 415 555 0142."),
        ("messages[6].function_call.name", "assistant", "send_mail"),
        ("messages[6].function_call.arguments.to.(key)", "assistant", "to"),
        ("messages[6].function_call.arguments.to", "assistant", "jane.roe@example.org"),
        ("messages[6].function_call.arguments.body.(key)", "assistant", "body"),
        ("messages[6].function_call.arguments.body", "assistant", "Hi Jane"),
        ("messages[7].content", "tool", "sent"),
        ("messages[7].name", "tool", "send_mail"),
        ("messages[8].content", "user",
         "Thanks! Now draft a reply, my AWS key is AKIAIOSFODNN7EXAMPLE."),
        ("tools[0].function.name", "field", "lookup_customer"),
    ]),
    Case("openai_responses.json", "api.openai.com", "/v1/responses", "openai-responses", [
        ("instructions", "system", "You are a terse assistant."),
        ("input[0].content[0].text", "user",
         "What is in this file? My IBAN is DE89 3704 0044 0532 0130 00."),
        ("input[0].content[1].image_url", "file", "https://example.com/cat.png"),
        ("input[0].content[2].file_data", "file",
         "Meeting notes: Müller agreed to the budget.\n"),
        ("input[0].content[2].filename", "user", "notes.txt"),
        ("input[1].content[0].text", "assistant", "The file holds meeting notes."),
        ("input[2].name", "assistant", "get_weather"),
        ("input[2].arguments.city.(key)", "assistant", "city"),
        ("input[2].arguments.city", "assistant", "Berlin"),
        ("input[2].arguments.unit.(key)", "assistant", "unit"),
        ("input[2].arguments.unit", "assistant", "c"),
        ("input[3].output", "tool", '{"temp":21}'),
        ("input[4].summary[0].text", "assistant", "The user wants the weather."),
        ("input[5]", "user", "And what about tomorrow?"),
    ]),
    Case("openai_completions.json", "api.openai.com", "/v1/completions", "openai-completions", [
        ("prompt[0]", "user", "Write a tagline for an ice cream shop."),
        ("prompt[1]", "user", "Customer: John Smith, SSN 078-05-1120"),
        ("suffix", "user", "\n-- end"),
    ]),
    Case("openai_embeddings.json", "api.openai.com", "/v1/embeddings", "openai-embeddings", [
        ("input[0]", "user", "The food was delicious and the waiter was called Peter Parker."),
        ("input[2]", "user", "Call me at 555-0100"),
    ]),
    Case("openai_chat.json", "acme-eu.openai.azure.com",
         "/openai/deployments/gpt4o-prod/chat/completions", "azure-openai-chat", []),
    Case("mistral_chat.json", "api.mistral.ai", CHAT, "mistral-chat", [
        ("messages[0].content", "system", "Reply in French."),
        ("messages[1].content[0].text", "user", "Translate: my password is Sup3rS3cret!"),
        ("messages[1].content[1].document_url", "user", "https://example.com/doc.pdf"),
        ("messages[2].content", "assistant", "Mon mot de passe est"),
    ]),
    Case("cohere_v2.json", "api.cohere.com", "/v2/chat", "cohere-v2-chat", [
        ("messages[0].content", "system", "You answer HR questions."),
        ("messages[1].content[0].text", "user",
         "How many vacation days does employee 4711 (Max Mustermann) have left?"),
        ("messages[2].tool_plan", "assistant", "I will look up the employee."),
        ("messages[2].tool_calls[0].function.name", "assistant", "hr_lookup"),
        ("messages[2].tool_calls[0].function.arguments.employee_id.(key)", "assistant",
         "employee_id"),
        ("messages[2].tool_calls[0].function.arguments.employee_id", "assistant", "4711"),
        ("messages[2].tool_calls[0].function.arguments.name", "assistant", "Max Mustermann"),
        ("messages[3].content[0].document.data.days_left.(key)", "file", "days_left"),
        ("messages[3].content[0].document.data.days_left", "file", "12"),
        ("messages[3].content[0].document.data.manager.(key)", "file", "manager"),
        ("messages[3].content[0].document.data.manager", "file", "Erika Musterfrau"),
        ("documents[0]", "file", "Vacation policy: 30 days per year."),
        ("documents[1].data.title", "file", "Handbook"),
        ("documents[1].data.snippet", "file", "Contact hr@example.com for questions."),
    ]),
    Case("cohere_v1.json", "api.cohere.ai", "/v1/chat", "cohere-v1-chat", [
        ("preamble", "system", "You are Coral, a friendly assistant."),
        ("chat_history[0].message", "user", "Who won the 2018 World Cup?"),
        ("chat_history[1].message", "assistant", "France won."),
        ("chat_history[2].message", "system", "Be concise."),
        ("message", "user", "Send the result to alice@example.com"),
        ("documents[0].title", "file", "Tall penguins"),
        ("documents[0].snippet", "file", "Emperor penguins are the tallest."),
    ]),
    Case("ollama_chat.json", "localhost", "/api/chat", "ollama-chat", [
        ("messages[0].content", "system", "You are a shell assistant."),
        ("messages[1].content", "user", "Why does ssh to 10.0.0.5 fail for user bob?"),
        ("messages[2].tool_calls[0].function.name", "assistant", "run"),
        ("messages[2].tool_calls[0].function.arguments.cmd.(key)", "assistant", "cmd"),
        ("messages[2].tool_calls[0].function.arguments.cmd", "assistant", "ssh bob@10.0.0.5"),
        ("messages[2].tool_calls[0].function.arguments.opts.(key)", "assistant", "opts"),
        ("messages[2].tool_calls[0].function.arguments.opts.verbose.(key)", "assistant",
         "verbose"),
        ("messages[2].tool_calls[0].function.arguments.opts.identity.(key)", "assistant",
         "identity"),
        ("messages[2].tool_calls[0].function.arguments.opts.identity", "assistant",
         "~/.ssh/id_bob"),
        ("messages[3].content", "tool", "Permission denied (publickey)."),
    ]),
    Case("ollama_generate.json", "localhost", "/api/generate", "ollama-generate", [
        ("system", "system", "Complete the code."),
        ("prompt", "user", 'def connect():\n    password = "hunter2"\n'),
        ("suffix", "user", "    return conn\n"),
    ]),
    Case("anthropic_messages.json", "api.anthropic.com", "/v1/messages", "anthropic-messages", [
        ("system[0].text", "system", "You are a support agent for ACME."),
        ("system[1].text", "system", "Customer tier: gold."),
        ("messages[0].content", "user",
         "My order 55-1234 never arrived. I'm Erika Mustermann, erika@example.de."),
        ("messages[1].content[0].thinking", "assistant", "The user wants order status."),
        ("messages[1].content[1].text", "assistant", "Let me check that."),
        ("messages[1].content[2].name", "assistant", "order_status"),
        ("messages[1].content[2].input.order.(key)", "assistant", "order"),
        ("messages[1].content[2].input.order", "assistant", "55-1234"),
        ("messages[1].content[2].input.customer.(key)", "assistant", "customer"),
        ("messages[1].content[2].input.customer.name", "assistant", "Erika Mustermann"),
        ("messages[1].content[2].input.customer.emails.(key)", "assistant", "emails"),
        ("messages[1].content[2].input.customer.emails[0]", "assistant", "erika@example.de"),
        ("messages[1].content[2].input.urgent.(key)", "assistant", "urgent"),
        ("messages[2].content[0].content[0].text", "tool", "Shipped to 12 Hauptstraße, Berlin"),
        ("messages[2].content[1].content", "tool", "carrier: DHL"),
        ("messages[2].content[3].source.data", "file", "Delivery note: signed by E. Mustermann"),
        ("messages[2].content[3].title", "file", "delivery note"),
        ("messages[2].content[4].source.content[0].text", "file", "Page one of the claim form."),
        ("messages[2].content[5].source.url", "file", "https://example.com/terms.pdf"),
        ("messages[2].content[6].text", "user", "Where is it now?"),
    ]),
    Case("gemini_generate.json", "generativelanguage.googleapis.com",
         "/v1beta/models/gemini-2.5-flash:generateContent", "gemini", [
        ("systemInstruction.parts[0].text", "system", "You are a travel agent."),
        ("contents[0].parts[0].text", "user",
         "Book a flight for Max Mustermann, passport C01X00T47."),
        ("contents[0].parts[2].inlineData.data", "file", "id,card\n1,4111 1111 1111 1111\n"),
        ("contents[0].parts[3].fileData.fileUri", "user",
         "https://generativelanguage.googleapis.com/v1beta/files/abc"),
        ("contents[1].parts[0].functionCall.name", "assistant", "search_flights"),
        ("contents[1].parts[0].functionCall.args.from.(key)", "assistant", "from"),
        ("contents[1].parts[0].functionCall.args.from", "assistant", "BER"),
        ("contents[1].parts[0].functionCall.args.to.(key)", "assistant", "to"),
        ("contents[1].parts[0].functionCall.args.to", "assistant", "JFK"),
        ("contents[1].parts[0].functionCall.args.passenger.(key)", "assistant", "passenger"),
        ("contents[1].parts[0].functionCall.args.passenger", "assistant", "Max Mustermann"),
        ("contents[2].parts[0].functionResponse.name", "tool", "search_flights"),
        ("contents[2].parts[0].functionResponse.response.flights.(key)", "tool", "flights"),
        ("contents[2].parts[0].functionResponse.response.flights[0].id", "tool", "LH400"),
        ("contents[2].parts[0].functionResponse.response.flights[0].note.(key)", "tool",
         "note"),
        ("contents[2].parts[0].functionResponse.response.flights[0].note", "tool",
         "seat 12A reserved for Max"),
    ]),
    Case("gemini_generate_snake.json", "europe-west4-aiplatform.googleapis.com",
         "/v1/projects/p/locations/europe-west4/publishers/google/models/gemini-2.5-pro"
         ":streamGenerateContent", "gemini", [
        ("system_instruction.parts[0].text", "system", "Answer briefly."),
        ("contents[0].parts[0].text", "user", "Summarise this list."),
        ("contents[0].parts[1].inline_data.data", "file",
         "name,email\nJane Roe,jane.roe@example.org\n"),
    ]),
    Case("chatgpt_web.json", "chatgpt.com", "/backend-api/f/conversation", "chatgpt-web", [
        ("messages[0].content.parts[1]", "user",
         "What does this screenshot show? My employee id is 4711 and my email is "
         "max@example.com"),
        # the rest of the message and of the body (client settings) is swept up
        ("messages[0].metadata.attachments[0].name", "user", "screenshot.png"),
        ("conversation_mode.kind", "field", "primary_assistant"),
        ("supported_encodings[0]", "field", "v1"),
        ("paragen_cot_summary_display_override", "field", "allow"),
        ("force_parallel_switch", "field", "auto"),
    ]),
    Case("chatgpt_web.json", "chatgpt.com", "/backend-anon/conversation", "chatgpt-web", []),
    Case("chatgpt_web_prepare.json", "chatgpt.com", "/backend-api/f/conversation/prepare",
         "chatgpt-web", [
        ("partial_query.content.parts[0]", "user", "call Erika at +49 30 1234567"),
        ("conversation_mode.kind", "field", "primary_assistant"),
        ("supported_encodings[0]", "field", "v1"),
        ("client_contextual_info.app_name", "field", "chatgpt.com"),
    ]),
    Case("claude_web.json", "claude.ai",
         "/api/organizations/0f1e2d3c/chat_conversations/9a8b7c6d/completion", "claude-web", [
        ("prompt", "user",
         "Review the contract for risky clauses. Our customer is Globex, contact "
         "j.doe@globex.example"),
        ("attachments[0].extracted_content", "file",
         "CONTRACT between ACME and Globex.\nPenalty: 1,000,000 EUR per day of delay."),
        ("attachments[0].file_name", "file", "contract.txt"),
        ("attachments[0].file_type", "file", "text/plain"),
        ("personalized_styles[0].key", "field", "Default"),
        ("personalized_styles[0].name", "field", "Normal"),
        ("personalized_styles[0].nameKey", "field", "normal_style_name"),
        ("personalized_styles[0].prompt", "field", "Normal"),
        ("personalized_styles[0].summary", "field", "Default responses from Claude"),
        ("personalized_styles[0].summaryKey", "field", "normal_style_summary"),
    ]),
    Case("gemini_web.form", "gemini.google.com",
         "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate", "gemini-web", [
        ("f.req[1][0][0]", "user",
         "Hallo, mein Name ist Max Mustermann, IBAN DE89 3704 0044 0532 0130 00. "
         "Schreib eine Mail an müller@example.de"),
        # the rest of the inner document (language, conversation ids, tokens)
        ("f.req[1][1][0]", "field", "de"),
        ("f.req[1][2][0]", "field", "c_1a2b3c4d5e"),
        ("f.req[1][2][1]", "field", "r_6f7a8b9c0d"),
        ("f.req[1][2][2]", "field", "rc_1e2f3a4b5c"),
        ("f.req[1][3]", "field", "!xYzAbCdEfGhIjKlMnOp"),
        ("f.req[1][4]", "field", "9f2e6a0b41c3d5e7"),
    ], content_type="application/x-www-form-urlencoded;charset=UTF-8"),
]


def _normalise(expected: list[tuple]) -> list[tuple]:
    return [(*row, True) if len(row) == 3 else row for row in expected]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.adapter}:{c.fixture}")
def test_segments(case: Case) -> None:
    result = run(fixture(case.fixture), case.host, case.path, case.content_type)
    assert result.adapter == case.adapter
    # ids under non-prose keys are scanned for secrets only: see the test below
    got = [(s.where, s.role, s.text, s.redactable) for s in result.segments
           if s.scope == "all"]
    if case.expected:
        assert got == _normalise(case.expected)
    else:  # same body under another route: same segments as the first case for it
        first = next(c for c in CASES if c.fixture == case.fixture and c.expected)
        assert got == _normalise(first.expected)
    assert result.uninspectable == ()


def test_anthropic_base64_pdf_document_is_read_but_not_redactable() -> None:
    import base64
    import json

    pdf = fixture("sample.pdf")
    body = json.dumps({"model": "claude-opus-4-1", "max_tokens": 10, "messages": [
        {"role": "user", "content": [
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                            "data": base64.b64encode(pdf).decode()}},
            {"type": "text", "text": "Summarise."}]}]}).encode()
    result = run(body, "api.anthropic.com", "/v1/messages")
    doc, source, text = result.segments  # the base64 of a PDF is surely a file: not re-read
    assert doc.where == source.where == "messages[0].content[0].source.data"
    assert source.scope == "secrets"  # this PDF is written as text: its source is read too
    assert (doc.role, doc.redactable) == ("file", False)
    assert "jane.roe@example.org" in doc.text and "hunter2-Example" in doc.text
    assert text.text == "Summarise."
    with pytest.raises(ValueError):
        result.rewrite({0: "x"})


def test_chat_file_part_with_binary_and_pdf() -> None:
    import base64
    import json

    zip_data = base64.b64encode(b"PK\x03\x04" + b"\x00" * 60).decode()
    pdf = base64.b64encode(fixture("sample.pdf")).decode()
    body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "file", "file": {"file_data": f"data:application/zip;base64,{zip_data}"}},
        {"type": "file", "file": {"file_data": f"data:application/pdf;base64,{pdf}"}},
    ]}]}).encode()
    result = run(body, "api.openai.com", CHAT)
    assert [s.where for s in result.segments] == ["messages[0].content[1].file.file_data"] * 2
    assert not any(s.redactable for s in result.segments)
    assert result.uninspectable == ("unreadable file application/zip",)


def test_tool_arguments_that_are_not_json_stay_one_segment() -> None:
    body = (b'{"messages":[{"role":"assistant","tool_calls":[{"function":'
            b'{"name":"f","arguments":"{\\"city\\": \\"Ber"}}]}]}')
    result = run(body, "api.openai.com", CHAT)
    assert [(s.where, s.text) for s in result.segments] == [
        ("messages[0].tool_calls[0].function.name", "f"),
        ("messages[0].tool_calls[0].function.arguments", '{"city": "Ber'),
    ]


@pytest.mark.parametrize(("method", "host", "path", "adapter"), [
    ("POST", "api.openai.com", "/v1/chat/completions", "openai-chat"),
    ("POST", "openrouter.ai", "/api/v1/chat/completions", "openai-chat"),
    ("POST", "api.groq.com", "/openai/v1/chat/completions", "openai-chat"),
    ("POST", "x.openai.azure.com", "/openai/v1/chat/completions", "azure-openai-chat"),
    ("POST", "x.openai.azure.com", "/openai/v1/responses", "azure-openai-responses"),
    ("POST", "x.cognitiveservices.azure.com", "/openai/deployments/d/embeddings",
     "azure-openai-embeddings"),
    ("POST", "gw.corp.example", "/openai/deployments/d/chat/completions", "azure-openai-chat"),
    ("POST", "api.mistral.ai", "/v1/fim/completions", "mistral-fim"),
    ("POST", "api.mistral.ai", "/v1/agents/completions", "mistral-chat"),
    ("POST", "api.anthropic.com", "/v1/messages/count_tokens", "anthropic-messages"),
    ("POST", "bedrock-runtime.us-east-1.amazonaws.com",
     "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke", "anthropic-messages"),
    ("POST", "us-east5-aiplatform.googleapis.com",
     "/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4:rawPredict",
     "anthropic-messages"),
    ("POST", "chat.openai.com", "/backend-api/conversation", "chatgpt-web"),
    ("POST", "claude.ai", "/api/organizations/o/chat_conversations/c/retry_completion",
     "claude-web"),
    ("PUT", "sdmntprwestus.oaiusercontent.com", "/files/00000000/raw", "blob-upload"),
    ("PUT", "acct.blob.core.windows.net", "/container/file-abc", "blob-upload"),
    ("POST", "notchatgpt.com", "/backend-api/conversation", None),
    ("GET", "api.openai.com", "/v1/chat/completions", None),
    ("POST", "api.openai.com", "/v1/files", None),
])
def test_routing(method: str, host: str, path: str, adapter: str | None) -> None:
    from aipolicy.extract import find_route

    route = find_route(method, host, path)
    assert (route.adapter if route else None) == adapter


def test_ids_and_enums_under_non_prose_keys_are_scanned_for_secrets_unless_plain_words():
    result = run(fixture("anthropic_messages.json"), "api.anthropic.com", "/v1/messages")
    ids = [(s.where, s.text) for s in result.segments if s.scope == "secrets"]
    assert ids == [
        ("messages[1].content[0].signature",
         "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"),
        ("messages[1].content[2].id", "toolu_01A"),
        ("messages[2].content[0].tool_use_id", "toolu_01A"),
        ("messages[2].content[1].tool_use_id", "toolu_01B"),
    ]  # "user", "claude-opus-4-1", "text", "tool_use", "ephemeral"... are not scanned
    body = b'{"model": "AKIAZ3MHQ7TXKRV4PWUN", "messages": [], "stream": {"x": "a=b c"}}'
    smuggled = run(body, "api.anthropic.com", "/v1/messages")
    assert [(s.where, s.text, s.scope) for s in smuggled.segments] == [
        ("model", "AKIAZ3MHQ7TXKRV4PWUN", "secrets"), ("stream.x.(key)", "x", "secrets"),
        ("stream.x", "a=b c", "secrets")]
