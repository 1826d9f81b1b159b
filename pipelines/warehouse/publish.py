"""Publishing: copy the checked marts into a new DuckDB file, then swap it in atomically.

Readers only ever open ``published.duckdb``; ``os.replace`` makes the swap atomic on POSIX, so a
reader sees the old snapshot or the new one, and a crash before the swap leaves the old one.
Each snapshot is also kept, as a hard link (no copy), in ``snapshots/<snapshot id>.duckdb``: the
newest ``CSF_SNAPSHOTS_KEEP`` stay, and ``rollback`` swaps one of them back in the same way.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.settings import DEFAULTS
from pipelines.sql_text import literal
from pipelines.warehouse.snapshot import read_publication

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


def history_dir(published_db: Path) -> Path:
    """Where published snapshots are kept, by id."""
    return published_db.parent / "snapshots"


@contextmanager
def _publish_lock(published_db: Path) -> Iterator[None]:
    """One publish or rollback at a time; a killed one's temporary files are removed under it."""
    published_db.parent.mkdir(parents=True, exist_ok=True)
    with (published_db.parent / ".publication.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for leftover in published_db.parent.glob(f".{published_db.stem}-*.tmp"):
                leftover.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(
    build_db: Path, published_db: Path, run_id: str, keep: int = DEFAULTS.snapshots_keep
) -> Snapshot:
    """Publish the marts of ``build_db`` as the new ``published_db``, keeping the ``keep``
    newest snapshots for rollback (and the served one)."""
    with _publish_lock(published_db):
        return _publish(build_db, published_db, run_id, keep)


def _publish(build_db: Path, published_db: Path, run_id: str, keep: int) -> Snapshot:
    tmp = published_db.with_name(f".{published_db.stem}-{uuid.uuid4().hex}.tmp")
    now = datetime.now(UTC)
    snapshot_id = f"{now:%Y%m%dT%H%M%SZ}-{run_id[:8]}"
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"attach {literal(build_db)} as build (read_only)")
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
            # The model that decides it, not a mart's copy: a snapshot without any indicator
            # (exports with headers only) still has its observation date.
            observation = con.execute(
                "select max(observation_date)::varchar from build.intermediate.int_observation_date"
            ).fetchone()[0]
            con.execute("create schema meta")
            # What the model's tests found, warnings included (the quality page shows them): the
            # latest result of each test, from the build this snapshot comes from.
            con.execute(
                "create table meta.controles_modele as select test_name as controle, "
                "model_name as modele, column_name as colonne, test_kind as type_controle, "
                "severity as gravite, status as statut, failures as nb_anomalies, "
                "checked_at as verifie_le from build.ingest.model_checks"
            )
            con.execute("detach build")
            con.execute(
                "create table meta.publication as select ? as snapshot_id, ?::timestamptz as "
                "published_at, ?::date as date_observation, ? as donnees_synthetiques, ? as run_id",
                [snapshot_id, now, observation, is_synthetic, run_id],
            )
            con.execute("checkpoint")
        finally:
            con.close()
        _fsync(tmp)
        kept = history_dir(published_db)
        kept.mkdir(exist_ok=True)
        served = served_snapshot_id(published_db)
        if served and not (kept / f"{served}.duckdb").exists():
            # Served before snapshots were kept: keep it too, so it can be rolled back to.
            os.link(published_db, kept / f"{served}.duckdb")
        os.link(tmp, kept / f"{snapshot_id}.duckdb")
        _fsync(kept)
        os.replace(tmp, published_db)
        _fsync(published_db.parent)
    finally:
        tmp.unlink(missing_ok=True)
    _prune(published_db, keep)
    return Snapshot(snapshot_id, published_db, now, observation, is_synthetic, tables)


def kept_snapshots(published_db: Path) -> list[str]:
    """Ids of the kept snapshots, oldest first (ids start with their UTC publication time)."""
    return sorted(p.stem for p in history_dir(published_db).glob("*.duckdb"))


def snapshot_history(published_db: Path) -> list[dict]:
    """Each kept snapshot's id, publication time and run, newest first, the served one marked."""
    served = served_snapshot_id(published_db)
    found = []
    for snapshot_id in reversed(kept_snapshots(published_db)):
        con = duckdb.connect(
            str(history_dir(published_db) / f"{snapshot_id}.duckdb"), read_only=True
        )
        try:
            published_at, run_id = con.execute(
                "select published_at, run_id from meta.publication"
            ).fetchall()[0]
        finally:
            con.close()
        found.append(
            {
                "snapshot_id": snapshot_id,
                "published_at": published_at.isoformat(),
                "run_id": run_id,
                "served": served == snapshot_id,
            }
        )
    return found


def _prune(published_db: Path, keep: int) -> None:
    served = served_snapshot_id(published_db)
    for old in kept_snapshots(published_db)[:-keep]:
        if old != served:
            (history_dir(published_db) / f"{old}.duckdb").unlink(missing_ok=True)


def rollback(published_db: Path, to: str | None = None) -> dict:
    """Serve again the kept snapshot ``to``, by default the one before the served one.

    Atomic like a publish: readers see the served snapshot or the restored one. The build
    warehouse is untouched, so the next ``csf run`` publishes a new snapshot again.
    """
    with _publish_lock(published_db):
        served = served_snapshot_id(published_db)
        kept = kept_snapshots(published_db)
        if to is None:
            older = [k for k in kept if not served or k < served]
            if not older:
                raise ValueError(
                    "aucun instantané antérieur conservé"
                    + (f" (instantané servi : {served})" if served else "")
                )
            to = older[-1]
        elif to not in kept:
            raise ValueError(
                f"instantané {to} non conservé ; instantanés conservés : {', '.join(kept) or '–'}"
            )
        tmp = published_db.with_name(f".{published_db.stem}-{uuid.uuid4().hex}.tmp")
        try:
            os.link(history_dir(published_db) / f"{to}.duckdb", tmp)
            os.replace(tmp, published_db)
            _fsync(published_db.parent)
        finally:
            tmp.unlink(missing_ok=True)
    restored = read_publication(published_db)
    assert restored is not None
    return restored


def served_snapshot_id(published_db: Path) -> str | None:
    """The id of the snapshot served now (its metadata only, no table counted), or None."""
    if not published_db.exists():
        return None
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        return con.execute("select snapshot_id from meta.publication").fetchall()[0][0]
    finally:
        con.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
