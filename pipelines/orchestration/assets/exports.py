"""The research-release asset: a release of each snapshot, written after the publish."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from pipelines.content.formatting import arrondi
from pipelines.exports.release import AUTO_PREFIX, write_release
from pipelines.orchestration.resources import CsfResource
from pipelines.warehouse.publish import served_snapshot_id


@asset(
    key=AssetKey(["published", "research_release"]),
    deps=[AssetKey(["published", "snapshot"])],
    group_name="publication",
)
def research_release(context: AssetExecutionContext, csf: CsfResource) -> MaterializeResult:
    """A release named after the snapshot (``auto-<snapshot id>``); the newest few are kept.

    Named, citable versions are written on demand with ``csf export --release NAME``.
    """
    settings = csf.settings
    release = write_release(
        settings, f"{AUTO_PREFIX}{served_snapshot_id(settings.published_db)}", automatic=True
    )
    context.log.info(f"diffusion pour la recherche écrite dans {release.folder}")
    return MaterializeResult(
        metadata={
            "folder": str(release.folder),
            "snapshot_id": release.snapshot_id,
            "rows": sum(t.rows for t in release.tables),
            **{f"suppressed {a.table}": a.suppressed for a in release.anonymisation},
            **{f"generalised {a.table}": a.generalised for a in release.anonymisation},
            "seconds": float(arrondi(release.seconds, 2)),
        }
    )
