"""The dbt project as Dagster sees it (kept in its own module, as dagster-dbt advises)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.settings import DBT_PROJECT_DIR

csf_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
csf_dbt_project.prepare_if_dev()


def ensure_manifest() -> Path:
    """Run ``dbt parse`` when the manifest is missing or older than a model, seed or macro."""
    manifest = csf_dbt_project.manifest_path
    sources = [
        p for d in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / d).rglob("*")
    ]
    sources.append(DBT_PROJECT_DIR / "dbt_project.yml")
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run(
            [
                str(dbt),
                "parse",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
            ],
            check=True,
        )
    return manifest
