"""Sections both reports share: the funnel, the method notes, and the pieces they are made of."""

from __future__ import annotations

from pipelines.presentation import figures
from pipelines.reports import cells
from pipelines.reports.display import texte
from pipelines.reports.model import (
    Colonne,
    Graphique,
    Masque,
    Rapport,
    Section,
    Tableau,
    Type,
)
from pipelines.reports.snapshot import Instantane

ETAPE_FINALE = 9  # "sortie positive à 6 mois": clauses "stopped" there went all the way
CIBLE_CLAUSE_SOCIALE = 0.30  # national target for the share of contracts with a social clause


def periode_par_defaut(instantane: Instantane) -> str:
    """The last complete calendar year before the observation date (a partial year would compare
    badly with the one before), or the latest year present."""
    years = instantane.periodes()
    if not years:
        raise ValueError("l'instantané publié ne contient aucun indicateur")
    observed = instantane.publication["date_observation"]
    wanted = str(observed.year - 1) if observed else years[-1]
    return wanted if wanted in years else years[-1]


def verifier_periode(instantane: Instantane, periode: str | None) -> str:
    """The period asked for, checked against the snapshot; the default one when None."""
    if periode is None:
        return periode_par_defaut(instantane)
    years = instantane.periodes()
    if periode not in years:
        raise ValueError(
            f"période {periode} absente de l'instantané publié (années disponibles : "
            f"{', '.join(years)})"
        )
    return periode


def entonnoir(instantane: Instantane, niveau: str, code: str, periode: str, lieu: str) -> Section:
    """The blocking-point funnel of one cell: counts, conversions, days spent at each stage."""
    rows = instantane.rows(
        "select * from marts.fct_entonnoir_clauses where niveau = ? and code_niveau = ? "
        "and periode = ? order by rang_etape",
        niveau,
        code,
        periode,
    )

    def hidden(row: dict) -> Masque | None:
        if row["diffusable"]:
            return None
        small = 1 <= row["nb_clauses_atteinte"] < cells.SEUIL_COMPTAGE
        return cells.MOINS_DE_5 if small else cells.SECONDAIRE

    lignes = [
        [
            r["libelle_etape"],
            hidden(r) or r["nb_clauses_atteinte"],
            hidden(r) or r["nb_clauses_bloquees"],
            hidden(r) or r["taux_conversion"],
            None if hidden(r) or r["delai_median_jours"] is None else r["delai_median_jours"],
        ]
        for r in rows
    ]
    blocked = max(
        (r for r in rows if r["diffusable"] and r["rang_etape"] < ETAPE_FINALE),
        key=lambda r: r["nb_clauses_bloquees"],
        default=None,
    )
    paragraphes = []
    if rows:
        paragraphes.append(
            f"{texte(rows[0]['nb_clauses_atteinte'], Type.ENTIER)} clauses notifiées "
            f"{_periode(periode)} {lieu} : chaque étape compte les clauses qui l'ont atteinte."
        )
    if blocked:
        paragraphes.append(
            f"Le plus grand nombre de clauses s'arrête à l'étape « {blocked['libelle_etape']} » "
            f"({texte(blocked['nb_clauses_bloquees'], Type.ENTIER)} clauses) : c'est là que le "
            "processus bloque le plus."
        )
    return Section(
        id="entonnoir",
        titre="Où le processus bloque",
        onglet="Entonnoir",
        paragraphes=paragraphes,
        graphique=Graphique(
            figures.barres(
                [r["libelle_etape"] for r in rows],
                [None if hidden(r) else r["nb_clauses_atteinte"] for r in rows],
                [texte(line[1], Type.ENTIER) for line in lignes],
                "Clauses",
                horizontal=True,
            ),
            alternative="Nombre de clauses ayant atteint chaque étape, de la clause rédigée à la "
            "sortie positive à 6 mois : "
            + " ; ".join(f"{line[0]} : {texte(line[1], Type.ENTIER)}" for line in lignes),
            hauteur=300,
        )
        if rows
        else None,
        tableau=Tableau(
            [
                Colonne("Étape", largeur=34),
                Colonne("Clauses ayant atteint l'étape", Type.ENTIER),
                Colonne("Clauses arrêtées à cette étape", Type.ENTIER),
                Colonne("Conversion depuis l'étape précédente", Type.TAUX),
                Colonne("Jours passés à l'étape (médiane)", Type.JOURS),
            ],
            lignes,
        ),
        notes=[
            "Une clause récente peut être « arrêtée » à une étape qu'elle franchira bientôt.",
            "Les deux dernières étapes décrivent des jeunes : un effectif de 1 à 4 est masqué.",
        ],
    )


def methode(instantane: Instantane, indicateurs: list[str], extra: list[str]) -> Section:
    """Method notes: sources, rules, and the definition of every indicator the report quotes."""
    found = instantane.rows(
        "select indicateur, libelle_indicateur, definition_indicateur from marts.dim_indicateurs "
        "where list_contains(?, indicateur) order by ordre",
        indicateurs,
    )
    observed = instantane.publication["date_observation"]
    return Section(
        id="methode",
        titre="Notes de méthode",
        onglet="Méthode",
        paragraphes=[
            "Sources : données essentielles de la commande publique (DECP), registre des clauses "
            "sociales de formation, exports de suivi des missions de lutte contre le décrochage "
            "scolaire (MLDS). Les identifiants des jeunes sont pseudonymisés dès le chargement ; "
            "aucun nom, contact ni date de naissance n'entre dans l'entrepôt.",
            f"Date d'observation : {texte(observed, Type.DATE)}. Les taux sont censurés à droite : "
            "une clause ou un jeune n'entre dans un dénominateur qu'une fois le délai observé "
            "écoulé.",
        ],
        puces=[
            "Chaque taux est accompagné de son intervalle de confiance à 95 % (Wilson).",
            "Le groupe de comparaison réunit des jeunes suivis par la MLDS sans parcours CSF, de "
            "la même académie et de la même année d'entrée, standardisé sur le sexe, la tranche "
            "d'âge et la dernière classe : la différence est un « écart observé », pas un effet.",
            f"Secret statistique : un effectif de 1 à {cells.SEUIL_COMPTAGE - 1} jeunes est "
            f"affiché « < {cells.SEUIL_COMPTAGE} » ; un taux calculé sur moins de "
            f"{cells.SEUIL_DENOMINATEUR} jeunes n'est pas affiché (« n.d. »), ni son intervalle ; "
            "une seconde case est masquée quand une seule le serait dans une ligne ou une "
            "colonne qui a un total.",
            "Les données de la commande publique (marchés, acheteurs, titulaires, montants) sont "
            "publiques : elles ne sont jamais masquées.",
            *extra,
        ],
        tableau=Tableau(
            [Colonne("Indicateur", largeur=40), Colonne("Définition", largeur=110)],
            [[r["libelle_indicateur"], r["definition_indicateur"]] for r in found],
        ),
    )


def a_propos(rapport: Rapport) -> list[list[str]]:
    """The report's identity, as label/value lines (the workbook's first sheet, the PDF's cover)."""
    lines = [
        ["Rapport", rapport.titre],
        ["Objet", rapport.sous_titre],
        ["Période", rapport.periode],
        ["Date d'observation des données", texte(rapport.date_observation, Type.DATE)],
        ["Instantané publié", rapport.instantane],
        ["Produit le", texte(rapport.genere_le, Type.DATE)],
    ]
    if rapport.synthetique:
        lines.append(["Avertissement", "DONNÉES DE DÉMONSTRATION (synthétiques)"])
    return lines


def _periode(periode: str) -> str:
    return "toutes années confondues" if periode == "ensemble" else f"en {periode}"
