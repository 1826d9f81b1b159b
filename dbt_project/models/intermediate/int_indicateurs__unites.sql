-- Every indicator as units (a clause, a youth, a parcours) flagged in its numerator and
-- denominator, with a weight (1, or hours for the hours ratio), so the mart computes all of them
-- with one aggregation and one disclosure rule.
with

clauses as (
    select * from {{ ref('int_clauses__activation') }}
),

jeunes as (
    select * from {{ ref('int_jeunes_csf__resultats') }}
),

horizons as (
    select
        *,
        is_horizon_atteint and situation is not null and situation != 'perdu_de_vue'
            as is_situation_connue
    from {{ ref('int_jeunes_csf__horizons') }}
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

parcours as (
    select
        parcours.parcours_id,
        parcours.statut,
        year(parcours.debut_date) as annee_debut,
        coalesce(jeunes.code_academie, clauses.code_academie) as code_academie
    from {{ ref('stg_mlds__parcours') }} as parcours
    cross join observation
    left join {{ ref('stg_mlds__jeunes') }} as jeunes on parcours.jeune_id = jeunes.jeune_id
    left join clauses on parcours.clause_id = clauses.clause_id
    where parcours.debut_date <= observation.observation_date
),

units as (
    select
        'nb_clauses_csf' as indicateur,
        clause_id as unite_id,
        annee_notification as annee,
        code_academie,
        true as is_numerateur,
        null::boolean as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur
    from clauses
    union all
    select
        'taux_activation_6m', clause_id, annee_notification, code_academie,
        is_due_6m and is_activated_6m, is_due_6m, 1, 1
    from clauses
    union all
    select
        'taux_activation', clause_id, annee_notification, code_academie,
        is_clause_terminee and is_activated, is_clause_terminee, 1, 1
    from clauses
    union all
    select
        'conformite_calibrage', clause_id, annee_notification, code_academie,
        is_calibrage_conforme, is_calibrage_conforme is not null, 1, 1
    from clauses
    union all
    select
        'taux_realisation_heures', clause_id, annee_notification, code_academie,
        is_clause_terminee, is_clause_terminee and heures_parcours > 0,
        heures_realisees, heures_parcours
    from clauses
    union all
    select 'nb_jeunes_csf', jeune_id, annee_debut, code_academie, true, null, 1, 1
    from jeunes
    union all
    select 'nb_parcours', parcours_id, annee_debut, code_academie, true, null, 1, 1
    from parcours
    union all
    select
        'taux_achevement', parcours_id, annee_debut, code_academie,
        statut = 'termine', statut in ('termine', 'interrompu'), 1, 1
    from parcours
    union all
    select
        'taux_retour_formation_initiale_' || suffixe, jeune_id, annee_debut, code_academie,
        is_situation_connue and situation = 'retour_formation_initiale', is_situation_connue, 1, 1
    from horizons
    union all
    select
        'taux_apprentissage_' || suffixe, jeune_id, annee_debut, code_academie,
        is_situation_connue and situation = 'apprentissage', is_situation_connue, 1, 1
    from horizons
    union all
    select
        'taux_contrat_professionnalisation_' || suffixe, jeune_id, annee_debut, code_academie,
        is_situation_connue and situation = 'contrat_professionnalisation',
        is_situation_connue, 1, 1
    from horizons
    union all
    select
        'taux_sortie_positive_' || suffixe, jeune_id, annee_debut, code_academie,
        is_situation_connue and situation in (
            'retour_formation_initiale', 'apprentissage', 'contrat_professionnalisation',
            'formation_professionnelle', 'emploi', 'service_civique'
        ),
        is_situation_connue, 1, 1
    from horizons
    union all
    select
        'taux_perdus_de_vue_' || suffixe, jeune_id, annee_debut, code_academie,
        is_horizon_atteint and coalesce(situation, 'perdu_de_vue') = 'perdu_de_vue',
        is_horizon_atteint, 1, 1
    from horizons
),

final as (
    select * from units
)

select * from final
