"""Synthetic, well-formed secrets and the credentials real AI clients send, for tests.

Every value is random (seeded) and fake; each has the shape the default secret rules and
the real services use, so the tests exercise exactly what the proxy meets.
"""

from __future__ import annotations

import base64
import json
import random
import string

AWS_KEY = "AKIAZ3MHQ7TXKRV4PWUN"
AWS_SECRET = "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"
GITHUB_TOKEN = "ghp_Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
SLACK_TOKEN = "xoxb-2741903857361-5928104736215-Qm7vTz2WpK9sLx4RnB8cYh3D"
# (text to plant, the rule the default ruleset finds it with)
PLANTED = (
    (f"aws_access_key_id={AWS_KEY}", "aws-access-key-id"),
    (GITHUB_TOKEN, "github-pat"),
    (f"aws_secret_access_key = {AWS_SECRET}", "aws-secret-access-key"),
)

_R = random.Random(20261122)
_ALNUM = string.ascii_letters + string.digits
_URLSAFE = _ALNUM + "-_"
_HEX = "0123456789abcdef"


def _rs(alphabet: str, n: int) -> str:
    return "".join(_R.choice(alphabet) for _ in range(n))


def _b64url(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def _uuid() -> str:
    return f"{_rs(_HEX, 8)}-{_rs(_HEX, 4)}-4{_rs(_HEX, 3)}-8{_rs(_HEX, 3)}-{_rs(_HEX, 12)}"


JWT = ".".join((_b64url({"alg": "RS256", "typ": "JWT", "kid": _rs(_ALNUM, 20)}),
                _b64url({"iss": "https://auth.openai.com", "sub": "user-" + _rs(_ALNUM, 24),
                         "exp": 1900000000}), _rs(_URLSAFE, 342)))
JWE = (_b64url({"alg": "dir", "enc": "A256GCM"}) + ".." + _rs(_URLSAFE, 16) + "."
       + _rs(_URLSAFE, 2000) + "." + _rs(_URLSAFE, 22))
OPENAI_KEY = "sk-proj-" + _rs(_URLSAFE, 156)
ANTHROPIC_KEY = "sk-ant-api03-" + _rs(_URLSAFE, 93) + "AA"
CLAUDE_CODE_TOKEN = "sk-ant-oat01-" + _rs(_URLSAFE, 95)
GEMINI_KEY = "AIza" + _rs(_URLSAFE, 35)
BROWSER = (
    ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/131.0.0.0 Safari/537.36"),
    ("sec-ch-ua", '"Chromium";v="131", "Not_A Brand";v="24"'),
    ("sec-ch-ua-mobile", "?0"), ("sec-ch-ua-platform", '"Linux"'), ("accept", "*/*"),
    ("accept-language", "en-US,en;q=0.9,de;q=0.8"), ("accept-encoding", "gzip, deflate, br"),
    ("sec-fetch-site", "same-origin"), ("sec-fetch-mode", "cors"), ("sec-fetch-dest", "empty"),
    ("priority", "u=1, i"), ("x-forwarded-for", "10.20.4.17"),
)

# (app host, path, header fields) of real clients, with their own keys and sessions.
CLIENTS = {
    "openai-sdk": ("api.openai.com", "/v1/chat/completions", (
        ("authorization", f"Bearer {OPENAI_KEY}"), ("user-agent", "OpenAI/Python 1.54.3"),
        ("x-stainless-lang", "python"), ("x-stainless-package-version", "1.54.3"),
        ("x-stainless-os", "Linux"), ("x-stainless-arch", "x64"),
        ("x-stainless-runtime", "CPython"), ("x-stainless-runtime-version", "3.12.1"),
        ("x-stainless-async", "false"), ("x-stainless-retry-count", "0"),
        ("x-stainless-read-timeout", "600"), ("openai-organization", "org-" + _rs(_ALNUM, 24)),
        ("openai-project", "proj_" + _rs(_ALNUM, 24)), ("accept", "application/json"),
        ("accept-encoding", "gzip, deflate"), ("connection", "keep-alive"),
        ("traceparent", f"00-{_rs(_HEX, 32)}-{_rs(_HEX, 16)}-01"))),
    "anthropic-sdk": ("api.anthropic.com", "/v1/messages", (
        ("x-api-key", ANTHROPIC_KEY), ("anthropic-version", "2023-06-01"),
        ("anthropic-beta", "prompt-caching-2024-07-31"), ("user-agent", "Anthropic/Python 0.40.0"),
        ("x-stainless-lang", "python"), ("accept", "application/json"))),
    "claude-code": ("api.anthropic.com", "/v1/messages", (
        ("authorization", f"Bearer {CLAUDE_CODE_TOKEN}"), ("anthropic-version", "2023-06-01"),
        ("anthropic-beta", "oauth-2025-04-20,claude-code-20250219"),
        ("x-app", "cli"), ("user-agent", "claude-cli/1.0.98 (external, cli)"))),
    "gemini-sdk": ("generativelanguage.googleapis.com",
                   "/v1beta/models/gemini-2.5-flash:generateContent", (
        ("x-goog-api-key", GEMINI_KEY),
        ("x-goog-api-client", "google-genai-sdk/1.20.0 gl-python/3.12"),
        ("user-agent", "google-genai-sdk/1.20.0 gl-python/3.12"))),
    "chatgpt-web": ("chatgpt.com", "/backend-api/f/conversation", (
        *BROWSER, ("origin", "https://chatgpt.com"),
        ("referer", f"https://chatgpt.com/c/{_uuid()}"), ("authorization", f"Bearer {JWT}"),
        ("oai-device-id", _uuid()), ("oai-language", "en-US"),
        ("oai-client-version", "prod-" + _rs(_HEX, 40)),
        ("openai-sentinel-chat-requirements-token", "gAAAAAB" + _rs(_URLSAFE, 400)),
        ("openai-sentinel-proof-token", "gAAAAAB" + _rs(_URLSAFE, 200)),
        ("cookie", f"__Secure-next-auth.session-token={JWE}; "
                   f"__cf_bm={_rs(_URLSAFE, 43)}-1700000000-1.0.1.1-{_rs(_URLSAFE, 60)}; "
                   f"_cfuvid={_rs(_URLSAFE, 40)}-1700000000000-0.0.1.1-604800000; "
                   f"cf_clearance={_rs(_URLSAFE, 43)}-1700000000-1.2.1.1-{_rs(_URLSAFE, 300)}; "
                   f"oai-did={_uuid()}; __Host-next-auth.csrf-token={_rs(_HEX, 64)}%7C"
                   f"{_rs(_HEX, 64)}; _puid=user-{_rs(_ALNUM, 24)}:1700000000-"
                   f"{_rs(_ALNUM, 44)}%3D; oai-sc=0gAAAAAB{_rs(_URLSAFE, 200)}; "
                   "_dd_s=rum=0&expire=1700000000000; "
                   "__Secure-next-auth.callback-url=https%3A%2F%2Fchatgpt.com"))),
    "claude-web": ("claude.ai",
                   "/api/organizations/0f1e2d3c/chat_conversations/9a8b7c6d/completion", (
        *BROWSER, ("origin", "https://claude.ai"), ("anthropic-client-platform", "web_claude_ai"),
        ("anthropic-device-id", _uuid()), ("anthropic-anonymous-id", "claudeai.v1." + _uuid()),
        ("cookie", f"sessionKey=sk-ant-sid01-{_rs(_URLSAFE, 86)}-{_rs(_URLSAFE, 6)}AA; "
                   f"lastActiveOrg={_uuid()}; anthropic-device-id={_uuid()}; "
                   f"intercom-session-lupk8zyo={_rs(_ALNUM, 80)}; "
                   f"ajs_anonymous_id=%22{_uuid()}%22; _fbp=fb.1.1700000000000.123456789; "
                   f"activitySessionId={_uuid()}; cf_clearance={_rs(_URLSAFE, 43)}"))),
    "gemini-web": ("gemini.google.com",
                   "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate", (
        *BROWSER, ("origin", "https://gemini.google.com"), ("x-same-domain", "1"),
        ("x-goog-ext-525001261-jspb", '[1,null,null,null,"9ec249fc9ad08861",null,null,0,[4]]'),
        ("cookie", f"SID=g.a000{_rs(_URLSAFE, 140)}; __Secure-1PSID=g.a000{_rs(_URLSAFE, 140)}; "
                   f"HSID=A{_rs(_ALNUM, 16)}; SSID=A{_rs(_ALNUM, 16)}; "
                   f"APISID={_rs(_ALNUM, 16)}/{_rs(_ALNUM, 17)}; "
                   f"SAPISID={_rs(_ALNUM, 16)}/{_rs(_ALNUM, 17)}; "
                   f"__Secure-1PSIDTS=sidts-{_rs(_URLSAFE, 120)}; SIDCC=AKEyXz{_rs(_URLSAFE, 70)}; "
                   f"NID=511={_rs(_URLSAFE, 200)}"))),
    "github-copilot": ("api.githubcopilot.com", "/chat/completions", (
        ("authorization", f"Bearer tid={_rs(_HEX, 32)};exp=1700000000;sku=copilot_for_business"
                          f"_seat;proxy-ep=proxy.business.githubcopilot.com;st=dotcom;8kp=1:"
                          f"{_rs(_HEX, 64)}"),
        ("editor-version", "vscode/1.95.0"), ("editor-plugin-version", "copilot-chat/0.22.4"),
        ("copilot-integration-id", "vscode-chat"), ("openai-intent", "conversation-panel"),
        ("x-github-api-version", "2023-07-07"), ("vscode-sessionid", _uuid()))),
    "github-copilot-token": ("api.github.com", "/copilot_internal/v2/token", (
        ("authorization", f"token ghu_{_rs(_ALNUM, 36)}"), ("user-agent", "GithubCopilot/1.250"))),
    "bedrock": ("bedrock-runtime.us-east-1.amazonaws.com",
                "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke", (
        ("authorization", f"AWS4-HMAC-SHA256 Credential={AWS_KEY}/20240101/us-east-1/bedrock/"
                          "aws4_request, SignedHeaders=host;x-amz-date, "
                          f"Signature={_rs(_HEX, 64)}"),
        ("x-amz-date", "20240101T000000Z"),
        ("x-amz-security-token", "IQoJb3JpZ2luX2VjE" + _rs(_ALNUM, 300)))),
}
