"""dbt models (staging → intermediate → marts) as Dagster assets; dbt tests become asset checks."""

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.dbt_project import csf_dbt_project
from pipelines.resources import CsfResource


@dbt_assets(manifest=csf_dbt_project.manifest_path, project=csf_dbt_project)
def csf_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, csf: CsfResource):
    """Builds and tests every dbt model on the build warehouse."""
    csf.settings.export_env()  # the dbt subprocess reads CSF_BUILD_DB, CSF_OBSERVATION_DATE
    yield from dbt.cli(["build"], context=context).stream()
