"""Numbers as French office exports write them (issue 20, point 3): decimal comma in any file,
thousands separators, units where the contract allows them, ambiguous cells quarantined by name.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.ingest import parsing as p
from pipelines.ingest.csv_reader import detect_separator, parse_records, read_csv_export
from pipelines.ingest.sources import MLDS_PARCOURS
from tests.conftest import SAMPLE, csf, status

NBSP, NNBSP = "\u00a0", "\u202f"
AMOUNT, HOURS, RATE, OTHER = "montant_previsionnel_ht", "heures_realisees", "taux_x", "age_entree"

# (column, cell, expected value or quarantine rule prefix)
DECIMALS = [
    # Decimal comma or dot, quoted or not (the csv module leaves quoted "140,5" as 140,5).
    (AMOUNT, "140,5", 140.5),
    (AMOUNT, '"140,5"', 140.5),
    (AMOUNT, "1234.5", 1234.5),
    (AMOUNT, "0,125", 0.125),  # a thousands group never starts with 0
    (AMOUNT, "1234,567", 1234.567),  # four digits before: not a thousands group
    (AMOUNT, ",5", 0.5),
    (AMOUNT, "-12,5", -12.5),
    (AMOUNT, "150,0", 150.0),
    # Thousands: space, no-break space, narrow no-break space; dot or comma when unambiguous.
    (AMOUNT, "1 234,50", 1234.5),
    (AMOUNT, f"1{NBSP}234,5", 1234.5),
    (AMOUNT, f"1{NNBSP}234{NNBSP}567", 1234567.0),
    (AMOUNT, "1 234.5", 1234.5),
    (AMOUNT, "1.234,5", 1234.5),
    (AMOUNT, "1,234.5", 1234.5),
    (AMOUNT, "1.234.567", 1234567.0),
    (AMOUNT, "1,234,567", 1234567.0),
    # Units: euros (and HT) on amounts, hours on hours, % on percentages only.
    (AMOUNT, "1 234 €", 1234.0),
    (AMOUNT, "1 234,50 € HT", 1234.5),
    (AMOUNT, "1234 EUR", 1234.0),
    (AMOUNT, "1234 euros", 1234.0),
    (HOURS, "140 h", 140.0),
    (HOURS, "140 heures", 140.0),
    (HOURS, "140h", 140.0),
    (RATE, "45 %", 45.0),
    (RATE, "12,5%", 12.5),
    (AMOUNT, "45 %", "nombre_invalide"),
    (HOURS, "45 %", "nombre_invalide"),
    (HOURS, "1 234 €", "nombre_invalide"),
    (AMOUNT, "140 h", "nombre_invalide"),
    (OTHER, "17 ans", "nombre_invalide"),
    # One separator then exactly three digits: decimal or thousands? Never guessed.
    (AMOUNT, "1,234", "nombre_ambigu"),
    (AMOUNT, "1.234", "nombre_ambigu"),
    (AMOUNT, "-12.500", "nombre_ambigu"),
    (HOURS, "1.500", "nombre_ambigu"),
    (RATE, "12,500 %", "nombre_ambigu"),
    # Not numbers.
    (AMOUNT, "1,2,3", "nombre_invalide"),
    (AMOUNT, "12 34", "nombre_invalide"),  # a space must separate groups of three
    (AMOUNT, "1.23.456", "nombre_invalide"),
    (AMOUNT, "1,234,5", "nombre_invalide"),
    (AMOUNT, "cent", "nombre_invalide"),
    (AMOUNT, "", None),
    (AMOUNT, "  ", None),
]

# Integer columns: hours are kept in whole hours (a half up); other integers must be whole.
INTEGERS = [
    (HOURS, '"140,5"', 141),
    (HOURS, "140,5", 141),
    (HOURS, "140,4", 140),
    (HOURS, "150,0", 150),
    (HOURS, "1 200", 1200),
    (HOURS, "150 h", 150),
    (HOURS, "1,500", "nombre_ambigu"),
    (HOURS, "cent cinquante", 150),  # words: tests/test_labels.py has the table
    (HOURS, "cent cinquante et quelques", "nombre_invalide"),
    (OTHER, "17", 17),
    (OTHER, "17,0", 17),
    (OTHER, "17,5", "nombre_invalide"),
]


def run(column, cell, integer):
    df = pl.DataFrame({column: [cell]}, schema={column: pl.String})
    parse = p.parse_integer if integer else p.parse_decimal
    return df.select(
        parse(pl.col(column)).alias("value"),
        p.number_rule(pl.col(column), column, integer=integer).alias("rule"),
    ).row(0)


@pytest.mark.parametrize(("column", "cell", "expected"), DECIMALS)
def test_decimal_cells_read_or_quarantined_by_rule(column, cell, expected):
    value, rule = run(column, cell, integer=False)
    if isinstance(expected, str):
        assert (value, rule) == (None, f"{expected}:{column}")
    else:
        assert (value, rule) == (expected, None)


@pytest.mark.parametrize(("column", "cell", "expected"), INTEGERS)
def test_integer_cells_read_or_quarantined_by_rule(column, cell, expected):
    value, rule = run(column, cell, integer=True)
    if isinstance(expected, str):
        assert (value, rule) == (None, f"{expected}:{column}")
    else:
        assert (value, rule) == (expected, None)


def test_the_column_name_comes_from_the_expression_unless_given():
    df = pl.DataFrame({"v": ["140 h"], HOURS: ["140 h"]})
    out = df.select(
        p.parse_decimal(pl.col(HOURS)).alias("a"),
        p.parse_decimal(pl.col("v")).alias("b"),
        p.parse_decimal(pl.col("v"), HOURS).alias("c"),
    )
    assert out.row(0) == (140.0, None, 140.0)


def comma_parcours() -> tuple[bytes, int]:
    """The rows of a sample parcours export the reader keeps, rewritten ``,``-separated with
    hours as ``"149,5"`` (quoted because of the comma): the bytes and the number of rows."""
    original = (SAMPLE / "mlds_31_parcours.csv").read_bytes()
    clean = read_csv_export(original, MLDS_PARCOURS, b"k" * 32, date.today()).clean
    kept = set(clean["_line_number"].to_list())
    text = original.decode("utf-8-sig")
    header, records, lines = parse_records(text, detect_separator(text))
    names = [p.normalise_column_name(h) for h in header]
    hours = {name: names.index(name) for name in ("heures_prevues", "heures_realisees")}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", lineterminator="\r\n")
    writer.writerow(header)
    rows = 0
    for record, line in zip(records, lines, strict=True):
        if line not in kept:
            continue
        planned, done = record[hours["heures_prevues"]], record[hours["heures_realisees"]]
        if planned:
            record[hours["heures_prevues"]] = f"{planned},0"
        if done and int(done) > 0:
            record[hours["heures_realisees"]] = f"{int(done) - 1},5"  # rounds back to done
        writer.writerow(record)
        rows += 1
    return out.getvalue().encode("utf-8"), rows


def test_quoted_decimal_commas_in_a_comma_separated_export_read():
    data, rows = comma_parcours()
    assert b'"149,5"' in data or b'"299,5"' in data
    load = read_csv_export(data, MLDS_PARCOURS, b"k" * 32, date.today())
    assert load.separator == ","
    assert (load.clean.height, load.quarantine.height) == (rows, 0)


def test_an_ambiguous_number_is_quarantined_under_its_own_rule():
    data, _ = comma_parcours()
    lines = data.decode("utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    column = header.index(next(h for h in header if "heures" in h.lower()))
    cells = lines[1].rstrip("\r\n").split(",")
    # Whatever the line's own quoting, the hours cell becomes one quoted "1,500".
    if cells[column].startswith('"'):
        cells[column : column + 2] = ['"1,500"']
    else:
        cells[column] = '"1,500"'
    lines[1] = ",".join(cells) + "\n"
    load = read_csv_export("".join(lines).encode(), MLDS_PARCOURS, b"k" * 32, date.today())
    assert load.quarantine.height == 1
    assert load.quarantine["rule"].str.contains("nombre_ambigu:").all()


@pytest.mark.slow
def test_csf_run_loads_every_row_of_a_comma_separated_parcours_file(tmp_path: Path):
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    inbox.mkdir()
    for name in ("registre_clauses_csf.csv", "mlds_31_jeunes.csv", "mlds_31_suivis.csv"):
        shutil.copy2(SAMPLE / name, inbox / name)
    data, rows = comma_parcours()
    (inbox / "mlds_31_parcours_virgules.csv").write_bytes(data)
    expected = read_csv_export(
        (SAMPLE / "mlds_31_parcours.csv").read_bytes(), MLDS_PARCOURS, b"k" * 32, date.today()
    ).clean

    result = csf(home, "run", "--inbox", str(inbox))
    assert result.returncode == 0, result.stderr[-3000:]
    (parcours,) = [f for f in status(home)["files"] if f["file"].endswith("_virgules.csv")]
    assert (parcours["rows_read"], parcours["rows_clean"], parcours["rows_quarantined"]) == (
        rows,
        rows,
        0,
    )
    build = home / "warehouse" / "build.duckdb"
    with duckdb.connect(str(build), read_only=True) as con:
        loaded = con.execute(
            "select id_parcours, heures_prevues, heures_realisees from raw.mlds_parcours"
        ).fetchall()
    assert sorted(loaded, key=str) == sorted(
        expected.select("id_parcours", "heures_prevues", "heures_realisees").rows(), key=str
    )
