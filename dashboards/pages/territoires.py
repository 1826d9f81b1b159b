"""Territoires: a tile-grid map of the académies (overseas included) and a ranking."""

import dash
from dash import html

from dashboards.components import essayer
from dashboards.filters import lire, premier, query_string
from dashboards.page import cadre, identite
from pipelines.content.blocks.territoires import CARTE_INDICATEURS, LIBELLES_CARTE

dash.register_page(
    __name__, path="/territoires", name="Territoires", title="Territoires — CSF", order=3
)


def choix(vue, courant: str, who) -> html.Nav:
    links = []
    for code, label in LIBELLES_CARTE.items():
        if not who.peut_voir(CARTE_INDICATEURS[code]):
            continue
        href = "/territoires" + query_string(vue, indicateur=code)
        attrs = {"aria-current": "true"} if code == courant else {}
        links.append(html.Li(html.A(label, href=href, className="fr-tag", **attrs)))
    return html.Nav(
        html.Ul(links, className="fr-tags-group"), **{"aria-label": "Indicateur affiché"}
    )


def layout(**query: str) -> html.Div:
    lecture = lire(query)
    who = identite()
    indicateur = premier(query, "indicateur")
    if indicateur is not None and indicateur not in CARTE_INDICATEURS:
        lecture.erreurs.append("Indicateur inconnu : la carte montre l'activation à 6 mois.")
    if indicateur not in CARTE_INDICATEURS:
        indicateur = "taux_activation_6m"
    extra = {"indicateur": indicateur}
    return cadre(
        "/territoires",
        "Les territoires",
        lecture,
        [
            choix(lecture.vue, indicateur, who),
            essayer("carte", lecture.vue, who, "/territoires", indicateur, extra=extra),
            essayer("classement", lecture.vue, who, "/territoires", indicateur, extra=extra),
        ],
        blocs=["carte", "classement"],
        caches=extra,
    )
