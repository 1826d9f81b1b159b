"""M4: the dashboard under load — callback latency with concurrent clients, cold page loads.

    python -m bench.dashboard_load [--clients 10] [--requests 40] [--cold-loads 3]

Serves the published snapshot of ``$CSF_HOME`` (by default a demo-sample run under
``$CSF_BENCH_DIR``) with the real ``csf dashboard`` (gunicorn). Then:

- *warm-up*: the time the workers take to pre-render the common views after start (they then
  serve them from the shared cache; other views are rendered once on first request);
- *callbacks*: the request a browser sends to render a page (Dash's page callback), recorded once
  per page from Chromium, replayed by ``--clients`` concurrent HTTP clients over every page and a
  spread of filters (académie × year), each client sending ``--requests`` requests;
- *cold page load*: a new browser context (empty cache) opens each page until its title is
  drawn, ``--cold-loads`` times per page.

Writes ``bench/results.json`` (key ``M4_dashboard``) and the Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.report import update_results
from dashboards.components import PAGES as PAGE_LINKS
from dashboards.server import served_in_background

BENCH_DIR = Path(os.environ.get("CSF_BENCH_DIR", "/tmp/csf-bench"))
CSF = str(Path(sys.executable).with_name("csf"))
PAGES = [path for path, _label in PAGE_LINKS]


def _home() -> Path:
    if os.environ.get("CSF_HOME"):
        return Path(os.environ["CSF_HOME"])
    home = BENCH_DIR / "demo-home"
    if not (home / "warehouse" / "published.duckdb").exists():
        sample = Path(__file__).resolve().parent.parent / "data" / "sample"
        subprocess.run(
            [CSF, "run", "--inbox", str(sample)],
            env={**os.environ, "CSF_HOME": str(home)},
            check=True,
            capture_output=True,
        )
    return home


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _record_payloads(url: str, browser) -> dict[str, dict]:
    """The page-render request of each page, as Chromium sends it."""
    payloads = {}
    page = browser.new_page()
    for path in PAGES:
        with page.expect_request(lambda r: "_dash-update-component" in r.url) as info:
            page.goto(url + path)
        payloads[path] = json.loads(info.value.post_data)
        page.wait_for_selector("#contenu h1")
    page.close()
    return payloads


def _with_search(payload: dict, search: str) -> dict:
    body = json.loads(json.dumps(payload))
    for item in body.get("inputs", []) + body.get("state", []):
        if item.get("property") == "search":
            item["value"] = search
    return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--cold-loads", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-save", action="store_true", help="print only (smoke runs)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    home = _home()
    # Start from an empty page cache, so the warm-up is measured in full.
    shutil.rmtree(home / "cache" / "dashboard", ignore_errors=True)
    env = {**os.environ, "CSF_HOME": str(home)}
    with served_in_background(env, workers=args.workers) as url:
        # Workers pre-render the common views after start: measure once they are done, and
        # report how long that took.
        warm_started = time.monotonic()
        from dashboards import queries
        from dashboards.response_cache import DONE, version_name

        os.environ["CSF_HOME"] = str(home)
        version = queries.snapshot_version(queries.published_path())
        done = home / "cache" / "dashboard" / version_name(version) / DONE
        while not done.exists() and time.monotonic() - warm_started < 600:
            time.sleep(0.5)
        warmup_s = round(time.monotonic() - warm_started, 1)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            payloads = _record_payloads(url, browser)
            searches = [""] + [
                f"?academie={code}" + (f"&annee={year}" if year else "")
                for code in ("24", "25", "23", "70", "31", "28", "04")
                for year in ("", "2024", "2025")
            ]
            jobs = [
                (path, searches[(client * 7 + i) % len(searches)])
                for client in range(args.clients)
                for i, path in enumerate(PAGES * (args.requests // len(PAGES) + 1))
            ][: args.clients * args.requests]

            def call(job: tuple[str, str]) -> float:
                path, search = job
                started = time.perf_counter()
                response = requests.post(
                    f"{url}/_dash-update-component",
                    json=_with_search(payloads[path], search),
                    timeout=30,
                )
                response.raise_for_status()
                return (time.perf_counter() - started) * 1000

            with ThreadPoolExecutor(max_workers=args.clients) as pool:
                latencies = list(pool.map(call, jobs))
            cold = []
            for _ in range(args.cold_loads):
                for path in PAGES:
                    context = browser.new_context()
                    page = context.new_page()
                    started = time.perf_counter()
                    page.goto(url + path)
                    page.wait_for_selector("#contenu h1")
                    cold.append((time.perf_counter() - started) * 1000)
                    context.close()
            browser.close()

    result = {
        "data": "demo sample" if home == BENCH_DIR / "demo-home" else str(home),
        "clients": args.clients,
        "workers": args.workers,
        "warmup_s": warmup_s,
        "callback_requests": len(latencies),
        "callback_ms": {
            "p50": round(statistics.median(latencies), 1),
            "p95": round(_percentile(latencies, 0.95), 1),
            "max": round(max(latencies), 1),
        },
        "cold_page_loads": len(cold),
        "cold_page_ms": {
            "median": round(statistics.median(cold)),
            "p95": round(_percentile(cold, 0.95)),
            "max": round(max(cold)),
            "each": [round(c) for c in cold],
        },
        "goal": "callback p95 ≤ 100 ms with 10 concurrent clients; cold page load ≤ 1 s",
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if not args.no_save:
        update_results("M4_dashboard", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
