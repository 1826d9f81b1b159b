"""A second, independent computation of every indicator, from the written methodology.

``reference(con)`` recomputes, in plain polars, every indicator of the reference table
(``dbt_project/seeds/ref_indicateurs.csv``) and the matched CSF rates (``…_csf_compares``) from
the staging inputs of a built warehouse, following ``docs/methodologie.md`` and not the dbt
models' SQL: it is a second implementation that catches the models' mistakes.
``desaccords(build_db)`` compares it with ``marts.indicateurs`` and lists every disagreement.

The rules it applies, each from the methodology (« Règles communes » first):

- the observation date is a hard cut-off: a clause or a DECP contract notified after it does not
  exist; a parcours starting after it has not started; an end after it has not happened (the
  parcours is still running); a follow-up dated after it is not used; an MLDS episode entered
  after it does not exist, an exit after it has not happened;
- delays in calendar months, a day past the month's end clamped to its last day (DuckDB's
  ``date + interval h month``, polars' ``dt.offset_by``);
- every indicator nationally, by each dimension of its ``dimensions`` column, by year and for
  all years; an unknown value is its own ``NR`` line;
- the unit: the clause, the contract, the hour, the youth (``nb_jeunes_csf``, at their first
  parcours) or the parcours (every other youth-side figure), described by its MLDS episode;
- parcours and follow-ups that cannot be attached are decided once (``_parcours``,
  ``_suivis_retenus``), and every figure reads that decision.

Where the methodology leaves a point open, the reading chosen is written beside the code
(« Reading: »).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
REF_INDICATEURS = ROOT / "dbt_project" / "seeds" / "ref_indicateurs.csv"
DBT_PROJECT = ROOT / "dbt_project" / "dbt_project.yml"

KEY = ["indicateur", "periode", "niveau", "code_niveau"]
CELL = ["periode", "niveau", "code_niveau"]
FIGURES = ["numerateur", "denominateur", "valeur", "ic_bas", "ic_haut"]
SCHEMA = {
    "indicateur": pl.String,
    "periode": pl.String,
    "niveau": pl.String,
    "code_niveau": pl.String,
    "numerateur": pl.Int64,
    "denominateur": pl.Int64,
    "valeur": pl.Float64,
    "ic_bas": pl.Float64,
    "ic_haut": pl.Float64,
}
NON_RENSEIGNE = "NR"
TOLERANCE = 1e-9

# « Situation des jeunes » : horizons in months (the exit itself is 0), and the situations.
HORIZONS = {"sortie": 0, "3m": 3, "6m": 6, "12m": 12}
HORIZON_SUIVI = {"sortie": "sortie", "3_mois": "3m", "6_mois": "6m", "12_mois": "12m"}
# Rule « Rattachement d'un suivi à un parcours »: a follow-up without a parcours describes the
# horizon h if it falls at most h + 3 months after the end (3 months for the exit).
MARGE_FENETRE_MOIS = 3
SITUATIONS_POSITIVES = (
    "retour_formation_initiale",
    "apprentissage",
    "contrat_professionnalisation",
    "formation_professionnelle",
    "emploi",
    "service_civique",
)
PERDU_DE_VUE = "perdu_de_vue"
# The five rates of an horizon: name prefix → situations counted in the numerator (None: lost).
TAUX_SITUATION: dict[str, tuple[str, ...] | None] = {
    "taux_retour_formation_initiale": ("retour_formation_initiale",),
    "taux_apprentissage": ("apprentissage",),
    "taux_contrat_professionnalisation": ("contrat_professionnalisation",),
    "taux_sortie_positive": SITUATIONS_POSITIVES,
    "taux_perdus_de_vue": None,
}
STATUTS_FINIS = ("termine", "interrompu")
# « Conformité du calibrage »: forecast amount bracket → hours.
TRANCHES_CALIBRAGE = ((100_000, 150), (200_000, 300), (400_000, 450))
HEURES_AU_DELA = 900
# Comparison strata: académie × year of MLDS entry × sex × age bracket × last class.
STRATE = ["academie", "annee_entree", "sexe", "tranche_age", "derniere_classe"]


# --------------------------------------------------------------------------------------------
# Small exact tools: months, Wilson, Kaplan–Meier


def wilson_z() -> float:
    """The z of the Wilson intervals: the dbt variable ``wilson_z``."""
    found = re.search(r"^\s*wilson_z:\s*([0-9.]+)", DBT_PROJECT.read_text(), re.MULTILINE)
    assert found, "wilson_z not found in dbt_project.yml"
    return float(found.group(1))


def plus_mois(expr: pl.Expr, mois: int) -> pl.Expr:
    """A date plus ``mois`` calendar months, clamped to the month's last day (31 Jan + 1 month
    = 28 or 29 Feb), like DuckDB's ``date + interval 'mois' month``."""
    return expr.dt.offset_by(f"{mois}mo")


def wilson(numerateur: float, denominateur: float, z: float) -> tuple[float | None, ...]:
    """Wilson score interval (low, high) of numerateur / denominateur; (None, None) on 0."""
    if not denominateur:
        return None, None
    n = float(denominateur)
    p = numerateur / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    demi = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return centre - demi, centre + demi


def wilson_exprs(z: float) -> list[pl.Expr]:
    """``valeur``, ``ic_bas``, ``ic_haut`` of a proportion from ``numerateur``/``denominateur``."""
    n = pl.col("denominateur").cast(pl.Float64)
    p = pl.col("numerateur").cast(pl.Float64) / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    demi = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
    vide = pl.col("denominateur") == 0
    return [
        pl.when(vide).then(None).otherwise(p).alias("valeur"),
        pl.when(vide).then(None).otherwise(centre - demi).alias("ic_bas"),
        pl.when(vide).then(None).otherwise(centre + demi).alias("ic_haut"),
    ]


@dataclass(frozen=True)
class KaplanMeier:
    """Delay quantiles of one cell: first quartile, median (with Brookmeyer–Crowley bounds) and
    third quartile; None where the curve does not reach the quantile."""

    q1: int | None
    mediane: int | None
    q3: int | None
    ic_bas: int | None
    ic_haut: int | None


def kaplan_meier(delais: Iterable[int], evenements: Iterable[bool], z: float) -> KaplanMeier:
    """Kaplan–Meier quantiles of delays (``evenements`` False: censored at that delay).

    Survival is an exact fraction, so a curve landing exactly on ¼, ½ or ¾ gives that day (the
    first day where survival ≤ the level). At each event day, everyone whose delay is at least
    that day is at risk (a clause censored on an event day is at risk that day). The median's
    interval is Brookmeyer–Crowley on the linear scale with Greenwood's variance, in float: its
    low bound is the first event day where S − z·se ≤ ½, its high bound the first where
    S + z·se ≤ ½."""
    points = list(zip(delais, evenements, strict=True))
    jours = sorted({d for d, e in points if e})
    survie = Fraction(1)
    greenwood = 0.0
    quantiles: dict[Fraction, int | None] = {Fraction(3, 4): None, Fraction(1, 2): None}
    quantiles[Fraction(1, 4)] = None
    ic_bas = ic_haut = None
    for jour in jours:
        exposes = sum(1 for d, _ in points if d >= jour)
        deces = sum(1 for d, e in points if e and d == jour)
        survie *= Fraction(exposes - deces, exposes)
        if exposes > deces:
            greenwood += deces / (exposes * (exposes - deces))
            ecart_type = float(survie) * math.sqrt(greenwood)
        else:
            ecart_type = 0.0
        for niveau, jour_atteint in quantiles.items():
            if jour_atteint is None and survie <= niveau:
                quantiles[niveau] = jour
        if ic_bas is None and float(survie) - z * ecart_type <= 0.5:
            ic_bas = jour
        if ic_haut is None and float(survie) + z * ecart_type <= 0.5:
            ic_haut = jour
    return KaplanMeier(
        q1=quantiles[Fraction(3, 4)],
        mediane=quantiles[Fraction(1, 2)],
        q3=quantiles[Fraction(1, 4)],
        ic_bas=ic_bas,
        ic_haut=ic_haut,
    )


def tranche_age(age: pl.Expr) -> pl.Expr:
    """Age bracket at MLDS entry (« Dimensions »)."""
    return (
        pl.when(age <= 15)
        .then(pl.lit("15 ans et moins"))
        .when(age <= 17)
        .then(pl.lit("16-17 ans"))
        .when(age >= 18)
        .then(pl.lit("18 ans et plus"))
        .otherwise(None)
    )


def heures_calibrees(montant: pl.Expr) -> pl.Expr:
    """Hours the forecast amount calls for (« Conformité du calibrage »)."""
    expr = pl.when(montant.is_null()).then(None)
    for plafond, heures in TRANCHES_CALIBRAGE:
        expr = expr.when(montant < plafond).then(heures)
    return expr.otherwise(HEURES_AU_DELA)


# --------------------------------------------------------------------------------------------
# Cells: one row per unit and per (periode, niveau, code_niveau) it belongs to


def dimensions() -> dict[str, list[str]]:
    """Indicator → its dimensions, from the reference table; the matched CSF rates take those
    of their comparison rate."""
    with REF_INDICATEURS.open(encoding="utf-8", newline="") as handle:
        dims = {row["indicateur"]: row["dimensions"].split() for row in csv.DictReader(handle)}
    for nom in list(dims):
        if nom.endswith("_comparaison"):
            dims.setdefault(nom.removesuffix("_comparaison") + "_csf_compares", dims[nom])
    return dims


def cellules(unites: pl.DataFrame, annee: str, niveaux: Iterable[str]) -> pl.DataFrame:
    """Each unit once per cell it counts in: its year (when known) and « ensemble », times the
    national level and each dimension (an unknown value is ``NR``)."""
    periodes = [
        unites.with_columns(periode=pl.col(annee).cast(pl.String)).filter(
            pl.col("periode").is_not_null()
        ),
        unites.with_columns(periode=pl.lit("ensemble")),
    ]
    morceaux = []
    for par_periode in periodes:
        morceaux.append(
            par_periode.with_columns(niveau=pl.lit("national"), code_niveau=pl.lit("FR"))
        )
        for niveau in niveaux:
            morceaux.append(
                par_periode.with_columns(
                    niveau=pl.lit(niveau),
                    code_niveau=pl.col(niveau).cast(pl.String).fill_null(NON_RENSEIGNE),
                )
            )
    return pl.concat(morceaux, how="vertical")


def vide() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def forme(table: pl.DataFrame, indicateur: str, dims: dict[str, list[str]]) -> pl.DataFrame:
    """The reference's columns and types, restricted to the indicator's own levels; a figure
    the table does not give is null."""
    niveaux = ["national", *dims[indicateur]]
    table = table.with_columns(indicateur=pl.lit(indicateur))
    return table.filter(pl.col("niveau").is_in(niveaux)).select(
        [
            pl.col(c).cast(t) if c in table.columns else pl.lit(None, dtype=t).alias(c)
            for c, t in SCHEMA.items()
        ]
    )


def compte(cells: pl.DataFrame, n: pl.Expr) -> pl.DataFrame:
    """A count per cell: the count in ``numerateur`` and ``valeur``, no denominator."""
    return (
        cells.group_by(CELL)
        .agg(numerateur=n)
        .with_columns(valeur=pl.col("numerateur").cast(pl.Float64))
    )


def taux(cells: pl.DataFrame, numerateur: pl.Expr, denominateur: pl.Expr, z: float) -> pl.DataFrame:
    """A proportion per cell (every cell of the population, 0/0 included) with its Wilson
    interval: numerator = units in both."""
    return (
        cells.group_by(CELL)
        .agg(
            numerateur=(numerateur & denominateur).sum(),
            denominateur=denominateur.sum(),
        )
        .with_columns(wilson_exprs(z))
    )


# --------------------------------------------------------------------------------------------
# Inputs


@dataclass
class Entrees:
    observation: object
    clauses: pl.DataFrame
    marches: pl.DataFrame
    episodes: pl.DataFrame
    parcours: pl.DataFrame
    suivis: pl.DataFrame
    quarantaine: pl.DataFrame
    regions: pl.DataFrame


def lire(con: duckdb.DuckDBPyConnection) -> Entrees:
    def table(sql: str) -> pl.DataFrame:
        return con.sql(sql).pl()

    observation = con.sql("select observation_date from intermediate.int_observation_date")
    (date_obs,) = observation.fetchall()[0]
    return Entrees(
        observation=date_obs,
        clauses=table("select * from staging.stg_csf__clauses"),
        marches=table(
            "select uid, siret_acheteur, division_cpv, date_notification, a_clause_sociale "
            "from staging.stg_decp__marches"
        ),
        episodes=table("select * from staging.stg_mlds__episodes"),
        parcours=table("select * from staging.stg_mlds__parcours"),
        suivis=table("select * from staging.stg_mlds__suivis"),
        quarantaine=table("select source, cle, valeur from intermediate.int_quarantaine__cles"),
        regions=table(
            "select code_academie as academie, libelle_region_academique as region_academique "
            "from reference.ref_academies"
        ),
    )


def avec_region(table: pl.DataFrame, regions: pl.DataFrame) -> pl.DataFrame:
    return table.join(regions, on="academie", how="left")


# --------------------------------------------------------------------------------------------
# Procurement side: the clause


def clauses(e: Entrees) -> pl.DataFrame:
    """One row per clause notified at the observation date, with its dimensions and what its
    parcours (started at the observation date) say about it."""
    obs = e.observation
    marches = e.marches.filter(
        pl.col("date_notification").is_null() | (pl.col("date_notification") <= obs)
    ).select(pl.col("uid").alias("marche_uid"), "division_cpv")
    # Reading: the clause's contract in DECP is the one whose uid is the clause's marche_uid
    # (buyer SIRET followed by contract id, the DECP uid).
    parcours = (
        e.parcours.filter(pl.col("debut_date") <= obs)
        .group_by("clause_id")
        .agg(
            premier_debut=pl.col("debut_date").min(),
            # Hours of a parcours that ends after the observation date are not known yet.
            heures_realisees=pl.col("heures_realisees")
            .filter(pl.col("fin_reelle_date").is_null() | (pl.col("fin_reelle_date") <= obs))
            .sum(),
        )
    )
    table = (
        e.clauses.filter(pl.col("notification_date") <= obs)
        .select(
            "clause_id",
            "marche_uid",
            "notification_date",
            pl.col("annee_notification").alias("annee"),
            pl.coalesce("fin_clause_reconduction_date", "fin_clause_date").alias("fin"),
            "heures_parcours",
            "montant_previsionnel_ht",
            pl.col("code_academie").alias("academie"),
            "type_acheteur",
            pl.col("siret_acheteur").alias("acheteur"),
            pl.col("secteur_activite_entreprise").alias("secteur"),
        )
        .join(marches.unique("marche_uid"), on="marche_uid", how="left")
        .join(parcours, on="clause_id", how="left")
    )
    table = avec_region(table, e.regions)
    six_mois = plus_mois(pl.col("notification_date"), 6)
    return table.with_columns(
        echue_6m=six_mois <= obs,
        activee=pl.col("premier_debut").is_not_null(),
        activee_6m=pl.col("premier_debut") <= six_mois,
        # « Taux d'activation »: the end is before the observation date; unknown end: running.
        terminee=pl.col("fin").is_not_null() & (pl.col("fin") < obs),
        heures_realisees=pl.col("heures_realisees").fill_null(0),
        calibrage_connu=pl.col("heures_parcours").is_not_null()
        & pl.col("montant_previsionnel_ht").is_not_null(),
        calibrage_conforme=pl.col("heures_parcours")
        == heures_calibrees(pl.col("montant_previsionnel_ht")),
    )


NIVEAUX_ACHATS = [
    "academie",
    "region_academique",
    "type_acheteur",
    "acheteur",
    "secteur",
    "division_cpv",
]


def indicateurs_clauses(e: Entrees, dims: dict[str, list[str]], z: float) -> list[pl.DataFrame]:
    """Clause count, activation rates, dormant clauses, calibration and hours."""
    cells = cellules(clauses(e), "annee", NIVEAUX_ACHATS)
    col = pl.col
    nombre = compte(cells, pl.len())
    dormantes = compte(cells, (col("echue_6m") & ~col("activee") & ~col("terminee")).sum())
    heures = (
        cells.group_by(CELL)
        .agg(
            numerateur=col("heures_realisees").filter(col("terminee")).sum(),
            denominateur=col("heures_parcours").filter(col("terminee")).sum(),
        )
        .with_columns(
            valeur=pl.when(col("denominateur") == 0)
            .then(None)
            .otherwise(col("numerateur") / col("denominateur"))
        )
    )
    return [
        forme(nombre, "nb_clauses_csf", dims),
        forme(taux(cells, col("activee_6m"), col("echue_6m"), z), "taux_activation_6m", dims),
        forme(taux(cells, col("activee"), col("terminee"), z), "taux_activation", dims),
        forme(dormantes, "nb_clauses_dormantes", dims),
        forme(
            taux(cells, col("calibrage_conforme"), col("calibrage_connu"), z),
            "conformite_calibrage",
            dims,
        ),
        forme(heures, "taux_realisation_heures", dims),
        *indicateurs_delais(cells, e.observation, dims, z),
    ]


def indicateurs_delais(
    cells: pl.DataFrame, obs, dims: dict[str, list[str]], z: float
) -> list[pl.DataFrame]:
    """Kaplan–Meier activation delays: days from notification to the first parcours; a clause
    not yet activated is censored at the observation date."""
    fin = pl.coalesce(pl.col("premier_debut"), pl.lit(obs))
    par_cellule = (
        cells.with_columns(delai=(fin - pl.col("notification_date")).dt.total_days())
        .group_by(CELL)
        .agg(pl.col("delai"), pl.col("activee"))
    )
    lignes = {"delai_activation_jours": [], "q1": [], "q3": []}
    for row in par_cellule.iter_rows(named=True):
        km = kaplan_meier(row["delai"], row["activee"], z)
        cle = {c: row[c] for c in CELL}
        effectifs = {"numerateur": sum(row["activee"]), "denominateur": len(row["delai"])}
        lignes["delai_activation_jours"].append(
            {**cle, **effectifs, "valeur": km.mediane, "ic_bas": km.ic_bas, "ic_haut": km.ic_haut}
        )
        lignes["q1"].append({**cle, **effectifs, "valeur": km.q1})
        lignes["q3"].append({**cle, **effectifs, "valeur": km.q3})
    schema = {c: SCHEMA[c] for c in [*CELL, *FIGURES]}

    def frame(rows: list[dict]) -> pl.DataFrame:
        return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)

    return [
        forme(frame(lignes["delai_activation_jours"]), "delai_activation_jours", dims),
        forme(frame(lignes["q1"]), "delai_activation_jours_q1", dims),
        forme(frame(lignes["q3"]), "delai_activation_jours_q3", dims),
    ]


def indicateurs_decp(e: Entrees, dims: dict[str, list[str]], z: float) -> list[pl.DataFrame]:
    """Share of DECP contracts with a social clause, among those where the field is known
    (DECP 2); a contract notified after the observation date does not exist yet.

    Reading (rows): a cell exists for every contract, so a cell of DECP 1.5 contracts only is a
    0/0 row, like a clause cell whose clauses are not yet due."""
    obs = e.observation
    marches = e.marches.filter(
        pl.col("date_notification").is_null() | (pl.col("date_notification") <= obs)
    ).select(
        annee=pl.col("date_notification").dt.year(),
        acheteur="siret_acheteur",
        division_cpv="division_cpv",
        a_clause_sociale="a_clause_sociale",
    )
    cells = cellules(marches, "annee", ["acheteur", "division_cpv"])
    clause = pl.col("a_clause_sociale")
    return [
        forme(
            taux(cells, clause.fill_null(False), clause.is_not_null(), z),
            "part_marches_clause_sociale",
            dims,
        )
    ]


# --------------------------------------------------------------------------------------------
# Youth side: parcours, episodes, follow-ups


def episodes_existants(e: Entrees) -> pl.DataFrame:
    """Episodes entered at the observation date (a later entry does not exist yet)."""
    return e.episodes.filter(pl.col("entree_mlds_date") <= e.observation)


def sexes(e: Entrees) -> pl.DataFrame:
    """Each youth's sex (« le sexe est celui du jeune »). Reading: the youth's latest episode
    of the files (stg_mlds__jeunes' rule) says it."""
    return (
        e.episodes.sort("entree_mlds_date", descending=True, nulls_last=True)
        .unique("jeune_id", keep="first")
        .select("jeune_id", "sexe")
    )


def parcours(e: Entrees) -> pl.DataFrame:
    """One row per parcours started at the observation date, with its one attachment decision:
    its clause (known only if in the register and notified at the observation date), its youth
    and its MLDS episode (the latest entered at the latest on its first day, else the youth's
    first), and the dimensions these give it."""
    obs = e.observation
    clauses_connues = e.clauses.filter(pl.col("notification_date") <= obs).select(
        "clause_id",
        pl.col("code_academie").alias("academie_clause"),
        pl.col("secteur_activite_entreprise").alias("secteur"),
    )
    commences = e.parcours.filter(pl.col("debut_date") <= obs)
    episodes = episodes_existants(e).select(
        "jeune_id",
        "entree_mlds_date",
        pl.col("code_academie").alias("academie_episode"),
        pl.col("age_entree"),
        "derniere_classe",
    )
    candidats = commences.select("parcours_id", "jeune_id", "debut_date").join(
        episodes, on="jeune_id", how="inner"
    )
    dernier_avant = (
        candidats.filter(pl.col("entree_mlds_date") <= pl.col("debut_date"))
        .sort("entree_mlds_date", descending=True)
        .unique("parcours_id", keep="first")
    )
    premier = (
        candidats.join(dernier_avant.select("parcours_id"), on="parcours_id", how="anti")
        .sort("entree_mlds_date")
        .unique("parcours_id", keep="first")
    )
    episode = pl.concat([dernier_avant, premier]).drop("jeune_id", "debut_date")
    jeunes_connus = e.episodes.select("jeune_id").unique()
    table = (
        commences.join(clauses_connues, on="clause_id", how="left")
        .join(episode, on="parcours_id", how="left")
        .join(sexes(e).join(jeunes_connus, on="jeune_id"), on="jeune_id", how="left")
        .with_columns(
            annee=pl.col("debut_date").dt.year(),
            academie=pl.coalesce("academie_episode", "academie_clause"),
            tranche_age=tranche_age(pl.col("age_entree")),
            annee_entree=pl.col("entree_mlds_date").dt.year(),
            # Ended at the observation date: finished or interrupted, by an end not after it.
            # Reading: a finished status without an end date has ended (no date says otherwise)
            # but has no horizon.
            fini=pl.col("statut").is_in(STATUTS_FINIS)
            & (pl.col("fin_reelle_date").is_null() | (pl.col("fin_reelle_date") <= obs)),
        )
    )
    return avec_region(table, e.regions)


def parcours_charges_par_jeune(e: Entrees) -> pl.DataFrame:
    return e.parcours.select("jeune_id").unique()


def suivis_utilisables(e: Entrees) -> pl.DataFrame:
    """Follow-ups dated at the latest on the observation date, horizon as ``sortie``/``3m``…"""
    return e.suivis.filter(pl.col("observation_date") <= e.observation).with_columns(
        horizon=pl.col("horizon").replace_strict(HORIZON_SUIVI, default=None)
    )


def situations_csf(e: Entrees, commences: pl.DataFrame) -> pl.DataFrame:
    """(parcours_id, horizon, situation) of every started parcours with a retained follow-up.

    A follow-up that names a parcours describes it unless that parcours is not loaded, is
    another youth's, or starts after the follow-up's date. One that names none describes, for a
    youth with parcours, the parcours ended (finished or interrupted) most recently among those
    whose window for that horizon holds its date (end + max(h - 3, 0) months ≤ date ≤ end + h + 3
    months). A named one wins, then the latest."""
    suivis = suivis_utilisables(e)
    tous = e.parcours.select(
        "parcours_id", pl.col("jeune_id").alias("jeune_parcours"), "debut_date"
    )
    cites = (
        suivis.filter(pl.col("parcours_id").is_not_null())
        .join(tous, on="parcours_id", how="inner")
        .filter(
            (pl.col("jeune_id") == pl.col("jeune_parcours"))
            & (pl.col("observation_date") >= pl.col("debut_date"))
        )
        .select("parcours_id", "horizon", "situation", "observation_date", cite=pl.lit(True))
    )
    termines = commences.filter(
        pl.col("statut").is_in(STATUTS_FINIS) & pl.col("fin_reelle_date").is_not_null()
    ).select("parcours_id", "jeune_id", "fin_reelle_date")
    libres = suivis.filter(pl.col("parcours_id").is_null()).drop("parcours_id")
    # Among the ended parcours whose window holds the date, the latest ended (ties: larger id).
    candidats = libres.with_row_index("suivi").join(termines, on="jeune_id", how="inner")
    dans_fenetre = (
        pl.concat(
            [
                candidats.filter(
                    (pl.col("horizon") == nom)
                    & (
                        pl.col("observation_date")
                        >= plus_mois(pl.col("fin_reelle_date"), max(mois - MARGE_FENETRE_MOIS, 0))
                    )
                    & (
                        pl.col("observation_date")
                        <= plus_mois(pl.col("fin_reelle_date"), mois + MARGE_FENETRE_MOIS)
                    )
                )
                for nom, mois in HORIZONS.items()
            ]
        )
        .sort(["fin_reelle_date", "parcours_id"], descending=True)
        .unique("suivi", keep="first")
        .select("parcours_id", "horizon", "situation", "observation_date", cite=pl.lit(False))
    )
    return (
        pl.concat([cites, dans_fenetre])
        .sort(["cite", "observation_date"], descending=True)
        .unique(["parcours_id", "horizon"], keep="first")
        .select("parcours_id", "horizon", "situation")
    )


def horizons_csf(e: Entrees, commences: pl.DataFrame) -> pl.DataFrame:
    """One row per ended parcours (with an end date) and horizon: reached at the observation
    date or not, and the situation observed (None: unknown)."""
    situations = situations_csf(e, commences)
    finis = commences.filter(pl.col("fini") & pl.col("fin_reelle_date").is_not_null())
    return pl.concat(
        [
            finis.with_columns(
                horizon=pl.lit(nom),
                ecoule=plus_mois(pl.col("fin_reelle_date"), mois) <= e.observation,
            )
            for nom, mois in HORIZONS.items()
        ]
    ).join(situations, on=["parcours_id", "horizon"], how="left")


def mesures_situation(situations: tuple[str, ...] | None) -> tuple[pl.Expr, pl.Expr]:
    """(numerator, denominator) flags of a situation rate, on rows with ``ecoule``/``situation``."""
    situation = pl.col("situation")
    ecoule = pl.col("ecoule")
    if situations is None:
        perdu = situation.is_null() | (situation == PERDU_DE_VUE)
        return perdu, ecoule
    connue = situation.is_not_null() & (situation != PERDU_DE_VUE)
    return situation.is_in(situations).fill_null(False), ecoule & connue


NIVEAUX_JEUNES = ["academie", "region_academique", "secteur", "sexe", "tranche_age"]


def indicateurs_jeunes(
    e: Entrees, commences: pl.DataFrame, dims: dict[str, list[str]], z: float
) -> list[pl.DataFrame]:
    """Youths and parcours counts, completion and situations after the parcours."""
    cells = cellules(commences, "annee", NIVEAUX_JEUNES)
    col = pl.col
    nb_parcours = compte(cells, pl.len())
    # A youth counts once, in the year and categories of their first started parcours.
    premiers = commences.sort(["debut_date", "parcours_id"]).unique("jeune_id", keep="first")
    # Reading (rows): like every figure, a cell exists where its unit does; a cell whose
    # parcours are all a youth's second ones has no nb_jeunes_csf row.
    nb_jeunes = compte(cellules(premiers, "annee", NIVEAUX_JEUNES), pl.len())
    sortis = col("fini")
    achevement = taux(cells, col("statut") == "termine", sortis, z)
    resultats = [
        forme(nb_jeunes, "nb_jeunes_csf", dims),
        forme(nb_parcours, "nb_parcours", dims),
        forme(achevement, "taux_achevement", dims),
    ]
    horizons = horizons_csf(e, commences)
    toutes = nb_parcours.select(CELL)
    for nom in HORIZONS:
        par_horizon = cellules(horizons.filter(col("horizon") == nom), "annee", NIVEAUX_JEUNES)
        for prefixe, situations in TAUX_SITUATION.items():
            numerateur, denominateur = mesures_situation(situations)
            table = (
                taux(par_horizon, numerateur, denominateur, z)
                .join(toutes, on=CELL, how="right")
                .with_columns(col("numerateur", "denominateur").fill_null(0))
            )
            resultats.append(forme(table, f"{prefixe}_{nom}", dims))
    return resultats


# --------------------------------------------------------------------------------------------
# Comparison group, direct standardisation, matched CSF rates, observed gap


def groupe_comparaison(e: Entrees) -> pl.DataFrame:
    """Youths followed by the MLDS with no CSF parcours, each described by their latest episode
    entered at the observation date; horizons from their exit (if it has happened)."""
    obs = e.observation
    csf = pl.concat(
        [
            parcours_charges_par_jeune(e),
            e.quarantaine.filter(
                (col_eq("source", "mlds_parcours")) & col_eq("cle", "jeune_id")
            ).select(pl.col("valeur").alias("jeune_id")),
            e.suivis.filter(pl.col("parcours_id").is_not_null()).select("jeune_id"),
        ]
    ).unique()
    jeunes = (
        episodes_existants(e)
        .join(csf, on="jeune_id", how="anti")
        .sort("entree_mlds_date", descending=True)
        .unique("jeune_id", keep="first")
        .drop("sexe")
        .join(sexes(e), on="jeune_id", how="left")
        .select(
            "jeune_id",
            pl.col("code_academie").alias("academie"),
            annee_entree=pl.col("entree_mlds_date").dt.year(),
            sexe="sexe",
            tranche_age=tranche_age(pl.col("age_entree")),
            derniere_classe="derniere_classe",
            sortie=pl.when(pl.col("sortie_mlds_date") <= obs).then(pl.col("sortie_mlds_date")),
            situation_sortie="situation_sortie",
        )
    )
    libres = suivis_utilisables(e).filter(pl.col("parcours_id").is_null())
    lignes = []
    for nom, mois in HORIZONS.items():
        suivis = (
            libres.filter(pl.col("horizon") == nom)
            .join(jeunes.select("jeune_id", "sortie"), on="jeune_id", how="inner")
            .filter(
                (
                    pl.col("observation_date")
                    >= plus_mois(pl.col("sortie"), max(mois - MARGE_FENETRE_MOIS, 0))
                )
                & (
                    pl.col("observation_date")
                    <= plus_mois(pl.col("sortie"), mois + MARGE_FENETRE_MOIS)
                )
            )
            .sort("observation_date", descending=True)
            .unique("jeune_id", keep="first")
            .select("jeune_id", "situation")
        )
        lignes.append(
            jeunes.filter(pl.col("sortie").is_not_null())
            .with_columns(
                horizon=pl.lit(nom),
                ecoule=plus_mois(pl.col("sortie"), mois) <= obs,
            )
            .join(suivis, on="jeune_id", how="left")
            # Without a follow-up at the exit, the exit situation the youth file records
            # (methodologie.md, « Groupe de comparaison »).
            .with_columns(
                situation=pl.col("situation").fill_null(pl.col("situation_sortie"))
                if nom == "sortie"
                else pl.col("situation")
            )
            .drop("situation_sortie")
        )
    return avec_region(pl.concat(lignes), e.regions)


def col_eq(nom: str, valeur: str) -> pl.Expr:
    return pl.col(nom) == valeur


NIVEAUX_COMPARAISON = ["academie", "region_academique", "sexe", "tranche_age"]


def comparer_cellule(
    csf: pl.DataFrame, temoins: pl.DataFrame, z: float
) -> dict[str, dict[str, float | int | None]] | None:
    """Direct standardisation in one cell: per stratum, the CSF parcours of the rate's base
    (``n_c``, ``x_c``) and the comparison youths (``n_k``, ``x_k``); strata without comparison
    youths are dropped on both sides, strata without CSF parcours weigh nothing."""
    strates = csf.join(temoins, on="strate", how="inner").filter(
        (pl.col("n_c") > 0) & (pl.col("n_k") > 0)
    )
    n_c = int(strates["n_c"].sum())
    if n_c == 0:
        return None
    x_c = int(strates["x_c"].sum())
    n_k = int(strates["n_k"].sum())
    x_k = int(strates["x_k"].sum())
    standardise = variance_k = 0.0
    for row in strates.iter_rows(named=True):
        poids = row["n_c"] / n_c
        p_k = row["x_k"] / row["n_k"]
        standardise += poids * p_k
        variance_k += poids * poids * p_k * (1 - p_k) / row["n_k"]
    # Reading: the gap is the matched CSF rate, one proportion, minus the weighted sum of the
    # strata's comparison proportions, all independent: p(1 − p)/n plus Σ w²·p(1 − p)/n.
    p_csf = x_c / n_c
    ecart = p_csf - standardise
    demi_k = z * math.sqrt(variance_k)
    demi_ecart = z * math.sqrt(variance_k + p_csf * (1 - p_csf) / n_c)
    bas, haut = wilson(x_c, n_c, z)
    return {
        "comparaison": {
            "numerateur": x_k,
            "denominateur": n_k,
            "valeur": standardise,
            # Reading: a rate's normal interval is clipped to [0, 1] (the doc is silent).
            "ic_bas": max(standardise - demi_k, 0.0),
            "ic_haut": min(standardise + demi_k, 1.0),
        },
        "csf_compares": {
            "numerateur": x_c,
            "denominateur": n_c,
            "valeur": p_csf,
            "ic_bas": bas,
            "ic_haut": haut,
        },
        "ecart": {
            "numerateur": n_c,
            "denominateur": n_k,
            "valeur": ecart,
            "ic_bas": ecart - demi_ecart,
            "ic_haut": ecart + demi_ecart,
        },
    }


def strate(table: pl.DataFrame) -> pl.DataFrame:
    """The stratum key; an unknown component is its own category (``NR``)."""
    return table.with_columns(
        strate=pl.concat_str(
            [pl.col(c).cast(pl.String).fill_null(NON_RENSEIGNE) for c in STRATE], separator="|"
        )
    )


def indicateurs_comparaison(
    e: Entrees, commences: pl.DataFrame, dims: dict[str, list[str]], z: float
) -> list[pl.DataFrame]:
    """For each horizon and rate: the standardised comparison rate, the matched CSF rate and
    the observed gap, per cell (year of MLDS entry on both sides)."""
    csf = strate(cellules(horizons_csf(e, commences), "annee_entree", NIVEAUX_COMPARAISON))
    temoins = strate(cellules(groupe_comparaison(e), "annee_entree", NIVEAUX_COMPARAISON))
    resultats = []
    for nom in HORIZONS:
        csf_h = csf.filter(pl.col("horizon") == nom)
        temoins_h = temoins.filter(pl.col("horizon") == nom)
        for prefixe, situations in TAUX_SITUATION.items():
            numerateur, denominateur = mesures_situation(situations)
            par_strate_c = csf_h.group_by([*CELL, "strate"]).agg(
                x_c=(numerateur & denominateur).sum(), n_c=denominateur.sum()
            )
            par_strate_k = temoins_h.group_by([*CELL, "strate"]).agg(
                x_k=(numerateur & denominateur).sum(), n_k=denominateur.sum()
            )
            lignes: dict[str, list[dict]] = {"comparaison": [], "csf_compares": [], "ecart": []}
            strates_k = par_strate_k.partition_by(CELL, as_dict=True)
            for cle, strates_c in par_strate_c.partition_by(CELL, as_dict=True).items():
                if cle not in strates_k:
                    continue
                chiffres = comparer_cellule(
                    strates_c.select("strate", "n_c", "x_c"),
                    strates_k[cle].select("strate", "n_k", "x_k"),
                    z,
                )
                if chiffres is None:
                    continue
                for sorte, valeurs in chiffres.items():
                    lignes[sorte].append({**dict(zip(CELL, cle, strict=True)), **valeurs})
            noms = {
                "comparaison": f"{prefixe}_{nom}_comparaison",
                "csf_compares": f"{prefixe}_{nom}_csf_compares",
                "ecart": f"ecart_{prefixe}_{nom}",
            }
            schema = {c: SCHEMA[c] for c in [*CELL, *FIGURES]}
            for sorte, rows in lignes.items():
                table = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
                resultats.append(forme(table, noms[sorte], dims))
    return resultats


# --------------------------------------------------------------------------------------------
# The reference table and the comparison with the warehouse


def reference(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every indicator recomputed from the staging inputs (``marts.indicateurs``' figures)."""
    e = lire(con)
    dims = dimensions()
    z = wilson_z()
    commences = parcours(e)
    tables = [
        *indicateurs_clauses(e, dims, z),
        *indicateurs_decp(e, dims, z),
        *indicateurs_jeunes(e, commences, dims, z),
        *indicateurs_comparaison(e, commences, dims, z),
    ]
    return pl.concat([vide(), *tables], how="vertical").sort(KEY)


def egaux(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= TOLERANCE
    return a == b


def desaccords(build_db: Path) -> list[str]:
    """Every disagreement between ``marts.indicateurs`` and the reference, one line each."""
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        attendu = reference(con)
        entrepot = con.sql(f"select {', '.join(KEY + FIGURES)} from marts.indicateurs").pl()
    finally:
        con.close()
    entrepot = entrepot.with_columns([pl.col(c).cast(t) for c, t in SCHEMA.items()])
    joint = entrepot.join(attendu, on=KEY, how="full", coalesce=True, suffix="_ref").with_columns(
        present=pl.col("numerateur").is_not_null() | pl.col("denominateur").is_not_null(),
    )
    cles_entrepot = set(entrepot.select(KEY).iter_rows())
    cles_reference = set(attendu.select(KEY).iter_rows())
    messages = []
    for row in joint.sort(KEY).iter_rows(named=True):
        cle = tuple(row[c] for c in KEY)
        nom = "{} {} {} {}".format(*cle)
        if cle not in cles_reference:
            messages.append(f"{nom}: only in the warehouse ({_chiffres(row, '')})")
            continue
        if cle not in cles_entrepot:
            messages.append(f"{nom}: only in the reference ({_chiffres(row, '_ref')})")
            continue
        for champ in FIGURES:
            if not egaux(row[champ], row[f"{champ}_ref"]):
                messages.append(
                    f"{nom}: {champ} warehouse={row[champ]!r} reference={row[champ + '_ref']!r}"
                )
    return messages


def _chiffres(row: dict, suffixe: str) -> str:
    return ", ".join(f"{c}={row[c + suffixe]!r}" for c in FIGURES)
