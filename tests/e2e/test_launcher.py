"""The launcher and the plain-mitmdump entry point fail hard on a bad ruleset."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .proxy_harness import ROOT, VENV_BIN, free_port

BROKEN = ROOT / "tests" / "fixtures" / "rulesets" / "broken"


def run(cmd: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def test_launcher_refuses_invalid_ruleset(tmp_path):
    bad = BROKEN / "bad_cidr.yaml"
    r = run([str(VENV_BIN / "aipolicy"), "run", "--ruleset", str(bad), "--listen-port",
             str(free_port()), "--set", f"confdir={tmp_path}"])
    assert r.returncode == 2
    assert f"{bad}:" in r.stderr and "identity.groups[1].cidrs[0]" in r.stderr
    assert "10.99.0.0/33" in r.stderr


def test_check_command(tmp_path):
    ok = run([str(VENV_BIN / "aipolicy"), "check", str(ROOT / "rulesets" / "default.yaml")])
    assert ok.returncode == 0 and "OK" in ok.stdout
    bad = run([str(VENV_BIN / "aipolicy"), "check", str(BROKEN / "unknown_group_in_rule.yaml")])
    assert bad.returncode == 2 and "access.rules[1].when.group" in bad.stderr


def test_plain_mitmdump_with_script_refuses_invalid_ruleset(tmp_path):
    bad = BROKEN / "bad_mode_value.yaml"
    r = run([str(VENV_BIN / "mitmdump"), "-s", str(ROOT / "addons" / "aipolicy_addons.py"),
             "--listen-port", str(free_port()), "--set", f"confdir={tmp_path}",
             "--set", "aipolicy_metrics_listen=off", "--set", f"aipolicy_ruleset={bad}"])
    assert r.returncode != 0
    assert "mode" in (r.stdout + r.stderr) and "enforcing" in (r.stdout + r.stderr)


def test_plain_mitmdump_with_script_enforces(tmp_path, standin, standin_pki):
    """People who run mitmproxy themselves: `mitmdump -s addons/aipolicy_addons.py`."""
    import time

    port = free_port()
    audit = tmp_path / "audit.log"
    proc = subprocess.Popen(
        [str(VENV_BIN / "mitmdump"), "-s", str(ROOT / "addons" / "aipolicy_addons.py"),
         "-s", str(ROOT / "tests" / "e2e" / "standin" / "redirect_addon.py"),
         "--listen-host", "127.0.0.1", "--listen-port", str(port),
         "--set", f"confdir={tmp_path / 'certs'}", "--set", "aipolicy_metrics_listen=off",
         "--set", f"aipolicy_audit_log={audit}",
         "--set", f"aipolicy_ruleset={ROOT / 'tests' / 'fixtures' / 'rulesets' / 'e2e.yaml'}",
         "--set", f"standin_address=127.0.0.1:{standin.port}",
         "--set", f"ssl_verify_upstream_trusted_ca={standin_pki.ca_cert}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        ca = tmp_path / "certs" / "mitmproxy-ca-cert.pem"
        code = ""
        for _ in range(100):
            r = run(["curl", "-sS", "--max-time", "10", "--proxy", f"http://127.0.0.1:{port}",
                     "--cacert", str(ca), "-o", "/dev/null", "-w", "%{http_code}",
                     "-X", "POST", "https://api.deepseek.com/v1/chat/completions"])
            code = r.stdout
            if r.returncode == 0:
                break
            time.sleep(0.2)
        assert code == "403"
        assert '"app":"deepseek-api"' in audit.read_text()
    finally:
        proc.terminate()
        proc.wait(10)


def test_ca_export_pem_and_der(tmp_path):
    aip = str(VENV_BIN / "aipolicy")
    assert run([aip, "ca", "--confdir", str(tmp_path), "init"]).returncode == 0
    key = tmp_path / "mitmproxy-ca.pem"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    pem = run([aip, "ca", "--confdir", str(tmp_path), "export"])
    assert pem.stdout.startswith("-----BEGIN CERTIFICATE-----")
    assert "PRIVATE KEY" not in pem.stdout
    der = tmp_path / "ca.cer"
    assert run([aip, "ca", "--confdir", str(tmp_path), "export", "--der", "--out",
                str(der)]).returncode == 0
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der.read_bytes())
    bundle = run([aip, "ca", "--confdir", str(tmp_path), "export", "--bundle"]).stdout
    assert bundle.count("BEGIN CERTIFICATE") > 1 and bundle.rstrip().endswith(
        pem.stdout.rstrip())
    assert "CN=aipolicy proxy CA" in cert.subject.rfc4514_string()


def test_repo_certs_are_git_ignored():
    ignored = (ROOT / ".gitignore").read_text()
    assert "certs/*" in ignored and "!certs/README.md" in ignored
    assert Path(ROOT / "certs" / "README.md").exists()


def test_launcher_defaults_write_audit_to_stdout(tmp_path, standin, standin_pki):
    """`aipolicy run` with no audit option: JSON lines on stdout, logs on stderr."""
    import time

    port = free_port()
    proc = subprocess.Popen(
        [str(VENV_BIN / "aipolicy"), "run", "--ruleset",
         str(ROOT / "tests" / "fixtures" / "rulesets" / "valid.yaml"),
         "--listen-port", str(port), "--set", f"confdir={tmp_path / 'certs'}",
         "--set", "aipolicy_metrics_listen=off",
         "-s", str(ROOT / "tests" / "e2e" / "standin" / "redirect_addon.py"),
         "--set", f"standin_address=127.0.0.1:{standin.port}",
         "--set", f"ssl_verify_upstream_trusted_ca={standin_pki.ca_cert}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        ca = tmp_path / "certs" / "mitmproxy-ca-cert.pem"
        for _ in range(100):
            r = run(["curl", "-sS", "--max-time", "10", "--proxy", f"http://127.0.0.1:{port}",
                     "--cacert", str(ca), "-o", "/dev/null", "https://chat.deepseek.com/"])
            if r.returncode == 0:
                break
            time.sleep(0.2)
        line = proc.stdout.readline()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    import json

    record = json.loads(line)
    assert record["app"] == "deepseek-chat" and record["action"] == "block"
    assert "proxy listening" in err
