"""DSFR-styled building blocks: filters, a chart block with its summary, data table and CSV
link, and messages (the header and footer: ``dashboards.frame``)."""

from __future__ import annotations

from dash import dcc, html

from dashboards import queries
from dashboards.blocks import Bloc, Refus
from dashboards.filters import Filtres
from pipelines.content import formatting as fmt


def _select(name: str, label: str, options: list[tuple[str, str]], value: str | None) -> html.Div:
    """A native <select>: keyboard and screen-reader behaviour of the browser itself (RGAA)."""
    id_ = f"filtre-{name.replace('_', '-')}"
    return html.Div(
        className="fr-select-group filtre",
        children=[
            html.Label(label, htmlFor=id_, className="fr-label"),
            html.Select(
                id=id_,
                name=name,
                className="fr-select",
                children=[html.Option("Toutes", value="", selected=value is None)]
                + [html.Option(text, value=code, selected=code == value) for code, text in options],
            ),
        ],
    )


def _siret(value: str | None) -> html.Div:
    return html.Div(
        className="fr-input-group filtre",
        children=[
            html.Label(
                ["SIRET de l'acheteur", html.Span("14 chiffres", className="fr-hint-text")],
                htmlFor="filtre-acheteur",
                className="fr-label",
            ),
            dcc.Input(
                id="filtre-acheteur",
                name="acheteur",
                type="text",
                value=value or "",
                inputMode="numeric",
                autoComplete="off",
                className="fr-input",
            ),
        ],
    )


def filtres_formulaire(
    chemin: str, filtres: Filtres, caches: dict[str, str], acheteur: bool = False
) -> html.Form:
    """The filters as a plain GET form: applying them writes the query string, so the URL always
    describes the view and a link reproduces it. Works without JavaScript."""
    return html.Form(
        className="filtres",
        method="get",
        action=chemin,
        role="search",
        **{"aria-label": "Filtres"},
        children=[
            _select(
                "annee",
                "Année",
                [(p, p) for p in reversed(queries.periodes())],  # the latest year first
                None if filtres.annee == "ensemble" else filtres.annee,
            ),
            _select("academie", "Académie", queries.valeurs("academie"), filtres.academie),
            _select(
                "region", "Région académique", queries.valeurs("region_academique"), filtres.region
            ),
            _select(
                "type_acheteur",
                "Type d'acheteur",
                queries.valeurs("type_acheteur"),
                filtres.type_acheteur,
            ),
            _select("secteur", "Secteur", queries.valeurs("secteur"), filtres.secteur),
            _siret(filtres.acheteur) if acheteur else None,
            *[
                dcc.Input(type="hidden", name=k, value=v, id=f"cache-{k}")
                for k, v in caches.items()
            ],
            html.Div(
                html.Button(
                    "Appliquer les filtres",
                    type="submit",
                    className="fr-btn",
                    id="filtres-appliquer",
                ),
                className="filtre-action",
            ),
        ],
    )


def tableau(bloc: Bloc, titre_visible: bool = False) -> html.Div:
    """The block's data as an accessible table (its caption is read, not shown twice)."""
    return html.Div(
        className="fr-table" if titre_visible else "fr-table fr-table--no-caption",
        children=html.Table(
            [
                html.Caption(bloc.titre),
                html.Thead(html.Tr([html.Th(c, scope="col") for c in bloc.colonnes])),
                html.Tbody(
                    [
                        html.Tr([html.Th(line[0], scope="row")] + [html.Td(v) for v in line[1:]])
                        for line in bloc.lignes
                    ]
                ),
            ],
            id=f"table-{bloc.id}",
        ),
    )


def bloc(bloc: Bloc, filtres: Filtres, extra_query: str = "") -> html.Section:
    """A chart (or table) with its one-sentence summary, its data and its CSV download."""
    qs = filtres.query_string()
    if extra_query:
        qs = (qs + "&" if qs else "?") + extra_query
    children: list = [
        html.H2(bloc.titre, className="fr-h4"),
        html.P(bloc.resume, className="resume", id=f"resume-{bloc.id}"),
    ]
    if bloc.figure is not None:
        children.append(
            html.Figure(
                [
                    dcc.Graph(
                        id=f"graphique-{bloc.id}",
                        figure=bloc.figure,
                        config={"displayModeBar": False, "responsive": True},
                    ),
                    html.Figcaption(bloc.resume, className="fr-sr-only"),
                ],
                role="group",
                **{"aria-label": bloc.titre},
            )
        )
        children.append(
            html.Details([html.Summary("Voir les données"), tableau(bloc)], className="donnees")
        )
    else:
        children.append(tableau(bloc))
    children += [html.P(note, className="fr-text--sm note") for note in bloc.notes]
    children.append(
        html.A(
            f"Télécharger les données (CSV) — {bloc.titre}",
            href=f"/telecharger/{bloc.id}.csv{qs}",
            className="fr-link fr-icon-download-line fr-link--icon-left",
            id=f"csv-{bloc.id}",
        )
    )
    return html.Section(children, className="bloc", id=f"bloc-{bloc.id}")


def refus(message: str) -> html.Div:
    return html.Div(
        className="fr-alert fr-alert--warning fr-alert--sm",
        role="alert",
        children=html.P(message),
    )


def essayer(fabrique, filtres: Filtres, identite, *args, extra_query: str = ""):
    """A block, or the refusal message when the role does not allow it."""
    try:
        return bloc(fabrique(filtres, identite, *args), filtres, extra_query)
    except Refus as exc:
        return refus(str(exc))


def bandeau(filtres: Filtres, domaine: str) -> list:
    """Notices above the content: demo data, and filters that do not apply here."""
    publication = queries.publication() or {}
    notices = []
    if publication.get("donnees_synthetiques"):
        notices.append(
            html.Div(
                "Données de démonstration : ces chiffres sont synthétiques et ne décrivent "
                "aucun jeune ni marché réel.",
                className="fr-notice banner",
                role="note",
                id="banner-demo",
            )
        )
    ignored = filtres.ignores(domaine)
    if ignored:
        notices.append(
            html.P(
                "Les indicateurs ne croisent pas deux dimensions : filtre non appliqué ici ("
                + ", ".join(ignored)
                + ").",
                className="fr-text--sm note",
            )
        )
    if publication:
        notices.append(
            html.P(
                f"Situation au {fmt.french_date(publication['date_observation'])} · "
                f"publication {publication['snapshot_id']}",
                className="meta fr-text--sm",
            )
        )
    return notices
