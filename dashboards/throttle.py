"""Failed sign-ins counted per user name and per address, shared by every gunicorn worker.

After ``LIMITE_PAIRE`` failures for one user name from one address, ``LIMITE_ADRESSE`` from
one address whatever the names, or ``LIMITE_UTILISATEUR`` for one name from every address,
within ``FENETRE`` seconds, further attempts are refused without checking the password (no
scrypt: a guessing client costs the server nothing, and cannot slow other users down) for a lock
that doubles with each failure past the limit, up to ``BLOCAGE_MAX``. Someone who knows a user's
name cannot lock that user out from another address with a handful of tries: the name alone
locks only at a count a distributed guessing would reach. The counts live in one small JSON file
under a lock (``fcntl.flock``), pruned of what is older than the window and bounded in size (a
client that sprays names cannot grow it, nor push a counting key out of it).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FENETRE = 15 * 60
LIMITE_PAIRE = 5
LIMITE_ADRESSE = 20
LIMITE_UTILISATEUR = 50
BLOCAGE = 60
BLOCAGE_MAX = 15 * 60
MAX_ENTREES = 10_000


@dataclass(frozen=True)
class Bloque(Exception):
    """Sign-in refused for ``secondes`` more seconds, whatever the password."""

    secondes: int


class LoginThrottle:
    """Failed attempts per ``user:<name>`` and ``addr:<address>`` key, in ``path``."""

    def __init__(self, path: Path, now=time.time) -> None:
        self.path = path
        self.now = now

    @contextmanager
    def _state(self, write: bool) -> Iterator[dict[str, list[float]]]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            try:
                state = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                state = {}
            yield state
            if write:
                horizon = self.now() - FENETRE - BLOCAGE_MAX
                kept = {k: v for k, v in state.items() if v and v[-1] > horizon}
                # Past the bound, the keys with the fewest failures go first, then the oldest.
                newest = sorted(kept.items(), key=lambda kv: (len(kv[1]), kv[1][-1]))
                newest = newest[-MAX_ENTREES:]
                tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
                fd_tmp = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd_tmp, "w", encoding="utf-8") as handle:
                    json.dump(dict(newest), handle)
                os.replace(tmp, self.path)
        finally:
            os.close(fd)

    @staticmethod
    def _keys(user: str, address: str | None) -> list[tuple[str, int]]:
        keys = [(f"user:{user}", LIMITE_UTILISATEUR)]
        if address:
            keys += [(f"pair:{user}@{address}", LIMITE_PAIRE), (f"addr:{address}", LIMITE_ADRESSE)]
        return keys

    def verifier(self, user: str, address: str | None) -> None:
        """Raise ``Bloque`` while the name from this address, the address or the name is
        locked."""
        now = self.now()
        with self._state(write=False) as state:
            wait = 0.0
            for key, limit in self._keys(user, address):
                recent = [t for t in state.get(key, []) if t > now - FENETRE]
                if len(recent) >= limit:
                    lock = min(BLOCAGE * 2 ** (len(recent) - limit), BLOCAGE_MAX)
                    wait = max(wait, recent[-1] + lock - now)
        if wait > 0:
            raise Bloque(int(wait) + 1)

    def echec(self, user: str, address: str | None) -> None:
        """Record a failed attempt for the user name and the address."""
        now = self.now()
        with self._state(write=True) as state:
            for key, limit in self._keys(user, address):
                recent = [t for t in state.get(key, []) if t > now - FENETRE]
                # Enough to know the lock's length: a count past 16 over the limit is the maximum.
                state[key] = [*recent, now][-(limit + 16) :]

    def reussite(self, user: str, address: str | None) -> None:
        """A right password clears the name's failures from this address (not the address's
        own count, nor the name's from other addresses)."""
        with self._state(write=True) as state:
            state.pop(f"pair:{user}@{address}", None)
