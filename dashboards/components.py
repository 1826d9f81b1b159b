"""DSFR-styled building blocks: the filters form and the active filters' chips, a content block
(its summary, the filters it applies or not, its chart or its one empty-state message, its data
table and CSV link), and messages. The header and footer: ``dashboards.frame``."""

from __future__ import annotations

from dash import dcc, html

from dashboards import blocks, queries
from dashboards.filters import DIMENSIONS, TOUTES, Lecture, query_string
from pipelines.content import formatting as fmt
from pipelines.content.block import LIBELLES_FILTRES, Block, Refus, View
from pipelines.content.blocks import common
from pipelines.content.display import est_numerique, texte

# « Toutes » or « Tous » agrees with the filter's noun.
TOUS = {
    "annee": "Toutes les années",
    "academie": "Toutes",
    "region": "Toutes",
    "type_acheteur": "Tous",
    "secteur": "Tous",
}


def _select(
    name: str,
    label: str,
    options: list[tuple[str, str]],
    value: str | None,
    vide: tuple[str, str],
    inactif: bool,
) -> html.Div:
    """A native <select>: keyboard and screen-reader behaviour of the browser itself (RGAA).
    A filter no block of the page honours is disabled, with the reason as its hint."""
    id_ = f"filtre-{name.replace('_', '-')}"
    hint = (
        [html.Span("Sans effet sur cette page", className="fr-hint-text", id=f"{id_}-aide")]
        if inactif
        else []
    )
    return html.Div(
        className="fr-select-group filtre" + (" fr-select-group--disabled" if inactif else ""),
        children=[
            html.Label([label, *hint], htmlFor=id_, className="fr-label"),
            html.Select(
                id=id_,
                name=name,
                className="fr-select",
                disabled=inactif,
                children=[html.Option(vide[1], value=vide[0], selected=value is None)]
                + [html.Option(text, value=code, selected=code == value) for code, text in options],
            ),
        ],
    )


def _siret(value: str | None, inactif: bool) -> html.Div:
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
                disabled=inactif,
            ),
        ],
    )


def filtres_formulaire(
    chemin: str, lecture: Lecture, caches: dict[str, str], honores: set[str]
) -> html.Form:
    """The filters as a plain GET form: applying them writes the query string, so the URL always
    describes the view and a link reproduces it. Works without JavaScript."""
    vue = lecture.vue
    annees = [(p, p) for p in reversed(queries.periodes())]  # the latest year first
    selects = [
        _select(
            "annee",
            "Année",
            annees,
            vue.annee if vue.annee != TOUTES else None,
            (TOUTES, TOUS["annee"]),
            "annee" not in honores,
        )
    ]
    for name, (niveau, label) in DIMENSIONS.items():
        selects.append(
            _select(
                name,
                label,
                queries.valeurs(niveau),
                getattr(vue, name),
                ("", TOUS[name]),
                name not in honores,
            )
        )
    return html.Form(
        className="filtres",
        method="get",
        action=chemin,
        role="search",
        **{"aria-label": "Filtres"},
        children=[
            *selects,
            _siret(vue.acheteur, False) if "acheteur" in honores else None,
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


def _valeur_filtre(vue: View, name: str) -> str:
    """A filter's value as the reader knows it (the académie's name, not its code)."""
    value = getattr(vue, name)
    if name == "annee":
        return "toutes années" if value == TOUTES else value
    if name == "acheteur":
        return common.nom_niveau(blocks.SNAPSHOT, "acheteur", value)
    return dict(queries.valeurs(DIMENSIONS[name][0])).get(value, value)


def puces(chemin: str, lecture: Lecture, caches: dict[str, str]) -> html.Div | None:
    """The active filters as chips, each with a link that removes it; the default year says
    it is the default."""
    vue = lecture.vue
    items = []
    for name in vue.actifs() or []:
        label = f"{LIBELLES_FILTRES[name].capitalize()} : {_valeur_filtre(vue, name)}"
        if name == "annee" and lecture.annee_par_defaut:
            label += " (dernière année complète, par défaut)"
        sans = query_string(vue.sans(name), **caches)
        if name == "annee":  # without a year: every year, said explicitly in the link
            sans = query_string(vue.sans("annee"), **caches)
        items.append(
            html.Li(
                html.A(
                    label,
                    href=chemin + sans,
                    className="fr-tag fr-tag--sm fr-tag--dismiss",
                    title=f"Retirer le filtre {LIBELLES_FILTRES[name]}",
                    **{"aria-label": f"Retirer le filtre {label}"},
                )
            )
        )
    if vue.annee == TOUTES:
        items.insert(0, html.Li(html.P("Toutes années", className="fr-tag fr-tag--sm")))
    return html.Div(
        [
            html.P("Filtres actifs :", className="fr-text--sm fr-mb-1v", id="puces-titre"),
            html.Ul(items, className="fr-tags-group", **{"aria-labelledby": "puces-titre"}),
        ],
        className="puces",
        id="filtres-actifs",
    )


# Rows a page's table shows at most: a long list (quarantine rules per file, a buyer's clauses)
# would weigh the page for every reader (three such tables made the quality page the slowest
# first visit); its CSV holds every row, and the page says so. Lists put what needs action first.
LIGNES_MAX = 50


def tableau(bloc: Block) -> html.Div:
    """The block's data as an accessible table (its caption is read, not shown twice); the
    table scrolls on a small screen, so it takes the keyboard's focus (RGAA, axe)."""
    colonnes = bloc.tableau.colonnes
    lignes = bloc.tableau.lignes

    def cell(value: object, colonne, head: bool):
        text = texte(value, colonne.type)
        cls = "num" if est_numerique(colonne.type) else None
        return html.Th(text, scope="row", className=cls) if head else html.Td(text, className=cls)

    return html.Div(
        className="fr-table fr-table--no-caption",
        children=html.Table(
            [
                html.Caption(bloc.titre),
                html.Thead(html.Tr([html.Th(c.titre, scope="col") for c in colonnes])),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                cell(value, colonne, i == 0)
                                for i, (value, colonne) in enumerate(
                                    zip(line, colonnes, strict=True)
                                )
                            ]
                        )
                        for line in lignes[:LIGNES_MAX]
                    ]
                ),
            ],
            id=f"table-{bloc.id}",
            tabIndex="0",
        ),
    )


def coupe(bloc: Block) -> html.P | None:
    """Said under a table shortened on the page: the CSV has every row."""
    total = len(bloc.tableau.lignes)
    if total <= LIGNES_MAX:
        return None
    return html.P(
        f"Les {LIGNES_MAX} premières lignes sur {fmt.number(total)} : le fichier CSV les "
        "contient toutes.",
        className="fr-text--sm note",
        id=f"coupe-{bloc.id}",
    )


def portee(bloc: Block) -> html.P | None:
    """What the block's figures cover when it does not follow every filter set."""
    if not bloc.filtres_ignores:
        return None
    noms = ", ".join(LIBELLES_FILTRES[f] for f in bloc.filtres_ignores)
    text = (
        f"Chiffres nationaux : ce bloc ne tient pas compte du filtre ({noms})."
        if bloc.national
        else f"Ce bloc ne tient pas compte du filtre ({noms})."
    )
    return html.P(
        text, className="fr-badge fr-badge--info fr-badge--no-icon portee", id=f"portee-{bloc.id}"
    )


def bloc(bloc: Block, vue: View, chemin: str, extra: dict[str, str] | None = None) -> html.Section:
    """A chart (or table) with its one-sentence summary, its scope, its data and its CSV, or
    its one empty-state message."""
    extra = extra or {}
    children: list = [
        html.H2(bloc.titre, className="fr-h4"),
        portee(bloc),
        html.P(bloc.resume, className="resume", id=f"resume-{bloc.id}"),
    ]
    if bloc.vide is not None:
        message: list = [html.P(bloc.vide.message)]
        if bloc.vide.lien:
            text, filtres = bloc.vide.lien
            message.append(html.A(text, href=chemin + query_string(View(**_vue(filtres)), **extra)))
        children.append(
            html.Div(
                message,
                className="fr-callout vide",
                id=f"vide-{bloc.id}",
            )
        )
    elif bloc.figure is not None:
        graphs = [
            dcc.Graph(
                id=f"graphique-{bloc.id}",
                figure=bloc.figure,
                config={"displayModeBar": False, "responsive": True},
                className="graphique-large" if bloc.figure_compacte else None,
            )
        ]
        if bloc.figure_compacte is not None:  # one of the two is shown, by the screen's width
            graphs.append(
                dcc.Graph(
                    id=f"graphique-{bloc.id}-compact",
                    figure=bloc.figure_compacte,
                    config={"displayModeBar": False, "responsive": True},
                    className="graphique-compact",
                )
            )
        children.append(
            html.Figure(
                [
                    *graphs,
                    html.Figcaption(bloc.alternative or bloc.resume, className="fr-sr-only"),
                ],
                **{"aria-label": bloc.titre},
            )
        )
        children.append(
            html.Details(
                [html.Summary("Voir les données"), tableau(bloc), coupe(bloc)],
                className="donnees",
            )
        )
    else:
        children += [tableau(bloc), coupe(bloc)]
    children += [html.P(note, className="fr-text--sm note") for note in bloc.notes]
    if bloc.vide is None:
        qs = query_string(vue, **extra)
        children.append(
            html.A(
                f"Télécharger les données (CSV) — {bloc.titre}",
                href=f"/telecharger/{bloc.id}.csv{qs}",
                className="fr-link fr-icon-download-line fr-link--icon-left",
                id=f"csv-{bloc.id}",
            )
        )
    return html.Section(children, className="bloc", id=f"bloc-{bloc.id}")


def _vue(filtres: dict[str, str]) -> dict[str, str]:
    """A view's fields from query parameters (``annee`` absent: every year)."""
    return {"annee": TOUTES} | filtres


def refus(message: str) -> html.Div:
    return html.Div(
        className="fr-alert fr-alert--warning fr-alert--sm",
        role="alert",
        children=html.P(message),
    )


def essayer(bloc_id: str, vue: View, identite, chemin: str, *args: str, extra=None):
    """A block, or the refusal message when the role does not allow it."""
    try:
        return bloc(blocks.construire(bloc_id, vue, identite, *args), vue, chemin, extra)
    except Refus as exc:
        return refus(str(exc))


def bandeau(lecture: Lecture) -> list:
    """Notices above the content: demo data, filters that could not be used, and the date of
    the data."""
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
    for erreur in lecture.erreurs:
        notices.append(
            html.Div(
                html.P(erreur),
                className="fr-alert fr-alert--error fr-alert--sm erreur-filtre",
                role="alert",
            )
        )
    if publication:
        notices.append(
            html.P(
                f"Données au {fmt.french_date(publication['date_observation'])}",
                className="meta fr-text--sm",
                title=f"Publication {publication['snapshot_id']}",
                id="donnees-au",
            )
        )
    return notices
