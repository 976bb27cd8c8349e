"""Shared test helpers: paths to the repository's own data and fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def test_ruleset_path() -> Path:
    return FIXTURES / "rulesets" / "valid.yaml"
