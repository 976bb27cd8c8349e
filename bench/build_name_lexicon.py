"""Build ``rulesets/person_names.txt``: the given-name / surname / common-word lexicon.

    python bench/build_name_lexicon.py [--scowl /usr/share/dict/scowl] [--out PATH]

Build-time only (the detector reads the text file, never these packages). Needs:

* ``faker`` (MIT) and ``mimesis`` (MIT) from PyPI: their per-locale person providers
  hold first names and surnames of ~90 locales (romanised variants included);
* SCOWL word lists (Debian package ``scowl``; permissive licence, see its copyright
  file): lower-case English words of size levels 10, 20 and 35 form the ``word``
  section, so that a name which is also a common word ("Will", "Grace", "Brown") needs
  more evidence than one that is not ("Krisztián", "Nishiyama").

Only tokens of scripts with letter case (Latin, Greek, Cyrillic, Armenian) are kept:
the detector looks for capitalised words. Tokens are stored lower-cased, sorted,
space-separated on lines of at most 100 characters, one section per class.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import pkgutil
import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "rulesets" / "person_names.txt"
WORD_LEVELS = (10, 20, 35)
_TOKEN = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W\d_])?")
_CASED_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "ARMENIAN")


def _cased(token: str) -> bool:
    return all(unicodedata.name(ch, "?").split()[0] in _CASED_SCRIPTS
               for ch in token if ch.isalpha())


def _tokens(value: str) -> list[str]:
    """Name tokens of one list entry: capitalised, cased script, 2+ letters."""
    out = []
    for tok in value.split():
        if _TOKEN.fullmatch(tok) and tok[0].isupper() and len(tok) >= 2 and _cased(tok):
            out.append(tok.lower().replace("i\u0307", "i"))  # Turkish İ lower-cases to i + dot
    return out


def faker_names() -> tuple[set[str], set[str]]:
    import faker.providers.person as person

    given: set[str] = set()
    surnames: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{info.name}"),
                           "Provider", None)
        if provider is None:
            continue
        for attr in dir(provider):
            value = getattr(provider, attr)
            if not isinstance(value, (list, tuple, dict)):
                continue
            if attr.startswith(("first_names", "first_romanized_names")):
                target = given
            elif attr.startswith(("last_names", "last_romanized_names")):
                target = surnames
            else:
                continue
            for entry in value:
                if isinstance(entry, str):
                    target.update(_tokens(entry))
    return given, surnames


def mimesis_names() -> tuple[set[str], set[str]]:
    import mimesis

    given: set[str] = set()
    surnames: set[str] = set()

    def walk(value, target: set[str]) -> None:
        if isinstance(value, str):
            target.update(_tokens(value))
        elif isinstance(value, list):
            for v in value:
                walk(v, target)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v, target)

    datasets = Path(mimesis.__file__).parent / "datasets"
    for path in sorted(datasets.glob("*/person.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        walk(data.get("names", []), given)
        walk(data.get("surnames", []), surnames)
    return given, surnames


def scowl_words(folder: Path) -> set[str]:
    words: set[str] = set()
    for kind in ("american-words", "english-words"):
        for level in WORD_LEVELS:
            path = folder / f"{kind}.{level}"
            if not path.exists():
                raise SystemExit(f"missing SCOWL list {path} (apt-get install scowl)")
            for line in path.read_text(encoding="latin-1").splitlines():
                word = line.strip()
                if word and word.islower() and _TOKEN.fullmatch(word):
                    words.add(word)
    return words


def _section(name: str, tokens: set[str]) -> list[str]:
    lines = [f"[{name}]"]
    line = ""
    for tok in sorted(tokens):
        if line and len(line) + 1 + len(tok) > 100:
            lines.append(line)
            line = ""
        line = f"{line} {tok}" if line else tok
    if line:
        lines.append(line)
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scowl", type=Path, default=Path("/usr/share/dict/scowl"))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    fg, fs = faker_names()
    mg, ms = mimesis_names()
    given, surnames = fg | mg, fs | ms
    words = scowl_words(args.scowl)
    versions = {p: importlib.metadata.version(p) for p in ("faker", "mimesis")}
    header = [
        "# Person-name lexicon for aipolicy.detect.pii_names (generated by",
        "# bench/build_name_lexicon.py; do not edit by hand, rebuild instead).",
        "#",
        "# [given] and [surname]: first names and surnames of ~90 locales, lower-cased, from",
        f"#   Faker {versions['faker']} (MIT licence, (c) Daniele Faraglia and contributors)",
        f"#   and Mimesis {versions['mimesis']} (MIT licence, (c) Isaak Uchakaev and",
        "#   contributors) person providers; only scripts with letter case are kept.",
        "# [word]: lower-case English words of SCOWL size levels "
        + ", ".join(map(str, WORD_LEVELS)) + " (Spell Checker",
        "#   Oriented Word Lists, Copyright 2000-2011 by Kevin Atkinson; permission to use,",
        "#   copy, modify, distribute and sell is granted without fee provided this notice",
        "#   is kept). A name that is also such a word needs more evidence.",
        "#",
        "# Format: a [section] line, then tokens separated by single spaces.",
    ]
    body = _section("given", given) + _section("surname", surnames) + _section("word", words)
    args.out.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(given)} given names, {len(surnames)} surnames, "
          f"{len(words)} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
