"""Who is asking, and what they may see.

Users and groups come from a TOML file (``CSF_USERS_FILE``, default
``$CSF_HOME/config/utilisateurs.toml``) with hashed passwords, checked by HTTP Basic
authentication. Everything else asks ``Identite`` questions, so an OIDC provider can replace
``BasicAuthProvider`` by returning the same ``Identite`` from its claims.

Roles: ``national`` (every aggregate, no row-level youth data), ``academie:<code>`` (every
aggregate, and the row-level youth detail of its own académie only), ``achats`` (procurement
pages and per-buyer detail; nothing that describes youths).

Without a users file the dashboard serves a single local, anonymous ``national`` user (so no
row-level youth data either), and ``csf dashboard`` then refuses to listen on anything but the
loopback interface.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from werkzeug.security import check_password_hash, generate_password_hash

from dashboards.throttle import LoginThrottle

ROLES_FIXES = {"national", "achats"}


@dataclass(frozen=True)
class Identite:
    """An authenticated user and their roles."""

    utilisateur: str
    roles: frozenset[str]

    @property
    def est_national(self) -> bool:
        return "national" in self.roles

    @property
    def academies(self) -> frozenset[str]:
        return frozenset(r.split(":", 1)[1] for r in self.roles if r.startswith("academie:"))

    def peut_voir(self, domaine: str) -> bool:
        """Aggregated pages: procurement for everyone; youths for all but the buyers' role."""
        if domaine == "achats":
            return bool(self.roles)
        return self.est_national or bool(self.academies)

    def peut_voir_detail_jeunes(self, code_academie: str | None) -> bool:
        """Row-level youth detail: only the académie's own MLDS (``academie:<code>``), never
        the national or buyers' roles (nor the local anonymous user, who is national): a
        national user sees aggregates, which hide what would describe a few youths."""
        return code_academie is not None and code_academie in self.academies


ANONYME = Identite("local", frozenset({"national"}))


def role_valide(role: str) -> bool:
    return role in ROLES_FIXES or (role.startswith("academie:") and len(role) > len("academie:"))


class IdentityProvider(Protocol):
    def identify(self, authorization: str | None, address: str | None = None) -> Identite | None:
        """The user the credentials name, None if they do not; raises ``throttle.Bloque``
        while sign-ins are locked for the user name or the address."""
        ...


class BasicAuthProvider:
    """HTTP Basic authentication against the users file (re-read when it changes), failed
    attempts throttled per user name and per address (``throttle``)."""

    # A password check costs tens of milliseconds (scrypt) by design: verified credentials are
    # remembered for a few minutes, keyed by a salted digest (never the password itself).
    MEMOIRE_SECONDES = 300

    def __init__(self, path: Path, throttle: LoginThrottle) -> None:
        self.path = path
        self.throttle = throttle
        self._loaded: tuple[float, dict] | None = None
        self._salt = secrets.token_bytes(16)
        self._verified: dict[bytes, tuple[float, Identite]] = {}
        # An unknown user name is checked against this hash, of the same cost as a user's: the
        # answer takes as long as for a known name, so names cannot be listed by timing.
        self._leurre = generate_password_hash(secrets.token_hex(16))

    def _users(self) -> dict:
        mtime = self.path.stat().st_mtime
        if self._loaded is None or self._loaded[0] != mtime:
            self._loaded = (mtime, charger_utilisateurs(self.path))
            self._verified.clear()
        return self._loaded[1]

    def identify(self, authorization: str | None, address: str | None = None) -> Identite | None:
        if not authorization or not authorization.startswith("Basic "):
            return None
        try:
            name, _, password = base64.b64decode(authorization[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        users = self._users()
        key = hmac.new(self._salt, f"{name}\0{password}".encode(), hashlib.sha256).digest()
        remembered = self._verified.get(key)
        if remembered and remembered[0] > time.monotonic():
            return remembered[1]
        # The throttle's key for a name is a digest: a name sent is any size, a key is not.
        compte = hashlib.sha256(name.encode()).hexdigest()[:24]
        self.throttle.verifier(compte, address)
        user = users.get(name)
        valid = check_password_hash(user["hash"] if user else self._leurre, password)
        if user is None or not valid:
            self.throttle.echec(compte, address)
            return None
        self.throttle.reussite(compte, address)
        identite = Identite(name, user["roles"])
        self._verified[key] = (time.monotonic() + self.MEMOIRE_SECONDES, identite)
        return identite


def charger_utilisateurs(path: Path) -> dict[str, dict]:
    """``{name: {"hash": ..., "roles": frozenset}}`` from the TOML file; groups expand to roles."""
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    groupes = {name: set(roles) for name, roles in config.get("groupes", {}).items()}
    users = {}
    for name, entry in config.get("utilisateurs", {}).items():
        roles = set(entry.get("roles", []))
        for groupe in entry.get("groupes", []):
            if groupe not in groupes:
                raise ValueError(f"utilisateur {name} : groupe inconnu « {groupe} »")
            roles |= groupes[groupe]
        invalid = sorted(r for r in roles if not role_valide(r))
        if invalid:
            raise ValueError(f"utilisateur {name} : rôle inconnu {', '.join(invalid)}")
        users[name] = {"hash": entry["mot_de_passe"], "roles": frozenset(roles)}
    return users


def ajouter_utilisateur(path: Path, name: str, password: str, roles: list[str]) -> None:
    """Add or replace a user in the TOML file (created with mode 0600 if missing)."""
    if not all(role_valide(r) for r in roles):
        raise ValueError(f"rôle inconnu parmi {', '.join(roles)}")
    if not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise ValueError("nom d'utilisateur : lettres, chiffres, - _ . seulement")
    config = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    users = config.setdefault("utilisateurs", {})
    users[name] = {"mot_de_passe": generate_password_hash(password), "roles": roles}
    lines = ["# Dashboard users: hashed passwords (werkzeug scrypt), roles and groups.", ""]
    if config.get("groupes"):
        lines.append("[groupes]")
        lines += [f'"{g}" = {_toml_list(r)}' for g, r in config["groupes"].items()]
        lines.append("")
    for user, entry in users.items():
        lines += [f'[utilisateurs."{user}"]', f'mot_de_passe = "{entry["mot_de_passe"]}"']
        if entry.get("roles"):
            lines.append(f"roles = {_toml_list(entry['roles'])}")
        if entry.get("groupes"):
            lines.append(f"groupes = {_toml_list(entry['groupes'])}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"
