"""Jeunes: outcomes by horizon against the comparison group, completion, the académie's detail."""

import dash
from dash import html

from dashboards import blocks
from dashboards.components import essayer, refus
from dashboards.filters import Filtres
from dashboards.page import cadre, identite

dash.register_page(__name__, path="/jeunes", name="Jeunes", title="Jeunes — CSF", order=2)


def layout(**query: str) -> html.Div:
    filtres = Filtres.from_query(query)
    who = identite()
    if not who.peut_voir("jeunes"):
        contenu = [refus("Votre profil ne donne pas accès aux indicateurs sur les jeunes.")]
    else:
        contenu = [
            essayer(blocks.sorties_positives, filtres, who),
            essayer(blocks.resultats_6m, filtres, who),
        ]
        if filtres.academie is not None:
            contenu.append(essayer(blocks.parcours_academie, filtres, who))
    return cadre(
        "/jeunes", "Les jeunes : parcours et situation à la sortie", filtres, "jeunes", contenu
    )
