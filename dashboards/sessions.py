"""Server-side sessions, shared by every gunicorn worker on disk.

The browser holds only a random token (a cookie); the server keeps, under the token's SHA-256
digest (a file name that cannot be turned back into a cookie), what it stands for: who signed
in, their roles and when the session ends, or the state of a sign-out under way. Signing out
deletes the entry, so a copied cookie is worth nothing after it. An entry past its end is
refused and deleted whatever the cookie says. An entry can be taken once: two workers (or a
replayed return from the provider) cannot both use it. Ended entries are pruned as new
sessions begin.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

# Kinds of entries: a signed-in session, a sign-out under way (its state, used up on the way
# back from the provider).
SESSION = "session"
DECONNEXION_EN_COURS = "deconnexion"
KINDS = (SESSION, DECONNEXION_EN_COURS)
# Sign-outs under way (only a signed-in user opens one): past this many, ended ones are
# pruned, and if they are all live a new one is refused.
MAX_EN_COURS = 5_000
# New sessions between two prunings of the ended entries.
PRUNE_EVERY = 50


class PlusDePlace(Exception):
    """Too many sign-ins under way: refused for now."""


class SessionStore:
    """Entries of ``kind`` in ``folder`` (0700), one JSON file (0600) each."""

    def __init__(self, folder: Path, now=time.time) -> None:
        self.folder = folder
        self.now = now
        self._created = 0

    def _path(self, kind: str, token: str) -> Path:
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
        return self.folder / f"{kind}-{digest}.json"

    def create(self, kind: str, data: dict[str, Any], seconds: float) -> str:
        """Keep ``data`` for ``seconds``; return the new token naming it."""
        assert kind in KINDS
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._created += 1
        if self._created % PRUNE_EVERY == 1:
            self.prune()
        if kind != SESSION and self._count(kind) >= MAX_EN_COURS:
            self.prune()
            if self._count(kind) >= MAX_EN_COURS:
                raise PlusDePlace
        token = secrets.token_urlsafe(32)
        entry = {**data, "fin": self.now() + seconds}
        path = self._path(kind, token)
        temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entry, handle)
        os.replace(temporary, path)
        return token

    def get(self, kind: str, token: str | None) -> dict[str, Any] | None:
        """The live entry the token names, None if none is (an ended one is deleted)."""
        if not token:
            return None
        path = self._path(kind, token)
        entry = self._read(path)
        if entry is not None and entry["fin"] <= self.now():
            path.unlink(missing_ok=True)
            return None
        return entry

    def take(self, kind: str, token: str | None) -> dict[str, Any] | None:
        """The live entry the token names, removed: a second call gets None, in any worker."""
        if not token:
            return None
        path = self._path(kind, token)
        taken = path.with_suffix(f".pris-{secrets.token_hex(8)}")
        try:
            os.rename(path, taken)  # atomic: of two takers, one only finds the file
        except FileNotFoundError:
            return None
        entry = self._read(taken)
        taken.unlink(missing_ok=True)
        if entry is None or entry["fin"] <= self.now():
            return None
        return entry

    def delete(self, kind: str, token: str | None) -> None:
        if token:
            self._path(kind, token).unlink(missing_ok=True)

    def prune(self) -> None:
        """Delete every ended entry (and what a stopped worker left half-written)."""
        if not self.folder.exists():
            return
        for path in self.folder.iterdir():
            if path.suffix != ".json":
                try:  # another worker may be renaming or deleting it at this moment
                    if path.stat().st_mtime < self.now() - 3600:
                        path.unlink(missing_ok=True)
                except FileNotFoundError:
                    pass
                continue
            entry = self._read(path)
            if entry is None or entry["fin"] <= self.now():
                path.unlink(missing_ok=True)

    def _count(self, kind: str) -> int:
        return sum(1 for _ in self.folder.glob(f"{kind}-*.json"))

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        valid = isinstance(entry, dict) and isinstance(entry.get("fin"), int | float)
        return entry if valid else None
