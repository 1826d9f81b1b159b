"""What the build warehouse says about its loads, read for ``csf run``'s summary and
``csf status``: the ledger's files, their quarantine and cross-file rules, the reconciliation.

Every function takes an open connection and returns plain data; the command line only formats.
Marts that dbt has not built yet (a first run that stopped before dbt) read as empty.
"""

from __future__ import annotations

import json

import duckdb

_NOT_BUILT = (duckdb.CatalogException, duckdb.BinderException)
ORPHAN_LINES = (
    "parcours_clause_absente",
    "parcours_clause_en_quarantaine",
    "parcours_sans_identifiant_clause",
)


def run_counts(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Files and rows a run registered: new, loaded, rejected, read, clean, quarantined."""
    row = con.execute(
        "select count(*), count(*) filter (where status = 'loaded'), "
        "count(*) filter (where status = 'rejected'), coalesce(sum(rows_read), 0), "
        "coalesce(sum(rows_clean), 0), coalesce(sum(rows_quarantined), 0) "
        "from ingest.file_ledger where run_id = ?",
        [run_id],
    ).fetchone()
    names = ("new", "loaded", "rejected", "read", "clean", "quarantined")
    return dict(zip(names, row, strict=True))


def crosscheck_totals(con: duckdb.DuckDBPyConnection) -> dict[str, int] | None:
    """Loaded rows the cross-file rules exclude or flag, and started parcours without a known
    clause; None before dbt has built the quality marts."""
    try:
        excluded, flagged = con.execute(
            "select coalesce(sum(lignes_exclues), 0), coalesce(sum(lignes_signalees), 0) "
            "from marts.qualite_fichiers"
        ).fetchone()
    except _NOT_BUILT:
        return None
    lines = {r["line"]: r["parcours"] for r in reconciliation(con)}
    orphans = sum(lines.get(k, 0) for k in ORPHAN_LINES)
    return {"excluded": excluded, "flagged": flagged, "orphans": orphans}


def files(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every file of the ledger, oldest registration first, with its quarantine by rule, its
    cross-file rules, its scope and what replaced it."""
    rules: dict[str, dict[str, int]] = {}
    for sha, rule, count in con.execute(
        "select file_sha256, rule, count(*) from ingest.quarantine group by all order by all"
    ).fetchall():
        rules.setdefault(sha, {})[rule] = count
    scopes = _scopes(con)
    crosscheck = _crosscheck(con)
    # Every column: a warehouse not yet migrated (read-only here) lacks the newest.
    cursor = con.execute("select * from ingest.file_ledger order by registered_at, file_name")
    names = [d[0] for d in cursor.description]
    found = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        found.append(
            {
                "file": row["file_path"],
                "source": row["source"],
                "status": row["status"],
                "message": row["message"],
                "encoding": row["encoding"],
                "separator": row["separator"],
                "schema_version": row["schema_version"],
                "rows_read": row["rows_read"],
                "rows_clean": row["rows_clean"],
                "rows_quarantined": row["rows_quarantined"],
                "quarantine_by_rule": rules.get(row["file_sha256"], {}),
                # Cross-file rules, decided in the warehouse once dbt has run: loaded records
                # left out of the indicators (excluded) or counted but flagged.
                **crosscheck.get(
                    row["file_sha256"],
                    {"crosscheck_by_rule": {}, "rows_excluded": None, "rows_flagged": None},
                ),
                # CSV columns outside the contract and allow-list, dropped unread (null: DECP,
                # or loaded before they were counted).
                "extra_columns_dropped": row.get("extra_columns_dropped"),
                "extra_columns_dropped_labels": json.loads(
                    row.get("extra_columns_dropped_labels") or "[]"
                ),
                **scopes.get(row["file_sha256"], {"scope": None, "replaced_by": None}),
                "loaded_at": row["loaded_at"].isoformat() if row["loaded_at"] else None,
            }
        )
    return found


def reconciliation(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The two sides' parcours reconciled (marts.qualite_rapprochement), once dbt has run."""
    try:
        found = con.execute(
            "select ligne, parcours from marts.qualite_rapprochement order by ordre"
        ).fetchall()
    except _NOT_BUILT:
        return []
    return [{"line": line, "parcours": count} for line, count in found]


def _crosscheck(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Per file, the records the cross-file rules flag (marts.qualite_regles, stage
    « rapprochement »), once dbt has built them."""
    try:
        rules = con.execute(
            "select empreinte_sha256, regle, traitement, lignes from marts.qualite_regles "
            "where etape = 'rapprochement' order by empreinte_sha256, lignes desc, regle"
        ).fetchall()
        counts = con.execute(
            "select empreinte_sha256, lignes_exclues, lignes_signalees from marts.qualite_fichiers"
        ).fetchall()
    except _NOT_BUILT:
        return {}
    found: dict[str, dict] = {
        sha: {"crosscheck_by_rule": {}, "rows_excluded": excluded, "rows_flagged": flagged}
        for sha, excluded, flagged in counts
    }
    for sha, rule, treatment, count in rules:
        entry = found.setdefault(
            sha, {"crosscheck_by_rule": {}, "rows_excluded": None, "rows_flagged": None}
        )
        entry["crosscheck_by_rule"][rule] = {"lignes": count, "traitement": treatment}
    return found


def _scopes(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Snapshot scope and replacement of each file, once dbt has built them."""
    try:
        found = con.execute(
            "select file_sha256, perimetre, remplace_par from staging.stg_ingest__fichiers"
        ).fetchall()
    except _NOT_BUILT:
        return {}
    return {sha: {"scope": scope, "replaced_by": by} for sha, scope, by in found}
