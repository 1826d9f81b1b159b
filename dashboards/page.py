"""The frame every page shares: header and navigation, filters, notices, content, footer."""

from __future__ import annotations

import functools
from collections.abc import Callable

import flask
from dash import html

from dashboards import components, queries
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
                children=html.A("Aller au contenu", href="#contenu", className="fr-link"),
            ),
            components.entete(chemin, filtres),
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
            components.pied(),
        ]
    )


def en_cache(layout: Callable[..., html.Div]) -> Callable[..., html.Div]:
    """Cache a page's layout per snapshot version, query string and roles: every figure on a page
    depends on nothing else, and a new publish changes the version (no restart needed)."""

    @functools.lru_cache(maxsize=256)
    def rendu(_version, query: tuple, _roles: frozenset) -> html.Div:
        return layout(**dict(query))

    @functools.wraps(layout)
    def cached(**query: str) -> html.Div:
        version = queries.snapshot_version(queries.published_path())
        key = tuple(sorted((k, str(v)) for k, v in query.items()))
        return rendu(version, key, identite().roles)

    return cached
