"""The benchmark itself runs (at a tiny scale): its figures are produced, not hand-written."""

import json
import os
import signal
import subprocess
import sys

import pytest

from bench import scale_curve
from dashboards.frame import PAGES as PAGE_LINKS

pytestmark = pytest.mark.slow


def _bench(args: list[str], env: dict[str, str], folder, timeout: int = 600) -> None:
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
            run.wait(timeout)
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGABRT)
            run.wait(10)
            processes = subprocess.run(["ps", "-eo", "pid,ppid,etime,args"], capture_output=True)
            pytest.fail(
                f"bench {args[0]} not finished after {timeout} s\n{err.read_text()[-6000:]}\n"
                + processes.stdout.decode()[-3000:]
            )
    assert run.returncode == 0, err.read_text()[-6000:]


def test_the_cost_curve_fit_finds_the_growth_and_a_flat_figure():
    """The fit recovers a known fixed part and exponent, and a figure that does not grow (noisy
    tiny samples) gets k = 0 and reaches no limit, rather than no fit at all."""
    points = [{"factor": f, "t": 30 + 20 * f**1.5} for f in (0.1, 0.3, 1, 3)]
    growth = scale_curve.fit(points, "t")
    assert growth["k"] == pytest.approx(1.5) and growth["fixed"] == pytest.approx(30, abs=0.1)
    assert scale_curve.factor_at(growth, 30 + 20 * 4**1.5) == pytest.approx(4, rel=0.01)
    flat = scale_curve.fit(
        [{"factor": f, "t": t} for f, t in ((0.01, 40), (0.02, 38), (0.03, 39))], "t"
    )
    assert flat["k"] == 0 and flat["per_unit"] == 0 and 38 < flat["fixed"] < 40
    assert scale_curve.factor_at(flat, 60) is None and scale_curve.factor_at(flat, 20) == 0
    # Its value at ten times is its fixed part, to the cent (CI's smoke had 62 against 62.2).
    flat_points = [
        {"factor": f, "m2_to_publication_s": t}
        for f, t in ((0.01, 62.4), (0.015, 61.9), (0.02, 62.3))
    ]
    growth = scale_curve.summary(flat_points)["growth"]["m2_to_publication_s"]
    assert growth["k"] == 0 and growth["at_10x"] == growth["fixed"]


@pytest.mark.browser
def test_every_measure_runs_at_demo_scale(demo_home, tmp_path):
    """``python -m bench --scale demo``: M1 to M6 and the cost curve measured, stored,
    tabulated and drawn."""
    env = {
        **os.environ,
        "CSF_HOME": str(demo_home),  # M4 and M5 read its snapshot; M2 and M3 make their own
        "CSF_BENCH_DIR": str(tmp_path / "data"),
        "CSF_BENCH_RESULTS": str(tmp_path / "results.json"),
    }
    _bench(["bench", "--scale", "demo"], env, tmp_path, timeout=1800)
    results = json.loads((tmp_path / "results.json").read_text())
    table = (tmp_path / "results.md").read_text()

    m1 = results["M1_decp"]
    assert m1["contracts"] == 3000 and m1["ingest"]["seconds"]["median"] > 0
    assert m1["ingest"]["peak_rss_mb"]["median"] > 0 and m1["ratio_to_limit"] > 0

    m2, m3, m6 = (results[k] for k in ("M2_full_refresh", "M3_incremental_refresh", "M6_gx_share"))
    for run in m2["each_run"] + m3["each_run"]:
        # The publish step ends inside the command, after every stage before it.
        before = sum(run["stages_s"][k] for k in ("ingestion", "great_expectations", "dbt"))
        assert before < run["to_publication_s"] < run["command_s"]
        assert run["peak_rss_mb"] > 0
    assert m3["files"] == [f"mlds_25_{t}.csv" for t in ("jeunes", "parcours", "suivis")]
    assert m3["ratio_to_m2"] == pytest.approx(
        m3["to_publication_s"]["median"] / m2["to_publication_s"]["median"], abs=0.001
    )
    assert 0 < m6["share_of_m2"] < 1 and m6["gx_s"] > 0

    m4 = results["M4_dashboard"]
    pages = len(PAGE_LINKS)
    assert m4["pages_rendered"] == f"{pages}/{pages}"
    assert m4["callback_requests"] == 12 and m4["callback_ms"]["p95"] > 0  # 2 clients × 6
    assert m4["server_cold_page_loads"] > 0 and m4["server_cold_page_ms"]["p50"] > 0
    assert m4["browser_first_visits"] == pages and m4["browser_revisits"] == pages
    assert m4["browser_first_visit_charts_ms"]["p50"] >= m4["browser_first_visit_title_ms"]["p50"]

    m5 = results["M5_reports"]
    assert m5["buyers"] > 0 and m5["clauses"] > 0
    # Both measured; which is faster is a benchmark figure, not an assertion (on CI's shared
    # cores the cold median fell under the warm minimum once: 4.48 s against 4.63 s).
    assert m5["national_pdf"]["seconds"]["median"] > 0
    assert m5["national_pdf_warm"]["seconds"]["min"] > 0
    assert m5["all_buyers"]["seconds"]["median"] > 0
    assert m5["all_buyers_parts_seconds"]["pdf"] > 0

    curve = results["scale_curve"]
    assert [p["factor"] for p in curve["factors"]] == [0.01, 0.015, 0.02]
    for point in curve["factors"]:
        assert 0 < point["m3_to_publication_s"] < point["m3_command_s"]
        assert point["warehouse_mb"] > 0 and point["generator_peak_rss_mb"] > 0
    # Tiny samples are noise around the fixed part: a fit, growing or flat (k = 0), is there.
    growth = curve["growth"]["m2_to_publication_s"]
    assert 0 <= growth["k"] <= 2.5 and growth["at_10x"] >= growth["fixed"] > 0
    assert curve["first_limits"] == sorted(curve["first_limits"], key=lambda x: x["factor"])
    assert (tmp_path / curve["chart"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    for row in (
        "Cost curve",
        "M1 DECP ingest",
        "M2 full refresh",
        "M3 incremental",
        "M4 dashboard",
        "M5 every",
        "M6 Great Expectations",
    ):
        assert row in table
