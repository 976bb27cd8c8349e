"""Start the real proxy with the launcher (`aipolicy run`) for end-to-end tests.

The proxy runs as its own process with real TLS: its CA is created in a temporary
confdir, upstream certificates are verified against the stand-in's test CA, and a
test-only addon sends every upstream connection to the stand-in on loopback.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
REDIRECT_ADDON = ROOT / "tests" / "e2e" / "standin" / "redirect_addon.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningProxy:
    process: subprocess.Popen
    port: int
    metrics_port: int
    confdir: Path
    audit_path: Path
    stderr_path: Path
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ca_cert(self) -> Path:
        return self.confdir / "mitmproxy-ca-cert.pem"

    def audit(self) -> list[dict]:
        if not self.audit_path.exists():
            return []
        return [json.loads(line) for line in self.audit_path.read_text().splitlines() if line]

    def wait_audit(self, predicate, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for rec in self.audit():
                if predicate(rec):
                    return rec
            time.sleep(0.05)
        raise AssertionError(f"no audit line matched; have: {self.audit()}")

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics") as r:
            return r.read().decode()

    def metric_value(self, sample: str) -> float:
        """Value of one exposition line prefix like 'aipolicy_requests_total{...}'."""
        for line in self.metrics().splitlines():
            if line.startswith(sample + " "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the proxy and everything it started (its scan workers share its process
        group), also when it never became ready."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


def start_proxy(workdir: Path, ruleset: Path, standin_port: int, upstream_ca: Path,
                extra_args: list[str] = (), timeout: float = 180.0) -> RunningProxy:
    workdir.mkdir(parents=True, exist_ok=True)
    port, metrics_port = free_port(), free_port()
    confdir = workdir / "certs"
    audit = workdir / "audit.log"
    stderr_path = workdir / "proxy.stderr"
    cmd = [
        str(VENV_BIN / "aipolicy"), "run", "--ruleset", str(ruleset),
        "--listen-port", str(port),
        "--set", f"confdir={confdir}",
        "--set", f"aipolicy_audit_log={audit}",
        "--set", f"aipolicy_metrics_listen=127.0.0.1:{metrics_port}",
        "--set", f"ssl_verify_upstream_trusted_ca={upstream_ca}",
        "-s", str(REDIRECT_ADDON),
        "--set", f"standin_address=127.0.0.1:{standin_port}",
        *extra_args,
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env,
                                start_new_session=True,
                                cwd=ROOT)
    proxy = RunningProxy(proc, port, metrics_port, confdir, audit, stderr_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"proxy exited with {proc.returncode}:\n{proxy.stderr()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/readyz", timeout=1):
                pass
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proxy
        except OSError:
            time.sleep(0.1)
    proxy.stop()
    raise RuntimeError(f"proxy did not become ready in {timeout}s:\n{proxy.stderr()}")
