"""Déclaration d'accessibilité: the RGAA statement in its official structure. Its figures come
from the recorded automated check (docs/accessibilite/audit-axe.json, ``make
accessibility-audit``); its status is the footer's (``frame.ETAT_CONFORMITE``)."""

import dash
from dash import html

from dashboards import frame
from dashboards.audit_accessibilite import load_record
from dashboards.filters import Lecture
from dashboards.page import cadre
from pipelines.content import formatting as fmt
from pipelines.content.block import View

dash.register_page(
    __name__,
    path="/accessibilite",
    name="Déclaration d'accessibilité",
    title="Déclaration d'accessibilité — CSF",
    order=10,
)

SITE = frame.TABLEAU
IMPACTS_FR = {"critical": "critique", "serious": "grave", "moderate": "modérée"}


# Every page the check visits (audit_accessibilite.AUDITED), as a reader names them.
PAGES_VERIFIEES = [
    *frame.PAGES,
    ("/accessibilite", "Déclaration d'accessibilité"),
    ("/mentions-legales", "Mentions légales"),
    ("/contact", "Contact"),
    ("/page-inexistante", "Page introuvable (adresse inconnue)"),
]


def _compte(n: int, mot: str) -> str:
    """« 0 grave », « 1 grave », « 6 graves » (French plural from 2)."""
    return f"{fmt.number(n)} {mot}{'s' if n > 1 else ''}"


def _resultats(record: dict | None) -> list:
    """What the automated check found, from its record; without one, said without figures."""
    manuel = html.P(
        "Aucun audit de conformité au RGAA (contrôle manuel de ses 106 critères) n'a encore été "
        "réalisé : aucun taux de conformité ne peut donc être annoncé.",
        id="audit-manuel",
    )
    if record is None:
        return [
            manuel,
            html.P(
                "Un contrôle automatisé avec l'outil axe-core est passé sur chaque page, à "
                "1 400 et à 390 pixels de large ; son compte rendu n'est pas disponible ici."
            ),
        ]
    counts = record["violations_par_impact"]
    bloquantes = sum(counts.get(k, 0) for k in IMPACTS_FR)
    detail = ", ".join(_compte(counts.get(k, 0), label) for k, label in IMPACTS_FR.items())
    return [
        manuel,
        html.P(
            [
                f"Un contrôle automatisé a été réalisé le {fmt.french_date(record['date'])} avec "
                f"{record['outil']} dans {record['navigateur']}, sur les "
                f"{fmt.number(len(record['pages']))} pages du site (dont celle d'une adresse "
                "inconnue), "
                "à "
                + " et à ".join(f"{fmt.number(w)} pixels" for w in record["largeurs_px"])
                + " de large, sans filtre et avec un filtre d'académie : "
                f"{fmt.number(record['vues'])} vues contrôlées.",
            ],
            id="audit-automatise",
        ),
        html.P(
            f"Anomalies relevées : {fmt.number(bloquantes)} ({detail}) ; "
            f"{_compte(counts.get('minor', 0), 'mineure')}.",
            id="audit-resultat",
        ),
        html.P(
            "Un contrôle automatisé ne détecte qu'une partie des défauts d'accessibilité : il ne "
            "remplace pas l'audit manuel."
        ),
    ]


def layout(**_query: str) -> html.Div:
    contact = frame.contact_service()
    record = load_record()
    return cadre(
        "/accessibilite",
        "Déclaration d'accessibilité",
        Lecture(View()),
        [
            html.P(
                "Le ministère de l'Éducation nationale s'engage à rendre ses services numériques "
                "accessibles, conformément à l'article 47 de la loi n°\u00a02005-102 du 11 février "
                "2005."
            ),
            html.P(f"Cette déclaration d'accessibilité s'applique au {SITE}."),
            html.H2("État de conformité", className="fr-h4"),
            html.P(
                [
                    f"Le {SITE} est ",
                    html.Strong(frame.ETAT_CONFORMITE, id="etat-conformite"),
                    " avec le référentiel général d'amélioration de l'accessibilité (RGAA), "
                    "version 4.1.2 : aucun audit de conformité n'a encore mesuré le respect de "
                    "ses critères.",
                ]
            ),
            html.H2("Résultats des tests", className="fr-h4"),
            *_resultats(record),
            html.H2("Contenus non accessibles", className="fr-h4"),
            html.H3("Non-conformités", className="fr-h6"),
            html.P(
                "Faute d'audit manuel, les non-conformités au RGAA ne sont pas encore "
                "recensées. Limites connues :"
            ),
            html.Ul(
                [
                    html.Li(
                        "les graphiques sont des images vectorielles : chacun est accompagné "
                        "d'une phrase qui le résume, de ses données dans un tableau "
                        "(«\u00a0Voir les données\u00a0») et d'un téléchargement CSV ;"
                    ),
                    html.Li(
                        "les rapports PDF téléchargeables n'ont pas été contrôlés ; leurs "
                        "chiffres sont aussi disponibles en tableur (XLSX) et en CSV."
                    ),
                ]
            ),
            html.H3("Dérogations pour charge disproportionnée", className="fr-h6"),
            html.P("Aucune."),
            html.H3("Contenus non soumis à l'obligation d'accessibilité", className="fr-h6"),
            html.P("Aucun."),
            html.H2("Établissement de cette déclaration d'accessibilité", className="fr-h4"),
            html.P(
                f"Cette déclaration a été établie le {fmt.french_date(record['date'])}."
                if record
                else "Cette déclaration a été établie lors du dernier contrôle automatisé."
            ),
            html.H3("Technologies utilisées pour la réalisation du site", className="fr-h6"),
            html.Ul(
                [
                    html.Li("HTML5 et CSS (Système de design de l'État, DSFR)"),
                    html.Li("JavaScript (Dash, React, Plotly)"),
                ]
            ),
            html.H3("Environnement de test", className="fr-h6"),
            html.P(
                "Navigateur Chromium, à 1 400 et à 390 pixels de large. Aucune vérification "
                "avec une technologie d'assistance (lecteur d'écran) n'a encore été faite."
            ),
            html.H3("Outils pour évaluer l'accessibilité", className="fr-h6"),
            html.P("axe-core (contrôle automatisé, toutes ses règles hors expérimentales)."),
            html.H3("Pages du site ayant fait l'objet de la vérification", className="fr-h6"),
            html.Ul([html.Li(html.A(label, href=path)) for path, label in PAGES_VERIFIEES]),
            html.H2("Retour d'information et contact", className="fr-h4"),
            html.P(
                [
                    "Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez "
                    "contacter le responsable du tableau de bord pour être orienté vers une "
                    "solution accessible ou obtenir le contenu sous une autre forme",
                    *(
                        [
                            " : ",
                            contact.nom,
                            ", ",
                            html.A(contact.courriel, href=f"mailto:{contact.courriel}"),
                        ]
                        if contact
                        else [" (voir la page ", html.A("Contact", href="/contact"), ")"]
                    ),
                    ".",
                ],
                id="retour-contact",
            ),
            html.H2("Voies de recours", className="fr-h4"),
            html.P(
                "Si vous avez signalé au responsable du site un défaut d'accessibilité qui vous "
                "empêche d'accéder à un contenu ou à un service et que vous n'avez pas obtenu de "
                "réponse satisfaisante, vous pouvez saisir le Défenseur des droits :"
            ),
            html.Ul(
                [
                    html.Li(
                        html.A(
                            "écrire un message au Défenseur des droits",
                            href="https://formulaire.defenseurdesdroits.fr/",
                        )
                    ),
                    html.Li(
                        html.A(
                            "contacter le délégué du Défenseur des droits de votre région",
                            href="https://www.defenseurdesdroits.fr/saisir/delegues",
                        )
                    ),
                    html.Li(
                        "envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : "
                        "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07."
                    ),
                ]
            ),
        ],
    )
