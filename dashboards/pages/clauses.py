"""Clauses: activation over time, the blocking-point funnel, dormant clauses, calibration, and
one buyer's clauses with its reports."""

import dash
from dash import html

from dashboards import report_files
from dashboards.components import essayer
from dashboards.filters import lire
from dashboards.page import cadre, identite

dash.register_page(__name__, path="/clauses", name="Clauses", title="Clauses — CSF", order=1)

BLOCS = ["activation", "entonnoir", "dormantes", "dormantes-acheteurs", "calibrage"]


def layout(**query: str) -> html.Div:
    lecture = lire(query)
    who = identite()
    vue = lecture.vue
    ids = BLOCS + (["clauses-acheteur"] if vue.acheteur else [])
    rapports = []
    if vue.acheteur:
        rapports = [
            report_files.liens(
                report_files.de_l_acheteur(vue.acheteur, who),
                "Rapports de l'acheteur (PDF et tableur)",
                "rapports-acheteur",
            )
            or html.P(
                "Les rapports de cet acheteur ne sont pas encore produits pour cette "
                "publication des données.",
                className="fr-text--sm",
                id="rapports-acheteur",
            )
        ]
    return cadre(
        "/clauses",
        "Les clauses : activation et points de blocage",
        lecture,
        [*rapports, *(essayer(bloc_id, vue, who, "/clauses") for bloc_id in ids)],
        blocs=[*ids, "clauses-acheteur"],  # the buyer filter: its own block
    )
