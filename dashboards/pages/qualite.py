"""Qualité des données: freshness per source, rows set aside or flagged per file and rule
(quarantine and cross-file rules), the parcours reconciliation, the GX checks and the model's
own tests (warnings included), files received."""

import dash
from dash import html

from dashboards.components import essayer
from dashboards.filters import lire
from dashboards.page import cadre, identite
from pipelines.content.block import View

dash.register_page(
    __name__,
    path="/qualite",
    name="Qualité des données",
    title="Qualité des données — CSF",
    order=4,
)


def layout(**query: str) -> html.Div:
    lecture = lire(query)
    who = identite()
    # The reconciliation of parcours and the clauses they name come from the MLDS files: only
    # for the roles that see those files (the blocks refuse the others themselves too).
    mlds = ["rapprochement", "clauses-inconnues"] if who.peut_voir("jeunes") else []
    ids = ["fraicheur", "quarantaine", *mlds, "controles", "controles-modele", "fichiers"]
    return cadre(
        "/qualite",
        "Qualité des données",
        lecture,
        # No filter applies to the files and checks: the blocks describe the whole snapshot.
        [essayer(bloc_id, View(), who, "/qualite") for bloc_id in ids],
    )
