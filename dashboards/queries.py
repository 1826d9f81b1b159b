"""Read-only queries on the published snapshot.

Each process keeps one read-only connection to the snapshot *file* it opened, keyed by that
file's identity (inode and mtime). Publishing writes a new file and renames it over the old one,
so it never waits for readers; the next request sees a new identity, closes the old connection
and opens the new file. Results are cached per snapshot version too, so a new publish is picked
up without a restart, and one request's queries all come from one snapshot.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import duckdb

from pipelines.settings import load_settings


def published_path() -> Path:
    return load_settings().published_db


def snapshot_version(path: Path) -> tuple[int, int] | None:
    """Identity of the file now behind ``path``; changes with every publish."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


_open: dict[str, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}
# The pre-rendering thread queries beside the request thread: one opens or swaps at a time.
_lock = threading.Lock()


def _connection_locked(path: Path, version: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    """The process's read-only connection to snapshot ``version`` of ``path`` (hold ``_lock``)."""
    current = _open.get(str(path))
    if current and current[0] == version:
        return current[1]
    if current:
        current[1].close()
        del _open[str(path)]
    for _ in range(3):
        con = duckdb.connect(str(path), read_only=True)
        # A publish between the stat and the open would give another file: check and retry.
        if snapshot_version(path) == version:
            _open[str(path)] = (version, con)
            return con
        con.close()
        version = snapshot_version(path)
    raise RuntimeError("l'instantané publié change sans cesse : réessayez")


def _rows(path: Path, sql: str, params: list | None = None, version=None) -> list[dict]:
    version = version or snapshot_version(path)
    with _lock:
        cursor = _connection_locked(path, version).cursor()
    try:
        cursor.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        cursor.close()


@lru_cache(maxsize=64)
def _publication(path: Path, version: tuple[int, int]) -> dict:
    return _rows(path, "select * from meta.publication", version=version)[0]


def publication(path: Path | None = None) -> dict | None:
    """Metadata of the published snapshot, or None before the first publish."""
    path = path or published_path()
    version = snapshot_version(path)
    return _publication(path, version) if version else None


@lru_cache(maxsize=1024)
def _query(path: Path, version: tuple[int, int], sql: str, params: tuple) -> tuple[dict, ...]:
    # Lists travel as tuples through the cache key (hashable), and back as lists to DuckDB.
    values = [list(p) if isinstance(p, tuple) else p for p in params]
    return tuple(_rows(path, sql, values, version=version))


def rows(sql: str, *params: object, path: Path | None = None) -> list[dict]:
    """Any read on the published snapshot, cached for this snapshot version (empty before the
    first publish). Results are shared between callers: never mutate them."""
    path = path or published_path()
    version = snapshot_version(path)
    key = tuple(tuple(p) if isinstance(p, list) else p for p in params)
    return list(_query(path, version, sql, key)) if version else []


def cellule(indicateurs: tuple[str, ...], periode: str, niveau: str, code: str) -> dict[str, dict]:
    """Rows of some indicators for one cell (period × dimension value), by indicator code."""
    found = rows(
        "select * from marts.indicateurs where periode = ? and niveau = ? and code_niveau = ? "
        "and list_contains(?, indicateur)",
        periode,
        niveau,
        code,
        list(indicateurs),
    )
    return {row["indicateur"]: row for row in found}


def serie(indicateur: str, niveau: str, code: str) -> list[dict]:
    """One indicator for one dimension value, every year (not "ensemble"), oldest first."""
    return rows(
        "select * from marts.indicateurs where indicateur = ? and niveau = ? and code_niveau = ? "
        "and periode != 'ensemble' order by periode",
        indicateur,
        niveau,
        code,
    )


def par_dimension(indicateur: str, niveau: str, periode: str) -> list[dict]:
    """One indicator for every value of a dimension, in one period."""
    return rows(
        "select * from marts.indicateurs where indicateur = ? and niveau = ? and periode = ? "
        "order by libelle_niveau",
        indicateur,
        niveau,
        periode,
    )


def periodes() -> list[str]:
    """Years present in the indicators, newest first."""
    found = rows("select distinct periode from marts.indicateurs where periode != 'ensemble'")
    return sorted((r["periode"] for r in found), reverse=True)


def valeurs(niveau: str) -> list[tuple[str, str]]:
    """(code, label) of every value of a dimension, by label."""
    found = rows(
        "select distinct code_niveau, libelle_niveau from marts.indicateurs where niveau = ? "
        "and code_niveau != 'NR' order by libelle_niveau",
        niveau,
    )
    return [(r["code_niveau"], r["libelle_niveau"]) for r in found]
