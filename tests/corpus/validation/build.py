"""Put the corpus together: how many items of each class and layout, in a fixed order,
from one seed. Every item is generated from its own random stream (seed, class, index), so
changing one template does not shift the values of every other item."""

from __future__ import annotations

import functools
import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable

from . import benign, documents, evasion, snippets, tables
from .model import BENIGN, PII, SECRET, CorpusError, Doc, Item, assemble
from .people import People

SEED = 1152
MAX_TRIES = 40

# layout -> items
TABLE_LAYOUTS = {"csv": 40, "tsv": 12, "sql": 36, "markdown": 26, "ascii": 22, "html": 8,
                 "json": 26, "yaml": 18}
DOC_LAYOUTS: dict[str, tuple[Callable[[random.Random, People], Doc], int]] = {
    "form": (documents.form, 50), "vcard": (documents.vcards, 22),
    "email-thread": (documents.email_thread, 50), "hr-note": (documents.hr_note, 40),
    "meeting-notes": (documents.meeting_notes, 28), "letter": (documents.letter, 40),
    "env-ini": (documents.env_ini, 16), "chat": (documents.chat_request, 40),
}
SECRET_ROUNDS = 6  # items per credential source
EVASION_PER_TECHNIQUE = 10
BENIGN_PER_KIND = 14
ANTHROPIC_SHARE = 0.25

ASK_TABLE = {
    "en": ["Find duplicate people in this export and list them:",
           "Clean up this export — normalise the phone numbers:",
           "Turn this into a pivot by department:", "Which rows are missing data?"],
    "de": ["Finde doppelte Einträge in diesem Export:", "Bitte bereinige diese Tabelle:"],
    "fr": ["Trouve les doublons dans cet export :", "Nettoie ce tableau s'il te plaît :"],
    "es": ["Encuentra duplicados en esta exportación:", "Limpia esta tabla, por favor:"],
}


def _table_doc(rng: random.Random, layout: str) -> Doc:
    people = People(rng)
    lang = rng.choice(tables.LANGS)
    st = tables.style(rng, lang)
    fields = tables.choose_fields(rng, lang)
    heads = [tables.header(rng, f, lang) for f in fields]
    big = layout in ("csv", "tsv", "sql")
    target = rng.randint(5_000, 20_000) if big else rng.randint(600, 4_000)
    # size one row first, then generate about as many as the target needs
    probe = tables.rows(rng, fields, st, people, 1)
    row_len = sum(len(tables.text_of(c)) + 3 for c in probe[0])
    body = probe + tables.rows(rng, fields, st, people, max(1, target // row_len - 1))
    if layout in ("csv", "tsv"):
        delim = "\t" if layout == "tsv" else (";" if lang in ("de", "fr") and rng.random() < 0.6
                                              else ",")
        t = tables.csv_table(rng, heads, body, delim, rng.choice(["minimal", "all", "strings"]))
    elif layout == "sql":
        t = tables.sql_dump(rng, rng.choice(["employees", "customers", "contacts", "patients",
                                             "payroll", "members"]), heads, body)
    elif layout == "markdown":
        t = tables.markdown_table(heads, body)
    elif layout == "ascii":
        t = tables.ascii_table(heads, body)
    elif layout == "html":
        t = tables.html_table(heads, body)
    elif layout == "json":
        t = tables.json_records(rng, heads, body)
    else:
        t = tables.yaml_records(heads, body)
    doc = Doc()
    fence = {"csv": "csv", "tsv": "", "sql": "sql", "json": "json", "yaml": "yaml",
             "html": "html"}.get(layout)
    if rng.random() < 0.85:
        doc.add(rng.choice(ASK_TABLE[lang]) + "\n\n")
    if fence is not None and rng.random() < 0.6:
        doc.add(f"```{fence}\n").extend(t).add("```\n")
    else:
        doc.extend(t)
    return doc


def _retry(make: Callable[[random.Random], Item], rng: random.Random) -> Item:
    """Build an item; a draw that breaks an invariant (two people sharing a name that a
    template then writes twice) is drawn again from the same stream."""
    last = None
    for _ in range(MAX_TRIES):
        try:
            return make(rng)
        except CorpusError as exc:
            last = exc
    raise CorpusError(f"no draw satisfies the invariants; the last: {last}")


def _api(rng: random.Random) -> str:
    return "anthropic" if rng.random() < ANTHROPIC_SHARE else "openai"


def generate(seed: int = SEED) -> list[Item]:
    """The corpus for ``seed`` (a new list each call; the items are immutable)."""
    return list(_generate(seed))


@functools.cache
def _generate(seed: int) -> tuple[Item, ...]:
    items: list[Item] = []
    drawn: Counter[tuple[str, str]] = Counter()

    def add(cls: str, key: str, make: Callable[[random.Random, str], Item]) -> None:
        """Item number n of (cls, key) comes from its own stream: (seed, cls, key, n)."""
        n = drawn[cls, key]
        drawn[cls, key] += 1
        h = hashlib.sha256(repr((seed, cls, key, n)).encode()).digest()
        item_id = f"v{len(items) + 1:04d}"
        items.append(_retry(lambda r: make(r, item_id), random.Random(int.from_bytes(h[:8],
                                                                                    "big"))))

    for layout, n in TABLE_LAYOUTS.items():
        for _ in range(n):
            add(PII, layout, lambda r, i, lay=layout: assemble(
                i, PII, lay, [("user", _table_doc(r, lay))], _api(r)))
    for layout, (fn, n) in DOC_LAYOUTS.items():
        for _ in range(n):
            add(PII, layout, lambda r, i, lay=layout, f=fn: assemble(
                i, PII, lay, [("user", f(r, People(r)))], _api(r)))

    sources = list(snippets.SOURCES)
    for _ in range(SECRET_ROUNDS):
        for source in sources:
            def make(r: random.Random, i: str, src: str = source) -> Item:
                extra = [r.choice(sources) for _ in range(r.choice([0, 0, 0, 1, 2]))]
                layout, doc = snippets.secret_doc(r, [src, *extra])
                return assemble(i, SECRET, layout, [("user", doc)], _api(r))
            add(SECRET, source, make)  # the item is named by its first snippet's layout

    for technique in evasion.TECHNIQUES:
        for n in range(EVASION_PER_TECHNIQUE):
            add("evasion", technique, lambda r, i, t=technique, s=n % 2 == 0:
                evasion.evasion_item(i, r, t, s, _api(r)))

    for kind in benign.KINDS:
        for _ in range(BENIGN_PER_KIND):
            add(BENIGN, kind, lambda r, i, k=kind: _benign(r, i, k))
    return tuple(items)


def _benign(rng: random.Random, item_id: str, kind: str) -> Item:
    if kind == "agent-prompt":
        docs = [("system", benign.benign_doc(rng, kind)),
                ("user", Doc().add(rng.choice(["Fix the failing test in tests/test_api.py.",
                                               "Add a --dry-run flag to the CLI.",
                                               "Why is CI red on main?"])))]
    else:
        docs = [("user", benign.benign_doc(rng, kind))]
    return assemble(item_id, BENIGN, kind, docs, _api(rng))


# --------------------------------------------------------------------------- manifest
def digest(items: list[Item]) -> str:
    h = hashlib.sha256()
    for it in items:
        h.update(json.dumps(it.to_json(), sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def manifest(items: list[Item], seed: int = SEED) -> dict:
    planted = Counter(p.type for it in items for p in it.scored)
    return {
        "seed": seed,
        "items": len(items),
        "classes": dict(sorted(Counter(it.cls for it in items).items())),
        "techniques": dict(sorted(Counter(f"{it.cls}/{it.technique}" for it in items).items())),
        "planted": dict(sorted(planted.items())),
        "secret_kinds": len({p.kind for it in items for p in it.scored if p.type == "SECRET"}),
        "apis": dict(sorted(Counter(it.api for it in items).items())),
        "chars": sum(len(m.text) for it in items for m in it.messages),
        "sha256": digest(items),
    }
