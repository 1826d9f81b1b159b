"""Polars expressions that parse French office-export values.

Each parser returns ``null`` for an empty cell and for an unparseable one; the caller tells the two
apart (``is_unparsed``) to quarantine bad values instead of silently nulling them.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import polars as pl

_DMY = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]"
_BOOL_TRUE = ["oui", "o", "1", "vrai", "true", "yes", "y", "x"]
_BOOL_FALSE = ["non", "n", "0", "faux", "false", "no"]


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


# Numbers. The contract writes decimals with a comma and thousands with a space or no-break space
# (``1 234,50``); exports also carry a dot (``1234.5``, ``1.234,5``), a unit (``140 h``,
# ``1 234 € HT``) or, in a percentage column, ``%``. A cell is read only when exactly one reading
# exists; ``1,234`` or ``1.234`` (one separator, then exactly three digits) is a decimal or a
# thousands group: it is *ambiguous* and quarantined as ``nombre_ambigu:<column>``
# (:func:`number_rule`). The csv module has already removed the quotes around ``"140,5"``, so a
# quoted decimal comma reads the same whatever the file's separator.
_SP = "[ \u00a0\u202f]"
# Units each kind of column may carry after its number, per data-contracts.md.
_UNITS = {
    "montant": rf"(€|euros?|eur)?({_SP}*ht)?",
    "heures": r"(h|hrs?|heures?)",
    "pourcentage": r"%",
}
# (pattern of the unsigned number, thousands separator to delete); the decimal separator left is
# turned into a dot. Every pattern has a single reading.
_READINGS = (
    (r"^\d+$", None),
    (rf"^\d{{1,3}}({_SP}\d{{3}})+([,.]\d*)?$", _SP),  # 1 234 / 1 234,5 / 1 234.5
    (r"^\d{1,3}(\.\d{3})+,\d*$", r"\."),  # 1.234,5
    (r"^\d{1,3}(,\d{3})+\.\d*$", ","),  # 1,234.5
    (r"^\d{1,3}(\.\d{3}){2,}$", r"\."),  # 1.234.567: a decimal dot cannot repeat
    (r"^\d{1,3}(,\d{3}){2,}$", ","),  # 1,234,567
    (r"^[1-9]\d{0,2}[,.]\d{3}$", "ambiguous"),  # 1,234 / 1.234: decimal or thousands?
    (r"^(\d+[,.]\d*|[,.]\d+)$", None),  # 140,5 / 1234.5 / 0,125 / ,5
)


def unit_kind(column: str | None) -> str | None:
    """Which units a column may carry: ``montant*`` (€, EUR, HT), ``heures*`` (h, heures),
    a percentage (``taux_*``, ``part_*``, ``pourcentage*``, ``*_pct``: %), else none."""
    if not column:
        return None
    if column.startswith("montant"):
        return "montant"
    if column.startswith("heures"):
        return "heures"
    if column.startswith(("taux_", "part_", "pourcentage")) or column.endswith("_pct"):
        return "pourcentage"
    return None


def _column_of(expr: pl.Expr, column: str | None) -> str | None:
    """The column name: given, or the expression's own when it is a column (``pl.col(name)``)."""
    return column or expr.meta.output_name(raise_if_undetermined=False)


def _number_parts(expr: pl.Expr, column: str | None) -> tuple[pl.Expr, pl.Expr]:
    """(the number as ``[-]digits[.digits]`` text or null, True where the cell is ambiguous)."""
    # A quoted cell the csv module left quoted (`` "140,5"`` after a space, in a ``;`` file).
    text = blank_to_null(blank_to_null(expr).str.replace(r'^"(.*)"$', "${1}")).str.to_lowercase()
    unit = _UNITS.get(unit_kind(column))
    if unit is not None:
        text = text.str.replace(rf"(\d){_SP}*(?:{unit})$", "${1}")
    sign = text.str.extract(r"^([+\-]?)", 1)
    body = text.str.replace(r"^[+\-]", "")
    chain = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    ambiguous = pl.lit(False)
    for pattern, thousands in _READINGS:
        matches = body.str.contains(pattern)
        if thousands == "ambiguous":
            ambiguous = matches.fill_null(False)
            chain = chain.when(matches).then(pl.lit(None, pl.String))
            continue
        digits = body if thousands is None else body.str.replace_all(thousands, "")
        chain = chain.when(matches).then(sign + digits.str.replace(",", ".", literal=True))
    return chain.otherwise(None), ambiguous


def parse_decimal(expr: pl.Expr, column: str | None = None) -> pl.Expr:
    """``1 234,50``, ``1.234,5``, ``1234.5``, ``1 234 € HT`` → Float64; ambiguous → null.

    ``column`` (by default the expression's column name) decides the units accepted."""
    number, _ = _number_parts(expr, _column_of(expr, column))
    return number.str.replace(r"\.$", "").cast(pl.Float64, strict=False)


def parse_integer(expr: pl.Expr, column: str | None = None) -> pl.Expr:
    """Whole numbers, tolerating ``1 200``, ``150,0`` and French words (``cent cinquante``).

    Hours (``heures*`` columns) are stored in whole hours: ``140,5`` is read, then rounded to the
    nearest hour, a half up (``140,5`` → 141). Any other fractional value is unparsed. Words are
    read only in cells with letters and no digit, which no numeric reading reads
    (:func:`parse_number_words`)."""
    column = _column_of(expr, column)
    return integer_of(parse_decimal(expr, column), expr, column)


def integer_of(number: pl.Expr, expr: pl.Expr, column: str | None) -> pl.Expr:
    """:func:`parse_integer` of the cells ``expr`` whose decimal reading is ``number``
    (:func:`parse_decimal`): a caller that has the reading as a column passes it, and polars
    plans a tree a few times smaller than the one that repeats the reading."""
    if unit_kind(column) == "heures":
        rounded = (number.abs() + 0.5).floor() * pl.when(number < 0).then(-1.0).otherwise(1.0)
        value = rounded.cast(pl.Int64, strict=False)
    else:
        whole = number == number.floor()
        value = pl.when(whole).then(number.cast(pl.Int64, strict=False)).otherwise(None)
    # Letters and no digit: the cells the numeric reading cannot read (decided on the text, so
    # the numeric expression is not evaluated twice).
    text = blank_to_null(expr)
    in_words = pl.when(text.str.contains(r"^\D*[^\W\d_]\D*$")).then(text)
    return value.fill_null(parse_number_words(in_words, column))


def number_rule(
    raw: pl.Expr, column: str, integer: bool = False, value: pl.Expr | None = None
) -> pl.Expr:
    """The quarantine rule of a numeric cell: ``nombre_ambigu:<column>`` when it has two
    readings, ``nombre_invalide:<column>`` when it has none (or, in an ``integer`` column, a
    fractional one), null when it reads or is empty. ``value`` is the cell's reading
    (:func:`parse_integer` or :func:`parse_decimal`) when the caller has it already."""
    _, ambiguous = _number_parts(raw, column)
    if value is None:
        value = parse_integer(raw, column) if integer else parse_decimal(raw, column)
    return (
        pl.when(ambiguous)
        .then(pl.lit(f"nombre_ambigu:{column}"))
        .when(is_unparsed(raw, value))
        .then(pl.lit(f"nombre_invalide:{column}"))
    )


# Whole numbers in French words. A cell is read when its words are a correct spelling of the
# number they add up to: ``cent cinquante`` (150), ``cent-cinquante``, ``quatre cent cinquante``,
# ``neuf cents``, ``quatre-vingt-dix``, ``soixante et onze``, ``deux mille``; Belgian and Swiss
# ``septante``, ``huitante``/``octante``, ``nonante``; ``cents``/``vingts`` accepted with or
# without their plural ``s`` (``deux cents cinquante``, ``quatre vingt``: a slip, one reading).
# Anything else (``cent cinquante et quelques``, ``beaucoup``, ``cent cent``) stays unparsed.
# Hours columns may end with their unit (``cent cinquante heures``).
_SMALL = [
    "zero",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
]
_TENS = {2: ("vingt",), 3: ("trente",), 4: ("quarante",), 5: ("cinquante",), 6: ("soixante",)}
_REGIONAL_TENS = {7: ("septante",), 8: ("huitante", "octante"), 9: ("nonante",)}
_WORD_VALUES = {word: n for n, word in enumerate(_SMALL)} | {"une": 1}
_WORD_VALUES |= {
    w: t * 10 for tens in (_TENS, _REGIONAL_TENS) for t, ws in tens.items() for w in ws
}
_WORD_VALUES |= {"vingts": 20}
_HOUR_UNITS = {"h", "hr", "hrs", "heure", "heures"}
MAX_NUMBER_WORDS = 999_999


def _one(n: int) -> set[str]:
    """Spellings of a number below 17 (``un`` or ``une`` for 1)."""
    return {_SMALL[n], "une"} if n == 1 else {_SMALL[n]}


def _tens_and_unit(words: tuple[str, ...], unit: int) -> set[str]:
    """``vingt``, ``vingt et un``, ``vingt deux``… for one tens word and a unit 0-9."""
    if unit == 0:
        return set(words)
    if unit == 1:
        return {f"{w} et {u}" for w in words for u in _one(1)}
    return {f"{w} {_SMALL[unit]}" for w in words}


def _below_hundred(n: int) -> set[str]:
    if n <= 16:
        return _one(n)
    if n < 20:
        return {f"dix {_SMALL[n - 10]}"}
    tens, unit = divmod(n, 10)
    if tens < 7:
        return _tens_and_unit(_TENS[tens], unit)
    out = _tens_and_unit(_REGIONAL_TENS[tens], unit)
    if n == 71:
        out.add("soixante et onze")
    elif tens == 7:  # soixante-dix, soixante-douze … soixante-dix-neuf
        out |= {f"soixante {s}" for s in _below_hundred(n - 60)}
    elif n == 80:
        out |= {"quatre vingts", "quatre vingt"}
    else:  # quatre-vingt-un … quatre-vingt-dix-neuf
        out |= {f"quatre vingt {s}" for s in _below_hundred(n - 80)}
    return out


def _below_thousand(n: int) -> set[str]:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _below_hundred(rest)
    heads = {"cent"} if hundreds == 1 else {f"{_SMALL[hundreds]} {c}" for c in ("cent", "cents")}
    if rest == 0:
        return heads
    return {f"{h} {r}" for h in heads for r in _below_hundred(rest)}


def french_number_spellings(n: int) -> set[str]:
    """Every accepted spelling of ``0 <= n <= MAX_NUMBER_WORDS``, as :func:`normalise_label`
    writes it (lower case, no accents, words separated by one space)."""
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        return _below_thousand(rest)
    heads = {"mille"} if thousands == 1 else {f"{t} mille" for t in _below_thousand(thousands)}
    if rest == 0:
        return heads
    return {f"{h} {r}" for h in heads for r in _below_thousand(rest)}


@functools.lru_cache(maxsize=4096)
def french_number(text: str, hours: bool = False) -> int | None:
    """The whole number ``text`` spells in French words, or None.

    The words are added up (``quatre vingt`` multiplies, ``cent`` and ``mille`` scale), then the
    text must be one of the number's accepted spellings: a sum of words that no one writes
    (``cent cent``, ``deux trois``) is refused. ``hours``: a trailing ``h``/``heures`` is a unit."""
    words = normalise_label(text).split()
    if hours and len(words) > 1 and words[-1] in _HOUR_UNITS:
        words.pop()
    if not words:
        return None
    total = current = 0
    previous = ""
    for word in words:
        if word == "et":
            pass
        elif word in ("vingt", "vingts") and previous == "quatre":
            current += 80 - 4
        elif word in _WORD_VALUES:
            current += _WORD_VALUES[word]
        elif word in ("cent", "cents"):
            current = (current or 1) * 100
        elif word == "mille":
            total, current = total + (current or 1) * 1000, 0
        else:
            return None
        previous = word
    number = total + current
    if number > MAX_NUMBER_WORDS or " ".join(words) not in french_number_spellings(number):
        return None
    return number


def parse_number_words(expr: pl.Expr, column: str | None = None) -> pl.Expr:
    """Whole numbers written in French words (:func:`french_number`) → Int64, else null.

    Python runs once per distinct non-null cell: pass only the cells the numeric reading left
    unread (as :func:`parse_integer` does), and millions of numeric rows cost nothing here."""
    hours = unit_kind(_column_of(expr, column)) == "heures"

    def read(cells: pl.Series) -> pl.Series:
        distinct = cells.drop_nulls().unique()
        if distinct.is_empty():
            return pl.Series(cells.name, [None] * len(cells), dtype=pl.Int64)
        found = {cell: french_number(cell, hours) for cell in distinct.to_list()}
        return cells.replace_strict(found, default=None, return_dtype=pl.Int64)

    return expr.cast(pl.String).map_batches(read, return_dtype=pl.Int64, is_elementwise=True)


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


# A vocabulary variant ending in this matches every label starting with its words.
LABEL_PREFIX = " *"


def map_labels(expr: pl.Expr, labels: dict[str, str]) -> pl.Expr:
    """Map free French labels to codes; ``labels`` keys are normalised with normalise_label.

    A key ending in ``LABEL_PREFIX`` (``rectorat *``) maps every label whose words start with
    its own (``rectorat de lyon``); an exact key wins over a prefix, a longer prefix over a
    shorter one."""
    # Codes are accepted as they are, besides the French labels: some exports write codes.
    keys = {normalise_label(v): v for v in labels.values()}
    keys |= {normalise_label(k): v for k, v in labels.items() if not k.endswith(LABEL_PREFIX)}
    prefixes = {
        normalise_label(k.removesuffix(LABEL_PREFIX)): v
        for k, v in labels.items()
        if k.endswith(LABEL_PREFIX)
    }
    text = normalise_label_expr(expr)
    mapped = text.replace_strict(keys, default=None, return_dtype=pl.String)
    if not prefixes:
        return mapped
    by_prefix = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for prefix in sorted(prefixes, key=len, reverse=True):
        by_prefix = by_prefix.when(text.str.starts_with(prefix + " ")).then(
            pl.lit(prefixes[prefix])
        )
    return mapped.fill_null(by_prefix.otherwise(None))


def normalise_column_name(name: str) -> str:
    """``Date début`` / ``DATE_DEBUT`` / ``date-debut`` → ``date_debut``."""
    return normalise_label(name.replace("\ufeff", "")).replace(" ", "_")


def is_unparsed(raw: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    """True where a non-empty cell did not parse."""
    return blank_to_null(raw).is_not_null() & parsed.is_null()
