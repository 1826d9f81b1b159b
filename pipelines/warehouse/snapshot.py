"""Reading the published snapshot: its publication record (``read_publication``), the one
period list (``PERIODES_SQL``), and ``SnapshotReader``, a read-only view for one batch of work.

``SnapshotReader``'s one connection serves a whole batch (reports, a release), so that all of it
comes from the same snapshot even if a publish swaps the file meanwhile (the open file stays
readable). The dashboard's server keeps its own connections per snapshot version
(dashboards/queries.py) and reads the same periods.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import duckdb


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


# The years with indicators, oldest first: every reader lists periods with this one query.
PERIODES_SQL = (
    "select distinct periode from marts.indicateurs where periode != 'ensemble' order by periode"
)


class SnapshotMissing(RuntimeError):
    """Nothing has been published yet."""


class SnapshotReader:
    """The published marts, read-only."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise SnapshotMissing(f"aucun instantané publié ({path}) : lancez d'abord « csf run »")
        self.path = path
        self._con = duckdb.connect(str(path), read_only=True)
        self._memo: dict[tuple, list[dict]] = {}
        self.publication = self.rows("select * from meta.publication")[0]

    def rows(self, sql: str, *params: object) -> list[dict]:
        """Rows of a query as dicts."""
        cursor = self._con.cursor()
        try:
            cursor.execute(sql, list(params))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def rows_memo(self, sql: str, *params: object) -> list[dict]:
        """``rows``, kept for the batch: every buyer's report quotes the same national figures.
        The snapshot is read-only, so a result never goes stale. Never mutate what it returns."""
        key = (sql, *(tuple(p) if isinstance(p, list) else p for p in params))
        if key not in self._memo:
            self._memo[key] = self.rows(sql, *params)
        return self._memo[key]

    def cells(self, indicateurs: list[str], periode: str, niveau: str, code: str) -> dict:
        """Rows of ``marts.indicateurs`` for one cell, by indicator code."""
        read = self.rows_memo if niveau == "national" else self.rows
        found = read(
            "select * from marts.indicateurs where periode = ? and niveau = ? and code_niveau = ? "
            "and list_contains(?, indicateur)",
            periode,
            niveau,
            code,
            indicateurs,
        )
        return {r["indicateur"]: r for r in found}

    def periods(self) -> list[str]:
        """Years with indicators, oldest first."""
        return [r["periode"] for r in self.rows(PERIODES_SQL)]

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> SnapshotReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
