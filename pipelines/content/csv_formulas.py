"""The one rule against spreadsheet formula injection (OWASP « CSV injection »), read by every
CSV the project writes: the dashboard's downloads (Python) and the research release (DuckDB).

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``). Such a cell, when it comes
from free text (a buyer's name, an object, a displayed « +17,4 pts »), is written behind a
single quote, which spreadsheets show as text and never run. So is a text that holds one after a
separator (``Mairie;=1+1``): a spreadsheet that splits the file on another separator than the
writer's (a French Excel opens a comma file on « ; ») would find the formula at a cell's start.
A plain number (« -3,5 », « -12 », « -0.25 ») stays a number: a spreadsheet must still compute
on it.
"""

from __future__ import annotations

import re

from pipelines.sql_text import literal

# The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A negative number, with a decimal comma (French downloads) or point (research release).
PLAIN_NUMBER = r"-?[0-9]+([.,][0-9]+)?"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)
# A formula's first character after a separator (spaces or quotes between them).
AFTER_SEPARATOR = r"""[,;\t\r\n][ "']*[=+\-@]"""
_AFTER_SEPARATOR = re.compile(AFTER_SEPARATOR)
# What the release notes say about it (French, like every document for users).
RULE_FR = (
    "Une cellule de texte qui commence par =, +, -, @, une tabulation ou un retour chariot, ou "
    "qui contient =, +, -, @ juste après une virgule, un point-virgule, une tabulation ou un "
    "saut de ligne, est précédée d'une apostrophe (') : un tableur l'affiche comme du texte au "
    "lieu de l'exécuter comme une formule. Les nombres négatifs restent des nombres."
)


def neutralised(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet will not run."""
    starts = text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)
    return "'" + text if starts or _AFTER_SEPARATOR.search(text) else text


def neutralised_sql(column: str) -> str:
    """The DuckDB expression of the same rule on a text column (``column`` already quoted)."""
    starts = literal("^[=+\\-@\\t\\r]")
    number = literal(f"^{PLAIN_NUMBER}$")
    after = literal(AFTER_SEPARATOR)
    return (
        f"case when (regexp_matches({column}, {starts}) "
        f"and not regexp_matches({column}, {number})) "
        f"or regexp_matches({column}, {after}) "
        f"then '''' || {column} else {column} end"
    )
