"""Who looked at row-level youth data, and every refused request: ``$CSF_HOME/logs/acces.jsonl``.

One JSON object per line: time (UTC), event, user, roles, address, method, route, the filters
the request set (the query parameters pages read: codes and years, never a youth's data) and
the status. Every gunicorn worker appends under one lock (``fcntl.flock``); past
``MAX_BYTES`` the file is rotated (``acces.1.jsonl`` … ``acces.<BACKUPS>.jsonl``, the oldest
dropped; ``CSF_ACCESS_LOG_MB``). Files are created 0600 in a 0700 folder: the log names users.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import flask
from werkzeug.exceptions import HTTPException

from dashboards import queries
from dashboards.response_cache import canonical_path, canonical_search, page_asked

BACKUPS = 5
NAME = "acces"
# Events: a view or a download of row-level youth data; a request refused (a status below, or
# a block the role may not see, refused inside a page).
DETAIL_JEUNES = "detail_jeunes"
REFUS = "refus"
REFUSED_STATUSES = {400, 401, 403, 413, 429}
# The name of a worker's own warm-up renders (``flask.g.prechauffage``, set when its token is
# proven): not a person, not logged (what it renders is logged when a person is served it:
# ``ResponseCache`` keeps a page's events beside it).
WARMUP_USER = "prechauffage"


class AccessLog:
    """The access log of one ``CSF_HOME`` (``logs/acces.jsonl`` and its rotated files)."""

    def __init__(self, folder: Path, max_bytes: int, backups: int = BACKUPS) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.backups = backups

    @property
    def path(self) -> Path:
        return self.folder / f"{NAME}.jsonl"

    def _rotated(self, n: int) -> Path:
        return self.folder / f"{NAME}.{n}.jsonl"

    def append(self, entry: dict) -> None:
        """Append one entry (rotating first when the file is full)."""
        # ASCII escapes: any text a request sent (a lone surrogate too) is written.
        line = (json.dumps(entry, sort_keys=True) + "\n").encode()
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = os.open(self.folder / f".{NAME}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                full = self.path.stat().st_size + len(line) > self.max_bytes
            except FileNotFoundError:
                full = False
            if full:
                self._rotated(self.backups).unlink(missing_ok=True)
                for n in range(self.backups - 1, 0, -1):
                    if self._rotated(n).exists():
                        os.replace(self._rotated(n), self._rotated(n + 1))
                os.replace(self.path, self._rotated(1))
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        finally:
            os.close(lock)


def entry(event: str, status: int, detail: str | None = None) -> dict:
    """The log entry of the current request (``detail``: a block's id or a refusal's reason)."""
    request = flask.request
    identite = flask.g.get("identite")
    search = ""
    if request.path == "/_dash-update-component":  # a page callback: the view it renders
        try:
            body = request.get_json(silent=True)
        except HTTPException:  # a body over the limit is not read, even here
            body = None
        asked = page_asked(body)
        route, search = (canonical_path(asked[0]), asked[1]) if asked else (request.path, "")
    else:
        route, search = request.path, "?" + request.query_string.decode("latin-1")
    # The view as pages read it: each parameter's first value (page_asked/canonical_search).
    filters = {name: value[:40] for name, value, _repeated in canonical_search(search)}
    return {
        "horodatage": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "evenement": event,
        "utilisateur": identite.utilisateur if identite else None,
        "roles": sorted(identite.roles) if identite else [],
        "adresse": request.remote_addr,
        "methode": request.method,
        "route": route[:200],
        "filtres": filters,
        "statut": status,
        **({"detail": detail} if detail else {}),
    }


def noter(event: str, status: int, detail: str | None = None) -> None:
    """Log ``event`` for the current request (unless the warm-up renders it), and remember it
    for the response cache, which replays it whenever it serves the same page."""
    flask.g.setdefault("evenements", []).append([event, status, detail])
    if flask.g.get("prechauffage"):
        return
    settings = queries.settings()
    AccessLog(settings.home / "logs", settings.access_log_mb * 1024 * 1024).append(
        entry(event, status, detail)
    )


def refus_de_la_requete(response: flask.Response) -> None:
    """A refused answer (``REFUSED_STATUSES``) is logged once, unless a block's refusal already
    was; a 401 without credentials is not an attempt (any client sends them by the thousand at
    no cost: they would rotate the youth data's entries out of the log)."""
    if response.status_code not in REFUSED_STATUSES or flask.g.get("sans_trace"):
        return
    if response.status_code == 401 and "Authorization" not in flask.request.headers:
        return  # a browser's first request, before it asks for credentials: no attempt
    if not any(e[0] == REFUS for e in flask.g.get("evenements", [])):
        noter(REFUS, response.status_code)
