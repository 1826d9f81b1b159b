"""The code style the project promises (ruff for Python, sqlfluff for the dbt SQL), enforced
by the test command so that CI fails on a lapse rather than the next reader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PYTHON_DIRS = ["pipelines", "dashboards", "tests", "bench"]


def _run(args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def test_python_passes_ruff_lint_and_format():
    lint = _run([str(BIN / "ruff"), "check", *PYTHON_DIRS])
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = _run([str(BIN / "ruff"), "format", "--check", *PYTHON_DIRS])
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.slow
def test_dbt_sql_passes_sqlfluff():
    lint = _run(
        [str(BIN / "sqlfluff"), "lint", "models", "macros", "tests"], cwd=ROOT / "dbt_project"
    )
    assert lint.returncode == 0, lint.stdout[-4000:] + lint.stderr[-2000:]
