"""Small DuckDB helpers shared by the pipeline, the publisher and the dashboard."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl


def fetch_polars(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> pl.DataFrame:
    """Run a query and return a polars frame (DuckDB 2 results have no ``.pl()``)."""
    return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())
