"""M2, M3, M6: a full refresh, an incremental one after one académie's monthly MLDS export, and
the share of the full refresh spent in Great Expectations.

    python -m bench.refresh [--scale national] [--runs 3] [--academie 25]

Each repetition, in a new ``$CSF_HOME`` and each command in a fresh process:

- M2: ``csf run`` on the sample's inbox, where the académie's MLDS export is the one it sent a
  month before the sample's date (``pipelines.sample.monthly``);
- M3: the académie's next monthly export (the sample's own three files) dropped into the inbox,
  then ``csf run`` again.

The figure compared with the goals is the time until the new snapshot is published (ingest,
checks, dbt, publish: from the command's start to the end of Dagster's publish step, as the
run's event log records it); the whole command (reports and research release included) and
its peak RSS are stored beside it. M6 is the Great Expectations validation steps' time over M2.
Writes ``bench/results.json`` (keys ``M2_full_refresh``, ``M3_incremental_refresh``,
``M6_gx_share``) and the Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench import goals
from bench.dashboard_load import BENCH_DIR, CSF
from bench.measure import run_child, run_quiet
from bench.report import update_results
from pipelines.settings import child_environ

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
STAGES = {
    "ingestion": ("ingest__file_ledger", "decp_tables", "raw__"),
    "great_expectations": ("gx_",),
    "dbt": ("csf_dbt_models",),
    "publication": ("published__snapshot",),
    "reports": ("published__reports",),
    "research_release": ("published__research_release",),
}

# Prints, as JSON, each step's start and end (epoch seconds) in the home's latest Dagster run.
_STEPS = """
import json, os, sys
from dagster import DagsterEventType, DagsterInstance
with DagsterInstance.from_config(sys.argv[1]) as instance:
    run = instance.get_runs(limit=1)[0]
    steps = {}
    for record in instance.all_logs(run.run_id):
        event = record.dagster_event
        if event is None or record.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            steps.setdefault(record.step_key, [record.timestamp, None])
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            steps[record.step_key][1] = record.timestamp
print(json.dumps({"status": run.status.value, "steps": steps}))
"""


def _inbox(scale: str) -> Path:
    """The sample's inbox at ``scale`` (a name or a factor of national), generated once."""
    if scale == "demo":
        return SAMPLE
    inbox = BENCH_DIR / f"{scale}-inbox"
    if not (inbox / "LISEZMOI.md").exists():
        run_quiet([CSF, "sample", "--scale", scale, "--out", str(inbox)])
    return inbox


def _previous_month(scale: str, academie: str) -> Path:
    """The académie's export of a month before the sample's (written once)."""
    folder = BENCH_DIR / f"{scale}-mlds-{academie}-mois-precedent"
    if not (folder / f"mlds_{academie}_suivis.csv").exists():
        from pipelines.sample.monthly import write_previous_month

        write_previous_month(folder.with_suffix(".part"), academie, scale)
        shutil.rmtree(folder, ignore_errors=True)
        folder.with_suffix(".part").rename(folder)
    return folder


def _stage_seconds(steps: dict[str, list[float]]) -> dict[str, float]:
    totals = dict.fromkeys(STAGES, 0.0)
    for key, (start, end) in steps.items():
        for stage, prefixes in STAGES.items():
            if key.startswith(prefixes) and end is not None:
                totals[stage] += end - start
    return {stage: round(seconds, 2) for stage, seconds in totals.items()}


def _tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _refused(build: Path) -> list[str]:
    """The inbox files the run refused: a figure that left some out measured less data."""
    import duckdb

    with duckdb.connect(str(build), read_only=True) as con:
        rows = con.execute(
            "select file_name, message from ingest.file_ledger where status = 'rejected'"
        ).fetchall()
    return [f"{name}: {message}" for name, message in rows]


def _measure_run(home: Path, inbox: Path, **settings: str) -> dict:
    """One ``csf run``: the whole command, and its steps from Dagster's event log; ``settings``
    are environment variables of the command. Fails when the run refused a file."""
    # A full build in M3 would be no M3.
    env = child_environ(CSF_HOME=str(home), CSF_FULL_REBUILD="false", **settings)
    started = time.time()
    sample = run_child(["pipelines.cli", "run", "--inbox", str(inbox)], env)
    log = json.loads(
        run_quiet([sys.executable, "-c", _STEPS, str(home / "dagster")]).strip().splitlines()[-1]
    )
    steps = log["steps"]
    published = steps["published__snapshot"][1]
    first = min(start for start, _ in steps.values())
    warehouse = home / "warehouse"
    refused = _refused(warehouse / "build.duckdb")
    if refused:
        raise RuntimeError("fichiers refusés par csf run : " + " ; ".join(refused))
    return {
        "command_s": round(sample.seconds, 2),
        "peak_rss_mb": round(sample.peak_rss_mb),
        "to_publication_s": round(published - started, 2),
        "start_before_first_step_s": round(first - started, 2),
        "stages_s": _stage_seconds(steps),
        # The build warehouse alone, and the folder with the published copy and the snapshots.
        "warehouse_mb": round((warehouse / "build.duckdb").stat().st_size / 1e6),
        "warehouse_folder_mb": round(_tree_bytes(warehouse) / 1e6),
    }


def full_then_monthly(
    source: Path, previous: Path, home: Path, **settings: str
) -> tuple[dict, dict]:
    """M2 then M3 in a new ``home``: ``csf run`` on ``source``'s files where the académie's
    MLDS export is ``previous`` (a month older), then again once its newer export replaced it;
    ``settings`` are environment variables of both commands."""
    ours = {p.name for p in previous.iterdir()}
    shutil.rmtree(home, ignore_errors=True)
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    month_ago = time.time() - 30 * 86400
    for path in source.iterdir():
        if path.name in ours:
            shutil.copy(previous / path.name, inbox / path.name)
            os.utime(inbox / path.name, (month_ago, month_ago))
        elif path.is_file():
            os.link(path, inbox / path.name)  # the 1.6 GB DECP file is not copied
    print(f"M2 : csf run complet ({home})", file=sys.stderr)
    full = _measure_run(home, inbox, **settings)
    for name in ours:
        (inbox / name).unlink()
        shutil.copy(source / name, inbox / name)  # saved now: the newer export
    print(f"M3 : export mensuel ({', '.join(sorted(ours))})", file=sys.stderr)
    return full, _measure_run(home, inbox, **settings)


def _summary(runs: list[dict], key: str) -> dict:
    values = [r[key] for r in runs]
    return {"median": round(statistics.median(values), 2), "min": min(values), "max": max(values)}


def _stages(runs: list[dict]) -> dict[str, float]:
    return {
        stage: round(statistics.median(r["stages_s"][stage] for r in runs), 2) for stage in STAGES
    }


def _figures(runs: list[dict]) -> dict:
    """Median, min and max of each figure of ``runs``, and the runs themselves."""
    keys = (
        "to_publication_s",
        "command_s",
        "peak_rss_mb",
        "start_before_first_step_s",
        "warehouse_mb",
    )
    return {key: _summary(runs, key) for key in keys} | {
        "stages_s": _stages(runs),
        "each_run": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=["demo", "national"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--academie", default="25", help="the académie sending its monthly export")
    args = parser.parse_args(argv)

    source = _inbox(args.scale)
    previous = _previous_month(args.scale, args.academie)
    ours = {p.name for p in previous.iterdir()}
    full, incremental = [], []
    for repetition in range(args.runs):
        print(f"répétition {repetition + 1}/{args.runs}", file=sys.stderr)
        m2_run, m3_run = full_then_monthly(
            source, previous, BENCH_DIR / f"{args.scale}-refresh-home"
        )
        full.append(m2_run)
        incremental.append(m3_run)

    m2, m3 = _figures(full), _figures(incremental)
    ratio = m3["to_publication_s"]["median"] / m2["to_publication_s"]["median"]
    gx = [r["stages_s"]["great_expectations"] / r["to_publication_s"] for r in full]
    common = {"data": f"{args.scale} sample", "runs": args.runs}
    update_results("M2_full_refresh", common | m2 | {"goal": goals.M2_GOAL})
    update_results(
        "M3_incremental_refresh",
        common
        | {"academie": args.academie, "files": sorted(ours)}
        | m3
        | {"ratio_to_m2": round(ratio, 3), "goal": goals.M3_GOAL},
    )
    update_results(
        "M6_gx_share",
        common
        | {
            "gx_s": m2["stages_s"]["great_expectations"],
            "share_of_m2": round(statistics.median(gx), 3),
            "share_min": round(min(gx), 3),
            "share_max": round(max(gx), 3),
            "goal": goals.M6_GOAL,
        },
    )
    medians = {"M2": m2["to_publication_s"], "M3": m3["to_publication_s"]}
    print(json.dumps(medians | {"M6": round(statistics.median(gx), 3)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
