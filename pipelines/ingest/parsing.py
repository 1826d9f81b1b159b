"""Polars expressions that parse French office-export values.

Each parser returns ``null`` for an empty cell and for an unparseable one; the caller tells the two
apart (``is_unparsed``) to quarantine bad values instead of silently nulling them.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

_DMY = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]"
_BOOL_TRUE = ["oui", "o", "1", "vrai", "true", "yes", "y", "x"]
_BOOL_FALSE = ["non", "n", "0", "faux", "false", "no"]
# Spaces Excel and LibreOffice put in numbers: space, no-break space, narrow no-break space.
_THOUSANDS = r"[ \u00a0\u202f]"


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    """Trimmed text, with empty strings as null."""
    text = expr.str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def parse_date(expr: pl.Expr) -> pl.Expr:
    """``dd/mm/yyyy``, ``d/m/yy`` (Excel), ``yyyy-mm-dd`` (with or without time or offset)."""
    text = blank_to_null(expr)
    dmy = text.str.replace_all(r"[.\-]", "/")
    return (
        pl.when(text.str.contains(_DMY + r"\d{4}$"))
        .then(dmy.str.to_date("%d/%m/%Y", strict=False))
        .when(text.str.contains(_DMY + r"\d{2}$"))
        .then(dmy.str.to_date("%d/%m/%y", strict=False))
        .when(text.str.contains(r"^\d{4}-\d{2}-\d{2}([T ].*|[+\-]\d{2}:\d{2}|Z)?$"))
        .then(text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        .otherwise(None)
    )


def parse_decimal(expr: pl.Expr) -> pl.Expr:
    """``1 234,50``, ``1234.5``, ``1 234 €`` → Float64."""
    text = blank_to_null(expr)
    cleaned = (
        text.str.replace_all(_THOUSANDS, "")
        .str.replace(r"€$", "")
        .str.replace(",", ".", literal=True)
    )
    valid = cleaned.str.contains(r"^[+\-]?(\d+(\.\d*)?|\.\d+)$")
    return pl.when(valid).then(cleaned.cast(pl.Float64, strict=False)).otherwise(None)


def parse_integer(expr: pl.Expr) -> pl.Expr:
    """Whole numbers, tolerating ``1 200`` and ``150,0``; anything fractional is unparsed."""
    number = parse_decimal(expr)
    return pl.when(number == number.floor()).then(number.cast(pl.Int64)).otherwise(None)


def parse_boolean(expr: pl.Expr) -> pl.Expr:
    """``oui/non``, ``O/N``, ``1/0``, ``vrai/faux`` in any case."""
    text = blank_to_null(expr).str.to_lowercase()
    return (
        pl.when(text.is_in(_BOOL_TRUE))
        .then(True)
        .when(text.is_in(_BOOL_FALSE))
        .then(False)
        .otherwise(None)
    )


def normalise_label(text: str) -> str:
    """Lower case, no accents, words separated by one space: the key for label lookups."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).strip()


def normalise_label_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised :func:`normalise_label` (polars has no accent folding, so map the few we meet)."""
    text = blank_to_null(expr).str.to_lowercase()
    for accented, plain in _ACCENTS.items():
        text = text.str.replace_all(f"[{accented}]", plain)
    return text.str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()


_ACCENTS = {
    "àâäáã": "a",
    "éèêë": "e",
    "îïíì": "i",
    "ôöóò": "o",
    "ùûüú": "u",
    "ç": "c",
    "ÿ": "y",
    "œ": "oe",
    "æ": "ae",
}


def map_labels(expr: pl.Expr, labels: dict[str, str]) -> pl.Expr:
    """Map free French labels to codes; ``labels`` keys are normalised with normalise_label."""
    # Codes are accepted as they are, besides the French labels: some exports write codes.
    keys = {normalise_label(v): v for v in labels.values()}
    keys |= {normalise_label(k): v for k, v in labels.items()}
    return normalise_label_expr(expr).replace_strict(keys, default=None, return_dtype=pl.String)


def normalise_column_name(name: str) -> str:
    """``Date début`` / ``DATE_DEBUT`` / ``date-debut`` → ``date_debut``."""
    return normalise_label(name.replace("\ufeff", "")).replace(" ", "_")


def is_unparsed(raw: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    """True where a non-empty cell did not parse."""
    return blank_to_null(raw).is_not_null() & parsed.is_null()
