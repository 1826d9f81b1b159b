"""The cost curve: M2 and M3 on samples drawn at several factors of the national volume, the
growth fitted as ``time ∝ factor^k``, and what reaches its limit first.

    python -m bench.scale_curve [--factors 0.1 0.3 1 3] [--academie 25]

At each factor, one repetition (the curve is for its slope, not for a figure to the second):
``csf sample --scale <factor>`` (timed: the generator is part of what must hold at ten times),
then M2 and M3 as ``bench.refresh`` measures them, each command in a fresh process with its own
peak RSS. A factor ``f`` is about ``f`` years of national history at today's rate: the national
sample holds a year of DECP (1.5 M contracts) and its youths' cohorts.

Writes ``scale_curve`` into ``bench/results.json`` and the chart ``bench/scale_curve.png``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import goals
from bench.dashboard_load import BENCH_DIR
from bench.measure import SETTINGS, run_child, run_quiet
from bench.refresh import _previous_month, full_then_monthly
from bench.report import RESULTS, update_results
from pipelines.settings import child_environ

CHART = RESULTS.parent / "scale_curve.png"
# This machine's memory: past it, the OS kills the process.
MACHINE_MB = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20

# Figure → (its limit, what the limit is). Each figure is fitted, and the factor at which the
# fit reaches the limit says how many years of history one machine holds.
LIMITS = {
    "m2_to_publication_s": (goals.M2_TO_PUBLICATION_S, "M2 goal until published"),
    "m2_command_s": (goals.TEN_TIMES_COMMAND_S, "full refresh, whole command, goal at 10×"),
    "m2_peak_rss_mb": (goals.TEN_TIMES_PEAK_RSS_MB, "full refresh peak RSS, goal at 10×"),
    "m3_command_s": (goals.M3_COMMAND_S, "M3 goal, whole command"),
    "generator_peak_rss_mb": (MACHINE_MB, "the sample generator's peak RSS: the machine's memory"),
}


def _point(factor: str, academie: str) -> dict:
    """Generate the sample at ``factor`` (timed), then M2 and M3 on it."""
    inbox = BENCH_DIR / f"{factor}-inbox"
    generator = None
    if not (inbox / "LISEZMOI.md").exists():
        shutil.rmtree(inbox, ignore_errors=True)
        print(f"échantillon × {factor}", file=sys.stderr, flush=True)
        generator = run_child(
            ["pipelines.cli", "sample", "--scale", factor, "--out", str(inbox)], child_environ()
        )
    # In a child: drawing the world at 3× holds gigabytes this process would keep.
    draw = f"from bench.refresh import _previous_month; _previous_month({factor!r}, {academie!r})"
    run_quiet([sys.executable, "-c", draw])
    previous = _previous_month(factor, academie)  # now only found
    # The national DECP file outgrows the default file limit (4 GB) near 2.5×: an operator
    # raises it, as the point's ``max_file_mb`` records.
    largest = max(p.stat().st_size for p in inbox.iterdir()) / 1e6
    limit = max(SETTINGS.max_file_mb, 2 ** math.ceil(math.log2(largest)))
    full, monthly = full_then_monthly(
        inbox, previous, BENCH_DIR / f"{factor}-curve-home", CSF_MAX_FILE_MB=f"{limit:g}"
    )
    shutil.rmtree(BENCH_DIR / f"{factor}-curve-home", ignore_errors=True)
    point = {
        "factor": float(factor),
        "inbox_mb": round(sum(p.stat().st_size for p in inbox.iterdir()) / 1e6),
        "largest_file_mb": round(largest),
        "max_file_mb": limit,
        "m2_to_publication_s": full["to_publication_s"],
        "m2_command_s": full["command_s"],
        "m2_peak_rss_mb": full["peak_rss_mb"],
        "m2_stages_s": full["stages_s"],
        "m3_to_publication_s": monthly["to_publication_s"],
        "m3_command_s": monthly["command_s"],
        "m3_peak_rss_mb": monthly["peak_rss_mb"],
        "warehouse_mb": full["warehouse_mb"],
        "warehouse_folder_mb": full["warehouse_folder_mb"],
    }
    if generator is not None:
        point |= {
            "generator_s": round(generator.seconds, 2),
            "generator_peak_rss_mb": round(generator.peak_rss_mb),
        }
    return point


def _weighted_line(xs: list[float], ys: list[float]) -> tuple[float, float, float] | None:
    """``y ≈ c + b·x`` with ``c ≥ 0`` and ``b > 0``, least squares on the relative error (each
    point weighs 1/y²: the small factors count as much as the large); (c, b, error) or None."""
    pts = [(1 / y**2, x, y) for x, y in zip(xs, ys, strict=True)]
    sw, sx, sy = (
        sum(w for w, _, _ in pts),
        sum(w * x for w, x, _ in pts),
        sum(w * y for w, _, y in pts),
    )
    sxx = sum(w * x * x for w, x, _ in pts)
    sxy = sum(w * x * y for w, x, y in pts)
    det = sw * sxx - sx * sx
    c, b = ((sxx * sy - sx * sxy) / det, (sw * sxy - sx * sy) / det) if det else (-1.0, 0.0)
    if c < 0:  # no negative fixed cost: the line through the origin
        c, b = 0.0, sxy / sxx
    if b <= 0:
        return None
    error = sum(w * (c + b * x - y) ** 2 for w, x, y in pts)
    return c, b, error


def fit(points: list[dict], figure: str) -> dict | None:
    """``figure ≈ c + b · factor^k``: a fixed cost ``c`` (start-up, dbt's per-model cost, the
    reference tables) that a small sample is all about, and a part that grows with the volume
    as its ``k``-th power (the growth that matters at ten times). ``k`` is searched from 0.3 to
    2.5; None under three points (three parameters)."""
    pairs = [(p["factor"], p[figure]) for p in points if p.get(figure)]
    if len(pairs) < 3:
        return None
    ys = [v for _, v in pairs]
    best = None
    for step in range(30, 251):
        k = step / 100
        line = _weighted_line([f**k for f, _ in pairs], ys)
        if line is not None and (best is None or line[2] < best[3]):
            best = (k, *line)
    if best is None:
        # Nothing grows at the measured sizes (noise on tiny samples): a constant, k = 0.
        fixed = sum(1 / y for y in ys) / sum(1 / y**2 for y in ys)
        return {"k": 0.0, "fixed": round(fixed, 2), "per_unit": 0.0}
    k, c, b, _ = best
    return {"k": k, "fixed": round(c, 2), "per_unit": round(b, 3)}


def predicted(growth: dict, factor: float) -> float:
    return growth["fixed"] + growth["per_unit"] * factor ** growth["k"]


def factor_at(growth: dict, limit: float) -> float | None:
    """The factor at which the fitted figure reaches ``limit``: 0 when its fixed part already
    does, None when it does not grow."""
    if growth["fixed"] >= limit:
        return 0.0
    if growth["per_unit"] <= 0:
        return None
    return ((limit - growth["fixed"]) / growth["per_unit"]) ** (1 / growth["k"])


def summary(points: list[dict]) -> dict:
    """Each figure's growth, its value predicted at ten times national, the factor at which
    it reaches its limit, and the limits in the order they are reached."""
    growth, limits = {}, []
    for figure, (limit, meaning) in LIMITS.items():
        g = fit(points, figure)
        if g is None:
            continue
        at = factor_at(g, limit)
        growth[figure] = g | {
            "linear": g["k"] <= goals.LINEAR_K,
            "at_10x": round(predicted(g, 10.0), 2),
            "limit": limit,
            "limit_is": meaning,
            "limit_reached_at_factor": None if at is None else round(at, 2),
        }
        if at is not None:
            limits.append({"figure": figure, "factor": round(at, 2), "limit_is": meaning})
    for figure in ("m3_to_publication_s", "warehouse_mb"):  # fitted, with no limit of their own
        g = fit(points, figure)
        if g is not None:
            growth[figure] = g | {"at_10x": round(predicted(g, 10.0), 2)}
    return {"growth": growth, "first_limits": sorted(limits, key=lambda x: x["factor"])}


def chart(points: list[dict], growth: dict, out: Path) -> None:
    """Seconds and peak RSS against the factor, log-log, the fits drawn out to 10×."""
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("Time (s)", "Peak RSS (MB)"), horizontal_spacing=0.12
    )
    low = min(p["factor"] for p in points)
    span = [low * (10 / low) ** (i / 40) for i in range(41)]  # evenly on a log axis, to 10×
    series = {
        1: [
            ("m2_to_publication_s", "M2 until published", "#000091"),
            ("m2_command_s", "M2 whole command", "#6a6af4"),
            ("m3_command_s", "M3 whole command", "#c9191e"),
        ],
        2: [
            ("m2_peak_rss_mb", "M2 peak RSS", "#000091"),
            ("generator_peak_rss_mb", "sample generator peak RSS", "#8d533e"),
        ],
    }
    for col, lines in series.items():
        for figure, name, colour in lines:
            measured = [(p["factor"], p[figure]) for p in points if p.get(figure)]
            if not measured:
                continue
            fig.add_scatter(
                x=[f for f, _ in measured],
                y=[v for _, v in measured],
                mode="markers",
                name=name,
                marker={"color": colour, "size": 9},
                row=1,
                col=col,
            )
            g = growth.get(figure)
            if g:
                fig.add_scatter(
                    x=span,
                    y=[predicted(g, f) for f in span],
                    mode="lines",
                    name=f"{name}: fit k = {g['k']}, fixed {g['fixed']:g}",
                    line={"color": colour, "dash": "dot"},
                    row=1,
                    col=col,
                )
    for value, text, col in (
        (goals.M2_TO_PUBLICATION_S, "M2 goal (60 s)", 1),
        (goals.TEN_TIMES_COMMAND_S, "goal at 10× (15 min)", 1),
        (goals.TEN_TIMES_PEAK_RSS_MB, "goal at 10× (8 GB)", 2),
        (MACHINE_MB, "machine memory", 2),
    ):
        # A line trace, not a shape: a shape's y on a log axis is read as a logarithm.
        fig.add_scatter(
            x=[span[0], span[-1]],
            y=[value, value],
            mode="lines+text",
            text=["", text],
            textposition="top left",
            line={"color": "#666", "dash": "dash", "width": 1},
            showlegend=False,
            row=1,
            col=col,
        )
    fig.update_xaxes(type="log", title_text="factor of the national volume")
    fig.update_yaxes(type="log")
    fig.update_layout(
        width=1100,
        height=480,
        template="simple_white",
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 40},
    )
    fig.write_image(out)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", nargs="+", default=["0.1", "0.3", "1", "3"])
    parser.add_argument("--academie", default="25")
    parser.add_argument("--chart", type=Path, default=CHART)
    parser.add_argument(
        "--add",
        action="store_true",
        help="keep the stored points of the other factors (each carries its own date)",
    )
    args = parser.parse_args(argv)

    points = []
    if args.add and RESULTS.exists():
        stored = json.loads(RESULTS.read_text()).get("scale_curve", {}).get("factors", [])
        measured = {float(f) for f in args.factors}
        points = [p for p in stored if p["factor"] not in measured and "failed" not in p]
    for factor in args.factors:
        try:
            points.append(_point(factor, args.academie) | {"measured_at": _now()})
        except RuntimeError as error:  # what breaks first is a result too
            print(error, file=sys.stderr)
            points.append({"factor": float(factor), "failed": str(error)[:2000]})
    points.sort(key=lambda p: p["factor"])
    result = summary(points)
    chart(points, result["growth"], args.chart)
    update_results(
        "scale_curve",
        {
            "factors": points,
            **result,
            "chart": args.chart.name,
            "goal": goals.TEN_TIMES_GOAL,
        },
    )
    print(result["first_limits"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
