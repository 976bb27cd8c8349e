"""Credentials of many vendors and generations, synthesised with their real lengths,
alphabets and (where one exists) checksums, and the code, config and log text they are
pasted in."""

from __future__ import annotations

import base64
import json
import random
import string
import zlib
from collections.abc import Callable
from dataclasses import dataclass

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(width, "0")


def checksummed(rng: random.Random, prefix: str, body: int = 30) -> str:
    """GitHub/npm style: random base62 body + base62 CRC32 of it (6 characters)."""
    random_part = rand(rng, ALNUM, body)
    return prefix + random_part + base62(zlib.crc32(random_part.encode()), 6)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Secret:
    kind: str
    value: str
    env: str  # the variable name people give it
    partner: tuple[str, str, bool] | None = None  # (kind, value, is_secret) shown beside it


# --------------------------------------------------------------------------- generators
def _jwt(rng: random.Random) -> str:
    alg = rng.choice(["HS256", "RS256", "ES256"])
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = {"sub": str(rng.randint(10**6, 10**9)),
               "iat": rng.randint(1_700_000_000, 1_760_000_000),
               "exp": rng.randint(1_760_000_000, 1_800_000_000),
               "scope": rng.choice(["read write", "admin", "api"])}
    if rng.random() < 0.5:
        payload["iss"] = rng.choice(["https://auth.acme-corp.net/", "kubernetes/serviceaccount"])
    sig_len = {"HS256": 32, "RS256": 256, "ES256": 64}[alg]
    return (f"{header}.{b64url(json.dumps(payload, separators=(',', ':')).encode())}."
            f"{b64url(bytes(rng.getrandbits(8) for _ in range(sig_len)))}")


PEM_PREFIX = {
    "RSA PRIVATE KEY": ("MIIEpAIBAAKCAQEA", 1588),
    "PRIVATE KEY": ("MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ", 1624),
    "EC PRIVATE KEY": ("MHcCAQEEI", 164),
    "OPENSSH PRIVATE KEY": ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAA"
                            "tzc2gtZWQyNTUxOQAAACB", 396),
}


def pem(rng: random.Random, label: str | None = None) -> str:
    label = label or rng.choice(list(PEM_PREFIX))
    prefix, length = PEM_PREFIX[label]
    body = prefix + rand(rng, B64, length - len(prefix) - 2) + rng.choice(["==", "=A", "Aa"])
    width = 70 if label == "OPENSSH PRIVATE KEY" else 64
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def password(rng: random.Random) -> str:
    """A random credential value as people and generators make them."""
    k = rng.randrange(6)
    if k == 0:
        return rand(rng, HEX, rng.choice([32, 40, 64]))
    if k == 1:
        return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(rng.choice([24, 32])))
                                ).decode()
    if k == 2:
        return rand(rng, ALNUM, rng.randint(20, 40))
    if k == 3:
        return rand(rng, ALNUM + "!#%^*-_=+", rng.randint(12, 20))
    if k == 4:  # two words, digits and a symbol
        words = ["Harbor", "Quartz", "Falcon", "Maple", "Orbit", "Saffron", "Tundra", "Velvet"]
        return (rng.choice(words) + rng.choice("!#$%&*") + rng.choice(words).lower()
                + str(rng.randint(10, 9999)))
    return rand(rng, B64URL, rng.randint(24, 44))


DB_SCHEMES = [
    ("postgres", 5432), ("postgresql", 5432), ("postgresql+psycopg2", 5432),
    ("postgresql+asyncpg", 5432), ("mysql", 3306), ("mysql+pymysql", 3306),
    ("mysql+mysqldb", 3306), ("mariadb+mariadbconnector", 3306), ("mssql+pyodbc", 1433),
    ("oracle+cx_oracle", 1521), ("mongodb", 27017), ("mongodb+srv", 0), ("redis", 6379),
    ("rediss", 6380), ("amqp", 5672), ("amqps", 5671), ("clickhouse+native", 9000),
    ("cockroachdb", 26257),
]
HOSTS = ["db.internal.acme-corp.net", "orders-prod.c9akciq32xyz.us-east-1.rds.amazonaws.com",
         "pg-primary.svc.cluster.local", "mysql-01.lan", "cluster0.ab1cd.mongodb.net",
         "redis-cache.prod", "rabbitmq.messaging.svc", "sql-eu.database.windows.net"]
DB_USERS = ["app_user", "svc_orders", "admin", "postgres", "root", "reporting_ro", "etl",
            "billing"]


def db_url(rng: random.Random) -> tuple[str, str, str]:
    """(url, password, kind): the password, percent-escaped as needed, in the user-info."""
    scheme, port = rng.choice(DB_SCHEMES)
    pw = rand(rng, ALNUM, rng.randint(12, 28))
    if rng.random() < 0.25:
        pw = pw[:6] + rng.choice(["%40", "%21", "%23", "%2F"]) + pw[6:]
    user = rng.choice(DB_USERS)
    host = rng.choice(HOSTS)
    hostport = host if port == 0 or rng.random() < 0.3 else f"{host}:{port}"
    path = {"redis": "/0", "rediss": "/1", "amqp": "/prod", "amqps": "/"}.get(
        scheme, "/" + rng.choice(["orders", "crm", "analytics", "app"]))
    if scheme.startswith("redis") and rng.random() < 0.5:
        return f"{scheme}://:{pw}@{hostport}{path}", pw, "db-url-" + scheme
    return f"{scheme}://{user}:{pw}@{hostport}{path}", pw, "db-url-" + scheme


def _aws(rng: random.Random) -> Secret:
    key_id = rng.choice(["AKIA", "AKIA", "ASIA"]) + rand(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                                                         16)
    return Secret("aws-secret-access-key", rand(rng, ALNUM + "+/", 40), "AWS_SECRET_ACCESS_KEY",
                  ("aws-access-key-id", key_id, True))


def _twilio(rng: random.Random) -> Secret:
    sid = "AC" + rand(rng, HEX, 32)
    return Secret("twilio-auth-token", rand(rng, HEX, 32), "TWILIO_AUTH_TOKEN",
                  ("twilio-account-sid", sid, False))


def _vault(rng: random.Random) -> Secret:
    k = rng.randrange(6)
    if k == 0:
        v = "s." + rand(rng, ALNUM, 24)
    elif k == 1:
        v = "hvs." + rand(rng, ALNUM, 24)
    elif k == 2:
        v = "hvs.CAESI" + rand(rng, B64URL, rng.randint(80, 100))
    elif k == 3:
        v = "hvb.AAAAAQ" + rand(rng, B64URL, rng.randint(120, 140))
    elif k == 4:
        v = "hvr." + rand(rng, ALNUM, 24)
    else:
        v = "b.AAAAAQ" + rand(rng, B64URL, 110)
    return Secret("vault-token", v, "VAULT_TOKEN")


def _slack(rng: random.Random) -> Secret:
    k = rng.randrange(4)
    d = lambda n: rand(rng, string.digits, n)  # noqa: E731
    if k == 0:
        return Secret("slack-bot-token", f"xoxb-{d(rng.randint(10, 13))}-{d(13)}-"
                      f"{rand(rng, ALNUM, 24)}", "SLACK_BOT_TOKEN")
    if k == 1:
        return Secret("slack-user-token", f"xoxp-{d(12)}-{d(12)}-{d(13)}-{rand(rng, HEX, 32)}",
                      "SLACK_USER_TOKEN")
    if k == 2:
        return Secret("slack-app-token", f"xapp-1-A{rand(rng, UPPER_ALNUM, 10)}-{d(13)}-"
                      f"{rand(rng, HEX, 64)}", "SLACK_APP_TOKEN")
    return Secret("slack-webhook", f"https://hooks.slack.com/services/T{rand(rng, UPPER_ALNUM, 8)}"
                  f"/B{rand(rng, UPPER_ALNUM, 10)}/{rand(rng, ALNUM, 24)}", "SLACK_WEBHOOK_URL")


def _github(rng: random.Random) -> Secret:
    k = rng.randrange(4)
    if k == 0:
        return Secret("github-pat-classic", checksummed(rng, "ghp_"), "GITHUB_TOKEN")
    if k == 1:
        return Secret("github-pat-fine-grained", "github_pat_11" + rand(rng, UPPER_ALNUM, 20)
                      + "_" + rand(rng, ALNUM, 59), "GH_TOKEN")
    prefix = rng.choice(["gho_", "ghu_", "ghs_", "ghr_"])
    return Secret("github-" + prefix[:3], checksummed(rng, prefix), "GITHUB_TOKEN")


def _gitlab(rng: random.Random) -> Secret:
    k = rng.randrange(4)
    if k == 0:
        return Secret("gitlab-pat", "glpat-" + rand(rng, B64URL, 20), "GITLAB_TOKEN")
    if k == 1:
        return Secret("gitlab-runner-token", "glrt-" + rand(rng, B64URL, 20),
                      "CI_RUNNER_TOKEN")
    if k == 2:
        return Secret("gitlab-deploy-token", "gldt-" + rand(rng, B64URL, 20),
                      "GITLAB_DEPLOY_TOKEN")
    return Secret("gitlab-trigger-token", "glptt-" + rand(rng, HEX, 40), "TRIGGER_TOKEN")


def _openai(rng: random.Random) -> Secret:
    k = rng.randrange(4)
    marker = "T3BlbkFJ"
    if k == 0:
        v = "sk-" + rand(rng, ALNUM, 20) + marker + rand(rng, ALNUM, 20)
    elif k == 1:
        v = "sk-proj-" + rand(rng, B64URL, 74) + marker + rand(rng, B64URL, 74)
    elif k == 2:
        v = "sk-svcacct-" + rand(rng, B64URL, 74) + marker + rand(rng, B64URL, 74)
    else:
        v = "sk-admin-" + rand(rng, B64URL, 58) + marker + rand(rng, B64URL, 58)
    return Secret("openai-api-key", v, "OPENAI_API_KEY")


def _anthropic(rng: random.Random) -> Secret:
    kind = rng.choice(["api03", "api03", "admin01"])
    return Secret("anthropic-api-key", f"sk-ant-{kind}-" + rand(rng, B64URL, 93) + "AA",
                  "ANTHROPIC_API_KEY")


def _stripe(rng: random.Random) -> Secret:
    k = rng.randrange(4)
    if k == 0:
        return Secret("stripe-secret-key", "sk_live_" + rand(rng, ALNUM, 24), "STRIPE_SECRET_KEY")
    if k == 1:
        return Secret("stripe-secret-key", "sk_live_51" + rand(rng, ALNUM, 97),
                      "STRIPE_SECRET_KEY")
    if k == 2:
        return Secret("stripe-restricted-key", "rk_live_51" + rand(rng, ALNUM, 97),
                      "STRIPE_RESTRICTED_KEY")
    return Secret("stripe-webhook-secret", "whsec_" + rand(rng, ALNUM, 32),
                  "STRIPE_WEBHOOK_SECRET")


def _azure_storage(rng: random.Random) -> Secret:
    key = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode()
    return Secret("azure-storage-key", key, "AZURE_STORAGE_KEY")


def _generic(rng: random.Random) -> Secret:
    env = rng.choice(["API_TOKEN", "AUTH_TOKEN", "ACCESS_TOKEN", "CLIENT_SECRET", "APP_SECRET",
                      "SECRET_KEY", "SIGNING_KEY", "ENCRYPTION_KEY", "WEBHOOK_SECRET",
                      "DB_PASSWORD", "SMTP_PASSWORD", "ADMIN_PASSWORD", "REDIS_PASSWORD",
                      "JWT_SECRET", "SESSION_SECRET", "PARTNER_API_KEY", "INTERNAL_API_KEY",
                      "LDAP_BIND_PASSWORD", "KEYSTORE_PASS", "MASTER_KEY"])
    return Secret("generic-" + ("password" if "PASS" in env else "token"), password(rng), env)


def _simple(kind: str, env: str, make: Callable[[random.Random], str]):
    return lambda rng: Secret(kind, make(rng), env)


VENDORS: dict[str, Callable[[random.Random], Secret]] = {
    "aws": _aws,
    "github": _github,
    "gitlab": _gitlab,
    "slack": _slack,
    "stripe": _stripe,
    "twilio": _twilio,
    "vault": _vault,
    "openai": _openai,
    "anthropic": _anthropic,
    "google-api-key": _simple("google-api-key", "GOOGLE_API_KEY",
                              lambda r: "AIza" + rand(r, B64URL, 35)),
    "google-oauth-secret": _simple("google-oauth-client-secret", "GOOGLE_CLIENT_SECRET",
                                   lambda r: "GOCSPX-" + rand(r, B64URL, 28)),
    "jwt": _simple("jwt", "ACCESS_TOKEN", _jwt),
    "private-key": _simple("private-key", "PRIVATE_KEY", pem),
    "npm": _simple("npm-token", "NPM_TOKEN", lambda r: checksummed(r, "npm_")),
    "pypi": _simple("pypi-token", "PYPI_TOKEN", lambda r: "pypi-AgEIcHlwaS5vcmc" +
                    rand(r, B64URL, rng_len(r, 140, 180))),
    "sendgrid": _simple("sendgrid-api-key", "SENDGRID_API_KEY",
                        lambda r: f"SG.{rand(r, B64URL, 22)}.{rand(r, B64URL, 43)}"),
    "mailgun": _simple("mailgun-api-key", "MAILGUN_API_KEY",
                       lambda r: r.choice([f"key-{rand(r, HEX, 32)}",
                                           f"{rand(r, HEX, 32)}-{rand(r, HEX, 8)}-"
                                           f"{rand(r, HEX, 8)}"])),
    "datadog": lambda r: r.choice([Secret("datadog-api-key", rand(r, HEX, 32), "DD_API_KEY"),
                                   Secret("datadog-app-key", rand(r, HEX, 40), "DD_APP_KEY")]),
    "azure-storage": _azure_storage,
    "azure-ad-secret": _simple("azure-ad-client-secret", "AZURE_CLIENT_SECRET",
                               lambda r: rand(r, ALNUM, 3) + "8Q~" + rand(r, B64URL + ".~", 34)),
    "shopify": _simple("shopify-token", "SHOPIFY_ACCESS_TOKEN",
                       lambda r: r.choice(["shpat_", "shpss_", "shpca_"]) + rand(r, HEX, 32)),
    "huggingface": _simple("huggingface-token", "HF_TOKEN",
                           lambda r: "hf_" + rand(r, string.ascii_letters, 34)),
    "digitalocean": _simple("digitalocean-token", "DIGITALOCEAN_TOKEN",
                            lambda r: "dop_v1_" + rand(r, HEX, 64)),
    "discord": _simple("discord-bot-token", "DISCORD_TOKEN",
                       lambda r: b64url(str(r.randint(10**17, 10**18)).encode())
                       + "." + rand(r, B64URL, 6) + "." + rand(r, B64URL, 38)),
    "telegram": _simple("telegram-bot-token", "TELEGRAM_BOT_TOKEN",
                        lambda r: f"{r.randint(10**8, 10**10)}:AA{rand(r, B64URL, 33)}"),
    "postman": _simple("postman-api-key", "POSTMAN_API_KEY",
                       lambda r: f"PMAK-{rand(r, HEX, 24)}-{rand(r, HEX, 34)}"),
    "databricks": _simple("databricks-token", "DATABRICKS_TOKEN",
                          lambda r: "dapi" + rand(r, HEX, 32)),
    "newrelic": _simple("newrelic-user-key", "NEW_RELIC_API_KEY",
                        lambda r: "NRAK-" + rand(r, UPPER_ALNUM, 27)),
    "linear": _simple("linear-api-key", "LINEAR_API_KEY", lambda r: "lin_api_" + rand(r, ALNUM,
                                                                                      40)),
    "atlassian": _simple("atlassian-api-token", "JIRA_API_TOKEN",
                         lambda r: "ATATT3xFfGF0" + rand(r, B64URL, 170) + "="
                         + rand(r, UPPER_ALNUM, 8)),
    "grafana": _simple("grafana-service-account-token", "GRAFANA_TOKEN",
                       lambda r: "glsa_" + rand(r, ALNUM, 32) + "_" + rand(r, HEX, 8)),
    "groq": _simple("groq-api-key", "GROQ_API_KEY", lambda r: "gsk_" + rand(r, ALNUM, 52)),
    "docker": _simple("docker-hub-pat", "DOCKERHUB_TOKEN",
                      lambda r: "dckr_pat_" + rand(r, B64URL, 27)),
    "age": _simple("age-secret-key", "AGE_KEY", lambda r: "AGE-SECRET-KEY-1"
                   + rand(r, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
    "square": _simple("square-access-token", "SQUARE_ACCESS_TOKEN",
                      lambda r: r.choice(["EAAA", "sq0atp-"]) + rand(r, B64URL, 60)),
    "terraform": _simple("terraform-cloud-token", "TFE_TOKEN",
                         lambda r: rand(r, ALNUM, 14) + ".atlasv1." + rand(r, ALNUM, 67)),
    "pulumi": _simple("pulumi-token", "PULUMI_ACCESS_TOKEN", lambda r: "pul-" + rand(r, HEX, 40)),
    "okta": _simple("okta-api-token", "OKTA_API_TOKEN", lambda r: "00" + rand(r, B64URL, 40)),
    "alibaba": lambda r: Secret("alibaba-access-key-secret", rand(r, ALNUM, 30),
                                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                                ("alibaba-access-key-id", "LTAI" + rand(r, ALNUM, 20), True)),
    "cloudflare": _simple("cloudflare-api-token", "CLOUDFLARE_API_TOKEN",
                          lambda r: rand(r, B64URL, 40)),
    "replicate": _simple("replicate-token", "REPLICATE_API_TOKEN",
                         lambda r: "r8_" + rand(r, ALNUM, 37)),
    "sentry": _simple("sentry-auth-token", "SENTRY_AUTH_TOKEN",
                      lambda r: "sntryu_" + rand(r, HEX, 64)),
    "facebook": _simple("facebook-access-token", "FB_ACCESS_TOKEN",
                        lambda r: "EAACEdEose0cBA" + rand(r, ALNUM, rng_len(r, 120, 180))),
    "oauth-client": lambda r: Secret("oauth-client-secret", rand(r, B64URL, 40),
                                     "OAUTH_CLIENT_SECRET",
                                     ("oauth-client-id", f"{r.randint(10**11, 10**12)}-"
                                      f"{rand(r, string.ascii_lowercase + string.digits, 32)}"
                                      ".apps.example-idp.com", False)),
    "generic": _generic,
}


def rng_len(rng: random.Random, lo: int, hi: int) -> int:
    return rng.randint(lo, hi)


# Kinds planted only through their own templates (URLs and connection strings).
URL_KINDS = ("db-url", "basic-auth-url", "azure-connection-string")
