"""The research-release asset: a release of each snapshot, written after the publish."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from pipelines.content.formatting import arrondi
from pipelines.exports.release import PREFIXE_AUTO, write_release
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
    diffusion = write_release(
        settings, f"{PREFIXE_AUTO}{served_snapshot_id(settings.published_db)}", automatique=True
    )
    context.log.info(f"diffusion pour la recherche écrite dans {diffusion.dossier}")
    return MaterializeResult(
        metadata={
            "folder": str(diffusion.dossier),
            "snapshot_id": diffusion.instantane,
            "rows": sum(t.lignes for t in diffusion.tables),
            **{f"suppressed {a.table}": a.supprimes for a in diffusion.anonymisation},
            **{f"generalised {a.table}": a.generalises for a in diffusion.anonymisation},
            "seconds": float(arrondi(diffusion.secondes, 2)),
        }
    )
