"""The benchmark suite runs end to end in smoke mode and reports every section.

Structure and sanity only (every figure present, positive, p50 <= p99, requests
answered); never speed: timing thresholds would make the suite flaky on a busy machine.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SIZES = ("200", "2000", "20000", "200000")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return (json.loads((out / "latest.json").read_text()),
            (out / "latest.md").read_text())


def _latency(st: dict) -> None:
    assert st["n"] >= 1
    for key in ("p50_ms", "p99_ms", "mean_ms", "max_ms"):
        assert math.isfinite(st[key]) and st[key] > 0, key
    assert st["p50_ms"] <= st["p99_ms"] <= st["max_ms"]


def _all_answered(statuses: dict[str, int]) -> None:
    # Requests were forwarded and answered, not blocked or failed: else the figures
    # would measure block notices or errors.
    assert statuses and set(statuses) == {"200"}, statuses


def test_meta_and_targets(smoke):
    r, md = smoke
    meta = r["meta"]
    assert meta["mode"] == "smoke" and meta["cpu_count"] >= 1 and meta["python"]
    assert "-m bench.run --smoke" in meta["command"] and meta["duration_s"] > 0
    ids = {t["id"] for t in r["targets"]}
    assert {"scan_vs_stock_2k", "scan_vs_stock_20k", "non_ner_mb_per_s", "non_ner_ms_per_2k",
            "non_ner_clean_mb_per_s",
            "chat_turn_ratio", "person_all_2k", "person_all_200k", "proxy_overhead_2k",
            "proxy_overhead_no_ner", "isolation_non_ai_p99", "rss_max", "rss_flat"} <= ids
    for t in r["targets"]:
        if t["id"] == "report_1m_lines":  # needs the full run's million lines
            assert t["value"] is None and t["met"] is None
            continue
        assert t["met"] in (True, False) and t["value"] is not None, t["id"]
    for heading in ("## Targets", "## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6.",
                    "## 7."):
        assert heading in md


def test_report_section(smoke):
    rep = smoke[0]["report"]
    assert rep["lines"] >= 5000 and rep["duckdb_full_report_s"] > 0
    assert rep["plain_python_apps_table_s"] > 0
    assert rep["same_figures"] is True  # DuckDB and plain Python agree


def test_scan_section(smoke):
    scan = smoke[0]["scan"]
    assert scan["non_ner_model_loaded"] is False
    assert set(scan["sizes"]) == set(SIZES)
    for size in SIZES:
        row = scan["sizes"][size]
        assert row["bytes_mean"] > int(size) * 0.8
        for engine in ("ours", "person_all", "non_ner", "ours_clean", "non_ner_clean"):
            _latency(row[engine])
            assert row[engine]["mb_per_s"] > 0 and row[engine]["per_s"] > 0
        if row["stock"] is not None:
            _latency(row["stock"])
            assert row["throughput_ratio_ours_vs_stock"] > 0
        assert row["ours"]["findings_per_text"] >= 0
    assert scan["sizes"]["2000"]["stock"] is not None  # the 2 KB ratio is always measured
    awkward = scan["awkward_inputs"]["kinds"]
    assert {"numbers_csv", "customer_csv", "server_log", "base64", "chinese"} <= set(awkward)
    for row in awkward.values():
        for engine in ("ours", "non_ner"):
            _latency(row[engine])
            assert row[engine]["mb_per_s"] > 0
    assert awkward["customer_csv"]["ours"]["findings"] > 0  # a table of contacts
    assert scan["sizes"]["2000"]["ours"]["findings_per_text"] > 0  # prose has identifiers


def test_conversation_section(smoke):
    c = smoke[0]["conversation"]
    assert c["turns"] >= 2
    for engine in ("ours", "stock"):
        series = c["per_turn_ms"][engine]
        assert len(series) == c["turns"] and all(x > 0 for x in series)
        assert c[engine]["ratio_last_vs_first"] > 0
    assert c["body_bytes"] == sorted(c["body_bytes"])  # history grows every turn
    paired = c["history_overhead_per_turn"]
    assert len(paired) == c["turns"] and all(x > 0 for x in paired)
    assert c["ours"]["history_overhead_last"] == paired[-1]


def test_proxy_section(smoke):
    p = smoke[0]["proxy"]
    for key in ("latency_2k", "latency_2k_no_ner"):
        for target in ("direct", "bare", "proxy"):
            _latency(p[key][target])
            _all_answered(p[key]["statuses"][target])
        assert math.isfinite(p[key]["overhead_p50_ms"])
    assert set(p["rps"]) == {"1", "4", "16"}
    for row in p["rps"].values():
        for target in ("bare", "proxy"):
            assert row[target]["rps"] > 0 and row[target]["requests"] > 0
            _all_answered(row[target]["statuses"])


def test_isolation_section(smoke):
    iso = smoke[0]["isolation"]
    assert iso["load"]["prompt_bytes"] > 190_000
    for target in ("bare", "proxy"):
        for phase in ("idle", "loaded"):
            for kind in ("plain", "plain_fresh", "ai_small"):
                _latency(iso[target][phase][kind])
        assert iso[target]["background"]["completed"] >= 1
        assert iso[target]["background"]["errors"] == 0
    assert math.isfinite(iso["delta_vs_bare"]["plain_p99_ms"])


def test_sse_section(smoke):
    sse = smoke[0]["sse"]
    for target in ("bare", "proxy"):
        _latency(sse[target]["ttfb"])
        _latency(sse[target]["total"])
        assert sse[target]["ttfb"]["p50_ms"] <= sse[target]["total"]["p50_ms"]
        _all_answered(sse[target]["statuses"])
        assert sse[target]["errors"] == 0


def test_memory_section(smoke):
    m = smoke[0]["memory"]
    p = m["proxy"]
    assert p["after_start_mb"] > 0 and p["n"] == p["requested"] > 0
    assert len(p["samples"]) >= 2 and p["samples"][0][0] == 0 and p["samples"][-1][0] == p["n"]
    assert all(total >= biggest > 0 for _, total, biggest in p["samples"])
    assert isinstance(p["flat"], bool)
    _all_answered(p["statuses"])
    assert m["bare"]["after_start_mb"] > 0
