"""Shared fixtures: a whole-pipeline run on the demo sample in a temporary CSF_HOME."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CSF = str(Path(sys.executable).with_name("csf"))
SAMPLE = ROOT / "data" / "sample"


def csf(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real ``csf`` command with ``CSF_HOME=home`` (and ``env`` over the environment).

    Its output goes to files, not pipes (a Chromium helper outliving the command would hold a
    pipe open); one that runs over ten minutes fails the test with the stacks of every process
    it started (see :func:`run_bounded`)."""
    env = {**os.environ, "CSF_HOME": str(home), "CSF_PSEUDO_KEY": "", **(env or {})}
    return run_bounded([CSF, *args], env, timeout=600)


def run_bounded(
    argv: list[str], env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess:
    """Run ``argv`` in its own process group; past ``timeout`` seconds, fail the test with what
    every process of the group was doing.

    A hang is then diagnosed, not just timed out (issue 20, point 8): the process tree is listed,
    and SIGABRT goes to each process of the group, so every Python process in it (``csf``, dbt,
    Dagster's workers, all started with ``PYTHONFAULTHANDLER``) prints each thread's stack to the
    error output before it dies."""
    env = {**env, "PYTHONFAULTHANDLER": "1"}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(
            argv, env=env, stdout=out, stderr=err, text=True, start_new_session=True
        )
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            tree = subprocess.run(
                ["ps", "-o", "pid,ppid,stat,etime,args", "-g", str(child.pid)],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            # One at a time, so that the stacks do not interleave in the shared error output.
            for line in tree.splitlines()[1:]:
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(line.split()[0]), signal.SIGABRT)
                    time.sleep(0.5)
            try:
                child.wait(30)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
            err.seek(0)
            pytest.fail(
                f"{' '.join(argv[-3:])} not finished after {timeout:g} s.\n"
                f"Processes:\n{tree}\nStacks and error output:\n{err.read()[-20000:]}"
            )
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(child.args, child.returncode, out.read(), err.read())


def users_environ(home: Path, users_file: Path, users: dict[str, str], password: str) -> dict:
    """The environment of a dashboard on ``home`` whose users file holds ``users`` (name →
    role), each with ``password``, written by the real ``csf user``."""
    env = {**os.environ, "CSF_HOME": str(home), "CSF_USERS_FILE": str(users_file)}
    for name, role in users.items():
        subprocess.run(
            [CSF, "user", name, "--role", role, "--password-stdin"],
            input=password + "\n",
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    return env


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
