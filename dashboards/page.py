"""The frame every page shares: header and navigation, notices, filters and their chips,
content, footer."""

from __future__ import annotations

from urllib.parse import urlencode

import flask
from dash import html

from dashboards import components, frame
from dashboards.auth import ANONYME, Identite
from dashboards.blocks import FILTRES
from dashboards.filters import Lecture, query_string


def identite() -> Identite:
    """The user of the current request (set by the server before any callback runs)."""
    return getattr(flask.g, "identite", None) or ANONYME


def _choisis(lecture: Lecture) -> str:
    """The query string of the filters the reader chose (not the default year), which the
    navigation keeps from page to page."""
    vue = lecture.vue
    if lecture.annee_par_defaut:
        chosen = vue.comme_dict()
        chosen.pop("annee", None)
        return "?" + urlencode(chosen) if chosen else ""
    return query_string(vue)


def cadre(
    chemin: str,
    titre: str,
    lecture: Lecture,
    contenu: list,
    blocs: list[str] | None = None,
    caches: dict[str, str] | None = None,
) -> html.Div:
    """A page: ``blocs`` are the ids of the blocks it shows (their filters make the form; None:
    a page without filters)."""
    caches = caches or {}
    honores = {f for bloc_id in blocs or [] for f in FILTRES[bloc_id]}
    filtres = (
        [
            components.filtres_formulaire(chemin, lecture, caches, honores),
            components.puces(chemin, lecture, caches),
        ]
        if blocs is not None
        else []
    )
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
            frame.entete(chemin, _choisis(lecture) if blocs is not None else ""),
            html.Main(
                id="contenu",
                className="fr-container fr-py-3w",
                tabIndex="-1",
                children=[
                    *components.bandeau(lecture),
                    html.H1(titre, className="fr-h2"),
                    *filtres,
                    *contenu,
                ],
            ),
            frame.pied(),
        ]
    )
