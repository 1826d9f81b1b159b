"""M5: the Mission des achats' reports at national scale.

    python -m bench.reports [--scale national] [--runs 3] [--buyer-runs 1]

Runs the real ``csf report`` commands, each in a fresh process (Python start, imports and
Chromium's start included), on the published snapshot of ``$CSF_HOME`` (by default a run of the
``--scale`` sample under ``$CSF_BENCH_DIR``, made once):

- ``csf report --national --format pdf``, ``--runs`` times, and the same report rendered again
  in a process that already rendered it, as ``csf run`` does (goal: ≤ 5 s);
- ``csf report --all-buyers`` (PDF and XLSX of every buyer with a clause), ``--buyer-runs``
  times (goal: ≤ 60 s), with the time each part took, summed over the worker processes.

Writes ``bench/results.json`` (key ``M5_reports``) and the Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys

import duckdb

from bench.dashboard_load import _home
from bench.measure import SETTINGS, Sample, run_child, run_quiet, summarise
from bench.report import update_results
from pipelines.settings import child_environ


def _count_buyers(home) -> tuple[int, int]:
    con = duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)
    try:
        return con.execute(
            "select count(*), sum(nb_clauses_csf) from marts.dim_acheteurs where nb_clauses_csf > 0"
        ).fetchone()
    finally:
        con.close()


def _python_json(code: str, env: dict[str, str]):
    """Run ``code`` in a fresh Python and return the JSON it prints on its last line."""
    out = run_quiet([sys.executable, "-c", code], env)
    return json.loads(out.strip().splitlines()[-1])


def _parts(env: dict[str, str]) -> dict[str, float]:
    """One in-process batch of every buyer's reports, for the split of the time by part."""
    code = (
        "import json; from pipelines.settings import load_settings; "
        "from pipelines.reports.build import report_buyers\n"
        "if __name__ == '__main__':\n"
        "    lot = report_buyers(load_settings())\n"
        "    print(json.dumps({k: round(v, 1) for k, v in lot.secondes.items()}))"
    )
    return _python_json(code, env)


def _national_warm(env: dict[str, str], runs: int) -> dict:
    """The national PDF rendered ``runs`` more times in a process that has already rendered it
    once (imports, fonts and caches warm, as in ``csf run``): queries, charts (Chromium started
    each time) and layout."""
    code = (
        "import json, time; from pipelines.settings import load_settings; "
        "from pipelines.reports.build import report_national\n"
        "report_national(load_settings(), formats=('pdf',))\n"
        "times = []\n"
        f"for _ in range({runs}):\n"
        "    started = time.perf_counter()\n"
        "    report_national(load_settings(), formats=('pdf',))\n"
        "    times.append(time.perf_counter() - started)\n"
        "print(json.dumps(times))"
    )
    times = _python_json(code, env)
    return {
        "runs": runs,
        "seconds": {
            "median": round(statistics.median(times), 2),
            "min": round(min(times), 2),
            "max": round(max(times), 2),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=["demo", "national"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--buyer-runs", type=int, default=1)
    args = parser.parse_args(argv)

    home = _home(args.scale)
    env = child_environ(CSF_HOME=str(home))
    buyers, clauses = _count_buyers(home)
    print(f"M5 : {buyers} acheteurs, {clauses} clauses ({home})", file=sys.stderr)
    national: list[Sample] = [
        run_child(["pipelines.cli", "report", "--national", "--format", "pdf"], env)
        for _ in range(args.runs)
    ]
    warm = _national_warm(env, args.runs)
    every: list[Sample] = [
        run_child(["pipelines.cli", "report", "--all-buyers"], env) for _ in range(args.buyer_runs)
    ]
    parts = _parts(env)
    result = {
        "data": f"{args.scale} sample",
        "buyers": buyers,
        "clauses": int(clauses),
        "workers": SETTINGS.report_workers or os.cpu_count() or 1,
        "national_pdf": summarise(national),
        "national_pdf_warm": warm,
        "all_buyers": summarise(every),
        "all_buyers_parts_seconds": parts,
        "goal_national_pdf_s": 5,
        "goal_all_buyers_s": 60,
    }
    update_results("M5_reports", result)
    print(re.sub(r"\s+", " ", str(result)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
