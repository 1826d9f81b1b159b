-- One row per CSF parcours, for authorised detail views (an académie's own youths): the youth
-- only by pseudonym, sex and age band; month of start, not day; situations at each horizon
-- (null while the horizon has not elapsed). Not for publication as is: releases re-key and
-- generalise it (k-anonymity).
with

parcours as (
    -- Every parcours, whatever its clause or youth; the flags say which are attached to what.
    select * from {{ ref('int_parcours__rattachement') }}
),

clauses as (
    select
        clause_id,
        code_academie,
        siret_acheteur,
        secteur_activite_entreprise
    from {{ ref('stg_csf__clauses') }}
),

horizons as (
    select
        parcours_id,
        max(situation) filter (where horizon = 'sortie' and is_horizon_atteint) as situation_sortie,
        max(situation) filter (where horizon = '3_mois' and is_horizon_atteint) as situation_3m,
        max(situation) filter (where horizon = '6_mois' and is_horizon_atteint) as situation_6m,
        max(situation) filter (where horizon = '12_mois' and is_horizon_atteint) as situation_12m
    from {{ ref('int_jeunes_csf__horizons') }}
    group by parcours_id
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

final as (
    select
        parcours.parcours_id,
        parcours.jeune_id,
        parcours.clause_id,
        parcours.rattachement_clause,
        parcours.rattachement_jeune,
        parcours.code_academie,
        clauses.siret_acheteur,
        parcours.siret_entreprise,
        parcours.secteur,
        parcours.sexe,
        parcours.tranche_age,
        parcours.derniere_classe,
        parcours.annee_entree_mlds,
        parcours.annee_debut,
        date_trunc('month', parcours.debut_date)::date as mois_debut,
        date_trunc('month', parcours.fin_observee_date)::date as mois_fin,
        parcours.heures_prevues,
        parcours.heures_realisees,
        parcours.statut_observe as statut,
        parcours.motif_interruption,
        horizons.situation_sortie,
        horizons.situation_3m,
        horizons.situation_6m,
        horizons.situation_12m,
        observation.observation_date as date_observation
    from parcours
    cross join observation
    left join clauses on parcours.clause_id = clauses.clause_id
    left join horizons on parcours.parcours_id = horizons.parcours_id
    where parcours.is_commence
)

select * from final
