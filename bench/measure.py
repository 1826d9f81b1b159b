"""Run a command in a child process and take its wall time and peak RSS from the OS."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """One run: wall seconds and the child's peak resident set size (ru_maxrss)."""

    seconds: float
    peak_rss_mb: float


def run_child(args: list[str], env: dict[str, str] | None = None) -> Sample:
    """Run ``python -m <args>``; fail loudly if it fails (a benchmark of an error is no figure)."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", *args], env=env)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} a échoué (code {child.returncode})")
    return Sample(seconds, usage.ru_maxrss / 1024)  # Linux reports kilobytes


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
