"""Small data a browser carries without reading it: encrypted and authenticated (Fernet:
AES-128-CBC with HMAC-SHA256 over a timestamp), with a lifetime.

A sign-in under way (state, nonce, PKCE verifier, the page asked for) travels this way in its
own cookie: an anonymous request then costs the server nothing to keep, so no one can fill its
disk or crowd out real sign-ins. The key is made once per ``CSF_HOME`` (``keys/``, 0600) and
shared by every worker.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken


class Sceau:
    """Seals and opens JSON objects with the key in ``key_path`` (created if missing)."""

    def __init__(self, key_path: Path) -> None:
        self.key_path = key_path
        self._fernet: Fernet | None = None

    def _key(self) -> Fernet:
        if self._fernet is None:
            self.key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:  # the first worker to get here writes it; the others read it
                fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(Fernet.generate_key())
            key = self.key_path.read_bytes().strip()
            if not key:  # another worker is writing it this very moment
                raise OSError("clé de scellement en cours d'écriture")
            self._fernet = Fernet(key)
        return self._fernet

    def sceller(self, data: dict[str, Any]) -> str:
        return self._key().encrypt(json.dumps(data).encode()).decode("ascii")

    def ouvrir(self, token: str | None, seconds: int) -> dict[str, Any] | None:
        """The sealed object, None if the token is missing, altered, foreign or too old."""
        if not token:
            return None
        try:
            data = json.loads(self._key().decrypt(token.encode("ascii"), ttl=seconds))
        except (InvalidToken, UnicodeEncodeError, ValueError):
            return None
        return data if isinstance(data, dict) else None
