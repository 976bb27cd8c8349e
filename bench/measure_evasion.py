"""Evasion techniques caught, and hard benign look-alikes touched, end to end.

    .venv/bin/python -m bench.measure_evasion [--ruleset PATH] [--seed N] [--show]

Every item of ``tests/corpus/evasion_corpus.py`` (a development corpus: tune on it) goes
through the real ``Pipeline`` as an OpenAI chat request (a tool result follows the
assistant's call for it). An evasion item is *caught* when the request is blocked or none
of what it shows (for a split value: not all of its parts) is left in the body that
would be forwarded; a benign item is *touched* when it is blocked or changed.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aipolicy.model import ClientIdentity, RequestInfo  # noqa: E402
from aipolicy.pipeline import Pipeline  # noqa: E402
from aipolicy.ruleset import load_ruleset  # noqa: E402
from tests.corpus.evasion_corpus import EvasionItem, generate  # noqa: E402

CLIENT = ClientIdentity(ipaddress.ip_address("127.0.0.1"))


def request_body(item: EvasionItem) -> bytes:
    messages: list[dict] = []
    for i, (role, text) in enumerate(item.messages):
        if role == "tool":
            call = f"call_{i:02d}"
            messages.append({"role": "assistant", "content": None, "tool_calls": [
                {"id": call, "type": "function", "function": {
                    "name": "read_file", "arguments": "{\"path\": \"notes.txt\"}"}}]})
            messages.append({"role": "tool", "tool_call_id": call, "content": text})
        else:
            messages.append({"role": role, "content": text})
    return json.dumps({"model": "gpt-4o", "messages": messages}, ensure_ascii=False
                      ).encode()


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def observe(pipeline: Pipeline, item: EvasionItem) -> tuple[bool, bool, bool]:
    """(blocked, changed, leaked) for one item."""
    info = RequestInfo(method="POST", scheme="https", host="api.openai.com", port=443,
                       path="/v1/chat/completions",
                       headers={"content-type": "application/json"}, client=CLIENT)
    app = pipeline.classify(info)
    assert app is not None
    body = request_body(item)
    verdict = pipeline.evaluate(info, app, body)
    blocked = verdict.notice is not None
    forwarded = verdict.new_body if verdict.new_body is not None else body
    changed = not blocked and forwarded != body
    strings = [] if blocked else _strings(json.loads(forwarded))
    leaked = bool(item.shown) and all(any(s in t for t in strings) for s in item.shown)
    return blocked, changed, leaked


def measure(pipeline: Pipeline, items: list[EvasionItem], show: bool = False) -> dict:
    caught: dict[str, Counter] = defaultdict(Counter)
    benign: dict[str, Counter] = defaultdict(Counter)
    for item in items:
        blocked, changed, leaked = observe(pipeline, item)
        if item.benign:
            kind = item.technique.split(":", 1)[1]
            benign[kind]["items"] += 1
            benign[kind]["touched"] += blocked or changed
            if show and (blocked or changed):
                print(f"TOUCHED {item.id} {kind} blocked={blocked}")
        else:
            caught[item.technique]["items"] += 1
            caught[item.technique]["caught"] += not leaked
            caught[f"target:{item.target}"]["items"] += 1
            caught[f"target:{item.target}"]["caught"] += not leaked
            if show and leaked:
                print(f"LEAKED {item.id} {item.technique} {item.target}")
    total = sum(c["items"] for k, c in caught.items() if not k.startswith("target:"))
    got = sum(c["caught"] for k, c in caught.items() if not k.startswith("target:"))
    b_items = sum(c["items"] for c in benign.values())
    b_touched = sum(c["touched"] for c in benign.values())
    return {"evasion": {"items": total, "caught": got, "rate": round(got / total, 4),
                        "by_technique": {k: dict(c) | {"rate": round(c["caught"] / c["items"], 4)}
                                         for k, c in sorted(caught.items())}},
            "benign": {"items": b_items, "touched": b_touched,
                       "by_kind": {k: dict(c) for k, c in sorted(benign.items())
                                   if c["touched"]}}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ruleset", default=str(ROOT / "rulesets" / "default.yaml"))
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--show", action="store_true", help="list leaked and touched items")
    args = parser.parse_args()
    pipeline = Pipeline(load_ruleset(args.ruleset))
    result = measure(pipeline, generate(args.seed), args.show)
    ev = result["evasion"]
    print(f"evasion caught: {ev['caught']}/{ev['items']} = {ev['rate']:.1%}")
    for k, c in ev["by_technique"].items():
        print(f"  {k:28s} {c['caught']:3d}/{c['items']:3d}  {c['rate']:.0%}")
    b = result["benign"]
    print(f"benign touched: {b['touched']}/{b['items']}  {b['by_kind']}")


if __name__ == "__main__":
    main()
