"""Capture AI traffic as fixtures for `aipolicy test --har/--flows` and `aipolicy diff`.

    PYTHONPATH=$PWD .venv/bin/python -m tests.e2e.capture_traffic [--skip-chromium]

Writes tests/fixtures/captures/:

- traffic.flows: a mitmproxy flow file written by plain mitmdump
  (`--save-stream-file`, no aipolicy addons, so every request is saved exactly as the
  client sent it) in front of the loopback stand-in;
- traffic.har: the same traffic as mitmproxy's own HAR export (`--set hardump=`);
- chromium.har: requests made by headless Chromium (fetch() from the page of each
  app, the way the web apps send them) through the same mitmdump, written as HAR from
  the DevTools protocol's Network events the way DevTools' "Export HAR" does
  (devtools-frontend `front_end/models/har/Log.ts`): headers as Chromium sent them
  (HTTP/2 pseudo-headers included), postData from `Network.getRequestPostData`.

Every identity in the bodies is made up (e-mail domains such as contoso.org, the Ofcom
drama phone range, the Visa test card number, an AWS key id shaped like a real one);
the API keys are the e2e tests' obviously fake ones.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gzip
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .clients import FAKE_ANTHROPIC_KEY, FAKE_OPENAI_KEY
from .proxy_harness import REDIRECT_ADDON, ROOT, VENV_BIN, free_port
from .standin import StandIn, make_pki

CAPTURES = ROOT / "tests" / "fixtures" / "captures"
CHROME_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/131.0.0.0 Safari/537.36")
ORG = "5c1f0d2e-8a4b-4c7e-9f13-2b6d8e0a1c44"  # claude.ai organisation and conversation
CONV = "9e27b3a1-0c5d-4f8e-a6b2-71d4c3e9f058"

# ------------------------------------------------------------------ the traffic (data)
PII_PROMPT = ("Draft a short reply to Dana Whitfield (dana.whitfield@fabrikam-mail.net, "
              "+44 20 7946 0958) confirming the refund for order 88213.")
SECRET_SNIPPET = ("Why does this fail?\n\nimport boto3\ns3 = boto3.client('s3', "
                  "aws_access_key_id='AKIAZ3MSJV4WWNKYH6CX', region_name='eu-west-1')\n"
                  "s3.list_buckets()")
CUSTOMERS_CSV = ("name,email,phone,city\n"
                 "Maria Okafor,m.okafor@contoso.org,+44 20 7946 0321,Leeds\n"
                 "Tomás Reyes,t.reyes@fabrikam-mail.net,+44 20 7946 0777,Bristol\n")


@dataclass(frozen=True)
class Call:
    """One request the capture makes with httpx through mitmdump."""

    name: str
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _multipart(boundary: str, fields: list[tuple[str, str | None, str | None, bytes]]) -> bytes:
    out = b""
    for name, filename, ctype, data in fields:
        out += f"--{boundary}\r\n".encode()
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"Content-Disposition: {disp}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


OPENAI_SDK = {"authorization": f"Bearer {FAKE_OPENAI_KEY}", "user-agent": "OpenAI/Python 1.82.0",
              "x-stainless-lang": "python", "content-type": "application/json",
              "accept": "application/json"}
ANTHROPIC_SDK = {"x-api-key": FAKE_ANTHROPIC_KEY, "anthropic-version": "2023-06-01",
                 "user-agent": "Anthropic/Python 0.52.0", "content-type": "application/json",
                 "accept": "application/json"}
BROWSER = {"user-agent": CHROME_UA, "accept-language": "en-GB,en;q=0.9",
           "sec-fetch-mode": "cors", "sec-fetch-site": "same-origin", "sec-fetch-dest": "empty"}
_BOUNDARY = "aipolicycapture7d3f1c"

TRAFFIC: tuple[Call, ...] = (
    Call("openai-models", "GET", "https://api.openai.com/v1/models", OPENAI_SDK),
    Call("openai-chat-benign", "POST", "https://api.openai.com/v1/chat/completions", OPENAI_SDK,
         _json({"model": "gpt-4o-mini", "messages": [
             {"role": "system", "content": "You are a helpful assistant."},
             {"role": "user", "content": "Explain Python list comprehensions in two "
                                         "sentences."}]})),
    Call("openai-chat-pii", "POST", "https://api.openai.com/v1/chat/completions", OPENAI_SDK,
         _json({"model": "gpt-4o-mini", "messages": [
             {"role": "user", "content": PII_PROMPT}]})),
    Call("anthropic-secret-gzip", "POST", "https://api.anthropic.com/v1/messages",
         {**ANTHROPIC_SDK, "content-encoding": "gzip"},
         gzip.compress(_json({"model": "claude-sonnet-4-5", "max_tokens": 512, "messages": [
             {"role": "user", "content": SECRET_SNIPPET}]}), mtime=0)),
    Call("chatgpt-web", "POST", "https://chatgpt.com/backend-api/f/conversation",
         {**BROWSER, "accept": "text/event-stream", "content-type": "application/json",
          "origin": "https://chatgpt.com", "oai-language": "en-US"},
         _json({"action": "next", "messages": [{
             "id": "6f0c2d1e-3b4a-4e5f-8a9b-0c1d2e3f4a5b", "author": {"role": "user"},
             "content": {"content_type": "text", "parts": [
                 "Summarise this ticket: customer Maria Okafor, m.okafor@contoso.org, paid "
                 "with card 4111 1111 1111 1111 and wants the second charge refunded."]}}],
             "model": "auto", "parent_message_id": "client-created-root"})),
    Call("openai-upload", "POST", "https://api.openai.com/v1/files",
         {**OPENAI_SDK, "content-type": f"multipart/form-data; boundary={_BOUNDARY}"},
         _multipart(_BOUNDARY, [("purpose", None, None, b"assistants"),
                                ("file", "customers.csv", "text/csv",
                                 CUSTOMERS_CSV.encode())])),
    Call("deepseek-banned", "POST", "https://api.deepseek.com/chat/completions",
         {**OPENAI_SDK, "authorization": "Bearer sk-fake-deepseek-key"},
         _json({"model": "deepseek-chat", "messages": [
             {"role": "user", "content": "Write a haiku about autumn."}]})),
    Call("claude-web", "POST",
         f"https://claude.ai/api/organizations/{ORG}/chat_conversations/{CONV}/completion",
         {**BROWSER, "accept": "text/event-stream", "content-type": "application/json",
          "origin": "https://claude.ai"},
         _json({"prompt": "Check the payment details in the attached letter.",
                "attachments": [{"file_name": "letter.txt", "file_type": "text/plain",
                                 "extracted_content": "Please pay the invoice to IBAN "
                                 "GB82 WEST 1234 5698 7654 32 by Friday."}],
                "files": [], "rendering_mode": "messages"})),
    Call("non-ai", "GET", "https://www.example.org/", {**BROWSER, "accept": "text/html"}),
    Call("fronted", "POST", "https://api.openai.com/v1/chat/completions",
         {**OPENAI_SDK, "host": "api.anthropic.com"},
         _json({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]})),
)


# ------------------------------------------------------------------ mitmdump
BROWSER_NOISE = ("accounts.google.com", "clients2.google.com", "googleapis.com")


@contextlib.contextmanager
def mitmdump(work: Path, standin_port: int, upstream_ca: Path, flows: Path, har: Path):
    port = free_port()
    confdir = work / "mitmdump-certs"
    cmd = [str(VENV_BIN / "mitmdump"), "--listen-host", "127.0.0.1", "--listen-port", str(port),
           "--set", f"confdir={confdir}", "--set", f"ssl_verify_upstream_trusted_ca={upstream_ca}",
           "-s", str(REDIRECT_ADDON), "--set", f"standin_address=127.0.0.1:{standin_port}",
           "--set", f"save_stream_file={flows}", "--set", f"hardump={har}",
           # Chromium's own background requests (updates, sign-in, models) are not kept
           "--set", f"save_stream_filter=!({' | '.join(f'~d {d}' for d in BROWSER_NOISE)})",
           # as `aipolicy run`: the client's TLS is set up before the upstream's, so clients
           # get HTTP/2 although the stand-in speaks HTTP/1.1 (mitmproxy translates)
           "--set", "connection_strategy=lazy", "--set", "flow_detail=0"]
    with open(work / "mitmdump.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise RuntimeError((work / "mitmdump.log").read_text())
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("mitmdump did not start")
            time.sleep(0.2)
        while not (confdir / "mitmproxy-ca-cert.pem").exists():
            time.sleep(0.1)
        yield port, confdir / "mitmproxy-ca-cert.pem"
    finally:
        proc.send_signal(signal.SIGINT)  # a clean shutdown writes the HAR file
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()


def send_all(port: int, ca: Path, calls: tuple[Call, ...] = TRAFFIC) -> None:
    with httpx.Client(proxy=f"http://127.0.0.1:{port}", verify=str(ca), timeout=60) as client:
        for call in calls:
            client.request(call.method, call.url, headers=call.headers, content=call.body)


# ------------------------------------------------------------------ Chromium over CDP
PAGE_CALLS = (  # (origin page, fetch path, JSON body): what the web apps send
    ("https://chatgpt.com/", "/backend-api/f/conversation", {
        "action": "next", "messages": [{
            "id": "0b7a1c2d-4e5f-4a6b-9c8d-1e2f3a4b5c6d", "author": {"role": "user"},
            "content": {"content_type": "text", "parts": [
                "Rewrite for our newsletter: call Tomás Reyes on +44 20 7946 0777 or write "
                "to t.reyes@fabrikam-mail.net."]}}],
        "model": "auto", "parent_message_id": "client-created-root"}),
    ("https://claude.ai/", f"/api/organizations/{ORG}/chat_conversations/{CONV}/completion", {
        "prompt": "What does this deployment script do?\n\nexport AWS_ACCESS_KEY_ID="
                  "AKIAZ3MSJV4WWNKYH6CX\naws s3 sync ./build s3://releases",
        "attachments": [], "files": [], "rendering_mode": "messages"}),
    ("https://chat.deepseek.com/", "/api/v0/chat/completion", {
        "chat_session_id": "c0ffee00-1234-4abc-8def-001122334455", "prompt":
        "Translate 'good morning' into French.", "ref_file_ids": []}),
)


class Cdp:
    """The DevTools protocol over --remote-debugging-pipe (fd 3 in, fd 4 out)."""

    def __init__(self, write_fd: int, read_fd: int) -> None:
        self.w, self.r = write_fd, read_fd
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 60) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            for reply in self._read(deadline):
                if reply.get("id") == self.next_id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply.get("result", {})
                self.events.append(reply)

    def wait_events(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.events.extend(self._read(deadline, block=False))
            time.sleep(0.05)

    def _read(self, deadline: float, block: bool = True) -> list[dict]:
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if block:
                    raise TimeoutError("no answer from chromium")
                return []
            ready, _, _ = select.select([self.r], [], [], min(remaining, 0.2))
            if not ready:
                if not block:
                    return []
                continue
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        *complete, self.buffer = self.buffer.split(b"\0")
        return [json.loads(m) for m in complete if m]


def chromium_har(port: int, ca: Path, work: Path) -> dict:
    import shutil

    from .test_browser import spki_hash

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("chromium is not installed")
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-quic", "--no-first-run", f"--user-data-dir={work / 'chromium'}",
           f"--proxy-server=http://127.0.0.1:{port}",
           f"--ignore-certificate-errors-spki-list={spki_hash(ca.read_bytes())}",
           "--remote-debugging-pipe", "about:blank"]

    def fds() -> None:  # Chromium reads commands from fd 3 and answers on fd 4
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome_r, from_chrome_w)]
        os.dup2(high[0], 3)
        os.dup2(high[1], 4)

    proc = subprocess.Popen(cmd, preexec_fn=fds, pass_fds=(3, 4),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    cdp = Cdp(to_chrome_w, from_chrome_r)
    try:
        target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = cdp.send("Target.attachToTarget", {"targetId": target,
                                                     "flatten": True})["sessionId"]
        cdp.send("Network.enable", session=session)
        cdp.send("Page.enable", session=session)
        for origin, path, body in PAGE_CALLS:
            cdp.send("Page.navigate", {"url": origin}, session=session)
            cdp.wait_events(3)
            script = (f"fetch({json.dumps(path)}, {{method: 'POST', headers: {{'content-type': "
                      f"'application/json', 'accept': 'text/event-stream'}}, body: "
                      f"{json.dumps(json.dumps(body, ensure_ascii=False))}}})"
                      ".then(r => r.status, e => String(e))")
            cdp.send("Runtime.evaluate", {"expression": script, "awaitPromise": True},
                     session=session)
            cdp.wait_events(1)
        posts = {}
        for event in cdp.events:
            if event.get("method") == "Network.requestWillBeSent":
                p = event["params"]
                if p["request"].get("hasPostData") and "postData" not in p["request"]:
                    with contextlib.suppress(RuntimeError):
                        posts[p["requestId"]] = cdp.send(
                            "Network.getRequestPostData", {"requestId": p["requestId"]},
                            session=session)["postData"]
        return _har_from_events(cdp.events, posts)
    finally:
        with contextlib.suppress(Exception):
            cdp.send("Browser.close", timeout=10)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(20)
        if proc.poll() is None:
            proc.kill()
        os.close(to_chrome_w)
        os.close(from_chrome_r)


def _har_from_events(events: list[dict], posts: dict[str, str]) -> dict:
    """HAR 1.2 entries as DevTools writes them (Log.ts ``Entry.build``): request headers
    from ``requestWillBeSentExtraInfo`` (what went on the wire, HTTP/2 pseudo-headers
    included), else the provisional ones; postData text and mimeType; the response's
    status and headers. Timings are left out (-1): the fixture is about requests."""
    sent: dict[str, dict] = {}
    extra: dict[str, list] = {}
    responses: dict[str, dict] = {}
    order: list[str] = []
    for event in events:
        method, p = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            rid = p["requestId"]
            if rid not in sent:
                order.append(rid)
            sent[rid] = p
        elif method == "Network.requestWillBeSentExtraInfo":
            extra[p["requestId"]] = [{"name": k, "value": v}
                                     for k, v in p.get("headers", {}).items()]
        elif method == "Network.responseReceived":
            responses[p["requestId"]] = p["response"]
    entries = []
    for rid in order:
        p = sent[rid]
        req = p["request"]
        if not req["url"].startswith("http"):
            continue
        resp = responses.get(rid, {})
        headers = extra.get(rid) or [{"name": k, "value": v}
                                     for k, v in req.get("headers", {}).items()]
        protocol = resp.get("protocol", "")
        request = {
            "method": req["method"], "url": req["url"].split("#", 1)[0],
            "httpVersion": protocol, "headers": headers,
            "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0,
        }
        text = req.get("postData", posts.get(rid))
        if text is not None:
            content_type = next((h["value"] for h in headers
                                 if h["name"].lower() == "content-type"), "")
            request["postData"] = {"mimeType": content_type, "text": text}
            request["bodySize"] = len(text.encode())
        entries.append({
            "_initiator": {"type": p.get("initiator", {}).get("type", "other")},
            "_priority": req.get("initialPriority", "High"),
            "_resourceType": p.get("type", "Other").lower(),
            "cache": {},
            "request": request,
            "response": {"status": resp.get("status", 0),
                         "statusText": resp.get("statusText", ""),
                         "httpVersion": protocol,
                         "headers": [{"name": k, "value": v}
                                     for k, v in resp.get("headers", {}).items()],
                         "cookies": [], "content": {"size": 0, "mimeType":
                                                    resp.get("mimeType", "x-unknown")},
                         "redirectURL": "", "headersSize": -1, "bodySize": -1,
                         "_transferSize": 0, "_error": None},
            "serverIPAddress": resp.get("remoteIPAddress", ""),
            "startedDateTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                             time.gmtime(p.get("wallTime", 0))),
            "time": -1,
            "timings": {"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0,
                        "wait": 0, "receive": 0},
        })
    return {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                    "pages": [], "entries": entries}}


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CAPTURES)
    parser.add_argument("--skip-chromium", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aipolicycapture") as tmp:
        work = Path(tmp)
        pki = make_pki(work / "pki")
        with StandIn(pki) as standin:
            flows, har = work / "traffic.flows", work / "traffic.har"
            with mitmdump(work, standin.port, pki.ca_cert, flows, har) as (port, ca):
                send_all(port, ca)
                chrome = None if args.skip_chromium else chromium_har(port, ca, work)
            for _ in range(100):  # the HAR is written when mitmdump has shut down
                if har.exists() and har.stat().st_size:
                    break
                time.sleep(0.1)
        (args.out / "traffic.flows").write_bytes(flows.read_bytes())
        (args.out / "traffic.har").write_bytes(har.read_bytes())
        if chrome is not None:
            (args.out / "chromium.har").write_text(json.dumps(chrome, indent=2,
                                                              ensure_ascii=False) + "\n")
    for name in ("traffic.flows", "traffic.har", "chromium.har"):
        if (args.out / name).exists():
            print(f"{(args.out / name).relative_to(ROOT)}: {(args.out / name).stat().st_size} "
                  "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
