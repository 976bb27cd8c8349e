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


# --------------------------------------------------------------------------- entry point


def generate_corpus(seed: int = 20240601, per_type: int = 12, benign: int = 1200) -> Corpus:
    """Build the corpus. ``per_type`` secret samples per token type, ``benign`` benign ones."""
    rng = random.Random(seed)
    secrets_ = tuple(_secret_samples(rng, per_type))
    benign_ = tuple(_benign_samples(rng, benign))
    return Corpus(secrets_, benign_)


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
