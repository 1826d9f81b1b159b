"""Publishing: copy the checked marts into a new DuckDB file, then swap it in atomically.

Readers only ever open ``published.duckdb``; ``os.replace`` makes the swap atomic on POSIX, so a
reader sees the old snapshot or the new one, and a crash before the swap leaves the old one.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)


@dataclass(frozen=True)
class Snapshot:
    """What was published."""

    snapshot_id: str
    path: Path
    published_at: datetime
    observation_date: str | None
    is_synthetic: bool
    tables: dict[str, int]


def publish(build_db: Path, published_db: Path, run_id: str) -> Snapshot:
    """Publish the marts of ``build_db`` as the new ``published_db``."""
    published_db.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_db.with_name(f".{published_db.stem}-{uuid.uuid4().hex}.tmp")
    now = datetime.now(UTC)
    snapshot_id = f"{now:%Y%m%dT%H%M%SZ}-{run_id[:8]}"
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"attach '{build_db}' as build (read_only)")
            tables = {}
            for schema in PUBLISHED_SCHEMAS:
                con.execute(f"create schema {schema}")
                names = con.execute(
                    "select table_name from duckdb_tables() where database_name = 'build' "
                    "and schema_name = ? order by table_name",
                    [schema],
                ).fetchall()
                for (name,) in names:
                    con.execute(
                        f"create table {schema}.{name} as select * from build.{schema}.{name}"
                    )
                    tables[f"{schema}.{name}"] = con.execute(
                        f"select count(*) from {schema}.{name}"
                    ).fetchone()[0]
            is_synthetic = bool(
                con.execute(
                    "select coalesce(bool_or(is_synthetic), false) from build.ingest.file_ledger "
                    "where status = 'loaded'"
                ).fetchone()[0]
            )
            observation = con.execute(
                "select max(date_observation)::varchar from marts.indicateurs"
            ).fetchone()[0]
            con.execute("detach build")
            con.execute("create schema meta")
            con.execute(
                "create table meta.publication as select ? as snapshot_id, ?::timestamptz as "
                "published_at, ?::date as date_observation, ? as donnees_synthetiques, ? as run_id",
                [snapshot_id, now, observation, is_synthetic, run_id],
            )
            con.execute("checkpoint")
        finally:
            con.close()
        _fsync(tmp)
        os.replace(tmp, published_db)
        _fsync(published_db.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return Snapshot(snapshot_id, published_db, now, observation, is_synthetic, tables)


def read_publication(published_db: Path) -> dict | None:
    """The published snapshot's metadata, or None if nothing has been published yet."""
    if not published_db.exists():
        return None
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        cursor = con.execute("select * from meta.publication")
        cols = [d[0] for d in cursor.description]
        row = cursor.fetchone()
        counts = {
            f"{s}.{t}": con.execute(f"select count(*) from {s}.{t}").fetchone()[0]
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() where schema_name = 'marts' "
                "order by 2"
            ).fetchall()
        }
    finally:
        con.close()
    info = dict(zip(cols, row, strict=True))
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in info.items()} | {
        "path": str(published_db),
        "tables": counts,
    }


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
