"""Shared fixtures: a whole-pipeline run on the demo sample in a temporary CSF_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CSF = str(Path(sys.executable).with_name("csf"))
SAMPLE = ROOT / "data" / "sample"


def csf(home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real ``csf`` command with ``CSF_HOME=home``."""
    env = {**os.environ, "CSF_HOME": str(home), "CSF_PSEUDO_KEY": ""}
    return subprocess.run([CSF, *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """CSF_HOME after one ``csf run`` on the bundled sample."""
    home = tmp_path_factory.mktemp("csf_home")
    result = csf(home, "run", "--inbox", str(SAMPLE))
    assert result.returncode == 0, result.stderr[-3000:]
    (home / "first_run.out").write_text(result.stdout)
    return home


def status(home: Path) -> dict:
    result = csf(home, "status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
