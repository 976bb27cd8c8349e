"""End-to-end benchmarks: the proxy against bare mitmdump, both in front of the stand-in.

Processes, all on loopback:

* the stand-in upstream (tests/e2e/standin) in its own process, so its TLS work does
  not share a GIL with the clients that take the timings;
* the product, started like the e2e tests do (``aipolicy run`` plus the test-only
  redirect addon, default ruleset);
* bare ``mitmdump`` with the same listen, confdir and upstream-CA options and only the
  redirect addon; like ``aipolicy run`` it uses ``flow_detail=0`` and the lazy
  connection strategy, and passes plain.example.test through untouched
  (``ignore_hosts``), so both proxies tunnel the non-AI traffic;
* clients in this process: ``http.client`` over CONNECT with keep-alive, one
  connection per client thread.

Every loop is bounded (a count or a deadline) and stops by itself.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import inputs
from .report import latency_stats

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
REDIRECT_ADDON = ROOT / "tests" / "e2e" / "standin" / "redirect_addon.py"
AI_HOST = "api.openai.com"
PLAIN_HOST = "plain.example.test"
CHAT_PATH = "/v1/chat/completions"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
REQUEST_TIMEOUT = 60.0
STANDIN_MAX_SECONDS = 3600  # the stand-in process ends by itself after this


# ----------------------------------------------------------------------------- processes
def rss_tree(pid: int) -> list[tuple[int, str, float]]:
    """(pid, command name, VmRSS in MB) of a process and all its descendants (/proc)."""
    out: list[tuple[int, str, float]] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            name = Path(f"/proc/{p}/comm").read_text().strip()
            kb = 0
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    kb = int(line.split()[1])
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        out.append((p, name, round(kb / 1024, 1)))
    return out


def rss_summary(pid: int) -> dict[str, Any]:
    tree = rss_tree(pid)
    return {"total_mb": round(sum(mb for _, _, mb in tree), 1),
            "max_process_mb": max((mb for _, _, mb in tree), default=0.0),
            "processes": len(tree),
            "per_process_mb": [mb for _, _, mb in tree]}


@dataclass
class StandinProcess:
    process: subprocess.Popen
    port: int
    ca_cert: Path

    @classmethod
    def start(cls, workdir: Path) -> StandinProcess:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.proxy_bench", "standin", str(workdir / "pki")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            proc.wait(10)
            raise RuntimeError(f"stand-in did not start (exit {proc.returncode})")
        info = json.loads(line)
        return cls(proc, int(info["port"]), Path(info["ca"]))

    def stop(self) -> None:
        _stop(self.process, close_stdin=True)


def _stop(proc: subprocess.Popen, close_stdin: bool = False) -> None:
    if proc.poll() is not None:
        return
    if close_stdin and proc.stdin:
        proc.stdin.close()
        try:
            proc.wait(5)
            return
        except subprocess.TimeoutExpired:
            pass
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def serve_standin(pki_dir: Path) -> int:
    """Child process: run the stand-in until stdin closes (or the time limit)."""
    sys.path.insert(0, str(ROOT))
    from tests.e2e.standin import StandIn, make_pki

    pki = make_pki(pki_dir)
    closed = threading.Event()

    def watch_stdin() -> None:
        sys.stdin.read()  # returns at EOF: the parent closed the pipe or went away
        closed.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    server = StandIn(pki, idle_timeout=STANDIN_MAX_SECONDS)
    serve = server._serve_connection

    def serve_nodelay(sock: socket.socket, peer: Any, httpd: Any) -> None:
        # Real servers (and mitmproxy, through asyncio) disable Nagle's algorithm. The
        # stand-in writes headers and body separately, which with Nagle and delayed ACKs
        # adds up to 40 ms to a reply: noise that is neither the proxy's nor mitmproxy's.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        serve(sock, peer, httpd)

    server._serve_connection = serve_nodelay  # this instance only, in this process
    with server:
        print(json.dumps({"port": server.port, "ca": str(pki.ca_cert)}), flush=True)
        deadline = time.monotonic() + STANDIN_MAX_SECONDS
        while not closed.is_set() and time.monotonic() < deadline:
            # The stand-in records every request for tests; a benchmark only needs replies.
            server.requests.clear()
            closed.wait(1.0)
    return 0


@dataclass
class Proxy:
    """A running proxy: the product (``aipolicy run``) or bare mitmdump."""

    name: str
    process: subprocess.Popen
    port: int
    ca_cert: Path
    stop: Callable[[], None]

    def rss(self) -> dict[str, Any]:
        return rss_summary(self.process.pid)


def start_product(workdir: Path, ruleset: Path, standin: StandinProcess) -> Proxy:
    sys.path.insert(0, str(ROOT))
    from tests.e2e.proxy_harness import start_proxy

    running = start_proxy(workdir, ruleset, standin.port, standin.ca_cert)
    return Proxy("proxy", running.process, running.port, running.ca_cert, running.stop)


def start_bare(workdir: Path, standin: StandinProcess) -> Proxy:
    """Launch bare mitmdump; call ``wait_bare`` before using it."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    confdir = workdir / "certs"
    cmd = [
        str(VENV_BIN / "mitmdump"), "--listen-host", "127.0.0.1", "--listen-port", str(port),
        "--set", f"confdir={confdir}",
        "--set", f"ssl_verify_upstream_trusted_ca={standin.ca_cert}",
        "--set", "flow_detail=0", "--set", "connection_strategy=lazy",
        "--ignore-hosts", r"^plain\.example\.test(:\d+)?$",
        "-s", str(REDIRECT_ADDON), "--set", f"standin_address=127.0.0.1:{standin.port}",
    ]
    with open(workdir / "mitmdump.stderr", "wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
    return Proxy("bare", proc, port, confdir / "mitmproxy-ca-cert.pem", lambda: _stop(proc))


def wait_bare(proxy: Proxy, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            raise RuntimeError(f"mitmdump exited with {proxy.process.returncode}")
        if proxy.ca_cert.exists():
            try:
                with socket.create_connection(("127.0.0.1", proxy.port), timeout=1):
                    return
            except OSError:
                pass
        time.sleep(0.1)
    raise RuntimeError(f"mitmdump did not become ready in {timeout}s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- clients
def client_address(group: int, index: int) -> str:
    """A distinct loopback source address per simulated user (all of 127/8 is local).

    The proxy keys per-client state (the scan worker a client sticks to) on the source
    address; one address for every client would look like one user.
    """
    address = f"127.0.{group}.{index + 1}"
    try:  # Linux routes all of 127/8 to lo; other systems may only have 127.0.0.1
        with socket.socket() as s:
            s.bind((address, 0))
    except OSError:
        return "127.0.0.1"
    return address


class Client:
    """One keep-alive HTTPS connection to ``host``: through a proxy (CONNECT) or direct,
    from ``source`` (a loopback address)."""

    def __init__(self, host: str, cafile: Path, proxy_port: int | None = None,
                 direct_port: int | None = None, source: str = "127.0.0.1") -> None:
        self.host = host
        self.proxy_port = proxy_port
        self.direct_port = direct_port
        self.source = (source, 0)
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.errors = 0
        self.statuses: dict[int, int] = {}
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPSConnection:
        if self.proxy_port is not None:
            conn = http.client.HTTPSConnection("127.0.0.1", self.proxy_port,
                                               context=self.context, timeout=REQUEST_TIMEOUT,
                                               source_address=self.source)
            conn.set_tunnel(self.host, 443)
        else:
            conn = http.client.HTTPSConnection("127.0.0.1", self.direct_port,
                                               context=self.context, timeout=REQUEST_TIMEOUT,
                                               source_address=self.source)
        return conn

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        return {**extra, "Host": self.host} if self.proxy_port is None else extra

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> float:
        """Send, read the whole answer; seconds taken. One reconnect on a dropped line."""
        for attempt in (0, 1):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body, self._headers(headers or {}))
                resp = self.conn.getresponse()
                resp.read()
                elapsed = time.perf_counter() - started
                self.statuses[resp.status] = self.statuses.get(resp.status, 0) + 1
                if resp.will_close:
                    self.reconnect()
                return elapsed
            except (OSError, http.client.HTTPException):
                self.errors += 1
                self.reconnect()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def stream(self, path: str, body: bytes) -> tuple[float, float]:
        """(time to the first SSE data line, time to the end of the stream)."""
        started = time.perf_counter()
        self.conn.request("POST", path, body, self._headers(
            {"Content-Type": "application/json", "Accept": "text/event-stream"}))
        resp = self.conn.getresponse()
        first = None
        while True:
            line = resp.readline()
            if not line:
                break
            if first is None and line.startswith(b"data:"):
                first = time.perf_counter() - started
        total = time.perf_counter() - started
        self.statuses[resp.status] = self.statuses.get(resp.status, 0) + 1
        if first is None:
            self.errors += 1
            first = total
        return first, total

    def reconnect(self) -> None:
        self.conn.close()
        self.conn = self._connect()

    def close(self) -> None:
        self.conn.close()


# Source-address groups (third octet) of the simulated users of each section.
LATENCY_USERS, RPS_USERS, LOAD_USERS, FOREGROUND_USERS, SSE_USERS, MEMORY_USERS = (
    10, 20, 30, 40, 50, 60)


def ai_client(proxy: Proxy, source: str = "127.0.0.1") -> Client:
    return Client(AI_HOST, proxy.ca_cert, proxy_port=proxy.port, source=source)


def plain_client(proxy: Proxy, standin: StandinProcess, source: str = "127.0.0.1") -> Client:
    # Verified against the stand-in's CA: only a passed-through tunnel can succeed.
    return Client(PLAIN_HOST, standin.ca_cert, proxy_port=proxy.port, source=source)


def _post(client: Client, body: bytes) -> float:
    return client.request("POST", CHAT_PATH, body, JSON_HEADERS)


# ----------------------------------------------------------------------------- sections
def latency_section(targets: dict[str, Client], bodies: Sequence[bytes],
                    warmup: Sequence[bytes]) -> dict[str, Any]:
    """One request per target per body, the order rotating, so conditions are shared."""
    names = list(targets)
    for body in warmup:
        for name in names:
            _post(targets[name], body)
    for client in targets.values():  # count this section's answers only
        client.statuses.clear()
        client.errors = 0
    times: dict[str, list[float]] = {n: [] for n in names}
    for i, body in enumerate(bodies):
        for k in range(len(names)):
            name = names[(i + k) % len(names)]
            times[name].append(_post(targets[name], body))
    out: dict[str, Any] = {n: latency_stats(t) for n, t in times.items()}
    out["overhead_p50_ms"] = round(out["proxy"]["p50_ms"] - out["bare"]["p50_ms"], 3)
    out["overhead_p99_ms"] = round(out["proxy"]["p99_ms"] - out["bare"]["p99_ms"], 3)
    paired = sorted(p - b for p, b in zip(times["proxy"], times["bare"], strict=True))
    out["overhead_paired_median_ms"] = round(paired[len(paired) // 2] * 1000, 3)
    out["statuses"] = {n: _statuses(targets[n]) for n in names}
    out["errors"] = {n: targets[n].errors for n in names}
    return out


def _statuses(client: Client) -> dict[str, int]:
    return {str(k): v for k, v in sorted(client.statuses.items())}


class BodySource:
    """Thread-safe supply of distinct prompts, generated on demand from a seed."""

    def __init__(self, seed: int, kind: str, size: int, stream: bool = False) -> None:
        self._rng = random.Random(f"{seed}:{kind}:{size}:source")
        self._make = inputs.mixed_prose if kind == "mixed" else inputs.clean_prose
        self._size, self._stream = size, stream
        self._lock = threading.Lock()

    def next(self) -> bytes:
        with self._lock:
            text = self._make(self._rng, self._size)
        return inputs.prompt_body(text, self._stream)


def throughput_run(make_client: Callable[[int], Client], source: BodySource, concurrency: int,
                   seconds: float) -> dict[str, Any]:
    """``concurrency`` clients (users) send back to back until the deadline."""
    clients = [make_client(i) for i in range(concurrency)]
    for c in clients:
        _post(c, source.next())  # connection set up and warmed, not counted
    start = threading.Barrier(concurrency + 1)
    times: list[list[float]] = [[] for _ in clients]
    failures = [0] * concurrency

    def work(i: int, deadline_box: list[float]) -> None:
        start.wait()
        while time.perf_counter() < deadline_box[0]:
            body = source.next()
            try:
                times[i].append(_post(clients[i], body))
            except (OSError, http.client.HTTPException):
                failures[i] += 1

    box = [0.0]
    threads = [threading.Thread(target=work, args=(i, box), daemon=True)
               for i in range(concurrency)]
    for t in threads:
        t.start()
    box[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.perf_counter() - began
    done = [x for ts in times for x in ts]
    for c in clients:
        c.close()
    return {"concurrency": concurrency, "requests": len(done), "seconds": round(elapsed, 2),
            "rps": round(len(done) / elapsed, 2), **_short_stats(done),
            "errors": sum(c.errors for c in clients) + sum(failures),
            "statuses": _merge_statuses(clients)}


def _short_stats(seconds: Sequence[float]) -> dict[str, float]:
    if not seconds:
        return {"p50_ms": 0.0, "p99_ms": 0.0}
    st = latency_stats(seconds)
    return {"p50_ms": st["p50_ms"], "p99_ms": st["p99_ms"]}


def _merge_statuses(clients: Sequence[Client]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in clients:
        for k, v in c.statuses.items():
            out[str(k)] = out.get(str(k), 0) + v
    return out


def rps_section(proxies: dict[str, Proxy], seed: int, levels: Sequence[int],
                seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for conc in levels:
        row: dict[str, Any] = {}
        for name, proxy in proxies.items():
            # The same prompts for both: a fresh source with the same seed.
            source = BodySource(seed + conc, "mixed", 2_000)
            row[name] = throughput_run(
                lambda i, p=proxy: ai_client(p, client_address(RPS_USERS, i)), source, conc,
                seconds)
        row["proxy_vs_bare"] = round(row["proxy"]["rps"] / row["bare"]["rps"], 3) \
            if row["bare"]["rps"] else None
        out[str(conc)] = row
    return out


def _foreground(proxy: Proxy, standin: StandinProcess, small: Iterator[bytes], rounds: int,
                pause: float, fresh_every: int) -> dict[str, list[float]]:
    plain = plain_client(proxy, standin, client_address(FOREGROUND_USERS, 0))
    ai = ai_client(proxy, client_address(FOREGROUND_USERS, 1))
    plain.request("GET", "/")  # tunnel open, not counted
    _post(ai, next(small))
    got: dict[str, list[float]] = {"plain": [], "plain_fresh": [], "ai_small": []}
    for i in range(rounds):
        got["plain"].append(plain.request("GET", "/"))
        got["ai_small"].append(_post(ai, next(small)))
        if i % fresh_every == 0:
            started = time.perf_counter()
            # CONNECT + TLS handshake with the origin
            fresh = plain_client(proxy, standin, client_address(FOREGROUND_USERS, 0))
            fresh.request("GET", "/")
            got["plain_fresh"].append(time.perf_counter() - started)
            fresh.close()
        time.sleep(pause)
    plain.close()
    ai.close()
    return got


class _Load:
    """Clients each starting a big prompt every ``interval`` seconds (or as soon as the
    previous one is answered, if that takes longer), until stopped. The same offered load
    for both proxies: a proxy that answers quickly is not sent more."""

    def __init__(self, proxy: Proxy, bodies: Sequence[bytes], clients: int,
                 interval: float) -> None:
        self.proxy, self.bodies, self.clients = proxy, bodies, clients
        self.interval = interval
        self.halt = threading.Event()
        self.done = [0] * clients
        self.errors = [0] * clients
        self.running = [threading.Event() for _ in range(clients)]
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(clients)]
        self.began = 0.0

    def _run(self, i: int) -> None:
        c = ai_client(self.proxy, client_address(LOAD_USERS, i))
        k = i
        while not self.halt.is_set():
            self.running[i].set()
            began = time.perf_counter()
            try:
                _post(c, self.bodies[k % len(self.bodies)])
                self.done[i] += 1
            except (OSError, http.client.HTTPException):
                self.errors[i] += 1
            k += self.clients
            self.halt.wait(max(0.0, self.interval - (time.perf_counter() - began)))
        self.errors[i] += c.errors
        c.close()

    def start(self) -> None:
        self.began = time.perf_counter()
        for t in self.threads:
            t.start()
        for e in self.running:
            e.wait(30)
        time.sleep(0.3)  # the first big bodies are in flight

    def stop(self) -> dict[str, Any]:
        self.halt.set()
        for t in self.threads:
            t.join(REQUEST_TIMEOUT + 5)
        elapsed = time.perf_counter() - self.began
        return {"completed": sum(self.done), "errors": sum(self.errors),
                "per_s": round(sum(self.done) / elapsed, 2), "seconds": round(elapsed, 2)}


def isolation_section(proxies: dict[str, Proxy], standin: StandinProcess, seed: int,
                      rounds: int, load_clients: int, load_interval: float = 1.0,
                      pause: float = 0.01,
                      fresh_every: int = 3, big_size: int = 200_000,
                      big_pool: int = 8) -> dict[str, Any]:
    big = inputs.prompt_bodies(seed, "mixed", big_size, big_pool)
    out: dict[str, Any] = {"load": {"clients": load_clients, "prompt_bytes": len(big[0]),
                                    "interval_s": load_interval,
                                    "distinct_prompts": big_pool, "rounds": rounds,
                                    "pause_s": pause}}
    for name, proxy in proxies.items():
        res: dict[str, Any] = {}
        small = iter(inputs.prompt_bodies(seed + 1, "mixed", 200, 2 * rounds + 4))
        res["idle"] = {k: latency_stats(v) for k, v in
                       _foreground(proxy, standin, small, rounds, pause, fresh_every).items()}
        load = _Load(proxy, big, load_clients, load_interval)
        load.start()
        small = iter(inputs.prompt_bodies(seed + 2, "mixed", 200, 2 * rounds + 4))
        res["loaded"] = {k: latency_stats(v) for k, v in
                         _foreground(proxy, standin, small, rounds, pause, fresh_every).items()}
        res["background"] = load.stop()
        out[name] = res
    b, p = out["bare"]["loaded"], out["proxy"]["loaded"]
    out["delta_vs_bare"] = {
        f"{kind}_{q}_ms": round(p[kind][f"{q}_ms"] - b[kind][f"{q}_ms"], 3)
        for kind in ("plain", "plain_fresh", "ai_small") for q in ("p50", "p99")}
    return out


def sse_section(proxies: dict[str, Proxy], seed: int, count: int) -> dict[str, Any]:
    bodies = inputs.prompt_bodies(seed, "mixed", 2_000, count + 3, stream=True)
    clients = {name: ai_client(p, client_address(SSE_USERS, 0)) for name, p in proxies.items()}
    names = list(clients)
    for body in bodies[:3]:
        for name in names:
            clients[name].stream(CHAT_PATH, body)
    ttfb: dict[str, list[float]] = {n: [] for n in names}
    total: dict[str, list[float]] = {n: [] for n in names}
    for i, body in enumerate(bodies[3:]):
        for k in range(len(names)):
            name = names[(i + k) % len(names)]
            first, whole = clients[name].stream(CHAT_PATH, body)
            ttfb[name].append(first)
            total[name].append(whole)
    out: dict[str, Any] = {n: {"ttfb": latency_stats(ttfb[n]), "total": latency_stats(total[n]),
                               "statuses": _statuses(clients[n]), "errors": clients[n].errors}
                           for n in names}
    out["ttfb_overhead_p50_ms"] = round(
        out["proxy"]["ttfb"]["p50_ms"] - out["bare"]["ttfb"]["p50_ms"], 3)
    out["ttfb_overhead_p99_ms"] = round(
        out["proxy"]["ttfb"]["p99_ms"] - out["bare"]["ttfb"]["p99_ms"], 3)
    for c in clients.values():
        c.close()
    return out


def memory_run(proxy: Proxy, seed: int, total: int, concurrency: int, samples: int,
               max_seconds: float) -> dict[str, Any]:
    """``total`` distinct 2 KB prompts at ``concurrency``; RSS sampled ``samples`` times."""
    source = BodySource(seed, "mixed", 2_000)
    step = max(1, total // samples)
    counter = itertools.count(1)
    lock = threading.Lock()
    points: list[tuple[int, dict[str, Any]]] = [(0, proxy.rss())]
    deadline = time.monotonic() + max_seconds
    done = [0]
    clients = [ai_client(proxy, client_address(MEMORY_USERS, i)) for i in range(concurrency)]

    def work(c: Client) -> None:
        while time.monotonic() < deadline:
            k = next(counter)
            if k > total:
                return
            try:
                _post(c, source.next())
            except (OSError, http.client.HTTPException):
                continue
            with lock:
                done[0] += 1
                if done[0] % step == 0:
                    points.append((done[0], proxy.rss()))

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max_seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.perf_counter() - began
    if points[-1][0] != done[0]:
        points.append((done[0], proxy.rss()))
    errors = sum(c.errors for c in clients)
    for c in clients:
        c.close()
    mid = min(points, key=lambda pt: abs(pt[0] - done[0] / 2))
    end = points[-1]
    growth = round(end[1]["total_mb"] - mid[1]["total_mb"], 1)
    return {
        "n": done[0], "requested": total, "concurrency": concurrency,
        "seconds": round(elapsed, 1), "rps": round(done[0] / elapsed, 1) if elapsed else 0.0,
        "errors": errors,
        "samples": [[n, r["total_mb"], r["max_process_mb"]] for n, r in points],
        "after_n_mb": end[1]["total_mb"], "after_n_max_process_mb": end[1]["max_process_mb"],
        "after_n_processes": end[1]["per_process_mb"],
        "growth_second_half_mb": growth,
        # Flat: the second half adds less than 3 % (and less than 32 MB); keeping each
        # request body would add about 10 MB per 5,000 requests.
        "flat": growth <= min(32.0, 0.03 * mid[1]["total_mb"]),
        "statuses": _merge_statuses(clients),
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "standin":
        sys.exit(serve_standin(Path(sys.argv[2])))
    print("usage: python -m bench.proxy_bench standin PKI_DIR  (used by bench.run)",
          file=sys.stderr)
    sys.exit(2)

