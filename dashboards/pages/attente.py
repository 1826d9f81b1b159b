"""Offres et jeunes en attente: for a month and a territory, open offers against youths waiting,
the monthly flows, the waiting time, and the territories to act on (issue 24)."""

import dash
from dash import html

from dashboards.blocks import contexte
from dashboards.components import essayer
from dashboards.filters import lire, premier, query_string
from dashboards.page import cadre, identite
from pipelines.content.blocks import attente

dash.register_page(
    __name__,
    path="/attente",
    name="Offres et jeunes en attente",
    title="Offres et jeunes en attente — CSF",
    order=6,
)


def _texte(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _choix_mois(vue, portee: attente.Portee, mois: list[str], departement: str | None) -> html.Nav:
    """The months of the view's year (the last 12 for every year), as links."""
    if vue.annee != "ensemble":
        shown = [m for m in mois if m.startswith(f"{vue.annee}-")]
    else:
        shown = mois[-12:]
    links = []
    for m in shown:
        extra = {"mois": m} | ({"departement": departement} if departement else {})
        attrs = {"aria-current": "true"} if m == portee.mois else {}
        links.append(
            html.Li(
                html.A(
                    attente.nom_mois(m),
                    href="/attente" + query_string(vue, **extra),
                    className="fr-tag",
                    **attrs,
                )
            )
        )
    return html.Nav(html.Ul(links, className="fr-tags-group"), **{"aria-label": "Mois affiché"})


def _choix_departement(vue, ctx, portee: attente.Portee) -> html.Nav | None:
    """The départements of the chosen académie, as links (the académie itself first)."""
    if vue.academie is None:
        return None
    links = [
        html.Li(
            html.A(
                "Toute l'académie",
                href="/attente" + query_string(vue, mois=portee.mois),
                className="fr-tag",
                **({"aria-current": "true"} if portee.niveau == "academie" else {}),
            )
        )
    ]
    for d in attente.departements(ctx, vue.academie):
        attrs = {"aria-current": "true"} if portee.code == d["code"] else {}
        links.append(
            html.Li(
                html.A(
                    d["libelle"],
                    href="/attente" + query_string(vue, mois=portee.mois, departement=d["code"]),
                    className="fr-tag",
                    **attrs,
                )
            )
        )
    return html.Nav(
        html.Ul(links, className="fr-tags-group"), **{"aria-label": "Département affiché"}
    )


def layout(**query: str) -> html.Div:
    lecture = lire(query)
    who = identite()
    ctx = contexte(who)
    vue = lecture.vue
    mois_demande, departement = (
        _texte(premier(query, "mois")),
        _texte(premier(query, "departement")),
    )
    portee = attente.lire_portee(ctx, vue, mois_demande, departement)
    if mois_demande and mois_demande != portee.mois:
        lecture.erreurs.append(
            f"Mois « {mois_demande[:20]} » absent des données pour cette année : le dernier "
            "mois disponible est affiché."
        )
    if departement and portee.niveau != "departement":
        lecture.erreurs.append(
            f"Département « {departement[:20]} » absent des données pour ce territoire : "
            "filtre ignoré."
        )
        departement = None
    extra = {"mois": portee.mois} | ({"departement": departement} if departement else {})
    args = (portee.mois, departement or "")
    contenu = [
        _choix_mois(vue, portee, attente.mois_disponibles(ctx), departement),
        _choix_departement(vue, ctx, portee),
        *(essayer(bloc_id, vue, who, "/attente", *args, extra=extra) for bloc_id in attente.BLOCS),
    ]
    return cadre(
        "/attente",
        "Offres et jeunes en attente",
        lecture,
        [c for c in contenu if c is not None],
        blocs=list(attente.BLOCS),
        caches=extra,
    )
