"""python -m tests.corpus.validation [--write-manifest] [--jsonl PATH]

Prints the manifest of the generated corpus; ``--write-manifest`` records it (after an
intended change of the generator), ``--jsonl`` writes every item, one per line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .build import SEED, generate, manifest

MANIFEST = Path(__file__).with_name("manifest.json")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--write-manifest", action="store_true")
    ap.add_argument("--jsonl", type=Path)
    args = ap.parse_args()
    items = generate(args.seed)
    m = manifest(items, args.seed)
    text = json.dumps(m, indent=1, ensure_ascii=False) + "\n"
    print(text, end="")
    if args.write_manifest:
        MANIFEST.write_text(text, encoding="utf-8")
    if args.jsonl:
        with args.jsonl.open("w", encoding="utf-8") as fh:
            for it in items:
                fh.write(json.dumps(it.to_json(), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
