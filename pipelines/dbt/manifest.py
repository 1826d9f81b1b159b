"""The dbt manifest, parsed when missing or stale, without importing Dagster (the export and
the CLI need it before, or without, any Dagster run)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR, VENV_BIN

# Where dagster-dbt's DbtProject looks for it too (its default target path).
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def ensure_manifest() -> Path:
    """Run ``dbt parse`` when the manifest is missing or older than a model, seed or macro."""
    manifest = MANIFEST
    sources = [
        p for d in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / d).rglob("*")
    ]
    sources.append(DBT_PROJECT_DIR / "dbt_project.yml")
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        subprocess.run(
            [
                str(VENV_BIN / "dbt"),
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
