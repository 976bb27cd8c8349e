"""Seeded generators of benchmark inputs: business prose, chat bodies, conversations.

Everything is synthetic and deterministic for a given seed, so ours and stock Presidio
(and the proxy and bare mitmproxy) see exactly the same texts in one run and across
runs. Every generated text is different from the others (random fills in every
sentence): a detector cache can only help where the product really re-sees a text,
as in a chat history re-sent each turn.

Two kinds of prose:

* ``mixed`` -- business prose as people paste it into AI tools: plain sentences with
  amounts, dates, versions and ticket numbers, some sentences with a person's name,
  e-mail address or phone number, code snippets (Python, SQL, shell), action lists,
  and now and then a signature block;
* ``clean`` -- the same prose without any personal identifier (no names, e-mail
  addresses or phone numbers), so a contextual PERSON detector needs no NER at all.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable

FIRST = ["Amelia", "Bruno", "Carla", "Dmitri", "Elif", "Farah", "Gustav", "Hana", "Ivo",
         "Jonas", "Keiko", "Leandro", "Maren", "Nadia", "Oskar", "Paulina", "Quentin",
         "Rania", "Stefan", "Tamsin", "Ulrike", "Viktor", "Wanda", "Xavier", "Yara",
         "Zoltan", "Beatriz", "Cormac", "Delphine", "Emeka"]
LAST = ["Albrecht", "Baptiste", "Castellano", "Dvorak", "Eriksen", "Fontaine", "Gallagher",
        "Hoffmann", "Ishikawa", "Jaramillo", "Kowalczyk", "Lindqvist", "Marchetti",
        "Nakamura", "Oyelaran", "Pereira", "Quinlan", "Rasmussen", "Szabo", "Takahashi",
        "Underwood", "Valente", "Whitfield", "Yamamoto", "Zielinski", "Brennan", "Okonkwo"]
MAIL_DOMAINS = ["northwind-traders.com", "fabrikam.example", "contoso.example",
                "tailspin-toys.example", "wingtip.example", "litware.example"]
TEAMS = ["finance", "procurement", "platform", "data engineering", "customer success",
         "legal", "sales operations", "security", "logistics", "marketing"]
OBJECTS = ["quarterly forecast", "vendor contract", "migration plan", "pricing proposal",
           "incident review", "onboarding checklist", "budget request", "release notes",
           "renewal offer", "capacity model", "audit findings", "roadmap draft"]
VERBS = ["review", "finalise", "summarise", "update", "circulate", "approve", "rework",
         "double-check", "simplify", "restructure"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
ADJ = ["significant", "modest", "unexpected", "steady", "sharp", "gradual", "temporary"]
METRICS = ["churn", "gross margin", "ticket backlog", "cloud spend", "lead time",
           "conversion rate", "inventory turnover", "days sales outstanding"]
REGIONS = ["EMEA", "APAC", "North America", "LATAM", "DACH", "Nordics"]
CODENAMES = ["Kestrel", "Bluebird", "Nightjar", "Osprey", "Wren", "Heron", "Plover",
             "Sandpiper", "Merlin", "Goshawk"]
TITLES = ["Senior Account Manager", "Head of Procurement", "Finance Controller",
          "Engineering Lead", "Customer Success Manager", "Operations Analyst"]
COMPANIES = ["Northwind Traders", "Fabrikam Ltd", "Contoso GmbH", "Tailspin Toys",
             "Wingtip Logistics", "Litware Inc"]

Rng = random.Random


# -- small values ---------------------------------------------------------------------
def _amount(r: Rng) -> str:
    return f"{r.choice('$€£')}{r.randint(1, 999):,}{r.choice(['', ',000', '.50', ',250'])}"


def _percent(r: Rng) -> str:
    return f"{r.randint(1, 40)}.{r.randint(0, 9)}%"


def _version(r: Rng) -> str:
    return f"v{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 12)}"


def _ticket(r: Rng) -> str:
    return f"{r.choice(['OPS', 'FIN', 'PLAT', 'CS'])}-{r.randint(100, 9999)}"


def _date(r: Rng) -> str:
    return f"2025-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"


def _person(r: Rng) -> tuple[str, str]:
    return r.choice(FIRST), r.choice(LAST)


def _email(r: Rng, first: str, last: str) -> str:
    return f"{first.lower()}.{last.lower()}@{r.choice(MAIL_DOMAINS)}"


def _phone(r: Rng) -> str:
    forms = [
        lambda: f"+1 {r.randint(201, 989)} 555 {r.randint(0, 9999):04d}",
        lambda: f"+44 20 {r.randint(7000, 7999)} {r.randint(1000, 9999)}",
        lambda: f"+49 30 {r.randint(100000, 999999)}",
        lambda: f"({r.randint(201, 989)}) 555-{r.randint(0, 9999):04d}",
    ]
    return r.choice(forms)()


# -- sentences and paragraphs ---------------------------------------------------------
def _plain_sentence(r: Rng) -> str:
    t = r.randrange(10)
    if t == 0:
        return (f"The {r.choice(TEAMS)} team will {r.choice(VERBS)} the "
                f"{r.choice(OBJECTS)} by {r.choice(WEEKDAYS)}.")
    if t == 1:
        return (f"In {r.choice(REGIONS)}, {r.choice(METRICS)} showed a {r.choice(ADJ)} change of "
                f"{_percent(r)} compared with the previous quarter.")
    if t == 2:
        return (f"We budgeted {_amount(r)} for the {r.choice(OBJECTS)}, and actual spend "
                f"came in at {_amount(r)}.")
    if t == 3:
        return (f"Release {_version(r)} of the billing service shipped on {_date(r)} and "
                f"fixed {r.randint(2, 40)} open issues, including {_ticket(r)}.")
    if t == 4:
        return (f"Project {r.choice(CODENAMES)} is on track, but the {r.choice(OBJECTS)} "
                f"still needs sign-off from {r.choice(TEAMS)}.")
    if t == 5:
        return (f"Can you {r.choice(VERBS)} this {r.choice(OBJECTS)} so that it reads well "
                f"for the {r.choice(TEAMS)} leadership meeting?")
    if t == 6:
        return (f"Our {r.choice(METRICS)} target for {r.choice(REGIONS)} is {_percent(r)}, "
                f"which assumes {r.randint(3, 60)} new accounts per month.")
    if t == 7:
        return (f"Ticket {_ticket(r)} tracks the {r.choice(ADJ)} rise in "
                f"{r.choice(METRICS)} reported after the {r.choice(OBJECTS)}.")
    if t == 8:
        return (f"Please rewrite the summary of the {r.choice(OBJECTS)} in a more "
                f"{r.choice(['formal', 'concise', 'friendly', 'neutral'])} tone.")
    return (f"Forecast for Q{r.randint(1, 4)}: revenue {_amount(r)}, costs {_amount(r)}, "
            f"headcount {r.randint(5, 400)}.")


def _identifier_sentence(r: Rng) -> str:
    first, last = _person(r)
    t = r.randrange(6)
    if t == 0:
        return (f"Please loop in {first} {last} ({_email(r, first, last)}) before we send "
                f"the {r.choice(OBJECTS)}.")
    if t == 1:
        return f"You can reach {first} {last} on {_phone(r)} about ticket {_ticket(r)}."
    if t == 2:
        return (f"Customer {first} {last} called from {_phone(r)} and asked about the "
                f"{r.choice(OBJECTS)}.")
    if t == 3:
        return (f"Send the signed copy to {_email(r, first, last)} and copy "
                f"{r.choice(FIRST)} from {r.choice(TEAMS)}.")
    if t == 4:
        return f"My name is {first} {last} and I manage the {r.choice(TEAMS)} budget."
    return (f"{first} {last} from {r.choice(COMPANIES)} confirmed the {r.choice(OBJECTS)} "
            f"by e-mail ({_email(r, first, last)}).")


def _code(r: Rng) -> str:
    t = r.randrange(3)
    name = r.choice(["apply_discount", "net_total", "group_by_region", "late_invoices",
                     "monthly_churn", "rollup_costs"])
    if t == 0:
        rate = r.randint(5, 30) / 100
        return (f"```python\ndef {name}(orders, rate={rate}):\n"
                f"    total = sum(o.price * o.qty for o in orders if o.region == "
                f"\"{r.choice(REGIONS)}\")\n"
                f"    return round(total * (1 - rate), {r.randint(0, 3)})\n```")
    if t == 1:
        return (f"```sql\nSELECT region, SUM(amount) AS total\nFROM invoices\n"
                f"WHERE issued_at >= '{_date(r)}' AND status = 'open'\n"
                f"GROUP BY region HAVING SUM(amount) > {r.randint(1000, 90000)};\n```")
    return (f"```bash\nfor f in reports/{name}_*.csv; do\n"
            f"  python tools/{name}.py --input \"$f\" --limit {r.randint(10, 500)}\n"
            f"done\n```")


def _list(r: Rng) -> str:
    items = [f"- {r.choice(VERBS).capitalize()} the {r.choice(OBJECTS)} ({_ticket(r)})"
             for _ in range(r.randint(3, 6))]
    return "Action items:\n" + "\n".join(items)


def _signature(r: Rng) -> str:
    first, last = _person(r)
    return (f"Best regards,\n{first} {last}\n{r.choice(TITLES)}, {r.choice(COMPANIES)}\n"
            f"{_phone(r)} | {_email(r, first, last)}")


def _paragraph(r: Rng, with_identifiers: bool) -> str:
    roll = r.random()
    if roll < 0.12:
        return _code(r)
    if roll < 0.20:
        return _list(r)
    n = r.randint(2, 5)
    sentences = []
    for _ in range(n):
        if with_identifiers and r.random() < 0.12:
            sentences.append(_identifier_sentence(r))
        else:
            sentences.append(_plain_sentence(r))
    return " ".join(sentences)


def _fill(r: Rng, size: int, paragraph: Callable[[Rng], str], tail: str = "") -> str:
    """Paragraphs until ``size`` UTF-8 bytes, cut at a word boundary, then ``tail``."""
    budget = max(0, size - len(tail.encode()))
    parts: list[str] = []
    used = 0
    while used < budget:
        p = paragraph(r)
        parts.append(p)
        used += len(p.encode()) + 2
    text = "\n\n".join(parts)
    raw = text.encode()
    if len(raw) > budget:
        text = raw[:budget].decode("utf-8", "ignore")
        cut = text.rfind(" ")
        text = text[:cut] if cut > budget // 2 else text
    return (text.rstrip() + ("\n\n" + tail if tail else "")).strip()


def mixed_prose(r: Rng, size: int) -> str:
    """About ``size`` bytes of business prose with some personal identifiers and code."""
    tail = _signature(r) if size >= 1000 and r.random() < 0.3 else ""
    return _fill(r, size, lambda rr: _paragraph(rr, True), tail)


def clean_prose(r: Rng, size: int) -> str:
    """About ``size`` bytes of the same prose without any personal identifier."""
    return _fill(r, size, lambda rr: _paragraph(rr, False))


def texts(seed: int, kind: str, size: int, count: int) -> list[str]:
    """``count`` distinct texts of about ``size`` bytes; ``kind`` is mixed or clean."""
    make = {"mixed": mixed_prose, "clean": clean_prose}[kind]
    r = random.Random(f"{seed}:{kind}:{size}")
    return [make(r, size) for _ in range(count)]


# -- chat bodies ----------------------------------------------------------------------
MODEL = "gpt-4o-mini"
SYSTEM_PROMPT = ("You are a helpful assistant for the finance and operations teams. "
                 "Answer concisely and keep the formatting of tables and code.")


def chat_body(messages: list[dict[str, str]], stream: bool = False) -> bytes:
    """An OpenAI chat-completions request body."""
    body: dict[str, object] = {"model": MODEL, "messages": messages}
    if stream:
        body["stream"] = True
    return json.dumps(body, ensure_ascii=False).encode()


def prompt_body(text: str, stream: bool = False) -> bytes:
    return chat_body([{"role": "system", "content": SYSTEM_PROMPT},
                      {"role": "user", "content": text}], stream)


def prompt_bodies(seed: int, kind: str, size: int, count: int,
                  stream: bool = False) -> list[bytes]:
    return [prompt_body(t, stream) for t in texts(seed, kind, size, count)]


def conversation(seed: int, turns: int, user_bytes: int = 500,
                 assistant_bytes: int = 500) -> list[list[dict[str, str]]]:
    """The message list sent at each turn: the whole history plus the new user message.

    Turn k (1-based) holds the system prompt, k user messages and k - 1 assistant replies.
    """
    r = random.Random(f"{seed}:conversation")
    history: list[dict[str, str]] = [{"role": "system", "content": SYSTEM_PROMPT}]
    sent: list[list[dict[str, str]]] = []
    for _ in range(turns):
        history.append({"role": "user", "content": mixed_prose(r, user_bytes)})
        sent.append(list(history))
        history.append({"role": "assistant", "content": mixed_prose(r, assistant_bytes)})
    return sent


# -- awkward inputs -------------------------------------------------------------------
# What else people paste: tables, logs, encoded blobs and other languages. Each text is
# cut to about ``size`` UTF-8 bytes.
_ZH = ["请在周五之前把季度预测发给财务团队。", "我们的云服务支出比上个季度增加了百分之十二，",
       "采购部门需要审核新的供应商合同。", "会议将在上海办公室举行，", "请简要总结这份迁移计划，",
       "并说明主要风险。", "客户成功团队下周会更新入职清单。"]
_RU = ["Пожалуйста, отправьте квартальный прогноз финансовому отделу до пятницы.",
       "Расходы на облачные сервисы выросли на двенадцать процентов.",
       "Отдел закупок должен проверить новый договор с поставщиком.",
       "Кратко опишите план миграции и основные риски.",
       "Совещание пройдёт в московском офисе на следующей неделе."]
_DE = ["Bitte schicken Sie die Quartalsprognose bis Freitag an die Finanzabteilung.",
       "Die Ausgaben für Cloud-Dienste sind um zwölf Prozent gestiegen.",
       "Die Einkaufsabteilung muss den neuen Liefervertrag prüfen.",
       "Fassen Sie den Migrationsplan kurz zusammen und nennen Sie die größten Risiken.",
       "Die Besprechung findet nächste Woche im Büro in München statt, Straße 12."]


def _cut(text: str, size: int) -> str:
    return text.encode()[:size].decode("utf-8", "ignore")


def _sentences(r: Rng, pool: list[str], size: int, sep: str) -> str:
    out: list[str] = []
    used = 0
    while used < size:
        s = r.choice(pool)
        out.append(s)
        used += len(s.encode()) + len(sep)
    return _cut(sep.join(out), size)


def awkward_texts(seed: int, size: int) -> dict[str, str]:
    """Texts unlike prose, each about ``size`` bytes: kind -> text."""
    r = random.Random(f"{seed}:awkward:{size}")
    rows = max(1, size // 40)
    numbers = "\n".join(",".join(str(r.randint(0, 10 ** r.randint(1, 9))) for _ in range(8))
                        for _ in range(rows))
    customers = ["id,name,email,phone,city,balance"]
    while sum(len(c) + 1 for c in customers) < size:
        first, last = _person(r)
        customers.append(f"{1000 + len(customers)},{first} {last},{_email(r, first, last)},"
                         f"{_phone(r)},{r.choice(['London', 'Berlin', 'Austin', 'Osaka'])},"
                         f"{r.randint(0, 99999)}.{r.randint(0, 99):02d}")
    log = "\n".join(
        f"{_date(r)}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z "
        f"{r.choice(['INFO', 'WARN', 'ERROR'])} 10.{r.randint(0, 255)}.{r.randint(0, 255)}."
        f"{r.randint(1, 254)} {r.choice(['GET', 'POST'])} /api/v1/items/{r.randint(1, 99999)}"
        f" {r.choice([200, 201, 404, 500])} {r.randint(1, 2000)}ms" for _ in range(rows))
    records = [{"id": i, "sku": f"SKU-{r.randint(10000, 99999)}", "price": r.randint(1, 999),
                "updated": _date(r), "tags": [r.choice(METRICS), r.choice(REGIONS)]}
               for i in range(rows)]
    blob = r.randbytes(size)
    return {
        "numbers_csv": _cut(numbers, size),
        "customer_csv": _cut("\n".join(customers), size),
        "server_log": _cut(log, size),
        "minified_json": _cut(json.dumps(records, separators=(",", ":")), size),
        "base64": _cut(base64.b64encode(blob).decode(), size),
        "chinese": _sentences(r, _ZH, size, ""),
        "russian": _sentences(r, _RU, size, " "),
        "german": _sentences(r, _DE, size, " "),
    }
