"""Write a research release to ``$CSF_HOME/exports/<name>/`` from the published snapshot.

The files are written in a hidden staging folder and moved into place at the end, so a failed
export leaves the previous release of that name as it was. A release name is a version: an
existing release is only rewritten with the same bytes, unless replacing is asked for. Its README
compares it with the previous release (``changes``), which the same snapshot and name find again.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
from babel.dates import format_date

from pipelines.content.contacts import Contact, load_contacts
from pipelines.content.csv_formulas import neutralised_sql
from pipelines.dbt.manifest import ensure_manifest
from pipelines.exports import documentation as docs_mod
from pipelines.exports import readme as readme_mod
from pipelines.exports.changes import compare, previous_release
from pipelines.exports.dbt_docs import read_docs
from pipelines.exports.documentation import Context, ReleaseFile, WrittenTable
from pipelines.exports.microdata import Anonymisation, prepare, release_key
from pipelines.exports.tables import TABLES, ReleasedTable
from pipelines.ingest.privacy import load_key
from pipelines.settings import Settings
from pipelines.sql_text import identifier, literal
from pipelines.warehouse.snapshot import SnapshotMissing

VALID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
AUTO_PREFIX = "auto-"
# Automatic releases (one per publish) kept besides the named ones, which are never pruned.


@dataclass(frozen=True)
class Release:
    """A release as written (or found already written, byte for byte)."""

    name: str
    folder: Path
    snapshot_id: str
    tables: list[WrittenTable]
    anonymisation: list[Anonymisation]
    up_to_date: bool
    seconds: float
    previous: str | None = None  # the release its change log compares with


def exports_dir(settings: Settings) -> Path:
    """Where releases are written."""
    return settings.home / "exports"


def check_name(name: str, automatic: bool = False) -> str:
    """A release name safe as a folder name and as a version label."""
    if not VALID_NAME.fullmatch(name):
        raise ValueError(
            f"nom de diffusion invalide {name!r} : lettres, chiffres, « . », « - » et « _ », "
            "64 caractères au plus, sans point initial"
        )
    if name.startswith(AUTO_PREFIX) and not automatic:
        raise ValueError(f"le préfixe « {AUTO_PREFIX} » est réservé aux diffusions automatiques")
    return name


def write_release(
    settings: Settings, name: str, *, automatic: bool = False, replace: bool = False
) -> Release:
    """Write the release ``name`` of the published snapshot."""
    started = time.monotonic()
    check_name(name, automatic)
    if not settings.published_db.exists():
        raise SnapshotMissing(
            f"aucun instantané publié ({settings.published_db}) : lancez d'abord « csf run »"
        )
    key = release_key(load_key(settings), name)
    docs = read_docs(ensure_manifest())
    contact = load_contacts(settings.contacts_file).service
    root = exports_dir(settings)
    with _lock(root):
        staging = root / f".{name}.{uuid.uuid4().hex}.tmp"
        try:
            staging.mkdir()
            snapshot_id, tables, anonymisation, previous = _write_all(
                settings, staging, name, key, docs, contact, automatic
            )
            target = root / name
            up_to_date = target.exists() and _identical(target, staging)
            if target.exists() and not up_to_date:
                if not replace:
                    raise ValueError(
                        f"la diffusion {name} existe déjà ({target}) avec d'autres données : "
                        "choisissez un nouveau nom (une diffusion est une version), ou "
                        "--remplacer"
                    )
                retired = root / f".{name}.{uuid.uuid4().hex}.ancienne"
                os.rename(target, retired)
                os.rename(staging, target)
                shutil.rmtree(retired)
            elif not up_to_date:
                os.rename(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if automatic:
            _prune(root, settings.auto_releases_keep)
    return Release(
        name=name,
        folder=target,
        snapshot_id=snapshot_id,
        tables=tables,
        anonymisation=anonymisation,
        up_to_date=up_to_date,
        seconds=time.monotonic() - started,
        previous=previous,
    )


def _write_all(
    settings: Settings,
    folder: Path,
    name: str,
    key: bytes,
    docs: dict,
    contact: Contact,
    automatic: bool,
) -> tuple[str, list[WrittenTable], list[Anonymisation], str | None]:
    # One read-only attachment for the whole release: every file comes from the same snapshot,
    # even if a publish swaps the file meanwhile.
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(settings.published_db)} as snap (read_only)")
        cursor = con.execute("select * from snap.meta.publication")
        names = [d[0] for d in cursor.description]
        publication = dict(zip(names, cursor.fetchall()[0], strict=True))
        anonymisation = prepare(con, key)
        (folder / "csv").mkdir()
        (folder / "parquet").mkdir()
        tables = [_write_table(con, table, folder) for table in TABLES]
        context = Context(
            name=name,
            publication=publication,
            sources=_sources(con),
            periods=_periods(con),
            anonymisation=anonymisation,
            years=tuple(
                year
                for (year,) in con.execute(
                    "select distinct periode from diffusion_indicateurs "
                    "where periode <> 'ensemble' order by periode"
                ).fetchall()
            ),
            academies=tuple(
                con.execute(
                    """
                    select code_niveau, min(libelle_niveau), bool_or(a.code_academie is not null)
                    from diffusion_indicateurs as i
                    left join diffusion_academies as a on a.code_academie = i.code_niveau
                    where i.niveau = 'academie'
                    group by code_niveau
                    order by code_niveau
                    """
                ).fetchall()
            ),
        )
    finally:
        con.close()
    (folder / "datapackage.json").write_text(
        docs_mod.json_text(docs_mod.datapackage(context, tables, docs)), encoding="utf-8"
    )
    (folder / "dictionnaire.md").write_text(
        docs_mod.dictionary(context, tables, docs), encoding="utf-8"
    )
    (folder / "notes-de-version.md").write_text(docs_mod.notes(context, tables), encoding="utf-8")
    previous = previous_release(
        folder.parent,
        name,
        publication["published_at"],
        automatic=automatic,
        auto_prefix=AUTO_PREFIX,
    )
    changes = compare(previous, folder, tables)
    (folder / "README.md").write_text(
        readme_mod.readme(context, tables, changes, contact, automatic=automatic),
        encoding="utf-8",
    )
    (folder / "CITATION.cff").write_text(readme_mod.citation(context, contact), encoding="utf-8")
    paths = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    (folder / "SHA256SUMS").write_text(docs_mod.sha256sums(folder, paths), encoding="utf-8")
    described = set(readme_mod.DOCUMENTS) | {f.path for t in tables for f in t.files}
    if described != {*paths, "SHA256SUMS"}:  # a file added here must be described there
        raise RuntimeError(
            f"fichiers non décrits par README.md : {described ^ {*paths, 'SHA256SUMS'}}"
        )
    return publication["snapshot_id"], tables, anonymisation, previous and previous.name


def _write_table(
    con: duckdb.DuckDBPyConnection, table: ReleasedTable, folder: Path
) -> WrittenTable:
    relation = f"diffusion_{table.name}"
    con.execute(f"create temp table {relation} as {table.query}")
    columns = [(row[0], row[1]) for row in con.execute(f"describe {relation}").fetchall()]
    order = f"order by {', '.join(table.order)}"
    # The CSV is made for spreadsheets: its text cells go through the one formula rule. The
    # Parquet file keeps the text as it is (typed columns, read by programs).
    spreadsheet = ", ".join(
        f"{neutralised_sql(identifier(name))} as {identifier(name)}"
        if kind == "VARCHAR"
        else identifier(name)
        for name, kind in columns
    )
    files = []
    for fmt, select, options in (
        (
            "csv",
            spreadsheet,
            "format csv, header true, delimiter ',', quote '\"', dateformat '%Y-%m-%d'",
        ),
        ("parquet", "*", "format parquet, compression zstd"),
    ):
        relative = f"{fmt}/{table.name}.{fmt}"
        query = f"select {select} from {relation} {order}"
        con.execute(f"copy ({query}) to {literal(folder / relative)} ({options})")
        path = folder / relative
        files.append(ReleaseFile(relative, fmt, path.stat().st_size, docs_mod.sha256(path)))
    rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
    hidden = 0
    if any(name == "diffusable" for name, _ in columns):
        hidden = con.execute(f"select count(*) from {relation} where not diffusable").fetchone()[0]
    codes = readme_mod.code_columns(con, relation, columns)
    return WrittenTable(table, columns, rows, files, hidden, codes)


def _sources(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cursor = con.execute(
        """
        select source, count(*) as fichiers, sum(lignes_propres) as lignes,
            max(enregistre_le)::date as recu_le
        from snap.marts.qualite_fichiers
        where est_courant and statut = 'loaded'
        group by source
        order by source
        """
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _periods(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    found = {
        "Marchés des clauses notifiés": "select min(date_notification), max(date_notification) "
        "from snap.marts.fct_clauses",
        "Parcours commencés": "select min(mois_debut), max(mois_debut) "
        "from snap.marts.fct_parcours",
        "Entrées à la MLDS du groupe de comparaison": "select min(mois_entree_mlds), "
        "max(mois_entree_mlds) from snap.marts.fct_jeunes_comparaison",
    }
    return {what: tuple(map(_month, con.execute(sql).fetchone())) for what, sql in found.items()}


def _month(value: date | None) -> str | None:
    return None if value is None else format_date(value, "MMMM yyyy", locale="fr_FR")


def _identical(a: Path, b: Path) -> bool:
    """Same files with the same bytes (each file hashed: the existing release may have been
    edited by hand since it was written)."""

    def digests(root: Path) -> dict[str, str]:
        return {
            p.relative_to(root).as_posix(): docs_mod.sha256(p)
            for p in root.rglob("*")
            if p.is_file()
        }

    return digests(a) == digests(b)


def _prune(root: Path, keep: int) -> None:
    """Keep the newest automatic releases only (their names sort by publication time)."""
    automatic = sorted(p for p in root.glob(f"{AUTO_PREFIX}*") if p.is_dir())
    for old in automatic[: max(len(automatic) - keep, 0)]:
        shutil.rmtree(old)


@contextmanager
def _lock(root: Path) -> Iterator[None]:
    """One export at a time per CSF_HOME; leftovers of an interrupted one are removed under it."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".verrou").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for leftover in root.glob(".*.tmp"):
                shutil.rmtree(leftover, ignore_errors=True)
            for leftover in root.glob(".*.ancienne"):
                _restore(root, leftover)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _restore(root: Path, retired: Path) -> None:
    """A crash between the two renames of a replacement: put the old release back if the new
    one is missing, else drop the old one."""
    name = retired.name[1:].rsplit(".", 2)[0]
    if (root / name).exists():
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(retired, root / name)
