"""The leadership dashboard (walking-skeleton page): national KPIs and a table by académie."""

from __future__ import annotations

from dash import Dash, html

from dashboards import formatting as fmt
from dashboards import methodology, queries

KPIS = [
    "nb_clauses_csf",
    "taux_activation_6m",
    "nb_jeunes_csf",
    "taux_sortie_positive_6m",
    "taux_retour_formation_initiale_6m",
    "taux_apprentissage_6m",
    "taux_perdus_de_vue_6m",
]

INDEX = """<!DOCTYPE html>
<html lang="fr">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body>
</html>"""


def kpi_card(row: dict) -> html.Div:
    return html.Div(
        className="kpi",
        children=[
            html.P(row["libelle_indicateur"], className="kpi-label"),
            html.P(fmt.indicator_value(row), className="kpi-value", id=f"kpi-{row['indicateur']}"),
            html.P(fmt.interval(row), className="kpi-interval"),
        ],
    )


def academies_table(rows: list[dict]) -> html.Table:
    by_academie: dict[str, dict[str, dict]] = {}
    for row in rows:
        if row["niveau"] == "academie":
            by_academie.setdefault(row["libelle_niveau"], {})[row["indicateur"]] = row
    labels = {r["indicateur"]: r["libelle_indicateur"] for r in rows}
    header = html.Tr(
        [html.Th("Académie", scope="col")] + [html.Th(labels.get(k, k), scope="col") for k in KPIS]
    )
    body = [
        html.Tr(
            [html.Th(name, scope="row")]
            + [html.Td(fmt.indicator_value(cells[k]) if k in cells else "–") for k in KPIS]
        )
        for name, cells in sorted(by_academie.items())
    ]
    return html.Table(
        [
            html.Caption("Indicateurs par académie, toutes années"),
            html.Thead(header),
            html.Tbody(body),
        ],
        id="table-academies",
    )


def layout() -> html.Main:
    """Built at each page load, from the snapshot published at that moment."""
    snapshot = queries.publication()
    if snapshot is None:
        return html.Main(
            [
                html.H1("Clause sociale de formation"),
                html.P("Aucun instantané publié : lancez « csf run »."),
            ]
        )
    rows = queries.indicateurs("ensemble")
    national = {r["indicateur"]: r for r in rows if r["niveau"] == "national"}
    banner = (
        [
            html.Div(
                "Données de démonstration : ces chiffres sont synthétiques et ne décrivent "
                "aucun jeune ni marché réel.",
                className="banner",
                role="note",
                id="banner-demo",
            )
        ]
        if snapshot["donnees_synthetiques"]
        else []
    )
    return html.Main(
        [
            *banner,
            html.H1("Clause sociale de formation — indicateurs nationaux"),
            html.P(
                f"Situation au {fmt.french_date(snapshot['date_observation'])} · publication "
                f"{snapshot['snapshot_id']}",
                className="meta",
            ),
            html.Section(
                [
                    html.H2("Vue d'ensemble"),
                    html.Div(
                        [kpi_card(national[k]) for k in KPIS if k in national], className="kpis"
                    ),
                ]
            ),
            html.Section([html.H2("Par académie"), academies_table(rows)]),
            html.P(
                "« < 5 » : effectif de 1 à 4 jeunes non diffusé ; « n.d. » : taux calculé sur "
                "moins de 20 jeunes, non diffusé (secret statistique).",
                className="note",
            ),
            html.P(
                html.A(
                    "Méthodologie : définition, censure, intervalle et secret de chaque indicateur",
                    href="/methodologie",
                    id="lien-methodologie",
                ),
                className="note",
            ),
        ]
    )


def create_app() -> Dash:
    """The Dash app; debug stays off (production serving through gunicorn)."""
    app = Dash(__name__, title="CSF — indicateurs", index_string=INDEX, assets_folder="assets")
    app.layout = layout
    app.server.add_url_rule(
        "/methodologie", "methodologie", lambda: (methodology.page(), 200, _HTML)
    )
    return app


_HTML = {"Content-Type": "text/html; charset=utf-8"}


app = create_app()
server = app.server
