"""One published block, defined once and rendered by every output: its query on the published
marts, the filters it honours, its French title and one-sentence summary, its typed table, its
chart and its secrecy. The dashboard shows it (and offers it as CSV), the reports lay it out in
the PDF and the workbook: none of them decides again what it holds.

A block function takes a ``Context`` (how to read the snapshot, who reads) and a ``View`` (the
filters asked for) and returns a ``Block``. It declares the filters it honours; the scope it
uses is the most specific of those the view sets (indicators never cross two dimensions, which
keeps secondary suppression sound), and the others are listed in ``filtres_ignores`` so that
every output can say so on the block itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Protocol

from pipelines.content.table import Colonne, Tableau

# The view's filters, from the most specific scope to the least (``annee`` is not a scope).
SCOPES = ("acheteur", "academie", "region", "type_acheteur", "secteur")
# The dimension (``niveau`` of the marts) each scope filter selects.
NIVEAUX = {
    "acheteur": "acheteur",
    "academie": "academie",
    "region": "region_academique",
    "type_acheteur": "type_acheteur",
    "secteur": "secteur",
}
# Each filter's name in a sentence (« filtre non appliqué : secteur »).
LIBELLES_FILTRES = {
    "annee": "année",
    "academie": "académie",
    "region": "région académique",
    "type_acheteur": "type d'acheteur",
    "secteur": "secteur",
    "acheteur": "acheteur",
}


@dataclass(frozen=True)
class View:
    """The filters asked for: a year (or ``ensemble``, every year) and at most one value per
    dimension. Values are already checked against the snapshot by whoever built the view."""

    annee: str = "ensemble"
    academie: str | None = None
    region: str | None = None
    type_acheteur: str | None = None
    secteur: str | None = None
    acheteur: str | None = None  # a buyer's SIRET (public procurement data)

    def actifs(self) -> list[str]:
        """The filters set, in the order of ``LIBELLES_FILTRES``."""
        return [
            name
            for name in LIBELLES_FILTRES
            if (self.annee != "ensemble" if name == "annee" else getattr(self, name) is not None)
        ]

    def cellule(self, honore: Iterable[str]) -> tuple[str, str]:
        """(niveau, code_niveau) of the marts for the most specific filter set among ``honore``
        (``national``/``FR`` when none is)."""
        honoured = set(honore)
        for name in SCOPES:
            value = getattr(self, name)
            if value is not None and name in honoured:
                return NIVEAUX[name], value
        return "national", "FR"

    def sans(self, *names: str) -> View:
        """The same view without some filters (``annee`` back to every year)."""
        return replace(self, **{n: "ensemble" if n == "annee" else None for n in names})

    def comme_dict(self) -> dict[str, str]:
        """The filters set, by name (a query string's parameters)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) not in (None, "ensemble")
        }


class Reader(Protocol):
    """Read access to one published snapshot (the dashboard's pinned snapshot, or a
    ``pipelines.warehouse.snapshot.SnapshotReader`` for the reports)."""

    def rows(self, sql: str, *params: object) -> list[dict]: ...

    @property
    def publication(self) -> Mapping: ...


class Audience(Protocol):
    """Who reads: what the role may see (the dashboard's user, a report's audience)."""

    def peut_voir(self, domaine: str) -> bool: ...

    def peut_voir_detail_jeunes(self, code_academie: str | None) -> bool: ...


@dataclass(frozen=True)
class Public:
    """An audience of procurement data only (a buyer's report, the anonymous public)."""

    def peut_voir(self, domaine: str) -> bool:
        return domaine == "achats"

    def peut_voir_detail_jeunes(self, code_academie: str | None) -> bool:
        return False


@dataclass(frozen=True)
class National:
    """The national statistics audience: every aggregated indicator, no row-level youth."""

    def peut_voir(self, domaine: str) -> bool:
        return True

    def peut_voir_detail_jeunes(self, code_academie: str | None) -> bool:
        return False


@dataclass(frozen=True)
class Context:
    """What a block needs besides the view: the snapshot, the audience, and the settings that
    change a block's content (kept few and explicit)."""

    reader: Reader
    audience: Audience
    late_after_days: int = 45

    def rows(self, sql: str, *params: object) -> list[dict]:
        return self.reader.rows(sql, *params)

    @property
    def publication(self) -> Mapping:
        return self.reader.publication or {}

    @property
    def date_observation(self) -> date | None:
        return self.publication.get("date_observation")


class Refus(Exception):
    """The audience may not see this content (a message for it, HTTP 403 for a file)."""


@dataclass(frozen=True)
class Vide:
    """Why a block has nothing to show, and where to look instead (one clear message replaces
    an empty chart or a column of « – »)."""

    message: str
    lien: tuple[str, dict[str, str]] | None = None  # (link text, the view's filters to use)


@dataclass
class Block:
    """One block's content, independent of its rendering."""

    id: str
    titre: str
    resume: str
    tableau: Tableau
    figure: dict | None = None  # a Plotly figure as a plain dict
    figure_compacte: dict | None = None  # the same for a phone's width, when it differs
    notes: list[str] = field(default_factory=list)
    cles: list[str] = field(default_factory=list)  # a stable key per row (element ids)
    filtres_appliques: tuple[str, ...] = ()
    filtres_ignores: tuple[str, ...] = ()  # set in the view, not applied: said on the block
    national: bool = False  # shown for France while a scope filter is set: said on the block
    vide: Vide | None = None
    alternative: str | None = None  # the chart's text alternative (default: the summary)
    # Row-level youth data (one row per parcours): every view and download of it is logged.
    donnees_individuelles: bool = False

    @property
    def colonnes(self) -> list[Colonne]:
        return self.tableau.colonnes


def portee(view: View, honore: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(applied, ignored) filters of a block that honours ``honore``: of the scope filters, only
    the most specific set one is applied; ``annee`` is applied when honoured."""
    honoured = set(honore)
    niveau, _ = view.cellule(honoured)
    applied, ignored = [], []
    for name in view.actifs():
        used = (name == "annee" and "annee" in honoured) or (
            name in NIVEAUX and NIVEAUX[name] == niveau and name in honoured
        )
        (applied if used else ignored).append(name)
    return tuple(applied), tuple(ignored)
