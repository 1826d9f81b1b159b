"""Rendered pages shared by every gunicorn worker, per snapshot version, and computed ahead.

A page's content depends only on the snapshot, its URL and the user's roles: the page callback's
response is stored on disk under ``$CSF_HOME/cache/dashboard/<version>/`` (atomic writes, so
workers can share it), and each worker pre-renders the common views in the background after it
starts and after each publish. Leadership then gets answers without waiting for a render; a view
nobody asked for yet is rendered once, then shared.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import secrets
import shutil
import threading
import time
from pathlib import Path

from dashboards.frame import PAGES
from pipelines.content import formatting as fmt

LOG = logging.getLogger(__name__)
CALLBACK = "/_dash-update-component"
# Proves a request comes from this process's own warm-up thread (never leaves the process).
WARMUP_TOKEN = secrets.token_hex(16)
WARMUP_HEADER = "X-CSF-Prechauffage"
DONE = ".complet"


def _code_version() -> str:
    """Fingerprint of the code that renders pages (the dashboard's and the display rules it
    shares with the reports): a new release must not serve pages rendered by the previous one
    for the same snapshot."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in (here, here.parent / "pipelines" / "content"):
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


CODE_VERSION = _code_version()


def version_name(version: tuple[int, int]) -> str:
    return f"{version[0]}-{version[1]}-{CODE_VERSION}"


class ResponseCache:
    """Page-callback responses on disk, one folder per snapshot version."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, version: tuple[int, int]) -> Path:
        return self.root / version_name(version)

    @staticmethod
    def key(body: bytes, roles: frozenset[str]) -> str | None:
        """The request's meaning (output and inputs), not its bytes, plus the roles."""
        try:
            data = json.loads(body)
            inputs = [[i["id"], i["property"], i.get("value")] for i in data["inputs"]]
            canonical = json.dumps([data["output"], inputs, sorted(roles)], sort_keys=True)
        except (ValueError, KeyError, TypeError):
            return None
        return hashlib.sha256(canonical.encode()).hexdigest()

    def get(self, version: tuple[int, int], key: str) -> bytes | None:
        try:
            return (self.folder(version) / key).read_bytes()
        except OSError:
            return None

    def put(self, version: tuple[int, int], key: str, data: bytes) -> None:
        folder = self.folder(version)
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = folder / f".{key}.{os.getpid()}"
            tmp.write_bytes(data)
            os.replace(tmp, folder / key)
        except OSError as exc:  # a full disk must not break the page: it just is not cached
            LOG.warning("cache du tableau de bord non écrit : %s", exc)

    def prune(self, version: tuple[int, int]) -> None:
        """Remove the folders of other (older) snapshot versions."""
        if not self.root.exists():
            return
        for folder in self.root.iterdir():
            if folder.name != version_name(version):
                shutil.rmtree(folder, ignore_errors=True)


def page_request(path: str, search: str) -> dict:
    """The body Dash's page container posts to render ``path?search``."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
    }


def common_views(periods: list[str], academies: list[str]) -> list[tuple[str, str]]:
    """Every page nationally and per académie, for the default year, over all years and per
    year."""
    searches = []
    for academie in [None, *academies]:
        for period in [None, "ensemble", *periods]:
            params = [f"academie={academie}"] if academie else []
            if period is not None:
                params.append(f"annee={period}")
            searches.append("?" + "&".join(params) if params else "")
    return [(page, search) for search in searches for page, _label in PAGES]


def start_warmup(server, cache: ResponseCache, role_sets, snapshot_version, views) -> None:
    """In a daemon thread: whenever the snapshot version changes, render the common views for
    each role set through the app itself, skipping what another worker already stored."""

    def loop() -> None:
        warmed = None
        client = server.test_client()
        while True:
            version = snapshot_version()
            if version is not None and version != warmed:
                started = time.monotonic()
                todo = [(v, r) for v in views() for r in role_sets()]
                random.Random(os.getpid()).shuffle(todo)  # workers start at different ends
                for (path, search), roles in todo:
                    if snapshot_version() != version:
                        break
                    body = json.dumps(page_request(path, search)).encode()
                    key = ResponseCache.key(body, roles)
                    if cache.get(version, key) is None:
                        client.post(
                            CALLBACK,
                            data=body,
                            content_type="application/json",
                            headers={WARMUP_HEADER: WARMUP_TOKEN, "X-CSF-Roles": ",".join(roles)},
                        )
                else:
                    warmed = version
                    cache.folder(version).mkdir(parents=True, exist_ok=True, mode=0o700)
                    (cache.folder(version) / DONE).touch()
                    LOG.info(
                        "tableau de bord : %d vues préparées en %s s",
                        len(todo),
                        fmt.number(time.monotonic() - started, 1),
                    )
                    cache.prune(version)
            time.sleep(2)

    threading.Thread(target=loop, name="prechauffage", daemon=True).start()
