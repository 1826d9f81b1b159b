"""French display of figures, with the warehouse's disclosure decision applied (pure
functions): a row whose ``diffusable`` is false shows ``SECRET`` and nothing of its figures.

Rounding: one rule for every output (dashboard, PDF and workbook reports, command line), in
one function, ``arrondi``; every formatter below goes through it and hands Babel a figure that
is already rounded (``decimal_quantization=False``: Babel never rounds again, and by default it
would round half to even).

The rule, French public statistics' usual one: to the nearest, a half away from zero (« arrondi
commercial »: 2.5 → 3, -2.5 → -3, 35.5 days → 36), at a fixed number of decimals per unit
(``DECIMALES``). A float is first read at 15 significant digits, which is what Excel shows and
rounds too, so the workbook (full-precision numbers under a number format) shows the same figure
as the PDF and the dashboard; it also drops the binary noise of a computation, so that a rate
stored as 0.04549999999999999 rounds as the 0.0455 a reader recomputing it finds (4.6 %). A
proportion shown in percent or in points is scaled by 100 exactly (in decimal), after that
reading and before rounding: 0.4565 → 45.65 → 45,7 %. An int or a Decimal is taken as it is.
"""

from __future__ import annotations

import numbers
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from pipelines.content import labels

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

# ------------------------------------------------------------------------------ rounding

# Decimals shown for each unit of the marts (``unite``), counted in the unit shown: a rate
# (``taux``) and an hours ratio (``ratio``) in percent, an écart in percentage points, a delay
# in whole days (medians included, which may fall on a half day), a ratio of two counts
# (``rapport``: youths waiting per open offer) as a plain number.
DECIMALES = {"nombre": 0, "taux": 1, "ratio": 1, "ecart": 1, "jours": 0, "rapport": 1}
DECIMALES_NOMBRE = 3  # a plain number: at most 3 decimals, trailing zeros dropped
DECIMALES_MONTANT = 2  # euros and cents
# Excel's precision: a float is read at this many significant digits before it is rounded.
CHIFFRES_SIGNIFICATIFS = 15
_LECTURE = Context(prec=CHIFFRES_SIGNIFICATIFS, rounding=ROUND_HALF_UP)
_ARRONDI = Context(prec=80, rounding=ROUND_HALF_UP)  # room for any float's integer part


def arrondi(valeur: float | int | Decimal, decimales: int = 0, echelle: int = 0) -> Decimal:
    """The one rounding of a figure for a reader: to the nearest, a half away from zero, at
    ``decimales`` decimals, after scaling by ``10 ** echelle`` (2: a proportion in percent or
    in points). A float is read at 15 significant digits first (see the module's docstring).

    ``arrondi(2.5) == 3``, ``arrondi(-2.5) == -3``, ``arrondi(0.4565, 1, 2) == Decimal("45.7")``.
    A result of zero carries no sign (``-0.04`` → ``0``)."""
    if isinstance(valeur, bool) or not isinstance(valeur, Decimal | numbers.Real):
        raise TypeError(f"arrondi attend un nombre, reçu {valeur!r}")
    if isinstance(valeur, Decimal):
        exact = valeur
    elif isinstance(valeur, numbers.Integral):
        exact = Decimal(int(valeur))
    else:
        # The shortest decimal that reads back as the float (never its binary expansion:
        # 0.0455 is stored as 0.04549999…), then at Excel's 15 significant digits.
        exact = _LECTURE.plus(Decimal(repr(float(valeur))))
    if not exact.is_finite():
        raise ValueError(f"arrondi attend un nombre fini, reçu {valeur!r}")
    rounded = exact.scaleb(echelle, _ARRONDI).quantize(
        Decimal(1).scaleb(-decimales), context=_ARRONDI
    )
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _motif(decimales: int, signe: bool = False) -> str:
    """Babel's pattern for exactly ``decimales`` decimals, with or without a sign."""
    motif = "#,##0" + ("." + "0" * decimales if decimales else "")
    return f"+{motif};-{motif}" if signe else motif


def _texte(chiffre: Decimal, motif: str) -> str:
    # decimal_quantization=False: Babel writes the digits it is given and never rounds again.
    return format_decimal(chiffre, format=motif, locale=LOCALE, decimal_quantization=False)


def number(value: float | int | Decimal, decimales: int | None = None) -> str:
    """``1234.5`` → ``1 234,5`` (narrow no-break space, as Babel does for French). With
    ``decimales``, exactly that many decimals (``number(35.5, 0)`` → ``36``); without, at
    most ``DECIMALES_NOMBRE`` and no trailing zero."""
    if decimales is not None:
        return _texte(arrondi(value, decimales), _motif(decimales))
    return _texte(arrondi(value, DECIMALES_NOMBRE), "#,##0." + "#" * DECIMALES_NOMBRE)


def percent(value: float, decimales: int = DECIMALES["taux"]) -> str:
    """A proportion in percent: ``0.4567`` → ``45,7 %``."""
    return _texte(arrondi(value, decimales, echelle=2), _motif(decimales)) + "\u00a0%"


def points(value: float | Decimal, echelle: int = 2) -> str:
    """A difference of two proportions in percentage points, signed: ``0.039`` → ``+3,9``
    (``echelle=0`` for a value already in points). Zero has no sign: ``0,0``."""
    chiffre = arrondi(value, DECIMALES["ecart"], echelle)
    return _texte(chiffre, _motif(DECIMALES["ecart"], signe=not chiffre.is_zero()))


def jours(value: float | int | Decimal, suffixe: str = "\u00a0jours") -> str:
    """A number of days, whole (a median of 35.5 days → ``36 jours``)."""
    return number(value, DECIMALES["jours"]) + suffixe


def montant(value: float | int | Decimal) -> str:
    """Euros to the cent: ``1234.5`` → ``1 234,50 €``."""
    chiffre = arrondi(value, DECIMALES_MONTANT)
    return format_currency(
        chiffre,
        "EUR",
        format=_motif(DECIMALES_MONTANT) + "\u00a0¤",
        locale=LOCALE,
        currency_digits=False,
        decimal_quantization=False,
    )


def valeur_unite(value: float | int | Decimal, unite: str) -> str:
    """One value of a mart's unit as every output shows it: ``nombre`` → ``1 234``, ``taux``
    and ``ratio`` → ``45,7 %``, ``ecart`` → ``+3,9 pts``, ``jours`` → ``158 jours``."""
    if unite == "nombre":
        return number(value, DECIMALES["nombre"])
    if unite == "jours":
        return jours(value)
    if unite == "ecart":
        return f"{points(value)}\u00a0pts"
    return percent(value, DECIMALES[unite] if unite in DECIMALES else DECIMALES["taux"])


# ------------------------------------------------------------------------------ display


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
    return valeur_unite(row["valeur"], row["unite"])


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
    return ABSENT if row.get(field) is None else number(row[field], DECIMALES["nombre"])


def ecart(row: dict | None) -> str:
    """An écart observé in percentage points: ``+12,3 pts``."""
    if not row:
        return ABSENT
    if not row["diffusable"]:
        return SECRET
    if row["valeur"] is None:
        return ABSENT
    return f"{points(row['valeur'])}\u00a0pts"


def ecart_interval(row: dict | None) -> str:
    if not row or not row["diffusable"] or row["ic_bas"] is None:
        return ""
    return f"{points(row['ic_bas'])} à {points(row['ic_haut'])}\u00a0pts"


def month(value: date | None) -> str:
    """``2025-09-01`` → ``09/2025``."""
    return format_date(value, format="MM/yyyy", locale=LOCALE) if value else ABSENT


def optional_number(value: float | int | None) -> str:
    return ABSENT if value is None else number(value)


def label(code: str | None, vocabulaire: str | None = None) -> str:
    """The French label of a code of the marts, from the reviewed tables of ``labels`` (never
    guessed from the code): ``retour_formation_initiale`` → ``Retour en formation initiale``,
    ``termine`` → ``Terminé``; an unlisted code → ``Autre (code …)``; nothing → ``–``.
    ``vocabulaire`` (e.g. ``"statut_parcours"``) restricts the lookup to one table."""
    if not code:
        return ABSENT
    return labels.libelle(code, vocabulaire)
