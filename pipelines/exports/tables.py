"""What a research release holds: each table, the mart it comes from, and what disclosure removes.

The queries read the published snapshot, attached as ``snap``, and the microdata tables that
``microdata.prepare`` builds beforehand. The quality tables (files received, quarantine) stay out:
they describe the pipeline's operation, not the device, and name operators' files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.exports.microdata import K_ANONYMAT, MICRODONNEES
from pipelines.presentation.labels import ETAPE_PUBLIQUE_MAX
from pipelines.reports.cells import SEUIL_COMPTAGE, SEUIL_DENOMINATEUR

# Why a value is null in an aggregate table (column motif_secret); null when nothing is hidden.
MOTIFS_SECRET = {
    "effectif_1_a_4": f"effectif de 1 à {SEUIL_COMPTAGE - 1} jeunes (ou clauses d'une étape "
    "« jeunes »)",
    "denominateur_inferieur_a_20": f"taux calculé sur moins de {SEUIL_DENOMINATEUR} jeunes (ou "
    f"moins de {SEUIL_DENOMINATEUR} clauses à l'étape précédente)",
    "groupe_inferieur_a_20": f"écart entre deux groupes dont l'un compte moins de "
    f"{SEUIL_DENOMINATEUR} jeunes",
    "etape_suivante_masquee": "l'étape suivante est masquée : le nombre de clauses arrêtées à "
    "celle-ci la révélerait par différence",
    "etape_precedente_masquee": "l'étape précédente est masquée : le taux de conversion la "
    "révélerait par division",
    "secondaire": "secret secondaire : masqué pour qu'une autre valeur masquée ne puisse être "
    "recalculée par différence avec un total",
    "numerateur_1_a_4": f"numérateur de 1 à {SEUIL_COMPTAGE - 1} jeunes d'un taux diffusé : le "
    "taux et son dénominateur restent, le comptage est retiré",
}

_MOTIF = (
    "Pourquoi une valeur de la ligne est vide : "
    + " ; ".join(f"{code} ({texte})" for code, texte in MOTIFS_SECRET.items())
    + ". Vide quand rien n'est masqué."
)


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

_INDICATEURS = f"""
with lignes as (
    select
        *,
        domaine = 'jeunes' and unite = 'taux'
            and numerateur between 1 and {SEUIL_COMPTAGE - 1} as is_numerateur_masque
    from snap.marts.indicateurs
)
select
    indicateur, libelle_indicateur, domaine, unite, periode, niveau, code_niveau, libelle_niveau,
    case when diffusable and not is_numerateur_masque then numerateur end as numerateur,
    case when diffusable then denominateur end as denominateur,
    case when diffusable then valeur end as valeur,
    case when diffusable then ic_bas end as ic_bas,
    case when diffusable then ic_haut end as ic_haut,
    diffusable,
    case
        when diffusable and is_numerateur_masque then 'numerateur_1_a_4'
        when diffusable then null
        when unite = 'nombre' and numerateur between 1 and {SEUIL_COMPTAGE - 1}
            then 'effectif_1_a_4'
        when unite = 'ecart'
            and least(coalesce(numerateur, 0), coalesce(denominateur, 0)) < {SEUIL_DENOMINATEUR}
            then 'groupe_inferieur_a_20'
        when unite not in ('nombre', 'ecart') and coalesce(denominateur, 0) < {SEUIL_DENOMINATEUR}
            then 'denominateur_inferieur_a_20'
        else 'secondaire'
    end as motif_secret,
    date_observation
from lignes
"""

_ENTONNOIR = f"""
with lignes as (
    select
        *,
        lag(nb_clauses_atteinte) over etapes as nb_etape_precedente,
        lead(diffusable) over etapes as is_suivante_diffusable,
        lag(diffusable) over etapes as is_precedente_diffusable
    from snap.marts.fct_entonnoir_clauses
    window etapes as (partition by niveau, code_niveau, periode order by rang_etape)
)
select
    niveau, code_niveau, libelle_niveau, periode, rang_etape, etape, libelle_etape, domaine,
    case when diffusable then nb_clauses_atteinte end as nb_clauses_atteinte,
    case when diffusable then nb_clauses_bloquees end as nb_clauses_bloquees,
    case when diffusable then taux_conversion end as taux_conversion,
    case when diffusable then delai_median_jours end as delai_median_jours,
    case when diffusable then nb_delais end as nb_delais,
    diffusable,
    case
        when diffusable then null
        when domaine = 'jeunes' and (
            nb_clauses_atteinte between 1 and {SEUIL_COMPTAGE - 1}
            or nb_clauses_bloquees between 1 and {SEUIL_COMPTAGE - 1}
            or nb_delais between 1 and {SEUIL_COMPTAGE - 1}
        ) then 'effectif_1_a_4'
        when domaine = 'jeunes' and coalesce(nb_etape_precedente, 0) < {SEUIL_DENOMINATEUR}
            then 'denominateur_inferieur_a_20'
        when not coalesce(is_suivante_diffusable, true) then 'etape_suivante_masquee'
        when domaine = 'jeunes' and not coalesce(is_precedente_diffusable, true)
            then 'etape_precedente_masquee'
        else 'secondaire'
    end as motif_secret,
    date_observation
from lignes
"""

_DIFFUSABLE = (
    "Faux quand le secret statistique masque les valeurs de la ligne (elles sont alors vides, "
    "voir motif_secret)."
)

TABLES: tuple[TableDiffusee, ...] = (
    TableDiffusee(
        nom="indicateurs",
        modele="indicateurs",
        titre="Indicateurs de la clause sociale de formation",
        traitement=(
            "Secret statistique appliqué (primaire puis secondaire) : numérateur, dénominateur, "
            "valeur et intervalle sont vides quand diffusable est faux ; le numérateur de 1 à "
            f"{SEUIL_COMPTAGE - 1} jeunes d'un taux diffusé est retiré. "
        ),
        requete=_INDICATEURS,
        ordre=("indicateur", "periode", "niveau", "code_niveau"),
        cle=("indicateur", "periode", "niveau", "code_niveau"),
        colonnes={"diffusable": _DIFFUSABLE, "motif_secret": _MOTIF},
        valeurs={"motif_secret": tuple(MOTIFS_SECRET)},
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
        colonnes={"diffusable": _DIFFUSABLE, "motif_secret": _MOTIF},
        valeurs={"motif_secret": tuple(MOTIFS_SECRET)},
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
