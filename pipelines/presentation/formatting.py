"""French display of figures, with the warehouse's disclosure decision applied (pure
functions): a row whose ``diffusable`` is false shows ``SECRET`` and nothing of its figures."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "fr_FR"

# Statistical secrecy: the warehouse decides (each mart row's ``diffusable``); every output shows
# a hidden cell with the same marker, whatever the rule that hid it, and explains the rules in
# general with the same legend. Telling a small count from a cell hidden to protect another
# would let a reader pin both from a total, so nothing here looks at a row's figures to say why.
SECRET = "secret"
MOTIF_SECRET = "secret statistique"
ABSENT = "–"  # no value (a rate on no one, a missing figure): not a secret
# The thresholds of dbt_project.yml (vars seuil_comptage, seuil_denominateur), quoted in the
# legend only (a test checks they match); never compared with a figure here.
SEUIL_COMPTAGE = 5
SEUIL_DENOMINATEUR = 20
# The one legend of the marker: the rules in general, never which one hid a given cell.
LEGENDE_SECRET = (
    f"{SECRET} : {MOTIF_SECRET} (effectif de 1 à {SEUIL_COMPTAGE - 1} jeunes, taux calculé sur "
    f"moins de {SEUIL_DENOMINATEUR} jeunes, ou valeur masquée pour qu'une autre ne puisse être "
    "recalculée)."
)


def number(value: float | int) -> str:
    """``1234.5`` → ``1 234,5`` (narrow no-break space, as Babel does for French)."""
    return format_decimal(value, locale=LOCALE)


def percent(value: float) -> str:
    """``0.4567`` → ``45,7 %``."""
    return format_decimal(round(value * 100, 1), format="#,##0.0", locale=LOCALE) + "\u00a0%"


def french_date(value: date | str) -> str:
    """``2026-11-25`` → ``25/11/2026``."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, format="dd/MM/yyyy", locale=LOCALE)


def indicator_value(row: dict) -> str:
    """The displayed value of one ``marts.indicateurs`` row: hidden ones never show a figure."""
    if not row["diffusable"]:
        return SECRET
    if row["valeur"] is None:
        # Shown but empty: a rate on no one (0/0), or a median not reached yet.
        return "non atteint" if row["unite"] == "jours" else ABSENT
    if row["unite"] == "nombre":
        return number(int(row["valeur"]))
    if row["unite"] == "jours":
        return f"{number(round(row['valeur']))}\u00a0jours"
    if row["unite"] == "ecart":
        return ecart(row)
    return percent(row["valeur"])


def est_secret(row: dict | None) -> bool:
    """True when the warehouse hides the row (its only input: ``diffusable``)."""
    return row is not None and not row["diffusable"]


def interval(row: dict) -> str:
    """``IC 95 % : 40,3 % – 51,2 %`` for a shown rate, empty otherwise."""
    if row["unite"] != "taux" or not row["diffusable"] or row["ic_bas"] is None:
        return ""
    return f"IC 95\u00a0% : {percent(row['ic_bas'])} – {percent(row['ic_haut'])}"


def count(row: dict | None, field: str = "numerateur") -> str:
    """A numerator or denominator, shown only with its row (it would give a hidden rate away)."""
    if not row:
        return ABSENT
    if not row["diffusable"]:
        return SECRET
    return ABSENT if row.get(field) is None else number(row[field])


def ecart(row: dict | None) -> str:
    """An écart observé in percentage points: ``+12,3 pts``."""
    if not row:
        return ABSENT
    if not row["diffusable"]:
        return SECRET
    if row["valeur"] is None:
        return ABSENT
    points = format_decimal(
        round(row["valeur"] * 100, 1), format="+#,##0.0;-#,##0.0", locale=LOCALE
    )
    return f"{points}\u00a0pts"


def ecart_interval(row: dict | None) -> str:
    if not row or not row["diffusable"] or row["ic_bas"] is None:
        return ""
    low, high = (
        format_decimal(round(row[k] * 100, 1), format="+#,##0.0;-#,##0.0", locale=LOCALE)
        for k in ("ic_bas", "ic_haut")
    )
    return f"{low} à {high}\u00a0pts"


def month(value: date | None) -> str:
    """``2025-09-01`` → ``09/2025``."""
    return format_date(value, format="MM/yyyy", locale=LOCALE) if value else ABSENT


def optional_number(value: float | int | None) -> str:
    return ABSENT if value is None else number(value)


def label(code: str | None) -> str:
    """``retour_formation_initiale`` → ``Retour formation initiale``."""
    if not code:
        return ABSENT
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]
