"""Vue d'ensemble: what to take away, the headline figures with their interval, last year's
value and scope, and the trend behind them."""

import dash
from dash import html

from dashboards import blocks, components, report_files
from dashboards.filters import lire
from dashboards.page import cadre, identite
from pipelines.content.block import Refus
from pipelines.content.blocks import synthese
from pipelines.content.display import texte
from pipelines.content.table import Type

dash.register_page(__name__, path="/", name="Vue d'ensemble", title="Vue d'ensemble — CSF", order=0)

BLOCS = ["chiffres-cles"]


def tuiles(bloc) -> html.Div:
    """One tile per headline figure: its label (which names its base), value, interval and the
    year before."""
    colonnes = bloc.tableau.colonnes
    return html.Div(
        className="kpis",
        children=[
            html.Div(
                className="kpi fr-card fr-p-2w",
                children=[
                    html.P(line[0], className="kpi-label"),
                    html.P(texte(line[1], Type.TEXTE), className="kpi-value", id=f"kpi-{key}"),
                    html.P(
                        [
                            html.Abbr("IC 95 %", title=colonnes[2].titre),
                            f" : {texte(line[2], Type.TEXTE)}",
                        ],
                        className="kpi-interval",
                    )
                    if line[2] is not None
                    else None,
                    html.P(
                        f"{colonnes[3].titre} : {texte(line[3], Type.TEXTE)}",
                        className="kpi-interval",
                    )
                    if line[3] is not None
                    else None,
                    html.P(f"Périmètre : {line[4]}", className="kpi-interval"),
                ],
            )
            for key, line in zip(bloc.cles, bloc.tableau.lignes, strict=True)
        ],
    )


def layout(**query: str) -> html.Div:
    lecture = lire(query)
    who = identite()
    try:
        bloc = blocks.construire("chiffres-cles", lecture.vue, who)
    except Refus as exc:
        contenu = [components.refus(str(exc))]
    else:
        phrases = synthese.a_retenir(blocks.contexte(who), lecture.vue, bloc)
        contenu = [
            html.Div(
                [html.H2("À retenir", className="fr-callout__title fr-h5")]
                + [html.P(p, className="fr-callout__text fr-text--md") for p in phrases],
                className="fr-callout",
                id="a-retenir",
            )
            if phrases
            else None,
            tuiles(bloc) if bloc.vide is None else None,
            components.bloc(bloc, lecture.vue, "/"),
            report_files.liens(
                report_files.nationaux(who), "Rapport national (PDF et tableur)", "rapport-national"
            ),
        ]
    return cadre("/", "Clause sociale de formation — vue d'ensemble", lecture, contenu, blocs=BLOCS)
