from datetime import date

import polars as pl

from pipelines.ingest import parsing as p


def frame(values):
    return pl.DataFrame({"v": values}, schema={"v": pl.String})


def test_dates_accept_french_iso_and_excel_short_forms():
    out = frame(["05/03/2024", "5/3/24", "2024-03-05", "2019-04-25+02:00", "05.03.2024"]).select(
        p.parse_date(pl.col("v")).alias("v")
    )
    assert out["v"].to_list() == [date(2024, 3, 5)] * 3 + [date(2019, 4, 25), date(2024, 3, 5)]


def test_impossible_dates_are_unparsed_not_null_cells():
    df = frame(["31/02/2024", "demain", "", None])
    out = df.select(p.is_unparsed(pl.col("v"), p.parse_date(pl.col("v"))).alias("v"))
    assert out["v"].to_list() == [True, True, False, False]


def test_decimals_with_comma_and_thousands_spaces():
    # € is a unit of amounts only (tests/test_numbers.py has the whole table).
    out = frame(["1 234,50", "1\u202f200 €", "1234.5", "1,2,3"]).select(
        p.parse_decimal(pl.col("v"), "montant_previsionnel_ht").alias("v")
    )
    assert out["v"].to_list() == [1234.5, 1200.0, 1234.5, None]


def test_booleans_in_french_words():
    out = frame(["Oui", "N", "1", "FAUX", "peut-être"]).select(
        p.parse_boolean(pl.col("v")).alias("v")
    )
    assert out["v"].to_list() == [True, False, True, False, None]


def test_labels_map_words_and_codes_any_case_or_accent():
    labels = {"convention signée": "convention_signee", "terminé": "termine"}
    out = frame(["Convention signée", "CONVENTION_SIGNEE", "Termine", "Suspendu"]).select(
        p.map_labels(pl.col("v"), labels).alias("v")
    )
    assert out["v"].to_list() == ["convention_signee", "convention_signee", "termine", None]


def test_header_names_are_normalised():
    assert p.normalise_column_name("\ufeffDate début") == "date_debut"
    assert p.normalise_column_name("DATE_DEBUT") == "date_debut"
