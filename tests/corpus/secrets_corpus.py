"""A synthetic, seeded evaluation corpus for the secret scanner.

It is written independently of ``rulesets/secrets.yaml``: token shapes come from the
vendors' published formats, not from the rules' regexes, so measuring the rules on it
is not circular. Two parts:

* secret samples - prompts, code, configs, logs, .env files, CSV rows, e-mails, curl
  commands and JSON-escaped payloads, each with one or more synthetic secrets whose
  character spans are known;
* benign samples - at least 1,000 prompts and snippets without secrets but full of hard
  negatives: UUIDs, git SHAs, sha256 digests, version strings, example keys from
  documentation, placeholders, order numbers, base64 blobs, long identifiers, public
  keys and certificates, code that reads secrets from the environment.

Everything is generated from ``random.Random(seed)``: the same seed gives the same corpus.
Every value is random and fake.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
LOWERNUM = LOWER + DIGITS
UPPERNUM = UPPER + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
BASE32 = UPPER + "234567"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # the secret type this span was generated as


@dataclass(frozen=True)
class SecretSample:
    text: str
    spans: tuple[Span, ...]
    context: str


@dataclass(frozen=True)
class BenignSample:
    text: str
    context: str


@dataclass(frozen=True)
class Corpus:
    secret_samples: tuple[SecretSample, ...]
    benign_samples: tuple[BenignSample, ...]


# --------------------------------------------------------------------------- tokens


def _r(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _mixed(rng: random.Random, alphabet: str, n: int) -> str:
    """Random text that has at least one digit and one letter (as real keys do)."""
    while True:
        value = _r(rng, alphabet, n)
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


def _uuid(rng: random.Random) -> str:
    h = _r(rng, HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def _b64url_json(obj: dict) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwt(rng: random.Random) -> str:
    header = {"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
    payload = {
        "sub": f"user-{rng.randint(1000, 99999)}",
        "iat": rng.randint(1_600_000_000, 1_750_000_000),
        "scope": rng.choice(["read", "read write", "admin"]),
    }
    return f"{_b64url_json(header)}.{_b64url_json(payload)}.{_r(rng, B64URL, 43)}"


def _pem(rng: random.Random, kind: str, escaped: bool) -> str:
    nl = "\\n" if escaped else "\n"
    label = {"rsa": "RSA PRIVATE KEY", "ec": "EC PRIVATE KEY", "pkcs8": "PRIVATE KEY",
             "openssh": "OPENSSH PRIVATE KEY"}[kind]
    start = {"rsa": "MIIEow", "ec": "MHcCAQEE", "pkcs8": "MIIEvQ", "openssh": "b3BlbnNzaC1rZXktdjE"}
    body = start[kind] + _r(rng, B64, rng.randint(300, 1500))
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----{nl}" + nl.join(lines) + f"{nl}-----END {label}-----"


def _aws_secret(rng: random.Random) -> str:
    return _mixed(rng, B64, 40)


# Each generator returns a random token of one vendor's published shape.
TokenGen = Callable[[random.Random], str]
TOKENS: dict[str, TokenGen] = {
    "openai": lambda r: "sk-proj-" + _r(r, B64URL, 74) + "T3BlbkFJ" + _r(r, B64URL, 74),
    "openai-legacy": lambda r: "sk-" + _mixed(r, ALNUM, 20) + "T3BlbkFJ" + _mixed(r, ALNUM, 20),
    "anthropic": lambda r: "sk-ant-api03-" + _r(r, B64URL, 93) + "AA",
    "huggingface": lambda r: "hf_" + _r(r, UPPER + LOWER, 34),
    "replicate": lambda r: "r8_" + _mixed(r, ALNUM, 37),
    "groq": lambda r: "gsk_" + _mixed(r, ALNUM, 52),
    "perplexity": lambda r: "pplx-" + _mixed(r, ALNUM, 48),
    "xai": lambda r: "xai-" + _mixed(r, ALNUM, 80),
    "deepseek": lambda r: "sk-" + _mixed(r, HEX, 32),
    "aws-access-key": lambda r: r.choice(["AKIA", "ASIA"]) + _r(r, BASE32, 16),
    "gcp-api-key": lambda r: "AIzaSy" + _mixed(r, B64URL, 33),
    "google-oauth-secret": lambda r: "GOCSPX-" + _mixed(r, B64URL, 28),
    "github-pat": lambda r: "ghp_" + _mixed(r, ALNUM, 36),
    "github-oauth": lambda r: "gho_" + _mixed(r, ALNUM, 36),
    "github-app": lambda r: r.choice(["ghs_", "ghu_"]) + _mixed(r, ALNUM, 36),
    "github-fine-grained": lambda r: ("github_pat_11" + _r(r, UPPERNUM, 20) + "_"
                                      + _mixed(r, ALNUM, 59)),
    "gitlab-pat": lambda r: "glpat-" + _mixed(r, B64URL, 20),
    "gitlab-deploy": lambda r: "gldt-" + _mixed(r, B64URL, 20),
    "gitlab-runner": lambda r: "glrt-" + _mixed(r, B64URL, 20),
    "gitlab-trigger": lambda r: "glptt-" + _r(r, HEX, 40),
    "slack-bot": lambda r: f"xoxb-{_r(r, DIGITS, 12)}-{_r(r, DIGITS, 13)}-{_mixed(r, ALNUM, 24)}",
    "slack-user": lambda r: (f"xoxp-{_r(r, DIGITS, 12)}-{_r(r, DIGITS, 12)}-{_r(r, DIGITS, 12)}-"
                             f"{_r(r, HEX, 32)}"),
    "slack-app": lambda r: f"xapp-1-A{_r(r, UPPERNUM, 10)}-{_r(r, DIGITS, 13)}-{_r(r, HEX, 64)}",
    "slack-webhook": lambda r: (f"https://hooks.slack.com/services/T{_r(r, UPPERNUM, 8)}/"
                                f"B{_r(r, UPPERNUM, 10)}/{_mixed(r, ALNUM, 24)}"),
    "discord-webhook": lambda r: (f"https://discord.com/api/webhooks/{_r(r, DIGITS, 19)}/"
                                  f"{_mixed(r, B64URL, 68)}"),
    "discord-bot": lambda r: (
        base64.b64encode(str(r.randint(10**17, 10**19 - 1)).encode()).decode().rstrip("=")
        + f".{_r(r, B64URL, 6)}.{_mixed(r, B64URL, 38)}"),
    "teams-webhook": lambda r: (
        f"https://acme.webhook.office.com/webhookb2/{_uuid(r)}@{_uuid(r)}/IncomingWebhook/"
        f"{_r(r, HEX, 32)}/{_uuid(r)}"),
    "stripe-live": lambda r: (r.choice(["sk_live_", "rk_live_"])
                              + _mixed(r, ALNUM, r.choice([24, 99]))),
    "stripe-webhook": lambda r: "whsec_" + _mixed(r, ALNUM, 32),
    "twilio-api-key": lambda r: "SK" + _mixed(r, HEX, 32),
    "sendgrid": lambda r: "SG." + _mixed(r, B64URL, 22) + "." + _mixed(r, B64URL, 43),
    "mailgun": lambda r: "key-" + _mixed(r, HEX, 32),
    "mailchimp": lambda r: _mixed(r, HEX, 32) + "-us" + str(r.randint(1, 21)),
    "npm": lambda r: "npm_" + _mixed(r, ALNUM, 36),
    "pypi": lambda r: "pypi-AgEIcHlwaS5vcmc" + _r(r, B64URL, r.randint(150, 200)),
    "rubygems": lambda r: "rubygems_" + _r(r, HEX, 48),
    "nuget": lambda r: "oy2" + _mixed(r, LOWERNUM, 43),
    "dockerhub": lambda r: "dckr_pat_" + _mixed(r, B64URL, 27),
    "atlassian": lambda r: "ATATT3xFfGF0" + _mixed(r, B64URL, 171) + "=" + _r(r, HEX, 8).upper(),
    "new-relic": lambda r: "NRAK-" + _mixed(r, UPPERNUM, 27),
    "sentry-user": lambda r: "sntryu_" + _r(r, HEX, 64),
    "digitalocean": lambda r: "dop_v1_" + _r(r, HEX, 64),
    "supabase": lambda r: "sbp_" + _r(r, HEX, 40),
    "shopify": lambda r: r.choice(["shpat_", "shpss_", "shpca_"]) + _r(r, HEX, 32),
    "square": lambda r: "EAAA" + _mixed(r, B64URL, 60),
    "braintree": lambda r: f"access_token$production${_r(r, LOWERNUM, 16)}${_r(r, HEX, 32)}",
    "vault": lambda r: "hvs." + _mixed(r, B64URL, 90),
    "terraform": lambda r: _mixed(r, ALNUM, 14) + ".atlasv1." + _mixed(r, B64URL, 67),
    "doppler": lambda r: "dp.pt." + _mixed(r, ALNUM, 43),
    "linear": lambda r: "lin_api_" + _mixed(r, ALNUM, 40),
    "notion": lambda r: "ntn_" + _r(r, DIGITS, 11) + _mixed(r, ALNUM, 35),
    "airtable": lambda r: "pat" + _mixed(r, ALNUM, 14) + "." + _r(r, HEX, 64),
    "figma": lambda r: "figd_" + _mixed(r, B64URL, 40),
    "grafana": lambda r: "glsa_" + _mixed(r, ALNUM, 32) + "_" + _r(r, HEX, 8),
    "postman": lambda r: "PMAK-" + _r(r, HEX, 24) + "-" + _r(r, HEX, 34),
    "databricks": lambda r: "dapi" + _r(r, HEX, 32),
    "jwt": _jwt,
    "age": lambda r: "AGE-SECRET-KEY-1" + _r(r, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
    "telegram": lambda r: f"{r.randint(10**8, 10**10 - 1)}:AA{_mixed(r, B64URL, 33)}",
    "azure-ad-secret": lambda r: (_r(r, ALNUM, 3) + str(r.randint(0, 9)) + "Q~"
                                  + _mixed(r, ALNUM + "_~.-", 34)),
}

# Values that only a name next to them identifies (no recognisable prefix).
CONTEXT_TOKENS: dict[str, tuple[TokenGen, tuple[str, ...]]] = {
    "aws-secret-key": (_aws_secret, ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key",
                                     "SecretAccessKey")),
    "datadog": (lambda r: _r(r, HEX, 32), ("DD_API_KEY", "datadog_api_key")),
    "cloudflare": (lambda r: _mixed(r, B64URL, 40), ("CLOUDFLARE_API_TOKEN", "cloudflare_token")),
    "heroku": (_uuid, ("HEROKU_API_KEY",)),
    "okta": (lambda r: "00" + _mixed(r, B64URL, 40), ("OKTA_API_TOKEN", "oktaApiToken")),
    "twilio-auth": (lambda r: _r(r, HEX, 32), ("TWILIO_AUTH_TOKEN",)),
    "azure-storage": (lambda r: _mixed(r, B64, 86) + "==", ("AccountKey", "AZURE_STORAGE_KEY")),
    "cohere": (lambda r: _mixed(r, ALNUM, 40), ("COHERE_API_KEY", "CO_API_KEY")),
    "mistral": (lambda r: _mixed(r, ALNUM, 32), ("MISTRAL_API_KEY",)),
    "vercel": (lambda r: _mixed(r, ALNUM, 24), ("VERCEL_TOKEN",)),
    "pagerduty": (lambda r: _mixed(r, B64URL, 20), ("PAGERDUTY_API_KEY",)),
    "generic-api-key": (lambda r: _mixed(r, ALNUM, r.randint(24, 48)),
                        ("API_KEY", "api_key", "apiKey", "X-API-Key", "SERVICE_TOKEN",
                         "auth_token", "client_secret", "SECRET_KEY", "access_token",
                         "INTERNAL_API_SECRET", "webhookSecret")),
    "password": (lambda r: _mixed(r, ALNUM + "!#%&*?@^-_", r.randint(10, 20)),
                 ("DB_PASSWORD", "password", "PASSWORD", "smtp_password", "adminPassword",
                  "POSTGRES_PASSWORD", "spring.datasource.password", "redis_pass" + "word")),
}

NAMES: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",), "openai-legacy": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",), "huggingface": ("HF_TOKEN", "HUGGINGFACEHUB_API_TOKEN"),
    "replicate": ("REPLICATE_API_TOKEN",), "groq": ("GROQ_API_KEY",),
    "perplexity": ("PERPLEXITY_API_KEY",), "xai": ("XAI_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",), "aws-access-key": ("AWS_ACCESS_KEY_ID", "aws_access_key_id"),
    "gcp-api-key": ("GOOGLE_API_KEY", "GEMINI_API_KEY"), "google-oauth-secret": ("client_secret",),
    "github-pat": ("GITHUB_TOKEN", "GH_TOKEN"), "github-oauth": ("GITHUB_OAUTH_TOKEN",),
    "github-app": ("GITHUB_TOKEN",), "github-fine-grained": ("GH_TOKEN",),
    "gitlab-pat": ("GITLAB_TOKEN",), "gitlab-deploy": ("CI_DEPLOY_TOKEN",),
    "gitlab-runner": ("RUNNER_TOKEN",), "gitlab-trigger": ("TRIGGER_TOKEN",),
    "slack-bot": ("SLACK_BOT_TOKEN",), "slack-user": ("SLACK_USER_TOKEN",),
    "slack-app": ("SLACK_APP_TOKEN",), "slack-webhook": ("SLACK_WEBHOOK_URL",),
    "discord-webhook": ("DISCORD_WEBHOOK",), "discord-bot": ("DISCORD_BOT_TOKEN",),
    "teams-webhook": ("TEAMS_WEBHOOK_URL",), "stripe-live": ("STRIPE_SECRET_KEY",),
    "stripe-webhook": ("STRIPE_WEBHOOK_SECRET",), "twilio-api-key": ("TWILIO_API_KEY",),
    "sendgrid": ("SENDGRID_API_KEY",), "mailgun": ("MAILGUN_API_KEY",),
    "mailchimp": ("MAILCHIMP_API_KEY",), "npm": ("NPM_TOKEN",), "pypi": ("TWINE_PASSWORD",),
    "rubygems": ("GEM_HOST_API_KEY",), "nuget": ("NUGET_API_KEY",),
    "dockerhub": ("DOCKERHUB_TOKEN",), "atlassian": ("JIRA_API_TOKEN", "CONFLUENCE_TOKEN"),
    "new-relic": ("NEW_RELIC_API_KEY",), "sentry-user": ("SENTRY_AUTH_TOKEN",),
    "digitalocean": ("DIGITALOCEAN_TOKEN",), "supabase": ("SUPABASE_ACCESS_TOKEN",),
    "shopify": ("SHOPIFY_ACCESS_TOKEN",), "square": ("SQUARE_ACCESS_TOKEN",),
    "braintree": ("BRAINTREE_ACCESS_TOKEN",), "vault": ("VAULT_TOKEN",),
    "terraform": ("TF_TOKEN_app_terraform_io",), "doppler": ("DOPPLER_TOKEN",),
    "linear": ("LINEAR_API_KEY",), "notion": ("NOTION_TOKEN",), "airtable": ("AIRTABLE_TOKEN",),
    "figma": ("FIGMA_TOKEN",), "grafana": ("GRAFANA_TOKEN",), "postman": ("POSTMAN_API_KEY",),
    "databricks": ("DATABRICKS_TOKEN",), "jwt": ("ACCESS_TOKEN", "id_token"),
    "age": ("SOPS_AGE_KEY",), "telegram": ("TELEGRAM_BOT_TOKEN",),
    "azure-ad-secret": ("AZURE_CLIENT_SECRET",),
}

# --------------------------------------------------------------------------- contexts
# A context renders one (name, value) pair into a text and returns the value's span.
Render = Callable[[random.Random, str, str], tuple[str, int, int]]


def _place(before: str, value: str, after: str) -> tuple[str, int, int]:
    return before + value + after, len(before), len(before) + len(value)


def _env_file(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    pre = r.choice(["# production settings\n", "", "APP_ENV=production\nLOG_LEVEL=info\n"])
    post = r.choice(["\nPORT=8080\n", "\nDEBUG=false", "\nFEATURE_FLAGS=search,beta\n"])
    return _place(f"{pre}{name}=", value, post)


def _export(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    q = r.choice(['"', "'", ""])
    return _place(f"$ export {name}={q}", value, f"{q}\n$ python deploy.py --env prod")


def _yaml(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    q = r.choice(['"', ""])
    key = name.lower()
    return _place(f"service:\n  name: billing\n  {key}: {q}", value, f"{q}\n  timeout: 30\n")


def _json(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    key = name.lower() if r.random() < 0.5 else name
    return _place('{\n  "region": "eu-west-1",\n  "' + key + '": "', value, '",\n  "retries": 3\n}')


def _json_escaped(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    inner_pre = f'{{"files": {{".env": "NODE_ENV=production\\n{name}='
    return _place(inner_pre, value, '\\nPORT=3000\\n"}}')


def _python(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    var = name.lower()
    return _place(f"import requests\n\n{var} = \"", value,
                  f"\"\nresp = requests.get(URL, headers={{\"X-Token\": {var}}})\n")


def _js(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    var = "".join(p.capitalize() if i else p.lower() for i, p in enumerate(name.split("_")))
    return _place(f"const {var} = '", value, "';\nexport default { " + var + " };")


def _go(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place(f'const {name.title().replace("_", "")} = "', value, '"\n')


def _prose(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    before = r.choice([
        f"I keep getting 401 Unauthorized. This is my {name}: ",
        "Can you check why this request fails? I'm using ",
        f"Here is the config we use in staging, {name} = ",
        "my key is ",
        "Please debug this. Token: ",
    ])
    after = r.choice([" - what am I doing wrong?", ". Thanks!", "\nThe error is: invalid_auth", ""])
    return _place(before, value, after)


def _log(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    ts = f"2024-0{r.randint(1, 9)}-1{r.randint(0, 9)}T1{r.randint(0, 9)}:2{r.randint(0, 9)}:00Z"
    return _place(f"{ts} DEBUG config loaded {name.lower()}=", value,
                  f" request_id={_uuid(r)} latency_ms={r.randint(3, 900)}")


def _csv(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place(f"service,owner,{name.lower()},rotated\nbilling,ops@example.com,", value,
                  f",2024-03-0{r.randint(1, 9)}\n")


def _email(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place("Hi team,\n\nthe new credential for the integration is below, please store it "
                  f"in the vault:\n\n{name}: ", value, "\n\nBest,\nDana\n")


def _markdown(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place("Why does this docker compose file not start?\n\n```yaml\nservices:\n  api:\n"
                  f"    image: acme/api:1.4.2\n    environment:\n      - {name}=", value,
                  "\n```\n")


def _docker(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place(f"docker run -d -e {name}=", value, " -p 8080:8080 acme/api:latest")


NAMED_CONTEXTS: dict[str, Render] = {
    "env": _env_file, "export": _export, "yaml": _yaml, "json": _json,
    "json-escaped": _json_escaped, "python": _python, "js": _js, "go": _go, "log": _log,
    "csv": _csv, "email": _email, "markdown": _markdown, "docker": _docker,
}
BARE_CONTEXTS: dict[str, Render] = {"prose": _prose}


def _special_samples(rng: random.Random) -> list[SecretSample]:
    """Secrets that come with their own context: keys, URLs, headers, commands."""
    out: list[SecretSample] = []

    def add(text: str, value: str, kind: str, context: str) -> None:
        start = text.index(value)
        out.append(SecretSample(text, (Span(start, start + len(value), kind),), context))

    for _ in range(12):
        for kind in ("rsa", "ec", "pkcs8", "openssh"):
            key = _pem(rng, kind, escaped=False)
            add(f"Why does ssh say 'invalid format' for this key?\n\n{key}\n", key,
                "private-key", "pem")
            ekey = _pem(rng, kind, escaped=True)
            add('{"type": "service_account", "project_id": "demo-483", "private_key": "'
                + ekey + '\\n", "client_email": "ci@demo-483.iam.gserviceaccount.com"}',
                ekey, "private-key", "pem-json")
        # GCP service-account key id next to it
        kid = _r(rng, HEX, 40)
        add('{"type": "service_account", "private_key_id": "' + kid + '", "project_id": "x"}',
            kid, "gcp-key-id", "json")
    schemes = ["postgresql", "mysql", "mongodb+srv", "redis", "amqps", "mssql"]
    for _ in range(30):
        pw = _mixed(rng, ALNUM, rng.randint(12, 24))
        scheme = rng.choice(schemes)
        user = rng.choice(["app", "svc_orders", "admin_ro", "etl"])
        add(f"DATABASE_URL={scheme}://{user}:{pw}@db-{rng.randint(1, 9)}.internal:5432/orders",
            pw, "database-url", "env")
        pw2 = _mixed(rng, ALNUM, rng.randint(12, 20))
        add(f"git clone https://deploy-bot:{pw2}@git.example.org/platform/infra.git", pw2,
            "url-basic-auth", "shell")
        token = _mixed(rng, B64URL, rng.randint(32, 64))
        add(f"curl -sS -H 'Authorization: Bearer {token}' https://api.example.net/v2/orders", token,
            "bearer", "curl")
        cpw = _mixed(rng, ALNUM, 14)
        add(f"curl -u svc-export:{cpw} https://reports.example.net/export.csv -o out.csv",
            f"svc-export:{cpw}", "curl-user", "curl")
        sas = _mixed(rng, B64, 43)
        add("https://acmestore.blob.core.windows.net/exports/q3.parquet?sv=2022-11-02&ss=b&srt=o"
            f"&sp=r&se=2025-01-01T00:00:00Z&spr=https&sig={sas}%3D", sas, "azure-sas", "url")
        ppw = _mixed(rng, ALNUM + "!#%", 12)
        add(f"The VPN password is {ppw} until Friday, please don't share it.", ppw, "password",
            "prose")
    return out


def _secret_samples(rng: random.Random, per_type: int) -> list[SecretSample]:
    samples: list[SecretSample] = []
    named = list(NAMED_CONTEXTS.items())
    for kind, gen in TOKENS.items():
        for i in range(per_type):
            value = gen(rng)
            if i % 4 == 3:
                ctx_name, render = rng.choice(list(BARE_CONTEXTS.items()))
                text, s, e = render(rng, rng.choice(NAMES[kind]), value)
            else:
                ctx_name, render = named[(i + len(kind)) % len(named)]
                text, s, e = render(rng, rng.choice(NAMES[kind]), value)
            samples.append(SecretSample(text, (Span(s, e, kind),), ctx_name))
    # A value that only its name identifies needs the name on the same line: in a CSV the
    # name is a column header lines away, which no rule can tie to the value (known gap).
    same_line = [(n, f) for n, f in named if n != "csv"]
    for kind, (gen, names) in CONTEXT_TOKENS.items():
        for i in range(per_type):
            value = gen(rng)
            ctx_name, render = same_line[(i * 3 + len(kind)) % len(same_line)]
            text, s, e = render(rng, rng.choice(names), value)
            samples.append(SecretSample(text, (Span(s, e, kind),), ctx_name))
    samples.extend(_special_samples(rng))
    # a few long prompts with several secrets in one text
    for _ in range(40):
        parts: list[str] = ["Please review this deployment script before I run it:\n\n"]
        spans: list[Span] = []
        for kind in rng.sample(sorted(TOKENS), 3):
            value = TOKENS[kind](rng)
            line_pre = f"export {rng.choice(NAMES[kind])}="
            offset = sum(len(p) for p in parts) + len(line_pre)
            parts.append(f"{line_pre}{value}\n")
            spans.append(Span(offset, offset + len(value), kind))
        parts.append("./deploy.sh --region eu-central-1 --replicas 3\n")
        samples.append(SecretSample("".join(parts), tuple(spans), "multi"))
    return samples


# --------------------------------------------------------------------------- benign


def _sha(rng: random.Random, n: int = 40) -> str:
    return _r(rng, HEX, n)


def _benign_generators() -> list[tuple[str, Callable[[random.Random], str]]]:
    return [
        ("uuid-log", lambda r: (f"2024-05-1{r.randint(0, 9)} 12:0{r.randint(0, 9)}:11 INFO "
                                f"request_id={_uuid(r)} user_id={_uuid(r)} status=200 "
                                f"path=/api/v1/orders/{r.randint(1000, 99999)}")),
        ("git", lambda r: (f"commit {_sha(r)}\nAuthor: Sam Lee <sam@example.com>\nDate:   Tue "
                           f"May 14 10:2{r.randint(0, 9)}:00 2024\n\n    Fix race in cache "
                           f"invalidation (#{r.randint(100, 9999)})\n\nCan you explain what "
                           f"this commit changes? It reverts {_sha(r)[:12]}.")),
        ("sha256", lambda r: (f"Downloaded terraform_1.{r.randint(3, 9)}.{r.randint(0, 9)}"
                              f"_linux_amd64.zip\nsha256: {_sha(r, 64)}\nDoes this checksum "
                              f"match the release page?")),
        ("docker-digest", lambda r: (f"image: ghcr.io/acme/api@sha256:{_sha(r, 64)}\n"
                                     "Why does my pod pull a different digest than the tag?")),
        ("versions", lambda r: (f"We upgraded from 2.{r.randint(0, 9)}.{r.randint(0, 20)} to "
                                f"3.{r.randint(0, 4)}.{r.randint(0, 9)}-rc.{r.randint(1, 5)}; "
                                f"python==3.12.{r.randint(0, 4)}, numpy>=1.26.{r.randint(0, 4)}. "
                                "Any breaking changes?")),
        ("orders", lambda r: (f"Customer asks about order ORD-2024-{r.randint(100000, 999999)} "
                              f"and invoice INV{r.randint(10**9, 10**10 - 1)}; tracking "
                              f"1Z{_r(r, UPPERNUM, 16)}. Draft a polite reply.")),
        ("doc-examples", lambda r: r.choice([
            "In the AWS docs the example key is AKIAIOSFODNN7EXAMPLE with secret "
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY. How do I configure the CLI profile?",
            "Set OPENAI_API_KEY=sk-xxxx in your shell and run the script.",
            "export ANTHROPIC_API_KEY=${ANTHROPIC_API_KEY}\npython app.py",
            "Replace <YOUR_API_KEY> with the key from the dashboard: api_key: <YOUR_API_KEY>",
            "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx # put your token here",
            'headers = {"Authorization": f"Bearer {token}"}',
            "stripe.api_key = 'sk_test_...'  # your test key",
            "DB_PASSWORD=changeme\nDB_USER=postgres",
            "password: ********",
            "Use `curl -u \"$USER:$PASSWORD\" https://api.example.com` to authenticate.",
            "token: {{ .Values.apiToken }}",
            "SECRET_KEY = os.environ.get('SECRET_KEY')",
            "const apiKey = process.env.OPENAI_API_KEY;",
            "api_key = os.getenv(\"MISTRAL_API_KEY\")",
            "client = OpenAI()  # reads OPENAI_API_KEY from the environment",
            "aws_secret_access_key = <your secret key>",
        ])),
        ("base64-image", lambda r: (
            "Why is this image not rendering in my email template? <img src=\"data:image/png;"
            f"base64,iVBORw0KGgoAAAANSUhEUgAA{_r(r, B64, r.randint(200, 600))}=\">")),
        ("long-identifiers", lambda r: r.choice([
            "AbstractSingletonProxyFactoryBeanConfigurationProviderImplementationTest fails "
            "with NullPointerException in setUpTestFixtureDependencies",
            "Rename getUserAccountPreferencesNotificationSettingsForTenant to something shorter",
            "The column customer_lifetime_value_estimate_quarterly_adjusted is null",
            f"Bucket name acme-prod-analytics-exports-eu-west-1-{r.randint(10**11, 10**12)}",
        ])),
        ("ssh-public", lambda r: (f"Add this to authorized_keys: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"
                                  f"AAAAI{_r(r, B64, 38)} sam@laptop")),
        ("cert", lambda r: ("Is this certificate expired?\n-----BEGIN CERTIFICATE-----\n"
                            f"MIIDdzCCAl+gAwIBAgIE{_r(r, B64, 44)}\n{_r(r, B64, 64)}\n"
                            f"{_r(r, B64, 40)}==\n-----END CERTIFICATE-----")),
        ("public-key", lambda r: ("public_key: |\n  -----BEGIN PUBLIC KEY-----\n  "
                                  f"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA{_r(r, B64, 20)}\n"
                                  "  -----END PUBLIC KEY-----")),
        ("code-env", lambda r: r.choice([
            "import os\n\nDB_PASSWORD = os.environ[\"DB_PASSWORD\"]\nconn = psycopg.connect("
            "host=HOST, password=DB_PASSWORD)\n# why does this hang?",
            "def login(username: str, password: str) -> bool:\n    hashed = "
            "bcrypt.hashpw(password.encode(), bcrypt.gensalt())\n    return check(username, "
            "hashed)",
            "token = jwt.encode(payload, settings.SECRET_KEY, algorithm=\"HS256\")",
            "if (password.length < 12) { return 'Password must have at least 12 characters'; }",
            "@app.post('/login')\nasync def login(form: OAuth2PasswordRequestForm = Depends()):"
            "\n    user = authenticate(form.username, form.password)",
            "response = client.chat.completions.create(model=\"gpt-4o\", max_tokens=1024, "
            "temperature=0.2, messages=messages)",
            "{\"access_token\": \"<redacted>\", \"token_type\": \"Bearer\", \"expires_in\": 3600}",
            "cache_key = f\"user:{user_id}:profile:v2\"\nredis.set(cache_key, payload, ex=300)",
            "idempotency_key = str(uuid.uuid4())",
            "password_hash = models.CharField(max_length=128)",
            "kubectl create secret generic db --from-literal=password=$DB_PASSWORD",
            "const token = await getAccessTokenSilently();",
            "secret_name = \"prod/payments/stripe\"\nresp = sm.get_secret_value(SecretId="
            "secret_name)",
        ])),
        ("integrity", lambda r: (f'"lodash": {{\n  "version": "4.17.{r.randint(10, 21)}",\n  '
                                 f'"resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21'
                                 f'.tgz",\n  "integrity": "sha512-{_r(r, B64, 86)}=="\n}}')),
        ("urls", lambda r: (f"https://www.example.com/products/{r.randint(1000, 9999)}"
                            "?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale_"
                            f"{r.randint(1, 9)}&gclid={_r(r, B64URL, 40)}")),
        ("doc-ids", lambda r: (f"Summarise https://docs.google.com/document/d/{_r(r, B64URL, 44)}"
                               f"/edit and the video https://youtu.be/{_r(r, B64URL, 11)}")),
        ("csv", lambda r: "id,name,email,amount,created\n" + "\n".join(
            f"{r.randint(1, 99999)},Customer {i},c{i}@example.com,{r.randint(1, 999)}."
            f"{r.randint(10, 99)},2024-0{r.randint(1, 9)}-1{r.randint(0, 9)}" for i in range(8))),
        ("email", lambda r: (f"Hi Maria,\n\nthanks for the call. Ticket #{r.randint(10000, 99999)} "
                             "is resolved: the password reset link expired after 24 hours, so "
                             "I sent a new one. Your account ID is "
                             f"{r.randint(10**7, 10**8)}.\n\nRegards,\nTom")),
        ("security-questions", lambda r: r.choice([
            "How should I rotate AWS access keys without downtime?",
            "What's the difference between an API key and an OAuth access token?",
            "Explain how JWT signature verification works with RS256.",
            "Where should a Kubernetes app read its database password from?",
            "Write a regex that validates a password has at least one digit.",
            "Is it safe to put a Stripe publishable key in frontend code?",
            "My GitHub token expired, how do I create a fine-grained one?",
            "What does the error 'invalid_client: client secret is wrong' mean?",
        ])),
        ("minified", lambda r: ("function(e){var t=e.key||e.keyCode;return t===13?n(e):"
                                f"void 0}};var a=\"{_r(r, ALNUM, 24)}\";module.exports=a;")),
        ("hex-dump", lambda r: ("Memory at 0x7ffd" + _r(r, HEX, 8) + ": " + " ".join(
            _r(r, HEX, 8) for _ in range(8)) + "\nWhat does this crash dump mean?")),
        ("translation", lambda r: r.choice([
            "Translate to German: 'Please enter your password to continue.'",
            "Translate: 'The access token has expired. Sign in again.'",
            "Rewrite: our secret sauce is customer obsession and a key differentiator.",
        ])),
        ("k8s-configmap", lambda r: ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n"
                                     f"data:\n  LOG_LEVEL: info\n  FEATURE_X: \"true\"\n  "
                                     f"BUILD: \"{_sha(r, 12)}\"\n")),
        ("math", lambda r: (f"Solve for x: {r.randint(2, 9)}x + {r.randint(1, 50)} = "
                            f"{r.randint(60, 200)}. Show the steps.")),
        ("terraform", lambda r: ("resource \"aws_s3_bucket\" \"logs\" {\n  bucket = "
                                 f"\"acme-logs-{r.randint(1000, 9999)}\"\n  tags = {{ owner = "
                                 "\"platform\" }\n}\nvariable \"db_password\" {\n  type      = "
                                 "string\n  sensitive = true\n}")),
        ("nlp-tokens", lambda r: r.choice([
            "The tokenizer splits 'unbelievable' into tokens: ['un', '##believ', '##able']. "
            "Why does token_ids = [101, 4895, 2571, 102] have four entries?",
            f"generate(input_ids, max_new_tokens={r.choice([128, 256, 512])}, top_k=50, "
            "pad_token_id=tokenizer.eos_token_id)",
            "How many tokens is a 10,000-word document for GPT-4o? Is a token about 4 chars?",
            f"tokens_used: {r.randint(1000, 99999)}\nprompt_tokens: {r.randint(100, 999)}",
            "special_tokens_map.json sets bos_token, eos_token, unk_token to <s>, </s>, <unk>.",
        ])),
        ("object-keys", lambda r: r.choice([
            f'{{"Bucket": "acme-invoices", "Key": "uploads/2024/0{r.randint(1, 9)}/invoice_'
            f'{r.randint(1000, 9999)}.pdf", "ContentType": "application/pdf"}}',
            f'redis-cli GET session:{_r(r, LOWERNUM, 8)}:cart  # returns nil, why?',
            f'"key": "checkout.button.label.{r.choice(["confirm", "cancel", "retry"])}"',
            f"const publishableKey = 'pk_live_{_r(r, ALNUM, 24)}';",
            f'<div class="g-recaptcha" data-sitekey="6Lc{_r(r, B64URL, 37)}"></div>',
            f"state={_r(r, ALNUM, 16)}&code_challenge_method=S256&response_type=code",
            f"etag: \"{_sha(r)}\"\nlast-modified: Tue, 14 May 2024 10:00:00 GMT",
            f"arn:aws:iam::{r.randint(10**11, 10**12 - 1)}:role/ci-deployer",
            f"token_expiry: 2024-0{r.randint(1, 9)}-01T12:00:00Z\nrefresh_interval: 3600",
            "secretKeyRef:\n  name: db-credentials\n  key: password",
            "token: ${{ secrets.GITHUB_TOKEN }}",
            "password = var.db_password",
            f"sentry_dsn: https://{_r(r, HEX, 32)}@o{r.randint(10**5, 10**6)}.ingest.sentry.io/"
            f"{r.randint(10**5, 10**6)}",
        ])),
        ("placeholders", lambda r: r.choice([
            "api_key: YOUR_API_KEY_HERE",
            "Authorization: Bearer YOUR_ACCESS_TOKEN",
            "password=<password>",
            "token = \"<insert token>\"",
            "export SLACK_BOT_TOKEN=xoxb-your-token",
            "client_secret: '${CLIENT_SECRET}'",
            "private_key: \"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n\"",
            "DATABASE_URL=postgres://user:password@localhost:5432/app",
            "REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379/0",
        ])),
    ]


def _benign_samples(rng: random.Random, count: int) -> list[BenignSample]:
    gens = _benign_generators()
    out: list[BenignSample] = []
    for i in range(count):
        name, gen = gens[i % len(gens)]
        out.append(BenignSample(gen(rng), name))
    return out


# --------------------------------------------------------------------------- without a prefix
# Issue 11: credentials that only their name, their place in a URL or a neighbouring
# identifier make recognisable, vendor tokens of every generation, and hard benign text
# from real clients. Written before the rules were tuned on them; values are random.

SYMBOLS = "!#%&*?@^-_+=."
WORDS = ("Summer", "Harbor", "Falcon", "Maple", "Orchid", "Winter", "Copper", "Velvet",
         "Tiger", "Nimbus", "Quartz", "Saffron", "Lantern", "Pebble", "Juniper")


def _key_value(r: random.Random) -> str:
    """An API key, token or signing secret without a vendor prefix."""
    shape = r.randrange(8)
    if shape == 0:
        return _mixed(r, HEX, 32)
    if shape == 1:
        return _mixed(r, HEX, 40)
    if shape == 2:
        return _mixed(r, HEX, 64)
    if shape == 3:
        return _mixed(r, ALNUM, r.randint(20, 48))
    if shape == 4:
        return _mixed(r, B64, 40)
    if shape == 5:
        return _mixed(r, B64URL, r.randint(32, 64))
    if shape == 6:
        return _uuid(r)
    return "-".join(_mixed(r, ALNUM, 4) for _ in range(r.randint(4, 6)))


def _password_value(r: random.Random) -> str:
    """A password as people and generators write them."""
    shape = r.randrange(5)
    if shape == 0:
        return _mixed(r, ALNUM + SYMBOLS, r.randint(10, 24))
    if shape == 1:  # Word + year + symbol
        return f"{r.choice(WORDS)}{r.randint(1970, 2030)}{r.choice('!#$%&*?')}"
    if shape == 2:  # leet speak
        word = r.choice(WORDS).lower()
        leet = word.translate(str.maketrans("aeios", "43105"))
        return leet.capitalize() + r.choice("!#&*") + str(r.randint(10, 99))
    if shape == 3:
        return _mixed(r, ALNUM, r.randint(8, 16))
    return f"{r.choice(WORDS).lower()}-{r.choice(WORDS)}-{r.randint(10, 999)}"


KEY_NAMES = ("API_KEY", "api_key", "apiKey", "ApiKey", "SERVICE_TOKEN", "auth_token",
             "AUTH_TOKEN", "access_token", "accessToken", "client_secret", "clientSecret",
             "CLIENT_SECRET", "SECRET_KEY", "secret_key", "ACCESS_KEY", "access_key",
             "app_secret", "APP_KEY", "signing_secret", "WEBHOOK_SECRET", "JWT_SECRET",
             "ENCRYPTION_KEY", "MASTER_KEY", "SESSION_SECRET", "bot_token", "REFRESH_TOKEN",
             "LICENSE_KEY", "PRIVATE_TOKEN", "x_api_key", "SENDER_API_TOKEN",
             "PAYMENT_GATEWAY_SECRET", "INTERNAL_AUTH_TOKEN", "partnerApiKey")
PASSWORD_NAMES = ("password", "PASSWORD", "DB_PASSWORD", "db_pass", "DB_PASS",
                  "MYSQL_ROOT_PASSWORD", "passwd", "pwd", "PGPASSWORD", "admin_pass",
                  "SMTP_PASS", "redisPassword", "mail_password", "passphrase", "KEYSTORE_PASS",
                  "ldap_bind_password", "adminPwd", "POSTGRES_PASSWORD")


def _words_of(name: str) -> list[str]:
    """API_KEY, apiKey, api_key -> ["api", "key"]."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]


def _snake(name: str) -> str:
    return "_".join(_words_of(name))


def _upper(name: str) -> str:
    return _snake(name).upper()


def _camel(name: str) -> str:
    words = _words_of(name)
    return words[0] + "".join(w.capitalize() for w in words[1:])


def _pascal(name: str) -> str:
    return "".join(w.capitalize() for w in _words_of(name))


def _kebab(name: str) -> str:
    return "-".join(_words_of(name))


def _q(r: random.Random, quotes: str = "\"'") -> str:
    return r.choice(quotes)


# Each renders (name, value) in one syntax; the value's span is returned.
def _g_dotenv(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    q = r.choice(['"', "'", "", ""])
    return _place(f"# {r.choice(['staging', 'prod', 'local'])}\nAPP_NAME=billing\n"
                  f"{_upper(name)}={q}", value, f"{q}\nLOG_LEVEL=warn\n")


def _g_export(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    q = r.choice(['"', "'", ""])
    return _place(f"export {_upper(name)}={q}", value, f"{q}\n./run-sync.sh")


def _g_yaml(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    q = r.choice(['"', "'", ""])
    key = r.choice([_snake(name), _camel(name)])
    return _place(f"integrations:\n  partner:\n    url: https://partner.example.net\n"
                  f"    {key}: {q}", value, f"{q}\n    retries: 2\n")


def _g_json(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    key = r.choice([_snake(name), _camel(name), _upper(name)])
    return _place('{"endpoint": "https://hooks.example.org", "' + key + '": "', value,
                  '", "enabled": true}')


def _g_toml(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place(f"[service]\nname = \"sync\"\n{_snake(name)} = \"", value,
                  "\"\nport = 8443\n")


def _g_ini(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place(f"[{r.choice(['database', 'smtp', 'api', 'auth'])}]\nhost = 10.2.0.15\n"
                  f"{_snake(name)} = ", value, "\ntimeout = 30\n")


def _g_properties(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    prefix = r.choice(["app.partner.", "spring.datasource.", "mail.smtp.", ""])
    return _place(f"server.port=8080\n{prefix}{_snake(name).replace('_', '.')}=", value,
                  "\nlogging.level.root=INFO\n")


def _g_py_assign(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    q = _q(r)
    return _place(f"import httpx\n\n{_upper(name)} = {q}", value,
                  f"{q}\nBASE_URL = \"https://api.partner.io/v2\"\n")


def _g_py_kwargs(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    q = _q(r)
    return _place("client = PartnerClient(\n    base_url=\"https://api.partner.io\",\n"
                  f"    {_snake(name)}={q}", value, f"{q},\n    timeout=30,\n)\n")


def _g_js_object(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    q = _q(r, "'\"`")
    return _place(f"const config = {{\n  region: 'eu-west-1',\n  {_camel(name)}: {q}", value,
                  f"{q},\n}};\nmodule.exports = config;\n")


def _g_ts_const(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    q = _q(r)
    return _place(f"export const {_upper(name)} = {q}", value, f"{q};\n")


def _g_go(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    if r.random() < 0.5:
        return _place(f"cfg := partner.Config{{\n\tEndpoint: \"https://api.partner.io\",\n"
                      f"\t{_pascal(name)}: \"", value, "\",\n}\n")
    return _place(f"{_camel(name)} := \"", value, "\"\nclient := partner.New(" + _camel(name)
                  + ")\n")


def _g_java(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    shape = r.randrange(3)
    if shape == 0:
        return _place(f"private static final String {_upper(name)} = \"", value, "\";\n")
    if shape == 1:
        return _place(f"config.set{_pascal(name)}(\"", value, "\");\nconfig.setTimeout(30);\n")
    return _place("PartnerClient client = PartnerClient.builder()\n    .endpoint(URL)\n"
                  f"    .{_camel(name)}(\"", value, "\")\n    .build();\n")


def _g_csharp(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    if r.random() < 0.5:
        return _place(f"options.{_pascal(name)} = \"", value, "\";\n")
    return _place(f"var client = new PartnerClient({_camel(name)}: \"", value, "\");\n")


def _g_php(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    if r.random() < 0.5:
        return _place(f"return [\n    'host' => 'db.internal',\n    '{_snake(name)}' => '", value,
                      "',\n];\n")
    return _place(f"define('{_upper(name)}', '", value, "');\n")


def _g_ruby(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    if r.random() < 0.5:
        return _place(f"Partner.configure do |config|\n  config.{_snake(name)} = '", value,
                      "'\nend\n")
    return _place(f"client = Partner::Client.new({_snake(name)}: \"", value, "\")\n")


def _g_powershell(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place(f"$env:{_upper(name)} = \"", value, "\"\n.\\deploy.ps1 -Environment prod\n")


def _g_dockerfile(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    sep = r.choice(["=", " "])
    return _place(f"FROM python:3.12-slim\nENV {_upper(name)}{sep}", value,
                  "\nCOPY . /app\nCMD [\"python\", \"main.py\"]\n")


def _g_k8s_env(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    q = r.choice(['"', ""])
    return _place("    containers:\n      - name: api\n        env:\n"
                  f"          - name: {_upper(name)}\n            value: {q}", value,
                  f"{q}\n          - name: LOG_LEVEL\n            value: info\n")


def _g_actions(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place(f"jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      "
                  f"{_upper(name)}: ", value, "\n    steps:\n      - run: make deploy\n")


def _g_terraform(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place(f"provider \"partner\" {{\n  endpoint = \"https://api.partner.io\"\n"
                  f"  {_snake(name)} = \"", value, "\"\n}\n")


def _g_xml(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    if r.random() < 0.5:
        return _place(f"<configuration>\n  <{_camel(name)}>", value,
                      f"</{_camel(name)}>\n</configuration>")
    return _place(f"<appSettings>\n  <add key=\"{_pascal(name)}\" value=\"", value,
                  "\" />\n</appSettings>")


def _g_cli_flag(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    words = _words_of(name)
    flag = "password" if any(w.startswith("pass") or w == "pwd" for w in words) else \
        r.choice(["api-key", "token", "auth-token", "client-secret", "secret", "access-token"])
    sep = r.choice(["=", " "])
    tool = r.choice(["partnerctl login", "./sync --env prod", "deploy-tool push",
                     "java -jar exporter.jar"])
    return _place(f"{tool} --{flag}{sep}", value, " --verbose")


def _g_log(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place(f"ts=2024-11-0{r.randint(1, 9)}T08:1{r.randint(0, 9)}:00Z level=debug "
                  f"msg=\"partner call\" {_snake(name)}=", value,
                  f" attempt={r.randint(1, 3)} status=401")


def _g_prose(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    word = " ".join(_words_of(name))
    before = r.choice([f"the {word} is ", f"here is the {word}: ", f"{word} -> ",
                       f"I rotated the {word}, new one: ", f"can you check if this {word} works? "])
    return _place(before, value, r.choice(["", " thanks", ". It fails with 403."]))


def _g_markdown_table(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place("| variable | value |\n|---|---|\n| REGION | eu-west-1 |\n"
                  f"| {_upper(name)} | ", value, " |\n")


def _g_json_escaped(r: random.Random, name: str, value: str) -> tuple[str, int, int]:
    return _place('{"role": "tool", "content": "$ cat .env\\nNODE_ENV=production\\n'
                  f"{_upper(name)}=", value, '\\nPORT=3000\\n"}')


GENERIC_CONTEXTS: dict[str, Render] = {
    "dotenv": _g_dotenv, "export": _g_export, "yaml": _g_yaml, "json": _g_json,
    "toml": _g_toml, "ini": _g_ini, "properties": _g_properties, "py-assign": _g_py_assign,
    "py-kwargs": _g_py_kwargs, "js-object": _g_js_object, "ts-const": _g_ts_const,
    "go": _g_go, "java": _g_java, "csharp": _g_csharp, "php": _g_php, "ruby": _g_ruby,
    "powershell": _g_powershell, "dockerfile": _g_dockerfile, "k8s-env": _g_k8s_env,
    "actions": _g_actions, "terraform": _g_terraform, "xml": _g_xml, "cli-flag": _g_cli_flag,
    "log": _g_log, "prose": _g_prose, "markdown-table": _g_markdown_table,
    "json-escaped": _g_json_escaped,
}

HEADER_NAMES = ("X-API-Key", "X-Api-Token", "Api-Key", "api-key", "X-Auth-Token",
                "PRIVATE-TOKEN", "X-Access-Token", "X-Secret", "Authorization: Bearer",
                "Authorization: Token", "X-Partner-Key", "Ocp-Apim-Subscription-Key")


def _header_samples(r: random.Random, count: int) -> list[SecretSample]:
    out = []
    for i in range(count):
        header = HEADER_NAMES[i % len(HEADER_NAMES)]
        value = _key_value(r)
        name, _, scheme = header.partition(": ")
        prefix = f"{scheme} " if scheme else ""
        q = r.choice(["'", '"'])
        shape = i % 3
        if shape == 0:
            text, s, e = _place(f"curl -s -X POST -H {q}Content-Type: application/json{q} "
                                f"-H {q}{name}: {prefix}", value,
                                f"{q} https://api.partner.io/v1/sync -d @body.json")
        elif shape == 1:
            text, s, e = _place(f"POST /v1/sync HTTP/1.1\nHost: api.partner.io\n{name}: {prefix}",
                                value, "\nContent-Type: application/json\n\n{\"full\": true}")
        else:
            text, s, e = _place(f"resp = requests.get(url, headers={{\"{name}\": \"{prefix}",
                                value, "\"})")
        out.append(SecretSample(text, (Span(s, e, "generic-header"),),
                                f"header:{('curl', 'http', 'requests')[shape]}"))
    return out


def _password_command_samples(r: random.Random, count: int) -> list[SecretSample]:
    """Passwords given to the tools that take them positionally or with a short flag."""
    out = []
    for i in range(count):
        pw = _password_value(r)
        pw_shell = pw.replace("'", "")
        shape = i % 6
        if shape == 0:
            q = r.choice(["'", ""])
            text, s, e = _place(f"mysql -h db.internal -u root -p{q}", pw_shell,
                                f"{q} orders < dump.sql")
        elif shape == 1:
            text, s, e = _place("sshpass -p '", pw_shell, "' ssh deploy@10.0.4.12 'sudo systemctl "
                                "restart api'")
        elif shape == 2:
            text, s, e = _place("redis-cli -h cache.internal -a ", pw_shell,
                                " --no-auth-warning PING")
        elif shape == 3:
            text, s, e = _place("$secure = ConvertTo-SecureString \"", pw,
                                "\" -AsPlainText -Force\n$cred = New-Object PSCredential('svc', "
                                "$secure)")
        elif shape == 4:
            text, s, e = _place("Server=tcp:sql01.acme.local,1433;Database=Billing;User ID=app;"
                                "Password=", pw.replace(";", ""), ";Encrypt=True;")
        else:
            text, s, e = _place("var cred = new NetworkCredential(\"svc-mailer\", \"", pw,
                                "\");\nsmtp.Credentials = cred;")
        tool = ("mysql", "sshpass", "redis-cli", "powershell", "connection-string",
                "network-credential")[shape]
        out.append(SecretSample(text, (Span(s, e, "generic-password"),), f"command:{tool}"))
    return out


def _credential_file_samples(r: random.Random, count: int) -> list[SecretSample]:
    """Credential files people paste whole: .netrc, .pgpass, Docker config.json, .npmrc,
    a kubeconfig with its client key."""
    out = []
    for i in range(count):
        pw = _password_value(r).replace(":", "")
        shape = i % 5
        if shape == 0:
            text, s, e = _place(f"machine {r.choice(['api.heroku.com', 'git.acme.io'])}\n  login "
                                f"{r.choice(['ops@acme.io', 'deploy'])}\n  password ", pw, "\n")
        elif shape == 1:
            text, s, e = _place(f"$ cat ~/.pgpass\ndb-{r.randint(1, 9)}.internal:5432:orders:app:",
                                pw, "\n")
        elif shape == 2:
            auth = base64.b64encode(f"ci-bot:{pw}".encode()).decode()
            text, s, e = _place('{"auths": {"registry.acme.io": {"auth": "', auth, '"}}}')
        elif shape == 3:
            auth = base64.b64encode(f"deploy:{pw}".encode()).decode()
            text, s, e = _place("registry=https://npm.acme.io/\nalways-auth=true\n_auth=", auth,
                                "\n")
        else:
            key = base64.b64encode(_pem(r, r.choice(["rsa", "ec", "pkcs8"]), False).encode()
                                   ).decode()
            text, s, e = _place("users:\n- name: admin\n  user:\n    client-certificate-data: "
                                "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n    client-key-data: ",
                                key, "\n")
        kind = ("netrc", "pgpass", "docker-auth", "npmrc-auth", "kubeconfig-key")[shape]
        out.append(SecretSample(text, (Span(s, e, kind),), f"file:{kind}"))
    return out


# URL schemes people put credentials in, with and without a driver.
URL_SCHEMES = ("postgresql+psycopg2", "postgresql+asyncpg", "postgresql", "postgres",
               "mysql+pymysql", "mysql+mysqldb", "mariadb+mariadbconnector", "mssql+pyodbc",
               "oracle+oracledb", "cockroachdb+psycopg2", "mongodb+srv", "mongodb", "redis",
               "rediss", "amqp", "amqps", "nats", "kafka", "ldap", "ldaps", "ftp", "sftp",
               "smtp", "smtps", "imaps", "https", "http", "git+https", "svn+ssh", "ssh",
               "clickhouse+native", "snowflake", "sqlserver", "db2+ibm_db", "neo4j+s",
               "couchbase", "influxdb", "mqtt", "socks5h", "jdbc:mysql")
URL_HOSTS = ("db.internal:5432/orders", "10.0.3.7:3306/app", "localhost/analytics",
             "cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority",
             "broker.acme.io:5672/vhost", "cache.acme.io:6380/0", "git.acme.io/platform/api.git",
             "mail.acme.io:465", "pypi.acme.io/simple", "acme-prod.eu-west-1.rds.amazonaws.com/x")


def _url_password(r: random.Random) -> str:
    pw = _password_value(r)
    # Characters a URL cannot hold raw are percent-encoded, as people do.
    return "".join(c if c.isalnum() or c in "-_.~" else f"%{ord(c):02X}" for c in pw)


def _url_samples(r: random.Random, count: int) -> list[SecretSample]:
    out = []
    for i in range(count):
        scheme = URL_SCHEMES[i % len(URL_SCHEMES)]
        user = r.choice(["app", "svc_orders", "admin", "etl_user", "deploy", "reporting",
                         "ops%40acme.io", ""]) if scheme.startswith("redis") else \
            r.choice(["app", "svc_orders", "admin", "etl_user", "deploy", "reporting"])
        pw = _url_password(r)
        url_pre = f"{scheme}://{user}:"
        url_post = f"@{r.choice(URL_HOSTS)}"
        shape = r.randrange(8)
        if shape == 0:
            pre, post = f"DATABASE_URL={url_pre}", url_post + "\n"
        elif shape == 1:
            pre, post = f"engine = create_engine(\"{url_pre}", url_post + "\", pool_size=5)"
        elif shape == 2:
            pre, post = f"[alembic]\nsqlalchemy.url = {url_pre}", url_post + "\n"
        elif shape == 3:
            pre, post = f"spring:\n  broker:\n    url: {url_pre}", url_post + "\n"
        elif shape == 4:
            pre, post = '{"dsn": "' + url_pre, url_post + '", "pool": 10}'
        elif shape == 5:
            pre, post = f"why does this fail? `{url_pre}", url_post + "` times out"
        elif shape == 6:
            pre, post = f"services:\n  worker:\n    environment:\n      - BROKER_URL={url_pre}", \
                url_post + "\n"
        else:
            pre, post = f"mongoose.connect('{url_pre}", url_post + "');"
        text, s, e = _place(pre, pw, post)
        out.append(SecretSample(text, (Span(s, e, "url-password"),), f"url:{scheme}"))
    return out


def _pair_samples(r: random.Random, count: int) -> list[SecretSample]:
    """A weak-looking secret beside the identifier it belongs to, without a name."""
    out: list[SecretSample] = []

    def add(template: str, value: str, kind: str, context: str) -> None:
        start = template.index("{V}")
        text = template.replace("{V}", value)
        out.append(SecretSample(text, (Span(start, start + len(value), kind),),
                                f"pair:{context}"))

    for i in range(count):
        sid = "AC" + _r(r, HEX, 32)
        token = _r(r, HEX, 32)
        twilio = [
            f'from twilio.rest import Client\nclient = Client("{sid}", "{{V}}")\n',
            f"const client = require('twilio')('{sid}', '{{V}}');\n",
            f'TwilioClient.Init("{sid}", "{{V}}");\n',
            f'$twilio = new Client("{sid}", "{{V}}");\n',
            f"@client = Twilio::REST::Client.new('{sid}', '{{V}}')\n",
            f'Twilio.init("{sid}", "{{V}}");\n',
            f"Twilio account {sid} with token {{V}} - why do SMS sends fail?",
        ]
        add(twilio[i % len(twilio)], token, "pair-twilio", "twilio")
        akid = r.choice(["AKIA", "ASIA"]) + _r(r, BASE32, 16)
        secret = _aws_secret(r)
        aws = [
            f'AWSCredentials creds = new BasicAWSCredentials("{akid}", "{{V}}");\n',
            f'creds := credentials.NewStaticCredentials("{akid}", "{{V}}", "")\n',
            f"const creds = new AWS.Credentials('{akid}', '{{V}}');\n",
            f"Access key ID,Secret access key\n{akid},{{V}}\n",
            f"User name,Password,Access key ID,Secret access key,Console login link\n"
            f"ci-bot,,{akid},{{V}},https://acme.signin.aws.amazon.com/console\n",
            f"s3 = boto3.client('s3', 'eu-west-1', None, True, True, None, '{akid}', '{{V}}')",
            f"keys for the bucket: {akid} / {{V}}",
        ]
        add(aws[i % len(aws)], secret, "pair-aws", "aws")
        cid = _uuid(r)
        csecret = _mixed(r, ALNUM + "-_~.", r.randint(24, 40))
        client = [
            f'resp = requests.post(TOKEN_URL, auth=("{cid}", "{{V}}"), data=body)\n',
            f'credential = ClientSecretCredential("{_uuid(r)}", "{cid}", "{{V}}")\n',
            f'auth = HTTPBasicAuth("{cid}", "{{V}}")\n',
            f'client_id = "{cid}"\nsession = OAuth2Session(client_id)\ntoken = '
            f'session.fetch_token(TOKEN_URL, client_id=client_id, client_secret="{{V}}")\n',
        ]
        add(client[i % len(client)], csecret, "pair-client", "client-credentials")
        app_id = _r(r, UPPERNUM, 10)
        algolia_key = _r(r, HEX, 32)
        algolia = [
            f"const client = algoliasearch('{app_id}', '{{V}}');\n",
            f'client = SearchClient.create("{app_id}", "{{V}}")\n',
            f"ALGOLIA_APP_ID={app_id}\nALGOLIA_WRITE={{V}}\n",
        ]
        add(algolia[i % len(algolia)], algolia_key, "pair-algolia", "algolia")
        gid = f"{r.randint(10**11, 10**12 - 1)}-{_r(r, LOWERNUM, 32)}.apps.googleusercontent.com"
        gsecret = _mixed(r, B64URL, 24)
        google = [
            f'flow = OAuth2WebServerFlow("{gid}", "{{V}}", scope=SCOPES)\n',
            f"GOOGLE_CLIENT_ID={gid}\nGOOGLE_CLIENT_SECRET={{V}}\n",
            f'{{"web": {{"client_id": "{gid}", "project_id": "acme-1", '
            f'"client_secret": "{{V}}"}}}}',
        ]
        add(google[i % len(google)], gsecret, "pair-google", "google-oauth")
        skid = "SK" + _r(r, HEX, 32)
        ksecret = _mixed(r, ALNUM, 32)
        add(f'client = Client("{skid}", "{{V}}", "AC{_r(r, HEX, 32)}")\n', ksecret,
            "pair-twilio-key", "twilio-api-key")
    return out


# Vendor token families in the generations and lengths the base TOKENS leave out.
FAMILY_TOKENS: dict[str, tuple[TokenGen, tuple[str, ...]]] = {
    "vault-service-short": (lambda r: "hvs." + _mixed(r, ALNUM, 24), ("VAULT_TOKEN",)),
    "vault-service-long": (lambda r: "hvs.CAESI" + _mixed(r, B64URL, r.randint(86, 130)),
                           ("VAULT_TOKEN", "token")),
    "vault-batch": (lambda r: "hvb.AAAAAQ" + _mixed(r, B64URL, r.randint(110, 180)),
                    ("VAULT_TOKEN",)),
    "vault-recovery": (lambda r: "hvr." + _mixed(r, ALNUM, r.choice([24, 90])),
                       ("VAULT_RECOVERY_TOKEN",)),
    "vault-legacy": (lambda r: "s." + _mixed(r, ALNUM, 24), ("VAULT_TOKEN", "vault_token")),
    "github-refresh": (lambda r: "ghr_" + _mixed(r, ALNUM, 76), ("GITHUB_REFRESH_TOKEN",)),
    "gitlab-pat-routable": (lambda r: "glpat-" + _mixed(r, B64URL, r.randint(27, 60)) + ".01."
                            + _r(r, LOWERNUM, 7), ("GITLAB_TOKEN",)),
    "gitlab-feed": (lambda r: "glft-" + _mixed(r, B64URL, 20), ("GITLAB_FEED_TOKEN",)),
    "gitlab-scim": (lambda r: "glsoat-" + _mixed(r, B64URL, 20), ("GITLAB_SCIM_TOKEN",)),
    "gitlab-job": (lambda r: "glcbt-" + _r(r, HEX, 2) + "_" + _mixed(r, B64URL, 20),
                   ("CI_JOB_TOKEN",)),
    "slack-config": (lambda r: "xoxe.xoxp-1-" + _mixed(r, UPPERNUM, 164),
                     ("SLACK_CONFIG_TOKEN",)),
    "slack-refresh": (lambda r: "xoxe-1-" + _mixed(r, UPPERNUM, 146), ("SLACK_REFRESH_TOKEN",)),
    "stripe-test": (lambda r: "sk_test_" + _mixed(r, ALNUM, r.choice([24, 99])),
                    ("STRIPE_SECRET_KEY",)),
    "stripe-restricted": (lambda r: "rk_live_" + _mixed(r, ALNUM, 99), ("STRIPE_RESTRICTED_KEY",)),
    "openai-svcacct": (lambda r: "sk-svcacct-" + _r(r, B64URL, 74) + "T3BlbkFJ"
                       + _r(r, B64URL, 74), ("OPENAI_API_KEY",)),
    "openai-admin": (lambda r: "sk-admin-" + _r(r, B64URL, 74) + "T3BlbkFJ" + _r(r, B64URL, 74),
                     ("OPENAI_ADMIN_KEY",)),
    "anthropic-admin": (lambda r: "sk-ant-admin01-" + _r(r, B64URL, 93) + "AA",
                        ("ANTHROPIC_ADMIN_KEY",)),
    "hf-org": (lambda r: "api_org_" + _r(r, UPPER + LOWER, 34), ("HUGGINGFACE_ORG_TOKEN",)),
    "databricks-suffixed": (lambda r: "dapi" + _r(r, HEX, 32) + "-2", ("DATABRICKS_TOKEN",)),
    "google-oauth-access": (lambda r: "ya29." + _mixed(r, B64URL, r.randint(120, 200)),
                            ("GOOGLE_ACCESS_TOKEN",)),
    "npm-legacy-uuid": (_uuid, ("NPM_TOKEN",)),
    "slack-client": (lambda r: f"xoxc-{_r(r, DIGITS, 12)}-{_r(r, DIGITS, 13)}-{_r(r, DIGITS, 13)}-"
                     f"{_r(r, HEX, 64)}", ("SLACK_TOKEN",)),
    "openai-none": (lambda r: "sk-None-" + _r(r, B64URL, 40) + "T3BlbkFJ" + _r(r, B64URL, 40),
                    ("OPENAI_API_KEY",)),
    "pypi-test": (lambda r: "pypi-AgENdGVzdC5weXBpLm9yZw" + _r(r, B64URL, r.randint(100, 180)),
                  ("TWINE_PASSWORD",)),
    # AI services a proxy for AI traffic sees keys of most
    "nvidia": (lambda r: "nvapi-" + _mixed(r, B64URL, 64), ("NVIDIA_API_KEY",)),
    "tavily": (lambda r: "tvly-" + r.choice(["", "dev-", "prod-"]) + _mixed(r, ALNUM, 32),
               ("TAVILY_API_KEY",)),
    "pinecone": (lambda r: f"pcsk_{_mixed(r, ALNUM, 6)}_{_mixed(r, ALNUM, 64)}",
                 ("PINECONE_API_KEY",)),
    "langfuse": (lambda r: "sk-lf-" + _uuid(r), ("LANGFUSE_SECRET_KEY",)),
    "firecrawl": (lambda r: "fc-" + _mixed(r, HEX, 32), ("FIRECRAWL_API_KEY",)),
    "jina": (lambda r: "jina_" + _mixed(r, ALNUM, 60), ("JINA_API_KEY",)),
    "cerebras": (lambda r: "csk-" + _mixed(r, LOWERNUM, 48), ("CEREBRAS_API_KEY",)),
}

# Names people use in front of a family token, beyond the vendor's own variable.
FAMILY_CONTEXTS = ("env", "export", "yaml", "json", "python", "prose", "log", "markdown",
                   "json-escaped", "docker")


def _issue11_secret_samples(r: random.Random, per_context: int) -> list[SecretSample]:
    out: list[SecretSample] = []
    contexts = list(GENERIC_CONTEXTS.items())
    for ctx_name, render in contexts:
        for i in range(per_context):
            name = KEY_NAMES[(i * 7 + len(ctx_name)) % len(KEY_NAMES)]
            text, s, e = render(r, name, _key_value(r))
            out.append(SecretSample(text, (Span(s, e, "generic-key"),), f"generic:{ctx_name}"))
            name = PASSWORD_NAMES[(i * 5 + len(ctx_name)) % len(PASSWORD_NAMES)]
            text, s, e = render(r, name, _password_value(r))
            out.append(SecretSample(text, (Span(s, e, "generic-password"),),
                                    f"generic:{ctx_name}"))
    out += _header_samples(r, per_context * 6)
    out += _password_command_samples(r, per_context * 6)
    out += _credential_file_samples(r, per_context * 5)
    out += _url_samples(r, len(URL_SCHEMES) * 3)
    out += _pair_samples(r, per_context * 3)
    for kind, (gen, names) in FAMILY_TOKENS.items():
        for i in range(per_context):
            ctx_name = FAMILY_CONTEXTS[(i + len(kind)) % len(FAMILY_CONTEXTS)]
            render = NAMED_CONTEXTS.get(ctx_name) or BARE_CONTEXTS[ctx_name]
            text, s, e = render(r, r.choice(names), gen(r))
            out.append(SecretSample(text, (Span(s, e, kind),), f"family:{ctx_name}"))
    return out


# --------------------------------------------------------------------------- hard benign


def _tool_schema(r: random.Random) -> str:
    """A tool definition as coding agents send it: parameters named like secrets."""
    params = r.sample(["api_key", "token", "password", "client_secret", "access_token",
                       "secret_name", "private_key_path", "auth_token", "apiKey", "secretKey",
                       "query", "path", "timeout", "command"], 4)
    props = ", ".join(
        f'"{p}": {{"type": "string", "description": "The {p.replace("_", " ")} to use; read it '
        f'from the environment, never hard-code it."}}' for p in params)
    name = r.choice(["deploy_service", "call_partner_api", "rotate_credentials", "db_query",
                     "fetch_secret", "github_request"])
    if r.random() < 0.5:  # Anthropic shape
        return ('{"tools": [{"name": "' + name + '", "description": "Calls the service with '
                'the caller\'s credentials. The API key and token are injected by the host.", '
                '"input_schema": {"type": "object", "properties": {' + props + '}, '
                f'"required": ["{params[0]}"]}}}}]}}')
    return ('{"tools": [{"type": "function", "function": {"name": "' + name + '", '
            '"parameters": {"type": "object", "properties": {' + props + '}, '
            f'"required": ["{params[0]}", "{params[1]}"], "additionalProperties": false}}}}}}]}}')


def _system_prompt(r: random.Random) -> str:
    return r.choice([
        "You are an interactive CLI tool that helps users with software engineering tasks. "
        "IMPORTANT: Never introduce code that exposes or logs secrets and keys. Never commit "
        "secrets or keys to the repository. If a file contains an API key, token or password, "
        "do not print it. When the user asks to configure auth, tell them to set the "
        "API_KEY environment variable (export API_KEY=<your key>) instead of pasting it.",
        "# Environment\nWorking directory: /home/dev/project\nIs directory a git repo: Yes\n"
        "Platform: linux\nToday's date: 2025-06-1" + str(r.randint(0, 9)) + "\n"
        "gitStatus: M src/auth/token_store.py\n?? .env.example\n",
        "When you write code that needs credentials, read them with os.environ['SERVICE_TOKEN'] "
        "or process.env.SERVICE_TOKEN. Placeholders such as YOUR_API_KEY, <token>, ${SECRET} "
        "or sk-xxxx are fine in documentation.",
        "<system-reminder>The user opened the file config/settings.py in the IDE. token_budget: "
        f"{r.randint(10000, 200000)}; max_tokens: {r.choice([4096, 8192, 32000])}; "
        "key bindings: ctrl+k clears the input.</system-reminder>",
    ])


def _otlp(r: random.Random) -> str:
    now = r.randint(1_730_000_000, 1_760_000_000) * 10**9 + r.randint(0, 10**9 - 1)
    attrs = [("gen_ai.usage.input_tokens", f'{{"intValue": "{r.randint(10, 90000)}"}}'),
             ("auth.method", '{"stringValue": "api_key"}'),
             ("session.id", f'{{"stringValue": "{_uuid(r)}"}}'),
             ("user.account_uuid", f'{{"stringValue": "{_uuid(r)}"}}'),
             ("cache.key_hash", f'{{"stringValue": "{_sha(r, 64)}"}}'),
             ("token.type", '{"stringValue": "output"}')]
    attributes = ", ".join(f'{{"key": "{k}", "value": {v}}}' for k, v in r.sample(attrs, 4))
    return ('{"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": '
            '{"stringValue": "codex_cli_rs"}}]}, "scopeSpans": [{"spans": [{"traceId": "'
            + _sha(r, 32) + '", "spanId": "' + _sha(r, 16) + '", "name": "api_request", '
            f'"startTimeUnixNano": "{now}", "endTimeUnixNano": "{now + r.randint(10**6, 10**10)}", '
            f'"attributes": [{attributes}]}}]}}]}}]}}')


def _event_log(r: random.Random) -> str:
    return json.dumps({"events": [{
        "event_name": r.choice(["tengu_api_success", "tengu_tool_use", "session_start"]),
        "session_id": _uuid(r), "device_id": _sha(r, 64),
        "request_id": "req_011C" + _r(r, ALNUM, 20), "message_id": "msg_01" + _r(r, ALNUM, 22),
        "input_tokens": r.randint(1, 50000), "cache_read_input_tokens": r.randint(0, 90000),
        "prompt_cache_key": _uuid(r), "model": "claude-sonnet-4-5",
        "timestamp": f"2025-0{r.randint(1, 9)}-1{r.randint(0, 9)}T10:00:00.{r.randint(100, 999)}Z",
    }]})


def _env_reference(r: random.Random) -> str:
    name = r.choice(KEY_NAMES + PASSWORD_NAMES)
    up, sn, cm = _upper(name), _snake(name), _camel(name)
    return r.choice([
        f"{sn} = os.environ[\"{up}\"]",
        f"{sn} = os.getenv('{up}', '')",
        f"{up} = env('{up}')",
        f"{sn} = settings.{up}",
        f"{sn} = config['{sn}']",
        f"const {cm} = process.env.{up} ?? '';",
        f"const {{ {up} }} = process.env;",
        f"{cm} := os.Getenv(\"{up}\")",
        f"String {cm} = System.getenv(\"{up}\");",
        f"var {cm} = Environment.GetEnvironmentVariable(\"{up}\");",
        f"{sn} = ENV.fetch(\"{up}\")",
        f"${cm} = getenv('{up}');",
        f"let {sn} = std::env::var(\"{up}\")?;",
        f"curl -H \"X-API-Key: ${up}\" https://api.partner.io",
        f"{sn}: ${{{{ secrets.{up} }}}}",
        f"{sn} = var.{sn}",
        f"{sn}: {{{{ .Values.{cm} }}}}",
        f"{up}: ${{{up}:-}}",
        f"{sn} = \"{{{{ {sn} }}}}\"",
        f"<%= ENV['{up}'] %>",
        f"- name: {up}\n  valueFrom:\n    secretKeyRef:\n      name: app-secrets\n      key: {sn}",
        f"{sn} = {sn}",
        f"client = PartnerClient({sn}={sn})",
        f"client = PartnerClient({sn}=self.{sn}, timeout=30)",
        f"return {{\"{sn}\": {cm}}}",
        f"{cm}: {cm},",
        f"{sn} = get_secret(\"prod/partner/{sn}\")",
        f"{sn} = keyring.get_password(\"partner\", \"svc\")",
        f"{sn} = getpass.getpass(\"{' '.join(_words_of(name))}: \")",
        f"{sn} = secrets.token_urlsafe(32)",
        f"export {up}=$(vault kv get -field={sn} secret/partner)",
        f"export {up}=\"$(cat /run/secrets/{sn})\"",
        f"{up}=$(aws ssm get-parameter --name /prod/{sn} --with-decryption --query "
        "Parameter.Value --output text)",
    ])


def _type_declaration(r: random.Random) -> str:
    name = r.choice(KEY_NAMES + PASSWORD_NAMES)
    sn, cm, pc = _snake(name), _camel(name), _pascal(name)
    return r.choice([
        f"def connect(host: str, user: str, {sn}: str) -> Connection:",
        f"    {sn}: Optional[str] = None",
        f"    {cm}?: string;",
        f"\t{pc} string `json:\"{sn}\" yaml:\"{sn}\"`",
        f"    private String {cm};",
        f"    public string {pc} {{ get; set; }}",
        f"{sn} = models.CharField(max_length=128)",
        f"{sn}: SecretStr = Field(..., description=\"{' '.join(_words_of(name))}\")",
        f"    {sn} VARCHAR(255) NOT NULL,",
        f"@property\ndef {sn}(self) -> str:\n    return self._{sn}",
        f"interface Config {{ {cm}: string; region: string }}",
    ])


PLACEHOLDER_VALUES = (
    "YOUR_API_KEY", "your-api-key", "<token>", "<YOUR_TOKEN_HERE>", "${SECRET}", "${API_TOKEN}",
    "$(cat ~/.token)", "{{ api_key }}", "********", "xxxxxxxxxxxxxxxx", "null", "true", "None",
    "changeme", "sk-xxxxxxxxxxxxxxxxxxxxxxxx", "EXAMPLE", "your_secret_here",
    "replace-with-your-token", "{token}", "%(password)s", "[REDACTED]", "REDACTED",
    "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "0000000000000000", "__API_KEY__", "<password>",
    "secret", "password", "TODO", "...", "sk-proj-...", "aaaaaaaaaaaaaaaaaaaa",
    "insert-key-here", "my-secret-token", "test", "dummy-token-for-tests", "<redacted>",
    "{{SECRET}}", "%API_KEY%", "@Password", ":password", "?", "$PASSWORD", "not-a-real-key",
)


def _placeholder(r: random.Random) -> str:
    name = r.choice(KEY_NAMES + PASSWORD_NAMES)
    value = r.choice(PLACEHOLDER_VALUES)
    render = r.choice(list(GENERIC_CONTEXTS.values()))
    text, _, _ = render(r, name, value)
    return text


def _placeholder_url(r: random.Random) -> str:
    scheme = r.choice(URL_SCHEMES)
    cred = r.choice(["user:password", "username:password", "<user>:<password>", "USER:PASS",
                     "admin:admin", "guest:guest", "postgres:postgres", "{user}:{password}",
                     "%s:%s", "${DB_USER}:${DB_PASSWORD}", "$PGUSER:$PGPASSWORD", "root:root",
                     "user:pass", ":password", "myuser:mypassword", "app:<password>",
                     "app:****", "app:xxxxxxxx", "{{ db_user }}:{{ db_password }}",
                     "db_user:YOUR_PASSWORD", "user:secret", "default:yourpassword"])
    return r.choice([f"DATABASE_URL={scheme}://{cred}@localhost:5432/app",
                     f"Connection strings look like {scheme}://{cred}@host:port/db.",
                     f"engine = create_engine(f\"{scheme}://{cred}@{{host}}/{{db}}\")"])


def _hash_labelled(r: random.Random) -> str:
    return r.choice([
        f'"sha": "{_sha(r)}", "commit": {{"tree": {{"sha": "{_sha(r)}"}}}}',
        f"etag: W/\"{_sha(r, 32)}\"",
        f'"checksum": "{_sha(r, 64)}"',
        f"md5sum: {_sha(r, 32)}  release.tar.gz",
        f'"content_hash": "{_sha(r, 64)}"',
        f"golang.org/x/crypto v0.{r.randint(10, 30)}.0 h1:{_r(r, B64, 43)}=",
        f"[[package]]\nname = \"serde\"\nversion = \"1.0.{r.randint(100, 220)}\"\nchecksum = "
        f"\"{_sha(r, 64)}\"",
        f"{{file = \"requests-2.32.{r.randint(0, 3)}-py3-none-any.whl\", hash = \"sha256:"
        f"{_sha(r, 64)}\"}}",
        f"requests==2.32.3 --hash=sha256:{_sha(r, 64)}",
        f"lodash@^4.17.21:\n  version \"4.17.21\"\n  resolved \"https://registry.yarnpkg.com/"
        f"lodash/-/lodash-4.17.21.tgz#{_sha(r)}\"\n  integrity sha512-{_r(r, B64, 86)}==",
        f'"digest": "sha256:{_sha(r, 64)}", "mediaType": "application/vnd.oci.image.manifest.v1'
        '+json"',
        f'<script src="app.js" integrity="sha384-{_r(r, B64, 64)}" crossorigin="anonymous">',
        f"Change-Id: I{_sha(r)}",
        f"git cat-file -p {_sha(r)}\ntree {_sha(r)}\nparent {_sha(r)}",
        f'"key_fingerprint": "SHA256:{_r(r, B64, 43)}"',
        f"cache-key: deps-{_sha(r, 64)}",
        f'"hash_key": "{_sha(r, 40)}"',
    ])


def _ids_labelled(r: random.Random) -> str:
    return r.choice([
        f'"key_id": "{_uuid(r)}"', f'"api_key_id": "{_uuid(r)}"',
        f'"kid": "{_sha(r, 40)}"', f'"token_id": "{_uuid(r)}"',
        f'"idempotency_key": "{_uuid(r)}"', f'"client_id": "{_uuid(r)}"',
        f'"publishable_key": "pk_live_{_r(r, ALNUM, 24)}"',
        f'"site_key": "6L{_r(r, B64URL, 38)}"', f'"trace_id": "{_sha(r, 32)}"',
        f'"token_expires_at": "2025-0{r.randint(1, 9)}-01T00:00:00Z"',
        f'"max_tokens": {r.randint(100, 9000)}, "tokens_used": {r.randint(1, 99999)}',
        f'"access_key_last_used": "2024-1{r.randint(0, 2)}-0{r.randint(1, 9)}"',
        f'"secret_arn": "arn:aws:secretsmanager:eu-west-1:{r.randint(10**11, 10**12 - 1)}:'
        f'secret:prod/db-{_r(r, ALNUM, 6)}"',
        f'"kms_key_id": "arn:aws:kms:eu-west-1:{r.randint(10**11, 10**12 - 1)}:key/{_uuid(r)}"',
        f'"token_count": {r.randint(1, 900)}, "token_type": "Bearer", "expires_in": 3600',
        f"key: {r.choice(['checkout.title', 'nav.home', 'errors.required'])}",
        f'"password_updated_at": "2024-0{r.randint(1, 9)}-1{r.randint(0, 9)}"',
        '"private_key_path": "/home/dev/.ssh/id_ed25519"',
        f'"session_token_ttl": {r.choice([900, 3600, 86400])}',
    ])


def _public_material(r: random.Random) -> str:
    return r.choice([
        '{"keys": [{"kty": "RSA", "kid": "' + _r(r, B64URL, 43) + '", "use": "sig", "alg": '
        '"RS256", "n": "' + _r(r, B64URL, 342) + '", "e": "AQAB"}]}',
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF" + _r(r, B64, 64) + "\n"
        + _r(r, B64, 64) + "\n=" + _r(r, B64, 4) + "\n-----END PGP PUBLIC KEY BLOCK-----",
        f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{_r(r, B64, 300)} deploy@ci",
        f'public_key: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE{_r(r, B64, 88)}"',
        f"[Peer]\nPublicKey = {_r(r, B64, 43)}=\nAllowedIPs = 10.8.0.0/24",
        f"age recipient: age1{_r(r, '023456789acdefghjklmnpqrstuvwxyz', 58)}",
        f"Send the refund to 0x{_sha(r, 40)} on mainnet.",
        f"BEGIN_PUBLIC_KEY={_r(r, B64, 60)}",
    ])


def _base64_benign(r: random.Random) -> str:
    prose = r.choice(["Quarterly revenue grew 12 percent on strong demand in Europe.",
                      "Please find attached the minutes of the steering committee meeting.",
                      '{"user": 42, "theme": "dark", "lang": "en"}'])
    blob = base64.b64encode((prose * r.randint(1, 4)).encode()).decode()
    return r.choice([
        f'{{"type": "document", "source": {{"type": "base64", "media_type": "text/plain", '
        f'"data": "{blob}"}}}}',
        f'"file_data": "data:text/plain;base64,{blob}"',
        f"state={blob.rstrip('=')}&redirect_uri=https%3A%2F%2Fapp.acme.io%2Fcb",
        f'"content": "{blob}", "encoding": "base64"',
    ])


def _doc_examples(r: random.Random) -> str:
    return r.choice([
        "aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE\naws configure set "
        "aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"  # the key from Stripe's docs",
        "client = OpenAI(api_key=\"sk-xxxx...\")\nresp = client.chat.completions.create(model="
        "\"gpt-4o\", messages=msgs)",
        "from twilio.rest import Client\naccount_sid = \"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"\n"
        "auth_token = \"your_auth_token\"\nclient = Client(account_sid, auth_token)",
        "vault login hvs.XXXXXXXXXXXXXXXXXXXXXXXX",
        "export VAULT_TOKEN=\"hvs.<token>\"",
        "postgresql+psycopg2://scott:tiger@localhost/mydatabase",
        "Incorrect API key provided: sk-proj-********************************************abcd. "
        "You can find your API key at https://platform.openai.com/account/api-keys.",
        "curl https://api.anthropic.com/v1/messages -H \"x-api-key: $ANTHROPIC_API_KEY\" "
        "-H \"anthropic-version: 2023-06-01\"",
        "const client = algoliasearch('YourApplicationID', 'YourWriteAPIKey');",
        "BasicAWSCredentials creds = new BasicAWSCredentials(accessKey, secretKey);",
        "client = Client(account_sid, auth_token)",
    ])


def _log_words(r: random.Random) -> str:
    return r.choice([
        f"2025-01-1{r.randint(0, 9)} INFO refreshing access token for user {r.randint(1, 9999)}",
        "WARN token expired at 2025-01-02T10:00:00Z, re-authenticating",
        "DEBUG key rotation finished: 3 keys rotated, 0 failed",
        "ERROR password reset email bounced for ticket " + str(r.randint(1000, 9999)),
        f"api_key_present=true api_key_source=env token_len={r.choice([40, 64])}",
        "Set the secret in the dashboard, then restart: the token is read at startup.",
        f"secret_version={r.randint(1, 40)} rotated_by=ops key_version=v{r.randint(1, 9)}",
        "passwordless login enabled for tenant eu-1; password_policy=strong",
    ])


HARD_BENIGN_GENERATORS: tuple[tuple[str, Callable[[random.Random], str]], ...] = (
    ("tool-schema", _tool_schema), ("system-prompt", _system_prompt), ("otlp", _otlp),
    ("event-log", _event_log), ("env-reference", _env_reference),
    ("type-declaration", _type_declaration), ("placeholder", _placeholder),
    ("placeholder-url", _placeholder_url), ("hash-labelled", _hash_labelled),
    ("ids-labelled", _ids_labelled), ("public-material", _public_material),
    ("base64-benign", _base64_benign), ("doc-examples", _doc_examples),
    ("log-words", _log_words),
)


def _hard_benign_samples(r: random.Random, count: int) -> list[BenignSample]:
    return [BenignSample(gen(r), f"hard:{name}")
            for i in range(count)
            for name, gen in (HARD_BENIGN_GENERATORS[i % len(HARD_BENIGN_GENERATORS)],)]


# --------------------------------------------------------------------------- entry point


def generate_corpus(seed: int = 20240601, per_type: int = 12, benign: int = 1200) -> Corpus:
    """Build the corpus. ``per_type`` secret samples per token type, ``benign`` benign ones,
    then the issue-11 samples (contexts named ``group:detail``): credentials without a
    prefix, URLs, pairs and token families (``per_type // 2`` per context) and hard
    benign text (``benign * 7 // 10``). The issue-11 part has its own random stream, so
    the first part is the same as before it existed."""
    rng = random.Random(seed)
    secrets_ = _secret_samples(rng, per_type)
    benign_ = _benign_samples(rng, benign)
    rng11 = random.Random(seed * 31 + 11)
    secrets_ += _issue11_secret_samples(rng11, max(1, per_type // 2))
    benign_ += _hard_benign_samples(rng11, benign * 7 // 10)
    return Corpus(tuple(secrets_), tuple(benign_))


@dataclass(frozen=True)
class CorpusScore:
    secrets_total: int
    secrets_found: int
    benign_total: int
    benign_touched: int
    missed: tuple[tuple[str, str], ...]  # (kind, context) of each missed secret
    touched: tuple[str, ...]  # benign contexts that produced a match

    @property
    def recall(self) -> float:
        return self.secrets_found / self.secrets_total if self.secrets_total else 1.0

    @property
    def benign_touched_rate(self) -> float:
        return self.benign_touched / self.benign_total if self.benign_total else 0.0


def score(corpus: Corpus, scan: Callable[[str], list]) -> CorpusScore:
    """Recall over secret spans (found = some match overlaps it) and benign texts touched."""
    total = found = 0
    missed: list[tuple[str, str]] = []
    for sample in corpus.secret_samples:
        matches = scan(sample.text)
        for span in sample.spans:
            total += 1
            if any(m.start < span.end and m.end > span.start for m in matches):
                found += 1
            else:
                missed.append((span.kind, sample.context))
    touched = [s.context for s in corpus.benign_samples if scan(s.text)]
    return CorpusScore(total, found, len(corpus.benign_samples), len(touched), tuple(missed),
                       tuple(touched))
