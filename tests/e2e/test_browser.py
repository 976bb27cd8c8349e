"""A real browser (Debian's headless chromium) through the proxy sees the block page."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test "
                                "installs it with apt when run as root)")


def spki_hash(cert_pem: bytes) -> str:
    """Chromium's --ignore-certificate-errors-spki-list format: base64(SHA-256(SPKI)).

    mitmproxy signs every forged certificate with its CA key, so the CA's SPKI is the
    one the browser sees on each AI host; nothing else is trusted.
    """
    cert = x509.load_pem_x509_certificate(cert_pem)
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def chromium(proxy, tmp_path, url: str, *extra: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-quic", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           f"--proxy-server={proxy.url}",
           f"--ignore-certificate-errors-spki-list={spki_hash(proxy.ca_cert.read_bytes())}",
           "--window-size=412,915", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


def test_browser_navigation_to_banned_app_shows_block_page(proxy, tmp_path):
    r = chromium(proxy, tmp_path, "https://chat.deepseek.com/", "--dump-dom")
    dom = r.stdout
    assert "DeepSeek is banned by company policy." in dom, r.stderr[-2000:]
    assert "Microsoft Copilot" in dom and "mailto:ai-policy@example.test" in dom
    ref = next(r["reference"] for r in reversed(proxy.audit())
               if r["app"] == "deepseek-chat" and r.get("notice") == "html")
    assert ref in dom


def test_block_page_screenshot_renders(proxy, tmp_path):
    shot = tmp_path / "block.png"
    chromium(proxy, tmp_path, "https://chat.deepseek.com/", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 5000
