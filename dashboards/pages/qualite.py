"""Qualité des données: freshness per source, rows set aside or flagged per file and rule
(quarantine and cross-file rules), the parcours reconciliation, the GX checks and the model's
own tests (warnings included), files received."""

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
    # The reconciliation of parcours and the clauses they name come from the MLDS files: only
    # for the roles that see those files (the blocks refuse the others themselves too).
    mlds = (
        [
            essayer(blocks.rapprochement, filtres, who),
            essayer(blocks.clauses_inconnues, filtres, who),
        ]
        if who.peut_voir("jeunes")
        else []
    )
    return cadre(
        "/qualite",
        "Qualité des données",
        filtres,
        "achats",
        [
            essayer(blocks.fraicheur, filtres, who),
            essayer(blocks.quarantaine, filtres, who),
            *mlds,
            essayer(blocks.controles, filtres, who),
            essayer(blocks.controles_modele, filtres, who),
            essayer(blocks.fichiers, filtres, who),
        ],
        avec_filtres=False,
    )
