"""Microdata for researchers: one row per parcours and per comparison youth, made k-anonymous.

Identifiers are re-keyed for each release: HMAC-SHA-256 under a key derived from the warehouse's
pseudonymisation key and the release name, so two releases cannot be joined on their ids, and
neither can a release and the warehouse. Then k-anonymity (indicators.md) on the quasi-identifiers
(sex, age band, académie, MLDS entry year), counted in distinct youths: a record of a class smaller
than k has its académie replaced by its région académique; generalised records of a class still
smaller than k (counted among generalised records only, since a reader can tell the two kinds
apart) are suppressed. Every class left then holds at least k youths.

Free text never leaves the warehouse: the columns operators type freely (motif of interruption,
last class attended) are read as codes of a reviewed closed set at ingestion
(``pipelines/ingest/codes/``), and a release writes a value outside that set as ``autre``, whatever
the mart holds. The host company's sector, typed by buyers in the register, is released only when
at least k host companies of the release share it, else as ``autre``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from pipelines.ingest.sources import (
    CODE_AUTRE,
    DERNIERES_CLASSES,
    MOTIFS_INTERRUPTION,
    code_set,
)

K_ANONYMAT = 5
QUASI_IDENTIFIANTS = ("sexe", "tranche_age", "code_academie", "annee_entree_mlds")
# Once académie is generalised, the class is read at région level, generalised records apart.
QUASI_IDENTIFIANTS_GENERALISES = (
    "sexe",
    "tranche_age",
    "libelle_region_academique",
    "annee_entree_mlds",
    "academie_generalisee",
)

_ID_JEUNE = (
    "Pseudonyme du jeune propre à cette diffusion (HMAC-SHA-256 sous une clé dérivée du nom de la "
    "diffusion) : il relie les lignes d'un même jeune dans cette diffusion, mais ni l'entrepôt "
    "ni une autre diffusion."
)
_ACADEMIE = (
    "Académie du jeune ; vide quand elle a été remplacée par sa région académique pour le "
    "k-anonymat (academie_generalisee vrai) ou quand elle est inconnue."
)
_REGION = "Région académique de l'académie du jeune."
# Coded free-text columns: every value a release may hold.
CODES_DIFFUSABLES: dict[str, frozenset[str]] = {
    "motif_interruption": code_set(MOTIFS_INTERRUPTION),
    "derniere_classe": code_set(DERNIERES_CLASSES),
}


def _codes_dits(colonne: str) -> str:
    return ", ".join(sorted(CODES_DIFFUSABLES[colonne]))


_MOTIF = (
    "Motif d'interruption du parcours, codé (" + _codes_dits("motif_interruption") + ") ; "
    f"« {CODE_AUTRE} » pour tout texte hors de la liste revue. Le texte saisi par l'opérateur ne "
    "quitte pas l'entrepôt ; une raison de santé est comptée dans « raisons_personnelles »."
)
_CLASSE = (
    "Dernière classe fréquentée, codée (" + _codes_dits("derniere_classe") + ") ; "
    f"« {CODE_AUTRE} » pour tout libellé hors de la liste revue."
)
_SECTEUR = (
    "Secteur d'activité de l'entreprise d'accueil, tel que saisi au registre des clauses, quand "
    f"au moins {K_ANONYMAT} entreprises d'accueil de la diffusion le partagent ; « {CODE_AUTRE} » "
    "sinon (un secteur rare désignerait l'entreprise, donc le jeune)."
)
_GENERALISEE = (
    f"Vrai si l'académie a été retirée parce que moins de {K_ANONYMAT} jeunes partageaient le "
    "sexe, la tranche d'âge, l'académie et l'année d'entrée à la MLDS de cet enregistrement."
)


@dataclass(frozen=True)
class Microdonnees:
    """One microdata table: its source mart and what leaves it."""

    nom: str
    modele: str
    titre: str
    cle: tuple[str, ...]
    identifiants: tuple[str, ...]  # columns re-keyed for the release
    retires: tuple[str, ...]  # columns that never leave the warehouse
    retrait: str  # the same, said in French
    colonnes: dict[str, str]
    # Coded free-text columns: a value outside the reviewed set is released as CODE_AUTRE.
    codes: tuple[str, ...] = field(default=())
    # Free-text columns with no reviewed set, and the column whose distinct values a value of
    # theirs must be shared by (at least K_ANONYMAT) to be released; otherwise CODE_AUTRE.
    regroupes: dict[str, str] = field(default_factory=dict)


MICRODONNEES = (
    Microdonnees(
        nom="microdonnees_parcours",
        modele="fct_parcours",
        titre="Microdonnées : un enregistrement par parcours CSF",
        cle=("parcours_id",),
        identifiants=("parcours_id", "jeune_id"),
        retires=("clause_id", "siret_acheteur", "siret_entreprise"),
        retrait=(
            "Ni la clause, ni l'acheteur, ni l'entreprise d'accueil : ils désigneraient le jeune "
            "à qui connaît l'entreprise."
        ),
        colonnes={
            "parcours_id": "Identifiant du parcours propre à cette diffusion (HMAC-SHA-256).",
            "jeune_id": _ID_JEUNE,
            "code_academie": _ACADEMIE,
            "libelle_region_academique": _REGION,
            "academie_generalisee": _GENERALISEE,
            "motif_interruption": _MOTIF,
            "derniere_classe": _CLASSE,
            "secteur": _SECTEUR,
        },
        codes=("motif_interruption", "derniere_classe"),
        # The register's sector is typed by buyers: a rare one would name the host company.
        regroupes={"secteur": "siret_entreprise"},
    ),
    Microdonnees(
        nom="microdonnees_jeunes_comparaison",
        modele="fct_jeunes_comparaison",
        titre="Microdonnées : un enregistrement par jeune du groupe de comparaison",
        cle=("jeune_id",),
        identifiants=("jeune_id",),
        retires=(),
        retrait="",
        colonnes={
            "jeune_id": _ID_JEUNE,
            "code_academie": _ACADEMIE,
            "libelle_region_academique": _REGION,
            "academie_generalisee": _GENERALISEE,
            "derniere_classe": _CLASSE,
        },
        codes=("derniere_classe",),
    ),
)


@dataclass(frozen=True)
class Anonymisation:
    """What k-anonymity did to one microdata table."""

    table: str
    enregistrements: int  # rows of the mart
    jeunes: int
    generalises: int  # rows released with their région académique instead of their académie
    supprimes: int  # rows left out
    diffuses: int


def cle_diffusion(cle_entrepot: bytes, nom: str) -> bytes:
    """The release's re-keying key, derived from the warehouse key and the release name."""
    return hmac.digest(cle_entrepot, f"csf-diffusion:{nom}".encode(), "sha256")


def _recodeur(cle: bytes):
    def recoder(domaines: pa.Array, valeurs: pa.Array) -> pa.Array:
        # An HMAC per value has no vectorised form; the domain keeps a parcours id and a youth id
        # that happen to be equal from getting the same pseudonym.
        return pa.array(
            [
                None
                if valeur is None
                else hmac.digest(cle, f"{domaine}:{valeur}".encode(), "sha256").hex()
                for domaine, valeur in zip(domaines.to_pylist(), valeurs.to_pylist(), strict=True)
            ],
            type=pa.string(),
        )

    return recoder


def prepare(con: duckdb.DuckDBPyConnection, cle: bytes) -> list[Anonymisation]:
    """Build each microdata table as a temp table of ``con`` (snapshot attached as ``snap``)."""
    con.create_function(
        "recoder",
        _recodeur(cle),
        [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        type="arrow",
    )
    return [_anonymise(con, micro) for micro in MICRODONNEES]


def _closed(colonne: str) -> str:
    """SQL keeping a coded column's value only if it is one of the reviewed codes."""
    codes = ", ".join(f"'{code}'" for code in sorted(CODES_DIFFUSABLES[colonne]))
    return (
        f"case when source.{colonne} is null then null when source.{colonne} in ({codes}) "
        f"then source.{colonne} else '{CODE_AUTRE}' end as {colonne}"
    )


def _anonymise(con: duckdb.DuckDBPyConnection, micro: Microdonnees) -> Anonymisation:
    exclude = f"exclude ({', '.join(micro.retires)})" if micro.retires else ""
    for colonne, porteur in micro.regroupes.items():
        con.execute(
            f"""
            create or replace temp table {micro.nom}_{colonne}_courants as
            select {colonne} as valeur
            from snap.marts.{micro.modele}
            where {colonne} is not null
            group by {colonne}
            having count(distinct {porteur}) >= {K_ANONYMAT}
            """
        )
    replace = ", ".join(
        [f"recoder('{c}', source.{c}) as {c}" for c in micro.identifiants]
        + [_closed(c) for c in micro.codes]
        + [
            f"case when source.{c} is null then null when source.{c} in (select valeur from "
            f"{micro.nom}_{c}_courants) then source.{c} else '{CODE_AUTRE}' end as {c}"
            for c in micro.regroupes
        ]
    )
    qi = ", ".join(QUASI_IDENTIFIANTS)
    qi_generalises = ", ".join(QUASI_IDENTIFIANTS_GENERALISES)
    con.execute(
        f"""
        create or replace temp table {micro.nom}_classes as
        with recodes as (
            select
                source.* {exclude} replace ({replace}),
                academies.libelle_region_academique
            from snap.marts.{micro.modele} as source
            left join snap.marts.dim_academies as academies using (code_academie)
        )
        select
            *,
            count(distinct jeune_id) over (partition by {qi}) < {K_ANONYMAT}
                as academie_generalisee
        from recodes
        """
    )
    con.execute(
        f"""
        create or replace temp table {micro.nom} as
        with generalises as (
            select
                * replace (
                    case when academie_generalisee then null else code_academie end
                        as code_academie
                ),
                count(distinct jeune_id) over (partition by {qi_generalises}) as nb_classe
            from {micro.nom}_classes
        )
        select * exclude (nb_classe)
        from generalises
        where not academie_generalisee or nb_classe >= {K_ANONYMAT}
        """
    )
    total, jeunes = con.execute(
        f"select count(*), count(distinct jeune_id) from {micro.nom}_classes"
    ).fetchone()
    diffuses, generalises = con.execute(
        f"select count(*), count(*) filter (where academie_generalisee) from {micro.nom}"
    ).fetchone()
    con.execute(f"drop table {micro.nom}_classes")
    for colonne in micro.regroupes:
        con.execute(f"drop table {micro.nom}_{colonne}_courants")
    return Anonymisation(
        table=micro.nom,
        enregistrements=total,
        jeunes=jeunes,
        generalises=generalises,
        supprimes=total - diffuses,
        diffuses=diffuses,
    )
