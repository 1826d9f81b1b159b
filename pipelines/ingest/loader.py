"""Loading: register new inbox files in the ledger, then load each pending file atomically.

A file is loaded in one transaction (its clean rows, its quarantine rows and its ledger entry), so
a crash leaves it wholly loaded or still pending, never half-loaded.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.ingest.csv_reader import CsvLoad, Limits, read_csv_export
from pipelines.ingest.decp_reader import load_decp
from pipelines.ingest.errors import FileRejected, log_name
from pipelines.ingest.inbox import REWRITTEN, scan
from pipelines.ingest.sources import CSV_SOURCES, DECP
from pipelines.settings import DEFAULTS, Settings


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
    con: duckdb.DuckDBPyConnection, inbox: Path, run_id: str, settings: Settings = DEFAULTS
) -> list[FileOutcome]:
    """Add inbox files with an unknown hash to the ledger: pending, or rejected if unreadable."""
    ledger = con.execute(
        "select file_sha256, file_path, size_bytes, file_modified_at from ingest.file_ledger"
    ).fetchall()
    known = {sha for sha, *_ in ledger}
    hashed = {(path, size, modified): sha for sha, path, size, modified in ledger}
    outcomes = []
    now = datetime.now()
    for item in scan(inbox, known, hashed, Limits.of(settings)):
        status = "rejected" if item.problem else "pending"
        con.execute(
            "insert into ingest.file_ledger (file_sha256, file_name, file_path, size_bytes, "
            "source, status, message, registered_at, file_modified_at, run_id) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                item.sha256,
                item.path.name,
                str(item.path),
                item.size_bytes,
                item.source,
                status,
                item.problem,
                now,
                item.modified_at,
                run_id,
            ],
        )
        outcomes.append(
            FileOutcome(
                log_name(item.path.name), item.source or "inconnue", status, message=item.problem
            )
        )
    return outcomes


def load_pending(
    con: duckdb.DuckDBPyConnection,
    source: str,
    key: bytes,
    run_id: str,
    work_dir: Path,
    progress: Callable[[str, int, int], None] | None = None,
    settings: Settings = DEFAULTS,
) -> list[FileOutcome]:
    """Load every pending file of ``source``, oldest name first.

    ``progress(file_name, done, total)`` reports the bytes scanned of long (DECP) loads;
    ``settings`` gives the file limits and the parsing workers.
    """
    pending = con.execute(
        "select file_sha256, file_name, file_path, size_bytes, file_modified_at "
        "from ingest.file_ledger "
        "where status = 'pending' and source = ? order by file_name, file_sha256",
        [source],
    ).fetchall()
    # Scratch files a killed load left behind (one writer holds the warehouse: none is in use).
    for stale in work_dir.glob("decp-*.json"):
        stale.unlink(missing_ok=True)
    outcomes = []
    with ExitStack() as stack:
        parsed = (
            _parsed_ahead(stack, pending, source, key, settings) if source != DECP else iter(())
        )
        for sha, name, path, size, modified in pending:
            shown = log_name(name)
            step = (lambda done, total, n=shown: progress(n, done, total)) if progress else None
            outcomes.append(
                _load_one(
                    con,
                    source,
                    sha,
                    name,
                    Path(path),
                    key,
                    run_id,
                    work_dir,
                    step,
                    Limits.of(settings),
                    next(parsed, None),
                    (size, modified) if modified is not None else None,
                )
            )
    return outcomes


def _parsed_ahead(
    stack: ExitStack, pending: list[tuple], source: str, key: bytes, settings: Settings
) -> Iterator[Future | None]:
    """Futures of the CSV files' parsing, in ``pending``'s order, computed ahead in worker
    processes when the files are large enough to pay for starting them (a national académie's
    exports: reading and checking CSV is Python work, one core each).

    ``CSF_INGEST_WORKERS`` (default: one per core; 1: none) and ``CSF_INGEST_PARALLEL_MB``
    (default 16: below this many megabytes pending, parsing stays in this process). Rows are
    still written here, one file per transaction, in the same order."""
    workers = settings.ingest_workers or os.cpu_count() or 1
    threshold = settings.ingest_parallel_mb * 1e6
    limits = Limits.of(settings)
    size = sum(Path(path).stat().st_size for _, _, path, *_ in pending if Path(path).exists())
    if workers < 2 or len(pending) < 2 or size < threshold:
        return iter(())
    workers = min(workers, len(pending))
    # spawn: this process runs Dagster's and DuckDB's threads.
    pool = stack.enter_context(
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    )
    today = date.today()

    def futures() -> Iterator[Future]:
        window: deque[Future] = deque()  # two files per worker in flight, no more
        for sha, _, path, *_ in pending:
            window.append(pool.submit(_parse, path, source, key, today, sha, limits))
            if len(window) > 2 * workers:
                yield window.popleft()
        yield from window

    return futures()


def _parse(path: str, source: str, key: bytes, load_day: date, sha: str, limits: Limits) -> CsvLoad:
    data = _read(Path(path), limits, sha)
    return read_csv_export(data, CSV_SOURCES[source], key, load_day, limits)


def _read(path: Path, limits: Limits, sha: str) -> bytes:
    """The file's bytes, never more than the size limit allows (it may have grown since the
    inbox was scanned), and only if they are the bytes the ledger's hash was computed from: a
    file rewritten since is refused for this run (its final version is new content, registered
    and loaded by the next run)."""
    with open(path, "rb") as handle:
        data = handle.read(limits.file_bytes + 1)
    limits.check_size(len(data))
    if hashlib.sha256(data).hexdigest() != sha:
        raise FileRejected(REWRITTEN)
    return data


def _same_file(path: Path, size: int, modified: datetime) -> None:
    """FileRejected unless ``path`` still has the size and save time the ledger recorded when
    it hashed the file (DECP files are read in several passes, not held in memory)."""
    info = path.stat()
    if info.st_size != size or datetime.fromtimestamp(info.st_mtime) != modified:
        raise FileRejected(REWRITTEN)


def _load_one(
    con, source, sha, name, path, key, run_id, work_dir, progress, limits, parsed, inventoried
) -> FileOutcome:
    now = datetime.now()
    fields = {"file_name": name, "source": source, "run_id": run_id, "quarantined_at": now}
    con.execute("begin transaction")
    try:
        # One transaction per file: its rows, its quarantine and its ledger entry together.
        if source == DECP:
            if inventoried is not None:
                _same_file(path, *inventoried)
            load = load_decp(con, path, sha, fields, work_dir, progress)
            if inventoried is not None:
                _same_file(path, *inventoried)
            counts = (load.rows_read, load.rows_clean, load.rows_quarantined)
            details = {"schema_version": load.schema_version}
        else:
            if parsed is not None:  # parsed ahead in a worker: its error, if any, comes here
                load = parsed.result()
            else:
                load = _parse(str(path), source, key, date.today(), sha, limits)
            _insert(
                con, f"raw.{source}", load.clean.with_columns(pl.lit(sha).alias("_file_sha256"))
            )
            _insert(
                con,
                "ingest.quarantine",
                load.quarantine.with_columns(
                    *(pl.lit(value).alias(column) for column, value in fields.items()),
                    pl.lit(sha).alias("file_sha256"),
                ),
            )
            counts = (load.rows_read, load.clean.height, load.quarantine.height)
            details = {
                "encoding": load.encoding,
                "separator": load.separator,
                "dropped": load.dropped_columns,
                "dropped_labels": json.dumps(load.dropped_labels, ensure_ascii=False),
            }
        con.execute(
            "update ingest.file_ledger set status = 'loaded', message = null, encoding = ?, "
            "separator = ?, schema_version = ?, is_synthetic = ?, rows_read = ?, rows_clean = ?, "
            "rows_quarantined = ?, extra_columns_dropped = ?, extra_columns_dropped_labels = ?, "
            "loaded_at = ?, run_id = ? where file_sha256 = ?",
            [
                details.get("encoding"),
                details.get("separator"),
                details.get("schema_version"),
                load.is_synthetic,
                *counts,
                details.get("dropped"),
                details.get("dropped_labels"),
                now,
                run_id,
                sha,
            ],
        )
        con.execute("commit")
    except (FileRejected, OSError) as exc:
        con.execute("rollback")
        message = (
            str(exc)
            if isinstance(exc, FileRejected)
            else f"fichier illisible : {exc.strerror or type(exc).__name__}"
        )
        con.execute(
            "update ingest.file_ledger set status = 'rejected', message = ?, loaded_at = ?, "
            "run_id = ? where file_sha256 = ?",
            [message, datetime.now(), run_id, sha],
        )
        return FileOutcome(log_name(name), source, "rejected", message=message)
    except Exception:
        con.execute("rollback")
        raise
    return FileOutcome(log_name(name), source, "loaded", *counts)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    con.register("_batch", frame.to_arrow())
    try:
        con.execute(f"insert into {table} by name select * from _batch")
    finally:
        con.unregister("_batch")
