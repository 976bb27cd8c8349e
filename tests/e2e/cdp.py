"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-
pipe``: commands on fd 3, answers on fd 4, each a JSON message ending in NUL), so clicks
and form posts need no WebDriver and no WebSocket library."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import subprocess
import threading
import time
from pathlib import Path

from .test_browser import CHROMIUM, spki_hash


class Chromium:
    """One headless browser through ``proxy`` with one page (a fresh profile)."""

    def __init__(self, proxy, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:  # the protocol's fixed descriptors in the child
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-quic", "--no-first-run",
               "--remote-debugging-pipe", f"--user-data-dir={profile}",
               f"--proxy-server={proxy.url}",
               f"--ignore-certificate-errors-spki-list={spki_hash(proxy.ca_cert.read_bytes())}",
               "--window-size=412,915", "about:blank"]
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, close_fds=False,
                                        preexec_fn=child_fds, start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next = 0
        self._answers: dict[int, dict] = {}
        self._ready = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        target = next(t for t in self.call("Target.getTargets")["targetInfos"]
                      if t["type"] == "page")
        self._session = self.call("Target.attachToTarget", targetId=target["targetId"],
                                  flatten=True)["sessionId"]

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._from_chrome, 65536):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    with self._ready:
                        self._answers[message["id"]] = message
                        self._ready.notify_all()

    def call(self, method: str, session: bool = False, timeout: float = 60, **params):
        self._next += 1
        ident = self._next
        message = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        with self._ready:
            if not self._ready.wait_for(lambda: ident in self._answers, timeout):
                raise TimeoutError(method)
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", session=True, expression=expression,
                           returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 90):
        """Wait until ``expression`` is truthy in a fully loaded page; return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):  # the page is between documents
                value = self.evaluate(f"document.readyState === 'complete' && ({expression})")
                if value:
                    return value
            time.sleep(0.1)
        raise AssertionError(f"not true in time: {expression}; at {self.location()}: "
                             f"{self.text()[:600]!r}")

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", session=True, url=url)

    def location(self) -> str:
        with contextlib.suppress(RuntimeError, TimeoutError):
            return self.evaluate("location.href") or ""
        return ""

    def text(self) -> str:
        with contextlib.suppress(RuntimeError, TimeoutError):
            return self.evaluate("document.body?.innerText") or ""
        return ""

    def screenshot(self, path: Path) -> bytes:
        data = base64.b64decode(self.call("Page.captureScreenshot", session=True,
                                          format="png")["data"])
        path.write_bytes(data)
        return data

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.call("Browser.close", timeout=5)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)
