"""Loading: register new inbox files in the ledger, then load each pending file atomically.

A file is loaded in one transaction (its clean rows, its quarantine rows and its ledger entry), so
a crash leaves it wholly loaded or still pending, never half-loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.duck import fetch_polars
from pipelines.ingest.csv_reader import read_csv_export
from pipelines.ingest.decp_reader import read_decp
from pipelines.ingest.errors import FileRejected
from pipelines.ingest.inbox import scan
from pipelines.ingest.sources import CSV_SOURCES, DECP


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file, for logs, Dagster metadata and the CLI summary."""

    file_name: str
    source: str
    status: str
    rows_read: int = 0
    rows_clean: int = 0
    rows_quarantined: int = 0
    message: str | None = None


def register_new_files(
    con: duckdb.DuckDBPyConnection, inbox: Path, run_id: str
) -> list[FileOutcome]:
    """Add inbox files with an unknown hash to the ledger: pending, or rejected if unreadable."""
    known = {row[0] for row in con.execute("select file_sha256 from ingest.file_ledger").fetchall()}
    outcomes = []
    now = datetime.now()
    for item in scan(inbox, known):
        status = "rejected" if item.problem else "pending"
        con.execute(
            "insert into ingest.file_ledger (file_sha256, file_name, file_path, size_bytes, "
            "source, status, message, registered_at, run_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                item.sha256,
                item.path.name,
                str(item.path),
                item.size_bytes,
                item.source,
                status,
                item.problem,
                now,
                run_id,
            ],
        )
        outcomes.append(
            FileOutcome(item.path.name, item.source or "inconnue", status, message=item.problem)
        )
    return outcomes


def load_pending(
    con: duckdb.DuckDBPyConnection, source: str, key: bytes, run_id: str
) -> list[FileOutcome]:
    """Load every pending file of ``source``, oldest name first."""
    pending = con.execute(
        "select file_sha256, file_name, file_path from ingest.file_ledger "
        "where status = 'pending' and source = ? order by file_name, file_sha256",
        [source],
    ).fetchall()
    return [
        _load_one(con, source, sha, name, Path(path), key, run_id) for sha, name, path in pending
    ]


def _load_one(con, source, sha, name, path, key, run_id) -> FileOutcome:
    try:
        if source == DECP:
            load = read_decp(path)
            tables = {"decp_marches": load.marches, "decp_concessions": load.concessions}
            details = {"schema_version": load.schema_version}
        else:
            load = read_csv_export(path.read_bytes(), CSV_SOURCES[source], key, date.today())
            tables = {source: load.clean}
            details = {"encoding": load.encoding, "separator": load.separator}
    except (FileRejected, OSError) as exc:
        message = str(exc) if isinstance(exc, FileRejected) else f"fichier illisible : {exc}"
        con.execute(
            "update ingest.file_ledger set status = 'rejected', message = ?, loaded_at = ?, "
            "run_id = ? where file_sha256 = ?",
            [message, datetime.now(), run_id, sha],
        )
        return FileOutcome(name, source, "rejected", message=message)

    clean_rows = sum(frame.height for frame in tables.values())
    now = datetime.now()
    con.execute("begin transaction")
    try:
        # One transaction per file: a crash leaves no row of a pending file behind to delete.
        for table, frame in tables.items():
            _insert(con, f"raw.{table}", frame.with_columns(pl.lit(sha).alias("_file_sha256")))
        quarantine = load.quarantine.with_columns(
            pl.lit(sha).alias("file_sha256"),
            pl.lit(name).alias("file_name"),
            pl.lit(source).alias("source"),
            pl.lit(run_id).alias("run_id"),
            pl.lit(now).alias("quarantined_at"),
        )
        _insert(con, "ingest.quarantine", quarantine)
        con.execute(
            "update ingest.file_ledger set status = 'loaded', message = null, encoding = ?, "
            "separator = ?, schema_version = ?, is_synthetic = ?, rows_read = ?, rows_clean = ?, "
            "rows_quarantined = ?, loaded_at = ?, run_id = ? where file_sha256 = ?",
            [
                details.get("encoding"),
                details.get("separator"),
                details.get("schema_version"),
                load.is_synthetic,
                load.rows_read,
                clean_rows,
                load.quarantine.height,
                now,
                run_id,
                sha,
            ],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return FileOutcome(name, source, "loaded", load.rows_read, clean_rows, load.quarantine.height)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    con.register("_batch", frame.to_arrow())
    try:
        con.execute(f"insert into {table} by name select * from _batch")
    finally:
        con.unregister("_batch")


def ledger(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The whole ledger, newest first (for ``csf status``)."""
    return fetch_polars(con, "select * from ingest.file_ledger order by registered_at, file_name")
