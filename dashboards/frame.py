"""The frame every page shares: the State header with the main navigation (folded behind a
« Menu » button on small screens), and the State footer with the site's legal pages."""

from __future__ import annotations

import logging

from dash import html

from dashboards import queries
from dashboards.oidc import DECONNEXION
from pipelines.content import formatting as fmt
from pipelines.content.contacts import Contact, ContactsError, load_contacts

LOG = logging.getLogger(__name__)

PAGES = [
    ("/", "Vue d'ensemble"),
    ("/clauses", "Clauses"),
    ("/jeunes", "Jeunes"),
    ("/territoires", "Territoires"),
    ("/attente", "Offres et attente"),
    ("/qualite", "Qualité des données"),
    ("/methodologie", "Méthodologie"),
]

# The compliance status of the accessibility statement (RGAA): « non conforme » as long as no
# manual RGAA audit has measured the criteria, whatever the automated checks find. The footer
# and the statement page both read it, so they cannot disagree.
ETAT_CONFORMITE = "non conforme"

# The site's own pages, linked from the footer only (not the main navigation).
PAGES_PIED = [
    ("/accessibilite", f"Accessibilité : {ETAT_CONFORMITE}", "lien-accessibilite"),
    ("/mentions-legales", "Mentions légales", "lien-mentions-legales"),
    ("/contact", "Contact", "lien-contact"),
    ("/methodologie", "Méthodologie des indicateurs", "lien-methodologie"),
]

# The State's institutional links of the DSFR footer.
LIENS_INSTITUTIONNELS = [
    ("info.gouv.fr", "https://www.info.gouv.fr"),
    ("service-public.fr", "https://www.service-public.fr"),
    ("legifrance.gouv.fr", "https://www.legifrance.gouv.fr"),
    ("data.gouv.fr", "https://www.data.gouv.fr"),
]
MENU = "menu-principal"
SERVICE = "Clause sociale de formation"
# The site as the legal pages name it (no-break spaces keep the quotes on the name's lines).
TABLEAU = f"tableau de bord «\u00a0{SERVICE}\u00a0»"


def contact_service() -> Contact | None:
    """The service's role mailbox from the contacts file (None, logged, when the file is not
    usable: the pages still render, without the address)."""
    try:
        return load_contacts(queries.settings().contacts_file).service
    except ContactsError as exc:
        LOG.warning("contact du service non affiché : %s", exc)
        return None


def _logo() -> html.P:
    return html.P(["République", html.Br(), "Française"], className="fr-logo")


def entete(chemin: str, qs: str = "") -> html.Header:
    """The State header (Marianne block, service name) and the main navigation, which a
    « Menu » button opens below the DSFR's large breakpoint (its script: the modal); its links
    keep ``qs``, the filters the reader chose."""
    return html.Header(
        className="fr-header",
        role="banner",
        children=[
            html.Div(
                className="fr-header__body",
                children=html.Div(
                    className="fr-container",
                    children=html.Div(
                        className="fr-header__body-row",
                        children=[
                            html.Div(
                                className="fr-header__brand fr-enlarge-link",
                                children=[
                                    html.Div(
                                        className="fr-header__brand-top",
                                        children=[
                                            html.Div(className="fr-header__logo", children=_logo()),
                                            html.Div(
                                                className="fr-header__navbar",
                                                children=html.Button(
                                                    "Menu",
                                                    id="bouton-menu",
                                                    className="fr-btn--menu fr-btn",
                                                    title="Menu",
                                                    type="button",
                                                    **{
                                                        "data-fr-opened": "false",
                                                        "aria-controls": MENU,
                                                        "aria-haspopup": "dialog",
                                                    },
                                                ),
                                            ),
                                        ],
                                    ),
                                    html.Div(
                                        className="fr-header__service",
                                        children=[
                                            html.A(
                                                html.P(
                                                    SERVICE, className="fr-header__service-title"
                                                ),
                                                href="/" + qs,
                                                title=f"Accueil — {SERVICE}",
                                            ),
                                            html.P(
                                                "Parcours Solidaire de Formation",
                                                className="fr-header__service-tagline",
                                            ),
                                        ],
                                    ),
                                ],
                            ),
                            *_outils(),
                        ],
                    ),
                ),
            ),
            html.Div(
                className="fr-header__menu fr-modal",
                id=MENU,
                **{"aria-labelledby": "bouton-menu"},
                children=html.Div(
                    className="fr-container",
                    children=[
                        html.Button(
                            "Fermer",
                            className="fr-btn--close fr-btn",
                            title="Fermer",
                            type="button",
                            **{"aria-controls": MENU},
                        ),
                        html.Div(className="fr-header__menu-links"),
                        html.Nav(
                            className="fr-nav",
                            id="navigation-principale",
                            role="navigation",
                            **{"aria-label": "Menu principal"},
                            children=html.Ul(
                                className="fr-nav__list",
                                children=[
                                    html.Li(
                                        className="fr-nav__item",
                                        children=html.A(
                                            label,
                                            href=path + qs,
                                            className="fr-nav__link",
                                            **({"aria-current": "page"} if path == chemin else {}),
                                        ),
                                    )
                                    for path, label in PAGES
                                ],
                            ),
                        ),
                    ],
                ),
            ),
        ],
    )


def _outils() -> list[html.Div]:
    """« Se déconnecter » where users sign in with OpenID Connect (a setting, not the request:
    the same page is served from the response cache to every user of the same roles)."""
    if not queries.settings().oidc_issuer:
        return []
    return [
        html.Div(
            className="fr-header__tools",
            children=html.Div(
                className="fr-header__tools-links",
                # A form that posts: signing out is never a link another site could follow.
                children=html.Form(
                    html.Button("Se déconnecter", type="submit", className="fr-btn"),
                    action=DECONNEXION,
                    method="post",
                ),
            ),
        )
    ]


def pied() -> html.Footer:
    """The State footer: the brand, what the site is and whom to write to, the one legend of the
    secret mark, the institutional links, and the site's accessibility, legal and contact
    pages."""
    contact = contact_service()
    description: list = [
        "Ministère de l'Éducation nationale — Mission des achats et MLDS. Tableau de bord du "
        "suivi de la clause sociale de formation dans les marchés publics.",
    ]
    if contact is not None:
        description += [
            " Contact : ",
            html.A(contact.courriel, href=f"mailto:{contact.courriel}", id="courriel-service"),
            ".",
        ]
    return html.Footer(
        className="fr-footer",
        role="contentinfo",
        id="pied-de-page",
        children=html.Div(
            className="fr-container",
            children=[
                html.Div(
                    className="fr-footer__body",
                    children=[
                        html.Div(
                            className="fr-footer__brand fr-enlarge-link",
                            children=html.A(
                                _logo(), href="/", title=f"Retour à l'accueil — {SERVICE}"
                            ),
                        ),
                        html.Div(
                            className="fr-footer__content",
                            children=[
                                html.P(description, className="fr-footer__content-desc"),
                                # The one legend of the one secret mark, on every page.
                                html.P(
                                    fmt.LEGENDE_SECRET,
                                    className="fr-footer__content-desc",
                                    id="legende-secret",
                                ),
                                html.Ul(
                                    className="fr-footer__content-list",
                                    children=[
                                        html.Li(
                                            html.A(
                                                texte,
                                                href=url,
                                                className="fr-footer__content-link",
                                                target="_blank",
                                                rel="noopener",
                                                title=f"{texte} — nouvelle fenêtre",
                                            ),
                                            className="fr-footer__content-item",
                                        )
                                        for texte, url in LIENS_INSTITUTIONNELS
                                    ],
                                ),
                            ],
                        ),
                    ],
                ),
                html.Div(
                    className="fr-footer__bottom",
                    children=[
                        html.Ul(
                            className="fr-footer__bottom-list",
                            children=[
                                html.Li(
                                    html.A(
                                        texte, href=path, className="fr-footer__bottom-link", id=id_
                                    ),
                                    className="fr-footer__bottom-item",
                                )
                                for path, texte, id_ in PAGES_PIED
                            ],
                        ),
                    ],
                ),
            ],
        ),
    )
