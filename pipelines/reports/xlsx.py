"""A report as an Excel workbook: one sheet per section, typed cells, frozen headers, filters.

Number formats are stored in Excel's neutral notation (``#,##0.0``) and shown by Excel in the
reader's locale: ``1 234,5`` in a French Excel. A hidden cell holds the one secret mark (text,
so no formula counts it as a number), the row's "Secret statistique" column says « secret
statistique » (never which rule hid it) and the sheet ends with the legend of the mark.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from pipelines.content import formatting as fmt
from pipelines.content.table import Masque, Type, Valeur
from pipelines.reports.model import Rapport, Section
from pipelines.reports.sections import a_propos


def _decimales(n: int) -> str:
    return "." + "0" * n if n else ""


# Cells keep full precision; Excel shows them at the decimals of the one rounding rule
# (pipelines.content.formatting.DECIMALES), rounding a half away from zero on its 15
# significant digits, as ``fmt.arrondi`` does: the workbook shows the PDF's figures.
_POINTS = "0" + _decimales(fmt.DECIMALES["ecart"])
FORMATS = {
    Type.ENTIER: "#,##0" + _decimales(fmt.DECIMALES["nombre"]),
    Type.TAUX: "0" + _decimales(fmt.DECIMALES["taux"]) + "%",
    Type.POINTS: f'+{_POINTS}" pts";-{_POINTS}" pts";{_POINTS}" pts"',
    Type.JOURS: "#,##0" + _decimales(fmt.DECIMALES["jours"]) + '" jours"',
    Type.RAPPORT: "#,##0" + _decimales(fmt.DECIMALES["rapport"]),
    Type.MONTANT: "#,##0" + _decimales(fmt.DECIMALES_MONTANT) + '" €"',
    Type.DATE: "dd/mm/yyyy",
}
COLONNE_SECRET = "Secret statistique"
LIGNE_ENTETE = 3  # title, summary, blank line, then the header


def write_workbook(rapport: Rapport, path: Path) -> Path:
    """Write the report's workbook to ``path``."""
    book = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    try:
        book.set_properties(
            {
                "title": rapport.titre,
                "subject": rapport.sous_titre,
                "author": "Mission des achats — csf-impact",
                "comments": f"Instantané {rapport.instantane}",
                "keywords": "clause sociale de formation, CSF, MLDS",
            }
        )
        styles = _Styles(book)
        _about(book, styles, rapport)
        for section in rapport.sections:
            _section(book, styles, section)
    finally:
        book.close()
    return path


class _Styles:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.titre = book.add_format({"bold": True, "font_size": 14, "font_color": "#000091"})
        self.entete = book.add_format(
            {"bold": True, "bg_color": "#E3E3FD", "bottom": 2, "text_wrap": True, "valign": "top"}
        )
        self.texte = book.add_format({"text_wrap": False})
        self.note = book.add_format({"italic": True, "font_color": "#3A3A3A"})
        self.secret = book.add_format({"italic": True, "font_color": "#3A3A3A", "align": "right"})
        self.alerte = book.add_format({"bold": True, "font_color": "#B34000"})
        self.types = {kind: book.add_format({"num_format": code}) for kind, code in FORMATS.items()}


def _about(book: xlsxwriter.Workbook, styles: _Styles, rapport: Rapport) -> None:
    sheet = book.add_worksheet("À propos")
    sheet.write(0, 0, rapport.titre, styles.titre)
    row = 2
    for label, value in a_propos(rapport):
        sheet.write_string(row, 0, label, styles.entete)
        sheet.write_string(row, 1, value, styles.alerte if label == "Avertissement" else None)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Onglets", styles.entete)
    for section in rapport.sections:
        row += 1
        sheet.write_url(row, 0, f"internal:'{section.onglet}'!A1", string=section.onglet)
        sheet.write_string(row, 1, section.titre)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 90)


def _section(book: xlsxwriter.Workbook, styles: _Styles, section: Section) -> None:
    sheet = book.add_worksheet(section.onglet[:31])
    sheet.write_string(0, 0, section.titre, styles.titre)
    if section.paragraphes:
        sheet.write_string(1, 0, " ".join(section.paragraphes), styles.texte)
    row = LIGNE_ENTETE
    tableau = section.tableau
    if tableau is not None:
        colonnes = list(tableau.colonnes)
        flag = tableau.masques
        for col, colonne in enumerate(colonnes):
            sheet.write_string(row, col, colonne.titre, styles.entete)
            sheet.set_column(col, col, colonne.largeur, styles.types.get(colonne.type))
        if flag:
            sheet.write_string(row, len(colonnes), COLONNE_SECRET, styles.entete)
            sheet.set_column(len(colonnes), len(colonnes), 44)
        for ligne in tableau.lignes:
            row += 1
            motif = None
            for col, (value, colonne) in enumerate(zip(ligne, colonnes, strict=True)):
                if isinstance(value, Masque):
                    sheet.write_string(row, col, value.marque, styles.secret)
                    motif = value.motif
                    continue
                _write(sheet, styles, row, col, value, colonne.type)
            if motif:
                sheet.write_string(row, len(colonnes), motif)
        last_col = len(colonnes) - (0 if flag else 1)
        sheet.freeze_panes(LIGNE_ENTETE + 1, 0)
        sheet.autofilter(LIGNE_ENTETE, 0, max(row, LIGNE_ENTETE), last_col)
        sheet.set_row(LIGNE_ENTETE, 45)
        row += 1
    for puce in section.puces:
        row += 1
        sheet.write_string(row, 0, f"• {puce}")
    notes = list(section.notes)
    if tableau is not None and tableau.masques and fmt.LEGENDE_SECRET not in notes:
        notes.append(fmt.LEGENDE_SECRET)
    for note in notes:
        row += 1
        sheet.write_string(row, 0, note, styles.note)
    if tableau is None:
        sheet.set_column(0, 0, 120)


def _write(sheet, styles: _Styles, row: int, col: int, value: object, kind: Type) -> None:
    if value is None:
        return
    if isinstance(value, Valeur):
        value, kind = value.valeur, value.type
        sheet.write_number(row, col, value, styles.types.get(kind))
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, styles.types.get(kind))
    elif isinstance(value, datetime | date):
        sheet.write_datetime(row, col, value, styles.types[Type.DATE])
    else:
        sheet.write_string(row, col, str(value))
