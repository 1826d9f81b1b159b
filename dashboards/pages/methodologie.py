"""Méthodologie: docs/methodologie.md, the document the whole project shares, with a table of
contents whose links lead to each section (ids made by dashboards.methodology)."""

import dash
from dash import Input, clientside_callback, dcc, html

from dashboards import methodology
from dashboards.filters import lire
from dashboards.page import cadre

dash.register_page(
    __name__, path="/methodologie", name="Méthodologie", title="Méthodologie — CSF", order=5
)

TITRES = {2: html.H2, 3: html.H3}


def sommaire(sections: list[methodology.Section]) -> html.Nav:
    """The DSFR « Sommaire »: the level-2 sections, each with its level-3 ones under it."""
    items: list = []
    for section in sections:
        lien = html.A(section.titre, href=f"#{section.ancre}", className="fr-summary__link")
        if section.niveau == 2 or not items:
            items.append(html.Li([lien]))
            continue
        parent = items[-1].children
        if len(parent) == 1:
            parent.append(html.Ol([], className="fr-summary__list"))
        parent[1].children.append(html.Li([lien]))
    return html.Nav(
        className="fr-summary fr-mb-4w",
        role="navigation",
        **{"aria-labelledby": "sommaire-titre"},
        children=[
            html.P("Sommaire", id="sommaire-titre", className="fr-summary__title fr-text--bold"),
            html.Ol(items, className="fr-summary__list"),
        ],
    )


def layout(**query: str) -> html.Div:
    document = methodology.lire()
    contenu: list = [dcc.Markdown(document.introduction), sommaire(document.sections)]
    for section in document.sections:
        contenu.append(TITRES[section.niveau](section.titre, id=section.ancre, tabIndex="-1"))
        if section.texte:
            contenu.append(dcc.Markdown(section.texte))
    return cadre(
        "/methodologie",
        document.titre,
        lire(query),
        [
            dcc.Location(id="methodologie-url", refresh=False),
            html.Div(contenu, className="methodologie"),
        ],
    )


# The page is drawn after the browser has loaded: an address with a section
# (/methodologie#secret-statistique) is scrolled to once the section exists.
clientside_callback(
    """function (hash) {
        const cible = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
        if (cible) { cible.scrollIntoView(); cible.focus({preventScroll: true}); }
    }""",
    Input("methodologie-url", "hash"),
)
