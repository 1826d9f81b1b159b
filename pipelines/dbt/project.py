"""The dbt project as Dagster sees it (kept in its own module, as dagster-dbt advises)."""

from __future__ import annotations

from dagster_dbt import DbtProject

from pipelines.dbt.manifest import ensure_manifest
from pipelines.settings import DBT_PROJECT_DIR

csf_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Not DbtProject.prepare_if_dev(): under `dagster dev` it runs the `dbt` found on PATH, absent
# when the virtual environment is not activated; ensure_manifest runs the venv's own dbt.
ensure_manifest()
