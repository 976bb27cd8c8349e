"""What makes `person: all` affordable on long prompts: the model reads only the sentences
around name-like words, and a large batch is split across model copies in threads."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from aipolicy.cores import usable_cores
from aipolicy.detect.pii import PiiDetector, PiiSettings
from aipolicy.detect.pii_ner import NerEngine, share_bounds
from aipolicy.detect.pii_rules import DEFAULT_PATTERNS_PATH, load_pii_rules
from aipolicy.errors import ConfigError

RULES = load_pii_rules()
FILLER = ("The quarterly forecast was updated after the review and the numbers were "
          "checked twice by the finance team. ")


@pytest.fixture(scope="module")
def all_mode() -> PiiDetector:
    return PiiDetector(PiiSettings(person_mode="all"))


@pytest.fixture(scope="module")
def engines() -> tuple[NerEngine, NerEngine]:
    """One engine that always splits across two copies, one that never splits."""
    split = dataclasses.replace(RULES.ner, threads=2, parallel_min_chars=1)
    single = dataclasses.replace(RULES.ner, threads=1)
    return NerEngine(split), NerEngine(single)


# --------------------------------------------------------------------------- what is read
def test_all_mode_reads_only_the_sentences_with_name_like_words(all_mode: PiiDetector,
                                                                model_batches) -> None:
    sentence = "Please ask Ingrid Halvorsen to review the draft."
    text = FILLER * 6 + sentence + " " + FILLER * 6
    all_mode._ner._cache.clear()
    batches = model_batches(all_mode)
    matches = all_mode.scan(text)
    assert ("PERSON", "Ingrid Halvorsen") in {(m.entity, text[m.start:m.end])
                                              for m in matches}
    assert len(batches) == 1
    read = "".join(batches[0])
    assert "Ingrid Halvorsen" in read
    assert "quarterly forecast" not in read  # the paragraph's other sentences are not read


def test_words_with_digits_do_not_start_a_model_run(all_mode: PiiDetector,
                                                    model_batches) -> None:
    batches = model_batches(all_mode)
    all_mode.scan("Ticket FIN-9922 tracks the Q3 forecast; release V2 fixed OPS-5292.")
    assert batches == []


def test_short_lines_are_read_with_their_block(all_mode: PiiDetector, model_batches) -> None:
    text = ("Can you tidy up this signature?\n\nBest wishes\nIngrid Halvorsen\n"
            "Head of procurement\n\n" + FILLER * 4)
    all_mode._ner._cache.clear()
    batches = model_batches(all_mode)
    matches = all_mode.scan(text)
    assert ("PERSON", "Ingrid Halvorsen") in {(m.entity, text[m.start:m.end])
                                              for m in matches}
    assert any("Best wishes\nIngrid Halvorsen\nHead of procurement" in s
               for s in batches[0])


def test_re_sent_text_costs_no_model_run_and_new_text_only_its_sentences(
        all_mode: PiiDetector, model_batches) -> None:
    first = FILLER * 3 + "Then Ingrid Halvorsen signed it. " + FILLER * 3
    added = "\n\nLater Bartholomew Okafor replied."
    all_mode.scan(first)
    batches = model_batches(all_mode)
    assert all_mode.scan(first) == all_mode.scan(first)
    assert batches == []
    found = all_mode.scan(first + added)
    assert len(batches) == 1
    assert all("Ingrid" not in s for s in batches[0])  # cached: not read again
    text = first + added
    assert ("PERSON", "Bartholomew Okafor") in {(m.entity, text[m.start:m.end])
                                                for m in found}


def test_all_mode_names_in_every_paragraph(all_mode: PiiDetector) -> None:
    paragraphs = [FILLER * 2 + f"Yesterday {name} approved the budget. " + FILLER
                  for name in ("Ingrid Halvorsen", "Bartholomew Okafor", "Mireille Dubois")]
    text = "\n\n".join(paragraphs)
    persons = {text[m.start:m.end] for m in all_mode.scan(text) if m.entity == "PERSON"}
    assert persons == {"Ingrid Halvorsen", "Bartholomew Okafor", "Mireille Dubois"}


def test_shipped_settings_split_long_prompts_only(all_mode: PiiDetector) -> None:
    names = ["Ingrid Halvorsen", "Bartholomew Okafor", "Mireille Dubois", "Tobias Lindgren"]
    short = " ".join(f"Yesterday {n} approved budget {i}." for i, n in enumerate(names * 10))
    assert len(short) <= 2_000
    all_mode.scan(short)
    assert all_mode._ner.last_run_copies == 1
    long = "\n\n".join(f"Yesterday {n} approved budget {i}." for i, n in enumerate(names * 400))
    all_mode.scan(long)
    assert all_mode._ner.last_run_copies == all_mode._ner.copies


# --------------------------------------------------------------------------- model copies
@pytest.mark.parametrize(("sizes", "parts"), [
    ([10, 10, 10, 10], 2), ([100, 1, 1], 2), ([1, 1, 100], 2), ([5], 4), ([3, 3, 3], 8),
    ([1] * 101, 3), ([7, 0, 0, 7], 2),
])
def test_share_bounds_cover_everything_in_order(sizes: list[int], parts: int) -> None:
    bounds = share_bounds(sizes, parts)
    assert 1 <= len(bounds) <= min(parts, len(sizes))
    assert bounds[0][0] == 0 and bounds[-1][1] == len(sizes)
    assert all(a < b for a, b in bounds)
    assert all(bounds[k][1] == bounds[k + 1][0] for k in range(len(bounds) - 1))


def test_share_bounds_balance_the_text() -> None:
    assert share_bounds([10, 10, 10, 10], 2) == [(0, 2), (2, 4)]
    assert share_bounds([1] * 90, 3) == [(0, 30), (30, 60), (60, 90)]
    assert share_bounds([], 2) == []


SNIPPETS = [
    "Please loop in Ivo Kowalczyk before we send the budget request.",
    "Our ticket backlog target for North America is 27.6% this year.",
    "Send the signed copy to Rania Valente and copy Cormac from data engineering.",
    "Angela Merkel met Emmanuel Macron in Paris on Tuesday.",
    "Project Heron is on track, but the checklist still needs sign-off.",
    "Farah Albrecht from Wingtip Logistics confirmed the audit findings.",
    "Nothing to see here.",
]


def test_split_batch_gives_the_single_copy_results_in_order(engines) -> None:
    split, single = engines
    assert split.copies == 2 and single.copies == 1
    texts = [f"{s} {i}" for i, s in enumerate(SNIPPETS * 3)]  # new to both caches
    expected = single.entities(texts)
    assert single.last_run_copies == 1
    assert split.entities(texts) == expected
    assert split.last_run_copies == 2
    assert any(expected)


def test_small_batches_stay_on_one_copy() -> None:
    engine = NerEngine(dataclasses.replace(RULES.ner, threads=2, parallel_min_chars=10_000))
    engine.entities(SNIPPETS)
    assert engine.last_run_copies == 1
    engine.entities([f"{s} Again ({i})." for i, s in enumerate(SNIPPETS * 40)])
    assert engine.last_run_copies == 2


def test_concurrent_callers_get_their_own_results(engines) -> None:
    split, single = engines
    batches = [[f"{s} (batch {b})" for s in SNIPPETS] for b in range(6)]
    expected = [single.entities(b) for b in batches]
    results: dict[int, list] = {}

    def run(k: int) -> None:
        results[k] = split.entities(batches[k])

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [results[k] for k in range(len(batches))] == expected


def test_threads_zero_means_one_copy_per_usable_core() -> None:
    engine = NerEngine(dataclasses.replace(RULES.ner, threads=0))
    assert engine.copies == usable_cores()


# --------------------------------------------------------------------------- settings
def test_ner_speed_settings_load_from_the_ruleset() -> None:
    ner = RULES.ner
    assert 0 <= ner.all_neighbour_sentences <= 5
    assert ner.threads >= 0 and ner.parallel_min_chars >= 0


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of pii.yaml with one line changed, beside the files it names."""
    text = DEFAULT_PATTERNS_PATH.read_text(encoding="utf-8")
    assert old in text
    for name in (RULES.lexicon.file.name, Path(RULES.fields.file).name):
        (tmp_path / name).symlink_to(DEFAULT_PATTERNS_PATH.parent / name)
    path = tmp_path / "pii.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("key", "bad"), [
    ("threads", "-1"), ("threads", "two"), ("parallel_min_chars", "1.5"),
    ("all_neighbour_sentences", "9"),
])
def test_bad_ner_speed_settings_are_reported_with_their_line(tmp_path: Path, key: str,
                                                             bad: str) -> None:
    current = f"  {key}: {getattr(RULES.ner, key)}\n"
    path = _variant(tmp_path, current, f"  {key}: {bad}\n")
    with pytest.raises(ConfigError) as err:
        load_pii_rules(path)
    assert f"ner.{key}" in str(err.value)


def test_ner_speed_settings_are_optional(tmp_path: Path) -> None:
    path = _variant(tmp_path, f"  threads: {RULES.ner.threads}\n", "")
    assert load_pii_rules(path).ner.threads == 0
