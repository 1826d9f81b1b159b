"""Territoires: a tile-grid map of the académies (overseas included) and a ranking."""

import dash
from dash import html

from dashboards import blocks
from dashboards.components import essayer
from dashboards.filters import Filtres
from dashboards.page import cadre, identite

dash.register_page(
    __name__, path="/territoires", name="Territoires", title="Territoires — CSF", order=3
)

LIBELLES = {
    "taux_activation_6m": "Activation à 6 mois",
    "nb_clauses_dormantes": "Clauses dormantes",
    "taux_sortie_positive_6m": "Sortie positive à 6 mois",
    "nb_jeunes_csf": "Jeunes en parcours",
}


def choix(filtres: Filtres, courant: str, who) -> html.Nav:
    base = filtres.query_string()
    links = []
    for code, label in LIBELLES.items():
        if not who.peut_voir(blocks.CARTE_INDICATEURS[code]):
            continue
        href = f"/territoires{base}{'&' if base else '?'}indicateur={code}"
        attrs = {"aria-current": "true"} if code == courant else {}
        links.append(html.Li(html.A(label, href=href, className="fr-tag", **attrs)))
    return html.Nav(
        html.Ul(links, className="fr-tags-group"), **{"aria-label": "Indicateur affiché"}
    )


def layout(**query: str) -> html.Div:
    filtres = Filtres.from_query(query)
    who = identite()
    indicateur = query.get("indicateur")
    if indicateur not in blocks.CARTE_INDICATEURS:
        indicateur = "taux_activation_6m"
    extra = f"indicateur={indicateur}"
    return cadre(
        "/territoires",
        "Les territoires",
        filtres,
        blocks.CARTE_INDICATEURS[indicateur],
        [
            choix(filtres, indicateur, who),
            essayer(blocks.carte, filtres, who, indicateur, extra_query=extra),
            essayer(blocks.classement, filtres, who, indicateur, extra_query=extra),
        ],
        caches={"indicateur": indicateur},
    )
