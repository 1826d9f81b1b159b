"""Research releases: written by the real ``csf export`` from the snapshot ``csf run`` published on
the demo sample, then read back with tools that share no code with the writer (frictionless,
sha256sum, polars, pyarrow)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from pipelines.content.csv_formulas import RULE_FR, neutralised
from pipelines.exports.tables import TABLES
from tests.conftest import ROOT, csf

FRICTIONLESS = str(Path(sys.executable).with_name("frictionless"))
K = 5
QUASI_IDENTIFIERS = ["sexe", "tranche_age", "code_academie", "annee_entree_mlds"]
MICRODATA = {
    "microdonnees_parcours": "fct_parcours",
    "microdonnees_jeunes_comparaison": "fct_jeunes_comparaison",
}


def export(home: Path, name: str, *extra: str) -> Path:
    result = csf(home, "export", "--release", name, *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    return Path(result.stdout.strip())


def warehouse(home: Path, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def read_csv(release: Path, table: str) -> pl.DataFrame:
    """A released CSV, typed from its own Table Schema (not from the writer's code)."""
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in package["resources"] if r["name"] == table]
    types = {
        "string": pl.String,
        "integer": pl.Int64,
        "number": pl.Float64,
        "boolean": pl.Boolean,
        "date": pl.Date,
    }
    schema = {f["name"]: types[f["type"]] for f in resource["schema"]["fields"]}
    return pl.read_csv(release / resource["path"], schema=schema)


@pytest.fixture(scope="module")
def release(demo_home: Path) -> Path:
    return export(demo_home, "recherche-2026")


def test_frictionless_validates_the_package_and_catches_a_damaged_file(release, tmp_path):
    result = subprocess.run(
        [FRICTIONLESS, "validate", "--json", "datapackage.json"],
        cwd=release,
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    assert report["valid"], [t["errors"][:3] for t in report["tasks"] if not t["valid"]]
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    tables = [r for r in package["resources"] if r["format"] == "csv"]
    assert len(tables) == len(TABLES) and len(package["resources"]) == 2 * len(TABLES)
    for resource in package["resources"]:
        assert resource["title"] and resource["description"]
        for field in resource["schema"]["fields"]:
            assert field["title"] and field["description"] and field["type"], field
    # French descriptions come from the dbt docs.
    (indicateurs,) = [r for r in tables if r["name"] == "indicateurs"]
    assert "Tous les indicateurs au format long" in indicateurs["description"]

    # The same validation fails on a copy with one changed cell (hash, then type).
    copy = tmp_path / "copie"
    shutil.copytree(release, copy)
    path = copy / "csv" / "academies.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",false,", ",peut-être,", 1), encoding="utf-8"
    )
    damaged = subprocess.run(
        [FRICTIONLESS, "validate", "--json", "datapackage.json"],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    errors = {e["type"] for t in json.loads(damaged.stdout)["tasks"] for e in t["errors"]}
    assert {"hash-count", "type-error"} <= errors


def test_checksums_cover_every_file_and_verify(release):
    listed = {line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text().splitlines()}
    present = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert listed == present - {"SHA256SUMS"}
    assert {
        "README.md",
        "CITATION.cff",
        "datapackage.json",
        "dictionnaire.md",
        "notes-de-version.md",
    } <= listed
    assert (
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=release).returncode
        == 0
    )


def test_no_youth_count_from_1_to_4_and_no_rate_on_fewer_than_20(release, demo_home):
    # The warehouse does hold what must not leave it, so this test can fail.
    exact = warehouse(demo_home, "select * from marts.indicateurs where domaine = 'jeunes'")
    assert exact.filter(pl.col("numerateur").is_between(1, 4)).height > 0
    assert exact.filter(pl.col("denominateur").is_between(1, 19)).height > 0

    rows = read_csv(release, "indicateurs").filter(pl.col("domaine") == "jeunes")
    assert rows.height == exact.height
    counts = rows.filter(pl.col("unite") == "nombre")
    assert counts.filter(pl.col("numerateur").is_between(1, 4)).height == 0
    # A shown rate keeps its numerator (rate × denominator): 1 to 4 only over 20 youths or more.
    small = rows.filter((pl.col("unite") != "nombre") & pl.col("numerateur").is_between(1, 4))
    assert small.filter(pl.col("denominateur") < 20).height == 0
    assert (
        rows.filter((pl.col("unite") == "nombre") & pl.col("valeur").is_between(1, 4)).height == 0
    )
    rates = rows.filter(pl.col("unite").is_in(["taux", "ratio"]) & pl.col("valeur").is_not_null())
    assert (
        rates.filter(pl.col("denominateur").is_null() | (pl.col("denominateur") < 20)).height == 0
    )
    gaps = rows.filter((pl.col("unite") == "ecart") & pl.col("valeur").is_not_null())
    assert gaps.filter(pl.min_horizontal("numerateur", "denominateur") < 20).height == 0
    # A row hidden in the warehouse shows no figure, and nothing says which rule hid it.
    hidden = rows.filter(~pl.col("diffusable"))
    assert hidden.height == exact.filter(~pl.col("diffusable")).height > 0
    for column in ("numerateur", "denominateur", "valeur", "ic_bas", "ic_haut"):
        assert hidden[column].null_count() == hidden.height
    assert not any("motif" in column for column in rows.columns)
    intervals = rows.filter(pl.col("valeur").is_null())
    assert intervals["ic_bas"].null_count() == intervals.height

    funnel = read_csv(release, "entonnoir_clauses")
    youth = funnel.filter(pl.col("domaine") == "jeunes")
    for column in ("nb_clauses_atteinte", "nb_clauses_bloquees", "nb_delais"):
        assert youth.filter(pl.col(column).is_between(1, 4)).height == 0
    previous = funnel.sort("rang_etape").with_columns(
        pl.col("nb_clauses_atteinte")
        .shift(1)
        .over("niveau", "code_niveau", "periode")
        .alias("precedente")
    )
    # A youth stage's rate is shown only on 20 clauses or more at the previous stage, shown too
    # (rate × count would give a hidden count back).
    shown = previous.filter(
        (pl.col("domaine") == "jeunes") & pl.col("taux_conversion").is_not_null()
    )
    assert shown.height > 0
    assert shown.filter(pl.col("precedente").is_null() | (pl.col("precedente") < 20)).height == 0
    assert (
        funnel.filter(~pl.col("diffusable"))["nb_clauses_bloquees"].null_count()
        == funnel.filter(~pl.col("diffusable")).height
    )

    clauses = read_csv(release, "clauses")
    assert "nb_parcours_commences" not in clauses.columns
    assert clauses["rang_etape_atteinte"].max() == 7


def test_microdata_is_k_anonymous_by_an_independent_count(release, demo_home):
    notes = (release / "notes-de-version.md").read_text(encoding="utf-8")
    for table, mart in MICRODATA.items():
        source = warehouse(demo_home, f"select * from marts.{mart}")
        # Without the treatment the k-anonymity check below would fail.
        raw = source.group_by(QUASI_IDENTIFIERS).agg(pl.col("jeune_id").n_unique().alias("n"))
        assert raw.filter(pl.col("n") < K).height > 0

        rows = read_csv(release, table)
        classes = rows.group_by(
            [*QUASI_IDENTIFIERS, "libelle_region_academique", "academie_generalisee"]
        ).agg(pl.col("jeune_id").n_unique().alias("n"))
        assert classes["n"].min() >= K, classes.sort("n").head()
        generalised = rows.filter(pl.col("academie_generalisee"))
        assert generalised["code_academie"].null_count() == generalised.height
        suppressed = source.height - rows.height
        assert suppressed > 0
        line = next(x for x in notes.splitlines() if x.startswith(f"| `{table}` |"))
        cells = [c.strip().replace("\u202f", "").replace("\u00a0", "") for c in line.split("|")]
        assert cells[2:7] == [
            str(source.height),
            str(source["jeune_id"].n_unique()),
            str(generalised.height),
            str(suppressed),
            str(rows.height),
        ]

        # Re-keyed ids, months not days, age bands not ages, nothing that names anyone.
        assert not set(rows["jeune_id"]) & set(source["jeune_id"])
        if "parcours_id" in rows.columns:
            assert not set(rows["parcours_id"]) & set(source["parcours_id"])
        for column in rows.columns:
            if column.startswith("mois_"):
                assert rows[column].drop_nulls().dt.day().max() == 1
        assert not {
            "age",
            "date_naissance",
            "ine",
            "nom",
            "prenom",
            "clause_id",
            "siret_entreprise",
            "siret_acheteur",
        } & set(rows.columns)


def test_ids_differ_between_two_releases(release, demo_home):
    other = export(demo_home, "recherche-2026-bis")
    for table in MICRODATA:
        first, second = read_csv(release, table), read_csv(other, table)
        assert first.height == second.height
        assert not set(first["jeune_id"]) & set(second["jeune_id"])


def test_the_same_snapshot_and_name_give_byte_identical_files(release, demo_home, tmp_path):
    def digests(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*")
            if p.is_file()
        }

    before = digests(release)
    shutil.move(release, tmp_path / "avant")
    again = export(demo_home, release.name)
    assert again == release
    assert digests(release) == before
    # Exporting again over an identical release leaves it as it is.
    result = csf(demo_home, "export", "--release", release.name)
    assert result.returncode == 0 and "déjà à jour" in result.stderr


def test_a_release_name_is_a_version_not_overwritten_silently(demo_home):
    folder = export(demo_home, "version-figee")
    notes = folder / "notes-de-version.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "modifié\n", encoding="utf-8")
    refused = csf(demo_home, "export", "--release", "version-figee")
    assert refused.returncode == 2 and "existe déjà" in refused.stderr
    assert notes.read_text(encoding="utf-8").endswith("modifié\n")
    export(demo_home, "version-figee", "--replace")
    assert not notes.read_text(encoding="utf-8").endswith("modifié\n")
    for bad in ("../evasion", ".cache", "auto-manuel"):
        result = csf(demo_home, "export", "--release", bad)
        assert result.returncode == 2 and "csf : erreur" in result.stderr
    assert not (demo_home / "evasion").exists()


def test_parquet_files_hold_the_csv_rows_with_the_schema_types(release):
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    arrow_types = {
        "string": {"string", "large_string"},
        "integer": {"int32", "int64"},
        "number": {"double"},
        "boolean": {"bool"},
        "date": {"date32[day]"},
    }
    for resource in package["resources"]:
        if resource["format"] != "parquet":
            continue
        table = pq.read_table(release / resource["path"])
        fields = resource["schema"]["fields"]
        assert table.column_names == [f["name"] for f in fields]
        for field in fields:
            assert str(table.schema.field(field["name"]).type) in arrow_types[field["type"]]
        from_csv = read_csv(release, resource["name"].removesuffix("_parquet"))
        from_parquet = pl.from_arrow(table).cast(from_csv.schema)
        # The CSV's text cells went through the spreadsheet formula rule; the Parquet's did not.
        from_parquet = from_parquet.with_columns(
            pl.col(pl.String).map_elements(neutralised, return_dtype=pl.String)
        )
        assert from_parquet.equals(from_csv), resource["name"]


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def test_release_csv_cells_a_spreadsheet_would_run_are_quoted(tmp_path):
    """A released CSV's text cell that a spreadsheet would run (=, +, -, @, tab, CR) is written
    behind a quote, the rule the release notes state; numbers stay numbers, and the Parquet file
    keeps the text as it is."""
    from pipelines.exports.release import _write_table
    from pipelines.exports.tables import ReleasedTable

    hostile = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1", "\tx", "\rx"]
    hostile += ["Mairie;=1+cmd", 'Mairie, "@SUM(1)', "a\n-2+3"]
    rows = [*hostile, "-3,5", "Académie de Créteil, 5 rue", None]
    values = ", ".join(
        f"({i}, {'null' if t is None else _sql_literal(t)}, {-i}.5)" for i, t in enumerate(rows)
    )
    table = ReleasedTable(
        name="essai",
        model="essai",
        title="Essai",
        treatment="aucun",
        query=f"select * from (values {values}) as t(rang, libelle, ecart)",
        order=("rang",),
        key=("rang",),
    )
    (tmp_path / "csv").mkdir()
    (tmp_path / "parquet").mkdir()
    with duckdb.connect() as con:
        _write_table(con, table, tmp_path)
    written = pl.read_csv(tmp_path / "csv" / "essai.csv", infer_schema=False)
    assert written["libelle"].to_list() == ["'" + t for t in hostile] + rows[-3:]
    assert written["ecart"].to_list() == [f"{-i}.5" for i in range(len(rows))]
    assert pq.read_table(tmp_path / "parquet" / "essai.parquet")["libelle"].to_pylist() == rows


def test_the_release_notes_state_the_spreadsheet_formula_rule(release):
    notes = (release / "notes-de-version.md").read_text(encoding="utf-8")
    assert RULE_FR in notes


def test_dictionary_documents_every_column(release):
    dictionary = (release / "dictionnaire.md").read_text(encoding="utf-8")
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        assert f"(`{resource['name'].removesuffix('_parquet')}`)" in dictionary
        for field in resource["schema"]["fields"]:
            assert f"| `{field['name']}` | {field['title']} | {field['type']} |" in dictionary


def test_each_run_writes_a_release_and_keeps_the_newest_automatic_ones(demo_home, monkeypatch):
    from pipelines.exports.release import write_release
    from pipelines.settings import load_settings

    exports = demo_home / "exports"
    assert [p.name for p in exports.glob("auto-*")]  # written by the run's Dagster asset
    assert "Diffusion pour la recherche" in (demo_home / "first_run.out").read_text()
    monkeypatch.setenv("CSF_HOME", str(demo_home))
    monkeypatch.setenv("CSF_PSEUDO_KEY", "")
    monkeypatch.setenv("CSF_AUTO_RELEASES_KEEP", "2")
    (exports / ".interrompue.0123.tmp").mkdir()
    for name in ("auto-20990101T000000Z-a", "auto-20990102T000000Z-b"):
        write_release(load_settings(), name, automatic=True)
    assert sorted(p.name for p in exports.glob("auto-*")) == [
        "auto-20990101T000000Z-a",
        "auto-20990102T000000Z-b",
    ]
    assert not list(exports.glob(".*.tmp"))
    assert (exports / "recherche-2026").is_dir()  # named releases are never pruned


def test_readme_python_snippet_reads_a_release(release):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = readme.split("<!-- lecture-python -->", 1)[1].split("```python", 1)[1]
    snippet = snippet.split("```", 1)[0].replace("exports/2026-11", str(release))
    result = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "libelle_niveau" in result.stdout and "situation_6m" in result.stdout
