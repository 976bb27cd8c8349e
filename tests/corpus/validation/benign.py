"""Hard benign prompts: text that looks like secrets or personal data and is neither —
identifiers in code, documentation placeholders, hashes, UUIDs, versions, ISBNs, order and
tracking numbers, timestamps (19-digit nanosecond epochs in OTLP JSON), famous people in
prose, vendors' role addresses, unlabelled dates, numbers under keys that say what they
are, schemas without data, values already masked."""

from __future__ import annotations

import base64
import json
import random
import string
import uuid

from . import numbers as num
from .credentials import ALNUM, HEX, rand
from .model import Doc


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _sha(rng: random.Random, n: int = 40) -> str:
    return rand(rng, HEX, n)


def _isbn13(rng: random.Random) -> str:
    body = rng.choice(["978", "979"]) + "".join(rng.choice(string.digits) for _ in range(9))
    s = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    d = body + str((10 - s % 10) % 10)
    return rng.choice([d, f"{d[:3]}-{d[3]}-{d[4:8]}-{d[8:12]}-{d[12]}",
                       f"{d[:3]}-{d[3:5]}-{d[5:9]}-{d[9:12]}-{d[12]}"])


def _ean13(rng: random.Random) -> str:
    body = "".join(rng.choice(string.digits) for _ in range(12))
    s = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - s % 10) % 10)


def _version(rng: random.Random) -> str:
    v = f"{rng.randint(0, 24)}.{rng.randint(0, 40)}.{rng.randint(0, 30)}"
    return v + rng.choice(["", "", "-rc.1", "-beta.2", "+build.7", ".post1"])


def _nanos(rng: random.Random) -> str:
    return str(rng.randint(1_700_000_000, 1_780_000_000) * 10**9 + rng.randint(0, 10**9 - 1))


# --------------------------------------------------------------------------- kinds
def code_identifiers(rng: random.Random) -> str:
    return rng.choice([
        "Why does this raise AuthenticationError?\n\n```python\nimport os\nfrom openai import "
        "OpenAI\n\nclient = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])\nresp = client."
        "chat.completions.create(model=\"gpt-4o-mini\", messages=[{\"role\": \"user\", "
        "\"content\": q}])\n```",
        "Port this to TypeScript:\n\n```python\nfrom anthropic import Anthropic\n\nclient = "
        "Anthropic()\nmsg = client.messages.create(model=MODEL, max_tokens=1024, messages="
        "history)\nprint(msg.content[0].text)\n```",
        "```python\nclass " + rng.choice(["TuringScheduler", "DijkstraRouter", "KeplerOrbit",
                                          "AdaLovelaceParser", "NightingaleReport"]) + ":\n"
        "    def __init__(self, graph):\n        self.graph = graph\n\n    def run(self, start):"
        "\n        return shortest_paths(self.graph, start)\n```\nAdd type hints please.",
        "Rename these functions to snake_case: `getUserById`, `sendInvoiceToCustomer`, "
        "`MarkAsPaid`, `validateIbanChecksum`, `parseSsnField`, `formatCardNumber`.",
        "```go\nfunc NewClient(cfg Config) (*Client, error) {\n\ttoken := os.Getenv(\"GITHUB_TOKEN"
        "\")\n\tif token == \"\" {\n\t\treturn nil, errors.New(\"GITHUB_TOKEN not set\")\n\t}\n"
        "\treturn &Client{token: token, http: http.DefaultClient}, nil\n}\n```\nIs the error "
        "handling idiomatic?",
        "```js\nconst stripe = require('stripe')(process.env.STRIPE_SECRET_KEY);\nconst "
        "session = await stripe.checkout.sessions.create({ mode: 'payment', line_items });\n```"
        "\nHow do I add a coupon?",
        "What's the difference between `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and "
        "`AWS_PROFILE` in boto3's credential chain?",
        "Explain this regex: `^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14})$`",
        "def luhn_valid(number: str) -> bool:\n    digits = [int(d) for d in number][::-1]\n"
        "    return sum(digits[0::2] + [sum(divmod(2 * d, 10)) for d in digits[1::2]]) % 10 "
        "== 0\n\nWrite tests for this.",
    ])


PLACEHOLDER_SNIPPETS = [
    "OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "client = OpenAI(api_key=\"sk-...\")",
    "export ANTHROPIC_API_KEY=YOUR_API_KEY",
    "curl -H \"Authorization: Bearer <token>\" https://api.example.com/v1/items",
    "password: ${DB_PASSWORD}",
    "token: {{ secrets.GITHUB_TOKEN }}",
    "admin_password = changeme",
    "DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DBNAME",
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = "
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "SLACK_BOT_TOKEN=xoxb-your-bot-token",
    "STRIPE_SECRET_KEY=sk_live_REPLACE_ME",
    "api_key: \"<your-api-key-here>\"",
    "VAULT_TOKEN=hvs.XXXXXXXXXXXXXXXXXXXXXXXX",
    "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "mysql -u root -p********",
    "redis://default:<password>@localhost:6379",
    "\"client_secret\": \"REPLACE_WITH_CLIENT_SECRET\"",
    "SECRET_KEY = os.getenv(\"SECRET_KEY\", \"dev-only-not-secret\")",
    "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
    "Authorization: Basic <base64(user:pass)>",
    "--api-key $API_KEY",
    "password=\"\"  # set via env",
]


def placeholders(rng: random.Random) -> str:
    lines = rng.sample(PLACEHOLDER_SNIPPETS, rng.randint(2, 4))
    intro = rng.choice(["Our README says to configure it like this — which of these do I need "
                        "for local development?", "Is this .env.example complete?",
                        "Document these settings in a table:", "Turn this into a Helm values "
                        "file:"])
    return intro + "\n\n```\n" + "\n".join(lines) + "\n```"


def hashes(rng: random.Random) -> str:
    k = rng.randrange(5)
    if k == 0:
        rows = "\n".join(f"{_sha(rng, 7)} {m}" for m in rng.sample(
            ["Fix race in cache eviction", "Bump urllib3 to 2.2.2", "Add retry to uploader",
             "Refactor auth middleware", "Update changelog", "Drop Python 3.8"], 4))
        return f"Write release notes from this git log:\n\n```\n{rows}\n```\nFull head: {_sha(rng)}"
    if k == 1:
        rows = "\n".join(f"{_sha(rng, 64)}  dist/acme_sdk-{_version(rng)}.tar.gz"
                         for _ in range(3))
        return f"Which of these checksums matches the wheel?\n\n```\n{rows}\n```"
    if k == 2:
        integrity = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode()
        return ("Why does npm ci complain about this lockfile entry?\n\n```json\n\"node_modules"
                f"/lodash\": {{\n  \"version\": \"4.17.21\",\n  \"resolved\": \"https://registry."
                f"npmjs.org/lodash/-/lodash-4.17.21.tgz\",\n  \"integrity\": \"sha512-{integrity}"
                "\"\n}\n```")
    if k == 3:
        return (f"Pin this image by digest: acme/api@sha256:{_sha(rng, 64)} — and explain why "
                "digests are safer than tags.")
    return ("requirements.txt:\n```\nrequests==2.32.3 \\\n    --hash=sha256:"
            f"{_sha(rng, 64)}\nurllib3==2.2.2 \\\n    --hash=sha256:{_sha(rng, 64)}\n```\nHow do "
            "I regenerate the hashes?")


def ids_and_logs(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(4, 8)):
        ts = f"2025-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T{rng.randint(10, 23)}:" \
             f"{rng.randint(10, 59)}:{rng.randint(10, 59)}.{rng.randint(100, 999)}Z"
        lines.append(rng.choice([
            f"{ts} INFO request_id={_uuid(rng)} status=200 latency_ms={rng.randint(3, 900)}",
            f"{ts} WARN trace_id={_sha(rng, 32)} span_id={_sha(rng, 16)} retrying",
            f"{ts} INFO pod=api-{rand(rng, 'bcdfghjklmnpqrstvwxz2456789', 10)}-"
            f"{rand(rng, 'bcdfghjklmnpqrstvwxz2456789', 5)} ready",
            f"{ts} INFO charge ch_{rand(rng, ALNUM, 24)} for cus_{rand(rng, ALNUM, 14)} "
            f"succeeded",
            f"{ts} DEBUG job {rand(rng, '0123456789ABCDEFGHJKMNPQRSTVWXYZ', 26)} queued",
            f"{ts} INFO container {_sha(rng, 64)[:12]} started",
        ]))
    return "Why is the latency spiking here?\n\n```\n" + "\n".join(lines) + "\n```"


def versions(rng: random.Random) -> str:
    deps = "\n".join(f"{n}=={_version(rng)}" for n in rng.sample(
        ["django", "celery", "numpy", "pandas", "pydantic", "fastapi", "uvicorn", "boto3",
         "sqlalchemy", "httpx"], 5))
    return rng.choice([
        f"Which of these pins have known CVEs?\n\n{deps}",
        f"We upgraded from {_version(rng)} to {_version(rng)} and the build "
        f"{rng.randint(2024, 2025)}.{rng.randint(1, 12)}.{rng.randint(1, 28)}."
        f"{rng.randint(300, 999)}"
        f" broke. Kernel {rng.randint(5, 6)}.{rng.randint(1, 15)}.{rng.randint(0, 80)}-"
        f"{rng.randint(100, 200)}-generic, glibc 2.{rng.randint(28, 40)}.",
        f"Changelog\n\n## {_version(rng)} - {num.some_date(rng).isoformat()}\n- Fixed token "
        f"refresh\n## {_version(rng)} - {num.some_date(rng).isoformat()}\n- Added SSO",
    ])


def isbns(rng: random.Random) -> str:
    books = rng.sample(["Designing Data-Intensive Applications", "The Pragmatic Programmer",
                        "Thinking, Fast and Slow", "The Mythical Man-Month", "Clean Code",
                        "Refactoring", "Site Reliability Engineering"], 3)
    rows = "\n".join(f"- {b}, ISBN {_isbn13(rng)}" for b in books)
    return f"Format this reading list in APA style:\n\n{rows}"


def orders_tracking(rng: random.Random) -> str:
    ups = "1Z" + rand(rng, string.ascii_uppercase + string.digits, 6) + \
          f"{rng.randint(10, 99)}{rng.randint(10**7, 10**8 - 1)}"
    usps = "94001" + "".join(rng.choice(string.digits) for _ in range(17))
    usps = " ".join(usps[i:i + 4] for i in range(0, 22, 4))
    amazon = (f"{rng.randint(100, 999)}-{rng.randint(10**6, 10**7 - 1)}-"
              f"{rng.randint(10**6, 10**7 - 1)}")
    return rng.choice([
        f"Customer asks where order {amazon} is. UPS tracking {ups}, shipped "
        f"{num.write_date(num.some_date(rng), 'us')}. Draft a reply.",
        f"Reconcile: invoice INV-{rng.randint(2023, 2025)}-{rng.randint(1000, 99999):05d}, PO "
        f"{rng.randint(4500000000, 4599999999)}, USPS {usps}, FedEx "
        f"{rng.randint(10**11, 10**12 - 1)}, EAN {_ean13(rng)}.",
        f"Ticket #{rng.randint(100000, 999999)}: the barcode {_ean13(rng)} scans as "
        f"{_ean13(rng)}. Case ref {rng.randint(100, 999)}-{rng.randint(100, 999)}-"
        f"{rng.randint(1000, 9999)}.",
    ])


def otlp(rng: random.Random) -> str:
    start = int(_nanos(rng))
    spans = [{"traceId": _sha(rng, 32), "spanId": _sha(rng, 16), "name": rng.choice(
        ["HTTP GET", "db.query", "cache.get", "render"]), "kind": rng.randint(1, 3),
              "startTimeUnixNano": str(start + i * 1_000_000),
              "endTimeUnixNano": str(start + i * 1_000_000 + rng.randint(10**5, 10**8)),
              "attributes": [{"key": "http.status_code", "value": {"intValue": "200"}}]}
             for i in range(rng.randint(2, 5))]
    logs = [{"timeUnixNano": _nanos(rng), "observedTimeUnixNano": _nanos(rng),
             "severityNumber": 9, "severityText": "INFO",
             "body": {"stringValue": "request completed"}} for _ in range(rng.randint(1, 3))]
    body = {"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "checkout"}}]},
        "scopeSpans": [{"spans": spans}]}],
        "resourceLogs": [{"scopeLogs": [{"logRecords": logs}]}]}
    return ("Why doesn't the collector accept this OTLP/JSON payload?\n\n```json\n"
            + json.dumps(body, indent=rng.choice([None, 2])) + "\n```")


def timestamps(rng: random.Random) -> str:
    sec = rng.randint(1_600_000_000, 1_780_000_000)
    return rng.choice([
        f"Convert these epochs to UTC: {sec}, {sec * 1000 + rng.randint(0, 999)}, {_nanos(rng)}",
        f"metric_requests_total{{route=\"/api\"}} {rng.randint(1000, 99999)} {sec}123\n"
        f"metric_latency_seconds_sum 1234.5 {sec}456\nWhat is the last column?",
        f"Sort by `created_at`: {num.some_date(rng).isoformat()}T08:12:00Z, "
        f"{num.some_date(rng).isoformat()}T17:45:10+02:00, {sec}",
    ])


FAMOUS = [
    "Write a short biography of Marie Curie for a school newsletter.",
    "Compare the leadership styles of Angela Merkel and Nelson Mandela.",
    "What did Ada Lovelace contribute to computing?",
    "Summarise the main ideas of Steve Jobs' 2005 Stanford commencement speech.",
    "Who influenced Frida Kahlo's painting style?",
    "Explain Albert Einstein's 1905 papers in simple terms.",
    "Draft a quiz about Leonardo da Vinci and Michelangelo.",
    "How did Grace Hopper's work lead to COBOL?",
    "Write a limerick about Isaac Newton and an apple.",
    "What were Winston Churchill's main decisions in 1940?",
    "Give me three quotes by Maya Angelou about courage.",
    "Why is Alan Turing considered the father of computer science?",
    "Compare Serena Williams and Roger Federer's career statistics.",
    "Describe Sherlock Holmes' method as Arthur Conan Doyle wrote it.",
    "Outline Barack Obama's and Emmanuel Macron's climate policies.",
    "What did Rosalind Franklin discover with Photo 51?",
    "Write a product description in the voice of Elizabeth Bennet from Pride and Prejudice.",
    "Which novels did Gabriel García Márquez and Isabel Allende publish in the 1980s?",
]


def famous(rng: random.Random) -> str:
    return rng.choice(FAMOUS)


def role_addresses(rng: random.Random) -> str:
    return rng.choice([
        "When you create a commit, end the message with a trailer line:\n\nCo-Authored-By: "
        "Assistant <noreply@anthropic.com>\n\nUse `git commit -m` with a heredoc.",
        "I got an e-mail from notifications@github.com about a failed workflow and another "
        "from noreply@github.com about a new SSH key. Are they legitimate?",
        "Our DMARC report lists no-reply@accounts.google.com and bounces@mailer.stripe.com as "
        "senders. Should they pass SPF?",
        "Forward vulnerability reports to security@northwind-logistics.com and invoices to "
        "billing@northwind-logistics.com — write the autoresponder text.",
        "Set the sender to noreply@brightwater.io and the reply-to to support@brightwater.io in "
        "this Django setting: DEFAULT_FROM_EMAIL = ''",
        "Is it OK to send marketing from info@ and sales@ of our domain, or should we use "
        "newsletter@?",
    ])


def unlabelled_dates(rng: random.Random) -> str:
    d = [num.write_date(num.some_date(rng, 1960, 2026), rng.choice(num.DATE_FORMATS))
         for _ in range(4)]
    return rng.choice([
        f"Project timeline: kickoff {d[0]}, design freeze {d[1]}, pilot {d[2]}, go-live {d[3]}."
        " Turn it into a Gantt chart in Mermaid.",
        f"The invoice dated {d[0]} was paid on {d[1]}. Late fee from {d[2]}?",
        f"The Apollo 11 landing was on July 20, 1969 and the Berlin Wall fell on 9 November "
        f"1989. Write a timeline that also includes {d[3]}.",
        f"Our office is closed on {d[0]} and {d[1]}. Draft the out-of-office message.",
    ])


def keyed_numbers(rng: random.Random) -> str:
    rows = [{"order_id": rng.randint(10**8, 10**9), "sku": f"SKU-{rng.randint(10000, 99999)}",
             "units": rng.randint(1, 40),
             "timestamp_ms": rng.randint(1_700_000_000_000, 1_780_000_000_000),
             "revenue_cents": rng.randint(100, 10**7), "warehouse_id": rng.randint(10**5, 10**6)}
            for _ in range(rng.randint(4, 8))]
    if rng.random() < 0.5:
        return "Total revenue per SKU?\n\n```json\n" + json.dumps(rows, indent=1) + "\n```"
    head = "order_id,sku,units,timestamp_ms,revenue_cents,warehouse_id"
    body = "\n".join(",".join(str(v) for v in r.values()) for r in rows)
    return f"Plot units by day:\n\n```csv\n{head}\n{body}\n```"


def big_numbers(rng: random.Random) -> str:
    return rng.choice([
        "20! = 2432902008176640000 and 21! = 51090942171709440000. How many trailing zeros "
        "does 100! have?",
        "The first Fibonacci numbers above 10^15 are 1304969544928657, 2111485077978050 and "
        "3416454622906707. Prove the ratio tends to the golden ratio.",
        "Is 2305843009213693951 prime? It's a Mersenne number.",
        f"Avogadro's number is 6.02214076e23; how many molecules in {rng.randint(2, 90)} g of "
        "water?",
        "pi to 30 digits: 3.141592653589793238462643383279. Write it to a file in C.",
    ])


def schemas(rng: random.Random) -> str:
    return rng.choice([
        "Review this schema:\n\n```sql\nCREATE TABLE employees (\n  id SERIAL PRIMARY KEY,\n"
        "  first_name VARCHAR(50) NOT NULL,\n  last_name VARCHAR(50) NOT NULL,\n  ssn CHAR(9) "
        "UNIQUE,\n  date_of_birth DATE,\n  passport_no VARCHAR(20),\n  iban VARCHAR(34),\n  "
        "card_number VARCHAR(19)\n);\n```\nShould ssn be encrypted at rest?",
        "Write a JSON Schema for this payload: {\"name\": string, \"email\": string, \"dob\": "
        "date, \"ssn\": \"XXX-XX-XXXX\", \"card\": \"**** **** **** 1234\"}",
        "CSV header we receive: `first_name;last_name;email;phone;iban;birth_date` — generate "
        "a pandas loader with dtypes.",
        "Our form masks the card as •••• •••• •••• 4242 and the SSN as ***-**-6789. Is showing "
        "the last four digits compliant with PCI DSS?",
        "Fields to redact before logging: `email`, `phone_number`, `passport_number`, "
        "`drivers_license`, `home_address`. Write a structlog processor.",
    ])


def data_uri(rng: random.Random) -> str:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.getrandbits(8) for _ in range(90))
    return ("Why doesn't this image render in the e-mail?\n\n<img src=\"data:image/png;base64,"
            + base64.b64encode(png).decode() + "\" alt=\"logo\">")


def agent_prompt(rng: random.Random) -> str:
    """System prompts and tool descriptions as coding agents send them."""
    tools = [{"name": "bash", "description": "Run a shell command in the workspace. Do not "
              "use it to read secrets.", "input_schema": {"type": "object", "properties": {
                  "command": {"type": "string"}}, "required": ["command"]}},
             {"name": "edit_file", "description": "Replace text in a file; old_str must be "
              "unique.", "input_schema": {"type": "object", "properties": {
                  "path": {"type": "string"}, "old_str": {"type": "string"},
                  "new_str": {"type": "string"}}}}]
    return ("You are a coding agent working in the user's repository. Today's date is "
            f"{num.some_date(rng, 2025, 2026).isoformat()}. Session {_uuid(rng)}.\n"
            "When you commit, add the trailer `Co-Authored-By: Agent <noreply@anthropic.com>`."
            "\nNever print environment variables such as OPENAI_API_KEY or GITHUB_TOKEN.\n\n"
            "Available tools:\n" + json.dumps(tools, indent=1))


def business(rng: random.Random) -> str:
    return rng.choice([
        f"Q{rng.randint(1, 4)} revenue was {rng.randint(10, 99)},{rng.randint(100, 999)},"
        f"{rng.randint(100, 999)} EUR, up {rng.randint(1, 19)}.{rng.randint(0, 9)}% on a "
        f"headcount of {rng.randint(120, 900)}. Write three bullet points for the board.",
        f"Cost centre 4{rng.randint(100, 999)}-{rng.randint(10, 99)} overspent by "
        f"{rng.randint(2, 40)}k; GL account {rng.randint(4000, 7999)}-{rng.randint(1000, 9999)}"
        ". Suggest savings.",
        f"Our SLA is {rng.choice(['99.9', '99.95', '99.99'])}% — how many minutes of downtime "
        f"per month? Incident INC{rng.randint(10**6, 10**7 - 1)} lasted {rng.randint(3, 90)} "
        "minutes.",
        f"Room booking: building {rng.randint(1, 9)}, floor {rng.randint(1, 12)}, room "
        f"{rng.randint(100, 999)}, extension {rng.randint(1000, 9999)}. Add it to the invite.",
    ])


KINDS = {
    "code-identifiers": code_identifiers, "placeholders": placeholders, "hashes": hashes,
    "ids-logs": ids_and_logs, "versions": versions, "isbn": isbns,
    "orders-tracking": orders_tracking, "otlp-json": otlp, "timestamps": timestamps,
    "famous-people": famous, "role-addresses": role_addresses,
    "unlabelled-dates": unlabelled_dates, "keyed-numbers": keyed_numbers,
    "big-numbers": big_numbers, "schemas-masked": schemas, "data-uri": data_uri,
    "agent-prompt": agent_prompt, "business": business,
}


def benign_doc(rng: random.Random, kind: str) -> Doc:
    return Doc().add(KINDS[kind](rng))
