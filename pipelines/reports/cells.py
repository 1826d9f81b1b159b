"""From published indicator rows to report cells, the disclosure rules applied.

dbt decides what may be shown (``diffusable``, primary and secondary suppression); this module
only says how a hidden cell reads and why it is hidden.
"""

from __future__ import annotations

from pipelines.reports.model import Cellule, Masque, Type, Valeur

# The thresholds of dbt_project.yml (vars seuil_comptage, seuil_denominateur), quoted in the
# reasons given to readers; a test checks they match.
SEUIL_COMPTAGE = 5
SEUIL_DENOMINATEUR = 20

MOINS_DE_5 = Masque("< 5", f"effectif de jeunes inférieur à {SEUIL_COMPTAGE}")
TROP_PEU = Masque("n.d.", f"moins de {SEUIL_DENOMINATEUR} jeunes au dénominateur")
TROP_PEU_ECART = Masque("n.d.", f"moins de {SEUIL_DENOMINATEUR} jeunes dans l'un des deux groupes")
SECONDAIRE = Masque("n.d.", "masqué pour qu'une autre case masquée ne puisse être recalculée")

TYPES = {
    "nombre": Type.ENTIER,
    "taux": Type.TAUX,
    "ratio": Type.TAUX,
    "jours": Type.JOURS,
    "ecart": Type.POINTS,
}


def masque(row: dict) -> Masque | None:
    """Why an indicator row is hidden, or None when it may be shown."""
    if row["diffusable"]:
        return None
    if row["unite"] == "nombre":
        small = 1 <= (row["numerateur"] or 0) < SEUIL_COMPTAGE
        return MOINS_DE_5 if small else SECONDAIRE
    if row["unite"] == "ecart":
        low = min(row["numerateur"] or 0, row["denominateur"] or 0)
        return TROP_PEU_ECART if low < SEUIL_DENOMINATEUR else SECONDAIRE
    return TROP_PEU if (row["denominateur"] or 0) < SEUIL_DENOMINATEUR else SECONDAIRE


def valeur(row: dict | None, champ: str = "valeur") -> Cellule:
    """An indicator's value (or one of its interval bounds), typed by its unit; hidden rows
    give their mark, and their bounds too (a bound would give the value away)."""
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
        value = round(value * 100, 1)
    return Valeur(value, kind)


def effectif(row: dict | None, champ: str) -> Cellule:
    """A numerator or denominator: shown only with its row, as an integer."""
    if row is None or row[champ] is None:
        return None
    hidden = masque(row)
    return hidden if hidden else int(row[champ])
