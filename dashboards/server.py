"""Production serving of the dashboard with gunicorn (several workers, debug off)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from gunicorn.app.base import BaseApplication

from pipelines.settings import VENV_BIN, Settings


class _Server(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Modules Dash's first responses would import lazily (plotly's JSON encoder checks for
        # numpy and numpy.ma): imported here, before the worker serves, they do not cost the
        # first visitor of each worker ~150 ms.
        import numpy.ma  # noqa: F401
        import orjson  # noqa: F401
        import plotly.io._json  # noqa: F401

        from dashboards.app import server

        return server


def serve(settings: Settings, host: str, port: int, workers: int = 2) -> None:
    """Serve until interrupted (each worker reads the same settings again, dashboards.app)."""
    from dashboards import queries

    queries.configure(settings)
    queries.clean_reader_links()
    print(f"Tableau de bord : http://{host}:{port}", flush=True)
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": "-",
            "timeout": 60,
            "post_worker_init": _warm,
        }
    ).run()


def _warm(worker) -> None:
    """Each worker pre-renders the common views in the background (shared on disk)."""
    from dashboards.app import start_warmup

    start_warmup()


def free_port() -> int:
    """A local TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served_in_background(
    env: dict[str, str], workers: int = 2, port: int | None = None
) -> Iterator[str]:
    """Run the real ``csf dashboard`` on ``port`` (default: a free local one) with ``env``,
    yield its URL once it answers, and stop it afterwards (benchmark, screenshots, tests)."""
    port = port or free_port()
    process = subprocess.Popen(
        [str(VENV_BIN / "csf"), "dashboard", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            # A static file: it answers whoever asks (a page may send an anonymous client on to
            # sign in at a provider); any HTTP answer, an error too, means a worker serves.
            try:
                urllib.request.urlopen(url + "/_favicon.ico", timeout=5)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
