"""What a report holds, independent of its format: sections of typed tables, charts and text.

The PDF and the workbook are two renderings of the same ``Rapport``: the PDF formats each cell
in French, the workbook writes it as a typed Excel cell. A cell that the disclosure rules hide
is a ``Masque``: it carries the one secret mark and « secret statistique », never the value
nor which rule hid it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Type(StrEnum):
    """How a column's values are shown (PDF) and stored (workbook)."""

    TEXTE = "texte"
    ENTIER = "entier"
    TAUX = "taux"  # a proportion, shown as a percentage
    POINTS = "points"  # a difference of two rates, in percentage points
    JOURS = "jours"
    MONTANT = "montant"  # euros
    DATE = "date"


@dataclass(frozen=True)
class Masque:
    """A value the disclosure rules do not allow to show."""

    marque: str  # what the PDF and the workbook show in the cell: "secret"
    motif: str  # the workbook's flag column: "secret statistique" (never which rule)


@dataclass(frozen=True)
class Valeur:
    """A value whose type differs from its column's (a table of mixed indicators)."""

    valeur: float | int
    type: Type


Cellule = str | int | float | date | Valeur | Masque | None


@dataclass(frozen=True)
class Colonne:
    titre: str
    type: Type = Type.TEXTE
    largeur: int = 14  # in the workbook, in characters


@dataclass
class Tableau:
    """One table: the unit a workbook sheet holds."""

    colonnes: list[Colonne]
    lignes: list[list[Cellule]]

    @property
    def masques(self) -> bool:
        """True when at least one cell is hidden."""
        return any(isinstance(c, Masque) for ligne in self.lignes for c in ligne)


@dataclass(frozen=True)
class Graphique:
    """A Plotly figure (a plain dict) with its text alternative (read by screen readers)."""

    figure: dict
    alternative: str
    hauteur: int = 320  # pixels at 96 dpi; the width is the page's


@dataclass
class Section:
    """One part of a report: one page section in the PDF, one sheet in the workbook."""

    id: str
    titre: str
    onglet: str  # the sheet's name (31 characters at most)
    paragraphes: list[str] = field(default_factory=list)
    puces: list[str] = field(default_factory=list)
    graphique: Graphique | None = None
    tableau: Tableau | None = None
    notes: list[str] = field(default_factory=list)
    # A narrower view of the same rows for the PDF, where the workbook's typed columns would not
    # fit a page (and would cost a long list many more cells to lay out).
    tableau_pdf: Tableau | None = None


@dataclass
class Rapport:
    """A whole report, ready to render."""

    titre: str
    sous_titre: str
    fichier: str  # file name without its extension
    periode: str
    date_observation: date | None
    instantane: str  # the published snapshot's id: a report is traceable to its data
    synthetique: bool
    sections: list[Section]
    genere_le: date = field(default_factory=date.today)
