"""Field names of the APIs and web apps the adapters know, and which of them hold no prose.

Kept as data. ``KNOWN_JSON_KEYS``: object keys that are field names of a documented API
or of a web app's request. A key is scanned as text unless it is listed here: a listed
key is a fixed word, so it carries nothing a person typed; any other key may (a name in
a tool's arguments, a user's own data as a map). Listing a key only saves a scan.

``NON_PROSE_JSON_KEYS``: keys whose *values* are machine tokens, not prose, so the
generic walk does not scan them. Extend a group when a new client field shows up in the
audit log as noise. Only add keys whose values are enums, identifiers, flags or binary
payloads; a key that can hold free text ("name", "user", "text", "data",
"description") must stay scanned.
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

# application/x-www-form-urlencoded and multipart field names whose values are not prose.
NON_PROSE_FORM_FIELDS: frozenset[str] = frozenset(
    {
        "at",  # Google XSRF token next to f.req
        "purpose",  # OpenAI/Anthropic file upload purpose enum
        "model", "response_format", "timestamp_granularities[]", "_reqid", "rt", "bl",
    }
)
# Form and multipart field names of the known APIs and web apps: other names are scanned.
KNOWN_FORM_FIELDS: frozenset[str] = NON_PROSE_FORM_FIELDS | frozenset(
    {"f.req", "file", "prompt", "language", "temperature", "text", "input", "message",
     "q", "query", "name", "content", "data", "image", "mask", "size", "n", "quality",
     "chunking_strategy", "mime_type", "bytes", "filename", "upload_id", "hl", "soc-app",
     "soc-platform", "soc-device"}
)

# Field names of the request formats the adapters read (OpenAI Chat Completions and
# Responses, Anthropic Messages, Gemini, Cohere, Ollama, the ChatGPT, claude.ai and
# Copilot web apps) and of JSON Schema (tool parameters). Object keys not listed here
# are scanned as text.
KNOWN_JSON_KEYS: frozenset[str] = NON_PROSE_JSON_KEYS | frozenset(
    {
        # OpenAI Chat Completions, Responses, Completions, Embeddings (and compatibles)
        "messages", "content", "name", "text", "refusal", "tool_calls", "function",
        "function_call", "arguments", "custom", "input", "image_url", "url", "input_audio",
        "data", "file", "file_data", "filename", "audio", "temperature", "top_p", "stop",
        "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty",
        "logit_bias", "logprobs", "top_logprobs", "user", "seed", "tools", "functions",
        "response_format", "json_schema", "schema", "strict", "metadata", "store",
        "prediction", "web_search_options", "annotations", "include_usage", "instructions",
        "include", "reasoning", "effort", "summary", "output", "background",
        "max_output_tokens", "max_tool_calls", "prompt", "suffix", "echo", "best_of",
        "dimensions", "safety_identifier", "prompt_cache_key", "verbosity", "safe_prompt",
        "document_url", "prefix", "random_seed", "search_parameters",
        # Anthropic Messages
        "system", "stop_sequences", "top_k", "thinking", "budget_tokens", "is_error",
        "source", "citations", "title", "context", "container", "mcp_servers",
        "input_schema", "disable_parallel_tool_use",
        # Gemini
        "contents", "parts", "inlineData", "inline_data", "fileData", "fileUri",
        "file_uri", "functionCall", "functionResponse", "function_response",
        "args", "response", "executableCode", "executable_code", "code", "language",
        "codeExecutionResult", "code_execution_result", "outcome", "systemInstruction",
        "system_instruction", "toolConfig", "tool_config", "functionDeclarations",
        "function_declarations", "topP", "topK", "candidateCount",
        "maxOutputTokens", "stopSequences", "responseMimeType", "response_mime_type",
        "responseSchema", "response_schema", "thinkingConfig", "thinking_config",
        "thinkingBudget", "includeThoughts", "thought", "cachedContent", "labels",
        "category", "threshold", "videoMetadata",
        # Cohere and Ollama
        "message", "preamble", "chat_history", "documents", "document", "snippet",
        "connectors", "tool_plan", "citation_quality", "prompt_truncation", "images",
        "options", "keep_alive", "raw", "template", "think", "num_ctx", "num_predict",
        # ChatGPT web (backend-api/conversation)
        "author", "create_time", "history_and_training_disabled",
        "conversation_mode", "kind", "force_paragen", "force_paragen_model_slug",
        "force_nulligen", "force_rate_limit", "reset_rate_limits", "suggestions",
        "system_hints", "supported_encodings", "supports_buffering",
        "client_contextual_info", "is_dark_mode", "time_since_loaded", "page_height",
        "page_width", "pixel_ratio", "screen_height", "screen_width",
        "paragen_cot_summary_display_override", "force_parallel_switch",
        "enable_message_followups", "partial_query", "attachments",
        "serialization_metadata", "custom_symbol_offsets", "dictation",
        "selected_github_repos", "size_bytes", "width", "height", "size", "app_name",
        "fork_from_shared_post", "variant_purpose", "conversation_origin",
        # claude.ai
        "parent_message_uuid", "personalized_styles", "files", "sync_sources",
        "extracted_content", "file_name", "file_size", "file_type", "isDefault", "key",
        "nameKey", "summaryKey",
        # Copilot web (WebSocket frames)
        "event", "conversationId", "mode",
        # JSON Schema, as used for tool parameters and structured output
        "type", "description", "parameters", "properties", "required", "items", "enum",
        "additionalProperties", "anyOf", "oneOf", "allOf", "default", "minimum",
        "maximum", "minItems", "maxItems", "minLength", "maxLength", "pattern", "const",
        "$schema", "$ref", "$defs", "definitions", "nullable", "examples",
    }
)
