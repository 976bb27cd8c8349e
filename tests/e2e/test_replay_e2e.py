"""`aipolicy test --flows` decides a capture as the running proxy decides its requests.

The requests of the flow-file fixture (SDK calls, a gzip body, an upload, a fronted
request, Chromium's HTTP/2 page loads and fetches) are sent again, byte for byte,
through the real proxy; its audit lines must be what `aipolicy test --flows` says for
the same file, request by request.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import time

import httpx
from mitmproxy import io

from .conftest import E2E_RULESET
from .proxy_harness import ROOT, VENV_BIN

FLOWS = ROOT / "tests" / "fixtures" / "captures" / "traffic.flows"
_NOT_RESENT = {"content-length", "transfer-encoding", "connection"}  # httpx frames the body


def test_replay_decides_as_the_proxy(proxy, standin_clean, standin_pki):
    with FLOWS.open("rb") as f:
        flows = list(io.FlowReader(f).stream())
    done = subprocess.run(
        [str(VENV_BIN / "aipolicy"), "test", "--flows", str(FLOWS), "--ruleset",
         str(E2E_RULESET), "--json"], capture_output=True, text=True, timeout=600,
        env={**os.environ}, cwd=ROOT, check=True)
    replayed = json.loads(done.stdout)["requests"]
    assert len(replayed) == 18

    before = len(proxy.audit())
    # the proxy's CA for what it decrypts, the stand-in's for what it tunnels (non-AI)
    trust = ssl.create_default_context(cafile=str(proxy.ca_cert))
    trust.load_verify_locations(cafile=str(standin_pki.ca_cert))
    with httpx.Client(proxy=proxy.url, verify=trust, timeout=120) as client:
        for flow in flows:
            req = flow.request
            headers = [(k, v) for k, v in req.headers.items(multi=True)
                       if k.lower() not in _NOT_RESENT]
            client.request(req.method, req.url, headers=headers, content=req.raw_content)
    deadline = time.monotonic() + 60
    while len(proxy.audit()) - before < len(replayed) and time.monotonic() < deadline:
        time.sleep(0.1)
    audited = proxy.audit()[before:]

    def key(host, method, path, app, rule, action, enforced, findings, groups):
        return (host, method, path, app, rule, action, enforced, findings, groups)

    assert [key(a["host"], a["method"], a["path"], a["app"], a["rule"], a["action"],
                a["enforced"], a.get("findings", {}), a["groups"]) for a in audited] == [
        key(r["host"], r["method"], r["path"], r["app"], r["decision"]["rule"],
            r["decision"]["action"], r["decision"]["enforced"], r["finding_counts"],
            r["groups"]) for r in replayed]
    rules = {a["rule"] for a in audited}
    assert {"pii-redact", "secrets-block", "banned-apps", "destination-mismatch",
            "approved"} <= rules
