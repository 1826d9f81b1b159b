"""Vue d'ensemble: headline figures with their interval and last year's value."""

import dash
from dash import html

from dashboards import blocks, components
from dashboards.filters import Filtres
from dashboards.page import cadre, identite

dash.register_page(__name__, path="/", name="Vue d'ensemble", title="Vue d'ensemble — CSF", order=0)


def tuiles(bloc: blocks.Bloc) -> html.Div:
    return html.Div(
        className="kpis",
        children=[
            html.Div(
                className="kpi fr-card fr-p-2w",
                children=[
                    html.P(line[0], className="kpi-label"),
                    html.P(line[1], className="kpi-value", id=f"kpi-{key}"),
                    html.P(f"IC 95 % : {line[2]}" if line[2] else "", className="kpi-interval"),
                    html.P(line[3], className="kpi-interval") if line[3] != "–" else None,
                ],
            )
            for key, line in zip(bloc.cles, bloc.lignes, strict=True)
        ],
    )


def layout(**query: str) -> html.Div:
    filtres = Filtres.from_query(query)
    bloc = blocks.chiffres_cles(filtres, identite())
    return cadre(
        "/",
        "Clause sociale de formation — vue d'ensemble",
        filtres,
        "achats",
        [tuiles(bloc), components.bloc(bloc, filtres)],
    )
