"""The marts' French docs as dbt parsed them: descriptions, not-null columns, value lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ModelDoc:
    """What the dbt docs say about one model."""

    description: str
    columns: dict[str, str]
    not_null: frozenset[str]  # contract constraint not_null, or a not_null test
    values: dict[str, tuple[str, ...]]  # accepted_values tests


def _text(value: str | None) -> str:
    """One line: YAML's folded blocks keep a trailing newline and sometimes double spaces."""
    return " ".join((value or "").split())


def read_docs(manifest: Path) -> dict[str, ModelDoc]:
    """Documentation of every model of ``manifest.json``, by model name."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    not_null: dict[str, set[str]] = {}
    values: dict[str, dict[str, tuple[str, ...]]] = {}
    for node in nodes.values():
        test = node.get("test_metadata") or {}
        column = node.get("column_name")
        if node["resource_type"] != "test" or not column or not test:
            continue
        kwargs = test.get("kwargs") or {}
        # Generic tests on a column depend on that column's model only (relationships excepted).
        for model in {n.split(".")[-1] for n in node["depends_on"]["nodes"] if ".model." in n}:
            if test["name"] == "not_null":
                not_null.setdefault(model, set()).add(column)
            elif test["name"] == "accepted_values":
                found = kwargs.get("values") or (kwargs.get("arguments") or {}).get("values")
                if found:
                    values.setdefault(model, {})[column] = tuple(str(v) for v in found)
    docs = {}
    for node in nodes.values():
        if node["resource_type"] != "model":
            continue
        name = node["name"]
        columns = node.get("columns") or {}
        required = set(not_null.get(name, set()))
        required |= {
            c["name"]
            for c in columns.values()
            if any(k.get("type") == "not_null" for k in c.get("constraints") or [])
        }
        docs[name] = ModelDoc(
            description=_text(node.get("description")),
            columns={c["name"]: _text(c.get("description")) for c in columns.values()},
            not_null=frozenset(required),
            values=values.get(name, {}),
        )
    return docs
