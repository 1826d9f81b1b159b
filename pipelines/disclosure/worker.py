"""A second process for the disclosure decision: ``python -m pipelines.disclosure.worker``
reads pickled jobs (a module-level function of pipelines.disclosure and its arguments) on its
standard input and writes their results on its standard output.

A plain child process (not multiprocessing's spawn, which would import the parent's main
module again: dbt's command line, 1.8 s) that imports only the suppression code (0.3 s). Its
input and output go through pipes: the cells before secrecy never touch the disk.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from pipelines.settings import child_environ

# A function of pipelines.disclosure (pickled by its name), its arguments and keywords.
Job = tuple[Callable[..., Any], tuple, dict[str, Any]]


class WorkerFailed(RuntimeError):
    """The worker process could not start or did not return its results."""


class Aside:
    """Jobs decided in a worker process while the caller goes on; ``results`` waits for them.
    A context manager: leaving it stops a worker whose results were not read."""

    def __init__(self, jobs: list[Job]) -> None:
        payload = pickle.dumps(jobs, protocol=pickle.HIGHEST_PROTOCOL)
        self._output: list[bytes] = []
        self._process: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "pipelines.disclosure.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                # One thread each: the two processes share two cores (a BLAS or polars pool
                # that waits busy for work would take the caller's).
                env=child_environ(
                    OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", POLARS_MAX_THREADS="1"
                ),
            )
        except OSError as exc:
            self._error = f"processus de calcul parallèle impossible à lancer ({exc.strerror})"
            return
        self._error = ""
        process = self._process
        # communicate() feeds and drains both pipes: in a thread, so the caller is not held.
        self._thread = threading.Thread(
            target=lambda: self._output.append(process.communicate(payload)[0]), daemon=True
        )
        self._thread.start()

    def results(self) -> list[tuple[Any, list[logging.LogRecord]]]:
        """Each job's result and the log records it wrote, in the jobs' order; WorkerFailed
        when the worker did not give them."""
        if self._process is None or self._thread is None:
            raise WorkerFailed(self._error)
        self._thread.join()
        if self._process.returncode != 0 or not self._output:
            raise WorkerFailed(
                f"le processus de calcul parallèle a échoué (code {self._process.returncode})"
            )
        try:
            return pickle.loads(self._output[0])
        except Exception as exc:  # a truncated or foreign output: the jobs are run again
            raise WorkerFailed(f"résultats illisibles du processus parallèle ({exc})") from exc

    def __enter__(self) -> Aside:
        return self

    def __exit__(self, *_: object) -> None:
        """Stops the worker if it still runs (the caller failed before reading its results)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
        if self._thread is not None:
            self._thread.join()


def replay(records: list[logging.LogRecord]) -> None:
    """The worker's log records, written by this process's loggers as if they were its own."""
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


def run_logged(job: Job) -> tuple[Any, list[logging.LogRecord]]:
    """One job's result, with the log records it wrote (the caller's log shows them)."""
    function, args, kwargs = job
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    source = logging.getLogger("pipelines.disclosure")
    source.setLevel(logging.DEBUG)  # every record goes back: the caller's loggers decide
    source.addHandler(handler)
    try:
        return function(*args, **kwargs), records
    finally:
        source.removeHandler(handler)


def main() -> None:
    # The results alone on the standard output: anything a job prints goes to stderr.
    results_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    jobs: list[Job] = pickle.load(sys.stdin.buffer)
    results = [run_logged(job) for job in jobs]
    results_out.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    results_out.flush()


if __name__ == "__main__":
    main()
