"""From published indicator rows to report cells, the warehouse's disclosure decision applied.

dbt decides what may be shown (``diffusable``, primary and secondary suppression); this module
only reads that decision. Every hidden cell is the same ``SECRET`` mark, whatever the rule that
hid it: nothing here looks at a row's numerator or denominator to say why.
"""

from __future__ import annotations

from pipelines.content import formatting as fmt
from pipelines.content.table import Cellule, Intervalle, Masque, Type, Valeur

# The thresholds quoted in the legend (defined once in pipelines.content.formatting; also
# imported from here by pipelines.exports.tables).
SEUIL_COMPTAGE = fmt.SEUIL_COMPTAGE
SEUIL_DENOMINATEUR = fmt.SEUIL_DENOMINATEUR

SECRET = Masque(fmt.SECRET, fmt.MOTIF_SECRET)

TYPES = {
    "nombre": Type.ENTIER,
    "taux": Type.TAUX,
    "ratio": Type.TAUX,
    "jours": Type.JOURS,
    "ecart": Type.POINTS,
    "rapport": Type.RAPPORT,
}


def masque(row: dict | None) -> Masque | None:
    """``SECRET`` when the warehouse hides the row, None when it may be shown."""
    return SECRET if fmt.est_secret(row) else None


def valeur(row: dict | None, champ: str = "valeur") -> Cellule:
    """An indicator's value (or one of its interval bounds), typed by its unit; hidden rows
    give the mark, and their bounds too (a bound would give the value away)."""
    if row is None:
        return None
    hidden = masque(row)
    if hidden:
        return hidden
    value = row[champ]
    if value is None:
        return None
    kind = TYPES[row["unite"]]
    if kind is Type.POINTS:
        # In points, rounded by the one rule: the workbook holds the figure the PDF shows.
        value = float(fmt.arrondi(value, fmt.DECIMALES["ecart"], echelle=2))
    return Valeur(value, kind)


def effectif(row: dict | None, champ: str) -> Cellule:
    """A numerator or denominator: shown only with its row, as an integer."""
    if row is None:
        return None
    hidden = masque(row)
    if hidden:
        return hidden
    return None if row[champ] is None else int(row[champ])


def trace(row: dict | None, champ: str = "valeur") -> float | None:
    """The value a chart plots: None (a gap, labelled with the mark) for a hidden row."""
    if row is None or masque(row) or row[champ] is None:
        return None
    return row[champ]


def intervalle(row: dict | None) -> Cellule:
    """A rate's or an écart's 95 % interval as one cell: the mark for a hidden row (a bound
    would give the value away), nothing where the row has no interval."""
    if row is None or row["unite"] not in ("taux", "ecart", "rapport"):
        return None  # a count or a delay has no interval, hidden or not
    hidden = masque(row)
    if hidden:
        return hidden
    if row["ic_bas"] is None or row["ic_haut"] is None:
        return None
    kind = TYPES[row["unite"]]
    if kind is Type.POINTS:  # in points, rounded by the one rule, as ``valeur`` gives them
        return Intervalle(
            float(fmt.arrondi(row["ic_bas"], fmt.DECIMALES["ecart"], echelle=2)),
            float(fmt.arrondi(row["ic_haut"], fmt.DECIMALES["ecart"], echelle=2)),
            kind,
        )
    return Intervalle(row["ic_bas"], row["ic_haut"], kind)
