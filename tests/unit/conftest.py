"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from aipolicy.detect.pii import PiiDetector
from aipolicy.pipeline import Pipeline

DEFAULT_RULESET = Path(__file__).resolve().parents[2] / "rulesets" / "default.yaml"


@pytest.fixture(scope="session")
def default_pipeline() -> Pipeline:
    """The real pipeline with the shipped default ruleset (built once: it loads the model)."""
    return Pipeline.from_file(str(DEFAULT_RULESET))


@pytest.fixture
def model_batches(monkeypatch: pytest.MonkeyPatch) -> Callable[[PiiDetector], list[list[str]]]:
    """Spy on a detector's NER model: returns the list every batch of texts it is given
    is appended to (the model still runs)."""

    def spy(det: PiiDetector) -> list[list[str]]:
        batches: list[list[str]] = []
        original = det._ner._run_model

        def wrapper(texts):
            batches.append(list(texts))
            return original(texts)

        monkeypatch.setattr(det._ner, "_run_model", wrapper)
        return batches

    return spy
