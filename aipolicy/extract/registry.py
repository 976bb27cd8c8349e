"""Which adapter reads which request: an ordered routing table, first match wins.

API formats are recognised by path on any host (self-hosted gateways and the many
OpenAI-compatible vendors use the same paths); consumer web apps and upload hosts by
exact host (label-boundary suffix) and path. A request no route matches is read by the
generic walk of its content type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .adapters import (
    anthropic,
    chatgpt_web,
    claude_web,
    cohere,
    gemini,
    gemini_web,
    ollama,
    openai,
)

JSON, FORM, RAW = "json", "form", "raw"


@dataclass(frozen=True)
class Route:
    adapter: str  # reported as Extraction.adapter
    path: str  # regular expression, searched in the path (no query string)
    body: str = JSON  # what the handler reads: JSON | FORM | RAW
    handler: Callable[..., Any] | None = None  # None for RAW: the file reader
    hosts: tuple[str, ...] = ()  # label-boundary suffixes; empty: any host
    methods: tuple[str, ...] = ("POST",)
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _subdomains: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", re.compile(self.path))
        object.__setattr__(self, "_subdomains", tuple("." + h for h in self.hosts))

    def matches(self, method: str, host: str, path: str) -> bool:
        # Called for every route on every request: cheap tests first, in C.
        if method.upper() not in self.methods:
            return False
        if self.hosts and not (host in self.hosts or host.endswith(self._subdomains)):
            return False
        return self._pattern.search(path) is not None


_AZURE = ("openai.azure.com", "cognitiveservices.azure.com", "services.ai.azure.com")

ROUTES: tuple[Route, ...] = (
    # -- consumer web apps
    Route("chatgpt-web", r"^/backend-(?:api|anon)/(?:f/)?conversation(?:/prepare)?$",
          handler=chatgpt_web.conversation, hosts=("chatgpt.com", "chat.openai.com")),
    Route("claude-web",
          r"^/api/organizations/[^/]+/chat_conversations/[^/]+/(?:retry_)?completion$",
          handler=claude_web.completion, hosts=("claude.ai",)),
    Route("gemini-web", r"/assistant\.lamda\.BardFrontendService/StreamGenerate$", body=FORM,
          handler=gemini_web.stream_generate, hosts=("gemini.google.com",)),
    # ChatGPT uploads: PUT of the raw file to a signed blob-storage URL.
    Route("blob-upload", r"", body=RAW, hosts=("blob.core.windows.net", "oaiusercontent.com"),
          methods=("PUT", "POST")),
    # -- vendor-specific names for OpenAI-shaped APIs
    Route("mistral-chat", r"^/v1/(?:chat|agents)/completions$", handler=openai.chat,
          hosts=("api.mistral.ai",)),
    Route("mistral-fim", r"^/v1/fim/completions$", handler=openai.completions,
          hosts=("api.mistral.ai",)),
    Route("azure-openai-chat", r"/chat/completions$", handler=openai.chat, hosts=_AZURE),
    Route("azure-openai-chat", r"^/openai/deployments/[^/]+/chat/completions$",
          handler=openai.chat),
    Route("azure-openai-responses", r"/responses$", handler=openai.responses, hosts=_AZURE),
    Route("azure-openai-completions", r"/completions$", handler=openai.completions,
          hosts=_AZURE),
    Route("azure-openai-embeddings", r"/embeddings$", handler=openai.embeddings, hosts=_AZURE),
    # -- API formats on any host
    Route("openai-chat", r"/chat/completions$", handler=openai.chat),
    Route("openai-responses", r"/responses$", handler=openai.responses),
    Route("openai-completions", r"/completions$", handler=openai.completions),
    Route("openai-embeddings", r"/embeddings$", handler=openai.embeddings),
    Route("anthropic-messages", r"/v1/messages(?:/count_tokens)?$", handler=anthropic.messages),
    Route("anthropic-messages", r"/publishers/anthropic/models/[^/]+:(?:stream)?[rR]awPredict$",
          handler=anthropic.messages),  # Vertex AI
    Route("anthropic-messages", r"^/model/[^/]*anthropic[^/]*/invoke(?:-with-response-stream)?$",
          handler=anthropic.messages),  # Amazon Bedrock, Anthropic models only
    Route("gemini", r":(?:generateContent|streamGenerateContent|countTokens)$",
          handler=gemini.generate_content),
    Route("cohere-v2-chat", r"^/v2/chat$", handler=cohere.chat_v2),
    Route("cohere-v1-chat", r"^/v1/chat$", handler=cohere.chat_v1),
    Route("ollama-chat", r"^/api/chat$", handler=ollama.chat),
    Route("ollama-generate", r"^/api/generate$", handler=ollama.generate),
)


def find_route(method: str, host: str, path: str, routes: tuple[Route, ...] = ROUTES
               ) -> Route | None:
    host = host.lower().rstrip(".")
    path = path.split("?", 1)[0]
    return next((r for r in routes if r.matches(method, host, path)), None)
