"""Read-only queries on the published snapshot.

Each process keeps read-only connections to the snapshot *files* it opened, keyed by each file's
identity (inode and mtime). Publishing writes a new file and renames it over the old one, so it
never waits for readers; the next request sees a new identity and opens the new file, while a
request still reading the old one keeps its connection (the last few stay open). A request pins
the version it started with (``pin``), so all its queries come from one snapshot; results are
cached per version, so a new publish is picked up without a restart.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections import OrderedDict
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

import duckdb

from pipelines.settings import DEFAULTS, Settings
from pipelines.warehouse.snapshot import PERIODES_SQL

# Connections kept per snapshot file path: the current version and the ones requests in flight
# may still read.
KEEP_VERSIONS = 3
_pinned: ContextVar[tuple[int, int] | None] = ContextVar("csf_snapshot_version", default=None)


_settings: list[Settings] = [DEFAULTS]


def configure(settings: Settings) -> None:
    """Set the settings the dashboard reads (once, by the server's edge: dashboards.app)."""
    _settings[0] = settings


def settings() -> Settings:
    """The dashboard's settings (``configure``)."""
    return _settings[0]


def published_path() -> Path:
    return settings().published_db


def snapshot_version(path: Path) -> tuple[int, int] | None:
    """Identity of the file now behind ``path``; changes with every publish."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


_open: dict[str, OrderedDict[tuple[int, int], tuple[Path, duckdb.DuckDBPyConnection]]] = {}
# The pre-rendering thread queries beside the request thread: one opens or swaps at a time.
_lock = threading.Lock()


class SnapshotGone(RuntimeError):
    """The snapshot a request pinned was replaced and is no longer open."""


def _reader_dir(path: Path) -> Path:
    """This process's links to the snapshot files it reads, beside the warehouse (same disk)."""
    return path.parent / ".lecture" / str(os.getpid())


def _link_version(path: Path, version: tuple[int, int]) -> Path | None:
    """A hard link, private to this process, to the file behind ``path`` if it is ``version``.

    DuckDB keeps one database instance per path in a process: opening ``published.duckdb``
    again while an older connection to it lives returns the *old* file's instance. A link per
    version gives each snapshot its own path, so several versions can be open at once.
    """
    folder = _reader_dir(path)
    link = folder / f"{version[0]}-{version[1]}.duckdb"
    if not link.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            os.link(path, link)
        except FileNotFoundError:
            return None
        except OSError:  # a read-only warehouse, another disk: one version at a time, by path
            return path if snapshot_version(path) == version else None
    stat = link.stat()
    if (stat.st_ino, stat.st_mtime_ns) != version:  # replaced between the stat and the link
        link.unlink(missing_ok=True)
        return None
    return link


def _connection_locked(
    path: Path, version: tuple[int, int], exact: bool = False
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to snapshot ``version`` of ``path`` (hold ``_lock``). With
    ``exact``, that version or an error; else the file now behind ``path`` if it changed."""
    opened = _open.setdefault(str(path), OrderedDict())
    for _ in range(3):
        if version in opened:
            return opened[version][1]
        link = _link_version(path, version)
        if link == path:  # no link possible: close the others, or DuckDB reuses their instance
            while opened:
                opened.popitem()[1][1].close()
            con = duckdb.connect(str(path), read_only=True)
            if snapshot_version(path) == version:
                opened[version] = (path, con)
                return con
            con.close()
            link = None
        if link is not None:
            opened[version] = (link, duckdb.connect(str(link), read_only=True))
            while len(opened) > KEEP_VERSIONS:
                old_link, old = opened.popitem(last=False)[1]
                old.close()
                if old_link != path:
                    old_link.unlink(missing_ok=True)
            return opened[version][1]
        if exact:
            raise SnapshotGone("l'instantané de cette requête a été remplacé : réessayez")
        version = snapshot_version(path)
    raise RuntimeError("l'instantané publié change sans cesse : réessayez")


def clean_reader_links(path: Path | None = None) -> None:
    """Remove the links of processes that no longer run (called when a server starts)."""
    root = (path or published_path()).parent / ".lecture"
    for folder in root.glob("*") if root.is_dir() else []:
        if folder.name.isdigit() and not Path(f"/proc/{folder.name}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def pin(path: Path | None = None) -> tuple[int, int] | None:
    """Pin this request (context) to the snapshot now published, and open it."""
    path = path or published_path()
    version = snapshot_version(path)
    if version is not None:
        with _lock:
            _connection_locked(path, version)
    _pinned.set(version)
    return version


def unpin() -> None:
    _pinned.set(None)


def current_version(path: Path) -> tuple[int, int] | None:
    """The pinned version of this request, else the file now published."""
    return _pinned.get() or snapshot_version(path)


def _rows(path: Path, sql: str, params: list | None = None, version=None) -> list[dict]:
    exact = version is not None
    version = version or snapshot_version(path)
    with _lock:
        cursor = _connection_locked(path, version, exact).cursor()
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
    return _retrying(path, lambda version: _publication(path, version))


@lru_cache(maxsize=1024)
def _query(path: Path, version: tuple[int, int], sql: str, params: tuple) -> tuple[dict, ...]:
    # Lists travel as tuples through the cache key (hashable), and back as lists to DuckDB.
    values = [list(p) if isinstance(p, tuple) else p for p in params]
    return tuple(_rows(path, sql, values, version=version))


def rows(sql: str, *params: object, path: Path | None = None) -> list[dict]:
    """Any read on the published snapshot, cached for this snapshot version (empty before the
    first publish). Results are shared between callers: never mutate them."""
    path = path or published_path()
    key = tuple(tuple(p) if isinstance(p, list) else p for p in params)
    found = _retrying(path, lambda version: _query(path, version, sql, key))
    return list(found) if found is not None else []


def _retrying(path: Path, read):
    """``read(version)`` on this request's snapshot; outside a request, on the one published
    now, again if a publish replaced it meanwhile. None before the first publish."""
    for _ in range(3):
        version = current_version(path)
        if version is None:
            return None
        try:
            return read(version)
        except SnapshotGone:
            if _pinned.get() is not None:
                raise
    raise RuntimeError("l'instantané publié change sans cesse : réessayez")


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
    """Years present in the indicators, oldest first (as every reader lists them)."""
    return [r["periode"] for r in rows(PERIODES_SQL)]


def valeurs(niveau: str) -> list[tuple[str, str]]:
    """(code, label) of every value of a dimension, by label."""
    found = rows(
        "select distinct code_niveau, libelle_niveau from marts.indicateurs where niveau = ? "
        "and code_niveau != 'NR' order by libelle_niveau",
        niveau,
    )
    return [(r["code_niveau"], r["libelle_niveau"]) for r in found]
