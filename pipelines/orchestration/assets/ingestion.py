"""Ingestion assets: the inbox inventory, then one raw table (or two, for DECP) per source."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetOut,
    AssetsDefinition,
    MaterializeResult,
    asset,
    multi_asset,
)

from pipelines.ingest.loader import FileOutcome, load_pending, register_new_files
from pipelines.ingest.sources import CSV_SOURCES, DECP
from pipelines.orchestration.progress import ProgressReporter
from pipelines.orchestration.resources import CsfResource
from pipelines.warehouse.connection import connect, ensure_schema

LEDGER_KEY = AssetKey(["ingest", "file_ledger"])


@asset(key=LEDGER_KEY, group_name="ingestion")
def file_ledger(context: AssetExecutionContext, csf: CsfResource) -> MaterializeResult:
    """Inventories the inbox: new files by content hash, their source detected from content."""
    settings = csf.settings
    settings.ensure_dirs()
    with connect(settings.build_db) as con:
        ensure_schema(con)
        outcomes = register_new_files(con, settings.inbox, context.run_id, settings)
    for o in outcomes:
        if o.status == "rejected":
            context.log.warning(f"{o.file_name}: refusé — {o.message}")
    context.log.info(f"{len(outcomes)} nouveau(x) fichier(s) dans {settings.inbox}")
    return MaterializeResult(
        metadata={
            "new_files": len(outcomes),
            "rejected_files": sum(o.status == "rejected" for o in outcomes),
            "inbox": str(settings.inbox),
        }
    )


def _metadata(outcomes: list[FileOutcome]) -> dict:
    return {
        "files_loaded": sum(o.status == "loaded" for o in outcomes),
        "files_rejected": sum(o.status == "rejected" for o in outcomes),
        "rows_read": sum(o.rows_read for o in outcomes),
        "rows_clean": sum(o.rows_clean for o in outcomes),
        "rows_quarantined": sum(o.rows_quarantined for o in outcomes),
    }


def _load(context: AssetExecutionContext, csf: CsfResource, source: str) -> list[FileOutcome]:
    settings = csf.settings
    with connect(settings.build_db) as con:
        outcomes = load_pending(
            con,
            source,
            csf.pseudonymisation_key(),
            context.run_id,
            settings.work_dir,
            ProgressReporter(context.log.info),
            settings,
        )
    for o in outcomes:
        if o.status == "rejected":
            context.log.warning(f"{o.file_name}: refusé — {o.message}")
        else:
            context.log.info(
                f"{o.file_name}: {o.rows_read} lignes lues, {o.rows_clean} propres, "
                f"{o.rows_quarantined} en quarantaine"
            )
    return outcomes


def csv_source_asset(source: str) -> AssetsDefinition:
    """The raw table of one office CSV source."""

    @asset(
        key=AssetKey(["raw", source]),
        deps=[LEDGER_KEY],
        group_name="ingestion",
        description=f"Loads pending {source} exports into raw.{source} (bad rows to quarantine).",
    )
    def _asset(context: AssetExecutionContext, csf: CsfResource) -> MaterializeResult:
        return MaterializeResult(metadata=_metadata(_load(context, csf, source)))

    return _asset


@multi_asset(
    outs={
        "decp_marches": AssetOut(key=AssetKey(["raw", "decp_marches"])),
        "decp_concessions": AssetOut(key=AssetKey(["raw", "decp_concessions"])),
    },
    deps=[LEDGER_KEY],
    group_name="ingestion",
)
def decp_tables(context: AssetExecutionContext, csf: CsfResource):
    """Loads pending DECP JSON files (v1.5 and v2) into raw contracts and concessions."""
    metadata = _metadata(_load(context, csf, DECP))
    yield MaterializeResult(asset_key=AssetKey(["raw", "decp_marches"]), metadata=metadata)
    yield MaterializeResult(asset_key=AssetKey(["raw", "decp_concessions"]), metadata=metadata)


ingestion_assets = [file_ledger, decp_tables, *(csv_source_asset(s) for s in CSV_SOURCES)]
