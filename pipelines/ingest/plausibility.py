"""Plausibility rules: values that parse but cannot be true (issue 20, point 2)."""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.ingest.sources import CsvSource


def rules(source: CsvSource, values: dict[str, pl.Expr], load_day: date) -> list[pl.Expr]:
    """One expression per rule: the rule's name where a row breaks it, null elsewhere.

    ``values`` holds the typed value of each canonical column present in the file.
    """
    return []
