"""A second process for the disclosure decision: ``python -m pipelines.disclosure.worker``
reads pickled jobs (a module-level function of pipelines.disclosure and its arguments) on its
standard input and writes their results on its standard output.

A plain child process (not multiprocessing's spawn, which would import the parent's main
module again: dbt's command line, 1.8 s) that imports only the suppression code (0.3 s). Its
input and output go through pipes: the cells before secrecy never touch the disk.
"""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from pipelines.settings import child_environ

# A function of pipelines.disclosure (pickled by its name), its arguments and keywords.
Job = tuple[Callable[..., Any], tuple, dict[str, Any]]


class Aside:
    """Jobs decided in a worker process while the caller goes on; ``results`` waits for them."""

    def __init__(self, jobs: list[Job]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.disclosure.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # One thread each: the two processes share two cores (a BLAS or polars pool that
            # waits busy for work would take the caller's).
            env=child_environ(
                OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", POLARS_MAX_THREADS="1"
            ),
        )
        self._output: list[bytes] = []
        payload = pickle.dumps(jobs, protocol=pickle.HIGHEST_PROTOCOL)
        # communicate() feeds and drains both pipes: in a thread, so the caller is not held.
        self._thread = threading.Thread(
            target=lambda: self._output.append(self._process.communicate(payload)[0]),
            daemon=True,
        )
        self._thread.start()

    def results(self) -> list[tuple[Any, list[logging.LogRecord]]]:
        """Each job's result and the log records it wrote, in the jobs' order."""
        self._thread.join()
        if self._process.returncode != 0 or not self._output:
            raise RuntimeError(
                "secret statistique : le processus de calcul parallèle a échoué "
                f"(code {self._process.returncode})"
            )
        return pickle.loads(self._output[0])

    def close(self) -> None:
        """Stops the worker if it still runs (the caller failed before reading its results)."""
        if self._process.poll() is None:
            self._process.kill()
        self._thread.join()


def run_logged(job: Job) -> tuple[Any, list[logging.LogRecord]]:
    """One job's result, with the log records it wrote (the caller's log shows them)."""
    function, args, kwargs = job
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    source = logging.getLogger("pipelines.disclosure")
    source.addHandler(handler)
    try:
        return function(*args, **kwargs), records
    finally:
        source.removeHandler(handler)


def main() -> None:
    jobs: list[Job] = pickle.load(sys.stdin.buffer)
    results = [run_logged(job) for job in jobs]
    sys.stdout.buffer.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
