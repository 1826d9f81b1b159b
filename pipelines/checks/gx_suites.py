"""Great Expectations suites (``expectations/*.json``) run on each incoming batch.

GX's SQL datasource cannot read DuckDB, so batches go through the pandas datasource of an
ephemeral context. Each expectation's ``meta.severity`` says whether its failure blocks
publishing (``blocking``: the data is structurally wrong) or is a quality finding (``warning``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from pipelines.settings import EXPECTATIONS_DIR


@dataclass
class Verdict:
    """Outcome of one suite on one batch, split by severity."""

    rows: int
    blocking_failures: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def structure_ok(self) -> bool:
        return not self.blocking_failures

    @property
    def quality_ok(self) -> bool:
        return not self.warnings


def suite_path(table: str):
    return EXPECTATIONS_DIR / f"raw_{table}.json"


@cache
def _context():
    import great_expectations as gx  # costs ~3 s: imported once, where used
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context, context.data_sources.add_pandas("csf_batches")


def suite_columns(table: str) -> tuple[list[str], list[str]]:
    """Columns the suite of ``table`` reads values of, and those it only expects to exist.

    The batch needs the values of the first only (JSON columns of a national DECP batch would
    cost gigabytes in pandas for nothing); the others are expected by name alone."""
    spec = json.loads(suite_path(table).read_text(encoding="utf-8"))
    values: list[str] = []
    names: list[str] = []
    for expectation in spec["expectations"]:
        kwargs = expectation["kwargs"]
        if kwargs.get("column") and kwargs["column"] not in values:
            values.append(kwargs["column"])
        names += [c for c in kwargs.get("column_set", []) if c not in names]
    return values, [c for c in names if c not in values]


def validate(table: str, batch: pd.DataFrame) -> Verdict:
    """Run the suite of raw table ``table`` on ``batch``."""
    verdict = Verdict(rows=len(batch))
    if batch.empty:
        return verdict  # nothing new: no need to pay for GX's import (seconds)
    import great_expectations as gx

    spec = json.loads(suite_path(table).read_text(encoding="utf-8"))
    _, source = _context()  # the cached context keeps the data source alive
    asset_name = f"{table}_{id(batch)}"
    asset = source.add_dataframe_asset(name=asset_name)
    try:
        definition = asset.add_batch_definition_whole_dataframe("batch")
        gx_batch = definition.get_batch(batch_parameters={"dataframe": batch})
        suite = gx.ExpectationSuite(name=spec["name"], expectations=spec["expectations"])
        result = gx_batch.validate(suite)
    finally:
        source.delete_asset(asset_name)
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        finding = {
            "expectation": config.type,
            "kwargs": {k: v for k, v in config.kwargs.items() if k != "batch_id"},
            "unexpected_count": item.result.get("unexpected_count"),
            "partial_unexpected_list": [
                str(v) for v in item.result.get("partial_unexpected_list", [])[:5]
            ],
        }
        severity = (config.meta or {}).get("severity", "blocking")
        (verdict.blocking_failures if severity == "blocking" else verdict.warnings).append(finding)
    return verdict
