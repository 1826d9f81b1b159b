"""Reader for DECP procurement open data, JSON schemas v1.5 (2019) and v2 (2022).

Records are extracted with DuckDB's JSON functions, not Python objects. Quirks are kept, not
rejected: ``dureeMois: "NC"`` and text amounts become null next to their raw text; the social
consideration field is absent in v1.5 and stays null (unknown), never false.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.duck import fetch_polars
from pipelines.ingest.errors import FileRejected

MAX_OBJECT_BYTES = 2**32 - 1  # DuckDB caps maximum_object_size at UINT32

# Pass 1 lists every record once, with its position and kind; v1.5 mixes concessions into the
# "marches" array (recognised by their granting authority), v2 keeps them in their own list.
_RECORDS_SQL = """
create temp table records as
with doc as (
    select json->'$.marches' as m from read_json_objects($path, format='auto',
        maximum_object_size={max_bytes})
),
lists as (
    select '1.5' as schema_version, unnest(m->'$[*]') as rec
    from doc where json_type(m) = 'ARRAY'
    union all
    select '2', unnest(coalesce(m->'$.marche[*]', [])) from doc where json_type(m) = 'OBJECT'
    union all
    select '2', unnest(coalesce(m->'$."contrat-concession"[*]', []))
    from doc where json_type(m) = 'OBJECT'
)
select
    row_number() over () as record_number,
    schema_version,
    case
        when json_type(rec->'$.autoriteConcedante') = 'OBJECT'
            or (rec->>'$._type') = 'Contrat de concession' then 'concession'
        else 'marche'
    end as kind,
    rec
from lists
"""

# Pass 2 turns each contract into its raw-table row plus the rule it breaks (null when clean).
_MARCHES_SQL = """
with extracted as (
    select
        record_number,
        schema_version,
        nullif(trim(rec->>'$.id'), '') as id,
        nullif(trim(rec->>'$.acheteur.id'), '') as acheteur_id,
        nullif(trim(rec->>'$.uid'), '') as uid_publie,
        rec->>'$.acheteur.nom' as acheteur_nom,
        rec->>'$.nature' as nature,
        rec->>'$.objet' as objet,
        rec->>'$.codeCPV' as code_cpv,
        rec->>'$.procedure' as procedure,
        rec->>'$.lieuExecution.code' as lieu_execution_code,
        rec->>'$.lieuExecution.typeCode' as lieu_execution_type,
        rec->>'$.dureeMois' as duree_mois_brut,
        rec->>'$.dateNotification' as date_notification_brut,
        rec->>'$.datePublicationDonnees' as date_publication_brut,
        rec->>'$.montant' as montant_brut,
        rec->>'$.formePrix' as forme_prix,
        list_transform(
            coalesce(rec->'$.titulaires[*]', []),
            lambda t: coalesce(t->'$.titulaire', t)
        ) as titulaires_liste,
        case when schema_version = '2'
             then list_transform(
                coalesce(rec->'$.considerationsSociales.considerationSociale[*]', []),
                lambda c: c->>'$')
        end as considerations_sociales,
        rec->'$.modifications' as modifications,
        rec
    from records
    where kind = 'marche'
)
select
    record_number,
    schema_version,
    coalesce(uid_publie, acheteur_id || id) as uid,
    id,
    acheteur_id,
    acheteur_nom,
    nature,
    objet,
    code_cpv,
    procedure,
    lieu_execution_code,
    lieu_execution_type,
    duree_mois_brut,
    try_cast(duree_mois_brut as integer) as duree_mois,
    try_cast(left(date_notification_brut, 10) as date) as date_notification,
    try_cast(left(date_publication_brut, 10) as date) as date_publication_donnees,
    montant_brut,
    try_cast(montant_brut as double) as montant,
    forme_prix,
    to_json(list_transform(titulaires_liste, lambda t: {
        'type_identifiant': t->>'$.typeIdentifiant',
        'id': t->>'$.id',
        'denomination': t->>'$.denominationSociale'
    })) as titulaires,
    titulaires_liste[1]->>'$.id' as titulaire_principal_id,
    titulaires_liste[1]->>'$.typeIdentifiant' as titulaire_principal_type,
    considerations_sociales,
    list_contains(considerations_sociales, 'Clause sociale') as a_clause_sociale,
    modifications,
    case
        when id is null then 'valeur_manquante:id'
        when acheteur_id is null then 'valeur_manquante:acheteur.id'
        when date_notification_brut is null then 'valeur_manquante:dateNotification'
        when try_cast(left(date_notification_brut, 10) as date) is null
            then 'date_invalide:dateNotification'
    end as _rule,
    rec::varchar as _record
from extracted
order by record_number
"""

_CONCESSIONS_SQL = """
select
    record_number,
    schema_version,
    coalesce(rec->>'$.uid', (rec->>'$.autoriteConcedante.id') || (rec->>'$.id')) as uid,
    rec->>'$.id' as id,
    rec->>'$.autoriteConcedante.id' as autorite_concedante_id,
    rec->>'$.nature' as nature,
    rec->>'$.objet' as objet,
    try_cast(left(rec->>'$.dateSignature', 10) as date) as date_signature,
    try_cast(rec->>'$.valeurGlobale' as double) as valeur_globale,
    case when schema_version = '2'
         then list_transform(
            coalesce(rec->'$.considerationsSociales.considerationSociale[*]', []),
            lambda c: c->>'$')
    end as considerations_sociales,
    case
        when nullif(trim(rec->>'$.id'), '') is null then 'valeur_manquante:id'
        when nullif(trim(rec->>'$.autoriteConcedante.id'), '') is null
            then 'valeur_manquante:autoriteConcedante.id'
    end as _rule,
    rec::varchar as _record
from records
where kind = 'concession'
order by record_number
"""


@dataclass
class DecpLoad:
    """Contracts and concessions from one DECP file, each split into clean and quarantined."""

    marches: pl.DataFrame
    concessions: pl.DataFrame
    quarantine: pl.DataFrame  # line_number (record position), rule, record
    schema_version: str
    is_synthetic: bool

    @property
    def rows_read(self) -> int:
        return self.marches.height + self.concessions.height + self.quarantine.height


def read_decp(path: Path) -> DecpLoad:
    """Read one DECP JSON file (either wrapper); raise FileRejected if it is not one."""
    con = duckdb.connect()
    try:
        head = con.execute(
            "select json_type(json->'$.marches'), json->>'$.donneesSynthetiques' = 'true' "
            f"from read_json_objects(?, format='auto', maximum_object_size={MAX_OBJECT_BYTES})",
            [str(path)],
        ).fetchall()
        if len(head) != 1 or head[0][0] not in ("ARRAY", "OBJECT"):
            raise FileRejected("JSON sans tableau « marches » : ce n'est pas un fichier DECP")
        schema_version = "1.5" if head[0][0] == "ARRAY" else "2"
        con.execute(_RECORDS_SQL.format(max_bytes=MAX_OBJECT_BYTES), {"path": str(path)})
        marches = fetch_polars(con, _MARCHES_SQL)
        concessions = fetch_polars(con, _CONCESSIONS_SQL)
    except (duckdb.InvalidInputException, duckdb.IOException) as exc:  # bad input, not bugs
        raise FileRejected(f"JSON illisible ou tronqué : {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()

    quarantine = pl.concat(
        [
            frame.filter(pl.col("_rule").is_not_null()).select(
                pl.col("record_number").alias("line_number"),
                pl.col("_rule").alias("rule"),
                pl.col("_record").alias("record"),
            )
            for frame in (marches, concessions)
        ]
    ).sort("line_number")

    def clean(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.filter(pl.col("_rule").is_null())
            .drop("_rule", "_record")
            .rename({"record_number": "_line_number"})
        )

    return DecpLoad(
        clean(marches), clean(concessions), quarantine, schema_version, bool(head[0][1])
    )
