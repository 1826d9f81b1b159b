"""GX suites as Dagster asset checks on each raw table's incoming batch.

The batch is every loaded file whose structure has not yet passed for that table, so a file that
failed stays blocking on later runs instead of slipping into a publish unchecked.
"""

import json
from datetime import datetime

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    multi_asset_check,
)

from pipelines.checks.gx_suites import suite_columns, validate
from pipelines.orchestration.resources import CsfResource
from pipelines.warehouse.connection import RAW_TABLES, connect

_BATCH_FILES = """
select l.file_sha256
from ingest.file_ledger as l
where l.status = 'loaded'
  and not exists (
    select 1 from ingest.batch_checks as b
    where b.file_sha256 = l.file_sha256 and b.table_name = ? and b.check_name = 'gx_structure'
      and b.passed
  )
"""


def gx_check(table: str):
    """Structure (blocking) and quality (warning) checks of raw.<table>."""
    key = AssetKey(["raw", table])

    @multi_asset_check(
        specs=[
            AssetCheckSpec(
                "gx_structure",
                asset=key,
                blocking=True,
                description=f"Structural expectations of raw_{table}: block publishing.",
            ),
            AssetCheckSpec(
                "gx_qualite",
                asset=key,
                description=f"Quality expectations of raw_{table}: warnings.",
            ),
        ],
        name=f"gx_{table}",
    )
    def _check(context, csf: CsfResource):  # (a string annotation here trips Dagster)
        with connect(csf.settings.build_db) as con:
            files = [r[0] for r in con.execute(_BATCH_FILES, [table]).fetchall()]
            present = {r[0] for r in con.sql(f"describe raw.{table}").fetchall()}
            # A column the suite expects but the table lacks stays out: the column-set
            # expectation then reports it, instead of the query failing. One expected by name
            # only comes as an empty column of that name (the table has it).
            values, named = suite_columns(table)
            columns = [f'"{c}"' for c in values if c in present]
            columns += [f'null as "{c}"' for c in named if c in present]
            batch = con.sql(
                f"select {', '.join(columns or ['_file_sha256'])} from raw.{table} "
                "where _file_sha256 in (select unnest($files))",
                params={"files": files},
            ).df()
            verdict = validate(table, batch)
            now = datetime.now()
            for sha in files:
                for name, passed, details in (
                    ("gx_structure", verdict.structure_ok, verdict.blocking_failures),
                    ("gx_qualite", verdict.quality_ok, verdict.warnings),
                ):
                    con.execute(
                        "insert into ingest.batch_checks values (?, ?, ?, ?, ?, ?, ?)",
                        [
                            sha,
                            table,
                            name,
                            passed,
                            json.dumps(details, default=str),
                            context.op_execution_context.run_id,
                            now,
                        ],
                    )
        meta = {"batch_files": len(files), "batch_rows": verdict.rows}
        yield AssetCheckResult(
            asset_key=key,
            check_name="gx_structure",
            passed=verdict.structure_ok,
            severity=AssetCheckSeverity.ERROR,
            metadata=meta | {"failures": json.dumps(verdict.blocking_failures, default=str)},
        )
        yield AssetCheckResult(
            asset_key=key,
            check_name="gx_qualite",
            passed=verdict.quality_ok,
            severity=AssetCheckSeverity.WARN,
            metadata=meta | {"findings": json.dumps(verdict.warnings, default=str)},
        )

    return _check


gx_checks = [gx_check(table) for table in RAW_TABLES]
