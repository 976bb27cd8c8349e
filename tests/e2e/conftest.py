"""End-to-end fixtures: the stand-in AI services and the real proxy in front of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from .proxy_harness import ROOT, RunningProxy, start_proxy
from .standin.fixtures import standin, standin_clean, standin_pki  # noqa: F401 - fixtures

E2E_RULESET = Path(__file__).resolve().parents[1] / "fixtures" / "rulesets" / "e2e.yaml"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def proxy(tmp_path_factory, standin, standin_pki) -> RunningProxy:  # noqa: F811
    """The launcher-started proxy with the e2e ruleset (the shipped catalog)."""
    p = start_proxy(tmp_path_factory.mktemp("proxy"), E2E_RULESET, standin.port,
                    standin_pki.ca_cert)
    yield p
    p.stop()


@pytest.fixture(scope="session")
def auth_proxy(tmp_path_factory, standin, standin_pki) -> RunningProxy:  # noqa: F811
    """A second proxy that requires proxy authentication (mitmproxy's htpasswd support)."""
    import bcrypt

    work = tmp_path_factory.mktemp("auth-proxy")
    htpasswd = work / "htpasswd"
    htpasswd.write_text("".join(
        f"{user}:{bcrypt.hashpw(pw.encode(), bcrypt.gensalt(rounds=4)).decode()}\n"
        for user, pw in (("alice", "alice-pw"), ("intern", "intern-pw"))))
    p = start_proxy(work, E2E_RULESET, standin.port, standin_pki.ca_cert,
                    extra_args=["--set", f"proxyauth=@{htpasswd}"])
    yield p
    p.stop()


@pytest.fixture(scope="session")
def default_proxy(tmp_path_factory, standin, standin_pki) -> RunningProxy:  # noqa: F811
    """The proxy with the shipped default ruleset and its client profiles: what a company
    starts from (one scan worker: the clients here send one request at a time)."""
    p = start_proxy(tmp_path_factory.mktemp("default-proxy"),
                    ROOT / "rulesets" / "default.yaml", standin.port, standin_pki.ca_cert,
                    extra_args=["--set", "aipolicy_scan_workers=1"], timeout=180)
    yield p
    p.stop()
