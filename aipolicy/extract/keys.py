"""Keys whose values are machine tokens, not prose: the generic walk does not scan them.

Kept as data: extend a group when a new client field shows up in the audit log as noise.
Only add keys whose values are enums, identifiers, flags or binary payloads; a key that
can hold free text ("name", "user", "text", "data", "description") must stay scanned.
"""

from __future__ import annotations

# JSON object keys, matched exactly (case-sensitive, as the APIs spell them).
NON_PROSE_JSON_KEYS: frozenset[str] = frozenset(
    {
        # model selection and request control
        "model", "stream", "stream_options", "n", "object", "action", "status",
        "service_tier", "reasoning_effort", "modalities", "voice", "truncation",
        "tool_choice", "parallel_tool_calls", "encoding_format", "finish_reason",
        "api-version", "api_version", "format",
        # message structure (enums)
        "role", "type", "content_type", "detail", "media_type", "mime_type", "mimeType",
        "cache_control",
        # identifiers and references
        "id", "ids", "uuid", "call_id", "tool_call_id", "tool_use_id", "file_id", "file_ids",
        "message_id", "conversation_id", "parent_message_id", "parent_message_uuid",
        "previous_response_id", "websocket_request_id", "asset_pointer", "index",
        # opaque or binary payloads echoed back by clients
        "signature", "thoughtSignature", "thought_signature", "encrypted_content",
        "b64_json",
        # client environment sent by web apps
        "timezone", "timezone_offset_min", "locale", "rendering_mode",
        # sampling and safety configuration
        "generationConfig", "generation_config", "safetySettings", "safety_settings",
    }
)

# application/x-www-form-urlencoded and multipart field names.
NON_PROSE_FORM_FIELDS: frozenset[str] = frozenset(
    {
        "at",  # Google XSRF token next to f.req
        "purpose",  # OpenAI/Anthropic file upload purpose enum
        "model", "response_format", "timestamp_granularities[]", "_reqid", "rt", "bl",
    }
)
