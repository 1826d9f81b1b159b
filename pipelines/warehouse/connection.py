"""The build warehouse: connection, and the tables ingestion owns (raw, ledger, quarantine)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.ingest.sources import (
    CSV_SOURCES,
    DECP_CONCESSIONS_COLUMNS,
    DECP_MARCHES_COLUMNS,
    DUCKDB_TYPES,
    CsvSource,
)
from pipelines.sql_text import literal

LINEAGE_COLUMNS = {"_file_sha256": "VARCHAR NOT NULL", "_line_number": "BIGINT NOT NULL"}

RAW_TABLES: dict[str, dict[str, str]] = {
    "decp_marches": {name: kind for name, (kind, _) in DECP_MARCHES_COLUMNS.items()},
    "decp_concessions": {name: kind for name, (kind, _) in DECP_CONCESSIONS_COLUMNS.items()},
}


def csv_table_columns(source: CsvSource) -> dict[str, str]:
    """Typed columns of a CSV source's raw table (the INE column holds its keyed hash)."""
    columns = {
        ("jeune_id" if c.kind == "ine" else c.name): DUCKDB_TYPES[c.kind] for c in source.columns
    }
    return columns | {"extra_columns": "JSON"}


RAW_TABLES |= {name: csv_table_columns(src) for name, src in CSV_SOURCES.items()}

_BOOKKEEPING_DDL = """
create schema if not exists raw;
create schema if not exists ingest;
create table if not exists ingest.file_ledger (
    file_sha256 varchar primary key,
    file_name varchar not null,
    file_path varchar not null,
    size_bytes bigint not null,
    source varchar,
    status varchar not null,            -- pending | loaded | rejected
    message varchar,
    encoding varchar,
    separator varchar,
    schema_version varchar,
    is_synthetic boolean,
    rows_read bigint,
    rows_clean bigint,
    rows_quarantined bigint,
    extra_columns_dropped bigint,       -- CSV columns outside the contract and allow-list
    extra_columns_dropped_labels json,  -- their headers, as privacy.header_label shows them
    registered_at timestamp not null,
    file_modified_at timestamp,         -- the export's save time: orders snapshots of one scope
    loaded_at timestamp,
    run_id varchar
);
create table if not exists ingest.quarantine (
    file_sha256 varchar not null,
    file_name varchar not null,
    source varchar not null,
    line_number bigint not null,
    rule varchar not null,
    record json,
    run_id varchar,
    quarantined_at timestamp not null
);
-- The latest result of each dbt data test (warnings included), for the quality page: a warning
-- does not stop a publish, so it must be seen there (docs/blocking-checks.md).
create table if not exists ingest.model_checks (
    test_name varchar primary key,
    model_name varchar,
    column_name varchar,
    test_kind varchar,
    severity varchar,
    status varchar not null,            -- pass | warn | fail | error | skipped
    failures bigint,
    run_id varchar,
    checked_at timestamp not null
);
create table if not exists ingest.batch_checks (
    file_sha256 varchar not null,
    table_name varchar not null,
    check_name varchar not null,
    passed boolean not null,
    details json,
    run_id varchar,
    checked_at timestamp not null
);
"""


class WarehouseLocked(RuntimeError):
    """Another process holds the build warehouse (DuckDB allows one writer per file)."""


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection; a lock held elsewhere becomes a clear error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLocked(
                f"l'entrepôt {path} est utilisé par un autre processus (un autre « csf run » "
                "ou une matérialisation Dagster en cours ?) : réessayez quand il aura fini"
            ) from exc
        raise
    # Progress is tracked (query_progress) but reported by the pipeline itself: DuckDB's own bar
    # would write over the command's output.
    con.execute("set enable_progress_bar = true")
    con.execute("set enable_progress_bar_print = false")
    try:
        yield con
    finally:
        con.close()


# Columns added after a warehouse may already exist: added in place, never by rebuilding.
_MIGRATIONS = (
    "alter table ingest.file_ledger add column if not exists file_modified_at timestamp",
    "alter table ingest.file_ledger add column if not exists extra_columns_dropped bigint",
    "alter table ingest.file_ledger add column if not exists extra_columns_dropped_labels json",
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ingestion tables if absent, add columns added since (idempotent)."""
    con.execute(_BOOKKEEPING_DDL)
    for statement in _MIGRATIONS:
        con.execute(statement)
    for table, columns in RAW_TABLES.items():
        cols = ",\n    ".join(f"{name} {typ}" for name, typ in (columns | LINEAGE_COLUMNS).items())
        con.execute(f"create table if not exists raw.{table} (\n    {cols}\n)")
    _purge_columns_outside_contract(con)


def _keys_kept(keys: list[str]) -> str:
    """SQL: a JSON object with only the given keys (the others dropped)."""
    listed = ", ".join(literal(k) for k in keys)
    return (
        "to_json(map_from_entries(list_filter(map_entries(cast({col} as map(varchar, json))), "
        f"lambda e: list_contains([{listed}]::varchar[], e.key))))"
    )


def _purge_columns_outside_contract(con: duckdb.DuckDBPyConnection) -> None:
    """Once per warehouse: columns outside a source's contract and allow-list, which earlier
    versions kept verbatim (raw ``extra_columns``, quarantined records), are erased, so that an
    upgrade leaves no personal data a file carried outside its contract (issue 19)."""
    con.execute("create table if not exists ingest.migrations (migration varchar primary key)")
    etape = "purge_colonnes_hors_contrat"
    fait = con.execute("select count(*) from ingest.migrations where migration = ?", [etape])
    if fait.fetchone()[0]:
        return
    for name, source in CSV_SOURCES.items():
        kept = list(source.extra_allowed)
        if kept:
            expr = _keys_kept(kept).format(col="extra_columns")
            con.execute(
                f"update raw.{name} set extra_columns = {expr} where extra_columns is not null"
            )
        else:
            con.execute(
                f"update raw.{name} set extra_columns = null where extra_columns is not null"
            )
        contract = [c.name for c in source.columns] + ["jeune_id", *kept]
        expr = _keys_kept(contract).format(col="record")
        con.execute(
            f"update ingest.quarantine set record = {expr} "
            "where source = ? and record is not null and json_type(record) = 'OBJECT'",
            [name],
        )
    con.execute("insert into ingest.migrations values (?)", [etape])
