"""The publish asset: runs only when every upstream asset and blocking check succeeded."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset
from dagster_dbt import get_asset_key_for_model

from pipelines.orchestration.assets.transform import csf_dbt_models
from pipelines.orchestration.resources import CsfResource
from pipelines.warehouse.publish import publish

MART_KEYS = [
    get_asset_key_for_model([csf_dbt_models], m) for m in ("indicateurs", "qualite_fichiers")
]


@asset(key=AssetKey(["published", "snapshot"]), deps=MART_KEYS, group_name="publication")
def published_snapshot(context: AssetExecutionContext, csf: CsfResource) -> MaterializeResult:
    """Copies the checked marts to a new file and atomically replaces the published snapshot."""
    settings = csf.settings
    context.log.info(f"publication de l'instantané vers {settings.published_db}")
    snapshot = publish(
        settings.build_db, settings.published_db, context.run_id, settings.snapshots_keep
    )
    context.log.info(f"instantané publié : {snapshot.path} ({snapshot.snapshot_id})")
    return MaterializeResult(
        metadata={
            "snapshot_id": snapshot.snapshot_id,
            "path": str(snapshot.path),
            "observation_date": snapshot.observation_date or "",
            "synthetic": snapshot.is_synthetic,
            **{f"rows {k}": v for k, v in snapshot.tables.items()},
        }
    )
