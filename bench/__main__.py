"""Every measure, M1 to M6 and the cost curve, one after another: ``python -m bench``.

    python -m bench [--scale national|demo] [--runs N] [--only M2 curve ...]

At national scale (the default) it generates the national sample once under ``$CSF_BENCH_DIR``
(default ``/tmp/csf-bench``), then runs each measure in its own process; ``--scale demo`` runs
them all on the bundled demo sample with few repetitions, and the cost curve on three tiny
factors of national (the smoke test in CI). Figures go to
``bench/results.json`` (or ``$CSF_BENCH_RESULTS``) and its Markdown table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

# Measure → (module, arguments at national scale, arguments at demo scale). {runs} is --runs.
MEASURES = {
    "M1": (
        "bench.decp_ingest",
        ["--contracts", "1500000", "--runs", "{runs}"],
        ["--contracts", "3000", "--runs", "1"],
    ),
    "M2": (
        "bench.refresh",
        ["--scale", "national", "--runs", "{runs}"],
        ["--scale", "demo", "--runs", "1"],
    ),
    "M4": (
        "bench.dashboard_load",
        ["--scale", "national", "--clients", "10", "--requests", "40", "--cold-loads", "3"],
        [
            "--scale",
            "demo",
            "--clients",
            "2",
            "--requests",
            "6",
            "--cold-loads",
            "1",
            "--workers",
            "2",
        ],
    ),
    "M5": (
        "bench.reports",
        ["--scale", "national", "--runs", "{runs}", "--buyer-runs", "{runs}"],
        ["--scale", "demo", "--runs", "1"],
    ),
    # Each point is one M2 + M3 on a sample drawn at that factor: three points fit the curve.
    "CURVE": (
        "bench.scale_curve",
        ["--factors", "0.1", "0.3", "1", "3"],
        ["--factors", "0.01", "0.015", "0.02"],
    ),
}
# M3 and M6 come from the same runs as M2.
ALIASES = {"M3": "M2", "M6": "M2"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=["national", "demo"])
    parser.add_argument("--runs", type=int, default=3, help="repetitions at national scale")
    parser.add_argument("--only", nargs="+", metavar="M", help="some measures (M1 … M6, curve)")
    args = parser.parse_args(argv)

    wanted = [ALIASES.get(m.upper(), m.upper()) for m in args.only or MEASURES]
    unknown = sorted(set(wanted) - MEASURES.keys())
    if unknown:
        parser.error(f"mesure inconnue : {', '.join(unknown)}")
    for name, (module, national, demo) in MEASURES.items():
        if name not in wanted:
            continue
        extra = [a.format(runs=args.runs) for a in (national if args.scale == "national" else demo)]
        started = time.perf_counter()
        print(f"== {name} : python -m {module} {' '.join(extra)}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-X", "faulthandler", "-m", module, *extra], check=True)
        print(f"== {name} : {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
