"""Read-only queries on the published snapshot.

Each call opens a short-lived read-only connection (a long-lived one would block publishing), and
results are cached per snapshot version (inode and mtime of the file), so a new publish is picked
up at the next request without a restart.
"""

from __future__ import annotations

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


def _rows(path: Path, sql: str, params: list | None = None) -> list[dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


@lru_cache(maxsize=64)
def _publication(path: Path, version: tuple[int, int]) -> dict:
    return _rows(path, "select * from meta.publication")[0]


@lru_cache(maxsize=64)
def _indicateurs(path: Path, version: tuple[int, int], periode: str) -> tuple[dict, ...]:
    return tuple(
        _rows(
            path,
            "select * from marts.indicateurs where periode = ? "
            "order by niveau desc, libelle_niveau, indicateur",
            [periode],
        )
    )


def publication(path: Path | None = None) -> dict | None:
    """Metadata of the published snapshot, or None before the first publish."""
    path = path or published_path()
    version = snapshot_version(path)
    return _publication(path, version) if version else None


def indicateurs(periode: str = "ensemble", path: Path | None = None) -> list[dict]:
    """Rows of ``marts.indicateurs`` for one period (national and by académie)."""
    path = path or published_path()
    version = snapshot_version(path)
    return list(_indicateurs(path, version, periode)) if version else []
