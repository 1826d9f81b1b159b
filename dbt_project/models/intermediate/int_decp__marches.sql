-- Current state of each DECP contract: its latest publication (stg_decp__marches) with its
-- modifications applied in order to amount, duration and holders, its number of publications,
-- and the check-digit validity of its buyer's and main holder's SIRETs (stg_siret__validite).
with

contracts as (
    select * from {{ ref('stg_decp__marches') }}
),

modifications as (
    select * from {{ ref('stg_decp__modifications') }}
),

publications as (
    select
        uid,
        count(*) as nb_publications
    from {{ ref('stg_decp__publications') }}
    group by all
),

siret as (
    select * from {{ ref('stg_siret__validite') }}
),

-- Current state: each field takes its value from the last modification that set it.
current_state as (
    select
        uid,
        count(*) as nb_modifications,
        arg_max(montant, rang_modification) filter (where montant is not null) as montant,
        arg_max(duree_mois, rang_modification) filter (where duree_mois is not null)
            as duree_mois,
        arg_max(titulaires, rang_modification) filter (where titulaires is not null)
            as titulaires
    from modifications
    group by uid
),

modified as (
    select
        contracts.*,
        coalesce(current_state.duree_mois, contracts.duree_mois_initiale) as duree_mois,
        case
            when current_state.montant > 1 then current_state.montant
            else contracts.montant_initial
        end as montant,
        coalesce(current_state.titulaires, contracts.titulaires_initiaux) as titulaires,
        coalesce(current_state.nb_modifications, 0) as nb_modifications
    from contracts
    left join current_state on contracts.uid = current_state.uid
),

final as (
    select
        modified.uid,
        modified.marche_id,
        modified.siret_acheteur,
        acheteur_siret.is_siret_valide as is_siret_acheteur_valide,
        modified.acheteur_nom,
        modified.nature,
        modified.objet,
        modified.code_cpv_brut,
        modified.code_cpv,
        modified.division_cpv,
        modified.categorie_cpv,
        modified.procedure,
        modified.lieu_execution_code,
        modified.lieu_execution_type,
        modified.duree_mois_brut,
        modified.is_duree_non_communiquee,
        modified.duree_mois_initiale,
        modified.duree_mois,
        modified.date_notification,
        modified.annee_notification,
        modified.date_publication_donnees,
        modified.montant_brut,
        modified.is_montant_fictif,
        modified.montant_initial,
        modified.montant,
        modified.titulaires_initiaux,
        modified.titulaires,
        modified.titulaires[1].id as titulaire_principal_id,
        modified.titulaires[1].type_identifiant as titulaire_principal_type,
        case
            when modified.titulaires[1].type_identifiant = 'SIRET'
                then coalesce(titulaire_siret.is_siret_valide, false)
        end as is_siret_titulaire_valide,
        modified.considerations_sociales,
        modified.a_clause_sociale,
        modified.a_consideration_sociale,
        modified.nb_modifications,
        publications.nb_publications,
        modified.schema_version
    from modified
    left join publications on modified.uid = publications.uid
    left join siret as acheteur_siret on modified.siret_acheteur = acheteur_siret.siret
    left join siret as titulaire_siret on modified.titulaires[1].id = titulaire_siret.siret
)

select * from final
