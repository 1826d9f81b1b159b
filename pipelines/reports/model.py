"""What a report holds, independent of its format: sections of typed tables, charts and text.

The PDF and the workbook are two renderings of the same ``Rapport``: the PDF formats each cell
in French, the workbook writes it as a typed Excel cell (tables: ``pipelines.content.table``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pipelines.content.table import Tableau


@dataclass(frozen=True)
class Graphique:
    """A Plotly figure (a plain dict) with its text alternative (read by screen readers)."""

    figure: dict
    alternative: str
    hauteur: int = 320  # pixels at 96 dpi; the width is the page's


@dataclass
class Section:
    """One part of a report: one page section in the PDF, one sheet in the workbook."""

    id: str
    titre: str
    onglet: str  # the sheet's name (31 characters at most)
    paragraphes: list[str] = field(default_factory=list)
    puces: list[str] = field(default_factory=list)
    graphique: Graphique | None = None
    tableau: Tableau | None = None
    notes: list[str] = field(default_factory=list)
    # A narrower view of the same rows for the PDF, where the workbook's typed columns would not
    # fit a page (and would cost a long list many more cells to lay out).
    tableau_pdf: Tableau | None = None


@dataclass
class Rapport:
    """A whole report, ready to render."""

    titre: str
    sous_titre: str
    fichier: str  # file name without its extension
    periode: str
    date_observation: date | None
    instantane: str  # the published snapshot's id: a report is traceable to its data
    synthetique: bool
    sections: list[Section]
    genere_le: date = field(default_factory=date.today)
    # Whom to write to about the report: a role mailbox from the contacts file, never a person.
    contact: str = ""
