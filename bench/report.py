"""``bench/results.json`` (merged per measure) and its Markdown table ``bench/results.md``."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import goals
from bench.measure import SETTINGS

RESULTS = SETTINGS.bench_results or Path(__file__).resolve().parent / "results.json"
TABLE = RESULTS.with_suffix(".md")


def cpu_check_seconds(runs: int = 3) -> float:
    """Median time of a fixed pure-Python loop: the speed this (shared, virtual) machine had
    when the figures were taken, for comparing runs of different days."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2)


def machine() -> dict:
    """What the figures were measured on."""
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
        "cpu_check_s": cpu_check_seconds(),
    }


def update_results(measure: str, result: dict) -> None:
    """Store one measure's figures with the machine and date, and rewrite the table."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[measure] = result | {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    TABLE.write_text(markdown(results))


def markdown(results: dict) -> str:
    """The README's benchmark table."""
    lines = [
        "| Measure | Median (min–max) | Peak RSS | Limit it is compared with | Ratio |",
        "|---|---|---|---|---|",
    ]
    m1 = results.get("M1_decp")
    if m1:
        ingest, limit = m1["ingest"], m1["limit_duckdb_array_to_table"]
        lines.append(
            f"| M1 DECP ingest, {m1['contracts']:,} contracts ({m1['file_bytes'] / 1e9:.2f} GB) "
            f"| {_span(ingest)} | {ingest['peak_rss_mb']['median']} MB "
            f"| DuckDB reading the same records as a bare array into a table: {_span(limit)} "
            f"(parse only, no table: {m1['duckdb_array_parse_only']['seconds']['median']} s) "
            f"| ×{m1['ratio_to_limit']} (×{m1['ratio_to_parse_only']} of parse only) |"
        )
    lines += _refresh_rows(results)
    m4 = results.get("M4_dashboard")
    if m4:
        cb, cold = m4["callback_ms"], m4["server_cold_page_ms"]
        first, again = m4["browser_first_visit_charts_ms"], m4["browser_revisit_charts_ms"]
        lines.append(
            f"| M4 dashboard ({m4['data']}), {m4['clients']} concurrent clients: "
            f"{m4['callback_requests']} page callbacks of common views; "
            f"{m4['server_cold_page_loads']} page loads of views nobody asked for yet (HTTP) "
            f"| callback p50 {cb['p50']} ms, p95 {cb['p95']} ms; cold page (HTTP) p50 "
            f"{cold['p50']} ms, p95 {cold['p95']} ms | – "
            f"| goal: callback p95 ≤ 100 ms, cold page ≤ 1 s "
            f"| callback ×{round(cb['p95'] / 100, 2)} of goal; cold page ×"
            f"{round(cold['p95'] / 1000, 2)} |"
        )
        size = m4.get("browser_first_visit_kb")
        by_page = m4.get("browser_first_visit_charts_ms_p50_by_page")
        details = [f"{size['p50']} kB transferred, max {size['max']} kB"] if size else []
        if by_page:
            details.append("p50 by page: " + ", ".join(f"{k} {v} ms" for k, v in by_page.items()))
        wall = m4.get("browser_first_visit_charts_wall_ms")
        if wall:
            details.append(
                f"by the test driver's wall clock, which adds its round trips and the new "
                f"context's renderer start: p50 {wall['p50']} ms, p95 {wall['p95']} ms"
            )
        transferred = f" ({'; '.join(details)})" if details else ""
        lines.append(
            f"| M4 dashboard in Chromium, from navigation start until every chart is drawn "
            f"({m4['browser_first_visits']} loads each) | first visit (empty browser cache) p50 "
            f"{first['p50']} ms, p95 {first['p95']} ms{transferred}; later visits p50 "
            f"{again['p50']} ms, p95 {again['p95']} ms | – | goal: cold page ≤ 1 s "
            f"| first visit ×{round(first['p95'] / 1000, 2)}; later ×"
            f"{round(again['p95'] / 1000, 2)} |"
        )
    m5 = results.get("M5_reports")
    if m5:
        national, every, warm = m5["national_pdf"], m5["all_buyers"], m5["national_pdf_warm"]
        parts = ", ".join(f"{k} {v} s" for k, v in m5["all_buyers_parts_seconds"].items())
        ratio_national = round(national["seconds"]["median"] / m5["goal_national_pdf_s"], 2)
        ratio_warm = round(warm["seconds"]["median"] / m5["goal_national_pdf_s"], 2)
        ratio_every = round(every["seconds"]["median"] / m5["goal_all_buyers_s"], 2)
        lines.append(
            f"| M5 national report, PDF (`csf report --national --format pdf`, whole command) "
            f"| {_span(national)} | {national['peak_rss_mb']['median']} MB | goal: ≤ "
            f"{m5['goal_national_pdf_s']} s | ×{ratio_national} of goal |"
        )
        lines.append(
            f"| M5 national report, PDF, in a process that has rendered it before (as in "
            f"`csf run`: queries, Chromium start, charts, layout) | {_span(warm)} | – "
            f"| goal: ≤ {m5['goal_national_pdf_s']} s | ×{ratio_warm} of goal |"
        )
        lines.append(
            f"| M5 every buyer's report, PDF + XLSX ({m5['buyers']} buyers, {m5['clauses']:,} "
            f"clauses, {m5['workers']} worker processes; parts summed over workers: {parts}) "
            f"| {_span(every)} | {every['peak_rss_mb']['median']} MB (main process) | goal: ≤ "
            f"{m5['goal_all_buyers_s']} s | ×{ratio_every} of goal |"
        )
    lines += _gx_row(results)
    lines += _curve_rows(results)
    checks = [
        f"{name.split('_')[0]} {m['machine']['cpu_check_s']} s"
        for name, m in results.items()
        if "cpu_check_s" in m.get("machine", {})
    ]
    if checks:
        lines += [
            "",
            "The machine is a shared virtual one whose speed varies from hour to hour; a fixed "
            "pure-Python loop (10 M additions) took, when each measure was taken: "
            + ", ".join(checks)
            + " (lower is faster).",
        ]
    return "\n".join(lines) + "\n"


def _refresh_rows(results: dict) -> list[str]:
    """M2 and M3 (bench.refresh)."""
    rows = []
    m2, m3 = results.get("M2_full_refresh"), results.get("M3_incremental_refresh")
    if m2:
        stages = ", ".join(f"{k} {v} s" for k, v in m2["stages_s"].items())
        runs = f"{m2['runs']} run" + ("s" if m2["runs"] > 1 else "")
        rows.append(
            f"| M2 full refresh ({m2['data']}, {runs}): `csf run` in a new home until "
            f"the snapshot is published (ingest, checks, dbt, publish; then the reports and the "
            f"research release: whole command {_range(m2['command_s'])} s; steps {stages}) "
            f"| {_range(m2['to_publication_s'])} s | {m2['peak_rss_mb']['median']} MB "
            f"| goal: {goals.M2_GOAL} "
            f"| ×{round(m2['to_publication_s']['median'] / goals.M2_TO_PUBLICATION_S, 2)} "
            f"of goal; RSS ×{round(m2['peak_rss_mb']['median'] / goals.M2_PEAK_RSS_MB, 2)} |"
        )
    if m3:
        stages = ", ".join(f"{k} {v} s" for k, v in m3["stages_s"].items())
        rows.append(
            f"| M3 incremental refresh: académie {m3['academie']}'s next monthly MLDS export "
            f"(3 files) dropped in, `csf run` until published (whole command "
            f"{_range(m3['command_s'])} s; steps {stages}) | {_range(m3['to_publication_s'])} s "
            f"| {m3['peak_rss_mb']['median']} MB | goal: {goals.M3_GOAL} "
            f"| ×{round(m3['to_publication_s']['median'] / goals.M3_TO_PUBLICATION_S, 2)} of "
            f"goal; whole command ×{round(m3['command_s']['median'] / goals.M3_COMMAND_S, 2)}; "
            f"{round(100 * m3['ratio_to_m2'], 1)} % of M2 |"
        )
    return rows


def _curve_rows(results: dict) -> list[str]:
    """The cost curve (bench.scale_curve): one row per factor, then each figure's fit."""
    curve = results.get("scale_curve")
    if not curve:
        return []
    rows = [
        "",
        f"Cost curve (one `csf run` M2 and M3 per factor of the national volume; goal: "
        f"{curve['goal']}; chart `bench/{curve['chart']}`):",
        "",
        "| Factor | Inbox | M2 until published | M2 whole command | M2 peak RSS | M3 until "
        "published | M3 whole command | Build warehouse | Sample generator (time, peak RSS) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in curve["factors"]:
        if "failed" in p:
            rows.append(f"| ×{p['factor']:g} | failed: {p['failed'][:200]} ||||||||")
            continue
        generator = (
            f"{p['generator_s']} s, {p['generator_peak_rss_mb']} MB" if "generator_s" in p else "–"
        )
        rows.append(
            f"| ×{p['factor']:g} | {p['inbox_mb']:,} MB | {p['m2_to_publication_s']} s "
            f"| {p['m2_command_s']} s | {p['m2_peak_rss_mb']:,} MB | {p['m3_to_publication_s']} s "
            f"| {p['m3_command_s']} s | {p['warehouse_mb']:,} MB | {generator} |"
        )
    rows += ["", "| Figure | Fit: fixed + b × factor^k | At 10× (fitted) | Limit reached at |"]
    rows.append("|---|---|---|---|")
    for figure, g in curve["growth"].items():
        limit = "–"
        if "limit" in g:
            at = g["limit_reached_at_factor"]
            if at is None:
                where = "never (it does not grow at the measured sizes)"
            elif at > 0:
                where = f"×{at:g}"
            else:
                where = "every size (the fixed part alone exceeds it)"
            limit = f"{where} ({g['limit_is']}: {g['limit']:g})"
        rows.append(
            f"| {figure} | {g['fixed']:g} + {g['per_unit']:g} × factor^{g['k']:g} "
            f"| {g['at_10x']:,.0f} | {limit} |"
        )
    return rows


def _gx_row(results: dict) -> list[str]:
    """M6 (bench.refresh)."""
    m6 = results.get("M6_gx_share")
    rows = []
    if m6:
        rows.append(
            f"| M6 Great Expectations validation in M2 ({m6['gx_s']} s) | "
            f"{round(100 * m6['share_of_m2'], 1)} % of M2 ({round(100 * m6['share_min'], 1)}–"
            f"{round(100 * m6['share_max'], 1)}) | – | goal: {goals.M6_GOAL} "
            f"| ×{round(m6['share_of_m2'] / goals.M6_GX_SHARE, 2)} of goal |"
        )
    return rows


def _range(figures: dict) -> str:
    return f"{figures['median']} ({figures['min']}–{figures['max']})"


def _span(measure: dict) -> str:
    s = measure["seconds"]
    return f"{s['median']} s ({s['min']}–{s['max']})"
