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
        return HIDDEN_COUNT if row["unite"] == "nombre" else HIDDEN_RATE
    if row["valeur"] is None:
        return HIDDEN_RATE
    return number(int(row["valeur"])) if row["unite"] == "nombre" else percent(row["valeur"])


def interval(row: dict) -> str:
    """``IC 95 % : 40,3 % – 51,2 %`` for a shown rate, empty otherwise."""
    if row["unite"] != "taux" or not row["diffusable"] or row["ic_bas"] is None:
        return ""
    return f"IC 95\u00a0% : {percent(row['ic_bas'])} – {percent(row['ic_haut'])}"
