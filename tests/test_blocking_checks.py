"""Every check whose failure stops a publish is justified in docs/blocking-checks.md, and every
check the page justifies still blocks (issue 20, point 1: blocking means structural).

The checks are read where the run reads them: the Dagster definitions (dbt data tests of
severity error and ``gx_structure`` are blocking asset checks), the dbt manifest (model contracts
and unit tests, which fail ``dbt build`` itself) and the Great Expectations suites (expectations
of severity ``blocking``, the default, make ``gx_structure`` fail).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from pipelines.dbt.manifest import ensure_manifest
from pipelines.settings import EXPECTATIONS_DIR

DOC = Path(__file__).resolve().parent.parent / "docs" / "blocking-checks.md"
BLOCKING = "## Blocking checks"
MADE_WARNINGS = "## Checks made warnings"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n{title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _rows(title: str) -> dict[str, list[str]]:
    """Check name (the first cell's code span) → the row's other cells, for every table row of
    the section (header and separator rows have no code span in their first cell)."""
    rows: dict[str, list[str]] = {}
    for line in _section(title).splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        name = re.fullmatch(r"`([^`]+)`", cells[0])
        if name is None:
            continue
        assert name.group(1) not in rows, f"{name.group(1)} is listed twice in {DOC.name}"
        rows[name.group(1)] = cells[1:]
    return rows


def _expectations() -> Iterator[tuple[str, bool]]:
    """Each GX expectation's name in the page, and whether it blocks (gx_suites' default)."""
    for path in sorted(EXPECTATIONS_DIR.glob("raw_*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        for expectation in suite["expectations"]:
            column = expectation["kwargs"].get("column")
            name = f"{suite['name']}: {expectation['type']}" + (f"({column})" if column else "")
            severity = (expectation.get("meta") or {}).get("severity", "blocking")
            yield name, severity == "blocking"


@cache
def _checks() -> dict[str, bool]:
    """Every check a run can evaluate, by the name the page gives it → whether it blocks."""
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    from pipelines.orchestration.definitions import defs  # after the manifest: dagster-dbt reads it

    graph = defs.resolve_asset_graph()
    found = {
        f"{key.asset_key.to_user_string()} {key.name}": graph.get_check_spec(key).blocking
        for key in graph.asset_check_keys
    }
    as_checks = {key.name for key in graph.asset_check_keys}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node["name"] not in as_checks:
            # A dbt test dagster-dbt could not attach to one model still fails `dbt build`.
            found[f"dbt_test:{node['name']}"] = node["config"]["severity"].lower() == "error"
        if node["resource_type"] == "model" and node["config"].get("contract", {}).get("enforced"):
            found[f"contract:{node['name']}"] = True
    found |= {f"unit_test:{unit['name']}": True for unit in manifest["unit_tests"].values()}
    found |= dict(_expectations())
    return found


def _blocking() -> set[str]:
    return {name for name, blocks in _checks().items() if blocks}


def test_every_blocking_check_is_justified():
    missing = sorted(_blocking() - _rows(BLOCKING).keys())
    assert not missing, (
        f"blocking checks without a row in {DOC.name} (say why a failure makes the published "
        "figures wrong, or make the check a warning):\n" + "\n".join(missing)
    )


def test_every_justified_check_still_blocks():
    stale = sorted(_rows(BLOCKING).keys() - _blocking())
    assert not stale, f"rows of {DOC.name} naming no blocking check:\n" + "\n".join(stale)


def test_each_row_says_what_it_protects_and_why_it_blocks():
    for name, cells in _rows(BLOCKING).items():
        assert len(cells) == 2 and all(cells), f"{name}: what it protects, why it blocks"


def test_the_checks_made_warnings_are_warnings():
    rows = _rows(MADE_WARNINGS)
    assert rows
    for name, cells in rows.items():
        assert _checks().get(name) is False, f"{name} is not a warning of this project"
        assert all(cells), f"{name}: why it is a warning"


def test_an_expectation_without_severity_blocks(tmp_path, monkeypatch):
    """The default this page relies on: a new expectation blocks until it is given a severity."""
    import pandas as pd

    from pipelines.checks import gx_suites

    suite = {
        "name": "raw_mlds_jeunes",
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "jeune_id"}}
        ],
    }
    (tmp_path / "raw_mlds_jeunes.json").write_text(json.dumps(suite), encoding="utf-8")
    monkeypatch.setattr(gx_suites, "EXPECTATIONS_DIR", tmp_path)
    verdict = gx_suites.validate("mlds_jeunes", pd.DataFrame({"jeune_id": ["a", None]}))
    assert len(verdict.blocking_failures) == 1 and not verdict.warnings
