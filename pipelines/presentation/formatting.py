"""French display of figures, with the disclosure rules applied (pure functions)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "fr_FR"
HIDDEN_COUNT = "< 5"
HIDDEN_RATE = "n.d."


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
        # "< 5" only where the count itself is small; a cell hidden so that it cannot be
        # recovered by subtraction (secondary suppression) shows "n.d." like a hidden rate.
        small = row["unite"] == "nombre" and 1 <= (row["numerateur"] or 0) <= 4
        return HIDDEN_COUNT if small else HIDDEN_RATE
    if row["valeur"] is None:
        return HIDDEN_RATE if row["unite"] != "jours" else "non atteint"
    if row["unite"] == "nombre":
        return number(int(row["valeur"]))
    if row["unite"] == "jours":
        return f"{number(round(row['valeur']))}\u00a0jours"
    if row["unite"] == "ecart":
        return ecart(row)
    return percent(row["valeur"])


def interval(row: dict) -> str:
    """``IC 95 % : 40,3 % – 51,2 %`` for a shown rate, empty otherwise."""
    if row["unite"] != "taux" or not row["diffusable"] or row["ic_bas"] is None:
        return ""
    return f"IC 95\u00a0% : {percent(row['ic_bas'])} – {percent(row['ic_haut'])}"


def count(row: dict | None, field: str = "numerateur") -> str:
    """A numerator or denominator, shown only with its row (it would give a hidden rate away)."""
    if not row or row.get(field) is None:
        return "–"
    return number(row[field]) if row["diffusable"] else HIDDEN_RATE


def ecart(row: dict | None) -> str:
    """An écart observé in percentage points: ``+12,3 pts``."""
    if not row or row["valeur"] is None:
        return "–"
    if not row["diffusable"]:
        return HIDDEN_RATE
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
    return format_date(value, format="MM/yyyy", locale=LOCALE) if value else "–"


def optional_number(value: float | int | None) -> str:
    return "–" if value is None else number(value)


def label(code: str | None) -> str:
    """``retour_formation_initiale`` → ``Retour formation initiale``."""
    if not code:
        return "–"
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]
