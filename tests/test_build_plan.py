"""Which nodes an incremental ``dbt build`` leaves out (pipelines.dbt.selection.plan), on the
project's real manifest and a warehouse holding only the ingestion ledger."""

import json
import re
import shutil
from datetime import date

import duckdb
import pytest

from pipelines.dbt import selection
from pipelines.dbt.manifest import ensure_manifest
from pipelines.dbt.selection import PYTHON_CODE, plan, project_checksum, record
from pipelines.settings import DBT_PROJECT_DIR, PROJECT_ROOT, load_settings
from pipelines.warehouse.connection import ensure_schema


@pytest.fixture(scope="module")
def manifest():
    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


@pytest.fixture
def con():
    with duckdb.connect() as con:
        ensure_schema(con)
        yield con


def _load(con, sha, source):
    con.execute(
        "insert into ingest.file_ledger (file_sha256, file_name, file_path, size_bytes, source, "
        "status, registered_at, run_id) values (?, ?, ?, 1, ?, 'loaded', current_timestamp, 'r')",
        [sha, f"{sha}.csv", f"/inbox/{sha}.csv", source],
    )


def _units(manifest, chosen):
    """The unit tests a plan runs."""
    names = {u["name"] for u in manifest["unit_tests"].values()}
    left_out = {s.removeprefix("unit_test:") for s in chosen.exclude if s.startswith("unit_test:")}
    return names - left_out


def test_unit_tests_run_in_a_full_build_and_not_again_for_new_data(con, manifest):
    settings = load_settings({}, full_rebuild=False)
    _load(con, "a", "mlds_jeunes")
    first = plan(con, manifest, settings)
    assert first.full and not first.exclude
    record(con, "r1", first)
    _load(con, "b", "mlds_jeunes")  # a monthly export: new data, same code
    monthly = plan(con, manifest, settings)
    assert not monthly.full and "stg_mlds__jeunes" in monthly.rebuilt_models
    assert not _units(manifest, monthly)


def test_a_new_observation_date_reruns_the_unit_tests_of_what_it_rebuilds(con, manifest):
    _load(con, "a", "mlds_jeunes")
    record(con, "r1", plan(con, manifest, load_settings({}, full_rebuild=False)))
    moved = load_settings({}, full_rebuild=False, observation_date=date(2026, 6, 30))
    chosen = plan(con, manifest, moved)
    assert not chosen.full and "var:observation_date" in chosen.reason
    units = _units(manifest, chosen)
    assert units  # every unit-tested model reads the observation date, through int_observation_date
    models = {
        n["unique_id"] for n in manifest["nodes"].values() if n["name"] in chosen.rebuilt_models
    }
    for unit in manifest["unit_tests"].values():
        rebuilt = bool(models.intersection(unit["depends_on"]["nodes"]))
        assert (unit["name"] in units) == rebuilt, unit["name"]


def test_the_checksum_covers_the_code_the_python_models_import():
    imported = {
        module
        for model in (DBT_PROJECT_DIR / "models").rglob("*.py")
        for module in re.findall(r"^from (pipelines[\w.]*) import", model.read_text(), re.M)
    }
    assert imported
    for module in imported:
        path = module.replace(".", "/")
        assert any(path == c or path.startswith(c + "/") for c in PYTHON_CODE), module


def test_the_checksum_changes_with_that_code(tmp_path, monkeypatch):
    for name in PYTHON_CODE:
        source, copy = PROJECT_ROOT / name, tmp_path / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy)
    monkeypatch.setattr(selection, "PROJECT_ROOT", tmp_path)
    before = project_checksum()
    assert before == project_checksum()
    engine = tmp_path / "pipelines" / "disclosure" / "suppression.py"
    engine.write_text(engine.read_text() + "\n# a change\n")
    assert project_checksum() != before


def test_a_run_of_some_models_only_is_not_recorded(demo_home, tmp_path):
    """A materialisation of part of the dbt assets (Dagster's UI allows it) built less than its
    plan: the next run must plan from the last whole build."""
    from dagster import AssetKey, DagsterInstance

    from pipelines.orchestration.definitions import build_definitions

    home = tmp_path / "home"
    shutil.copytree(demo_home, home, ignore=shutil.ignore_patterns("dagster"))
    settings = load_settings({"CSF_HOME": str(home), "CSF_PSEUDO_KEY": ""})
    builds = "select count(*) from ingest.dbt_builds"
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        before = con.execute(builds).fetchone()[0]
    job = build_definitions(settings).get_implicit_global_asset_job_def()
    result = job.execute_in_process(
        asset_selection=[AssetKey(["marts", "qualite_fichiers"])],
        instance=DagsterInstance.ephemeral(),
    )
    assert result.success
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        assert con.execute(builds).fetchone()[0] == before
