"""French text of a report cell (the PDF's rendering; the workbook keeps typed values, shown by
Excel under number formats of the same decimals). Every figure is rounded by the one rule,
``pipelines.content.formatting.arrondi``."""

from __future__ import annotations

from datetime import date

from pipelines.content import formatting as fmt
from pipelines.content.table import Cellule, Intervalle, Masque, Type, Valeur

ABSENT = fmt.ABSENT


def texte(cellule: Cellule, type_colonne: Type) -> str:
    """``0.457`` in a rate column → ``45,7 %``; a hidden cell → the secret mark; nothing → ``–``."""
    if cellule is None:
        # No interval is no claim: a blank, not the « – » of a missing value.
        return "" if type_colonne is Type.INTERVALLE else ABSENT
    if isinstance(cellule, Masque):
        return cellule.marque
    if isinstance(cellule, Intervalle):
        if cellule.type is Type.POINTS:
            low, high = fmt.points(cellule.bas, echelle=0), fmt.points(cellule.haut, echelle=0)
            return f"{low} à {high}\u00a0pts"
        if cellule.type is Type.RAPPORT:
            decimales = fmt.DECIMALES["rapport"]
            return f"{fmt.number(cellule.bas, decimales)} – {fmt.number(cellule.haut, decimales)}"
        return f"{fmt.percent(cellule.bas)} – {fmt.percent(cellule.haut)}"
    kind = type_colonne
    if isinstance(cellule, Valeur):
        cellule, kind = cellule.valeur, cellule.type
    if kind is Type.TEXTE or isinstance(cellule, str):
        return str(cellule)
    if kind is Type.DATE:
        return fmt.french_date(cellule) if isinstance(cellule, date) else str(cellule)
    if kind is Type.TAUX:
        return fmt.percent(cellule)
    if kind is Type.POINTS:  # already in points (cells.valeur)
        return f"{fmt.points(cellule, echelle=0)}\u00a0pts"
    if kind is Type.JOURS:
        return fmt.jours(cellule)  # « 36 jours », as every output writes days
    if kind is Type.MONTANT:
        return fmt.montant(cellule)
    if kind is Type.RAPPORT:
        return fmt.number(cellule, fmt.DECIMALES["rapport"])
    if kind is Type.ENTIER:
        return fmt.number(cellule, fmt.DECIMALES["nombre"])
    return fmt.number(cellule)


def est_numerique(type_colonne: Type) -> bool:
    """Numbers are right-aligned, text and dates left-aligned."""
    return type_colonne not in (Type.TEXTE, Type.DATE)
