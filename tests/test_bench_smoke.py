"""The benchmark itself runs (at a tiny scale): its figures are produced, not hand-written."""

import json
import os
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _bench(args: list[str], env: dict[str, str], folder) -> None:
    """Run ``python -m bench.<args>``, its output in files: a Chromium helper that outlives the
    command keeps inherited pipes open, and reading a pipe to its end would wait for it.

    Each command the benchmark runs has four minutes; one that overran is stopped with the
    stack of every thread in the error output."""
    env = {**env, "CSF_BENCH_TIMEOUT": "240"}
    out, err = folder / "bench.out", folder / "bench.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        run = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-m", *args],
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            run.wait(600)
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGABRT)
            run.wait(10)
            processes = subprocess.run(["ps", "-eo", "pid,ppid,etime,args"], capture_output=True)
            pytest.fail(
                f"bench {args[0]} not finished after 600 s\n{err.read_text()[-6000:]}\n"
                + processes.stdout.decode()[-3000:]
            )
    assert run.returncode == 0, err.read_text()[-6000:]


def test_decp_benchmark_smoke(tmp_path):
    env = {
        **os.environ,
        "CSF_BENCH_DIR": str(tmp_path / "data"),
        "CSF_BENCH_RESULTS": str(tmp_path / "results.json"),
    }
    _bench(["bench.decp_ingest", "--contracts", "3000", "--runs", "1"], env, tmp_path)
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
    args = [
        "bench.dashboard_load",
        "--clients",
        "2",
        "--requests",
        "6",
        "--cold-loads",
        "1",
        "--workers",
        "2",
    ]
    _bench(args, env, tmp_path)
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
    _bench(["bench.reports", "--scale", "demo", "--runs", "1"], env, tmp_path)
    m5 = json.loads((tmp_path / "results.json").read_text())["M5_reports"]
    assert m5["buyers"] > 0 and m5["clauses"] > 0
    assert m5["national_pdf"]["seconds"]["median"] > m5["national_pdf_warm"]["seconds"]["min"] > 0
    assert m5["all_buyers"]["seconds"]["median"] > 0
    assert m5["all_buyers_parts_seconds"]["pdf"] > 0
    assert "M5 every buyer's report" in (tmp_path / "results.md").read_text()
