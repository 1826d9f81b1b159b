"""The Dagster code location: ingestion, checks, dbt, publication.

``csf run``, ``dagster dev`` and the UI all materialise these same definitions.
"""

from __future__ import annotations

from dagster import Definitions, colored_console_logger, in_process_executor, json_console_logger

from pipelines.dbt.project import csf_dbt_project
from pipelines.dbt.resource import CsfDbtCliResource
from pipelines.orchestration.assets.exports import research_release
from pipelines.orchestration.assets.freshness import freshness
from pipelines.orchestration.assets.gx_checks import gx_checks
from pipelines.orchestration.assets.ingestion import ingestion_assets
from pipelines.orchestration.assets.publishing import published_snapshot
from pipelines.orchestration.assets.reports import reports
from pipelines.orchestration.assets.transform import csf_dbt_models
from pipelines.orchestration.automation import build_automation, refresh_job
from pipelines.orchestration.resources import CsfResource
from pipelines.settings import VENV_BIN, Settings, load_settings


def build_definitions(settings: Settings) -> Definitions:
    """Definitions bound to one set of paths (the CLI passes its ``--inbox``)."""
    sensors, schedules = build_automation(settings)
    return Definitions(
        assets=[*ingestion_assets, csf_dbt_models, published_snapshot, reports, research_release],
        jobs=[refresh_job],
        # CSF_LOG_FORMAT=json: one JSON object per log record, with the run id, for log shippers.
        loggers={"console": colored_console_logger, "json": json_console_logger},
        sensors=sensors,
        schedules=schedules,
        asset_checks=[*gx_checks, freshness],
        resources={
            "csf": CsfResource.of(settings),
            "dbt": CsfDbtCliResource(
                project_dir=csf_dbt_project, dbt_executable=str(VENV_BIN / "dbt")
            ),
        },
        # DuckDB allows one writer per file: steps run one after another in one process.
        executor=in_process_executor,
    )


# The code location's edge (`dagster dev -m pipelines.orchestration.definitions`): the settings
# are read here.
defs = build_definitions(load_settings())
