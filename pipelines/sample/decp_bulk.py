"""Bulk synthetic DECP files (hundreds of thousands of contracts) written by DuckDB, not Python.

Used by the ingestion benchmark and the national-scale sample. Every value derives from the record
number and the seed by integer arithmetic, so the same arguments give the same bytes. The records
carry the real quirks of data-contracts.md in small proportions: ``dureeMois: "NC"``, placeholder
amounts, CPV codes without check digit or leading zero, holders identified by VAT number, invalid
SIRET check digits, contracts published twice, modifications; and, about 1 % each, the faults
that send a record to quarantine: no buyer id, an impossible notification date.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
from stdnum import luhn

from pipelines.sql_text import literal

BUYERS = 20_000
HOLDERS = 150_000

# One contract per row of range(n); `h(k)` is a deterministic pseudo-random integer per row and k.
_RECORDS_SQL = """
with numbered as (
    -- One record in 50 republishes the previous contract (same uid, later publication).
    select i, case when i % 50 = 49 then i - 1 else i end as c, i % 50 = 49 as republie
    from range($n) as t(i)
),
base as (
    select
        c as i,
        republie,
        -- Knuth multiplicative hashing: cheap, deterministic, well spread.
        list_transform(range(12), lambda k: ((c + 1) * 2654435761 + (k + $seed) * 40503) % 1000003)
            as r
    from numbered
),
drawn as (
    select
        i,
        r,
        republie,
        buyers.siret as acheteur,
        holders.siret as titulaire,
        date '2021-01-01' + (r[3] % 2000)::int as notification,
        [
            '45210000-2', '45310000-3', '90910000-9', '55520000-1', '72000000-5',
            '77310000-6', '09310000-5', '9310000', '30192000', '79710000-4',
            '80500000-9', '66510000-8', '50700000-2', '71000000-8', '39100000-3'
        ][1 + r[4] % 15] as cpv,
        round(4000 + (r[5] * 97) % 2500000 + (r[6] % 100) / 100, 2) as montant
    from base
    inner join buyers on buyers.n = r[1] % $buyers
    inner join holders on holders.n = r[2] % $holders
)
select
    {
        'id': cast(year(notification) as varchar) || 'M' || lpad(cast(i as varchar), 9, '0'),
        -- About 1 % each, as in the demo sample: no buyer id, an impossible date (quarantined).
        'acheteur': {'id': case when r[9] % 100 = 41 then null else acheteur end},
        'nature': ['Marché', 'Marché', 'Accord-cadre', 'Marché subséquent'][1 + r[7] % 4],
        'objet': 'Marché de ' || ['travaux', 'fournitures', 'services'][1 + r[8] % 3]
            || ' n° ' || cast(i as varchar) || ' - ' || [
                'entretien des bâtiments scolaires', 'restauration collective des internats',
                'nettoyage des locaux administratifs', 'maintenance informatique des EPLE',
                'travaux de rénovation énergétique'][1 + r[9] % 5],
        'codeCPV': cpv,
        'procedure': ['Procédure adaptée', 'Appel d''offres ouvert',
            'Marché passé sans publicité ni mise en concurrence préalable'][1 + r[10] % 3],
        'lieuExecution': {'code': lpad(cast(1000 + r[11] % 94000 as varchar), 5, '0'),
            'typeCode': 'Code postal'},
        'dureeMois': case when r[1] % 100 = 7 then '"NC"'::json
            else cast(1 + r[2] % 60 as varchar)::json end,
        'dateNotification': case when r[10] % 100 = 43 then '2023-02-30'
            else strftime(notification, '%Y-%m-%d') end,
        'datePublicationDonnees': strftime(
            notification + (r[3] % 40)::int + case when republie then 30 else 0 end, '%Y-%m-%d'),
        'montant': case when r[4] % 200 = 3 then 1.0 else montant end,
        'formePrix': ['Forfaitaire', 'Unitaire', 'Mixte'][1 + r[5] % 3],
        'offresRecues': 1 + r[6] % 9,
        'ccag': ['Travaux', 'Fournitures courantes et services', 'Pas de CCAG'][1 + r[7] % 3],
        'marcheInnovant': r[8] % 50 = 0,
        'attributionAvance': r[9] % 3 = 0,
        'tauxAvance': 0.05,
        'sousTraitanceDeclaree': r[10] % 4 = 0,
        'typeGroupementOperateurs': 'Pas de groupement',
        'origineUE': 0.0,
        'origineFrance': 0.0,
        'typesPrix': {'typePrix': ['Définitif ferme']},
        'techniques': {'technique': ['Sans objet']},
        'modalitesExecution': {'modaliteExecution': ['Bons de commande']},
        'considerationsEnvironnementales': {
            'considerationEnvironnementale': ['Pas de considération environnementale']},
        'considerationsSociales': {'considerationSociale': case
            when r[11] % 10 < 3 then ['Clause sociale']
            when r[11] % 10 = 3 then ['Clause sociale', 'Critère social']
            else ['Pas de considération sociale'] end},
        'titulaires': case
            when r[1] % 250 = 11 then [{'titulaire': {'typeIdentifiant': 'TVA',
                'id': 'DE' || lpad(cast(r[2] as varchar), 9, '0')}}]
            when r[1] % 250 = 12 then [{'titulaire': {'typeIdentifiant': 'SIRET',
                'id': left(titulaire, 13) || cast((right(titulaire, 1)::int + 1) % 10 as varchar)}}]
            else [{'titulaire': {'typeIdentifiant': 'SIRET', 'id': titulaire}}] end,
        'modifications': case when r[5] % 10 = 0 then [{'modification': {
            'id': 1,
            'montant': round(montant * 1.1, 2),
            'dureeMois': 12 + r[6] % 24,
            'dateNotificationModification': strftime(notification + 200, '%Y-%m-%d'),
            'datePublicationDonneesModification': strftime(notification + 210, '%Y-%m-%d')
        }}] else [] end
    } as rec
from drawn
order by i, republie
"""


def _siret_pool(count: int, salt: int) -> list[tuple[int, str]]:
    """Valid SIRET numbers (Luhn check digit from python-stdnum), one per pool slot."""
    pool = []
    for n in range(count):
        body = str(10**12 * (1 + n % 8) + (n * 7919 + salt * 104729) % 10**12)
        pool.append((n, body + luhn.calc_check_digit(body)))
    return pool


def write_decp_bulk(
    path: Path,
    contracts: int,
    seed: int = 2026,
    layout: str = "v2",
    tmp_dir: Path | None = None,
) -> Path:
    """Write ``contracts`` synthetic contracts to ``path``.

    ``layout`` is ``v2`` (the official wrapper ``{"marches": {"marche": [...]}}``) or ``array``
    (the same records as a bare top-level array: what DuckDB reads fastest, the benchmark's limit).
    """
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    try:
        for table, count, salt in (("buyers", BUYERS, seed), ("holders", HOLDERS, seed + 1)):
            pool = pl.DataFrame(_siret_pool(count, salt), schema=["n", "siret"], orient="row")
            con.register("_pool", pool.to_arrow())
            con.execute(f"create table {table} as select * from _pool")
            con.unregister("_pool")
        params = {"n": contracts, "seed": seed, "buyers": BUYERS, "holders": HOLDERS}
        array_path = path if layout == "array" else path.with_suffix(".array.tmp")
        path.parent.mkdir(parents=True, exist_ok=True)
        _copy_records(con, params, array_path)
    finally:
        con.close()
    if layout == "array":
        return path
    _wrap_v2(array_path, path)
    array_path.unlink()
    return path


def _copy_records(con: duckdb.DuckDBPyConnection, params: dict, out: Path) -> None:
    con.execute(
        f"copy (select unnest(rec) from ({_RECORDS_SQL})) to {literal(out)} "
        "(format json, array true)",
        params,
    )


def _wrap_v2(array_path: Path, out: Path) -> None:
    """Put a top-level array inside the official v2 wrapper, copying bytes, not parsing them."""
    with open(out, "wb") as target:
        target.write(b'{"donneesSynthetiques": true, "marches": {"marche": ')
        with open(array_path, "rb") as source:
            shutil.copyfileobj(source, target, 16 << 20)
        target.write(b', "contrat-concession": []}}\n')
        target.flush()
        os.fsync(target.fileno())
