"""Roles from an OpenID Connect provider's claims, by the rules of a mapping file.

The file (``CSF_OIDC_ROLES_FILE``, default ``$CSF_HOME/config/roles-oidc.toml``) holds rules,
each one condition on the claims and the roles it gives::

    [[regle]]
    domaine_email = "ac-creteil.fr"      # the e-mail's domain, exactly (no sub-domain)
    roles = ["academie:24"]

    [[regle]]
    groupe = "csf-direction"             # one of the values of the groups claim
    roles = ["national"]

    [[regle]]
    email = "achats@education.gouv.fr"   # one address (case-insensitive)
    roles = ["achats"]

    [[regle]]
    revendication = "siret"              # any claim, equal to a value
    valeur = "11004301500012"
    roles = ["achats"]

A user gets the roles of every rule their claims match; a user no rule matches is refused
(never a default role). ``uid`` and ``sub`` are claims like any other (``revendication``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboards.auth import role_valide

# The condition keys a rule may hold, exactly one per rule.
CONDITIONS = ("domaine_email", "email", "groupe", "revendication")
# The claim that lists a user's groups, unless the file names another (``revendication_groupes``).
GROUPS_CLAIM = "groups"


@dataclass(frozen=True)
class Regle:
    """One condition on the claims, and the roles it gives."""

    condition: str
    valeur: str
    revendication: str
    roles: frozenset[str]

    def couvre(self, claims: Mapping[str, Any]) -> bool:
        """Whether the claims meet the condition (strings compared exactly, e-mails and
        domains case-insensitively)."""
        if self.condition in ("email", "domaine_email"):
            email = claims.get("email")
            if not isinstance(email, str) or email.count("@") != 1:
                return False
            if self.condition == "email":
                return email.casefold() == self.valeur.casefold()
            return email.rsplit("@", 1)[1].casefold() == self.valeur.casefold()
        value = claims.get(self.revendication)
        if self.condition == "groupe":
            return isinstance(value, list) and self.valeur in value
        return (
            isinstance(value, str | int)
            and not isinstance(value, bool)
            and (str(value) == self.valeur)
        )


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
    """The rules of the file, checked whole: an unknown key, role or a rule with no condition
    or two is an error naming the rule (a mistyped rule never silently gives or withholds)."""
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(config) - {"regle", "revendication_groupes"}
    if unknown:
        raise ValueError(f"{path.name} : clé inconnue {', '.join(sorted(unknown))}")
    groups_claim = config.get("revendication_groupes", GROUPS_CLAIM)
    regles = []
    for number, entry in enumerate(config.get("regle", []), start=1):
        where = f"{path.name}, règle {number}"
        conditions = [key for key in CONDITIONS if key in entry]
        allowed = {*CONDITIONS, "valeur", "roles"}
        if set(entry) - allowed:
            raise ValueError(f"{where} : clé inconnue {', '.join(sorted(set(entry) - allowed))}")
        if len(conditions) != 1:
            raise ValueError(f"{where} : une condition et une seule parmi {', '.join(CONDITIONS)}")
        condition = conditions[0]
        roles = entry.get("roles")
        if (
            not roles
            or not isinstance(roles, list)
            or not all(isinstance(r, str) and role_valide(r) for r in roles)
        ):
            raise ValueError(f"{where} : « roles » doit lister des rôles connus")
        if condition == "revendication":
            claim, value = entry["revendication"], entry.get("valeur")
        else:
            claim, value = (groups_claim if condition == "groupe" else "email"), entry[condition]
            if "valeur" in entry:
                raise ValueError(f"{where} : « valeur » va avec « revendication » seulement")
        if not isinstance(claim, str) or not isinstance(value, str) or not value:
            raise ValueError(f"{where} : valeur attendue (texte non vide)")
        regles.append(Regle(condition, value, claim, frozenset(roles)))
    return CorrespondanceRoles(tuple(regles))
