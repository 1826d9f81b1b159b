"""The reports asset: the Mission des achats' PDF and Excel reports, rewritten after a publish."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from pipelines.content.formatting import arrondi
from pipelines.orchestration.resources import CsfResource
from pipelines.reports.build import report_all, reports_dir


@asset(
    key=AssetKey(["published", "reports"]),
    deps=[AssetKey(["published", "snapshot"])],
    group_name="publication",
)
def reports(context: AssetExecutionContext, csf: CsfResource) -> MaterializeResult:
    """National and per-buyer reports (PDF/UA and XLSX) of the snapshot just published."""
    settings = csf.settings
    lot = report_all(settings)
    context.log.info(
        f"{len(lot.fichiers)} rapports écrits dans {reports_dir(settings)} "
        f"(période {lot.periode}, instantané {lot.instantane})"
    )
    return MaterializeResult(
        metadata={
            "files": len(lot.fichiers),
            "folder": str(reports_dir(settings)),
            "period": lot.periode,
            "snapshot_id": lot.instantane,
            **{f"seconds {part}": float(arrondi(s, 2)) for part, s in lot.secondes.items()},
        }
    )
