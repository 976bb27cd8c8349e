"""The HTML usage report in a real browser (headless chromium), on a desktop and a phone."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from aipolicy.report.engine import build_report
from aipolicy.report.render import html_page
from bench.audit_log import write

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test "
                                "installs it with apt when run as root)")


def _chromium(tmp_path, url: str, size: str, *extra: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-quic", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           f"--window-size={size}", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    log = write(d / "audit.log", 4000, start=dt.datetime(2026, 9, 1, tzinfo=dt.UTC), days=60)
    path = d / "report.html"
    path.write_text(html_page(build_report([log])), encoding="utf-8")
    return path


def test_report_renders_with_charts(page, tmp_path):
    dom = _chromium(tmp_path, page.as_uri(), "1200,2400", "--dump-dom").stdout
    assert "AI usage report" in dom and "AI apps by requests and distinct users" in dom
    assert dom.count("<svg") >= 3 and "<polyline" in dom  # app bars, findings, trend
    assert "DeepSeek" in dom and 'class="bad"' in dom  # banned use stands out


@pytest.mark.parametrize("size", ["1200,2400", "390,1600"])
def test_report_screenshot(page, tmp_path, size):
    shot = tmp_path / f"report-{size.replace(',', 'x')}.png"
    _chromium(tmp_path, page.as_uri(), size, f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 20_000  # a rendered page, not a blank one
