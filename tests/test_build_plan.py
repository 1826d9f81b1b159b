"""Which nodes an incremental ``dbt build`` leaves out (pipelines.dbt.selection.plan), on the
project's real manifest and a warehouse holding only the ingestion ledger."""

import json
from datetime import date

import duckdb
import pytest

from pipelines.dbt.manifest import ensure_manifest
from pipelines.dbt.selection import plan, record
from pipelines.settings import load_settings
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
    assert units
    models = {
        n["unique_id"] for n in manifest["nodes"].values() if n["name"] in chosen.rebuilt_models
    }
    for unit in manifest["unit_tests"].values():
        rebuilt = bool(models.intersection(unit["depends_on"]["nodes"]))
        assert (unit["name"] in units) == rebuilt, unit["name"]
