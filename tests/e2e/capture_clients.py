"""Capture what the real clients send, as fixtures under tests/fixtures/clients/<client>/.

    PYTHONPATH=$PWD .venv/bin/python -m tests.e2e.capture_clients [CLIENT ...]

Re-run it after changing a pinned version in clients/ (`make clients` first). Each
client runs once with a benign prompt through the real proxy, with a ruleset that allows
everything and inspects nothing (tests/fixtures/rulesets/capture.yaml), so the stand-in
receives every request exactly as the client sent it: prompts, system prompts, tool
definitions, telemetry. Run directories, the kernel release and the host name are
replaced with fixed values; the run fails if one of them, or a test API key, is left
anywhere (also inside base64 JSON).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..client_fixtures import CLIENT_FIXTURES, MANIFEST, Scrubber, body_file_name
from .clients import FAKE_KEYS, PROFILES, ClientProfile, ClientRun, run_client
from .proxy_harness import ROOT, start_proxy
from .standin import StandIn, make_pki

CAPTURE_RULESET = ROOT / "tests" / "fixtures" / "rulesets" / "capture.yaml"
PROMPT = "Explain in two sentences what a Python list comprehension is."

# How each captured client was configured, for the manifest (see tests/e2e/clients.py).
CONFIGURATIONS = {
    "claude-code": "claude -p PROMPT; ANTHROPIC_API_KEY, NODE_EXTRA_CA_CERTS, "
                   "DISABLE_AUTOUPDATER=1",
    "codex": "codex exec --skip-git-repo-check PROMPT; a Responses provider over HTTPS "
             "(supports_websockets = false) in $CODEX_HOME/config.toml",
    "codex-default": "codex exec --skip-git-repo-check PROMPT; no config: WebSocket "
                     "upgrades refused by the stand-in, then its HTTPS fallback",
    "aider": "aider --model gpt-4o-mini --message PROMPT --yes --no-git --no-check-update; "
             "LITELLM_LOCAL_MODEL_COST_MAP=True",
}


def _version(profile: ClientProfile) -> str:
    done = subprocess.run([str(profile.executable), "--version"], capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout.strip().splitlines()[-1]


def _sanitized(path: str) -> str:
    """A path as Claude Code names a project's directory after it (`-tmp-x-project`)."""
    return re.sub(r"[^A-Za-z0-9]", "-", path)


def scrubber_for(run: ClientRun) -> Scrubber:
    ws = run.workspace
    replacements = []
    for path, fixed in ((ws.project, "/home/user/project"), (ws.home, "/home/user"),
                        (ws.root, "/tmp/capture")):
        replacements += [(str(path), fixed), (_sanitized(str(path)), _sanitized(fixed))]
    # Any other trace of the temporary directory, whatever a client made of its path.
    tmp_name = ws.root.parent.name
    replacements += [(tmp_name, "capture"), (_sanitized(tmp_name), "capture")]
    replacements.append((platform.release(), "6.8.0-generic"))
    if len(platform.node()) >= 4:  # shorter names would match inside ordinary words
        replacements.append((platform.node(), "workstation"))
    return Scrubber(tuple(replacements), FAKE_KEYS)


def write_fixture(run: ClientRun, version: str, out: Path) -> Path:
    scrub = scrubber_for(run)
    target = out / run.client
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    entries = []
    for index, req in enumerate(run.requests):
        path, _, query = req.path.partition("?")
        path, query = scrub.text(path), scrub.text(query)
        content_type = req.header("content-type") or ""
        encoding = req.header("content-encoding") or ""
        name = None
        if req.body:
            name = body_file_name(index, req.method, req.host, path, content_type, encoding)
            (target / name).write_bytes(scrub.body(req.body, encoding))
        entries.append({"method": req.method, "host": req.host, "path": path, "query": query,
                        "content_type": content_type or None,
                        "content_encoding": encoding or None, "body": name})
    manifest = {
        "client": run.client,
        "version": version,
        "configuration": CONFIGURATIONS[run.client],
        "prompt": PROMPT,
        "recapture": f"python -m tests.e2e.capture_clients {run.client}",
        "requests": entries,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clients", nargs="*", metavar="CLIENT",
                        help=f"clients to capture (default: all of {', '.join(PROFILES)})")
    parser.add_argument("--out", type=Path, default=CLIENT_FIXTURES)
    args = parser.parse_args(argv)
    if unknown := set(args.clients) - set(PROFILES):
        parser.error(f"unknown client(s): {', '.join(sorted(unknown))}")
    profiles = [PROFILES[name] for name in (args.clients or PROFILES)]
    missing = [reason for p in profiles if (reason := p.missing())]
    if missing:
        print("\n".join(missing), file=sys.stderr)
        return 2
    # A name without characters a client might rewrite, so every form of it is found.
    with tempfile.TemporaryDirectory(prefix="aipolicycapture") as tmp:
        work = Path(tmp)
        pki = make_pki(work / "pki")
        with StandIn(pki) as standin:
            proxy = start_proxy(work / "proxy", CAPTURE_RULESET, standin.port, pki.ca_cert)
            try:
                for profile in profiles:
                    run = run_client(profile, PROMPT, proxy, standin, work / profile.name,
                                     timeout=180)
                    if run.exit_code != 0:
                        print(f"{profile.name}: exit {run.exit_code}\n{run.output[-3000:]}",
                              file=sys.stderr)
                        return 1
                    target = write_fixture(run, _version(profile), args.out)
                    print(f"{profile.name}: {len(run.requests)} requests -> "
                          f"{target.relative_to(ROOT)}")
            finally:
                proxy.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
