"""Production serving of the dashboard with gunicorn (several workers, debug off)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from dashboards.app import server

        return server


def serve(host: str, port: int, workers: int = 2) -> None:
    """Serve until interrupted."""
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
