"""What a research release holds: each table, the mart it comes from, and what disclosure removes.

The queries read the published snapshot, attached as ``snap``, and the microdata tables that
``microdata.prepare`` builds beforehand. The quality tables (files received, quarantine) stay out:
they describe the pipeline's operation, not the device, and name operators' files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.exports.microdata import K_ANONYMITY, MICRODATA


@dataclass(frozen=True)
class ReleasedTable:
    """One released table: a Parquet file and a CSV file of the same rows."""

    name: str
    model: str  # the dbt model its rows and column descriptions come from
    title: str
    treatment: str  # what the release did to the mart, in French
    query: str
    order: tuple[str, ...]  # a total order, so that reruns write the same bytes
    key: tuple[str, ...]
    # Columns the release adds or changes, described here rather than by the mart's docs.
    columns: dict[str, str] = field(default_factory=dict)
    # Columns the release may leave empty although the mart's contract says not null.
    maskable: frozenset[str] = frozenset()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    microdata: bool = False


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

_OFFRES_ATTENTE = """
select
    indicateur, libelle_indicateur, domaine, nature, unite, periode, is_partiel, niveau,
    code_niveau, libelle_niveau, code_parent,
    case when diffusable then valeur end as valeur,
    case when diffusable then ic_bas end as ic_bas,
    case when diffusable then ic_haut end as ic_haut,
    diffusable
from snap.marts.fct_offres_attente
"""

# The numbers of youths and events behind a curve are left out: they add up across territories,
# so a hidden cell's would come back as a total minus the shown ones (the quartiles do not add).
_ATTENTE_DELAIS = """
select
    evenement, niveau, code_niveau, periode,
    case when diffusable then q1 end as q1,
    case when diffusable then mediane end as mediane,
    case when diffusable then q3 end as q3,
    case when diffusable then mediane_ic_bas end as mediane_ic_bas,
    case when diffusable then mediane_ic_haut end as mediane_ic_haut,
    case when diffusable then part_sortis_sans_parcours end as part_sortis_sans_parcours,
    diffusable
from snap.marts.fct_attente_delais
"""

_ATTENTE_COURBES = """
select
    evenement, niveau, code_niveau, periode, semaine,
    case when diffusable then part_en_attente end as part_en_attente,
    diffusable
from snap.marts.fct_attente_courbes
"""

_DIFFUSABLE = (
    "Faux quand le secret statistique masque les valeurs de la ligne (elles sont alors vides). "
    "Les règles sont dans les notes de version ; aucune colonne ne dit laquelle a masqué une "
    "ligne."
)

TABLES: tuple[ReleasedTable, ...] = (
    ReleasedTable(
        name="indicateurs",
        model="indicateurs",
        title="Indicateurs de la clause sociale de formation",
        treatment=(
            "Secret statistique appliqué (primaire puis secondaire, sur l'ensemble des tables "
            "liées) : numérateur, dénominateur, valeur et intervalle sont vides quand diffusable "
            "est faux."
        ),
        query=_INDICATEURS,
        order=("indicateur", "periode", "niveau", "code_niveau"),
        key=("indicateur", "periode", "niveau", "code_niveau"),
        columns={
            "diffusable": _DIFFUSABLE,
            # The mart's description points to the warehouse's seed and design notes.
            "indicateur": (
                "Code de l'indicateur ; sa définition, son unité et ses dimensions sont dans la "
                "table dim_indicateurs (csv/dim_indicateurs.csv)."
            ),
        },
    ),
    ReleasedTable(
        name="dim_indicateurs",
        model="dim_indicateurs",
        title="Définitions des indicateurs",
        treatment="Telle que publiée.",
        query="select * from snap.marts.dim_indicateurs",
        order=("ordre", "indicateur"),
        key=("indicateur",),
    ),
    ReleasedTable(
        name="entonnoir_clauses",
        model="fct_entonnoir_clauses",
        title="Entonnoir des clauses : où le processus s'arrête",
        treatment=(
            "Secret statistique appliqué : les comptages, le taux de conversion et le délai d'une "
            "ligne sont vides quand diffusable est faux. "
        ),
        query=_ENTONNOIR,
        order=("niveau", "code_niveau", "periode", "rang_etape"),
        key=("niveau", "code_niveau", "periode", "rang_etape"),
        columns={
            "diffusable": _DIFFUSABLE,
            "etape": (
                "Code de l'étape ; son libellé est dans libelle_etape, son ordre dans rang_etape."
            ),
        },
    ),
    ReleasedTable(
        name="offres_attente",
        model="fct_offres_attente",
        title="Offres de parcours et jeunes en attente, par mois et territoire",
        treatment=(
            "Secret statistique appliqué aux effectifs de jeunes (et au rapport jeunes par "
            "offre) : valeur et intervalle sont vides quand diffusable est faux ; ils ne sont "
            "publiés que pour les deux dernières années civiles. Les offres sont des données de "
            "la commande publique, jamais masquées."
        ),
        query=_OFFRES_ATTENTE,
        order=("indicateur", "periode", "niveau", "code_niveau"),
        key=("indicateur", "periode", "niveau", "code_niveau"),
        columns={"diffusable": _DIFFUSABLE},
    ),
    ReleasedTable(
        name="attente_delais",
        model="fct_attente_delais",
        title="Délai d'attente d'un positionnement et d'un parcours (quartiles)",
        treatment=(
            "Une courbe sur moins de 20 jeunes n'est pas diffusée : ses quartiles et la part "
            "des jeunes sortis sans parcours sont vides quand diffusable est faux. Les nombres "
            "de jeunes et d'événements ne sont pas diffusés (ils s'additionnent entre "
            "territoires : ceux d'une ligne masquée se retrouveraient par différence)."
        ),
        query=_ATTENTE_DELAIS,
        order=("evenement", "niveau", "code_niveau", "periode"),
        key=("evenement", "niveau", "code_niveau", "periode"),
        columns={"diffusable": _DIFFUSABLE},
    ),
    ReleasedTable(
        name="attente_courbes",
        model="fct_attente_courbes",
        title="Courbes d'attente (part des jeunes encore en attente, semaine par semaine)",
        treatment=(
            "Une courbe sur moins de 20 jeunes n'est pas diffusée : part_en_attente est vide "
            "quand diffusable est faux."
        ),
        query=_ATTENTE_COURBES,
        order=("evenement", "niveau", "code_niveau", "periode", "semaine"),
        key=("evenement", "niveau", "code_niveau", "periode", "semaine"),
        columns={"diffusable": _DIFFUSABLE},
    ),
    ReleasedTable(
        name="clauses",
        model="fct_clauses",
        title="Clauses sociales de formation",
        treatment=(
            "Données de la commande publique (données ouvertes), sans ce qui décrit un jeune : "
            "ni heures réalisées, ni nombre ni date de début des parcours ; l'étape la plus "
            "avancée s'arrête à la dernière étape de la commande publique, « parcours commencé »."
        ),
        query=(
            "select * exclude (nb_parcours_commences, heures_realisees, date_premier_parcours, "
            "rang_etape_publique, etape_publique) replace (rang_etape_publique as "
            "rang_etape_atteinte, etape_publique as etape_atteinte) from snap.marts.fct_clauses"
        ),
        order=("clause_id",),
        key=("clause_id",),
        columns={
            "rang_etape_atteinte": (
                "Rang de l'étape la plus avancée atteinte (voir entonnoir_clauses), au plus celui "
                "de la dernière étape de la commande publique, « parcours commencé » : les étapes "
                "suivantes décrivent le parcours d'un jeune et y sont ramenées."
            ),
            "etape_atteinte": (
                "Libellé de l'étape la plus avancée, au plus « parcours commencé »."
            ),
        },
    ),
    ReleasedTable(
        name="clauses_dormantes",
        model="fct_clauses_dormantes",
        title="Clauses dormantes",
        treatment="Telle que publiée (données de la commande publique).",
        query="select * from snap.marts.fct_clauses_dormantes",
        order=("clause_id",),
        key=("clause_id",),
    ),
    ReleasedTable(
        name="acheteurs",
        model="dim_acheteurs",
        title="Acheteurs publics",
        treatment="Telle que publiée (données de la commande publique).",
        query="select * from snap.marts.dim_acheteurs",
        order=("siret_acheteur",),
        key=("siret_acheteur",),
    ),
    ReleasedTable(
        name="academies",
        model="dim_academies",
        title="Académies et régions académiques",
        treatment="Telle que publiée.",
        query="select * from snap.marts.dim_academies",
        order=("code_academie",),
        key=("code_academie",),
    ),
    *(
        ReleasedTable(
            name=micro.name,
            model=micro.model,
            title=micro.title,
            treatment=(
                "Microdonnées pseudonymes : identifiants recodés pour cette diffusion, tranche "
                "d'âge et mois seulement, k-anonymat (k = "
                f"{K_ANONYMITY}) sur le sexe, la tranche d'âge, l'académie et l'année d'entrée "
                "à la MLDS, obtenu en remplaçant l'académie par sa région académique puis en "
                "retirant les enregistrements encore isolés (voir les notes de version). "
                + micro.withheld_note
            ),
            query=f"select * from {micro.name}",
            order=micro.key,
            key=micro.key,
            columns=micro.columns,
            microdata=True,
        )
        for micro in MICRODATA
    ),
)
