"""A content block as a report section: the same title, sentence, chart, typed table, notes
and empty-state message the dashboard shows, laid out by the PDF and the workbook. The PDF
keeps an interval as one cell, the workbook as its two typed bounds (``a_plat``)."""

from __future__ import annotations

from pipelines.content import formatting as fmt
from pipelines.content.block import LIBELLES_FILTRES, Block
from pipelines.content.table import a_plat
from pipelines.reports.model import Graphique, Section


def section_of(bloc: Block, onglet: str, hauteur: int = 320) -> Section:
    """The report section of a block (``onglet``: its sheet's name, 31 characters at most).
    The chart keeps the height its figure asks for (its labels are placed for it), else
    ``hauteur``."""
    notes = list(bloc.notes)
    if bloc.filtres_ignores:
        noms = ", ".join(LIBELLES_FILTRES[f] for f in bloc.filtres_ignores)
        notes.insert(0, f"Ce tableau ne tient pas compte du filtre ({noms}).")
    if bloc.vide is not None:
        return Section(
            id=bloc.id,
            titre=bloc.titre,
            onglet=onglet,
            paragraphes=[bloc.resume, bloc.vide.message],
            notes=notes,
        )
    if bloc.tableau.masques and fmt.LEGENDE_SECRET not in notes:
        notes.append(fmt.LEGENDE_SECRET)
    flat = a_plat(bloc.tableau)
    return Section(
        id=bloc.id,
        titre=bloc.titre,
        onglet=onglet,
        paragraphes=[bloc.resume],
        graphique=Graphique(
            bloc.figure,
            bloc.alternative or bloc.resume,
            int(bloc.figure.get("layout", {}).get("height") or hauteur),
        )
        if bloc.figure is not None
        else None,
        tableau=flat,
        tableau_pdf=bloc.tableau if flat is not bloc.tableau else None,
        notes=notes,
    )
