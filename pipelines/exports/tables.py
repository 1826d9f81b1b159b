"""What a research release holds: each table, the mart it comes from, and what disclosure removes.

The queries read the published snapshot, attached as ``snap``, and the microdata tables that
``microdata.prepare`` builds beforehand. The quality tables (files received, quarantine) stay out:
they describe the pipeline's operation, not the device, and name operators' files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.content.labels import ETAPE_PUBLIQUE_MAX
from pipelines.exports.microdata import K_ANONYMAT, MICRODONNEES


@dataclass(frozen=True)
class TableDiffusee:
    """One released table: a Parquet file and a CSV file of the same rows."""

    nom: str
    modele: str  # the dbt model its rows and column descriptions come from
    titre: str
    traitement: str  # what the release did to the mart, in French
    requete: str
    ordre: tuple[str, ...]  # a total order, so that reruns write the same bytes
    cle: tuple[str, ...]
    # Columns the release adds or changes, described here rather than by the mart's docs.
    colonnes: dict[str, str] = field(default_factory=dict)
    # Columns the release may leave empty although the mart's contract says not null.
    masquables: frozenset[str] = frozenset()
    valeurs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    microdonnees: bool = False


_ETAPE_PUBLIQUE = (
    "(select any_value(libelle_etape) from snap.marts.fct_entonnoir_clauses "
    f"where rang_etape = {ETAPE_PUBLIQUE_MAX})"
)

# A hidden cell's figures are empty; a shown rate keeps its numerator (it is the rate times its
# denominator anyway: blanking it would protect nothing and mislead). Nothing says why a cell
# is hidden: that difference alone would let a total minus the shown cells pin both.
_INDICATEURS = """
select
    indicateur, libelle_indicateur, domaine, unite, periode, niveau, code_niveau, libelle_niveau,
    case when diffusable then numerateur end as numerateur,
    case when diffusable then denominateur end as denominateur,
    case when diffusable then valeur end as valeur,
    case when diffusable then ic_bas end as ic_bas,
    case when diffusable then ic_haut end as ic_haut,
    diffusable,
    date_observation
from snap.marts.indicateurs
"""

_ENTONNOIR = """
select
    niveau, code_niveau, libelle_niveau, periode, rang_etape, etape, libelle_etape, domaine,
    case when diffusable then nb_clauses_atteinte end as nb_clauses_atteinte,
    case when diffusable then nb_clauses_bloquees end as nb_clauses_bloquees,
    case when diffusable then taux_conversion end as taux_conversion,
    case when diffusable then delai_median_jours end as delai_median_jours,
    case when diffusable then nb_delais end as nb_delais,
    diffusable,
    date_observation
from snap.marts.fct_entonnoir_clauses
"""

_DIFFUSABLE = (
    "Faux quand le secret statistique masque les valeurs de la ligne (elles sont alors vides). "
    "Les règles sont dans les notes de version ; aucune colonne ne dit laquelle a masqué une "
    "ligne."
)

TABLES: tuple[TableDiffusee, ...] = (
    TableDiffusee(
        nom="indicateurs",
        modele="indicateurs",
        titre="Indicateurs de la clause sociale de formation",
        traitement=(
            "Secret statistique appliqué (primaire puis secondaire, sur l'ensemble des tables "
            "liées) : numérateur, dénominateur, valeur et intervalle sont vides quand diffusable "
            "est faux."
        ),
        requete=_INDICATEURS,
        ordre=("indicateur", "periode", "niveau", "code_niveau"),
        cle=("indicateur", "periode", "niveau", "code_niveau"),
        colonnes={"diffusable": _DIFFUSABLE},
    ),
    TableDiffusee(
        nom="dim_indicateurs",
        modele="dim_indicateurs",
        titre="Définitions des indicateurs",
        traitement="Telle que publiée.",
        requete="select * from snap.marts.dim_indicateurs",
        ordre=("ordre", "indicateur"),
        cle=("indicateur",),
    ),
    TableDiffusee(
        nom="entonnoir_clauses",
        modele="fct_entonnoir_clauses",
        titre="Entonnoir des clauses : où le processus s'arrête",
        traitement=(
            "Secret statistique appliqué : les comptages, le taux de conversion et le délai d'une "
            "ligne sont vides quand diffusable est faux. "
        ),
        requete=_ENTONNOIR,
        ordre=("niveau", "code_niveau", "periode", "rang_etape"),
        cle=("niveau", "code_niveau", "periode", "rang_etape"),
        colonnes={"diffusable": _DIFFUSABLE},
    ),
    TableDiffusee(
        nom="clauses",
        modele="fct_clauses",
        titre="Clauses sociales de formation",
        traitement=(
            "Données de la commande publique (données ouvertes), sans ce qui décrit un jeune : "
            "ni heures réalisées, ni nombre ni date de début des parcours ; l'étape la plus "
            f"avancée s'arrête à « parcours commencé » (rang {ETAPE_PUBLIQUE_MAX})."
        ),
        requete=(
            "select * exclude (nb_parcours_commences, heures_realisees, date_premier_parcours) "
            f"replace (least(rang_etape_atteinte, {ETAPE_PUBLIQUE_MAX})::integer "
            "as rang_etape_atteinte, "
            f"case when rang_etape_atteinte > {ETAPE_PUBLIQUE_MAX} then {_ETAPE_PUBLIQUE} "
            "else etape_atteinte end as etape_atteinte) from snap.marts.fct_clauses"
        ),
        ordre=("clause_id",),
        cle=("clause_id",),
        colonnes={
            "rang_etape_atteinte": (
                f"Rang de l'étape la plus avancée atteinte, de 1 à {ETAPE_PUBLIQUE_MAX} (voir "
                "entonnoir_clauses) : les étapes suivantes décrivent le parcours d'un jeune et "
                f"sont ramenées au rang {ETAPE_PUBLIQUE_MAX}, « parcours commencé »."
            ),
            "etape_atteinte": (
                "Libellé de l'étape la plus avancée, au plus « parcours commencé »."
            ),
        },
    ),
    TableDiffusee(
        nom="clauses_dormantes",
        modele="fct_clauses_dormantes",
        titre="Clauses dormantes",
        traitement="Telle que publiée (données de la commande publique).",
        requete="select * from snap.marts.fct_clauses_dormantes",
        ordre=("clause_id",),
        cle=("clause_id",),
    ),
    TableDiffusee(
        nom="acheteurs",
        modele="dim_acheteurs",
        titre="Acheteurs publics",
        traitement="Telle que publiée (données de la commande publique).",
        requete="select * from snap.marts.dim_acheteurs",
        ordre=("siret_acheteur",),
        cle=("siret_acheteur",),
    ),
    TableDiffusee(
        nom="academies",
        modele="dim_academies",
        titre="Académies et régions académiques",
        traitement="Telle que publiée.",
        requete="select * from snap.marts.dim_academies",
        ordre=("code_academie",),
        cle=("code_academie",),
    ),
    *(
        TableDiffusee(
            nom=micro.nom,
            modele=micro.modele,
            titre=micro.titre,
            traitement=(
                "Microdonnées pseudonymes : identifiants recodés pour cette diffusion, tranche "
                "d'âge et mois seulement, k-anonymat (k = "
                f"{K_ANONYMAT}) sur le sexe, la tranche d'âge, l'académie et l'année d'entrée "
                "à la MLDS, obtenu en remplaçant l'académie par sa région académique puis en "
                "retirant les enregistrements encore isolés (voir les notes de version). "
                + micro.retrait
            ),
            requete=f"select * from {micro.nom}",
            ordre=micro.cle,
            cle=micro.cle,
            colonnes=micro.colonnes,
            microdonnees=True,
        )
        for micro in MICRODONNEES
    ),
)
