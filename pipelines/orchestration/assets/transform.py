"""dbt models (staging → intermediate → marts) as Dagster assets; dbt tests become asset checks."""

import json
import time
from functools import cache

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.checks import model_checks
from pipelines.dbt.project import csf_dbt_project
from pipelines.dbt.selection import plan, record
from pipelines.orchestration.resources import CsfResource
from pipelines.warehouse.connection import connect


@dbt_assets(manifest=csf_dbt_project.manifest_path, project=csf_dbt_project)
def csf_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, csf: CsfResource):
    """Builds and tests the dbt models whose inputs changed since the last successful build
    (every model when the project's code changed; see pipelines.dbt.selection)."""
    settings = csf.settings
    with connect(settings.build_db) as con:
        chosen = plan(con, _manifest(), settings)
    context.log.info(
        ("calcul complet : " if chosen.full else "calcul partiel : ")
        + f"{chosen.reason} ; {len(chosen.rebuilt_models)} modèles recalculés"
    )
    # One target folder per home, reused: dbt parses partially from the last run's state, and
    # artefacts no longer pile up, one folder per run, in the project.
    started = time.time()
    invocation = dbt.cli(
        [
            "build",
            "--log-level-file",
            "info",
            "--vars",
            json.dumps(settings.dbt_vars()),
            *chosen.args(),
        ],
        context=context,
        target_path=settings.dbt_target_dir,
    )
    try:
        yield from invocation.stream()
    finally:
        # Kept even when a blocking test failed: csf status and the next quality page say what.
        run_results = settings.dbt_target_dir / "run_results.json"
        if run_results.exists() and run_results.stat().st_mtime >= started:
            with connect(settings.build_db) as con:
                model_checks.record(
                    con, model_checks.test_results(run_results, _manifest()), context.run_id
                )
    # A run that selected only some of the models or their checks (from Dagster's UI) built
    # less than the plan: recording it would tell the next run those models are up to date, and
    # that the unit tests ran. The next run plans from the last whole build instead.
    if context.is_subset or context.selected_asset_check_keys != context.assets_def.check_keys:
        context.log.warning(
            "sélection partielle des modèles dbt : ce calcul n'est pas enregistré, le suivant "
            "reprend depuis le dernier calcul entier"
        )
        return
    with connect(settings.build_db) as con:
        record(con, context.run_id, chosen)


@cache
def _manifest() -> dict:
    return json.loads(csf_dbt_project.manifest_path.read_text(encoding="utf-8"))
