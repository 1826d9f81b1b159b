"""The report for one public buyer (by SIRET): where it stands and what to do next.

Everything here is public procurement data (clauses, contracts, holders, amounts). What
describes a youth stays out: a clause's stage stops at "parcours commencé", and its hours done,
number and dates of parcours are not listed (as in the research release's ``clauses``).
"""

from __future__ import annotations

import re

from stdnum.fr import siret as stdnum_siret

from pipelines.content import cells, figures
from pipelines.content.display import texte
from pipelines.content.labels import ETAPE_PUBLIQUE_MAX
from pipelines.content.table import Colonne, Tableau, Type
from pipelines.reports import sections
from pipelines.reports.model import Graphique, Rapport, Section
from pipelines.warehouse.snapshot import SnapshotReader

SYNTHESE = [
    "nb_clauses_csf",
    "taux_activation_6m",
    "taux_activation",
    "delai_activation_jours",
    "nb_clauses_dormantes",
    "conformite_calibrage",
    "taux_realisation_heures",
    "part_marches_clause_sociale",
]
MISSION_DES_ACHATS = "Mission des achats du ministère de l'Éducation nationale"
# Beyond this many clauses besides the dormant ones, the PDF lists the most recent and leaves the
# rest to the workbook: a 70-page list helps no reader (and costs a minute to lay out).
LISTE_PDF_MAX = 300


class UnknownBuyer(ValueError):
    """No buyer of that SIRET in the published snapshot."""


def acheteur(snapshot: SnapshotReader, siret: str) -> dict:
    """The buyer's row of ``dim_acheteurs``; a clear error for a malformed or unknown SIRET."""
    wanted = re.sub(r"[\s.]", "", siret)
    found = snapshot.rows("select * from marts.dim_acheteurs where siret_acheteur = ?", wanted)
    if found:
        return found[0]
    if not stdnum_siret.is_valid(wanted):
        raise UnknownBuyer(
            f"« {siret} » n'est pas un SIRET valide (14 chiffres dont une clé de contrôle)"
        )
    observed = texte(snapshot.publication["date_observation"], Type.DATE)
    raise UnknownBuyer(
        f"SIRET {wanted} inconnu : aucun acheteur de ce SIRET dans l'instantané publié "
        f"(observation du {observed}), ni dans le registre des clauses ni dans la DECP"
    )


def acheteurs_avec_clauses(snapshot: SnapshotReader) -> list[str]:
    """SIRETs of the buyers that wrote at least one CSF clause: the ones that get a report.
    The largest first, so that the longest report does not start last in a parallel batch."""
    found = snapshot.rows(
        "select siret_acheteur from marts.dim_acheteurs where nb_clauses_csf > 0 "
        "order by nb_clauses_csf desc, siret_acheteur"
    )
    return [r["siret_acheteur"] for r in found]


def rapport_acheteur(snapshot: SnapshotReader, siret: str, periode: str | None = None) -> Rapport:
    """The report of the buyer ``siret`` for ``periode`` (default: the last complete year)."""
    buyer = acheteur(snapshot, siret)
    periode = sections.verifier_periode(snapshot, periode)
    siret = buyer["siret_acheteur"]
    name = buyer["nom_acheteur"] or f"Acheteur {siret}"
    publication = snapshot.publication
    public_stage = snapshot.rows_memo(
        "select any_value(libelle_etape) as libelle from marts.fct_entonnoir_clauses "
        "where rang_etape = ?",
        ETAPE_PUBLIQUE_MAX,
    )[0]["libelle"]
    clauses = snapshot.rows(
        """
        select clauses.*,
            case when clauses.rang_etape_atteinte > ? then ? else clauses.etape_atteinte end
                as etape_publique,
            academies.contact_mlds,
            coalesce(dormantes.est_delai_offre_depasse, false) as est_delai_offre_depasse
        from marts.fct_clauses as clauses
        left join marts.dim_academies as academies using (code_academie)
        left join marts.fct_clauses_dormantes as dormantes using (clause_id)
        where clauses.siret_acheteur = ?
        order by clauses.date_notification desc, clauses.clause_id
        """,
        ETAPE_PUBLIQUE_MAX,
        public_stage,
        siret,
    )
    return Rapport(
        titre=f"Clause sociale de formation — {name}",
        sous_titre=f"Rapport de l'acheteur public SIRET {siret}, pour la Mission des achats",
        fichier=f"rapport-acheteur-{siret}-{periode}",
        periode=periode,
        date_observation=publication["date_observation"],
        instantane=publication["snapshot_id"],
        synthetique=bool(publication["donnees_synthetiques"]),
        sections=[
            synthese(snapshot, buyer, periode),
            a_faire(snapshot, buyer, clauses),
            dormantes(clauses),
            calibrage(clauses),
            liste_clauses(clauses),
            contacts(clauses),
            sections.methode(
                snapshot,
                SYNTHESE,
                [
                    "Étape atteinte : au-delà du parcours commencé, l'étape décrit un jeune ; la "
                    "liste des clauses ne la détaille pas.",
                    "Date limite de déclaration de l'offre : six mois avant la fin de la clause.",
                    "Les listes couvrent toutes les clauses de l'acheteur, quelle que soit "
                    "l'année ; la synthèse compare l'année choisie et toutes les années.",
                ],
            ),
        ],
    )


def synthese(snapshot: SnapshotReader, buyer: dict, periode: str) -> Section:
    """The buyer's indicators against the national ones, for the period and all years."""
    siret = buyer["siret_acheteur"]
    mine = snapshot.cells(SYNTHESE, periode, "acheteur", siret)
    mine_all = snapshot.cells(SYNTHESE, "ensemble", "acheteur", siret)
    france = snapshot.cells(SYNTHESE, periode, "national", "FR")
    france_all = snapshot.cells(SYNTHESE, "ensemble", "national", "FR")
    lignes = [
        [
            france_all[c]["libelle_indicateur"],
            cells.valeur(mine.get(c)),
            cells.valeur(mine.get(c), "ic_bas"),
            cells.valeur(mine.get(c), "ic_haut"),
            cells.valeur(france.get(c)),
            cells.valeur(mine_all.get(c)),
            cells.valeur(france_all.get(c)),
        ]
        for c in SYNTHESE
        if c in france_all
    ]
    rate_all = mine_all.get("taux_activation_6m")
    paragraphes = [
        f"{buyer['nom_acheteur'] or siret} a notifié "
        f"{texte(cells.valeur(mine_all.get('nb_clauses_csf')), Type.TEXTE)} clauses sociales de "
        f"formation, dont {texte(cells.valeur(mine.get('nb_clauses_csf')), Type.TEXTE)} en "
        f"{periode}.",
    ]
    if rate_all and rate_all["valeur"] is not None:
        paragraphes.append(
            "Toutes années confondues, "
            f"{texte(cells.valeur(rate_all), Type.TEXTE)} de ses clauses notifiées depuis au moins "
            "six mois ont donné lieu à un parcours dans les six mois, contre "
            f"{texte(cells.valeur(france_all.get('taux_activation_6m')), Type.TEXTE)} au niveau "
            "national."
        )
    series = _activation_par_annee(snapshot, siret)
    return Section(
        id="synthese",
        titre="Où en est l'acheteur",
        onglet="Synthèse",
        paragraphes=paragraphes,
        graphique=Graphique(
            figures.groupes(
                [year for year, _, _ in series],
                [
                    (
                        "Acheteur",
                        [cells.trace(m) for _, m, _ in series],
                        [texte(cells.valeur(m), Type.TEXTE) for _, m, _ in series],
                    ),
                    (
                        "France",
                        [cells.trace(fr) for _, _, fr in series],
                        [texte(cells.valeur(fr), Type.TEXTE) for _, _, fr in series],
                    ),
                ],
                "Taux d'activation à 6 mois",
            ),
            alternative="Taux d'activation à 6 mois par année de notification, pour l'acheteur "
            "puis pour la France : "
            + " ; ".join(
                f"{year} : {texte(cells.valeur(m), Type.TEXTE)} et "
                f"{texte(cells.valeur(fr), Type.TEXTE)}"
                for year, m, fr in series
            ),
            hauteur=280,
        )
        if series
        else None,
        tableau=Tableau(
            [
                Colonne("Indicateur", largeur=40),
                Colonne(f"Acheteur, {periode}", Type.ENTIER),
                Colonne("IC 95 % (bas)", Type.ENTIER),
                Colonne("IC 95 % (haut)", Type.ENTIER),
                Colonne(f"France, {periode}", Type.ENTIER),
                Colonne("Acheteur, toutes années", Type.ENTIER),
                Colonne("France, toutes années", Type.ENTIER),
            ],
            lignes,
        ),
        notes=[
            "Sur peu de clauses, un taux varie beaucoup : l'intervalle de confiance à 95 % "
            "(IC) en donne la marge.",
            f"Cible nationale de la part des marchés avec clause sociale : "
            f"{texte(sections.CIBLE_CLAUSE_SOCIALE, Type.TAUX)}.",
        ],
    )


def _activation_par_annee(snapshot: SnapshotReader, siret: str) -> list[tuple[str, dict, dict]]:
    """(year, buyer's row or None, national row) of the 6-month activation rate, every year
    with clauses old enough."""
    query = (
        "select * from marts.indicateurs where indicateur = 'taux_activation_6m' and periode != "
        "'ensemble' and niveau = ? and code_niveau = ? and denominateur > 0 order by periode"
    )
    national = {r["periode"]: r for r in snapshot.rows_memo(query, "national", "FR")}
    mine = {r["periode"]: r for r in snapshot.rows(query, "acheteur", siret)}
    return [(year, mine.get(year), row) for year, row in national.items()]


def a_faire(snapshot: SnapshotReader, buyer: dict, clauses: list[dict]) -> Section:
    """The action list: what the buyer should do next, in order of urgency."""
    dormant = [c for c in clauses if c["est_dormante"]]
    late = [c for c in dormant if c["est_delai_offre_depasse"]]
    upcoming = sorted(
        (c for c in dormant if not c["est_delai_offre_depasse"]),
        key=lambda c: c["date_limite_declaration_offre"],
    )
    mismatched = [c for c in clauses if c["est_calibrage_conforme"] is False]
    puces = []
    if late:
        puces.append(
            f"{texte(len(late), Type.ENTIER)} clause(s) dormante(s) ont dépassé la date limite "
            "de déclaration de l'offre : relancez sans attendre le titulaire et la MLDS "
            f"({_marches(late)})."
        )
    if upcoming:
        first = upcoming[0]
        deadline = texte(first["date_limite_declaration_offre"], Type.DATE)
        puces.append(
            f"{texte(len(upcoming), Type.ENTIER)} clause(s) dormante(s) : le titulaire doit "
            "déclarer son offre de parcours au plus tard six mois avant la fin de la clause ; "
            f"la première échéance est le {deadline} (marché "
            f"{_reference(first)}, {first['nom_titulaire'] or '–'})."
        )
    if mismatched:
        puces.append(
            f"{texte(len(mismatched), Type.ENTIER)} clause(s) prévoient un nombre d'heures qui "
            "ne correspond pas à la tranche de montant du marché : à corriger dans les "
            "prochains marchés (voir « Calibrage »)."
        )
    if dormant:
        roles = sorted({c["contact_mlds"] for c in dormant if c["contact_mlds"]})
        puces.append(f"Interlocuteur pour activer les clauses dormantes : {', '.join(roles)}.")
    if not clauses:
        share = snapshot.cells(
            ["part_marches_clause_sociale"], "ensemble", "acheteur", buyer["siret_acheteur"]
        ).get("part_marches_clause_sociale")
        puces.append(
            "Aucune clause sociale de formation n'est enregistrée pour cet acheteur"
            + (
                f" ; {texte(cells.valeur(share), Type.TEXTE)} de ses marchés comportent une "
                "clause sociale"
                if share and share["valeur"] is not None
                else ""
            )
            + ". Une clause de formation peut être insérée dans les prochains marchés, avec "
            f"l'appui de la {MISSION_DES_ACHATS}."
        )
    if not puces:
        puces.append("Aucune action urgente : aucune clause dormante ni erreur de calibrage.")
    return Section(
        id="a-faire",
        titre="Ce qu'il faut faire maintenant",
        onglet="À faire",
        puces=puces,
    )


def liste_clauses(clauses: list[dict]) -> Section:
    """Every clause of the buyer, with the stage it reached. The workbook lists them all; the
    PDF lists each clause once: the dormant ones are in their own section."""
    others = [c for c in clauses if not c["est_dormante"]]
    dormant = len(clauses) - len(others)
    listed = others[:LISTE_PDF_MAX]
    return Section(
        id="clauses",
        titre="Toutes les clauses de l'acheteur",
        onglet="Clauses",
        paragraphes=[
            f"{texte(len(clauses), Type.ENTIER)} clauses, de la plus récente à la plus ancienne"
            + (
                f". Le rapport PDF ne répète pas ici les {texte(dormant, Type.ENTIER)} clauses "
                "dormantes, détaillées plus haut ; le classeur Excel les liste toutes."
                if dormant
                else "."
            )
            + (
                f" Le PDF s'arrête aux {texte(LISTE_PDF_MAX, Type.ENTIER)} plus récentes ; le "
                f"classeur liste les {texte(len(others) - LISTE_PDF_MAX, Type.ENTIER)} autres."
                if len(others) > LISTE_PDF_MAX
                else ""
            )
        ],
        tableau=Tableau(
            [
                Colonne("Marché", largeur=16),
                Colonne("Objet", largeur=40),
                Colonne("Titulaire", largeur=24),
                Colonne("SIRET du titulaire", largeur=16),
                Colonne("Heures prévues", Type.ENTIER),
                Colonne("Notification", Type.DATE),
                Colonne("Fin de la clause", Type.DATE),
                Colonne("Étape atteinte", largeur=28),
                Colonne("Dormante", largeur=10),
            ],
            [
                [
                    _reference(c),
                    c["objet_marche"],
                    c["nom_titulaire"],
                    c["siret_titulaire"],
                    c["heures_parcours"],
                    c["date_notification"],
                    c["date_fin_clause"],
                    c["etape_publique"],
                    "oui" if c["est_dormante"] else "non",
                ]
                for c in clauses
            ],
        ),
        tableau_pdf=Tableau(
            [
                Colonne("Marché et objet", largeur=40),
                Colonne("Titulaire", largeur=20),
                Colonne("Heures prévues", Type.ENTIER, largeur=14),
                Colonne("Notification → fin de la clause", largeur=22),
                Colonne("Étape atteinte", largeur=22),
            ],
            [
                [
                    _marche(c),
                    c["nom_titulaire"],
                    c["heures_parcours"],
                    f"{_d(c['date_notification'])} → {_d(c['date_fin_clause'])}",
                    c["etape_publique"],
                ]
                for c in listed
            ],
        ),
    )


def dormantes(clauses: list[dict]) -> Section:
    """Dormant clauses, the nearest deadline first. The PDF shows the most urgent
    ``LISTE_PDF_MAX``, and the contact once when every clause has the same one."""
    dormant = sorted(
        (c for c in clauses if c["est_dormante"]),
        key=lambda c: (c["date_limite_declaration_offre"], c["clause_id"]),
    )
    roles = {c["contact_mlds"] for c in dormant}
    one_contact = len(roles) == 1 and None not in roles
    paragraphe = (
        "Clauses notifiées depuis au moins six mois, toujours en cours, sans parcours "
        "commencé. Le titulaire doit déclarer son offre de parcours au plus tard six mois "
        "avant la fin de la clause."
    )
    if one_contact:
        paragraphe += f" Contact pour ces clauses : {next(iter(roles))}."
    if len(dormant) > LISTE_PDF_MAX:
        paragraphe += (
            f" Le PDF présente les {texte(LISTE_PDF_MAX, Type.ENTIER)} échéances les plus "
            f"proches ; le classeur liste les {texte(len(dormant) - LISTE_PDF_MAX, Type.ENTIER)} "
            "autres."
        )
    colonnes_pdf = [
        Colonne("Marché et objet", largeur=38),
        Colonne("Titulaire", largeur=18),
        Colonne("Date limite de l'offre", Type.DATE, largeur=13),
        Colonne("Étape atteinte", largeur=20),
    ]
    if not one_contact:
        colonnes_pdf.append(Colonne("Contact", largeur=28))
    return Section(
        id="dormantes",
        titre="Les clauses dormantes et leur échéance",
        onglet="Clauses dormantes",
        paragraphes=[paragraphe if dormant else "Aucune clause dormante."],
        tableau=Tableau(
            [
                Colonne("Marché", largeur=16),
                Colonne("Objet", largeur=40),
                Colonne("Titulaire", largeur=24),
                Colonne("Notification", Type.DATE),
                Colonne("Fin de la clause", Type.DATE),
                Colonne("Date limite de l'offre", Type.DATE),
                Colonne("Date limite dépassée", largeur=10),
                Colonne("Étape atteinte", largeur=28),
                Colonne("Contact", largeur=34),
            ],
            [
                [
                    _reference(c),
                    c["objet_marche"],
                    c["nom_titulaire"],
                    c["date_notification"],
                    c["date_fin_clause"],
                    c["date_limite_declaration_offre"],
                    "oui" if c["est_delai_offre_depasse"] else "non",
                    c["etape_publique"],
                    c["contact_mlds"],
                ]
                for c in dormant
            ],
        )
        if dormant
        else None,
        tableau_pdf=Tableau(
            colonnes_pdf,
            [
                [
                    _marche(c),
                    c["nom_titulaire"],
                    _d(c["date_limite_declaration_offre"])
                    + ("\n(dépassée)" if c["est_delai_offre_depasse"] else ""),
                    c["etape_publique"],
                    *([] if one_contact else [c["contact_mlds"]]),
                ]
                for c in dormant[:LISTE_PDF_MAX]
            ],
        )
        if dormant
        else None,
    )


def calibrage(clauses: list[dict]) -> Section:
    """Clauses whose committed hours do not match their amount band."""
    mismatched = [c for c in clauses if c["est_calibrage_conforme"] is False]
    return Section(
        id="calibrage",
        titre="Calibrage des heures",
        onglet="Calibrage",
        paragraphes=[
            "Le nombre d'heures de parcours d'une clause suit la tranche de montant du marché "
            "(150, 300, 450 ou 900 heures). "
            + (
                f"{texte(len(mismatched), Type.ENTIER)} clause(s) s'en écartent."
                if mismatched
                else "Toutes les clauses dont le montant est connu la respectent."
            )
        ],
        tableau=Tableau(
            [
                Colonne("Marché", largeur=16),
                Colonne("Objet", largeur=40),
                Colonne("Titulaire", largeur=24),
                Colonne("Montant prévisionnel HT", Type.MONTANT, largeur=16),
                Colonne("Heures prévues", Type.ENTIER),
                Colonne("Heures attendues pour ce montant", Type.ENTIER),
            ],
            [
                [
                    _reference(c),
                    c["objet_marche"],
                    c["nom_titulaire"],
                    c["montant_previsionnel_ht"],
                    c["heures_parcours"],
                    c["heures_calibrees"],
                ]
                for c in mismatched
            ],
        )
        if mismatched
        else None,
        tableau_pdf=Tableau(
            [
                Colonne("Marché et objet", largeur=40),
                Colonne("Titulaire", largeur=20),
                Colonne("Montant prévisionnel HT", Type.MONTANT, largeur=16),
                Colonne("Heures prévues", Type.ENTIER, largeur=12),
                Colonne("Heures attendues pour ce montant", Type.ENTIER, largeur=12),
            ],
            [
                [
                    _marche(c),
                    c["nom_titulaire"],
                    c["montant_previsionnel_ht"],
                    c["heures_parcours"],
                    c["heures_calibrees"],
                ]
                for c in mismatched
            ],
        )
        if mismatched
        else None,
    )


def contacts(clauses: list[dict]) -> Section:
    """Whom to call, by role: each académie's MLDS, then the Mission des achats."""
    by_academie: dict[str, list[dict]] = {}
    for c in clauses:
        role = c["contact_mlds"] or "MLDS de l'académie (non renseignée)"
        by_academie.setdefault(role, []).append(c)
    lignes = [
        [role, len(found), sum(1 for c in found if c["est_dormante"])]
        for role, found in sorted(by_academie.items())
    ]
    return Section(
        id="contacts",
        titre="Les contacts",
        onglet="Contacts",
        paragraphes=[
            "Les services à appeler, désignés par leur rôle : la MLDS (mission de lutte contre le "
            "décrochage scolaire) de chaque académie où se déroulent les parcours, qui positionne "
            f"les jeunes, et la {MISSION_DES_ACHATS}, pour la rédaction des clauses."
        ],
        tableau=Tableau(
            [
                Colonne("Service", largeur=40),
                Colonne("Clauses", Type.ENTIER),
                Colonne("Clauses dormantes", Type.ENTIER),
            ],
            lignes,
        ),
    )


def _marches(clauses: list[dict], limit: int = 5) -> str:
    ids = [_reference(c) for c in clauses[:limit]]
    more = len(clauses) - limit
    return "marchés " + ", ".join(ids) + (f" et {more} autre(s)" if more > 0 else "")


def _reference(clause: dict) -> str:
    """How a clause is named to buyers: its contract's id, else the register's clause id."""
    return clause["marche_id"] or clause["clause_id"]


def _marche(clause: dict) -> str:
    return f"{_reference(clause)}\n{clause['objet_marche'] or '–'}"


def _d(value: object) -> str:
    return texte(value, Type.DATE)
