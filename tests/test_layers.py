"""The rooms of the house and their floors (docs/architecture.md): a room imports only rooms on
lower floors, so no import runs back up and no two rooms need each other; Dagster is imported by
the orchestration room, the dbt room's Dagster resource and the command line only."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

# Floor of each room: 0 is the ground floor (read by every other), the command line on top.
FLOORS = {
    "settings": 0,
    "sql_text": 0,
    "content": 1,
    "disclosure": 1,
    "ingest": 2,
    "checks": 2,
    "dbt": 2,
    "warehouse": 3,
    "sample": 3,
    "reports": 4,
    "exports": 4,
    "orchestration": 5,
    "dashboards": 5,
    "cli": 6,
}
DAGSTER_ROOMS = {"orchestration", "dbt", "cli"}


def _room(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "dashboards":
        return "dashboards"
    if parts[0] == "pipelines" and len(parts) > 1:
        return parts[1]
    return None


def _imports() -> Iterator[tuple[Path, str, str]]:
    """(file, its room, a module it imports) for every absolute import of the application."""
    for base in ("pipelines", "dashboards"):
        for path in sorted((ROOT / base).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            room = _room(module)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    if node.module == "pipelines":
                        names = [f"pipelines.{a.name}" for a in node.names]
                    else:
                        names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                for name in names:
                    yield path, room, name


def test_every_room_has_a_floor():
    rooms = {p.stem if p.is_file() else p.name for p in (ROOT / "pipelines").iterdir()}
    rooms = {r for r in rooms if not r.startswith(("_", "."))} | {"dashboards"}
    assert rooms == set(FLOORS), rooms ^ set(FLOORS)


def test_no_import_runs_back_up():
    upward = [
        f"{path.relative_to(ROOT)} ({room}) imports {name}"
        for path, room, name in _imports()
        if (target := _room(name)) and target != room and FLOORS[target] >= FLOORS[room]
    ]
    assert upward == []


def test_only_the_orchestration_rooms_import_dagster():
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path, room, name in _imports()
        if name.split(".")[0] in ("dagster", "dagster_dbt") and room not in DAGSTER_ROOMS
    ]
    assert found == []
