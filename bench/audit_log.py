"""Seeded audit logs shaped like the proxy's, for the report's bench and tests.

Lines follow ``aipolicy.audit.audit_record`` (plus the acknowledgement, coach and
incident events), with the mix a company would see: mostly allowed traffic to a few
tolerated apps, a long tail of unreviewed apps, some redactions and blocks.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path

APPS = (  # id, name, vendor, category, status, weight
    ("openai-chatgpt", "ChatGPT", "OpenAI", "chat-assistant", "tolerated", 30),
    ("openai-api", "OpenAI API", "OpenAI", "model-api", "tolerated", 20),
    ("anthropic-claude", "Claude", "Anthropic", "chat-assistant", "tolerated", 12),
    ("github-copilot", "GitHub Copilot", "GitHub", "coding-assistant", "tolerated", 15),
    ("google-gemini", "Gemini", "Google", "chat-assistant", "tolerated", 8),
    ("perplexity", "Perplexity", "Perplexity", "search-assistant", "tolerated", 4),
    ("cursor", "Cursor", "Anysphere", "coding-assistant", "unsanctioned", 5),
    ("character-ai", "Character.AI", "Character.AI", "companion", "unsanctioned", 1),
    ("deepseek-chat", "DeepSeek", "DeepSeek", "chat-assistant", "banned", 2),
    ("moonshot-kimi", "Kimi", "Moonshot AI", "chat-assistant", "banned", 1),
)
GROUPS = (["engineering", "everyone"], ["everyone"], ["contractors", "everyone"])
FINDINGS = ("EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON", "aws-access-key-id", "github-pat",
            "CREDIT_CARD")


def lines(count: int, *, start: dt.datetime, days: int, users: int = 400,
          seed: int = 7) -> Iterator[dict]:
    rnd = random.Random(seed)
    weights = [a[5] for a in APPS]
    span = days * 86400
    for i in range(count):
        app_id, name, vendor, category, status, _ = rnd.choices(APPS, weights)[0]
        when = start + dt.timedelta(seconds=span * i / max(count, 1))
        user_n = int(rnd.paretovariate(1.2)) % users
        record = {
            "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "reference": f"AIP-{i:010d}",
            "client": f"10.20.{user_n // 250}.{user_n % 250 + 1}",
            "user": f"user{user_n:04d}" if user_n % 3 else None,
            "groups": GROUPS[user_n % 3],
            "app": app_id, "app_name": name, "vendor": vendor, "category": category,
            "status": status, "host": "example.invalid", "method": "POST", "path": "/",
            "policy_version": "2026.11.1", "latency_ms": round(rnd.random() * 20, 3),
            "mode": "enforce",
        }
        action, rule = "allow", "approved-apps"
        if status == "banned":
            action, rule = "block", "banned-apps"
        elif status == "unsanctioned":
            action, rule = "monitor", "default"
        roll = rnd.random()
        if action != "block" and roll < 0.06:
            kind = rnd.choice(FINDINGS)
            record["findings"] = {kind: rnd.randint(1, 3)}
            if kind in ("aws-access-key-id", "github-pat"):
                action, rule = "block", "secrets-block"
                record["incident"] = {"severity": "high"}
            else:
                action, rule = "redact", "personal-data-redact"
        elif action != "block" and status == "unsanctioned" and roll < 0.3:
            action, rule = "coach", "coach-unsanctioned"
        record.update(action=action, enforced=action, rule=rule)
        yield record
        if action == "coach" and rnd.random() < 0.5:
            yield {"time": record["time"], "event": "coach-proceed",
                   "reference": record["reference"], "client": record["client"],
                   "user": record["user"], "groups": record["groups"], "app": app_id,
                   "app_name": name, "vendor": vendor, "category": category,
                   "status": status, "rule": rule, "policy_version": "2026.11.1",
                   "justification": rnd.choice(("business-need", "no-approved-alternative",
                                                "testing", "other"))}
        if rnd.random() < 0.002:
            yield {"time": record["time"], "event": "acknowledgement",
                   "reference": f"AIP-ACK{i:07d}", "client": record["client"],
                   "user": record["user"], "groups": record["groups"],
                   "policy_version": "2026.11.1", "ack_version": "2026.11"}


def write(path: Path, count: int, *, start: dt.datetime, days: int, gz: bool = False,
          seed: int = 7) -> Path:
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as f:
        for record in lines(count, start=start, days=days, seed=seed):
            f.write(json.dumps(record, separators=(",", ":")) + "\n")
    return path
