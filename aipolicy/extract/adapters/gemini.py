"""Google Gemini API ``:generateContent`` / ``:streamGenerateContent`` (Generative
Language and Vertex AI). The API accepts camelCase and snake_case field names."""

from __future__ import annotations

from ..collect import JV, Collector, normalize_role


def parts(v: JV, role: str, c: Collector) -> None:
    for part in v.items():
        c.text(part.get("text"), role)
        inline = part.first("inlineData", "inline_data")
        if inline.exists:
            c.file(inline.get("data"), inline.first("mimeType", "mime_type").string or "")
        call = part.first("functionCall", "function_call")
        c.text(call.get("name"), role)
        c.leaves(call.get("args"), role)
        answer = part.first("functionResponse", "function_response")
        c.text(answer.get("name"), "tool")
        c.leaves(answer.get("response"), "tool")
        c.text(part.first("executableCode", "executable_code").get("code"), role)
        c.text(part.first("codeExecutionResult", "code_execution_result").get("output"), "tool")
        c.residual(part, role)


def content(v: JV, role: str, c: Collector) -> None:
    """A Content object (``role`` + ``parts``); some clients send a bare string."""
    if c.text(v, role):
        return
    parts(v.get("parts"), role, c)
    c.residual(v, role)


def generate_content(root: JV, c: Collector) -> None:
    # The system instruction is system text whatever role a client labels it with.
    content(root.first("systemInstruction", "system_instruction"), "system", c)
    for item in root.get("contents").items():
        content(item, normalize_role(item.get("role").string), c)
    c.residual(root)
