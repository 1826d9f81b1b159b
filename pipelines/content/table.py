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
    RAPPORT = "rapport"  # a ratio of two counts (youths per open offer), one decimal
    MONTANT = "montant"  # euros
    DATE = "date"
    INDICATEUR = "indicateur"  # each cell a ``Valeur`` of its own unit (a list of indicators)
    INTERVALLE = "intervalle"  # each cell an ``Intervalle`` (two bounds where cells are typed)


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
    """A 95 % confidence interval, in its unit (``TAUX``: proportions; ``POINTS``: percentage
    points, as ``Valeur`` holds them). Shown as one cell, two numbers where cells are typed."""

    bas: float
    haut: float
    type: Type


Cellule = str | int | float | date | Valeur | Intervalle | Masque | None


@dataclass(frozen=True)
class Colonne:
    titre: str
    type: Type = Type.TEXTE
    largeur: int = 14  # in the workbook, in characters
    # An interval column's unit (``TAUX`` or ``POINTS``): its bounds' typed columns state it in
    # their header. None: intervals of several units, written beside a unit column.
    unite: Type | None = None


@dataclass
class Tableau:
    """One table: the unit a workbook sheet holds."""

    colonnes: list[Colonne]
    lignes: list[list[Cellule]]

    @property
    def masques(self) -> bool:
        """True when at least one cell is hidden."""
        return any(isinstance(c, Masque) for ligne in self.lignes for c in ligne)


def a_plat(tableau: Tableau) -> Tableau:
    """The same table with each interval column as two columns (its low and high bounds), for
    the outputs whose cells are typed values: the CSV and the workbook."""
    colonnes: list[Colonne] = []
    for colonne in tableau.colonnes:
        if colonne.type is Type.INTERVALLE:
            kind = colonne.unite or Type.INDICATEUR
            colonnes += [
                Colonne(f"{colonne.titre} — borne basse", kind, colonne.largeur),
                Colonne(f"{colonne.titre} — borne haute", kind, colonne.largeur),
            ]
        else:
            colonnes.append(colonne)
    lignes: list[list[Cellule]] = []
    for line in tableau.lignes:
        row: list[Cellule] = []
        for value, colonne in zip(line, tableau.colonnes, strict=True):
            if colonne.type is not Type.INTERVALLE:
                row.append(value)
            elif isinstance(value, Intervalle):  # bounds in their unit, as ``Valeur`` holds
                row += [Valeur(value.bas, value.type), Valeur(value.haut, value.type)]
            else:  # the secret mark or nothing, on both bounds
                row += [value, value]
        lignes.append(row)
    return Tableau(colonnes, lignes)
