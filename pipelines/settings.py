"""Runtime settings, read from environment variables with safe defaults.

Every path the pipeline, dbt and the dashboard use derives from ``CSF_HOME`` so that one variable
moves all runtime state (inbox, warehouse, keys, reports, exports).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
# plotly.js's basic bundle (bar and scatter traces), copied from npm by `make install`: the
# dashboard serves it, and the reports' chart renderer loads it (a quarter of the full bundle,
# which kaleido evaluates again after every chart).
PLOTLY_BASIC_JS = PROJECT_ROOT / "dashboards" / "static" / "plotly-basic.min.js"


@dataclass(frozen=True)
class Settings:
    """Resolved locations and parameters for one run or one server process."""

    home: Path
    inbox: Path
    observation_date: date | None

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def build_db(self) -> Path:
        """The only DuckDB file the pipeline writes to."""
        return self.warehouse_dir / "build.duckdb"

    @property
    def published_db(self) -> Path:
        """The snapshot readers use; replaced atomically by each publish."""
        return self.warehouse_dir / "published.duckdb"

    @property
    def work_dir(self) -> Path:
        """Scratch files of a load (a DECP file's record arrays), next to the warehouse."""
        return self.home / "tmp"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def users_file(self) -> Path:
        """Dashboard users, groups and hashed passwords (``CSF_USERS_FILE``)."""
        override = os.environ.get("CSF_USERS_FILE")
        return Path(override).resolve() if override else self.home / "config" / "utilisateurs.toml"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def ensure_dirs(self) -> None:
        """Create the runtime folders (idempotent)."""
        for folder in (self.inbox, self.warehouse_dir, self.dagster_home):
            folder.mkdir(parents=True, exist_ok=True)
        self.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def export_env(self) -> None:
        """Expose the paths to subprocesses (dbt reads them in profiles.yml and its models)."""
        os.environ["CSF_HOME"] = str(self.home)
        os.environ["CSF_BUILD_DB"] = str(self.build_db)
        os.environ["CSF_OBSERVATION_DATE"] = (
            self.observation_date.isoformat() if self.observation_date else ""
        )


LATE_AFTER_ENV = "CSF_RETARD_JOURS"
LATE_AFTER_DAYS = 45


def late_after_days() -> int:
    """Days without an export after which a scope is late (freshness check, quality page)."""
    return int(os.environ.get(LATE_AFTER_ENV) or LATE_AFTER_DAYS)


def parse_observation_date(text: str | None) -> date | None:
    """Parse ``CSF_OBSERVATION_DATE`` (YYYY-MM-DD); empty means "derive it from the data"."""
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(
            f"CSF_OBSERVATION_DATE doit être une date AAAA-MM-JJ, reçu {text!r}"
        ) from exc


def load_settings(inbox: str | Path | None = None) -> Settings:
    """Settings from the environment; ``inbox`` overrides ``CSF_INBOX``."""
    home = Path(os.environ.get("CSF_HOME") or PROJECT_ROOT / "data").resolve()
    inbox_path = Path(inbox or os.environ.get("CSF_INBOX") or home / "inbox").resolve()
    return Settings(
        home=home,
        inbox=inbox_path,
        observation_date=parse_observation_date(os.environ.get("CSF_OBSERVATION_DATE")),
    )
