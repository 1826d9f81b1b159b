"""The frame every page shares: the State header with the main navigation, and the footer."""

from __future__ import annotations

from dash import html

from dashboards.filters import query_string
from pipelines.content import formatting as fmt
from pipelines.content.block import View

PAGES = [
    ("/", "Vue d'ensemble"),
    ("/clauses", "Clauses"),
    ("/jeunes", "Jeunes"),
    ("/territoires", "Territoires"),
    ("/qualite", "Qualité des données"),
    ("/methodologie", "Méthodologie"),
]


def entete(chemin: str, vue: View) -> html.Header:
    """The State header (Marianne block, service name) and the main navigation."""
    qs = query_string(vue)
    return html.Header(
        className="fr-header",
        role="banner",
        children=[
            html.Div(
                className="fr-header__body",
                children=html.Div(
                    className="fr-container",
                    children=html.Div(
                        className="fr-header__body-row",
                        children=[
                            html.Div(
                                className="fr-header__brand fr-enlarge-link",
                                children=[
                                    html.Div(
                                        className="fr-header__brand-top",
                                        children=html.Div(
                                            className="fr-header__logo",
                                            children=html.P(
                                                ["République", html.Br(), "Française"],
                                                className="fr-logo",
                                            ),
                                        ),
                                    ),
                                    html.Div(
                                        className="fr-header__service",
                                        children=[
                                            html.A(
                                                html.P(
                                                    "Clause sociale de formation",
                                                    className="fr-header__service-title",
                                                ),
                                                href="/" + qs,
                                                title="Accueil — Clause sociale de formation",
                                            ),
                                            html.P(
                                                "Parcours Solidaire de Formation",
                                                className="fr-header__service-tagline",
                                            ),
                                        ],
                                    ),
                                ],
                            ),
                        ],
                    ),
                ),
            ),
            html.Div(
                className="fr-header__menu",
                children=html.Div(
                    className="fr-container",
                    children=html.Nav(
                        className="fr-nav",
                        role="navigation",
                        **{"aria-label": "Menu principal"},
                        children=html.Ul(
                            className="fr-nav__list",
                            children=[
                                html.Li(
                                    className="fr-nav__item",
                                    children=html.A(
                                        label,
                                        href=path + qs,
                                        className="fr-nav__link",
                                        **({"aria-current": "page"} if path == chemin else {}),
                                    ),
                                )
                                for path, label in PAGES
                            ],
                        ),
                    ),
                ),
            ),
        ],
    )


def pied() -> html.Footer:
    return html.Footer(
        className="fr-footer",
        role="contentinfo",
        children=html.Div(
            className="fr-container",
            children=[
                html.P(
                    [
                        "Ministère de l'Éducation nationale — Mission des achats et MLDS. ",
                        html.A(
                            "Méthodologie des indicateurs",
                            href="/methodologie",
                            id="lien-methodologie",
                        ),
                        ".",
                    ],
                    className="fr-footer__content-desc",
                ),
                # The one legend of the one secret mark, on every page.
                html.P(
                    fmt.LEGENDE_SECRET, className="fr-footer__content-desc", id="legende-secret"
                ),
            ],
        ),
    )
