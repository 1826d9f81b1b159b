"""Qualité des données: files received, quarantine per rule, checks, freshness per source."""

import dash
from dash import html

from dashboards import blocks
from dashboards.components import essayer
from dashboards.filters import Filtres
from dashboards.page import cadre, identite

dash.register_page(
    __name__,
    path="/qualite",
    name="Qualité des données",
    title="Qualité des données — CSF",
    order=4,
)


def layout(**query: str) -> html.Div:
    filtres = Filtres.from_query(query)
    who = identite()
    return cadre(
        "/qualite",
        "Qualité des données",
        filtres,
        "achats",
        [
            essayer(blocks.fraicheur, filtres, who),
            essayer(blocks.quarantaine, filtres, who),
            essayer(blocks.controles, filtres, who),
            essayer(blocks.fichiers, filtres, who),
        ],
        avec_filtres=False,
    )
