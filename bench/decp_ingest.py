"""M1: DECP ingest at national scale against DuckDB's own read of the same records.

    python -m bench.decp_ingest [--contracts 1500000] [--runs 3]

Generates (once, cached under ``$CSF_BENCH_DIR``) the same synthetic contracts twice: in the
official v2 wrapper, and as a bare top-level array. Then, each in a fresh child process:

- *ingest*: the pipeline's DECP load (scan, copy, typed read, quarantine) into a new warehouse;
- *limit*: DuckDB reading the array file into a table of the same database kind
  (``create table as select * from read_json(..., format = 'array')``);
- *parse only*: DuckDB counting the array's records (no table written), for reference.

Writes the figures to ``bench/results.json`` (key ``M1_decp``) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from bench.measure import SETTINGS, run_child, summarise
from bench.report import update_results

BENCH_DIR = SETTINGS.bench_dir


def _files(contracts: int) -> tuple[Path, Path]:
    from pipelines.sample.decp_bulk import write_decp_bulk

    wrapped = BENCH_DIR / f"decp_v2_{contracts}.json"
    array = BENCH_DIR / f"decp_array_{contracts}.json"
    for path, layout in ((wrapped, "v2"), (array, "array")):
        if not path.exists():
            print(f"génération de {path} ({contracts:,} marchés)...", file=sys.stderr)
            write_decp_bulk(path.with_suffix(".part"), contracts, layout=layout).rename(path)
    return wrapped, array


def worker(kind: str, source: Path, database: Path) -> None:
    """One measured operation (runs in a child process)."""
    import duckdb

    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    con.execute("set enable_progress_bar = false")
    if kind == "ingest":
        from pipelines.ingest.decp_reader import load_decp
        from pipelines.warehouse.connection import ensure_schema

        ensure_schema(con)
        con.execute("begin transaction")
        fields = {
            "file_name": source.name,
            "source": "decp",
            "run_id": "bench",
            "quarantined_at": datetime.now(),
        }
        load = load_decp(con, source, "bench", fields, database.parent / "work")
        con.execute("commit")
        print(json.dumps({"rows_read": load.rows_read}), file=sys.stderr)
    elif kind == "limit":
        con.execute(
            "create table records as select * from read_json(?, format = 'array')",
            [str(source)],
        )
    elif kind == "parse_only":
        con.execute("select count(*) from read_json(?, format = 'array')", [str(source)])
    con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=1_500_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "SOURCE", "DB"))
    args = parser.parse_args(argv)
    if args.worker:
        kind, source, database = args.worker
        worker(kind, Path(source), Path(database))
        return 0

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    wrapped, array = _files(args.contracts)
    database = BENCH_DIR / "m1.duckdb"
    measured = {}
    for kind, source in (("ingest", wrapped), ("limit", array), ("parse_only", array)):
        samples = [
            run_child(["bench.decp_ingest", "--worker", kind, str(source), str(database)])
            for _ in range(args.runs)
        ]
        measured[kind] = summarise(samples)
    database.unlink(missing_ok=True)
    ingest = measured["ingest"]["seconds"]["median"]
    result = {
        "contracts": args.contracts,
        "file_bytes": wrapped.stat().st_size,
        "ingest": measured["ingest"],
        "limit_duckdb_array_to_table": measured["limit"],
        "duckdb_array_parse_only": measured["parse_only"],
        "ratio_to_limit": round(ingest / measured["limit"]["seconds"]["median"], 2),
        "ratio_to_parse_only": round(ingest / measured["parse_only"]["seconds"]["median"], 2),
        "goal": "ingest ≤ 2 × DuckDB's array read; peak RSS ≤ 1.5 GB",
    }
    update_results("M1_decp", result)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
