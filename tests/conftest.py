"""Shared fixtures: a whole-pipeline run on the demo sample in a temporary CSF_HOME."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CSF = str(Path(sys.executable).with_name("csf"))
SAMPLE = ROOT / "data" / "sample"


def csf(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real ``csf`` command with ``CSF_HOME=home`` (and ``env`` over the environment).

    Its output goes to files, not pipes (a Chromium helper outliving the command would hold a
    pipe open); one that runs over ten minutes is stopped with every thread's stack
    (``PYTHONFAULTHANDLER``) at the end of its error output, and fails the test."""
    env = {
        **os.environ,
        "CSF_HOME": str(home),
        "CSF_PSEUDO_KEY": "",
        "PYTHONFAULTHANDLER": "1",
        **(env or {}),
    }
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([CSF, *args], env=env, stdout=out, stderr=err, text=True)
        try:
            child.wait(600)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGABRT)
            child.wait(30)
            err.seek(0)
            pytest.fail(f"csf {' '.join(args)} not finished after 600 s:\n{err.read()[-6000:]}")
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(child.args, child.returncode, out.read(), err.read())


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
