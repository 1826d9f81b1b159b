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
from urllib.parse import parse_qs

import dash

from dashboards.filters import PARAMETRES_LUS
from dashboards.frame import PAGES
from pipelines.content import formatting as fmt
from pipelines.reports.build import reports_dir
from pipelines.settings import Settings

LOG = logging.getLogger(__name__)
CALLBACK = "/_dash-update-component"
# Proves a request comes from this process's own warm-up thread (never leaves the process).
WARMUP_TOKEN = secrets.token_hex(16)
WARMUP_HEADER = "X-CSF-Prechauffage"
DONE = ".complet"
EVENTS = ".evenements"  # beside a page: what its render logged (access_log)
# The output of Dash's page container: the only callback whose answers are kept.
PAGE_OUTPUT = ".._pages_content.children..._pages_store.data.."


def _code_version() -> str:
    """Fingerprint of what renders pages (the dashboard's code, the display rules it shares
    with the reports, the documents it shows): a new release must not serve pages rendered by
    the previous one for the same snapshot."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in (here, here.parent / "pipelines" / "content"):
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.read_bytes())
    # The documents a page renders as they are (the methodology page reads its Markdown).
    for path in sorted((here.parent / "docs").glob("*.md")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


CODE_VERSION = _code_version()


def page_version(snapshot: tuple[int, int] | None, settings: Settings) -> tuple[int, ...] | None:
    """What a rendered page depends on besides its URL and roles: the snapshot, and the files
    pages read beside it (the report set's index, the contacts file). A report set written after
    a publish, or a new contacts file, must not leave cached pages without their report links or
    with old mailboxes until the next publish. The frame's « Se déconnecter » shows when users
    sign in with OpenID Connect: a page rendered without it is not served with it on."""
    if snapshot is None:
        return None
    stamps: list[int] = [int(bool(settings.oidc_issuer))]
    for path in (reports_dir(settings) / "index.json", settings.contacts_file):
        try:
            stat = path.stat()
            stamps += [stat.st_mtime_ns, stat.st_size, stat.st_ino]
        except OSError:
            stamps += [0, 0, 0]
    return (*snapshot, *stamps)


def version_name(version: tuple[int, ...]) -> str:
    head = f"{version[0]}-{version[1]}"
    if len(version) > 2:
        head += "-" + hashlib.sha256(repr(version[2:]).encode()).hexdigest()[:8]
    return f"{head}-{CODE_VERSION}"


def page_asked(body: object) -> tuple[str, str] | None:
    """(path, query string) of a page callback's body exactly as ``page_request`` writes it
    (Dash reads its inputs by position: anything else is not read as a page), else None."""
    if not isinstance(body, dict) or body.get("output") != PAGE_OUTPUT or body.get("state"):
        return None
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != 2:
        return None
    values = []
    for wanted, given in zip(("pathname", "search"), inputs, strict=True):
        if (
            not isinstance(given, dict)
            or given.get("id") != "_pages_location"
            or given.get("property") != wanted
            or not isinstance(given.get("value"), str)
        ):
            return None
        values.append(given["value"])
    return values[0], values[1]


def canonical_search(search: str) -> list[tuple[str, str, bool]]:
    """What of a query string a page reads (``filters.PARAMETRES_LUS``): each such parameter's
    first value and whether it was repeated (the page says so), parsed as Dash parses it for the
    page. A parameter no page reads (``?junk=1``) is not part of it."""
    if not search.startswith("?"):
        return []
    parsed = parse_qs(search[1:], keep_blank_values=True)
    return [
        (name, values[0], len(values) > 1)
        for name, values in sorted(parsed.items())
        if name in PARAMETRES_LUS
    ]


def canonical_path(path: str) -> str:
    """The page a path shows, as Dash finds it (slashes around it ignored); « 404 » for every
    path no page answers."""
    wanted = path.strip("/")
    for module, page in dash.page_registry.items():
        if module.split(".")[-1] != "not_found_404" and page["path"].strip("/") == wanted:
            return page["path"]
    return "404"


class ResponseCache:
    """Page-callback responses on disk, one folder per snapshot version, of at most
    ``max_bytes`` (past it a rendered page is served but not kept: views crafted by the
    thousand cannot fill the disk)."""

    # The bytes held are counted by a scan of the folder once in this many pages kept (other
    # workers write there too), and added up in between: the warm-up keeps thousands of pages,
    # and a scan at each would cost the square of their number.
    RESCAN = 200

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._held: dict[tuple[int, ...], tuple[int, int]] = {}  # version → (bytes, kept since)

    def folder(self, version: tuple[int, ...]) -> Path:
        return self.root / version_name(version)

    @staticmethod
    def key(body: bytes, roles: frozenset[str]) -> str | None:
        """The page a page callback asks for (the page, and what of its query string a page
        reads), not its bytes, plus the roles; None for any other request (not cached)."""
        try:
            asked = page_asked(json.loads(body))
        except ValueError:
            return None
        if asked is None:
            return None
        view = [canonical_path(asked[0]), canonical_search(asked[1])]
        canonical = json.dumps([PAGE_OUTPUT, view, sorted(roles)], sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def size(self, version: tuple[int, ...]) -> int:
        """Bytes held for ``version``."""
        try:
            with os.scandir(self.folder(version)) as entries:
                return sum(e.stat().st_size for e in entries if e.is_file())
        except OSError:
            return 0

    def get(self, version: tuple[int, ...], key: str) -> bytes | None:
        try:
            return (self.folder(version) / key).read_bytes()
        except OSError:
            return None

    def events(self, version: tuple[int, ...], key: str) -> list[list]:
        """The access-log events the page's render logged, replayed when it is served."""
        try:
            return json.loads((self.folder(version) / f"{key}{EVENTS}").read_bytes())
        except (OSError, ValueError):
            return []

    def put(
        self, version: tuple[int, ...], key: str, data: bytes, events: list | None = None
    ) -> None:
        """Keep a rendered page (and the access-log events its render logged, written first:
        a page is never served without them)."""
        folder = self.folder(version)
        held, since_scan = self._held.get(version, (0, self.RESCAN))
        if since_scan >= self.RESCAN:
            held, since_scan = self.size(version), 0
        if held + len(data) > self.max_bytes:
            self._held[version] = (held, since_scan)
            LOG.warning("cache du tableau de bord plein : page servie sans être gardée")
            return
        self._held[version] = (held + len(data), since_scan + 1)
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = folder / f".{key}.{os.getpid()}"
            if events:
                tmp.write_text(json.dumps(events), encoding="utf-8")
                os.replace(tmp, folder / f"{key}{EVENTS}")
            tmp.write_bytes(data)
            os.replace(tmp, folder / key)
        except OSError as exc:  # a full disk must not break the page: it just is not cached
            LOG.warning("cache du tableau de bord non écrit : %s", exc)

    def prune(self, version: tuple[int, ...]) -> None:
        """Remove the folders of other (older) snapshot versions."""
        if not self.root.exists():
            return
        for folder in self.root.iterdir():
            if folder.name != version_name(version):
                shutil.rmtree(folder, ignore_errors=True)


def page_request(path: str, search: str) -> dict:
    """The body Dash's page container posts to render ``path?search``."""
    return {
        "output": PAGE_OUTPUT,
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

    # Dash sets itself up on its first request (script tags, inline scripts, callbacks), behind
    # a flag that is not a lock: done here, before the worker serves, so that the warm-up thread
    # and a first visitor never go through it together (that race left one worker's pages with
    # an inline script written twice, and pages that differed from one worker to the next).
    try:
        server.test_client().get("/", headers={WARMUP_HEADER: WARMUP_TOKEN})
    except Exception as exc:  # the worker must start whatever happens here
        LOG.warning("première requête du tableau de bord en échec : %s", exc)
    threading.Thread(target=loop, name="prechauffage", daemon=True).start()
