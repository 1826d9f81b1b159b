"""The frame every page shares: header and navigation, filters, notices, content, footer."""

from __future__ import annotations

import flask
from dash import html

from dashboards import components, frame
from dashboards.auth import ANONYME, Identite
from dashboards.filters import Filtres


def identite() -> Identite:
    """The user of the current request (set by the server before any callback runs)."""
    return getattr(flask.g, "identite", None) or ANONYME


def cadre(
    chemin: str,
    titre: str,
    filtres: Filtres,
    domaine: str,
    contenu: list,
    avec_filtres: bool = True,
    caches: dict[str, str] | None = None,
    filtre_acheteur: bool = False,
) -> html.Div:
    return html.Div(
        [
            html.Div(
                className="fr-skiplinks",
                children=html.Nav(
                    className="fr-container",
                    role="navigation",
                    **{"aria-label": "Accès rapide"},
                    children=html.Ul(
                        className="fr-skiplinks__list",
                        children=[
                            html.Li(
                                html.A("Aller au contenu", href="#contenu", className="fr-link")
                            ),
                            html.Li(
                                html.A(
                                    "Aller au pied de page",
                                    href="#pied-de-page",
                                    className="fr-link",
                                )
                            ),
                        ],
                    ),
                ),
            ),
            frame.entete(chemin, filtres),
            html.Main(
                id="contenu",
                className="fr-container fr-py-3w",
                tabIndex="-1",
                children=[
                    *components.bandeau(filtres, domaine),
                    html.H1(titre, className="fr-h2"),
                    components.filtres_formulaire(chemin, filtres, caches or {}, filtre_acheteur)
                    if avec_filtres
                    else None,
                    *contenu,
                ],
            ),
            frame.pied(),
        ]
    )
