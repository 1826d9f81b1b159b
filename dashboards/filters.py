"""The filters shared by every page, kept in the URL's query string so that a link reproduces
the view. Unknown or malformed values are ignored, never passed to a query."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from dashboards import queries

YEAR = re.compile(r"^\d{4}$")
SIRET = re.compile(r"^\d{14}$")

# Indicators are computed per single dimension (a cell never crosses two of them, which keeps
# secondary suppression sound): when several filters are set, the most specific one that applies
# to the indicator's domain is used, and the page says so.
PRIORITY = (
    ("acheteur", "acheteur"),
    ("academie", "academie"),
    ("region", "region_academique"),
    ("type_acheteur", "type_acheteur"),
    ("secteur", "secteur"),
)
APPLIES = {
    "achats": {"acheteur", "academie", "region_academique", "type_acheteur", "secteur"},
    "jeunes": {"academie", "region_academique", "secteur"},
}
LABELS = {
    "acheteur": "acheteur",
    "academie": "académie",
    "region_academique": "région académique",
    "type_acheteur": "type d'acheteur",
    "secteur": "secteur",
}


@dataclass(frozen=True)
class Filtres:
    """The view's filters; ``annee`` is a year or ``ensemble``."""

    annee: str = "ensemble"
    academie: str | None = None
    region: str | None = None
    type_acheteur: str | None = None
    secteur: str | None = None
    acheteur: str | None = None  # a buyer's SIRET (public procurement data)

    @classmethod
    def from_query(cls, params: Mapping[str, object]) -> Filtres:
        """Filters from query parameters, keeping only values that exist in the snapshot."""

        def known(name: str, niveau: str) -> str | None:
            value = params.get(name)
            if not isinstance(value, str):
                return None
            return value if value in {code for code, _ in queries.valeurs(niveau)} else None

        annee = params.get("annee")
        return cls(
            annee=annee if isinstance(annee, str) and YEAR.match(annee) else "ensemble",
            academie=known("academie", "academie"),
            region=known("region", "region_academique"),
            type_acheteur=known("type_acheteur", "type_acheteur"),
            secteur=known("secteur", "secteur"),
            acheteur=_acheteur(params.get("acheteur")),
        )

    def cellule(self, domaine: str) -> tuple[str, str]:
        """(niveau, code_niveau) of ``marts.indicateurs`` this view shows for a domain."""
        for field, niveau in PRIORITY:
            value = getattr(self, field)
            if value is not None and niveau in APPLIES[domaine]:
                return niveau, value
        return "national", "FR"

    def ignores(self, domaine: str) -> list[str]:
        """Labels of the filters set but not applied to a domain's indicators."""
        used = self.cellule(domaine)[0]
        return [
            LABELS[niveau]
            for field, niveau in PRIORITY
            if getattr(self, field) is not None and niveau != used
        ]

    def query_string(self) -> str:
        """``?annee=2025&academie=24`` (empty when nothing is set)."""
        values = {k: v for k, v in asdict(self).items() if v is not None and v != "ensemble"}
        return "?" + urlencode(values) if values else ""


def _acheteur(value: object) -> str | None:
    """A buyer SIRET of the clause register (spaces allowed in what was typed), or None."""
    if not isinstance(value, str):
        return None
    siret = value.replace(" ", "").replace("\u202f", "")
    if not SIRET.match(siret):
        return None
    found = queries.rows(
        "select 1 from marts.dim_acheteurs where siret_acheteur = ? and nb_clauses_csf > 0", siret
    )
    return siret if found else None
