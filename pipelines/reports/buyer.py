"""The report for one public buyer (by SIRET): what to do now, then where it stands.

Everything here is public procurement data (clauses, contracts, holders, amounts). What
describes a youth stays out: a clause's stage stops at "parcours commencé", and its hours done,
number and dates of parcours are not listed (as in the research release's ``clauses``).

Whom to call comes from the contacts file (role mailboxes, ``pipelines.content.contacts``),
never from the exports' contact columns nor from the warehouse's role text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from slugify import slugify
from stdnum.fr import siret as stdnum_siret

from pipelines.content import cells, figures
from pipelines.content.block import Block, Context, Public, View
from pipelines.content.blocks import clauses as blocks
from pipelines.content.contacts import Contact, Contacts
from pipelines.content.display import texte
from pipelines.content.table import Colonne, Tableau, Type
from pipelines.reports import sections
from pipelines.reports.block_sections import section_of
from pipelines.reports.model import Graphique, Rapport, Section
from pipelines.reports.sections import accord, compte
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
URGENTES = 10  # dormant clauses listed on the first page, the most urgent first
CLAUSES_PAR_GROUPE_PDF = 8  # a holder's clauses written in its row of the PDF
NOM_FICHIER_MAX = 60  # characters of the buyer's name in its report's file name
TITRE_A_FAIRE = "À faire maintenant"
TITRE_PAR_TITULAIRE = "Les clauses dormantes, par titulaire"
TITRE_PAR_MLDS = "Les clauses dormantes, par MLDS à contacter"


class UnknownBuyer(ValueError):
    """No buyer of that SIRET in the published snapshot."""


def buyer_report_stem(buyer: dict, periode: str) -> str:
    """The file name, without extension, of a buyer's report:
    ``rapport-acheteur-<name as an ASCII slug>-<SIRET>-<period>``.

    The name lets a reader find a file; the SIRET keeps two buyers of the same name apart. Any
    name is safe: accents and ligatures are transliterated, slashes, dots and emoji dropped, the
    name cut at a word boundary; an empty slug leaves the name out. The dashboard links to the
    files by this function. ``buyer`` is a row of ``dim_acheteurs`` (``nom_acheteur``,
    ``siret_acheteur``)."""
    slug = slugify(buyer.get("nom_acheteur") or "", max_length=NOM_FICHIER_MAX, word_boundary=True)
    identifiant = str(buyer["siret_acheteur"])
    sur = re.sub(r"[^0-9A-Za-z]+", "-", identifiant).strip("-")
    if sur != identifiant:
        # An identifier that is not plain letters and digits (a foreign one, a typo in the
        # DECP): its hash keeps two of them apart once their other characters are dropped.
        sur = "-".join(p for p in (sur, hashlib.sha256(identifiant.encode()).hexdigest()[:8]) if p)
    return "-".join(p for p in ("rapport-acheteur", slug, sur, periode) if p)


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


@dataclass(frozen=True)
class Groupe:
    """Dormant clauses sharing a holder or an MLDS: one call covers them all."""

    cle: str
    clauses: list[dict]  # the most urgent first (see ``urgence``)

    @property
    def echeance(self) -> date | None:
        """The group's nearest offer deadline (the earliest, passed or not)."""
        return self.clauses[0]["date_limite_declaration_offre"]


def urgence(clause: dict) -> tuple:
    """Sort key: clauses past their offer deadline first, then the nearest deadline."""
    deadline = clause["date_limite_declaration_offre"]
    return (
        not clause["est_delai_offre_depasse"],
        deadline is None,
        deadline or date.min,
        clause["clause_id"],
    )


def grouper(dormant: list[dict], cle: Callable[[dict], str]) -> list[Groupe]:
    """Dormant clauses by ``cle(clause)``, each group and its clauses in order of urgency (a
    group with a deadline passed first, then the nearest deadline)."""
    groups: dict[str, list[dict]] = {}
    for clause in sorted(dormant, key=urgence):
        groups.setdefault(cle(clause), []).append(clause)
    return sorted(
        (Groupe(k, v) for k, v in groups.items()), key=lambda g: (urgence(g.clauses[0]), g.cle)
    )


def titulaire(clause: dict) -> str:
    """A holder is its SIRET; its name when the register gives no SIRET."""
    return clause["siret_titulaire"] or clause["nom_titulaire"] or ""


def rapport_acheteur(
    snapshot: SnapshotReader, siret: str, periode: str | None = None, *, contacts: Contacts
) -> Rapport:
    """The report of the buyer ``siret`` for ``periode`` (default: the last complete year);
    ``contacts`` gives the mailboxes it quotes."""
    buyer = acheteur(snapshot, siret)
    periode = sections.verifier_periode(snapshot, periode)
    siret = buyer["siret_acheteur"]
    name = buyer["nom_acheteur"] or f"Acheteur {siret}"
    publication = snapshot.publication
    clauses = snapshot.rows(
        """
        select clauses.*,
            academies.libelle_academie,
            coalesce(dormantes.est_delai_offre_depasse, false) as est_delai_offre_depasse
        from marts.fct_clauses as clauses
        left join marts.dim_academies as academies using (code_academie)
        left join marts.fct_clauses_dormantes as dormantes using (clause_id)
        where clauses.siret_acheteur = ?
        order by clauses.date_notification desc, clauses.clause_id
        """,
        siret,
    )
    mlds = {
        c["code_academie"]: contacts.mlds_de(c["code_academie"], c["libelle_academie"])
        for c in clauses
    }
    return Rapport(
        titre=f"Clause sociale de formation — {name}",
        sous_titre=f"Rapport de l'acheteur public SIRET {siret}, pour la Mission des achats",
        fichier=buyer_report_stem(buyer, periode),
        periode=periode,
        date_observation=publication["date_observation"],
        instantane=publication["snapshot_id"],
        synthetique=bool(publication["donnees_synthetiques"]),
        contact=contacts.service.texte(),
        sections=[
            a_faire(snapshot, buyer, clauses, mlds, contacts),
            dormantes_par_titulaire(clauses, mlds),
            dormantes_par_mlds(clauses, mlds),
            synthese(snapshot, buyer, periode),
            calibrage(clauses),
            liste_clauses(
                blocks.clauses_acheteur(Context(snapshot, Public()), View(acheteur=siret))
            ),
            contacts_section(clauses, mlds, contacts),
            sections.methode(
                snapshot,
                SYNTHESE,
                [
                    "Étape atteinte : au-delà du parcours commencé, l'étape décrit un jeune ; la "
                    "liste des clauses ne la détaille pas.",
                    "Date limite de déclaration de l'offre : six mois avant la fin de la clause.",
                    "Les listes couvrent toutes les clauses de l'acheteur, quelle que soit "
                    "l'année ; la synthèse compare l'année choisie et toutes les années.",
                    "Un titulaire est désigné par son SIRET : deux établissements d'une même "
                    "entreprise forment deux groupes.",
                    "Les contacts sont des boîtes fonctionnelles (fichier de contacts du "
                    "service), jamais le nom d'une personne relevé dans les exports.",
                ],
            ),
        ],
    )


def a_faire(
    snapshot: SnapshotReader,
    buyer: dict,
    clauses: list[dict],
    mlds: dict[str, Contact],
    contacts: Contacts,
) -> Section:
    """The first page: what the buyer should do now, the clauses past their offer deadline
    first, then the nearest deadlines, each with the MLDS to call."""
    dormant = sorted((c for c in clauses if c["est_dormante"]), key=urgence)
    late = [c for c in dormant if c["est_delai_offre_depasse"]]
    upcoming = [c for c in dormant if not c["est_delai_offre_depasse"]]
    mismatched = [c for c in clauses if c["est_calibrage_conforme"] is False]
    holders = len({titulaire(c) for c in dormant})
    puces = []
    if late:
        puces.append(
            f"{compte(len(late), 'clause dormante', 'clauses dormantes')} "
            f"{accord(len(late), 'a', 'ont')} dépassé la date limite de déclaration de l'offre : "
            f"relancez sans attendre {accord(len(late), 'son titulaire', 'leurs titulaires')} et "
            "la MLDS concernée (ci-dessous)."
        )
    if upcoming:
        singulier, pluriel = (
            ("autre clause dormante", "autres clauses dormantes")
            if late
            else ("clause dormante", "clauses dormantes")
        )
        puces.append(
            f"{compte(len(upcoming), singulier, pluriel)} "
            f"{accord(len(upcoming), 'attend', 'attendent')} l'offre de parcours du titulaire, à "
            "déclarer au plus tard six mois avant la fin de la clause ; prochaine échéance le "
            f"{_d(upcoming[0]['date_limite_declaration_offre'])}."
        )
    if dormant:
        puces.append(
            f"{accord(len(dormant), 'Elle concerne', 'Elles concernent')} "
            f"{compte(holders, 'titulaire', 'titulaires')} : elles sont regroupées plus loin "
            "par titulaire, pour un appel à chacun, et par MLDS à contacter."
        )
    if mismatched:
        puces.append(
            f"{compte(len(mismatched), 'clause prévoit', 'clauses prévoient')} un nombre "
            "d'heures qui ne correspond pas à la tranche de montant du marché : à corriger dans "
            "les prochains marchés (voir « Calibrage des heures »)."
        )
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
    puces.append(f"Une question, une aide pour rédiger une clause : {contacts.achats.texte()}.")
    shown = dormant[:URGENTES]
    notes = []
    if len(dormant) > len(shown):
        rest = len(dormant) - len(shown)
        notes.append(
            f"Les {texte(rest, Type.ENTIER)} autres clauses dormantes : voir "
            f"« {TITRE_PAR_TITULAIRE} » et le classeur Excel."
            if rest > 1
            else f"L'autre clause dormante : voir « {TITRE_PAR_TITULAIRE} »."
        )
    colonnes = [
        Colonne("Marché", largeur=16),
        Colonne("Titulaire", largeur=24),
        Colonne("Date limite de l'offre", Type.DATE, largeur=13),
        Colonne("Date limite dépassée", largeur=10),
        Colonne("MLDS à contacter", largeur=30),
        Colonne("Courriel de la MLDS", largeur=30),
    ]
    return Section(
        id="a-faire",
        titre=TITRE_A_FAIRE,
        onglet="À faire",
        puces=puces,
        tableau=Tableau(
            colonnes,
            [
                [
                    _reference(c),
                    c["nom_titulaire"],
                    c["date_limite_declaration_offre"],
                    "oui" if c["est_delai_offre_depasse"] else "non",
                    mlds[c["code_academie"]].nom,
                    mlds[c["code_academie"]].courriel,
                ]
                for c in shown
            ],
        )
        if shown
        else None,
        tableau_pdf=Tableau(
            [
                Colonne("Marché", largeur=16),
                Colonne("Titulaire", largeur=19),
                Colonne("Date limite de l'offre", largeur=21),
                Colonne("MLDS à contacter", largeur=44),
            ],
            [
                [
                    _reference(c),
                    c["nom_titulaire"],
                    _limite(c, "\u00a0"),
                    mlds[c["code_academie"]].texte(),
                ]
                for c in shown
            ],
        )
        if shown
        else None,
        notes=notes,
    )


def dormantes_par_titulaire(clauses: list[dict], mlds: dict[str, Contact]) -> Section:
    """Dormant clauses grouped by holder: one row per holder in the PDF (its count, its nearest
    deadline, its contracts), one row per clause in the workbook with the group's columns (to
    filter and sort by holder). Holders past a deadline first, then the nearest deadline."""
    dormant = [c for c in clauses if c["est_dormante"]]
    groups = grouper(dormant, titulaire)
    size = {g.cle: len(g.clauses) for g in groups}
    first = {g.cle: g.echeance for g in groups}
    paragraphe = (
        "Clauses notifiées depuis au moins six mois, toujours en cours, sans parcours commencé, "
        f"regroupées par titulaire ({compte(len(groups), 'titulaire', 'titulaires')} pour "
        f"{compte(len(dormant), 'clause', 'clauses')}) : le titulaire doit déclarer son offre "
        "de parcours au plus tard six mois avant la fin de la clause. Les titulaires dont une "
        "date limite est dépassée viennent d'abord, puis l'échéance la plus proche."
    )
    if len(groups) > LISTE_PDF_MAX:
        paragraphe += (
            f" Le PDF présente les {texte(LISTE_PDF_MAX, Type.ENTIER)} titulaires les plus "
            f"urgents ; le classeur liste les {texte(len(groups) - LISTE_PDF_MAX, Type.ENTIER)} "
            "autres."
        )
    ordered = [c for g in groups for c in g.clauses]
    return Section(
        id="dormantes-titulaires",
        titre=TITRE_PAR_TITULAIRE,
        onglet="Clauses dormantes",
        paragraphes=[paragraphe if dormant else "Aucune clause dormante."],
        tableau=Tableau(
            [
                Colonne("Titulaire", largeur=24),
                Colonne("SIRET du titulaire", largeur=16),
                Colonne("Clauses dormantes du titulaire", Type.ENTIER),
                Colonne("Première échéance du titulaire", Type.DATE),
                Colonne("Marché", largeur=16),
                Colonne("Objet", largeur=40),
                Colonne("Notification", Type.DATE),
                Colonne("Fin de la clause", Type.DATE),
                Colonne("Date limite de l'offre", Type.DATE),
                Colonne("Date limite dépassée", largeur=10),
                Colonne("Étape atteinte", largeur=28),
                Colonne("Académie", largeur=16),
                Colonne("MLDS à contacter", largeur=34),
                Colonne("Courriel de la MLDS", largeur=30),
                Colonne("Téléphone de la MLDS", largeur=16),
            ],
            [
                [
                    c["nom_titulaire"],
                    c["siret_titulaire"],
                    size[titulaire(c)],
                    first[titulaire(c)],
                    _reference(c),
                    c["objet_marche"],
                    c["date_notification"],
                    c["date_fin_clause"],
                    c["date_limite_declaration_offre"],
                    "oui" if c["est_delai_offre_depasse"] else "non",
                    c["etape_publique"],
                    c["libelle_academie"] or c["code_academie"],
                    mlds[c["code_academie"]].nom,
                    mlds[c["code_academie"]].courriel,
                    mlds[c["code_academie"]].telephone,
                ]
                for c in ordered
            ],
        )
        if dormant
        else None,
        tableau_pdf=Tableau(
            [
                Colonne("Titulaire", largeur=22),
                Colonne("Clauses dormantes", Type.ENTIER, largeur=10),
                Colonne("Première échéance", largeur=12),
                Colonne("Marchés : objet, date limite de l'offre", largeur=56),
            ],
            [
                [
                    _nom_titulaire(g.clauses[0]),
                    len(g.clauses),
                    _limite(g.clauses[0]),
                    _marches_du_groupe(g),
                ]
                for g in groups[:LISTE_PDF_MAX]
            ],
        )
        if dormant
        else None,
    )


def dormantes_par_mlds(clauses: list[dict], mlds: dict[str, Contact]) -> Section:
    """Dormant clauses by the académie where their parcours take place: whom to call for each
    (the MLDS positions the youths), with its count and nearest deadline."""
    dormant = [c for c in clauses if c["est_dormante"]]
    groups = grouper(dormant, lambda c: c["code_academie"] or "")
    lignes, lignes_pdf = [], []
    for g in groups:
        contact = mlds[g.clauses[0]["code_academie"]]
        late = [c for c in g.clauses if c["est_delai_offre_depasse"]]
        holders = len({titulaire(c) for c in g.clauses})
        lignes.append(
            [
                g.clauses[0]["libelle_academie"] or g.cle,
                contact.nom,
                contact.courriel,
                contact.telephone,
                len(g.clauses),
                len(late),
                g.echeance,
                holders,
                ", ".join(_reference(c) for c in late),
            ]
        )
        lignes_pdf.append(
            [
                _coordonnees(contact),
                len(g.clauses),
                len(late),
                _limite(g.clauses[0]),
                holders,
            ]
        )
    return Section(
        id="dormantes-mlds",
        titre=TITRE_PAR_MLDS,
        onglet="Dormantes par MLDS",
        paragraphes=[
            "La MLDS (mission de lutte contre le décrochage scolaire) de l'académie où se "
            "déroulent les parcours positionne les jeunes sur les clauses : voici qui appeler "
            "pour les clauses dormantes de chaque académie, l'académie la plus urgente d'abord."
            if dormant
            else "Aucune clause dormante."
        ],
        tableau=Tableau(
            [
                Colonne("Académie", largeur=16),
                Colonne("MLDS à contacter", largeur=34),
                Colonne("Courriel", largeur=30),
                Colonne("Téléphone", largeur=16),
                Colonne("Clauses dormantes", Type.ENTIER),
                Colonne("dont date limite dépassée", Type.ENTIER),
                Colonne("Première échéance", Type.DATE),
                Colonne("Titulaires", Type.ENTIER),
                Colonne("Marchés à date limite dépassée", largeur=40),
            ],
            lignes,
        )
        if dormant
        else None,
        tableau_pdf=Tableau(
            [
                Colonne("MLDS à contacter", largeur=40),
                Colonne("Clauses dormantes", Type.ENTIER, largeur=12),
                Colonne("dont date limite dépassée", Type.ENTIER, largeur=12),
                Colonne("Première échéance", largeur=14),
                Colonne("Titulaires", Type.ENTIER, largeur=10),
            ],
            lignes_pdf,
        )
        if dormant
        else None,
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
    absents = [
        sections.pourquoi_absent(
            france_all[c]["libelle_indicateur"],
            [
                (f"acheteur, {periode}", mine.get(c)),
                (f"France, {periode}", france.get(c)),
                ("acheteur, toutes années", mine_all.get(c)),
                ("France, toutes années", france_all.get(c)),
            ],
        )
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
            *(note for note in absents if note),
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
                compte(len(mismatched), "clause s'en écarte", "clauses s'en écartent") + "."
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


def liste_clauses(bloc: Block) -> Section:
    """Every clause of the buyer: the dashboard's block (``clauses-acheteur``), whole in the
    workbook; in the PDF, the clauses not already detailed as dormant, in fewer columns."""
    section = section_of(bloc, "Clauses")
    titres = [c.titre for c in bloc.tableau.colonnes]
    col = {t: i for i, t in enumerate(titres)}
    others = [line for line in bloc.tableau.lignes if line[col["Dormante"]] != "oui"]
    dormant = len(bloc.tableau.lignes) - len(others)
    listed = others[:LISTE_PDF_MAX]
    section.titre = "Toutes les clauses de l'acheteur"
    section.paragraphes = [
        f"{texte(len(bloc.tableau.lignes), Type.ENTIER)} clauses, de la plus récente à la plus "
        "ancienne"
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
    ]
    section.tableau_pdf = Tableau(
        [
            Colonne("Marché et objet", largeur=40),
            Colonne("Titulaire", largeur=20),
            Colonne("Heures prévues", Type.ENTIER, largeur=14),
            Colonne("Notification → fin de la clause", largeur=22),
            Colonne("Étape atteinte", largeur=22),
        ],
        [
            [
                "\n".join(
                    str(line[col[t]]) for t in ("Marché", "Objet") if line[col[t]] is not None
                ),
                line[col["Titulaire"]],
                line[col["Heures prévues"]],
                f"{_d(line[col['Notification']])} → {_d(line[col['Fin de la clause']])}",
                line[col["Étape atteinte"]],
            ]
            for line in listed
        ],
    )
    return section


def contacts_section(clauses: list[dict], mlds: dict[str, Contact], contacts: Contacts) -> Section:
    """Whom to write to, by role: the service, the Mission des achats' facilitators, then the
    MLDS of each académie where the buyer's clauses take place (from the contacts file)."""
    lignes: list[list] = [
        ["Questions sur ce rapport et ses données", None, contacts.service, None, None],
        ["Rédaction des clauses, calibrage des heures", None, contacts.achats, None, None],
    ]
    by_academie: dict[str, list[dict]] = {}
    for c in clauses:
        by_academie.setdefault(c["code_academie"], []).append(c)
    for code, found in sorted(
        by_academie.items(), key=lambda kv: kv[1][0]["libelle_academie"] or kv[0] or ""
    ):
        lignes.append(
            [
                "Positionnement des jeunes, activation des clauses",
                found[0]["libelle_academie"] or code,
                mlds[code],
                len(found),
                sum(1 for c in found if c["est_dormante"]),
            ]
        )
    return Section(
        id="contacts",
        titre="Les contacts",
        onglet="Contacts",
        paragraphes=[
            "Les services à écrire, désignés par leur rôle : la MLDS (mission de lutte contre le "
            "décrochage scolaire) de chaque académie où se déroulent les parcours, qui positionne "
            f"les jeunes, et la {MISSION_DES_ACHATS}, pour la rédaction des clauses."
        ],
        tableau=Tableau(
            [
                Colonne("Rôle", largeur=40),
                Colonne("Académie", largeur=16),
                Colonne("Service", largeur=40),
                Colonne("Courriel", largeur=30),
                Colonne("Téléphone", largeur=16),
                Colonne("Clauses", Type.ENTIER),
                Colonne("Clauses dormantes", Type.ENTIER),
            ],
            [
                [role, academie, c.nom, c.courriel, c.telephone, n, dormant]
                for role, academie, c, n, dormant in lignes
            ],
        ),
        tableau_pdf=Tableau(
            [
                Colonne("Rôle", largeur=30),
                Colonne("Service et coordonnées", largeur=46),
                Colonne("Clauses", Type.ENTIER, largeur=10),
                Colonne("Clauses dormantes", Type.ENTIER, largeur=12),
            ],
            [
                # A service that is not an académie's has no clause count: blank, not « – ».
                [role, _coordonnees(c), "", ""]
                if academie is None
                else [f"{role}\n{academie}", _coordonnees(c), n, dormant]
                for role, academie, c, n, dormant in lignes
            ],
        ),
    )


def _reference(clause: dict) -> str:
    """How a clause is named to buyers: its contract's id, else the register's clause id."""
    return clause["marche_id"] or clause["clause_id"]


def _marche(clause: dict) -> str:
    return f"{_reference(clause)}\n{clause['objet_marche'] or '–'}"


def _d(value: object) -> str:
    return texte(value, Type.DATE)


def _limite(clause: dict, separateur: str = "\n") -> str:
    """A clause's offer deadline, said passed when it is."""
    passed = f"{separateur}(dépassée)" if clause["est_delai_offre_depasse"] else ""
    return _d(clause["date_limite_declaration_offre"]) + passed


def _coordonnees(contact: Contact) -> str:
    """A role mailbox on paper: its name, address and phone, one a line."""
    return "\n".join(p for p in (contact.nom, contact.courriel, contact.telephone) if p)


def _nom_titulaire(clause: dict) -> str:
    name = clause["nom_titulaire"] or "Titulaire non renseigné"
    return f"{name}\nSIRET {clause['siret_titulaire']}" if clause["siret_titulaire"] else name


def _marches_du_groupe(groupe: Groupe) -> str:
    """A holder's clauses, one a line, the most urgent first; the rest left to the workbook."""
    lines = [
        f"{_reference(c)} · {c['objet_marche'] or '–'} · "
        f"{_d(c['date_limite_declaration_offre'])}"
        + (" (dépassée)" if c["est_delai_offre_depasse"] else "")
        for c in groupe.clauses[:CLAUSES_PAR_GROUPE_PDF]
    ]
    more = len(groupe.clauses) - CLAUSES_PAR_GROUPE_PDF
    if more > 0:
        lines.append(f"… et {compte(more, 'autre', 'autres')} : voir le classeur Excel")
    return "\n".join(lines)
