"""Sections both reports share: the funnel, the method notes, and the pieces they are made of."""

from __future__ import annotations

from pipelines.content import formatting as fmt
from pipelines.content.display import texte
from pipelines.content.table import Colonne, Tableau, Type
from pipelines.reports.model import Rapport, Section
from pipelines.warehouse.snapshot import SnapshotReader

CIBLE_CLAUSE_SOCIALE = 0.30  # national target for the share of contracts with a social clause


def periode_par_defaut(snapshot: SnapshotReader) -> str:
    """The last complete calendar year before the observation date (a partial year would compare
    badly with the one before), or the latest year present; a snapshot without any indicator
    (exports with headers only) is reported for the year before its observation date, every
    figure absent."""
    years = snapshot.periods()
    observed = snapshot.publication["date_observation"]
    if not years:
        if observed is None:
            raise ValueError(
                "l'instantané publié ne contient aucun indicateur ni date d'observation"
            )
        return str(observed.year - 1)
    wanted = str(observed.year - 1) if observed else years[-1]
    return wanted if wanted in years else years[-1]


def verifier_periode(snapshot: SnapshotReader, periode: str | None) -> str:
    """The period asked for, checked against the snapshot; the default one when None."""
    if periode is None:
        return periode_par_defaut(snapshot)
    years = snapshot.periods()
    if periode not in years and not (years == [] and periode == periode_par_defaut(snapshot)):
        raise ValueError(
            f"période {periode} absente de l'instantané publié (années disponibles : "
            f"{', '.join(years)})"
        )
    return periode


def methode(snapshot: SnapshotReader, indicateurs: list[str], extra: list[str]) -> Section:
    """Method notes: sources, rules, and the definition of every indicator the report quotes."""
    found = snapshot.rows(
        "select indicateur, libelle_indicateur, definition_indicateur from marts.dim_indicateurs "
        "where list_contains(?, indicateur) order by ordre",
        indicateurs,
    )
    observed = snapshot.publication["date_observation"]
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
            "Secret statistique : une valeur qui permettrait d'approcher la situation d'un jeune "
            f"n'est pas diffusée ; elle s'affiche « {fmt.SECRET} », sans son intervalle, quelle "
            "que soit la règle qui l'a masquée.",
            fmt.LEGENDE_SECRET,
            "Les données de la commande publique (marchés, acheteurs, titulaires, montants) sont "
            "publiques : elles ne sont masquées que lorsqu'elles permettraient de recalculer une "
            "valeur sur des jeunes.",
            *extra,
        ],
        tableau=Tableau(
            [Colonne("Indicateur", largeur=40), Colonne("Définition", largeur=110)],
            [[r["libelle_indicateur"], r["definition_indicateur"]] for r in found],
        ),
    )


def a_propos(rapport: Rapport) -> list[list[str]]:
    """The report's identity, as label/value lines (the workbook's first sheet)."""
    lines = [
        ["Rapport", rapport.titre],
        ["Objet", rapport.sous_titre],
        ["Période", rapport.periode],
        ["Date d'observation des données", texte(rapport.date_observation, Type.DATE)],
        ["Instantané publié", rapport.instantane],
        ["Produit le", texte(rapport.genere_le, Type.DATE)],
    ]
    if rapport.contact:
        lines.append(["Contact", rapport.contact])
    if rapport.synthetique:
        lines.append(["Avertissement", "DONNÉES DE DÉMONSTRATION (synthétiques)"])
    return lines


def identite(rapport: Rapport) -> str:
    """The same identity in one line, under the PDF's title: the first page is for content."""
    return (
        f"Période : {'toutes années' if rapport.periode == 'ensemble' else rapport.periode} · "
        f"données observées au "
        f"{texte(rapport.date_observation, Type.DATE)} · produit le "
        f"{texte(rapport.genere_le, Type.DATE)} · instantané {rapport.instantane}"
    )


def accord(n: int, singulier: str, pluriel: str) -> str:
    """The word agreeing with ``n`` (French: 0 and 1 take the singular)."""
    return singulier if abs(n) < 2 else pluriel


def compte(n: int, singulier: str, pluriel: str) -> str:
    """« 1 clause dormante », « 15 clauses dormantes »: never « clause(s) »."""
    return f"{texte(n, Type.ENTIER)} {accord(n, singulier, pluriel)}"


def pourquoi_absent(libelle: str, cellules: list[tuple[str, dict | None]]) -> str | None:
    """Why an indicator shows « – » in some columns, said from its rows (never guessed): a
    median of the activation delay that the Kaplan-Meier curve has not reached (fewer than half
    the clauses activated by the observation date: the model leaves it null, never
    extrapolated), or an empty base. Hidden cells show the secret mark, explained by its own
    legend; a column without any row is left unexplained (nothing in the data says why). None
    when every value is shown."""
    non_atteinte, vides, bornes = [], [], False
    for colonne, row in cellules:
        if row is None or fmt.est_secret(row) or row["valeur"] is not None:
            continue
        if not row["denominateur"]:
            vides.append(colonne)
        elif str(row.get("indicateur", "")).startswith("delai_activation"):
            unite = "" if non_atteinte else " clauses activées"
            non_atteinte.append(
                f"{colonne} : {texte(row['numerateur'], Type.ENTIER)}{unite} sur "
                f"{texte(row['denominateur'], Type.ENTIER)}"
            )
            bornes = bornes or row.get("ic_bas") is not None
    phrases = []
    if non_atteinte:
        comptes = " ; ".join(non_atteinte)
        phrases.append(
            f"{libelle} « – » : médiane non atteinte, moins de la moitié des clauses ayant été "
            f"activées à la date d'observation ({comptes})."
            + (" Une borne basse d'intervalle est un minimum de la médiane." if bornes else "")
        )
    if vides:
        phrases.append(
            f"{libelle} « – » ({', '.join(vides)}) : base de calcul vide, aucune observation."
        )
    return " ".join(phrases) or None


def _periode(periode: str) -> str:
    return "toutes années confondues" if periode == "ensemble" else f"en {periode}"
