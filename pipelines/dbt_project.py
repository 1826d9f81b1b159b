"""The dbt project as Dagster sees it (kept in its own module, as dagster-dbt advises)."""

from __future__ import annotations

from dagster_dbt import DbtProject

from pipelines.settings import DBT_PROJECT_DIR

csf_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
csf_dbt_project.prepare_if_dev()
