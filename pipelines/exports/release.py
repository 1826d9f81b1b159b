"""Write a research release to ``$CSF_HOME/exports/<name>/`` from the published snapshot.

The files are written in a hidden staging folder and moved into place at the end, so a failed
export leaves the previous release of that name as it was. A release name is a version: an
existing release is only rewritten with the same bytes, unless replacing is asked for.
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

from pipelines.dbt.manifest import ensure_manifest
from pipelines.exports import documentation as docs_mod
from pipelines.exports.dbt_docs import lire_docs
from pipelines.exports.documentation import Contexte, Fichier, TableEcrite
from pipelines.exports.microdata import Anonymisation, cle_diffusion, prepare
from pipelines.exports.tables import TABLES, TableDiffusee
from pipelines.ingest.privacy import load_key
from pipelines.settings import Settings
from pipelines.warehouse.snapshot import SnapshotMissing

NOM_VALIDE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
PREFIXE_AUTO = "auto-"
# Automatic releases (one per publish) kept besides the named ones, which are never pruned.


@dataclass(frozen=True)
class Diffusion:
    """A release as written (or found already written, byte for byte)."""

    nom: str
    dossier: Path
    instantane: str
    tables: list[TableEcrite]
    anonymisation: list[Anonymisation]
    deja_a_jour: bool
    secondes: float


def exports_dir(settings: Settings) -> Path:
    """Where releases are written."""
    return settings.home / "exports"


def verifier_nom(nom: str, automatique: bool = False) -> str:
    """A release name safe as a folder name and as a version label."""
    if not NOM_VALIDE.fullmatch(nom):
        raise ValueError(
            f"nom de diffusion invalide {nom!r} : lettres, chiffres, « . », « - » et « _ », "
            "64 caractères au plus, sans point initial"
        )
    if nom.startswith(PREFIXE_AUTO) and not automatique:
        raise ValueError(f"le préfixe « {PREFIXE_AUTO} » est réservé aux diffusions automatiques")
    return nom


def write_release(
    settings: Settings, nom: str, *, automatique: bool = False, remplacer: bool = False
) -> Diffusion:
    """Write the release ``nom`` of the published snapshot."""
    started = time.monotonic()
    verifier_nom(nom, automatique)
    if not settings.published_db.exists():
        raise SnapshotMissing(
            f"aucun instantané publié ({settings.published_db}) : lancez d'abord « csf run »"
        )
    cle = cle_diffusion(load_key(settings), nom)
    docs = lire_docs(ensure_manifest())
    root = exports_dir(settings)
    with _verrou(root):
        staging = root / f".{nom}.{uuid.uuid4().hex}.tmp"
        try:
            staging.mkdir()
            instantane, tables, anonymisation = _ecrire_tout(settings, staging, nom, cle, docs)
            target = root / nom
            deja_a_jour = target.exists() and _identiques(target, staging)
            if target.exists() and not deja_a_jour:
                if not remplacer:
                    raise ValueError(
                        f"la diffusion {nom} existe déjà ({target}) avec d'autres données : "
                        "choisissez un nouveau nom (une diffusion est une version), ou "
                        "--remplacer"
                    )
                retired = root / f".{nom}.{uuid.uuid4().hex}.ancienne"
                os.rename(target, retired)
                os.rename(staging, target)
                shutil.rmtree(retired)
            elif not deja_a_jour:
                os.rename(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if automatique:
            _elaguer(root, settings.auto_releases_keep)
    return Diffusion(
        nom=nom,
        dossier=target,
        instantane=instantane,
        tables=tables,
        anonymisation=anonymisation,
        deja_a_jour=deja_a_jour,
        secondes=time.monotonic() - started,
    )


def _ecrire_tout(
    settings: Settings, dossier: Path, nom: str, cle: bytes, docs: dict
) -> tuple[str, list[TableEcrite], list[Anonymisation]]:
    # One read-only attachment for the whole release: every file comes from the same snapshot,
    # even if a publish swaps the file meanwhile.
    con = duckdb.connect()
    try:
        con.execute(f"attach '{_sql_texte(settings.published_db)}' as snap (read_only)")
        cursor = con.execute("select * from snap.meta.publication")
        names = [d[0] for d in cursor.description]
        publication = dict(zip(names, cursor.fetchall()[0], strict=True))
        anonymisation = prepare(con, cle)
        (dossier / "csv").mkdir()
        (dossier / "parquet").mkdir()
        tables = [_ecrire_table(con, table, dossier) for table in TABLES]
        contexte = Contexte(
            nom=nom,
            publication=publication,
            sources=_sources(con),
            periodes=_periodes(con),
            anonymisation=anonymisation,
        )
    finally:
        con.close()
    (dossier / "datapackage.json").write_text(
        docs_mod.json_texte(docs_mod.datapackage(contexte, tables, docs)), encoding="utf-8"
    )
    (dossier / "dictionnaire.md").write_text(
        docs_mod.dictionnaire(contexte, tables, docs), encoding="utf-8"
    )
    (dossier / "notes-de-version.md").write_text(docs_mod.notes(contexte, tables), encoding="utf-8")
    chemins = [p.relative_to(dossier).as_posix() for p in dossier.rglob("*") if p.is_file()]
    (dossier / "SHA256SUMS").write_text(docs_mod.sha256sums(dossier, chemins), encoding="utf-8")
    return publication["snapshot_id"], tables, anonymisation


def _ecrire_table(
    con: duckdb.DuckDBPyConnection, table: TableDiffusee, dossier: Path
) -> TableEcrite:
    relation = f"diffusion_{table.nom}"
    con.execute(f"create temp table {relation} as {table.requete}")
    colonnes = [(row[0], row[1]) for row in con.execute(f"describe {relation}").fetchall()]
    ordered = f"select * from {relation} order by {', '.join(table.ordre)}"
    fichiers = []
    for fmt, options in (
        ("csv", "format csv, header true, delimiter ',', quote '\"', dateformat '%Y-%m-%d'"),
        ("parquet", "format parquet, compression zstd"),
    ):
        chemin = f"{fmt}/{table.nom}.{fmt}"
        con.execute(f"copy ({ordered}) to '{_sql_texte(dossier / chemin)}' ({options})")
        path = dossier / chemin
        fichiers.append(Fichier(chemin, fmt, path.stat().st_size, docs_mod.sha256(path)))
    lignes = con.execute(f"select count(*) from {relation}").fetchone()[0]
    masquees = 0
    if any(name == "diffusable" for name, _ in colonnes):
        masquees = con.execute(f"select count(*) from {relation} where not diffusable").fetchone()[
            0
        ]
    return TableEcrite(table, colonnes, lignes, fichiers, masquees)


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


def _periodes(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    found = {
        "Marchés des clauses notifiés": "select min(date_notification), max(date_notification) "
        "from snap.marts.fct_clauses",
        "Parcours commencés": "select min(mois_debut), max(mois_debut) "
        "from snap.marts.fct_parcours",
        "Entrées à la MLDS du groupe de comparaison": "select min(mois_entree_mlds), "
        "max(mois_entree_mlds) from snap.marts.fct_jeunes_comparaison",
    }
    return {what: tuple(map(_mois, con.execute(sql).fetchone())) for what, sql in found.items()}


def _mois(value: date | None) -> str | None:
    return None if value is None else format_date(value, "MMMM yyyy", locale="fr_FR")


def _identiques(a: Path, b: Path) -> bool:
    """Same files with the same bytes (each file hashed: the existing release may have been
    edited by hand since it was written)."""

    def digests(root: Path) -> dict[str, str]:
        return {
            p.relative_to(root).as_posix(): docs_mod.sha256(p)
            for p in root.rglob("*")
            if p.is_file()
        }

    return digests(a) == digests(b)


def _elaguer(root: Path, garder: int) -> None:
    """Keep the newest automatic releases only (their names sort by publication time)."""
    automatic = sorted(p for p in root.glob(f"{PREFIXE_AUTO}*") if p.is_dir())
    for old in automatic[: max(len(automatic) - garder, 0)]:
        shutil.rmtree(old)


@contextmanager
def _verrou(root: Path) -> Iterator[None]:
    """One export at a time per CSF_HOME; leftovers of an interrupted one are removed under it."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".verrou").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for leftover in root.glob(".*.tmp"):
                shutil.rmtree(leftover, ignore_errors=True)
            for leftover in root.glob(".*.ancienne"):
                _restaurer(root, leftover)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _restaurer(root: Path, retired: Path) -> None:
    """A crash between the two renames of a replacement: put the old release back if the new
    one is missing, else drop the old one."""
    nom = retired.name[1:].rsplit(".", 2)[0]
    if (root / nom).exists():
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(retired, root / nom)


def _sql_texte(path: Path) -> str:
    return str(path).replace("'", "''")
