"""The change log of a release against the previous one, computed from the two folders.

The previous release is the latest release of the same exports folder written from an earlier
snapshot (``created`` in its ``datapackage.json``: the snapshot's publication time). For a named
release only named releases count: automatic ones are pruned, and a named release rewritten
from the same snapshot must give the same bytes, hence the same previous release. An automatic
release compares with the latest release of either kind. Two releases of one snapshot hold the
same data and are never each other's previous release.

Everything compared is read from the released files (published values, never the warehouse's):
the change log tells nothing that the two releases do not show already.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.content.formatting import indicator_value
from pipelines.exports.documentation import TYPES, WrittenTable
from pipelines.sql_text import literal

INDICATOR_KEY = ("indicateur", "periode", "niveau", "code_niveau")


@dataclass(frozen=True)
class Previous:
    """A release already written, as its ``datapackage.json`` describes it."""

    name: str
    folder: Path
    created: datetime
    # Each CSV table: its file (relative to the folder) and its columns with their types.
    tables: dict[str, tuple[str, tuple[tuple[str, str], ...]]]


@dataclass(frozen=True)
class TableChange:
    """One table in either release: rows before and after, columns changed."""

    name: str
    before: bool  # in the previous release
    after: bool  # in this one
    rows_before: int | None  # None: absent, or its file unreadable
    rows_after: int | None
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()
    types_changed: tuple[tuple[str, str, str], ...] = ()  # column, type before, type after


@dataclass(frozen=True)
class IndicatorChange:
    """The cells of one indicator whose published value changed, and its national value."""

    indicateur: str
    libelle: str
    modifiees: int  # shown in both, another value
    ajoutees: int
    retirees: int
    masquees: int  # shown before, hidden now
    diffusees: int  # hidden before, shown now
    national_avant: str | None  # the national "ensemble" value as published (None: no row)
    national_apres: str | None


@dataclass(frozen=True)
class Changes:
    """What changed since the previous release (``previous`` None: a first publication)."""

    previous: Previous | None
    tables: tuple[TableChange, ...] = ()
    # None: one of the two releases has no indicator table to compare.
    indicators: tuple[IndicatorChange, ...] | None = None

    @property
    def tables_added(self) -> list[str]:
        return [t.name for t in self.tables if not t.before]

    @property
    def tables_removed(self) -> list[str]:
        return [t.name for t in self.tables if not t.after]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_release(folder: Path) -> Previous | None:
    """A release folder as its descriptor tells it; None if it has no readable descriptor
    (a folder left by hand, or an interrupted copy)."""
    try:
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        created = _utc(datetime.fromisoformat(package["created"]))
        tables = {
            r["name"]: (
                r["path"],
                tuple((f["name"], f["type"]) for f in r["schema"]["fields"]),
            )
            for r in package["resources"]
            if r.get("format") == "csv"
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Previous(folder.name, folder, created, tables)


def previous_release(
    root: Path, name: str, created: datetime, *, automatic: bool, auto_prefix: str
) -> Previous | None:
    """The release ``name`` (of a snapshot published at ``created``) is compared with."""
    # At the descriptor's precision (whole seconds): a release of the same snapshot is not older.
    created = _utc(created.replace(microsecond=0))
    best: Previous | None = None
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if not folder.is_dir() or folder.name.startswith(".") or folder.name == name:
            continue
        if not automatic and folder.name.startswith(auto_prefix):
            continue
        found = read_release(folder)
        if found is None or found.created >= created:
            continue
        if best is None or (found.created, found.name) > (best.created, best.name):
            best = found
    return best


def _rows(con: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    if not path.is_file():
        return None
    try:
        return con.execute(
            "select count(*) from read_csv(?, header = true, all_varchar = true)", [str(path)]
        ).fetchone()[0]
    except duckdb.Error:
        return None


def compare(previous: Previous | None, folder: Path, tables: list[WrittenTable]) -> Changes:
    """The change log of the release in ``folder`` (its ``tables`` written) against
    ``previous``."""
    if previous is None:
        return Changes(None)
    con = duckdb.connect()
    try:
        changes = []
        for written in tables:
            name = written.table.name
            after = tuple((c, TYPES[t]) for c, t in written.columns)
            if name not in previous.tables:
                changes.append(TableChange(name, False, True, None, written.rows))
                continue
            path, before = previous.tables[name]
            old, new = dict(before), dict(after)
            changes.append(
                TableChange(
                    name,
                    True,
                    True,
                    _rows(con, previous.folder / path),
                    written.rows,
                    tuple(c for c, _ in after if c not in old),
                    tuple(c for c, _ in before if c not in new),
                    tuple((c, old[c], t) for c, t in after if c in old and old[c] != t),
                )
            )
        released = {w.table.name for w in tables}
        for name, (path, _) in sorted(previous.tables.items()):
            if name not in released:
                changes.append(
                    TableChange(name, True, False, _rows(con, previous.folder / path), None)
                )
        indicators = None
        if "indicateurs" in previous.tables and "indicateurs" in released:
            indicators = _indicators(
                con,
                previous.folder / previous.tables["indicateurs"][0],
                folder / "csv" / "indicateurs.csv",
            )
    finally:
        con.close()
    return Changes(previous, tuple(changes), indicators)


def _cells(path: Path) -> str:
    return f"""
        select
            indicateur, periode, niveau, code_niveau, libelle_indicateur, unite,
            lower(diffusable) = 'true' as diffusable, try_cast(valeur as double) as valeur
        from read_csv({literal(path)}, header = true, all_varchar = true)
    """


def _indicators(
    con: duckdb.DuckDBPyConnection, before: Path, after: Path
) -> tuple[IndicatorChange, ...] | None:
    try:
        con.execute(f"create or replace temp table avant as {_cells(before)}")
        con.execute(f"create or replace temp table apres as {_cells(after)}")
    except duckdb.Error:  # an older release without these columns: nothing to compare
        return None
    joined = " and ".join(f"a.{k} is not distinct from n.{k}" for k in INDICATOR_KEY)
    counts = con.execute(
        f"""
        select
            coalesce(n.indicateur, a.indicateur) as code,
            coalesce(min(n.libelle_indicateur), min(a.libelle_indicateur)),
            count(*) filter (where a.diffusable and n.diffusable
                and a.valeur is distinct from n.valeur),
            count(*) filter (where a.indicateur is null),
            count(*) filter (where n.indicateur is null),
            count(*) filter (where a.diffusable and not n.diffusable),
            count(*) filter (where not a.diffusable and n.diffusable)
        from avant as a
        full outer join apres as n on {joined}
        group by code
        order by code
        """
    ).fetchall()
    national = {}
    for table in ("avant", "apres"):
        rows = con.execute(
            f"select indicateur, unite, diffusable, valeur from {table} "
            "where niveau = 'national' and periode = 'ensemble'"
        ).fetchall()
        national[table] = {
            code: indicator_value({"unite": unite, "diffusable": bool(shown), "valeur": value})
            for code, unite, shown, value in rows
        }
    return tuple(
        IndicatorChange(
            code,
            label or code,
            *numbers,
            national["avant"].get(code),
            national["apres"].get(code),
        )
        for code, label, *numbers in counts
        if any(numbers)
    )
