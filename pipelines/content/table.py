"""A typed table, independent of its rendering: the dashboard shows each cell as French text,
the PDF too, the workbook and the CSV keep it typed. A cell the disclosure rules hide is a
``Masque``: it carries the one secret mark and « secret statistique », never the value nor which
rule hid it.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Intervalle:
    """A 95 % confidence interval, in its unit (``TAUX``: proportions; ``POINTS``: a difference
    of proportions). Shown as one cell, written as two numbers where cells are typed."""

    bas: float
    haut: float
    type: Type


Cellule = str | int | float | date | Valeur | Intervalle | Masque | None


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
