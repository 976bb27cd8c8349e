"""Hot reload in the running proxy: a valid edit takes over, a broken edit changes nothing."""

from __future__ import annotations

import time
import urllib.request

from .proxy_harness import ROOT, start_proxy

E2E = ROOT / "tests" / "fixtures" / "rulesets" / "e2e.yaml"


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_reload_valid_then_broken(tmp_path, standin, standin_pki):
    ruleset = tmp_path / "rules" / "policy.yaml"
    ruleset.parent.mkdir()
    text = E2E.read_text().replace("../../../rulesets/", f"{ROOT}/rulesets/")
    ruleset.write_text(text)
    proxy = start_proxy(tmp_path / "run", ruleset, standin.port, standin_pki.ca_cert,
                        extra_args=["--set", "aipolicy_reload_interval=1",
                                    "--set", "aipolicy_scan_workers=1"])
    try:
        def version() -> str:
            for line in proxy.metrics().splitlines():
                if line.startswith("aipolicy_ruleset_info{"):
                    return line.split('version="', 1)[1].split('"', 1)[0]
            return ""

        assert version() == "e2e-1"
        ruleset.write_text(text.replace('version: "e2e-1"', 'version: "e2e-2"'))
        assert _wait(lambda: version() == "e2e-2"), proxy.stderr()[-2000:]

        ruleset.write_text(text.replace('version: "e2e-1"', 'version: "e2e-3"')
                           .replace("mode: enforce", "mode: enforcing"))
        assert _wait(lambda: proxy.metric_value(
            "aipolicy_ruleset_reload_failures_total") == 1), proxy.stderr()[-2000:]
        assert version() == "e2e-2"  # the broken edit did not replace the running policy
        assert "mode" in proxy.stderr() and "enforcing" in proxy.stderr()
        with urllib.request.urlopen(f"http://127.0.0.1:{proxy.metrics_port}/readyz") as r:
            assert r.status == 200
    finally:
        proxy.stop()
