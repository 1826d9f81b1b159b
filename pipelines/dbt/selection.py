"""Which dbt nodes a run rebuilds: those downstream of the inputs that changed since the last
successful build, the whole project when its code changed (or when asked).

A monthly MLDS export from one académie changes three raw tables; rebuilding the DECP chain
(1.5 million contracts, most of a full build's time) for it would recompute tables whose inputs
are the same. What changed is read from the ingestion ledger (raw tables only ever change by
loading a file) and compared with the fingerprints stored by the last successful build, in the
build warehouse itself: a build that failed records nothing, so the next run rebuilds everything
downstream of what changed since the last one that succeeded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import duckdb

from pipelines.settings import DBT_PROJECT_DIR, PROJECT_ROOT, Settings

# What publishing reads (pipelines.orchestration.assets.publishing): always rebuilt, so a run always
# publishes, even when no input changed.
ALWAYS = ("indicateurs", "qualite_fichiers")
LEDGER_OF_OWN_SOURCE = "ledger_of_own_source"  # a model's meta: see _downstream
_PROJECT_FILES = ("models", "macros", "seeds", "tests")
# Code outside the dbt project that a build's result depends on: the packages the Python models
# import (tests/test_build_plan.py checks the list), and the raw and ingestion tables' DDL,
# whose column types dbt's unit tests cast their fixtures to.
PYTHON_CODE = ("pipelines/disclosure", "pipelines/warehouse/connection.py")
# dbt, its adapter and the engine: a unit test's result depends on their numerics and on how
# dbt-adapters builds its fixtures.
_VERSIONED = ("dbt-core", "dbt-adapters", "dbt-duckdb", "duckdb")

_STATE_DDL = """
create table if not exists ingest.dbt_builds (
    run_id varchar,
    built_at timestamp,
    full_build boolean,
    fingerprints json
)
"""

# Raw tables only change by loading a file: the loaded files of a source are its content.
_RAW_FINGERPRINTS = """
select source, md5(string_agg(file_sha256, ',' order by file_sha256))
from ingest.file_ledger
where status = 'loaded'
group by source
"""
_LEDGER_FINGERPRINT = """
select md5(coalesce(string_agg(
    concat_ws('|', file_sha256, status, message, file_modified_at, rows_read), ','
    order by file_sha256), ''))
from ingest.file_ledger
"""
_APPENDED = "select concat(count(*), '|', max({stamp})) from ingest.{table}"

# Ledger source kind → the dbt sources its files load.
_RAW_TABLES = {"decp": ("decp_marches", "decp_concessions")}


@dataclass(frozen=True)
class Plan:
    """The nodes to leave out of ``dbt build`` (none for a full build), and why."""

    full: bool
    reason: str
    exclude: tuple[str, ...]
    rebuilt_models: tuple[str, ...]
    fingerprints: dict[str, str]

    def args(self) -> list[str]:
        """Arguments added to ``dbt build``."""
        return ["--exclude", " ".join(self.exclude)] if self.exclude else []


def project_checksum() -> str:
    """The dbt project's code (models, macros, seeds, tests, configuration), the Python code its
    models import, and the versions of dbt, its adapter and DuckDB."""
    digest = hashlib.sha256()
    files = [p for d in _PROJECT_FILES for p in (DBT_PROJECT_DIR / d).rglob("*") if p.is_file()]
    files += [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for path in sorted(files):
        digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    for name in PYTHON_CODE:
        root = PROJECT_ROOT / name
        for path in sorted([root] if root.is_file() else root.rglob("*.py")):
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    for package in _VERSIONED:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


def fingerprints(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, str]:
    """Everything a build reads, each summed up in a string that changes when it does."""
    found = {"project": project_checksum()}
    found["var:observation_date"] = settings.dbt_vars()["observation_date"]
    for source, digest in con.execute(_RAW_FINGERPRINTS).fetchall():
        for table in _RAW_TABLES.get(source, (source,)):
            found[f"source:raw.{table}"] = digest
    found["source:ingest.file_ledger"] = con.execute(_LEDGER_FINGERPRINT).fetchone()[0]
    for table, stamp in (("quarantine", "quarantined_at"), ("batch_checks", "checked_at")):
        found[f"source:ingest.{table}"] = con.execute(
            _APPENDED.format(table=table, stamp=stamp)
        ).fetchone()[0]
    return found


def _last_build(con: duckdb.DuckDBPyConnection) -> dict[str, str] | None:
    con.execute(_STATE_DDL)
    row = con.execute(
        "select fingerprints from ingest.dbt_builds order by built_at desc limit 1"
    ).fetchone()
    return json.loads(row[0]) if row else None


def plan(con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any], settings: Settings) -> Plan:
    """What this run's ``dbt build`` must rebuild, given the build warehouse, the manifest and
    the run's settings (its observation date; a full rebuild when asked)."""
    now = fingerprints(con, settings)
    before = _last_build(con)
    models = tuple(
        sorted(n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model")
    )
    if settings.full_rebuild:
        return Plan(True, "demandé (csf run --full ou CSF_FULL_REBUILD)", (), models, now)
    if before is None:
        return Plan(True, "premier calcul de cet entrepôt", (), models, now)
    if before.get("project") != now["project"]:
        return Plan(True, "modèles dbt modifiés depuis le dernier calcul", (), models, now)
    changed = sorted(k for k in now.keys() | before.keys() if now.get(k) != before.get(k))
    keep = _downstream(manifest, changed)
    # A unit test reads only its YAML fixtures, code and versions in the project checksum, and
    # the run's variables. They passed in the full build that recorded this checksum (a failed
    # or partly selected build records nothing): a partial build repeats them (~0.4 s each) only
    # for a new observation date, the one variable of the models that is not in the project's
    # files (no unit-tested model reads it today: kept as a guard).
    units_rerun = "var:observation_date" in changed
    exclude, rebuilt = [], []
    for node in (*manifest["nodes"].values(), *manifest.get("unit_tests", {}).values()):
        kind = node["resource_type"]
        if kind not in ("model", "seed", "test", "unit_test", "snapshot"):
            continue
        if node["unique_id"] in keep and (kind != "unit_test" or units_rerun):
            if kind == "model":
                rebuilt.append(node["name"])
        else:
            exclude.append(_selector(node))
    reason = "entrées modifiées : " + (", ".join(changed) if changed else "aucune")
    return Plan(False, reason, tuple(sorted(exclude)), tuple(sorted(rebuilt)), now)


def _downstream(manifest: Mapping[str, Any], changed: list[str]) -> set[str]:
    """Unique ids of every node fed by a changed input, of what publishing reads, and of their
    tests (a test is kept when any node it reads is)."""
    by_name = {n["name"]: uid for uid, n in manifest["nodes"].items()}
    starts = [
        uid
        for uid, s in manifest["sources"].items()
        if f"source:{s['source_name']}.{s['name']}" in changed
    ]
    if "var:observation_date" in changed:
        starts.append(by_name["int_observation_date"])
    starts += [by_name[name] for name in ALWAYS]
    children = manifest["child_map"]
    ledger = {uid for uid in manifest["sources"] if uid.endswith(".ingest.file_ledger")}
    # The ledger's staging view and the per-file model built on it stand for the ledger itself.
    ledger |= {by_name["stg_ingest__fichiers_recus"], by_name["stg_ingest__fichiers"]}
    keep: set[str] = set()
    todo = list(starts)
    while todo:
        uid = todo.pop()
        if uid in keep:
            continue
        keep.add(uid)
        for child in children.get(uid, ()):
            # A model that reads the ledger about its own source's files only (dbt_project.yml)
            # changes with that source, not with a file of another source.
            own = manifest["nodes"].get(child, {}).get("config", {}).get("meta", {})
            if uid in ledger and own.get(LEDGER_OF_OWN_SOURCE):
                continue
            todo.append(child)
    for uid, unit in manifest.get("unit_tests", {}).items():
        if keep.intersection(unit["depends_on"]["nodes"]):
            keep.add(uid)
    return keep


def _selector(node: Mapping[str, Any]) -> str:
    """A dbt selector for exactly this node."""
    if node["resource_type"] == "unit_test":
        return f"unit_test:{node['name']}"
    return f"fqn:{'.'.join(node['fqn'])}"


def record(con: duckdb.DuckDBPyConnection, run_id: str, chosen: Plan) -> None:
    """Store the inputs a successful build has seen, for the next run's plan."""
    con.execute(_STATE_DDL)
    con.execute(
        "insert into ingest.dbt_builds values (?, current_timestamp, ?, ?)",
        [run_id, chosen.full, json.dumps(chosen.fingerprints)],
    )
