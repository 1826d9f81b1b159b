"""The dashboard's downloads: each block's data as CSV, built by the same function as the
block shown (so a download holds what the page displays), role checks included.

French spreadsheet conventions: UTF-8 with a BOM, semicolons, a decimal comma. Figures are
numbers (rounded as displayed, by the one rule, in the unit the column names: a rate in %, an
écart in points), so a spreadsheet can compute on them; an interval is two columns; a hidden
cell is the secret mark. ``?format=affiche`` gives the cells as displayed instead."""

from __future__ import annotations

import csv
import io
from datetime import date

import flask

from dashboards import blocks, queries, report_files
from dashboards.filters import lire
from pipelines.content import formatting as fmt
from pipelines.content.block import Block, Refus
from pipelines.content.csv_formulas import neutralised
from pipelines.content.display import texte
from pipelines.content.table import Cellule, Colonne, Masque, Type, Valeur, a_plat

# The unit a number column states in its header.
UNITES = {Type.TAUX: " (%)", Type.POINTS: " (points)", Type.JOURS: " (jours)", Type.MONTANT: " (€)"}
# The unit written beside each figure of a column of indicators.
UNITES_MIXTES = {
    Type.TAUX: "%",
    Type.POINTS: "points",
    Type.JOURS: "jours",
    Type.MONTANT: "€",
    Type.ENTIER: "nombre",
    Type.RAPPORT: "nombre",
}


def nombre_csv(value: float | int, kind: Type) -> str:
    """A figure as a French spreadsheet reads a number: rounded as displayed, decimal comma,
    no thousands separator nor unit."""
    if kind in (Type.TAUX, Type.POINTS):
        rounded = fmt.arrondi(value, fmt.DECIMALES["taux"], echelle=2)
    elif kind is Type.MONTANT:
        rounded = fmt.arrondi(value, fmt.DECIMALES_MONTANT)
    elif kind in (Type.ENTIER, Type.JOURS):
        rounded = fmt.arrondi(value, 0)
    elif kind is Type.RAPPORT:
        rounded = fmt.arrondi(value, fmt.DECIMALES["rapport"])
    else:
        rounded = fmt.arrondi(value, fmt.DECIMALES_NOMBRE)
    return str(rounded).replace(".", ",")


def _brut(cellule: Cellule, kind: Type) -> str:
    """One cell of a typed column as a CSV field."""
    if cellule is None:
        return ""
    if isinstance(cellule, Masque):
        return cellule.marque
    if isinstance(cellule, Valeur):
        if cellule.type is Type.POINTS:  # already in points (cells.valeur)
            return str(fmt.arrondi(cellule.valeur, fmt.DECIMALES["ecart"])).replace(".", ",")
        return nombre_csv(cellule.valeur, cellule.type)
    if isinstance(cellule, date):
        return cellule.isoformat()[:10]
    if isinstance(cellule, int | float) and not isinstance(cellule, bool):
        return nombre_csv(cellule, kind)
    return str(cellule)


def _mixte(colonne: Colonne) -> bool:
    """A column of indicators of several units: its unit goes in a column beside it."""
    return colonne.type is Type.INDICATEUR


def lignes_csv(bloc: Block) -> list[list[str]]:
    """Header and rows of the block's typed CSV (an interval as its two bounds)."""
    tableau = a_plat(bloc.tableau)
    colonnes, lignes = tableau.colonnes, tableau.lignes
    mixed = [_mixte(c) for c in colonnes]
    header: list[str] = []
    for c, mixte in zip(colonnes, mixed, strict=True):
        header += [c.titre, f"{c.titre} — unité"] if mixte else [c.titre + UNITES.get(c.type, "")]
    out = [header]
    for line in lignes:
        row: list[str] = []
        for c, value, mixte in zip(colonnes, line, mixed, strict=True):
            row.append(_brut(value, c.type))
            if mixte:
                kind = value.type if isinstance(value, Valeur) else None
                row.append(UNITES_MIXTES.get(kind, "") if kind else "")
        out.append(row)
    return out


def lignes_affichees(bloc: Block) -> list[list[str]]:
    """Header and rows exactly as the page's table shows them."""
    colonnes = bloc.tableau.colonnes
    return [[c.titre for c in colonnes]] + [
        [v if isinstance(v, str) else texte(v, c.type) for v, c in zip(line, colonnes, strict=True)]
        for line in bloc.tableau.lignes
    ]


def csv_bytes(rows: list[list[str]]) -> bytes:
    """The CSV file: every cell, header included, through the one formula rule (a signed écart
    « +17,4 pts » as well as a hostile text keeps its text behind a quote; a negative number
    stays a number)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([[neutralised(cell) for cell in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def register(server: flask.Flask) -> None:
    """Add the download routes to the dashboard's server: blocks as CSV, and the reports."""
    report_files.register(server)

    @server.route("/telecharger/<bloc_id>.csv")
    def telecharger(bloc_id: str):
        if bloc_id not in blocks.BLOCS:
            flask.abort(404)
        vue = lire(flask.request.args.to_dict(flat=False)).vue
        args = []
        if bloc_id in ("carte", "classement"):
            indicateur = flask.request.args.get("indicateur", "taux_activation_6m")
            if indicateur not in blocks.CARTE_INDICATEURS:
                flask.abort(404)
            args.append(indicateur)
        # The page's own choices (a month, a département): the block checks them against the
        # snapshot, as the page does, and falls back to its default when they are not there.
        args += [
            flask.request.args.get(name) or "" for name in blocks.PARAMETRES_PAGE.get(bloc_id, ())
        ]
        try:
            bloc = blocks.construire(bloc_id, vue, flask.g.identite, *args)
        except Refus as exc:
            return flask.Response(str(exc), 403, mimetype="text/plain")
        affiche = flask.request.args.get("format") == "affiche"
        rows = lignes_affichees(bloc) if affiche else lignes_csv(bloc)
        version = (queries.publication() or {}).get("snapshot_id", "aucune")
        suffix = "-affiche" if affiche else ""
        return flask.Response(
            csv_bytes(rows),
            mimetype="text/csv",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="csf-{bloc_id}-{version}{suffix}.csv"'
                ),
                "Cache-Control": "no-store",
            },
        )
