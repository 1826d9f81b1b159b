"""Clauses: activation over time, the blocking-point funnel, dormant clauses, calibration."""

import dash
from dash import html

from dashboards import blocks
from dashboards.components import essayer
from dashboards.filters import Filtres
from dashboards.page import cadre, identite

dash.register_page(__name__, path="/clauses", name="Clauses", title="Clauses — CSF", order=1)


def layout(**query: str) -> html.Div:
    filtres = Filtres.from_query(query)
    who = identite()
    return cadre(
        "/clauses",
        "Les clauses : activation et points de blocage",
        filtres,
        "achats",
        [
            essayer(blocks.activation, filtres, who),
            essayer(blocks.entonnoir, filtres, who),
            essayer(blocks.dormantes, filtres, who),
            essayer(blocks.dormantes_acheteurs, filtres, who),
            essayer(blocks.calibrage, filtres, who),
            essayer(blocks.clauses_acheteur, filtres, who) if filtres.acheteur else None,
        ],
        filtre_acheteur=True,
    )
