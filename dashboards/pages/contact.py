"""Contact: the service's and the buyers' role mailboxes, from the contacts file."""

import dash
from dash import html

from dashboards import frame, queries
from dashboards.filters import Lecture
from dashboards.page import cadre
from pipelines.content.block import View
from pipelines.content.contacts import Contact, ContactsError, load_contacts

dash.register_page(__name__, path="/contact", name="Contact", title="Contact — CSF", order=12)


def _fiche(titre: str, quand: str, contact: Contact, id_: str) -> html.Div:
    lignes = [html.Strong(contact.nom), html.Br(), "Courriel : "]
    lignes.append(html.A(contact.courriel, href=f"mailto:{contact.courriel}"))
    if contact.telephone:
        lignes += [html.Br(), f"Téléphone : {contact.telephone}"]
    return html.Div(
        [html.H2(titre, className="fr-h4"), html.P(quand), html.P(lignes)],
        id=id_,
    )


def layout(**_query: str) -> html.Div:
    try:
        contacts = load_contacts(queries.settings().contacts_file)
    except ContactsError:
        contenu = [
            html.P(
                "Les contacts ne sont pas disponibles pour le moment : le fichier des contacts "
                "du service n'est pas lisible.",
                className="fr-text--lead",
            )
        ]
    else:
        contenu = [
            _fiche(
                "Le service",
                f"Pour une question sur le {frame.TABLEAU}, ses chiffres, "
                "son accès ou son accessibilité :",
                contacts.service,
                "contact-service",
            ),
            _fiche(
                "Les acheteurs",
                "Pour un acheteur public, sur les clauses de ses marchés :",
                contacts.achats,
                "contact-achats",
            ),
            html.P(
                "Pour le parcours d'un jeune, écrivez à la mission de lutte contre le "
                "décrochage scolaire (MLDS) de son académie."
            ),
        ]
    return cadre("/contact", "Contact", Lecture(View()), contenu)
