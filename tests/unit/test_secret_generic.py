"""Secrets without a fixed prefix, and benign text that must stay benign.

Credentials only their name, their place in a URL or an identifier beside them make
recognisable; placeholders, references to other variables, hashes, ids and the request
bodies of real clients (tool definitions, system prompts, telemetry) that must pass
untouched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aipolicy.detect.secrets import SecretScanner, load_secret_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = load_secret_rules(ROOT / "rulesets" / "secrets.yaml", check_examples=False)


@pytest.fixture(scope="module")
def scanner() -> SecretScanner:
    return SecretScanner(RULES)


def _values(scanner: SecretScanner, text: str) -> list[str]:
    return [text[m.start:m.end] for m in scanner.scan(text)]


# --------------------------------------------------------------------------- found

# The classes that leaked on held-out data, each in several shapes.
LEAKED_BEFORE = [
    ('client = Client("AC8f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c", "5d41402abc4b2a76b9719d911017c592")',
     "5d41402abc4b2a76b9719d911017c592"),
    ("const client = require('twilio')('AC8f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c', "
     "'7d793037a0760186574b0282f2f435e7');", "7d793037a0760186574b0282f2f435e7"),
    ('TwilioClient.Init("AC8f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c", "9e107d9d372bb6826bd81d3542a419d6");',
     "9e107d9d372bb6826bd81d3542a419d6"),
    ("VAULT_TOKEN=hvs.CAESIJlWn7Bz2k4XpQ9rT1vY", "hvs.CAESIJlWn7Bz2k4XpQ9rT1vY"),
    ("export VAULT_TOKEN=hvs.Nq4Zt8Lw2Rc6Yp0Vb3Xm7Hs1", "hvs.Nq4Zt8Lw2Rc6Yp0Vb3Xm7Hs1"),
    ("vault login hvs.Nq4Zt8Lw2Rc6Yp0Vb3Xm7Hs1", "hvs.Nq4Zt8Lw2Rc6Yp0Vb3Xm7Hs1"),
    ('engine = create_engine("postgresql+psycopg2://etl:Tr0ub4dor3xK@db.internal:5432/orders")',
     "Tr0ub4dor3xK"),
    ("DATABASE_URL=postgresql+asyncpg://app:Gq7%21mZ2pX9@10.0.3.7/app", "Gq7%21mZ2pX9"),
    ("sqlalchemy.url = mysql+pymysql://reporting:Harbor1976x@db/app", "Harbor1976x"),
    ('MONGO="mongodb+srv://svc:Y1tqUNnS1HLmCBK2@cluster0.ab1cd.mongodb.net/x"', "Y1tqUNnS1HLmCBK2"),
    ("BROKER=amqps://worker:Kf83nD0qL2@mq.acme.io:5671/jobs", "Kf83nD0qL2"),
    ("REDIS_URL=redis://:s3cretPassw0rd99@cache:6379/0", "s3cretPassw0rd99"),
    ("mssql+pyodbc://sa:Pa55w0rd2024@sql01/Billing?driver=ODBC+Driver+18", "Pa55w0rd2024"),
    ("https://admin:Pa55w0rd2024@intranet.corp/api", "Pa55w0rd2024"),
]


@pytest.mark.parametrize(("text", "value"), LEAKED_BEFORE)
def test_classes_that_leaked_before_are_found(
        scanner: SecretScanner, text: str, value: str) -> None:
    assert value in _values(scanner, text)


KEY = "Kq8vN2xZ4mP7rT1wY5bC9dF3"
PASSWORD = "Harbor1976!x"
# (syntax, text with the credential): each must find it.
ASSIGNMENTS = [
    ("dotenv", f"API_KEY={KEY}"),
    ("dotenv, name ends in PASS", f"DB_PASS={PASSWORD}"),
    ("export", f"export SERVICE_TOKEN='{KEY}'"),
    ("yaml", f"partner:\n  client_secret: {KEY}\n"),
    ("yaml camel pass", f"smtp:\n  adminPass: \"{PASSWORD}\"\n"),
    ("json", f'{{"auth_token": "{KEY}"}}'),
    ("toml", f'[service]\nsigning_secret = "{KEY}"'),
    ("ini", f"[smtp]\npassword = {PASSWORD}\n"),
    ("properties", f"spring.datasource.password={PASSWORD}"),
    ("python kwargs", f'client = Partner(base_url=URL, api_key="{KEY}", timeout=30)'),
    ("js object", f"const config = {{ apiKey: '{KEY}', region: 'eu' }};"),
    ("go struct", f'cfg := Config{{APIKey: "{KEY}"}}'),
    ("go short declaration", f'adminPass := "{PASSWORD}"'),
    ("java setter", f'config.setAuthToken("{KEY}");'),
    ("java builder", f'Client.builder().password("{PASSWORD}").build();'),
    ("php define", f"define('DB_PASSWORD', '{PASSWORD}');"),
    ("ruby", f"config.access_token = '{KEY}'"),
    ("powershell", f'$env:API_KEY = "{KEY}"'),
    ("dockerfile, space", f"FROM node:20\nENV AUTH_TOKEN {KEY}\n"),
    ("k8s env", f"env:\n  - name: STRIPE_API_KEY\n    value: \"{KEY}\"\n"),
    ("ecs json", f'[{{"name": "DB_PASSWORD", "value": "{PASSWORD}"}}]'),
    ("appSettings", f'<add key="ClientSecret" value="{KEY}" />'),
    ("xml element", f"<apiToken>{KEY}</apiToken>"),
    ("markdown table", f"| name | value |\n|---|---|\n| API_KEY | {KEY} |\n"),
    ("cli flag", f"partnerctl login --api-key={KEY}"),
    ("curl header", f"curl -H 'X-API-Key: {KEY}' https://api.partner.io"),
    ("curl bearer", f'curl -H "Authorization: Bearer {KEY}" https://api.partner.io'),
    ("azure openai header", f'curl $URL -H "api-key: {KEY}"'),
    ("mysql -p", f"mysql -h db -u root -p{PASSWORD} orders"),
    ("sshpass", f"sshpass -p '{PASSWORD}' ssh deploy@10.0.4.12"),
    ("docker login", f"docker login registry.acme.io -u ci -p {PASSWORD}"),
    ("powershell securestring", f'ConvertTo-SecureString "{PASSWORD}" -AsPlainText -Force'),
    ("basic auth tuple", f'requests.get(url, auth=("svc", "{PASSWORD}"))'),
    ("connection string", f"Server=sql01;Database=Billing;User Id=app;Password={PASSWORD};"),
    ("prose", f"the staging password is {PASSWORD}"),
    ("arrow", f"api key -> {KEY}"),
    ("32 hex with low entropy", "DATADOG_API_KEY=352353815b56b53a758796364d8c45b1"),
    ("escaped in JSON", '{"content": "NODE_ENV=prod\\nJWT_SECRET=' + KEY + '\\nPORT=3000"}'),
]


@pytest.mark.parametrize(("syntax", "text"), ASSIGNMENTS, ids=[s for s, _ in ASSIGNMENTS])
def test_credential_assignments_are_found(
        scanner: SecretScanner, syntax: str, text: str) -> None:
    found = _values(scanner, text)
    assert any(v in (KEY, PASSWORD, "352353815b56b53a758796364d8c45b1") for v in found), found


# (pair, text, the secret a name alone would not reveal)
PAIRS = [
    ("aws positional", 'new BasicAWSCredentials("AKIA4NQ25SMBGTECD2TX", '
     '"GAJ7Wx98vjE6boQ/jQaJbO0HvrgYegRDLu4h1Dyo")', "GAJ7Wx98vjE6boQ/jQaJbO0HvrgYegRDLu4h1Dyo"),
    ("aws console csv", "Access key ID,Secret access key\nAKIA4NQ25SMBGTECD2TX,"
     "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\n", "4VGOfYcMuqbKLLp/2jfTuOQPeWIDtcKZ1Dw0gBEH"),
    ("twilio api key", 'Client("SK97cdf7af7142958342e5960fdbd52d69", '
     '"k1KgBaK8b1mi59lOtd4qlLWBja7PcGz7", "ACcc6577428c2f6d6bc64e5a22fac180d6")',
     "k1KgBaK8b1mi59lOtd4qlLWBja7PcGz7"),
    ("algolia positional", "algoliasearch('DSLRQA7SMX', 'd489dc2b0f7f2f97bca7398d44490847')",
     "d489dc2b0f7f2f97bca7398d44490847"),
    ("google client secret", 'OAuth2WebServerFlow("952114537338-ner35vfbdfi0m1bbhunnga1slisl0gtl'
     '.apps.googleusercontent.com", "dwBCRGja3o3kV_2WHPSoIFie", scope=S)',
     "dwBCRGja3o3kV_2WHPSoIFie"),
    ("azure ad positional", 'ClientSecretCredential("f2d767d0-44db-4d45-93e3-59ec18a65232", '
     '"d94fc8a1-400c-4281-8dcb-ab0d86c1497b", "JpeiG8YqL9B_N5G_Gx6KtyQ-q_DTjD3saRZkb2l2")',
     "JpeiG8YqL9B_N5G_Gx6KtyQ-q_DTjD3saRZkb2l2"),
    ("weak secret beside a client id", "client_id: a1be5183-62da-4b3b-ab2b-d7c5c073254a\n"
     "client_secret: d489dc2b0f7f2f97\n", "d489dc2b0f7f2f97"),
]


def test_a_full_stop_after_a_bare_value_is_not_part_of_it(scanner: SecretScanner) -> None:
    text = "The password is Summer2024x. Please rotate it; webhook secret -> Kq8vN2xZ4mP7rT1w."
    assert _values(scanner, text) == ["Summer2024x", "Kq8vN2xZ4mP7rT1w"]


@pytest.mark.parametrize(("pair", "text", "value"), PAIRS, ids=[p for p, _, _ in PAIRS])
def test_paired_credentials_are_found(
        scanner: SecretScanner, pair: str, text: str, value: str) -> None:
    assert value in _values(scanner, text)


# --------------------------------------------------------------------------- refused

PLACEHOLDERS = ["xxxxxxxxxxxxxxxx", "changeme", "YOUR_API_KEY", "<token>", "${SECRET}",
                "$(cat ~/.token)", "{{ api_key }}", "********", "null", "true", "password",
                "aaaaaaaaaaaaaaaa", "sk-xxxxxxxxxxxxxxxxxxxxxxxx", "EXAMPLEKEY12345",
                "your-api-key-here", "[REDACTED]", "%(password)s", "test-api-key-123",
                "dummy-token-for-tests", "{token}", "<YOUR_TOKEN_HERE>", "sk-proj-..."]


@pytest.mark.parametrize("value", PLACEHOLDERS)
@pytest.mark.parametrize("template", [
    "API_KEY={v}", 'api_key: "{v}"', "password = '{v}'", "--token {v}",
    "env:\n  - name: API_TOKEN\n    value: {v}\n", "DATABASE_URL=postgres://app:{v}@db/app",
    'client = Client("ACcc6577428c2f6d6bc64e5a22fac180d6", "{v}")',
])
def test_placeholders_are_not_secrets(scanner: SecretScanner, value: str, template: str) -> None:
    assert scanner.scan(template.format(v=value)) == []


REFERENCES = [
    'api_key = os.environ["OPENAI_API_KEY"]',
    "client = Partner(api_key=api_key)",
    "client = Partner(api_key=settings.PARTNER_API_KEY, timeout=30)",
    "token = self._token",
    "password = form.cleaned_data.get('password')",
    "secret_key = get_secret_key(env)",
    "api_token = tokens[0]",
    "password = getpass.getpass()",
    "connect(host, user, password=pw_2024)",
    "const apiKey = config.get('apiKey');",
    'adminPass := os.Getenv("ADMIN_PASS")',
    "BlindKeySignatures = Ed25519.BlindKeySignatures",
    "token := auth.TokenSource(ctx)",
    "export GITHUB_TOKEN=$(gh auth token)",
    'password: "{{ .Values.db.password }}"',
    "api_key: ${{ secrets.PARTNER_API_KEY }}",
    "first_pass = results_2024q3",
    "password = userPass2",
]


@pytest.mark.parametrize("text", REFERENCES)
def test_references_to_other_values_are_not_secrets(scanner: SecretScanner, text: str) -> None:
    assert scanner.scan(text) == []


BENIGN = [
    # hashes, ids, versions, lock files
    '"sha": "9fceb02d0ae598e95dc970b74767f19372d61af8"',
    "md5sum: 5d41402abc4b2a76b9719d911017c592  release.tar.gz",
    'checksum = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
    "requests==2.32.3 --hash=sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d06"
    "1d6dcc6",
    "lodash@^4.17.21:\n  integrity sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVx"
    "VjcXPs7+WnZS+cl1s8LD2i2LasI5N0Q==",
    "golang.org/x/crypto v0.21.0 h1:X31++rzVUdKhX5sWmSOFZxx8UW/ldWx55cbf08iNAMA=",
    '"key_id": "8c6f1d0e-5b2a-4e7f-9a3c-2d1b0f9e8a7c", "idempotency_key": '
    '"550e8400-e29b-41d4-a716-446655440000"',
    '"kid": "2d1b0f9e8a7c8c6f1d0e5b2a4e7f9a3c00112233"',
    '"max_tokens": 4096, "tokens_used": 1234, "token_type": "Bearer", "expires_in": 3600',
    '"password_updated_at": "2024-09-17"',
    '"bucket_key": "SalesResults-1.2"',
    '"secret_arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"',
    '"kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/550e8400-e29b-41d4-a716-446655440000"',
    # public material and documentation values
    '{"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbX'
    'LCOLBYgyIh7yBPcA2OhKFNW8lGkGpZvv5XNn3Gbk8r0UkoCs6Pqm5fMBR", "e": "AQAB"}]}',
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl sam@laptop",
    "[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAllowedIPs = 10.8.0.0/24",
    "const publishableKey = 'pk_live_51HqLyjWDarjtT1zdp7dc00aB';",
    "aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE\naws configure set "
    "aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    'stripe.api_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"',
    "postgresql+psycopg2://scott:tiger@localhost/mydatabase",
    "amqp://guest:guest@localhost:5672//",
    "mongodb+srv://admin:<password>@cluster0.mongodb.net/test",
    'engine = create_engine(f"postgresql://{user}:{password}@{host}/{db}")',
    "Incorrect API key provided: sk-proj-************************************abcd.",
    "vault login hvs.XXXXXXXXXXXXXXXXXXXXXXXX",
    "const client = algoliasearch('YourApplicationID', 'YourWriteAPIKey');",
    # base64 of ordinary content under names that say key or token
    '"content": "UXVhcnRlcmx5IHJldmVudWUgZ3JldyAxMiBwZXJjZW50IG9uIHN0cm9uZyBkZW1hbmQu"',
    '<input type="hidden" name="authenticity_token" value="7SWa-Fo1_hsC6oovfBsJFLGPUl2EhkSWPbJhWAN'
    'wgaJWBDl1vxd9VNqXTNAefsJqzIRYaZEfYZLffa31rw8zJA">',
    # C member access is not an arrow between a name and its value
    "if (pIdxKey->default_rc==0) return;",
    # lookup keys, key bindings and cache keys made of words
    '{"key": "ctrl+shift+alt+k", "command": "workbench.action.toggleSidebar"}',
    '{"key": "user-profile-v2", "label": "Profile"}',
    'cache.set_key("user:42:profile", data)',
    'redis_key = "session:8f14e45f:cart"',
    "| token | string | The token returned by /login |",
    '"passes": 3, "pass_rate": "97.5%"',
    '"api_key_header": "X-API-Key", "token_prefix": "Bearer"',
]


@pytest.mark.parametrize("text", BENIGN)
def test_benign_values_under_secret_names_are_not_secrets(
        scanner: SecretScanner, text: str) -> None:
    assert _values(scanner, text) == []


# --------------------------------------------------------------------------- clients

def _anthropic_tools_body() -> str:
    """A coding agent's request: system prompt, tools named like secrets, env lookups."""
    props = {name: {"type": "string", "description": f"The {name.replace('_', ' ')} to use; "
                    "read it from the environment, never hard-code it."}
             for name in ("api_key", "token", "password", "client_secret", "access_token",
                          "private_key_path", "secret_name", "apiKey")}
    return json.dumps({
        "model": "claude-sonnet-4-5", "max_tokens": 32000, "stream": True,
        "metadata": {"user_id": "user_" + "3f" * 32 + "_account_550e8400-e29b-41d4-a716-"
                     "446655440000_session_8c6f1d0e-5b2a-4e7f-9a3c-2d1b0f9e8a7c"},
        "system": [{"type": "text", "text": (
            "You are an interactive CLI tool that helps users with software engineering tasks. "
            "IMPORTANT: Never introduce code that exposes or logs secrets and keys. Never "
            "commit secrets or keys to the repository. If the user needs an API key, tell "
            "them to set it with export API_KEY=<your key> or in .env as API_KEY=your-api-key."
            "\n# Environment\nWorking directory: /home/dev/app\ngitStatus: M src/auth/"
            "token_store.py"), "cache_control": {"type": "ephemeral"}}],
        "tools": [{"name": "deploy_service", "description": "Deploys with the caller's "
                   "credentials; the token and key are injected by the host.",
                   "input_schema": {"type": "object", "properties": props,
                                    "required": ["api_key"]}}],
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Why does settings.py fail to read the key?"},
            {"type": "tool_result", "tool_use_id": "toolu_01A09q90qw90lq917835lq9", "content":
             "SECRET_KEY = env('SECRET_KEY')\nDATABASE_URL = os.environ['DATABASE_URL']\n"
             "STRIPE_API_KEY = os.getenv('STRIPE_API_KEY', '')\nclient = Stripe(api_key="
             "STRIPE_API_KEY)\npassword_hash = make_password(password)\n"}]}],
        "thinking": {"type": "enabled", "budget_tokens": 10000},
    })


def _openai_tools_body() -> str:
    params = {"type": "object", "properties": {
        "token": {"type": "string"}, "api_key": {"type": "string", "description": "API key"},
        "password": {"type": "string", "minLength": 12}}, "required": ["token"],
        "additionalProperties": False}
    return json.dumps({
        "model": "gpt-5-codex", "instructions": "You are Codex. Never print secrets; use "
        "placeholders such as sk-xxxx or ${OPENAI_API_KEY} in examples.",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": (
            "const apiKey = process.env.OPENAI_API_KEY ?? '';\nexport const TOKEN = "
            "import.meta.env.VITE_TOKEN;\n")}]}],
        "tools": [{"type": "function", "name": "call_partner", "parameters": params,
                   "strict": True}],
        "prompt_cache_key": "8c6f1d0e-5b2a-4e7f-9a3c-2d1b0f9e8a7c", "store": False,
        "reasoning": {"effort": "medium"}, "include": ["reasoning.encrypted_content"],
    })


def _otlp_body() -> str:
    attrs = [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "18235"}},
             {"key": "auth.method", "value": {"stringValue": "api_key"}},
             {"key": "session.id",
              "value": {"stringValue": "8c6f1d0e-5b2a-4e7f-9a3c-2d1b0f9e8a7c"}},
             {"key": "cache.key_hash", "value": {"stringValue": "e3b0c44298fc1c149afbf4c8996fb9242"
                                                 "7ae41e4649b934ca495991b7852b855"}}]
    return json.dumps({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "codex_cli_rs"}}]},
        "scopeSpans": [{"spans": [{"traceId": "5b8efff798038103d269b633813fc60c",
                                   "spanId": "eee19b7ec3c1b174", "name": "api_request",
                                   "startTimeUnixNano": "1732011234567890123",
                                   "endTimeUnixNano": "1732011235567890123",
                                   "attributes": attrs}]}]}]})


@pytest.mark.parametrize("body", [_anthropic_tools_body(), _openai_tools_body(), _otlp_body()],
                         ids=["anthropic-agent", "openai-agent", "otlp-telemetry"])
def test_client_request_bodies_carry_no_secret(scanner: SecretScanner, body: str) -> None:
    assert _values(scanner, body) == []
    # The same strings as the extractors hand them over, one by one.
    strings: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            strings.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                strings.append(key)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(body))
    assert [s for s in strings if scanner.scan(s)] == []
