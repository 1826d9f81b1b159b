"""The page Dash shows for an address no page answers (the server sends it with a 404 status:
``dashboards.app``)."""

import dash
from dash import html

from dashboards.filters import Lecture
from dashboards.page import cadre
from pipelines.content.block import View

dash.register_page(__name__, name="Page introuvable", title="Page introuvable — CSF")


def layout(**_query: str) -> html.Div:
    return cadre(
        "",
        "Page introuvable",
        Lecture(View()),
        [
            html.P("Erreur 404", className="fr-text--sm"),
            html.P(
                "La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée.",
                className="fr-text--lead",
            ),
            html.P(
                "Si vous avez tapé l'adresse dans le navigateur, vérifiez qu'elle est correcte. "
                "La page n'existe peut-être plus."
            ),
            html.A("Retour à l'accueil", href="/", className="fr-btn", id="lien-accueil-404"),
        ],
    )
