"""Check digit of every SIRET the warehouse holds (DECP buyers and holders, clause register).

A Python model because the rule lives in python-stdnum (Luhn, with La Poste's exception), which
is better kept than a hand-written SQL Luhn. A failed check is a flag, never a rejection.
"""

import polars as pl
from stdnum.fr import siret

# Holders as first published and as set by modifications, in both the v2 (wrapped) and the
# v1.5 (flat) shapes.
DECP_IDENTIFIERS = """
select acheteur_id as siret from marches
union
select unnest(list_concat(
    json_extract_string(titulaires, '$[*].titulaire.id'),
    json_extract_string(titulaires, '$[*].id'),
    json_extract_string(modifications, '$[*].modification.titulaires[*].titulaire.id'),
    json_extract_string(modifications, '$[*].titulaires[*].id')
))
from marches
"""
REGISTER_IDENTIFIERS = """
select siret_acheteur as siret from clauses
union
select siret_titulaire from clauses
"""


def model(dbt, session):
    dbt.config(materialized="table")
    found = [
        dbt.source("raw", "decp_marches").query("marches", DECP_IDENTIFIERS).pl(),
        dbt.source("raw", "csf_clauses").query("clauses", REGISTER_IDENTIFIERS).pl(),
    ]
    identifiers = (
        pl.concat(found)
        .select(pl.col("siret").str.strip_chars())
        .drop_nulls()
        .unique()
        .sort("siret")
    )
    return identifiers.with_columns(
        pl.col("siret")
        .map_elements(siret.is_valid, return_dtype=pl.Boolean)
        .alias("is_siret_valide")
    ).to_arrow()
