"""Roles from an OpenID Connect provider's claims, by the rules of a mapping file.

The file (``CSF_OIDC_ROLES_FILE``, default ``$CSF_HOME/config/roles-oidc.toml``) holds rules,
each with one condition or several (all must hold) and the roles it gives::

    [[regle]]
    domaine_email = "ac-creteil.fr"      # the e-mail's domain, exactly (no sub-domain)
    roles = ["academie:24"]

    [[regle]]
    groupe = "csf-direction"             # one of the values of the groups claim
    roles = ["national"]

    [[regle]]
    email = "achats@education.gouv.fr"   # one address
    roles = ["achats"]

    [[regle]]                            # claims equal to values, all of them: ProConnect's
    revendications = { idp_id = "fi-education", uid = "1234" }   # uid is unique per provider
    roles = ["national"]

A user gets the roles of every rule their claims match; a user no rule matches is refused
(never a default role). E-mails and domains are compared in ASCII, case aside; an address
with other characters matches no e-mail rule (no look-alike letter folds into a real one).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboards.auth import role_valide

# The condition keys a rule may hold, at least one per rule (all must hold).
CONDITIONS = ("domaine_email", "email", "groupe", "revendications")
# The claim that lists a user's groups, unless the file names another (``revendication_groupes``).
GROUPS_CLAIM = "groups"


def _ascii_lower(text: object) -> str | None:
    return text.lower() if isinstance(text, str) and text.isascii() else None


@dataclass(frozen=True)
class Regle:
    """Conditions on the claims (all must hold), and the roles they give."""

    domaine_email: str | None
    email: str | None
    groupe: str | None
    revendications: tuple[tuple[str, str], ...]
    roles: frozenset[str]
    groups_claim: str = GROUPS_CLAIM

    def couvre(self, claims: Mapping[str, Any]) -> bool:
        """Whether the claims meet every condition (values compared exactly, e-mails and
        domains in ASCII, case aside)."""
        email = _ascii_lower(claims.get("email"))
        if self.email is not None or self.domaine_email is not None:
            if email is None or email.count("@") != 1:
                return False
            if self.email is not None and email != self.email:
                return False
            if self.domaine_email is not None and email.rsplit("@", 1)[1] != self.domaine_email:
                return False
        if self.groupe is not None:
            groups = claims.get(self.groups_claim)
            if not isinstance(groups, list) or self.groupe not in groups:
                return False
        for claim, expected in self.revendications:
            value = claims.get(claim)
            if (
                isinstance(value, bool)
                or not isinstance(value, str | int)
                or str(value) != expected
            ):
                return False
        return True


@dataclass(frozen=True)
class CorrespondanceRoles:
    """The rules of a mapping file."""

    regles: tuple[Regle, ...]

    def roles(self, claims: Mapping[str, Any]) -> frozenset[str]:
        """The union of the roles of the rules the claims match (empty: refused)."""
        found: set[str] = set()
        for regle in self.regles:
            if regle.couvre(claims):
                found |= regle.roles
        return frozenset(found)

    def role_sets(self) -> list[frozenset[str]]:
        """Each rule's roles (the views the dashboard's workers render ahead)."""
        return sorted({r.roles for r in self.regles}, key=sorted)


def charger_correspondance(path: Path) -> CorrespondanceRoles:
    """The rules of the file, checked whole: an unknown key or role, a rule with no condition,
    an empty or non-text value is an error naming the rule (a mistyped rule never silently
    gives or withholds)."""
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(config) - {"regle", "revendication_groupes"}
    if unknown:
        raise ValueError(f"{path.name} : clé inconnue {', '.join(sorted(unknown))}")
    groups_claim = config.get("revendication_groupes", GROUPS_CLAIM)
    if not isinstance(groups_claim, str) or not groups_claim:
        raise ValueError(f"{path.name} : « revendication_groupes » doit être un nom")
    regles = []
    for number, entry in enumerate(config.get("regle", []), start=1):
        where = f"{path.name}, règle {number}"
        extra = set(entry) - {*CONDITIONS, "roles"}
        if extra:
            raise ValueError(f"{where} : clé inconnue {', '.join(sorted(extra))}")
        if not any(key in entry for key in CONDITIONS):
            raise ValueError(f"{where} : une condition au moins parmi {', '.join(CONDITIONS)}")
        roles = entry.get("roles")
        if (
            not roles
            or not isinstance(roles, list)
            or not all(isinstance(r, str) and role_valide(r) for r in roles)
        ):
            raise ValueError(f"{where} : « roles » doit lister des rôles connus")
        texts = {key: entry[key] for key in ("domaine_email", "email", "groupe") if key in entry}
        claims = entry.get("revendications", {})
        if not isinstance(claims, dict) or ("revendications" in entry and not claims):
            raise ValueError(f"{where} : « revendications » : des revendications et leurs valeurs")
        for name, value in [*texts.items(), *claims.items()]:
            if not isinstance(value, str) or not value:
                raise ValueError(f"{where} : « {name} » attend un texte non vide")
        for key in ("domaine_email", "email"):
            if key in texts and _ascii_lower(texts[key]) is None:
                raise ValueError(f"{where} : « {key} » en caractères ASCII")
        regles.append(
            Regle(
                domaine_email=_ascii_lower(texts.get("domaine_email")),
                email=_ascii_lower(texts.get("email")),
                groupe=texts.get("groupe"),
                revendications=tuple(sorted(claims.items())),
                roles=frozenset(roles),
                groups_claim=groups_claim,
            )
        )
    return CorrespondanceRoles(tuple(regles))
