"""The benchmark itself runs (at a tiny scale): its figures are produced, not hand-written."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_decp_benchmark_smoke(tmp_path):
    env = {
        **os.environ,
        "CSF_BENCH_DIR": str(tmp_path / "data"),
        "CSF_BENCH_RESULTS": str(tmp_path / "results.json"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "bench.decp_ingest", "--contracts", "3000", "--runs", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    m1 = json.loads((tmp_path / "results.json").read_text())["M1_decp"]
    assert m1["contracts"] == 3000 and m1["ingest"]["seconds"]["median"] > 0
    assert m1["ingest"]["peak_rss_mb"]["median"] > 0 and m1["ratio_to_limit"] > 0
    assert "M1 DECP ingest" in (tmp_path / "results.md").read_text()


@pytest.mark.browser
def test_dashboard_benchmark_smoke(demo_home, tmp_path):
    env = {
        **os.environ,
        "CSF_HOME": str(demo_home),
        "CSF_BENCH_RESULTS": str(tmp_path / "results.json"),
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.dashboard_load",
            "--clients",
            "2",
            "--requests",
            "6",
            "--cold-loads",
            "1",
            "--workers",
            "2",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    m4 = json.loads((tmp_path / "results.json").read_text())["M4_dashboard"]
    assert m4["pages_rendered"] == "6/6"
    assert m4["callback_requests"] == 12 and m4["callback_ms"]["p95"] > 0
    assert m4["server_cold_page_loads"] > 0 and m4["server_cold_page_ms"]["p50"] > 0
    assert m4["browser_first_visits"] == 6 and m4["browser_revisits"] == 6
    assert m4["browser_first_visit_charts_ms"]["p50"] >= m4["browser_first_visit_title_ms"]["p50"]
    assert "M4 dashboard" in (tmp_path / "results.md").read_text()


@pytest.mark.slow
def test_reports_benchmark_smoke(demo_home, tmp_path):
    env = {
        **os.environ,
        "CSF_HOME": str(demo_home),
        "CSF_BENCH_RESULTS": str(tmp_path / "results.json"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "bench.reports", "--scale", "demo", "--runs", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    m5 = json.loads((tmp_path / "results.json").read_text())["M5_reports"]
    assert m5["buyers"] > 0 and m5["clauses"] > 0
    assert m5["national_pdf"]["seconds"]["median"] > m5["national_pdf_warm"]["seconds"]["min"] > 0
    assert m5["all_buyers"]["seconds"]["median"] > 0
    assert m5["all_buyers_parts_seconds"]["pdf"] > 0
    assert "M5 every buyer's report" in (tmp_path / "results.md").read_text()
