"""Mentions légales: publisher, publication director (a function, not a person), host (to be
completed by the team that deploys the dashboard), personal data and cookies."""

import dash
from dash import html

from dashboards import frame
from dashboards.filters import Lecture
from dashboards.page import cadre
from pipelines.content.block import View

dash.register_page(
    __name__,
    path="/mentions-legales",
    name="Mentions légales",
    title="Mentions légales — CSF",
    order=11,
)


def layout(**_query: str) -> html.Div:
    contact = frame.contact_service()
    return cadre(
        "/mentions-legales",
        "Mentions légales",
        Lecture(View()),
        [
            html.H2("Éditeur", className="fr-h4"),
            html.P(
                f"Le {frame.TABLEAU} est édité par le ministère de "
                "l'Éducation nationale : la mission des achats, qui pilote la clause sociale de "
                "formation, avec les missions de lutte contre le décrochage scolaire (MLDS) des "
                "académies."
            ),
            html.P(
                [
                    "Contact : ",
                    *(
                        [
                            contact.nom,
                            ", ",
                            html.A(contact.courriel, href=f"mailto:{contact.courriel}"),
                        ]
                        if contact
                        else [html.A("page Contact", href="/contact")]
                    ),
                    ".",
                ]
            ),
            html.H2("Directeur ou directrice de la publication", className="fr-h4"),
            html.P(
                "La personne qui dirige la mission des achats du ministère de l'Éducation "
                "nationale, désignée par sa fonction.",
                id="directeur-publication",
            ),
            html.H2("Hébergement", className="fr-h4"),
            html.Div(
                html.P(
                    "À compléter par l'équipe qui déploie le tableau de bord : nom, adresse et "
                    "numéro de téléphone de l'hébergeur (article 6 de la loi n°\u00a02004-575 du "
                    "21 juin 2004 pour la confiance dans l'économie numérique)."
                ),
                className="a-completer",
                id="hebergement-a-completer",
            ),
            html.H2("Données personnelles", className="fr-h4"),
            html.P(
                "Le tableau de bord ne montre que des données agrégées (des effectifs et des "
                "taux par territoire, par année ou par acheteur) ou pseudonymisées : aucun nom, "
                "aucun identifiant national d'élève ni aucune date de naissance n'y figure. Les "
                "effectifs trop petits sont masqués (secret statistique : voir la méthodologie)."
            ),
            html.P(
                "Le serveur tient un journal technique des requêtes (adresse IP, page demandée, "
                "date), qui sert à son fonctionnement et à sa sécurité. Lorsque l'accès est "
                "protégé, les comptes ne contiennent qu'un identifiant, un rôle et l'empreinte "
                "du mot de passe."
            ),
            html.P(
                [
                    "Pour exercer vos droits sur vos données (accès, rectification, opposition), "
                    "écrivez au contact du service (",
                    html.A("page Contact", href="/contact"),
                    ").",
                ]
            ),
            html.H2("Cookies", className="fr-h4"),
            html.P(
                "Ce site ne dépose aucun cookie ni aucun autre traceur : aucune mesure "
                "d'audience n'y est faite.",
                id="cookies",
            ),
        ],
    )
