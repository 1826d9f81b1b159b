"""Run a command in a child process and take its wall time and peak RSS from the OS."""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from pipelines.settings import load_settings

# The benchmark's edge: its settings (CSF_BENCH_*, CSF_HOME) are read here, once.
SETTINGS = load_settings()


@dataclass(frozen=True)
class Sample:
    """One run: wall seconds and the child's peak resident set size (ru_maxrss)."""

    seconds: float
    peak_rss_mb: float


def child_timeout() -> float:
    """Seconds a measured command may take before it is stopped (``CSF_BENCH_TIMEOUT_SECONDS``)."""
    return SETTINGS.bench_timeout_seconds


def _stop(child: subprocess.Popen) -> None:
    """Stop a command that overran: SIGABRT first, so that Python's fault handler (``-X
    faulthandler``) prints where every thread stood, then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        child.send_signal(signal.SIGABRT)
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()


def run_child(args: list[str], env: dict[str, str] | None = None) -> Sample:
    """Run ``python -m <args>``; fail loudly if it fails (a benchmark of an error is no figure)."""
    timeout = child_timeout()
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", *args], env=env)
    timer = threading.Timer(timeout, _stop, (child,))
    timer.start()
    try:
        _, status, usage = os.wait4(child.pid, 0)
    finally:
        timer.cancel()
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if seconds >= timeout:
        raise RuntimeError(f"{' '.join(args)} : pas fini après {timeout:.0f} s")
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} a échoué (code {child.returncode})")
    return Sample(seconds, usage.ru_maxrss / 1024)  # Linux reports kilobytes


def run_quiet(command: list[str], env: dict[str, str] | None = None) -> str:
    """Run ``command`` and return its standard output; its error output is kept for the error.

    Both go to files, not pipes: Chromium's helper processes may outlive the command with its
    descriptors, and reading a pipe to its end would then wait for them too."""
    if command[0] == sys.executable:
        command = [sys.executable, "-X", "faulthandler", *command[1:]]
    timeout = child_timeout()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        try:
            child.wait(timeout)
            problem = f"a échoué (code {child.returncode})" if child.returncode else ""
        except subprocess.TimeoutExpired:
            _stop(child)
            problem = f"pas fini après {timeout:.0f} s"
        out.seek(0)
        err.seek(0)
        if problem:
            raise RuntimeError(f"{command[-1][:80]} {problem}\n{err.read()[-4000:]}")
        return out.read()


def summarise(samples: list[Sample]) -> dict:
    """Median, min and max of several runs."""
    seconds = [s.seconds for s in samples]
    rss = [s.peak_rss_mb for s in samples]
    return {
        "runs": len(samples),
        "seconds": {
            "median": round(statistics.median(seconds), 2),
            "min": round(min(seconds), 2),
            "max": round(max(seconds), 2),
        },
        "peak_rss_mb": {
            "median": round(statistics.median(rss)),
            "min": round(min(rss)),
            "max": round(max(rss)),
        },
    }
