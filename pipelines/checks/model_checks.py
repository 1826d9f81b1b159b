"""dbt data tests' latest results, kept in the warehouse for the quality page.

A test made a warning does not stop a publish (docs/blocking-checks.md): what it found must still
be seen by the people who fix the exports. After each ``dbt build`` the results of the tests it ran
(dbt's ``run_results.json``) replace the earlier results of the same tests; a test a partial build
did not run keeps its last result (its models did not change).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl


def test_results(run_results: Path, manifest: dict) -> pl.DataFrame:
    """One row per data test of ``run_results.json``: its model, column, kind and outcome."""
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    nodes = manifest.get("nodes", {})
    rows = []
    for result in results:
        node = nodes.get(result["unique_id"], {})
        if node.get("resource_type") != "test":
            continue
        metadata = node.get("test_metadata") or {}
        attached = node.get("attached_node") or ""
        rows.append(
            {
                "test_name": node.get("name", result["unique_id"]),
                "model_name": attached.rsplit(".", 1)[-1] or None,
                "column_name": node.get("column_name"),
                "test_kind": metadata.get("name") or "singulier",
                "severity": (node.get("config") or {}).get("severity", "error").lower(),
                "status": result["status"],
                "failures": result.get("failures"),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "test_name": pl.String,
            "model_name": pl.String,
            "column_name": pl.String,
            "test_kind": pl.String,
            "severity": pl.String,
            "status": pl.String,
            "failures": pl.Int64,
        },
    )


def record(con: duckdb.DuckDBPyConnection, results: pl.DataFrame, run_id: str) -> None:
    """Replace the stored result of every test in ``results``."""
    if results.is_empty():
        return
    frame = results.with_columns(  # noqa: F841 (read by DuckDB below)
        pl.lit(run_id).alias("run_id"), pl.lit(datetime.now()).alias("checked_at")
    )
    con.execute("insert or replace into ingest.model_checks by name select * from frame")
