"""Summaries, the targets, and the markdown report of a benchmark run.

``latency_stats`` turns raw durations into the figures every section reports;
``evaluate_targets`` checks the project's performance targets against a result dict;
``render_markdown`` writes the human-readable table per section.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); q in [0, 100]."""
    if not values:
        raise ValueError("no values")
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def latency_stats(seconds: Sequence[float]) -> dict[str, float]:
    """n, p50, p99, mean and max in milliseconds (p99 of few samples is nearly the max)."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(sum(ms) / len(ms), 3),
        "max_ms": round(max(ms), 3),
    }


# ----------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class Target:
    id: str
    section: str
    text: str  # what is required, for the table
    unit: str
    limit: float
    higher_is_better: bool
    value: Callable[[dict], float | bool | None]


def _get(d: dict, *path: str | int) -> Any:
    for key in path:
        if d is None:
            return None
        d = d.get(str(key)) if isinstance(d, dict) else None
    return d


TARGETS: tuple[Target, ...] = (
    Target("scan_vs_stock_2k", "scan", "throughput vs stock Presidio at 2 KB", "x", 4.0, True,
           lambda r: _get(r, "scan", "sizes", 2000, "throughput_ratio_ours_vs_stock")),
    Target("scan_vs_stock_20k", "scan", "throughput vs stock Presidio at 20 KB", "x", 4.0, True,
           lambda r: _get(r, "scan", "sizes", 20000, "throughput_ratio_ours_vs_stock")),
    Target("non_ner_mb_per_s", "scan", "non-NER layer throughput (20 KB prompts)", "MB/s",
           50.0, True, lambda r: _get(r, "scan", "sizes", 20000, "non_ner", "mb_per_s")),
    Target("non_ner_clean_mb_per_s", "scan",
           "non-NER layer throughput, 20 KB prompts of prose without identifiers", "MB/s",
           50.0, True, lambda r: _get(r, "scan", "sizes", 20000, "non_ner_clean", "mb_per_s")),
    Target("non_ner_ms_per_2k", "scan", "non-NER layer p50 per 2 KB prompt", "ms", 1.0, False,
           lambda r: _get(r, "scan", "sizes", 2000, "non_ner", "p50_ms")),
    Target("chat_turn_ratio", "conversation",
           "turn 20 cost / turn 1 cost (ours; their new text differs, see 2.)", "x", 1.3, False,
           lambda r: _get(r, "conversation", "ours", "ratio_last_vs_first")),
    Target("chat_history_overhead", "conversation",
           "turn 20 cost / its new messages sent as a first turn (ours)", "x", 1.3, False,
           lambda r: _get(r, "conversation", "ours", "history_overhead_last")),
    Target("person_all_2k", "scan", "person: all, p50 per 2 KB prompt", "ms", 45.0, False,
           lambda r: _get(r, "scan", "sizes", 2000, "person_all", "p50_ms")),
    Target("person_all_200k", "scan", "person: all, p50 per 200 KB prompt", "ms", 1500.0,
           False, lambda r: _get(r, "scan", "sizes", 200000, "person_all", "p50_ms")),
    Target("proxy_overhead_2k", "proxy", "added latency p50, 2 KB prompt, default ruleset",
           "ms", 20.0, False, lambda r: _get(r, "proxy", "latency_2k", "overhead_p50_ms")),
    Target("proxy_overhead_no_ner", "proxy", "added latency p50, 2 KB prompt needing no NER",
           "ms", 5.0, False, lambda r: _get(r, "proxy", "latency_2k_no_ner", "overhead_p50_ms")),
    Target("isolation_non_ai_p99", "isolation",
           "non-AI tunnelled p99 under 200 KB AI load, minus bare mitmdump's", "ms", 10.0, False,
           lambda r: _get(r, "isolation", "delta_vs_bare", "plain_p99_ms")),
    Target("rss_max", "memory", "RSS of the largest proxy process (main or a scan worker) "
           "after the run", "MB", 600.0, False,
           lambda r: _get(r, "memory", "proxy", "after_n_max_process_mb")),
    Target("rss_flat", "memory", "proxy RSS flat over the second half of the requests", "",
           1.0, True, lambda r: _get(r, "memory", "proxy", "flat")),
    Target("report_1m_lines", "report", "`aipolicy report` over one million audit lines",
           "s", 15.0, False, lambda r: _report_1m(r)),
)


def _report_1m(r: dict) -> float | None:
    rep = _get(r, "report")
    if not rep or rep.get("lines", 0) < 1_000_000:
        return None  # smoke mode uses a smaller log
    return rep["duckdb_full_report_s"]


def evaluate_targets(results: dict) -> list[dict[str, Any]]:
    out = []
    for t in TARGETS:
        value = t.value(results)
        if value is None:
            met = None  # not measured in this mode
        elif isinstance(value, bool):
            met = value
        else:
            met = value >= t.limit if t.higher_is_better else value <= t.limit
        op = ">=" if t.higher_is_better else "<="
        required = "flat" if t.id == "rss_flat" else f"{op} {t.limit:g} {t.unit}".strip()
        out.append({"id": t.id, "section": t.section, "what": t.text, "required": required,
                    "value": value, "unit": t.unit, "met": met})
    return out


# ----------------------------------------------------------------------------- markdown
def _f(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_f(c) if not isinstance(c, str) else c for c in row) + " |"
              for row in rows]
    return lines + [""]


def _met(m: bool | None) -> str:
    return "not measured" if m is None else ("**met**" if m else "**not met**")


def render_markdown(r: dict) -> str:
    meta = r["meta"]
    out = [f"# aipolicy benchmark ({meta['mode']} mode)", "",
           f"- date: {meta['date']}; duration {_f(meta['duration_s'], 0)} s ("
           + ", ".join(f"{k} {v:g} s" for k, v in meta.get("section_seconds", {}).items())
           + ")",
           f"- machine: {meta['cpu_count']} cores, {meta['cpu_model']}, "
           f"{_f(meta['mem_total_mb'])} MB RAM; Python {meta['python']}; "
           f"{meta['platform']}",
           f"- versions: {', '.join(f'{k} {v}' for k, v in meta['versions'].items())}",
           f"- command: `{meta['command']}` (seed {meta['seed']})",
           f"- code: commit {meta.get('git', {}).get('commit')} with "
           f"{meta.get('git', {}).get('uncommitted_files')} uncommitted files; ruleset "
           f"{meta.get('ruleset', {}).get('path')} (files sha256 "
           f"{meta.get('ruleset', {}).get('files_sha256')}, copied at the start)", "",
           "Ours and the baselines ran side by side in this one run on the same generated "
           "inputs, so ratios are the figures to read on a noisy machine. "
           "p99 of a few samples is close to the maximum; `n` says how many.", "",
           "## Targets", ""]
    rows = [[t["what"], t["required"], _f(t["value"]) + (f" {t['unit']}" if t["unit"] and
                                                         t["value"] is not None else ""),
             _met(t["met"])] for t in r["targets"]]
    out += _table(["target", "required", "measured", "result"], rows)
    out += _scan_md(r.get("scan")) + _chat_md(r.get("conversation"))
    out += _proxy_md(r.get("proxy")) + _isolation_md(r.get("isolation"))
    out += _sse_md(r.get("sse")) + _memory_md(r.get("memory")) + _report_md(r.get("report"))
    return "\n".join(out).rstrip() + "\n"


def _report_md(rep: dict | None) -> list[str]:
    if not rep:
        return []
    out = ["## 7. Usage report over a large audit log", ""]
    out += _table(["audit lines", "MB", "DuckDB, whole report s",
                   "plain Python, apps table only s", "speed-up", "same figures",
                   "peak RSS growth MB"],
                  [[rep["lines"], rep["bytes"] / 1e6, rep["duckdb_full_report_s"],
                    rep["plain_python_apps_table_s"], rep["speedup"], rep["same_figures"],
                    rep["peak_rss_mb_growth"]]])
    return out


def _scan_md(s: dict | None) -> list[str]:
    if not s:
        return []
    out = ["## 1. Scan latency and throughput (in process)", ""]
    out += [f"- `{k}`: {v}" for k, v in s["engines"].items()] + [""]
    rows = []
    for size, row in s["sizes"].items():
        for name in ("ours", "stock", "person_all", "non_ner", "ours_clean", "non_ner_clean"):
            e = row.get(name)
            if e is None:
                rows.append([f"{int(size):,} B", name, "–", "–", "–", "–", "–", "–"])
                continue
            rows.append([f"{int(size):,} B", name, e["n"], e["p50_ms"], e["p99_ms"],
                         e["mb_per_s"], e["per_s"], e.get("findings_per_text")])
    out += _table(["prompt", "engine", "n", "p50 ms", "p99 ms", "MB/s", "prompts/s",
                   "findings/prompt"], rows)
    copies = ", ".join(f"{int(size):,} B: {row.get('person_all_model_copies_used', '–')}"
                       for size, row in s["sizes"].items())
    out += [f"spaCy model copies the largest `person_all` scan used, per size: {copies}.", ""]
    repo = s.get("non_ner_on_repository_text")
    if repo:
        out += ["`non_ner` on ordinary text, this repository's own files cut into 200 KB "
                "pieces (identifiers are rare there): "
                + "; ".join(f"{kind} {r['mb_per_s']} MB/s (p50 {r['p50_ms']} ms)"
                            for kind, r in repo.items()) + ".", ""]
    awkward = s.get("awkward_inputs")
    if awkward:
        out += [f"Inputs unlike prose, {awkward['bytes']:,} bytes each "
                f"({awkward['repeats']} scans per engine; ms is the median scan, MB/s is "
                "over all scans, so one slow scan lowers it):", ""]
        out += _table(["input", "ours p50 ms", "ours MB/s", "ours findings", "non_ner p50 ms",
                       "non_ner MB/s"],
                      [[kind, r["ours"]["p50_ms"], r["ours"]["mb_per_s"],
                        r["ours"]["findings"], r["non_ner"]["p50_ms"],
                        r["non_ner"]["mb_per_s"]] for kind, r in awkward["kinds"].items()])
    ratio_rows = [[f"{int(size):,} B", row["throughput_ratio_ours_vs_stock"],
                   row["throughput_ratio_person_all_vs_stock"]]
                  for size, row in s["sizes"].items()]
    out += ["Throughput relative to stock Presidio on the same texts (higher is better):", ""]
    out += _table(["prompt", "ours / stock", "person: all / stock"], ratio_rows)
    return out


def _chat_md(c: dict | None) -> list[str]:
    if not c:
        return []
    out = [f"## 2. A {c['turns']}-turn conversation (history re-sent every turn)", "",
           f"{c['turns']} turns, median of {c['repeats']} conversations; the last turn's body "
           f"is {c['body_bytes'][-1]:,} bytes. Ours: one Inspector across turns "
           "(`inspect` on the request body); stock: `analyze` on every message.", ""]
    rows = [[name, c[name]["turn1_ms"], c[name]["turn_last_ms"], c[name]["ratio_last_vs_first"]]
            for name in ("ours", "stock")]
    out += _table(["engine", "turn 1 ms", f"turn {c['turns']} ms", "last / first"], rows)
    if "new_chars" in c:
        new = c["new_chars"]
        ours = c["ours"]
        out += [f"New text per turn (median characters): turn 1 {new[0]:,} (system prompt and "
                f"first user message), turn {c['turns']} {new[-1]:,} (previous reply and new "
                "user message), so the last turn has more to scan even with no history. The "
                f"history's own cost, turn cost over its new messages alone on a fresh "
                "inspector (paired within each conversation, median over conversations): "
                f"turn 1 {ours['history_overhead_first']} x, turn {c['turns']} "
                f"{ours['history_overhead_last']} x.", ""]
    series = c["per_turn_ms"]
    paired = c.get("history_overhead_per_turn")
    out += ["Per turn (ms; history x: the turn over its new messages alone): ", ""]
    out += _table(["turn", "ours", "stock", "history x"],
                  [[str(i + 1), o, st, paired[i] if paired else "–"] for i, (o, st) in
                   enumerate(zip(series["ours"], series["stock"], strict=True))])
    return out


def _lat_row(name: str, st: dict | None) -> list[Any]:
    if st is None:
        return [name, "–", "–", "–", "–"]
    return [name, st["n"], st["p50_ms"], st["p99_ms"], st["mean_ms"]]


def _proxy_md(p: dict | None) -> list[str]:
    if not p:
        return []
    out = ["## 3. End to end through the proxy (keep-alive clients)", ""]
    for key, title in (("latency_2k", "2 KB prompt with identifiers (default ruleset)"),
                       ("latency_2k_no_ner", "2 KB prompt without identifiers (no NER)")):
        sec = p[key]
        out += [f"### {title}", "",
                f"POST https://api.openai.com/v1/chat/completions, one client, requests "
                f"interleaved across targets. Added latency = proxy − bare mitmdump: "
                f"**p50 {_f(sec['overhead_p50_ms'])} ms, p99 {_f(sec['overhead_p99_ms'])} ms**.",
                ""]
        out += _table(["target", "n", "p50 ms", "p99 ms", "mean ms"],
                      [_lat_row(t, sec.get(t)) for t in ("direct", "bare", "proxy")])
    out += ["### Requests per second (2 KB prompts with identifiers)", ""]
    rows = []
    for conc, row in p["rps"].items():
        rows.append([conc, row["bare"]["rps"], row["proxy"]["rps"], row["proxy_vs_bare"],
                     row["bare"]["p50_ms"], row["proxy"]["p50_ms"],
                     row["bare"]["errors"] + row["proxy"]["errors"]])
    out += _table(["clients", "bare rps", "proxy rps", "proxy / bare", "bare p50 ms",
                   "proxy p50 ms", "errors"], rows)
    return out


def _isolation_md(i: dict | None) -> list[str]:
    if not i:
        return []
    load = i["load"]
    out = ["## 4. Isolation: other traffic while AI clients send 200 KB prompts", "",
           f"{load['clients']} background clients each start a {load['prompt_bytes']:,}-byte "
           f"prompt every {_f(load['interval_s'])} s (or when the previous one is answered, "
           "if later): the same offered load for both proxies. Measured meanwhile, one "
           "request at a time with a short pause: "
           "`plain` = GET https://plain.example.test/ over a kept-alive CONNECT tunnel "
           "(passed through, not decrypted), `plain_fresh` = the same over a new CONNECT "
           "each time, `ai_small` = a 200-byte prompt to api.openai.com.", ""]
    rows = []
    for target in ("bare", "proxy"):
        for phase in ("idle", "loaded"):
            for kind in ("plain", "plain_fresh", "ai_small"):
                st = i[target][phase][kind]
                rows.append([target, phase, kind, st["n"], st["p50_ms"], st["p99_ms"]])
    out += _table(["target", "load", "request", "n", "p50 ms", "p99 ms"], rows)
    bg = [[t, i[t]["background"]["completed"], i[t]["background"]["per_s"],
           i[t]["background"]["errors"]] for t in ("bare", "proxy")]
    out += _table(["target", "200 KB prompts done", "per s", "errors"], bg)
    d = i["delta_vs_bare"]
    out += [f"Under load, proxy − bare: plain p50 {_f(d['plain_p50_ms'])} ms, p99 "
            f"{_f(d['plain_p99_ms'])} ms; ai_small p50 {_f(d['ai_small_p50_ms'])} ms, p99 "
            f"{_f(d['ai_small_p99_ms'])} ms.", ""]
    return out


def _sse_md(s: dict | None) -> list[str]:
    if not s:
        return []
    out = ["## 5. Streaming: time to first byte of an SSE answer", "",
           "stream=true chat completion with a 2 KB prompt; time from sending the request "
           "to the first `data:` line. The stand-in sends the whole stream at once; the "
           "proxy streams responses, bare mitmdump buffers them.", ""]
    rows = []
    for t in ("bare", "proxy"):
        rows.append([t, s[t]["ttfb"]["n"], s[t]["ttfb"]["p50_ms"], s[t]["ttfb"]["p99_ms"],
                     s[t]["total"]["p50_ms"]])
    out += _table(["target", "n", "TTFB p50 ms", "TTFB p99 ms", "whole stream p50 ms"], rows)
    out += [f"TTFB added by the proxy: p50 {_f(s['ttfb_overhead_p50_ms'])} ms, p99 "
            f"{_f(s['ttfb_overhead_p99_ms'])} ms.", ""]
    return out


def _memory_md(m: dict | None) -> list[str]:
    if not m:
        return []
    p, b = m["proxy"], m["bare"]
    out = ["## 6. Resident memory (VmRSS of the proxy process and its children)", "",
           f"Proxy: {_f(p['after_start_mb'])} MB after start "
           f"({len(p['after_start_processes'])} processes: "
           f"{', '.join(_f(x) for x in p['after_start_processes'])} MB), "
           f"{_f(p['after_n_mb'])} MB after {p['n']:,} requests ({p['concurrency']} clients, "
           f"distinct 2 KB prompts, {_f(p['rps'])} requests/s; processes: "
           f"{', '.join(_f(x) for x in p['after_n_processes'])} MB). Growth over the second "
           f"half: {_f(p['growth_second_half_mb'])} MB → flat: {_f(p['flat'])}. "
           f"Bare mitmdump: {_f(b['after_start_mb'])} MB after start, "
           f"{_f(b['after_run_mb'])} MB after the other sections.", ""]
    out += _table(["requests", "total RSS MB", "largest process MB"],
                  [[n, total, biggest] for n, total, biggest in p["samples"]])
    return out
