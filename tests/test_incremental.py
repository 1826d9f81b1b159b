"""A run rebuilds only the dbt models fed by what changed, and gets the same figures, reports
and research release as a full rebuild of the same inbox, its CSV exports read in worker
processes (real runs on the demo sample)."""

import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.exports.tables import TABLES
from pipelines.sample.monthly import write_previous_month
from tests.conftest import SAMPLE, csf

pytestmark = pytest.mark.slow

ACADEMIE = "25"
KEY = "clé-de-test-pour-comparer-deux-entrepots-0123456789"
# Marts compared between the incremental and the full build (the quality marts hold run ids
# and load times, which differ by nature).
MARTS = (
    "indicateurs",
    "fct_parcours",
    "fct_clauses",
    "dim_acheteurs",
    "fct_entonnoir_clauses",
    "fct_offres_attente",
    "fct_offres_ouvertes",
    "fct_attente_delais",
    "fct_attente_courbes",
)
# The offers-and-waiting series: a monthly MLDS export feeds them (youths waiting, positionings,
# parcours using an offer's hours).
ATTENTE = {
    f"model.csf_impact.{m}"
    for m in ("int_attente__jeunes", "fct_offres_attente", "fct_attente_delais")
}


def _run(home, inbox, *extra, **settings):
    env = {"CSF_PSEUDO_KEY": KEY, "CSF_FULL_REBUILD": "", **settings}
    result = csf(home, "run", "--inbox", str(inbox), *extra, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((home / "dbt" / "run_results.json").read_text())
    return result.stderr, {r["unique_id"] for r in results["results"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    previous = write_previous_month(root / "previous", ACADEMIE, "demo")
    inbox = root / "inbox"
    shutil.copytree(SAMPLE, inbox)
    month_ago = time.time() - 30 * 86400
    for path in previous:
        shutil.copy(path, inbox / path.name)
        os.utime(inbox / path.name, (month_ago, month_ago))
    home = root / "home"
    first = _run(home, inbox)
    for path in previous:  # the académie's next monthly export
        shutil.copy(SAMPLE / path.name, inbox / path.name)
    monthly = _run(home, inbox)
    unchanged = _run(home, inbox)
    full_home = root / "full"
    # This one reads the CSV exports in two worker processes (the others in csf run's own).
    full = _run(full_home, inbox, "--full", CSF_INGEST_WORKERS="2", CSF_INGEST_PARALLEL_MB="0")
    return home, full_home, first, monthly, unchanged, full


def test_the_first_build_is_complete(runs):
    _, _, (log, built), *_ = runs
    assert "calcul complet : premier calcul de cet entrepôt" in log
    assert "model.csf_impact.stg_decp__marches" in built


def test_a_monthly_export_rebuilds_what_it_feeds_and_not_the_procurement_chain(runs):
    _, _, _, (log, built), _, _ = runs
    assert "calcul partiel" in log and "source:raw.mlds_jeunes" in log
    assert "source:raw.decp_marches" not in log
    assert {"model.csf_impact.stg_mlds__jeunes", "model.csf_impact.indicateurs"} <= built
    assert not ATTENTE - built, ATTENTE - built
    # Same code, same fixtures: the unit tests passed in the first (full) build.
    assert not {uid for uid in built if uid.startswith("unit_test.")}
    assert (
        not {
            "model.csf_impact.stg_decp__marches",
            "model.csf_impact.stg_siret__validite",
            "test.csf_impact.unique_stg_decp__marches_uid.aafe91bdcd",
        }
        & built
    )


def test_a_run_with_nothing_new_rebuilds_only_what_publishing_reads(runs):
    _, _, _, _, (log, built), _ = runs
    assert "entrées modifiées : aucune" in log
    models = {uid.split(".")[-1] for uid in built if uid.startswith("model.")}
    assert models == {"indicateurs", "qualite_fichiers"}


def test_the_incremental_build_equals_a_full_rebuild_of_the_same_inbox(runs):
    home, full_home, *_, (log, built) = runs
    assert "calcul complet : demandé (csf run --full ou CSF_FULL_REBUILD)" in log
    assert "model.csf_impact.stg_decp__marches" in built
    assert len({uid for uid in built if uid.startswith("unit_test.")}) >= 20
    con = duckdb.connect()
    con.execute(f"attach '{home / 'warehouse' / 'published.duckdb'}' as inc (read_only)")
    con.execute(f"attach '{full_home / 'warehouse' / 'published.duckdb'}' as ful (read_only)")
    for mart in MARTS:
        rows = con.execute(f"select count(*) from inc.marts.{mart}").fetchone()[0]
        assert rows > 0
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = 'inc' and table_schema = 'marts' and table_name = ? "
            "order by ordinal_position",
            [mart],
        ).fetchall()
        # Parallel sums of doubles may differ in their last bits from one build to another.
        listed = ", ".join(
            f"round({name}, 9)" if kind in ("DOUBLE", "FLOAT") else name for name, kind in columns
        )
        for a, b in (("inc", "ful"), ("ful", "inc")):
            differ = con.execute(
                f"select count(*) from (select {listed} from {a}.marts.{mart} "
                f"except all select {listed} from {b}.marts.{mart})"
            ).fetchone()[0]
            assert differ == 0, f"{mart}: {differ} rows of {a} not in {b}"


def _report_contents(home: Path) -> dict[str, list]:
    """Every cell of every sheet of each Excel report, the snapshot's id (which names the build,
    not the figures) replaced by a mark."""
    folder = home / "reports"
    snapshot = json.loads((folder / "index.json").read_text(encoding="utf-8"))["instantane"]
    contents = {}
    for path in sorted(folder.rglob("*.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True)
        contents[str(path.relative_to(folder))] = [
            (sheet.title, [str(v).replace(snapshot, "<instantané>") for v in row])
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
        book.close()
    return contents


def test_the_incremental_reports_and_release_equal_a_full_rebuild(runs):
    home, full_home, *_ = runs
    incremental, full = _report_contents(home), _report_contents(full_home)
    assert incremental and set(incremental) == set(full)
    for name, sheets in incremental.items():
        assert sheets == full[name], name

    def latest_release(h: Path) -> Path:
        return max((h / "exports").glob("auto-*"), key=lambda p: p.stat().st_mtime)

    inc, ful = latest_release(home), latest_release(full_home)
    # Microdata are keyed by the release's name (auto-<snapshot>): the aggregates are not.
    compared = [t.name for t in TABLES if not t.microdata]
    assert compared
    for name in compared:
        a, b = inc / "csv" / f"{name}.csv", ful / "csv" / f"{name}.csv"
        assert a.read_bytes() == b.read_bytes(), name
