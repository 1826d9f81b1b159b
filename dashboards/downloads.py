"""The dashboard's downloads: each block's data as CSV, built by the same function as the
block shown (so a download holds what the page displays), role checks included."""

from __future__ import annotations

import csv
import io

import flask

from dashboards import blocks, queries
from dashboards.filters import Filtres


def _csv(bloc: blocks.Bloc) -> bytes:
    """French spreadsheet conventions: UTF-8 with BOM, semicolons, values as displayed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(bloc.colonnes)
    writer.writerows(bloc.lignes)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def register(server: flask.Flask) -> None:
    """Add the download routes to the dashboard's server."""

    @server.route("/telecharger/<bloc_id>.csv")
    def telecharger(bloc_id: str):
        fabrique = blocks.BLOCS.get(bloc_id)
        if fabrique is None:
            flask.abort(404)
        filtres = Filtres.from_query(flask.request.args)
        args = []
        if bloc_id in ("carte", "classement"):
            indicateur = flask.request.args.get("indicateur", "taux_activation_6m")
            if indicateur not in blocks.CARTE_INDICATEURS:
                flask.abort(404)
            args.append(indicateur)
        try:
            bloc = fabrique(filtres, flask.g.identite, *args)
        except blocks.Refus as exc:
            return flask.Response(str(exc), 403, mimetype="text/plain")
        version = (queries.publication() or {}).get("snapshot_id", "aucune")
        return flask.Response(
            _csv(bloc),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="csf-{bloc_id}-{version}.csv"',
                "Cache-Control": "no-store",
            },
        )
