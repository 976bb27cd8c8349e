"""Code, config, shell and log text with credentials in it: each template says where the
secret (``<<v>>``) and its partner (``<<p>>``, an access key id beside its secret, an
account SID beside its token) sit."""

from __future__ import annotations

import random
import re

from .credentials import ALNUM, HEX, VENDORS, Secret, db_url, password, rand
from .model import Doc, Val, fill

ASKS = ["Why does this return 401?", "Refactor this to read settings from the environment.",
        "Convert this to a Kubernetes manifest.", "What does this log mean?",
        "Fix the bug in this snippet:", "Can you add retries here?", "Review this config:",
        "Translate this script to Python.", "Why is the deploy failing?",
        "Explain what this does line by line.", "Warum schlägt das fehl?",
        "¿Por qué falla esta llamada?", "Pourquoi cette requête échoue ?"]


def camel(env: str) -> str:
    parts = env.lower().split("_")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


# Generic places any credential goes, by its variable name; (layout tag, template).
GENERIC = [
    ("env", "# .env.production\nNODE_ENV=production\nPORT=8080\n<<ENV>>=<<v>>\nLOG_LEVEL=info\n"),
    ("env", "APP_NAME=billing\n<<ENV>>=\"<<v>>\"\nFEATURE_FLAGS=beta,search\n"),
    ("shell", "export <<ENV>>=\"<<v>>\"\n./scripts/deploy.sh --env staging\n"),
    ("shell", "#!/usr/bin/env bash\nset -euo pipefail\n<<ENV>>='<<v>>' python sync.py --all\n"),
    ("python", "import os\n\nos.environ.setdefault(\"<<ENV>>\", \"<<v>>\")\n\n\ndef client():\n"
               "    return Session(token=os.environ[\"<<ENV>>\"])\n"),
    ("python", "SETTINGS = {\n    \"region\": \"eu-west-1\",\n    \"<<env>>\": \"<<v>>\",\n"
               "    \"timeout\": 30,\n}\n"),
    ("python", "<<ENV>> = \"<<v>>\"  # TODO move to vault\nRETRIES = 3\n"),
    ("js", "const <<camel>> = process.env.<<ENV>> ?? \"<<v>>\";\n"
           "export default { <<camel>>, timeout: 5000 };\n"),
    ("js", "module.exports = {\n  port: 3000,\n  <<camel>>: '<<v>>',\n};\n"),
    ("go", "package config\n\nconst (\n\tRegion = \"eu-central-1\"\n\t<<Camel>> = \"<<v>>\"\n)\n"),
    ("go", "cfg := &Config{\n\tEndpoint: \"https://api.internal\",\n\tToken:    \"<<v>>\",\n}\n"),
    ("yaml", "services:\n  worker:\n    image: acme/worker:2.4.1\n    environment:\n"
             "      - <<ENV>>=<<v>>\n      - QUEUE=default\n"),
    ("yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-secrets\ntype: Opaque\n"
             "stringData:\n  <<env>>: \"<<v>>\"\n"),
    ("yaml", "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      <<ENV>>: <<v>>\n"
             "    steps:\n      - uses: actions/checkout@v4\n"),
    ("yaml", "app:\n  name: orders\n  credentials:\n    <<env>>: <<v>>\n"),
    ("json", "{\n  \"environment\": \"prod\",\n  \"<<camel>>\": \"<<v>>\",\n  \"retries\": 3\n}\n"),
    ("log", "2025-03-14T09:12:44.518Z DEBUG config loaded: region=eu-west-1 <<env>>=<<v>> "
            "pool=8\n2025-03-14T09:12:44.602Z INFO worker started\n"),
    ("log", "[2025-01-07 17:03:11,902] ERROR request failed: 401 Unauthorized\n  headers: "
            "{'Authorization': 'Bearer <<v>>', 'User-Agent': 'python-requests/2.32.3'}\n"),
    ("curl", "curl -s -X POST https://api.partner.example/v2/jobs \\\n  -H \"Authorization: "
             "Bearer <<v>>\" \\\n  -H 'Content-Type: application/json' -d @job.json\n"),
    ("cli", "acmectl deploy --project billing --api-key <<v>> --region eu-west-1\n"),
    ("cli", "docker run -e <<ENV>>=<<v>> -p 8080:8080 acme/api:latest\n"),
    ("dockerfile", "FROM python:3.12-slim\nWORKDIR /app\nENV <<ENV>>=<<v>>\nCOPY . .\n"
                   "CMD [\"gunicorn\", \"app:app\"]\n"),
    ("terraform", "variable \"<<env>>\" {\n  type      = string\n  default   = \"<<v>>\"\n"
                  "  sensitive = true\n}\n"),
    ("properties", "server.port=8080\napp.<<dotted>>=<<v>>\nspring.jpa.open-in-view=false\n"),
    ("ini", "[default]\nregion = eu-west-1\n<<env>> = <<v>>\n"),
]

# Vendor-specific places; the key is the Secret.kind (or its prefix before the first "-").
SPECIFIC: dict[str, list[tuple[str, str]]] = {
    "aws-secret-access-key": [
        ("ini", "# ~/.aws/credentials\n[default]\naws_access_key_id = <<p>>\n"
                "aws_secret_access_key = <<v>>\nregion = us-east-1\n"),
        ("python", "s3 = boto3.client(\n    \"s3\",\n    aws_access_key_id=\"<<p>>\",\n"
                   "    aws_secret_access_key=\"<<v>>\",\n)\n"),
        ("terraform", "provider \"aws\" {\n  region     = \"us-west-2\"\n  access_key = \"<<p>>\"\n"
                      "  secret_key = \"<<v>>\"\n}\n"),
        ("shell", "export AWS_ACCESS_KEY_ID=<<p>>\nexport AWS_SECRET_ACCESS_KEY=<<v>>\n"
                  "aws s3 ls s3://acme-backups/\n"),
        ("json", "{\"AccessKeyId\": \"<<p>>\", \"SecretAccessKey\": \"<<v>>\", "
                 "\"Expiration\": \"2025-06-01T12:00:00Z\"}\n"),
    ],
    "twilio-auth-token": [
        ("python", "from twilio.rest import Client\n\nclient = Client(\"<<p>>\", \"<<v>>\")\n"
                   "client.messages.create(to=to, from_=SENDER, body=text)\n"),
        ("js", "const twilio = require('twilio')('<<p>>', '<<v>>');\n"),
        ("shell", "curl -X POST https://api.twilio.com/2010-04-01/Accounts/<<p>>/Messages.json"
                  " \\\n  -u <<p>>:<<v>> --data-urlencode 'Body=hi'\n"),
        ("env", "TWILIO_ACCOUNT_SID=<<p>>\nTWILIO_AUTH_TOKEN=<<v>>\n"),
        ("csharp", "TwilioClient.Init(\"<<p>>\", \"<<v>>\");\n"),
    ],
    "alibaba-access-key-secret": [
        ("python", "client = AcsClient('<<p>>', '<<v>>', 'cn-hangzhou')\n"),
    ],
    "oauth-client-secret": [
        ("json", "{\n  \"web\": {\n    \"client_id\": \"<<p>>\",\n    \"client_secret\": "
                 "\"<<v>>\",\n    \"redirect_uris\": [\"https://app.acme-corp.net/cb\"]\n  }\n}\n"),
        ("python", "oauth.register(\"partner\", client_id=\"<<p>>\", client_secret=\"<<v>>\")\n"),
    ],
    "openai": [
        ("python", "from openai import OpenAI\n\nclient = OpenAI(api_key=\"<<v>>\")\n"
                   "resp = client.chat.completions.create(model=\"gpt-4o\", messages=msgs)\n"),
        ("js", "const openai = new OpenAI({ apiKey: \"<<v>>\" });\n"),
    ],
    "anthropic": [
        ("python", "import anthropic\n\nclient = anthropic.Anthropic(api_key=\"<<v>>\")\n"),
        ("shell", "curl https://api.anthropic.com/v1/messages -H \"x-api-key: <<v>>\" \\\n"
                  "  -H \"anthropic-version: 2023-06-01\" -d @req.json\n"),
    ],
    "stripe": [
        ("python", "import stripe\nstripe.api_key = \"<<v>>\"\nstripe.Refund.create(charge=ch)\n"),
        ("ruby", "Stripe.api_key = '<<v>>'\n"),
    ],
    "slack": [
        ("python", "from slack_sdk import WebClient\nclient = WebClient(token=\"<<v>>\")\n"),
        ("shell", "curl -X POST -H 'Content-type: application/json' --data '{\"text\":\"deploy "
                  "done\"}' <<v>>\n"),
    ],
    "github": [
        ("shell", "git clone https://x-access-token:<<v>>@github.com/acme/infra.git\n"),
        ("python", "from github import Github\ng = Github(\"<<v>>\")\n"),
        ("yaml", "- name: Publish\n  env:\n    GITHUB_TOKEN: <<v>>\n  run: gh release create "
                 "v1.4.0\n"),
    ],
    "gitlab": [
        ("python", "gl = gitlab.Gitlab(\"https://gitlab.acme-corp.net\", "
                   "private_token=\"<<v>>\")\n"),
        ("shell", "curl --header \"PRIVATE-TOKEN: <<v>>\" https://gitlab.acme-corp.net/api/v4/"
                  "projects\n"),
    ],
    "vault": [
        ("env", "VAULT_ADDR=https://vault.acme-corp.net:8200\nVAULT_TOKEN=<<v>>\n"),
        ("python", "client = hvac.Client(url=VAULT_ADDR, token=\"<<v>>\")\n"),
        ("shell", "vault login <<v>>\nvault kv get secret/payments\n"),
    ],
    "sendgrid": [("python", "sg = SendGridAPIClient(\"<<v>>\")\n")],
    "mailgun": [("python", "requests.post(MAILGUN_URL, auth=(\"api\", \"<<v>>\"), data=msg)\n")],
    "datadog": [("yaml", "# /etc/datadog-agent/datadog.yaml\napi_key: <<v>>\nsite: "
                         "datadoghq.eu\nlogs_enabled: true\n")],
    "npm": [("ini", "# .npmrc\n//registry.npmjs.org/:_authToken=<<v>>\nalways-auth=true\n")],
    "pypi": [("ini", "# ~/.pypirc\n[pypi]\nusername = __token__\npassword = <<v>>\n")],
    "docker": [("shell", "echo \"<<v>>\" | docker login -u acmebuild --password-stdin\n")],
    "huggingface": [("shell", "huggingface-cli login --token <<v>>\n")],
    "telegram": [("shell", "curl \"https://api.telegram.org/bot<<v>>/sendMessage?chat_id=42&"
                           "text=done\"\n")],
    "discord": [("python", "bot = commands.Bot(command_prefix=\"!\")\nbot.run(\"<<v>>\")\n")],
    "jwt": [("log", "GET /api/v1/orders 200 12ms authorization=\"Bearer <<v>>\"\n"),
            ("http", "GET /internal/metrics HTTP/1.1\nHost: api.acme-corp.net\nAuthorization: "
                     "Bearer <<v>>\nAccept: application/json\n")],
    "private-key": [
        ("pem", "Here is the deploy key from the server, is it RSA or ed25519?\n\n<<v>>\n"),
        ("yaml", "ssh:\n  private_key: |\n<<v>>\n"),
        ("json", "{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme-analytics\",\n"
                 "  \"private_key_id\": \"<<kid>>\",\n  \"private_key\": \"<<v>>\",\n"
                 "  \"client_email\": \"etl@acme-analytics.iam.gserviceaccount.com\"\n}\n"),
    ],
    "azure-storage": [
        ("csharp", "var conn = \"DefaultEndpointsProtocol=https;AccountName=acmeprodstore;"
                   "AccountKey=<<v>>;EndpointSuffix=core.windows.net\";\n"),
        ("json", "{\n  \"ConnectionStrings\": {\n    \"Storage\": \"DefaultEndpointsProtocol="
                 "https;AccountName=acmelogs;AccountKey=<<v>>;EndpointSuffix=core.windows.net"
                 "\"\n  }\n}\n"),
    ],
}


def specific_key(s: Secret) -> str:
    """The longest dash-separated prefix of the kind that has its own templates."""
    parts = s.kind.split("-")
    for n in range(len(parts), 0, -1):
        if "-".join(parts[:n]) in SPECIFIC:
            return "-".join(parts[:n])
    return ""


def _slots(rng: random.Random, s: Secret, shown: str | None = None) -> dict[str, object]:
    env = s.env
    c = camel(env)
    slots: dict[str, object] = {
        "ENV": env, "env": env.lower(), "camel": c, "Camel": c[0].upper() + c[1:],
        "dotted": env.lower().replace("_", "."), "kid": rand(rng, HEX, 40),
        "v": Val("SECRET", s.kind, shown if shown is not None else s.value, s.value),
    }
    if s.partner:
        kind, value, is_secret = s.partner
        slots["p"] = Val("SECRET", kind, value, scored=is_secret)
    return slots


def secret_snippet(rng: random.Random, s: Secret) -> tuple[str, Doc]:
    """(layout tag, the snippet) for one credential."""
    key = specific_key(s)
    options = list(SPECIFIC.get(key, []))
    if not s.partner and key != "private-key":
        options += GENERIC
    layout, template = rng.choice(options)
    shown = s.value
    if s.kind == "private-key":
        if layout == "json":
            shown = s.value.replace("\n", "\\n")
        elif layout == "yaml":
            shown = "\n".join("    " + line for line in s.value.splitlines())
    elif layout in ("yaml", "env") and rng.random() < 0.3 and "\n" not in shown:
        template = template.replace("<<v>>", "\"<<v>>\"") if "\"<<v>>\"" not in template \
            else template
    return layout, fill(Doc(), template, _slots(rng, s, shown))


# --------------------------------------------------------------------------- URLs
DB_PLACES = [
    ("python", "engine = create_engine(\"<<url>>\", pool_pre_ping=True)\n"),
    ("env", "DATABASE_URL=<<url>>\nDB_POOL_SIZE=10\n"),
    ("yaml", "spring:\n  datasource:\n    url: <<url>>\n    hikari:\n      maximum-pool-size: 8\n"),
    ("log", "2025-02-11 08:41:07 WARNING celery.worker: broker connection lost, retrying "
            "<<url>> in 2.00 seconds\n"),
    ("traceback", "Traceback (most recent call last):\n  File \"/srv/app/db.py\", line 41, in "
                  "connect\n    conn = engine.connect()\nsqlalchemy.exc.OperationalError: "
                  "(psycopg2.OperationalError) could not connect to server\n(Background on "
                  "this error at: https://sqlalche.me/e/20/e3q8) url=<<url>>\n"),
    ("js", "const pool = new Pool({ connectionString: '<<url>>' });\n"),
    ("go", "db, err := sql.Open(\"pgx\", \"<<url>>\")\nif err != nil {\n\tlog.Fatal(err)\n}\n"),
    ("yaml", "services:\n  api:\n    environment:\n      DATABASE_URL: \"<<url>>\"\n"),
]
BASIC_AUTH = [
    ("shell", "git remote set-url origin https://deploy-bot:<<pw>>@git.acme-corp.net/platform/"
              "infra.git\n"),
    ("shell", "pip install --index-url https://ci:<<pw>>@pypi.acme-corp.net/simple acme-sdk\n"),
    ("config", "[global]\nindex-url = https://builder:<<pw>>@nexus.acme-corp.net/repository/"
               "pypi/simple\n"),
    ("log", "INFO fetching https://admin:<<pw>>@jenkins.acme-corp.net/job/release/lastBuild/api"
            "/json\n"),
    ("shell", "curl -u svc_backup:<<pw>> https://files.acme-corp.net/backups/2025-03.tar.gz -o "
              "b.tgz\n"),
    ("shell", "lftp ftp://backup:<<pw>>@ftp.acme-corp.net/nightly/\n"),
    ("shell", "mysql -h db.internal -u root -p'<<pw>>' orders < dump.sql\n"),
    ("shell", "sshpass -p '<<pw>>' ssh ops@bastion.acme-corp.net\n"),
    ("netrc", "machine api.acme-corp.net\n  login svc-sync\n  password <<pw>>\n"),
    ("jdbc", "jdbc.url=jdbc:postgresql://db.internal:5432/crm?user=crm_app&password=<<pw>>"
             "&ssl=true\n"),
]


def url_snippet(rng: random.Random, kind: str) -> tuple[str, Doc]:
    if kind == "db-url":
        url, pw, k = db_url(rng)
        before, after = url.split(pw, 1)
        layout, template = rng.choice(DB_PLACES)
        doc = Doc()
        pre, post = template.split("<<url>>")
        doc.add(pre + before).val("SECRET", k, pw).add(after + post)
        return layout, doc
    pw = password(rng)
    if kind == "basic-auth-url" and re.search(r"[@:/%#?& '\"]", pw):
        pw = rand(rng, ALNUM, 18)
    layout, template = rng.choice(BASIC_AUTH)
    return layout, fill(Doc(), template, {"pw": Val("SECRET", "password-in-" + layout, pw)})


SOURCES = (*sorted(VENDORS), "db-url", "basic-auth-url")


def secret_doc(rng: random.Random, sources: list[str]) -> tuple[str, Doc]:
    """A prompt with one credential per source (a vendor of ``VENDORS``, ``db-url`` or
    ``basic-auth-url``) in code/config/log text; the first snippet's layout names it."""
    doc = Doc()
    if rng.random() < 0.85:
        doc.add(rng.choice(ASKS) + "\n\n")
    layouts = []
    for i, source in enumerate(sources):
        if source in ("db-url", "basic-auth-url"):
            layout, snip = url_snippet(rng, source)
        else:
            layout, snip = secret_snippet(rng, VENDORS[source](rng))
        layouts.append(layout)
        fence = rng.random() < 0.6 and layout not in ("pem",)
        if i:
            doc.add("\n")
        if fence:
            doc.add(f"```{layout if layout not in ('log', 'cli', 'http') else ''}\n")
        doc.extend(snip)
        if fence:
            doc.add("```\n")
    return layouts[0], doc


def make_secret(rng: random.Random, vendor: str) -> Secret:
    return VENDORS[vendor](rng)


def url_secret(rng: random.Random, kind: str) -> Secret:
    """A credential from a URL kind, for evasion items (the password alone)."""
    if kind == "db-url":
        url, pw, k = db_url(rng)
        return Secret(k, pw, "DATABASE_PASSWORD")
    return Secret("generic-password", password(rng), "PASSWORD")


