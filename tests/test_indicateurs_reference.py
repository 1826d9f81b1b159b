"""Every indicator of the warehouse against an independent computation from the methodology
(tests/indicateurs_reference.py): the demo warehouse must agree cell by cell, every indicator of
the reference table must have its reference computation, and the reference's own exact tools
(Kaplan–Meier quantiles, calendar months, Wilson) are checked on hand-made cases."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests import indicateurs_reference as ref

Z = ref.wilson_z()


def build_db(home: Path) -> Path:
    return home / "warehouse" / "build.duckdb"


# --------------------------------------------------------------------------------------------
# The demo warehouse


@pytest.mark.slow
def test_demo_warehouse_agrees_with_the_methodology(demo_home):
    messages = ref.desaccords(build_db(demo_home))
    if messages:
        pytest.fail(f"{len(messages)} disagreements, first 50:\n" + "\n".join(messages[:50]))


@pytest.mark.slow
def test_every_indicator_has_a_reference(demo_home):
    with ref.REF_INDICATEURS.open(encoding="utf-8", newline="") as handle:
        indicateurs = {row["indicateur"] for row in csv.DictReader(handle)}
    con = duckdb.connect(str(build_db(demo_home)), read_only=True)
    try:
        produits = set(ref.reference(con)["indicateur"].unique())
    finally:
        con.close()
    assert indicateurs - produits == set()


@pytest.mark.slow
def test_an_empty_world_gives_no_rows(demo_home, tmp_path):
    """Every input empty (no clause, no DECP, no youth): the reference runs and gives nothing."""
    vide = tmp_path / "vide.duckdb"
    con = duckdb.connect(str(vide))
    try:
        con.execute(f"attach '{build_db(demo_home)}' as demo (read_only)")
        for schema, table in [
            ("staging", "stg_csf__clauses"),
            ("staging", "stg_decp__marches"),
            ("staging", "stg_mlds__episodes"),
            ("staging", "stg_mlds__parcours"),
            ("staging", "stg_mlds__suivis"),
            ("intermediate", "int_quarantaine__cles"),
            ("reference", "ref_academies"),
            ("intermediate", "int_observation_date"),
        ]:
            garder = "true" if table in ("ref_academies", "int_observation_date") else "false"
            con.execute(f"create schema if not exists {schema}")
            con.execute(
                f"create table {schema}.{table} as select * from demo.{schema}.{table} "
                f"where {garder}"
            )
        table = ref.reference(con)
    finally:
        con.close()
    assert table.height == 0
    assert table.columns == list(ref.SCHEMA)


# --------------------------------------------------------------------------------------------
# The reference's own tools


def test_kaplan_meier_median_on_an_exact_half():
    """8 clauses, 4 activated on distinct days before any censoring: survival is exactly ½ on
    the 4th event day, which is the median (not the next day, not « not reached »)."""
    delais = [10, 20, 30, 40, 100, 100, 100, 100]
    evenements = [True] * 4 + [False] * 4
    km = ref.kaplan_meier(delais, evenements, Z)
    assert km.mediane == 40
    assert km.q1 == 20  # survival exactly ¾ on the 2nd event day
    assert km.q3 is None  # never at ¼


def test_kaplan_meier_exact_where_float_is_not():
    """24 clauses, 12 activated on days 1…12: the float product of (n − 1)/n lands just above
    ½ (0.5000000000000001); the exact survival is ½ on day 12."""
    produit = 1.0
    for exposes in range(24, 12, -1):
        produit *= (exposes - 1) / exposes
    assert produit > 0.5
    km = ref.kaplan_meier(list(range(1, 13)) + [500] * 12, [True] * 12 + [False] * 12, Z)
    assert km.mediane == 12


def test_kaplan_meier_censoring_and_bounds():
    """Censored clauses leave the risk set; the Brookmeyer–Crowley bounds surround the median;
    a curve that stays above ½ has no median and no bounds from it."""
    # Survival: 1 → 4/5 (day 5) → censored at 6 → 4/5 · 2/3 = 8/15 (day 7) → 8/15 · 1/2 = 4/15.
    km = ref.kaplan_meier([5, 6, 7, 9, 12], [True, False, True, True, False], Z)
    assert km.q1 == 7
    assert km.mediane == 9
    assert km.q3 is None
    assert km.ic_bas is not None and km.ic_bas <= km.mediane
    assert km.ic_haut is None or km.ic_haut >= km.mediane
    pas_atteinte = ref.kaplan_meier([5, 50, 60, 70], [True, False, False, False], Z)
    assert pas_atteinte.mediane is None
    assert pas_atteinte.ic_haut is None
    assert ref.kaplan_meier([], [], Z) == ref.KaplanMeier(None, None, None, None, None)


def test_calendar_months_clamp_to_the_month_end():
    dates = pl.DataFrame(
        {
            "d": [
                dt.date(2024, 1, 31),
                dt.date(2023, 1, 31),
                dt.date(2025, 8, 31),
                dt.date(2026, 4, 1),
                dt.date(2025, 12, 31),
            ]
        }
    )
    plus = dates.select(
        un=ref.plus_mois(pl.col("d"), 1),
        six=ref.plus_mois(pl.col("d"), 6),
        quinze=ref.plus_mois(pl.col("d"), 15),
    )
    assert plus["un"].to_list()[:2] == [dt.date(2024, 2, 29), dt.date(2023, 2, 28)]
    assert plus["six"].to_list()[2:4] == [dt.date(2026, 2, 28), dt.date(2026, 10, 1)]
    assert plus["quinze"].to_list()[4] == dt.date(2027, 3, 31)
    # DuckDB's ``date + interval`` (the warehouse's arithmetic) clamps the same way.
    attendu = duckdb.sql(
        "select (d + interval 1 month)::date, (d + interval 6 month)::date "
        "from (values (date '2024-01-31'), (date '2025-08-31')) t(d)"
    ).fetchall()
    assert attendu == [
        (dt.date(2024, 2, 29), dt.date(2024, 7, 31)),
        (dt.date(2025, 9, 30), dt.date(2026, 2, 28)),
    ]


def test_wilson_interval():
    bas, haut = ref.wilson(5, 10, Z)
    assert bas == pytest.approx(0.2365931, abs=1e-6)
    assert haut == pytest.approx(0.7634069, abs=1e-6)
    bas, haut = ref.wilson(0, 10, Z)
    assert bas == pytest.approx(0.0, abs=1e-15)
    assert haut == pytest.approx(0.2775328, abs=1e-6)
    assert ref.wilson(0, 0, Z) == (None, None)
    table = pl.DataFrame({"numerateur": [5, 0, 0, 3], "denominateur": [10, 10, 0, 7]})
    exprs = table.with_columns(ref.wilson_exprs(Z))
    for row in exprs.iter_rows(named=True):
        attendu = ref.wilson(row["numerateur"], row["denominateur"], Z)
        assert (row["ic_bas"], row["ic_haut"]) == pytest.approx(attendu)
    assert exprs["valeur"].to_list()[2] is None


def test_wilson_z_is_the_dbt_variable():
    """The z of dbt_project.yml's ``wilson_z``: the 95 % two-sided normal quantile."""
    assert abs(Z - 1.959963984540054) < 1e-5


def test_age_brackets_and_calibration():
    table = pl.DataFrame(
        {
            "age": [14, 15, 16, 17, 18, 25, None],
            "montant": [99_999.0, 100_000, 199_999, 200_000, 399_999, 400_000, None],
        }
    ).select(
        tranche=ref.tranche_age(pl.col("age")),
        heures=ref.heures_calibrees(pl.col("montant")),
    )
    assert table["tranche"].to_list() == [
        "15 ans et moins",
        "15 ans et moins",
        "16-17 ans",
        "16-17 ans",
        "18 ans et plus",
        "18 ans et plus",
        None,
    ]
    assert table["heures"].to_list() == [150, 300, 300, 450, 450, 900, None]
