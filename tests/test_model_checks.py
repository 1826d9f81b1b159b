"""The model's own tests (dbt) reach the quality page, warnings included (issue 20, point 1:
a data-dependent check is a warning that does not stop a publish, so it must be seen there)."""

from __future__ import annotations

import csv
import io
import json
import os
import re

import duckdb
import pytest
import requests

from dashboards.server import served_in_background
from pipelines.checks import model_checks
from pipelines.content import formatting as fmt
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _published(home, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_test_of_the_project_is_in_the_snapshot_with_its_latest_outcome(demo_home):
    """Every data test of the project has its stored outcome (the first run builds everything),
    and the outcome of the tests the latest build ran is theirs (later runs of other tests may
    have rebuilt only part of the project)."""
    manifest = json.loads(
        (ROOT / "dbt_project" / "target" / "manifest.json").read_text(encoding="utf-8")
    )
    names = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    stored = {
        name: (statut, gravite)
        for name, statut, gravite in _published(
            demo_home, "select controle, statut, gravite from meta.controles_modele"
        )
    }
    assert set(stored) == names and len(names) > 50
    assert {statut for statut, _ in stored.values()} <= {"pass", "warn"}
    assert {gravite for _, gravite in stored.values()} <= {"error", "warn"}
    # The build warehouse holds the outcome of the latest build's tests (the snapshot, that of
    # the latest build that published).
    build = duckdb.connect(str(demo_home / "warehouse" / "build.duckdb"), read_only=True)
    try:
        latest = dict(build.execute("select test_name, status from ingest.model_checks").fetchall())
    finally:
        build.close()
    ran = json.loads((demo_home / "dbt" / "run_results.json").read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    for result in ran["results"]:
        node = nodes.get(result["unique_id"], {})
        if node.get("resource_type") == "test":
            assert latest[node["name"]] == result["status"], node["name"]


def test_the_warnings_of_the_run_summary_are_on_the_quality_page(demo_home):
    summary = (demo_home / "first_run.out").read_text(encoding="utf-8")
    # The dbt tests' warnings: not the GX suites' (raw/...) nor freshness (an asset check).
    warned = {
        (model, name)
        for model, name in re.findall(r"avertissement : \S+/(\S+) (\S+)", summary)
        if not name.startswith("gx_") and name != "fraicheur"
    }
    assert warned, summary
    stored = set(
        _published(
            demo_home, "select modele, controle from meta.controles_modele where statut = 'warn'"
        )
    )
    assert {name for _, name in warned} <= {name for _, name in stored}
    with served_in_background({**os.environ, "CSF_HOME": str(demo_home)}, workers=1) as url:
        answer = requests.get(f"{url}/telecharger/controles-modele.csv", timeout=30)
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Contrôle", "Table", "Colonne", "Résultat", "Lignes en anomalie",
                       "Contrôlé le"]  # fmt: skip
    shown = {(row[1], row[3]) for row in rows[1:]}
    # The page names a table as readers know it (the reviewed labels), never by its dbt name.
    expected = {(fmt.label(model, "modele"), "Avertissement") for model, _ in stored}
    assert expected <= shown
    assert not any(model in {row[1] for row in rows[1:]} for model, _ in stored)


def test_a_later_partial_build_keeps_the_results_of_tests_it_did_not_run(tmp_path):
    """Results are replaced test by test: a test a partial build skipped keeps its last one."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    from pipelines.warehouse.connection import ensure_schema

    ensure_schema(con)
    manifest = {
        "nodes": {
            f"test.p.{name}": {
                "resource_type": "test",
                "name": name,
                "attached_node": f"model.p.{model}",
                "column_name": "x",
                "test_metadata": {"name": kind},
                "config": {"severity": severity},
            }
            for name, model, kind, severity in (
                ("t1", "stg_a", "not_null", "ERROR"),
                ("t2", "stg_b", "relationships", "warn"),
            )
        }
    }

    def run(results: list[tuple[str, str, int]], run_id: str) -> None:
        path = tmp_path / f"{run_id}.json"
        path.write_text(
            json.dumps(
                {"results": [
                    {"unique_id": f"test.p.{n}", "status": s, "failures": f}
                    for n, s, f in results
                ] + [{"unique_id": "model.p.stg_a", "status": "success"}]}
            )
        )  # fmt: skip
        model_checks.record(con, model_checks.test_results(path, manifest), run_id)

    run([("t1", "pass", 0), ("t2", "warn", 3)], "r1")
    run([("t2", "pass", 0)], "r2")
    stored = con.execute(
        "select test_name, model_name, test_kind, severity, status, failures, run_id "
        "from ingest.model_checks order by test_name"
    ).fetchall()
    assert stored == [
        ("t1", "stg_a", "not_null", "error", "pass", 0, "r1"),
        ("t2", "stg_b", "relationships", "warn", "pass", 0, "r2"),
    ]
