"""Every documented way in works as the README writes it, with the virtual environment inactive
(a fresh shell after `make demo`): the Dagster UI's `dagster dev` command and dbt run by hand
from dbt_project/. (`csf run`, `csf serve` and `csf dashboard` have their own tests.)"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from dashboards.server import free_port
from tests.conftest import ROOT

VENV = ROOT / ".venv" / "bin"
# A shell where the venv is not activated: no dbt, dagster or csf on PATH.
INACTIVE_PATH = "/usr/local/bin:/usr/bin:/bin"
ASSETS_QUERY = "{ assetNodes { assetKey { path } } }"


def _readme_command(pattern: str) -> str:
    """The one README line matching ``pattern`` (so the test runs what users read)."""
    found = [
        line for line in (ROOT / "README.md").read_text().splitlines() if re.search(pattern, line)
    ]
    assert len(found) == 1, found
    return found[0]


def _clean_env(**extra: str) -> dict[str, str]:
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("CSF_", "DAGSTER", "VIRTUAL_ENV"))
    }
    return keep | {"PATH": INACTIVE_PATH} | extra


def _dbt_by_hand(command: str, *args: str, target: Path) -> subprocess.CompletedProcess:
    """``../.venv/bin/dbt <command> --profiles-dir . <args>`` from dbt_project/, venv inactive.

    Its artefacts go to ``target``: the project's own target/ holds the manifest every other
    test's Dagster reads, which a parse running beside them (tests run in parallel) would
    rewrite under their feet."""
    return subprocess.run(
        ["../.venv/bin/dbt", command, "--profiles-dir", ".", *args],
        cwd=ROOT / "dbt_project",
        env=_clean_env(DBT_TARGET_PATH=str(target)),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_the_readme_dagster_dev_command_serves_every_asset_without_an_active_venv(tmp_path):
    line = _readme_command(r"dagster dev -m ")
    module = line.split(" -m ", 1)[1].split()[0]
    assert line.startswith("DAGSTER_HOME=$PWD/data/dagster .venv/bin/dagster dev")
    port = free_port()
    env = _clean_env(DAGSTER_HOME=str(tmp_path / "dagster"), CSF_HOME=str(tmp_path / "home"))
    (tmp_path / "dagster").mkdir()
    process = subprocess.Popen(
        [str(VENV / "dagster"), "dev", "-m", module, "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    keys: set[tuple[str, ...]] = set()
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = requests.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": ASSETS_QUERY}, timeout=10
                )
                nodes = (answer.json().get("data") or {}).get("assetNodes") or []
                keys = {tuple(n["assetKey"]["path"]) for n in nodes}
                if keys:
                    break
            except (requests.ConnectionError, requests.Timeout, ValueError):
                pass
            time.sleep(2)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            _, errors = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, errors = process.communicate()
    assert keys, f"the code location served no asset:\n{errors[-3000:]}"
    assert {("ingest", "file_ledger"), ("published", "snapshot")} <= keys
    assert any(key[-1] == "indicateurs" for key in keys), sorted(keys)
    assert len(keys) >= 50, len(keys)


def test_the_readme_dbt_command_runs_from_the_project_folder(tmp_path):
    """The README's dbt command (here `dbt ls`: the same project, profile and variables) runs
    from dbt_project/ with the venv inactive, and reads the warehouse from its variable."""
    line = _readme_command(r"\.\./\.venv/bin/dbt build")
    assert line.startswith("cd dbt_project && ../.venv/bin/dbt build --profiles-dir .")
    warehouse = tmp_path / "autre.duckdb"
    variables = f"{{build_db: {warehouse}, observation_date: '2026-09-30'}}"
    result = _dbt_by_hand("debug", "--vars", variables, target=tmp_path / "target")
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"path: {warehouse}" in result.stdout
    listed = _dbt_by_hand("ls", "--resource-type", "model", "--quiet", target=tmp_path / "target")
    assert listed.returncode == 0, listed.stdout[-3000:]
    assert "csf_impact.marts.indicateurs" in listed.stdout
