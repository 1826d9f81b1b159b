"""SQL text built from values DuckDB cannot take as parameters (``attach``, ``copy ... to``,
a file read by a table function, a column name): one quoting rule for each, so that a path
holding a quote (a ``CSF_HOME`` named « l'académie ») is a path, never SQL."""

from __future__ import annotations

from pathlib import Path


def identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier, quotes doubled: ``a"b`` → ``"a""b"``."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str | Path) -> str:
    """``value`` as a SQL string literal, quotes doubled: ``l'a`` → ``'l''a'``."""
    return "'" + str(value).replace("'", "''") + "'"
