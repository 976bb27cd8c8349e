"""Acknowledgement and coach in a real browser (headless Chromium over the DevTools
protocol) through the real proxy: the pages, their form posts, the state store across a
restart, a new major policy version, and two proxies sharing one Redis."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.redis_server import RedisServer

from .cdp import Chromium
from .proxy_harness import ROOT, start_proxy
from .test_browser import CHROMIUM

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

ACKCOACH = ROOT / "tests" / "fixtures" / "rulesets" / "ackcoach.yaml"
PNG = b"\x89PNG\r\n\x1a\n"


def ruleset(work: Path, version: str = "3.1") -> Path:
    path = work / f"ackcoach-{version}.yaml"
    path.write_text(ACKCOACH.read_text()
                    .replace("../../../rulesets/", f"{ROOT}/rulesets/")
                    .replace('version: "3.1"', f'version: "{version}"'))
    return path


def shot(browser: Chromium, path: Path) -> None:
    data = browser.screenshot(path)
    assert data.startswith(PNG) and len(data) > 5000  # a rendered page, not a blank one


@pytest.fixture
def browser(tmp_path):
    opened: list[Chromium] = []

    def open_(proxy) -> Chromium:
        b = Chromium(proxy, tmp_path / f"profile-{len(opened)}")
        opened.append(b)
        return b

    yield open_
    for b in opened:
        b.close()


def acknowledge(b: Chromium, url: str, tmp_path: Path) -> None:
    b.navigate(url)
    b.wait_for("location.pathname === '/.aipolicy/acknowledge'")
    text = b.text()
    assert "I acknowledge" in text and "Never paste credentials." in text
    shot(b, tmp_path / "acknowledge.png")
    b.evaluate("document.querySelector('button[value=acknowledge]').click()")


_FORGED_POST = """(() => {{
    const f = document.createElement('form');
    f.method = 'post'; f.action = 'https://chatgpt.com/.aipolicy/acknowledge';
    for (const [k, v] of [['csrf', {token!r}], ['return', '/'], ['decision', 'acknowledge']]) {{
        const i = document.createElement('input');
        i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
    }}
    document.body.appendChild(f); f.submit();
}})()"""


def cross_site_posts_are_refused(b: Chromium, proxy) -> None:
    """Pages of another site post the acknowledgement form to chatgpt.com, even with the
    token of the browser's own session: the browser keeps the SameSite cookie back and
    says where the post comes from, so the proxy refuses it and records nothing."""
    b.navigate("https://chatgpt.com/")
    b.wait_for("location.pathname === '/.aipolicy/acknowledge'")  # sets the page cookie
    token = b.evaluate("document.querySelector('input[name=csrf]').value")
    b.call("Page.enable", session=True)  # setBypassCSP needs it
    b.call("Page.setBypassCSP", session=True, enabled=True)  # let the forged form post
    # another site (poe.com: its own acknowledgement page), then an opaque origin
    for attacker, where in (("https://poe.com/", "location.host === 'poe.com'"),
                            ("data:text/html,<body>elsewhere</body>",
                             "location.protocol === 'data:'")):
        b.navigate(attacker)
        b.wait_for(where)
        b.evaluate(_FORGED_POST.format(token=token))
        b.wait_for("location.host === 'chatgpt.com' && "
                   "document.body.innerText.includes('could not be accepted')")
    b.call("Page.setBypassCSP", session=True, enabled=False)
    assert not [x for x in proxy.audit() if x.get("event") == "acknowledgement"]


def test_browser_acknowledgement_coach_and_block(standin, standin_pki, tmp_path, browser):
    work = tmp_path / "proxy"
    data = tmp_path / "data"
    args = ["--set", f"aipolicy_data_dir={data}", "--set", "aipolicy_scan_workers=1"]
    proxy = start_proxy(work, ruleset(tmp_path), standin.port, standin_pki.ca_cert, args)
    try:
        b = browser(proxy)
        cross_site_posts_are_refused(b, proxy)
        # first visit: the summary, "I acknowledge", then the page the person asked for
        acknowledge(b, "https://chatgpt.com/", tmp_path)
        b.wait_for("location.href === 'https://chatgpt.com/'")
        assert b.evaluate("document.querySelector('h1').textContent") == "chatgpt.com"
        ack = proxy.wait_audit(lambda x: x.get("event") == "acknowledgement")
        assert ack["ack_version"] == "3" and ack["client"] == "127.0.0.1"

        # an unreviewed app: the coach page, a reason, Continue, then the page
        b.navigate("https://poe.com/")
        b.wait_for("location.pathname === '/.aipolicy/coach'")
        assert "not been reviewed yet" in b.text()
        shot(b, tmp_path / "coach.png")
        b.evaluate("document.getElementById('j-evaluation').click();"
                   "document.getElementById('note').value = 'vendor comparison';"
                   "document.querySelector('button[value=proceed]').click()")
        b.wait_for("location.href === 'https://poe.com/'")
        assert b.evaluate("document.querySelector('h1').textContent") == "poe.com"
        proceed = proxy.wait_audit(lambda x: x.get("event") == "coach-proceed")
        assert proceed["justification"] == "evaluation" and proceed["app"] == "poe"
        assert proceed["justification_text"] == "vendor comparison"  # store: true here

        # a banned app: the block page (no acknowledgement page before it)
        b.navigate("https://chat.deepseek.com/")
        b.wait_for("document.body.innerText.includes('DeepSeek is banned')")
        shot(b, tmp_path / "block.png")
    finally:
        proxy.stop()

    # restarted with the same data directory: not asked again (a new browser profile,
    # so no cookie of the first one helps)
    proxy = start_proxy(tmp_path / "proxy-2", ruleset(tmp_path), standin.port,
                        standin_pki.ca_cert, args)
    try:
        b = browser(proxy)
        b.navigate("https://chatgpt.com/")
        b.wait_for("document.querySelector('h1')?.textContent === 'chatgpt.com'")
        b.navigate("https://poe.com/")  # the coach decision is remembered too
        b.wait_for("document.querySelector('h1')?.textContent === 'poe.com'")
    finally:
        proxy.stop()

    # a new major policy version: asked again
    proxy = start_proxy(tmp_path / "proxy-3", ruleset(tmp_path, "4.0"), standin.port,
                        standin_pki.ca_cert, args)
    try:
        b = browser(proxy)
        acknowledge(b, "https://chatgpt.com/", tmp_path)
        b.wait_for("location.href === 'https://chatgpt.com/'")
        ack = proxy.wait_audit(lambda x: x.get("event") == "acknowledgement")
        assert ack["ack_version"] == "4"
    finally:
        proxy.stop()


def _navigate(client: httpx.Client, url: str) -> httpx.Response:
    return client.get(url, headers={"accept": "text/html", "sec-fetch-mode": "navigate",
                                    "sec-fetch-site": "none", "sec-fetch-dest": "document"})


def test_two_proxies_share_one_redis(standin, standin_pki, tmp_path, browser):
    server = RedisServer(tmp_path / "redis")
    proxies = []
    try:
        secret = tmp_path / "page-secret"
        secret.write_text("0123456789abcdef0123456789abcdef")
        args = ["--set", f"aipolicy_store={server.url}", "--set",
                f"aipolicy_page_secret={secret}", "--set", "aipolicy_scan_workers=1"]
        for name in ("one", "two"):
            proxies.append(start_proxy(tmp_path / name, ruleset(tmp_path), standin.port,
                                       standin_pki.ca_cert, args))
        one, two = proxies
        b = browser(one)
        acknowledge(b, "https://chatgpt.com/", tmp_path)
        b.wait_for("location.href === 'https://chatgpt.com/'")
        b.navigate("https://poe.com/")
        b.wait_for("location.pathname === '/.aipolicy/coach'")
        b.evaluate("document.getElementById('j-business-need').click();"
                   "document.querySelector('button[value=proceed]').click()")
        b.wait_for("location.href === 'https://poe.com/'")
        # the other replica honours both decisions
        verify = ssl.create_default_context(cafile=str(two.ca_cert))
        with httpx.Client(proxy=two.url, verify=verify, timeout=60) as client:
            for url in ("https://chatgpt.com/", "https://poe.com/"):
                r = _navigate(client, url)
                assert r.status_code == 200 and "test stand-in" in r.text, (url, r.status_code)
            r = _navigate(client, "https://claude.ai/")  # a coach not proceeded past
            assert r.status_code == 303
            assert r.headers["location"].startswith("/.aipolicy/coach?")
    finally:
        for p in proxies:
            p.stop()
        server.stop()
