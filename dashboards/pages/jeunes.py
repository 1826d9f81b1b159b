"""Jeunes: outcomes by horizon against the comparison group, completion, the académie's detail."""

import dash
from dash import html

from dashboards import access_log
from dashboards.components import essayer, refus
from dashboards.filters import lire
from dashboards.page import cadre, identite

dash.register_page(__name__, path="/jeunes", name="Jeunes", title="Jeunes — CSF", order=2)

BLOCS = ["sorties-positives", "resultats-6m"]


def layout(**query: str) -> html.Div:
    lecture = lire(query)
    who = identite()
    ids = BLOCS + (["parcours-academie"] if lecture.vue.academie is not None else [])
    if not who.peut_voir("jeunes"):
        access_log.noter(access_log.REFUS, 403, "jeunes")
        contenu = [refus("Votre profil ne donne pas accès aux indicateurs sur les jeunes.")]
    else:
        contenu = [essayer(bloc_id, lecture.vue, who, "/jeunes") for bloc_id in ids]
    return cadre(
        "/jeunes", "Les jeunes : parcours et situation à la sortie", lecture, contenu, blocs=ids
    )
