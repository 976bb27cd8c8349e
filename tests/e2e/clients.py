"""Run the real coding-agent CLIs through the proxy against the stand-in.

The clients are pinned and installed by the Makefile (`make clients`): Claude Code and
Codex from npm into `clients/node_modules`, aider from PyPI into `.venv-aider`. Each run
gets a fresh HOME and project directory, a minimal environment (never the caller's: it
may hold real API keys) with the proxy, its CA and an obviously fake API key, and a
timeout. Update checks are switched off, as a company rolling these tools out would;
telemetry is left on, because its requests are part of what the proxy must let through.

    run = run_client(CLAUDE_CODE, "Say hello", proxy, standin, tmp_path)
    run.stdout, run.exit_code, run.requests   # what the user saw, what arrived upstream
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .proxy_harness import ROOT, RunningProxy
from .standin import RecordedRequest, StandIn

CLIENTS_DIR = ROOT / "clients"
NODE_BIN = CLIENTS_DIR / "node_modules" / ".bin"
NPM_STAMP = CLIENTS_DIR / "node_modules" / ".installed"
AIDER_VENV = ROOT / ".venv-aider"
AIDER_STAMP = AIDER_VENV / ".installed"

# Obviously fake keys: the stand-in does not check them, and a key that leaked into a
# captured body is easy to find.
FAKE_ANTHROPIC_KEY = "sk-ant-fake-aipolicy-test-key"
FAKE_OPENAI_KEY = "sk-fake-aipolicy-test-key"
FAKE_KEYS = (FAKE_ANTHROPIC_KEY, FAKE_OPENAI_KEY)

# Codex's built-in `openai` provider talks to wss://api.openai.com/v1/responses first
# and falls back to HTTPS only after the upgrade failed five times. Built-in provider
# ids cannot be overridden, so HTTPS (Server-Sent Events) needs a provider of its own
# with `supports_websockets = false` (codex-rs/core/src/model_provider_info.rs; the
# `model_providers` table in docs/config.md of openai/codex).
CODEX_HTTPS_CONFIG = """\
model_provider = "openai_https"

[model_providers.openai_https]
name = "OpenAI (HTTPS)"
base_url = "https://api.openai.com/v1"
wire_api = "responses"
env_key = "OPENAI_API_KEY"
supports_websockets = false
"""


@dataclass(frozen=True)
class Workspace:
    """The per-run directories; their paths appear in what some clients send."""

    root: Path
    home: Path
    project: Path

    @classmethod
    def create(cls, root: Path) -> Workspace:
        home, project = root / "home", root / "project"
        home.mkdir(parents=True)
        project.mkdir()
        return cls(root, home, project)


@dataclass(frozen=True)
class ClientProfile:
    """How to run one client non-interactively, and what it needs installed."""

    name: str
    executable: Path
    installed_by: Path  # stamp file the Makefile writes after a good install
    install_hint: str
    argv: Callable[[str], tuple[str, ...]]  # prompt -> arguments after the executable
    env: Callable[[RunningProxy, Workspace], dict[str, str]]
    setup: Callable[[Workspace], None] = lambda ws: None  # config files in HOME

    def missing(self) -> str | None:
        """Why this client cannot run here, or None."""
        if not self.installed_by.exists() or not self.executable.exists():
            return f"{self.name} is not installed: {self.install_hint}"
        return None


@dataclass(frozen=True)
class ClientRun:
    """What the user saw and what reached the stand-in during one run."""

    client: str
    exit_code: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float
    workspace: Workspace
    requests: tuple[RecordedRequest, ...] = field(repr=False)

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def to(self, host: str, path_prefix: str = "", method: str | None = None
           ) -> list[RecordedRequest]:
        return [r for r in self.requests if r.host == host
                and r.path.startswith(path_prefix) and method in (None, r.method)]


def _base_env(proxy: RunningProxy, ws: Workspace) -> dict[str, str]:
    proxy_url = proxy.url
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ws.home),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "TMPDIR": str(ws.root),
        "HTTPS_PROXY": proxy_url, "https_proxy": proxy_url,
        "HTTP_PROXY": proxy_url, "http_proxy": proxy_url,
        "NO_PROXY": "", "no_proxy": "",
    }


def _claude_env(proxy: RunningProxy, ws: Workspace) -> dict[str, str]:
    return {
        **_base_env(proxy, ws),
        "ANTHROPIC_API_KEY": FAKE_ANTHROPIC_KEY,
        "NODE_EXTRA_CA_CERTS": str(proxy.ca_cert),  # Claude Code's documented CA setting
        "DISABLE_AUTOUPDATER": "1",
    }


def _codex_env(proxy: RunningProxy, ws: Workspace) -> dict[str, str]:
    return {
        **_base_env(proxy, ws),
        "CODEX_HOME": str(ws.home / ".codex"),
        "OPENAI_API_KEY": FAKE_OPENAI_KEY,
        "SSL_CERT_FILE": str(proxy.ca_cert),  # read by Codex's TLS stack (rustls)
    }


def _codex_https_setup(ws: Workspace) -> None:
    codex_home = ws.home / ".codex"
    codex_home.mkdir()
    (codex_home / "config.toml").write_text(CODEX_HTTPS_CONFIG)


def _codex_default_setup(ws: Workspace) -> None:
    (ws.home / ".codex").mkdir()


def _aider_env(proxy: RunningProxy, ws: Workspace) -> dict[str, str]:
    return {
        **_base_env(proxy, ws),
        "OPENAI_API_KEY": FAKE_OPENAI_KEY,
        "SSL_CERT_FILE": str(proxy.ca_cert),  # httpx (openai SDK via litellm)
        "REQUESTS_CA_BUNDLE": str(proxy.ca_cert),  # requests
        # litellm fetches its model price table from GitHub at start; a test machine has
        # no internet, and it is not AI traffic. Use the table the package ships.
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }


_NPM_HINT = "run `make clients` (needs npm; installs clients/package-lock.json)"

CLAUDE_CODE = ClientProfile(
    name="claude-code",
    executable=NODE_BIN / "claude",
    installed_by=NPM_STAMP,
    install_hint=_NPM_HINT,
    argv=lambda prompt: ("-p", prompt),
    env=_claude_env,
)

CODEX = ClientProfile(
    name="codex",
    executable=NODE_BIN / "codex",
    installed_by=NPM_STAMP,
    install_hint=_NPM_HINT,
    argv=lambda prompt: ("exec", "--skip-git-repo-check", prompt),
    env=_codex_env,
    setup=_codex_https_setup,
)

# Codex as installed, with no config: the Responses API over a WebSocket (the stand-in
# answers it with the Responses events).
CODEX_DEFAULT = ClientProfile(
    name="codex-default",
    executable=NODE_BIN / "codex",
    installed_by=NPM_STAMP,
    install_hint=_NPM_HINT,
    argv=lambda prompt: ("exec", "--skip-git-repo-check", prompt),
    env=_codex_env,
    setup=_codex_default_setup,
)

AIDER = ClientProfile(
    name="aider",
    executable=AIDER_VENV / "bin" / "aider",
    installed_by=AIDER_STAMP,
    install_hint="run `make clients` (needs Python 3.10-3.12; installs "
                 "clients/aider-requirements.txt into .venv-aider)",
    argv=lambda prompt: ("--model", "gpt-4o-mini", "--message", prompt, "--yes", "--no-git",
                         "--no-check-update"),
    env=_aider_env,
)

PROFILES = {p.name: p for p in (CLAUDE_CODE, CODEX, CODEX_DEFAULT, AIDER)}


def run_client(profile: ClientProfile, prompt: str, proxy: RunningProxy, standin: StandIn,
               workdir: Path, timeout: float = 120.0) -> ClientRun:
    """Run `profile` once with `prompt` in a fresh workspace under `workdir`.

    The stand-in's request log is cleared first, so `requests` holds this run's only.
    """
    if reason := profile.missing():
        raise RuntimeError(reason)
    ws = Workspace.create(workdir)
    profile.setup(ws)
    standin.reset()
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(profile.executable), *profile.argv(prompt)], cwd=ws.project,
        env=profile.env(proxy, ws), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, errors="replace",
        start_new_session=True)  # its own process group: a timeout ends its helpers too
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        code = None
    return ClientRun(profile.name, code, stdout, stderr, time.monotonic() - started, ws,
                     tuple(standin.requests.snapshot()))
