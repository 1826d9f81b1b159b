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

K_ANONYMITY = 5
QUASI_IDENTIFIERS = ("sexe", "tranche_age", "code_academie", "annee_entree_mlds")
# Once académie is generalised, the class is read at région level, generalised records apart.
GENERALISED_QUASI_IDENTIFIERS = (
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
RELEASABLE_CODES: dict[str, frozenset[str]] = {
    "motif_interruption": code_set(MOTIFS_INTERRUPTION),
    "derniere_classe": code_set(DERNIERES_CLASSES),
}


def _listed_codes(column: str) -> str:
    return ", ".join(sorted(RELEASABLE_CODES[column]))


_INTERRUPTION_REASON = (
    "Motif d'interruption du parcours, codé (" + _listed_codes("motif_interruption") + ") ; "
    f"« {CODE_AUTRE} » pour tout texte hors de la liste revue. Le texte saisi par l'opérateur ne "
    "quitte pas l'entrepôt ; une raison de santé est comptée dans « raisons_personnelles »."
)
_LAST_CLASS = (
    "Dernière classe fréquentée, codée (" + _listed_codes("derniere_classe") + ") ; "
    f"« {CODE_AUTRE} » pour tout libellé hors de la liste revue."
)
_SECTOR = (
    "Secteur d'activité de l'entreprise d'accueil, tel que saisi au registre des clauses, quand "
    f"au moins {K_ANONYMITY} entreprises d'accueil de la diffusion le partagent ; « {CODE_AUTRE} » "
    "sinon (un secteur rare désignerait l'entreprise, donc le jeune)."
)
# The mart's description cites the project's methodology file, which a release does not hold.
_CLAUSE_LINK = (
    "clause_connue si la clause figure au registre ; sinon clause_absente (absente du registre), "
    "clause_en_quarantaine (écartée du registre à l'ingestion) ou sans_identifiant_clause. Un "
    "parcours sans clause connue compte côté jeunes, pas dans les indicateurs des clauses."
)
_GENERALISED = (
    f"Vrai si l'académie a été retirée parce que moins de {K_ANONYMITY} jeunes partageaient le "
    "sexe, la tranche d'âge, l'académie et l'année d'entrée à la MLDS de cet enregistrement."
)


@dataclass(frozen=True)
class Microdata:
    """One microdata table: its source mart and what leaves it."""

    name: str
    model: str
    title: str
    key: tuple[str, ...]
    identifiers: tuple[str, ...]  # columns re-keyed for the release
    withheld: tuple[str, ...]  # columns that never leave the warehouse
    withheld_note: str  # the same, said in French
    columns: dict[str, str]
    # Coded free-text columns: a value outside the reviewed set is released as CODE_AUTRE.
    codes: tuple[str, ...] = field(default=())
    # Free-text columns with no reviewed set, and the column whose distinct values a value of
    # theirs must be shared by (at least K_ANONYMITY) to be released; otherwise CODE_AUTRE.
    grouped: dict[str, str] = field(default_factory=dict)


MICRODATA = (
    Microdata(
        name="microdonnees_parcours",
        model="fct_parcours",
        title="Microdonnées : un enregistrement par parcours CSF",
        key=("parcours_id",),
        identifiers=("parcours_id", "jeune_id"),
        withheld=("clause_id", "siret_acheteur", "siret_entreprise"),
        withheld_note=(
            "Ni la clause, ni l'acheteur, ni l'entreprise d'accueil : ils désigneraient le jeune "
            "à qui connaît l'entreprise."
        ),
        columns={
            "parcours_id": "Identifiant du parcours propre à cette diffusion (HMAC-SHA-256).",
            "jeune_id": _ID_JEUNE,
            "code_academie": _ACADEMIE,
            "libelle_region_academique": _REGION,
            "academie_generalisee": _GENERALISED,
            "motif_interruption": _INTERRUPTION_REASON,
            "derniere_classe": _LAST_CLASS,
            "secteur": _SECTOR,
            "rattachement_clause": _CLAUSE_LINK,
        },
        codes=("motif_interruption", "derniere_classe"),
        # The register's sector is typed by buyers: a rare one would name the host company.
        grouped={"secteur": "siret_entreprise"},
    ),
    Microdata(
        name="microdonnees_jeunes_comparaison",
        model="fct_jeunes_comparaison",
        title="Microdonnées : un enregistrement par jeune du groupe de comparaison",
        key=("jeune_id",),
        identifiers=("jeune_id",),
        withheld=(),
        withheld_note="",
        columns={
            "jeune_id": _ID_JEUNE,
            "code_academie": _ACADEMIE,
            "libelle_region_academique": _REGION,
            "academie_generalisee": _GENERALISED,
            "derniere_classe": _LAST_CLASS,
        },
        codes=("derniere_classe",),
    ),
)


@dataclass(frozen=True)
class Anonymisation:
    """What k-anonymity did to one microdata table."""

    table: str
    records: int  # rows of the mart
    jeunes: int
    generalised: int  # rows released with their région académique instead of their académie
    suppressed: int  # rows left out
    released: int


def release_key(warehouse_key: bytes, name: str) -> bytes:
    """The release's re-keying key, derived from the warehouse key and the release name."""
    return hmac.digest(warehouse_key, f"csf-diffusion:{name}".encode(), "sha256")


def _rekeyer(key: bytes):
    def rekey(domains: pa.Array, values: pa.Array) -> pa.Array:
        # An HMAC per value has no vectorised form; the domain keeps a parcours id and a youth id
        # that happen to be equal from getting the same pseudonym.
        return pa.array(
            [
                None
                if value is None
                else hmac.digest(key, f"{domain}:{value}".encode(), "sha256").hex()
                for domain, value in zip(domains.to_pylist(), values.to_pylist(), strict=True)
            ],
            type=pa.string(),
        )

    return rekey


def prepare(con: duckdb.DuckDBPyConnection, key: bytes) -> list[Anonymisation]:
    """Build each microdata table as a temp table of ``con`` (snapshot attached as ``snap``)."""
    con.create_function(
        "rekey",
        _rekeyer(key),
        [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        type="arrow",
    )
    return [_anonymise(con, micro) for micro in MICRODATA]


def _closed(column: str) -> str:
    """SQL keeping a coded column's value only if it is one of the reviewed codes."""
    codes = ", ".join(f"'{code}'" for code in sorted(RELEASABLE_CODES[column]))
    return (
        f"case when source.{column} is null then null when source.{column} in ({codes}) "
        f"then source.{column} else '{CODE_AUTRE}' end as {column}"
    )


def _anonymise(con: duckdb.DuckDBPyConnection, micro: Microdata) -> Anonymisation:
    exclude = f"exclude ({', '.join(micro.withheld)})" if micro.withheld else ""
    for column, holder in micro.grouped.items():
        con.execute(
            f"""
            create or replace temp table {micro.name}_{column}_courants as
            select {column} as valeur
            from snap.marts.{micro.model}
            where {column} is not null
            group by {column}
            having count(distinct {holder}) >= {K_ANONYMITY}
            """
        )
    replace = ", ".join(
        [f"rekey('{c}', source.{c}) as {c}" for c in micro.identifiers]
        + [_closed(c) for c in micro.codes]
        + [
            f"case when source.{c} is null then null when source.{c} in (select valeur from "
            f"{micro.name}_{c}_courants) then source.{c} else '{CODE_AUTRE}' end as {c}"
            for c in micro.grouped
        ]
    )
    qi = ", ".join(QUASI_IDENTIFIERS)
    qi_generalised = ", ".join(GENERALISED_QUASI_IDENTIFIERS)
    con.execute(
        f"""
        create or replace temp table {micro.name}_classes as
        with recodes as (
            select
                source.* {exclude} replace ({replace}),
                academies.libelle_region_academique
            from snap.marts.{micro.model} as source
            left join snap.marts.dim_academies as academies using (code_academie)
        )
        select
            *,
            count(distinct jeune_id) over (partition by {qi}) < {K_ANONYMITY}
                as academie_generalisee
        from recodes
        """
    )
    con.execute(
        f"""
        create or replace temp table {micro.name} as
        with generalises as (
            select
                * replace (
                    case when academie_generalisee then null else code_academie end
                        as code_academie
                ),
                count(distinct jeune_id) over (partition by {qi_generalised}) as nb_classe
            from {micro.name}_classes
        )
        select * exclude (nb_classe)
        from generalises
        where not academie_generalisee or nb_classe >= {K_ANONYMITY}
        """
    )
    total, jeunes = con.execute(
        f"select count(*), count(distinct jeune_id) from {micro.name}_classes"
    ).fetchone()
    released, generalised = con.execute(
        f"select count(*), count(*) filter (where academie_generalisee) from {micro.name}"
    ).fetchone()
    con.execute(f"drop table {micro.name}_classes")
    for column in micro.grouped:
        con.execute(f"drop table {micro.name}_{column}_courants")
    return Anonymisation(
        table=micro.name,
        records=total,
        jeunes=jeunes,
        generalised=generalised,
        suppressed=total - released,
        released=released,
    )
