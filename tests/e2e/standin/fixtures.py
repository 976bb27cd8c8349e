"""Pytest fixtures for the stand-in; tests/e2e/conftest.py imports them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .pki import StandinPKI, make_pki
from .server import StandIn


@pytest.fixture(scope="session")
def standin_pki(tmp_path_factory: pytest.TempPathFactory) -> StandinPKI:
    """The test upstream CA and the stand-in's certificates, made once per session."""
    return make_pki(tmp_path_factory.mktemp("standin-pki"))


@pytest.fixture(scope="session")
def standin(standin_pki: StandinPKI) -> Iterator[StandIn]:
    """The running stand-in, shared by the session (use `standin_clean` in tests)."""
    with StandIn(standin_pki) as server:
        yield server


@pytest.fixture
def standin_clean(standin: StandIn) -> StandIn:
    """The shared stand-in with its request log, connections and gates emptied."""
    standin.reset()
    return standin
