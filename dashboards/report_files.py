"""The PDF and XLSX reports of the published snapshot, offered from the dashboard.

Only the files of the current report set (``reports/index.json``) are served, and only when
that set was produced from the snapshot the dashboard shows: a report never contradicts the
page that links to it. A buyer's report holds procurement data only (every role); the national
report holds youth outcomes (the roles that see youths)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import flask
from dash import html

from dashboards import queries
from dashboards.auth import Identite
from pipelines.content import formatting as fmt
from pipelines.reports.build import ACHETEURS, NATIONAL, reports_dir

FORMATS = {
    ".pdf": ("PDF", "application/pdf"),
    ".xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@dataclass(frozen=True)
class Rapport:
    """One report file of the current set."""

    chemin: str  # relative to the reports folder, as index.json lists it
    taille: int  # bytes

    @property
    def format(self) -> str:
        return FORMATS[Path(self.chemin).suffix][0]


def _folder() -> Path:
    return reports_dir(queries.settings())


def courants() -> list[Rapport]:
    """The report files of the set produced from the snapshot now shown (none otherwise)."""
    folder = _folder()
    try:
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    shown = (queries.publication() or {}).get("snapshot_id")
    if not shown or index.get("instantane") != shown:
        return []
    found = []
    root = folder.resolve()
    for name in index.get("fichiers", []):
        path = (folder / str(name)).resolve()
        if path.is_relative_to(root) and path.suffix in FORMATS and path.is_file():
            found.append(Rapport(name, path.stat().st_size))
    return found


def _permis(rapport: Rapport, identite: Identite) -> bool:
    dossier = Path(rapport.chemin).parts[0]
    if dossier == ACHETEURS:
        return identite.peut_voir("achats")
    return dossier == NATIONAL and identite.peut_voir("jeunes")


def de_l_acheteur(siret: str, identite: Identite) -> list[Rapport]:
    """The buyer's report files (its SIRET is a part of their name)."""
    return [
        r
        for r in courants()
        if Path(r.chemin).parts[0] == ACHETEURS
        and f"-{siret}-" in Path(r.chemin).name
        and _permis(r, identite)
    ]


def nationaux(identite: Identite) -> list[Rapport]:
    return [r for r in courants() if Path(r.chemin).parts[0] == NATIONAL and _permis(r, identite)]


def liens(rapports: list[Rapport], titre: str, id_: str) -> html.Div | None:
    """Download links, format and size stated (DSFR download links)."""
    if not rapports:
        return None
    return html.Div(
        [
            html.H2(titre, className="fr-h5"),
            html.Ul(
                [
                    html.Li(
                        html.A(
                            [
                                f"Télécharger le rapport ({r.format})",
                                html.Span(
                                    f"{r.format} – {fmt.number(max(1, r.taille // 1024))} ko",
                                    className="fr-link__detail",
                                ),
                            ],
                            href=f"/rapports/{r.chemin}",
                            className="fr-link fr-icon-download-line fr-link--icon-left",
                            download=Path(r.chemin).name,
                        )
                    )
                    for r in rapports
                ],
                className="fr-raw-list",
            ),
        ],
        className="rapports",
        id=id_,
    )


def register(server: flask.Flask) -> None:
    """``/rapports/<file>``: a file of the current set, for a role allowed to read it."""

    @server.route("/rapports/<path:chemin>")
    def rapport(chemin: str):
        found = {r.chemin: r for r in courants()}.get(chemin)
        if found is None:
            flask.abort(404)
        if not _permis(found, flask.g.identite):
            return flask.Response(
                "Votre profil ne donne pas accès à ce rapport.", 403, mimetype="text/plain"
            )
        return flask.send_file(
            _folder() / found.chemin,
            mimetype=FORMATS[Path(found.chemin).suffix][1],
            as_attachment=True,
            download_name=Path(found.chemin).name,
            max_age=0,
        )
