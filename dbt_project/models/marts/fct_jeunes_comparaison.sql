-- One row per youth of the comparison group (MLDS youths who never had a CSF parcours), for
-- research releases: the youth only by pseudonym, sex and age band; months, never days; the
-- situation at each horizon (null while the horizon has not elapsed). Not for publication as is:
-- releases re-key and generalise it (k-anonymity).
with

horizons as (
    select * from {{ ref('int_jeunes_comparaison__horizons') }}
),

jeunes as (
    select
        jeune_id,
        date_trunc('month', entree_mlds_date)::date as mois_entree_mlds,
        date_trunc('month', sortie_mlds_date)::date as mois_sortie_mlds,
        action_mlds
    from {{ ref('stg_mlds__jeunes') }}
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

par_jeune as (
    select
        jeune_id,
        any_value(code_academie) as code_academie,
        any_value(sexe) as sexe,
        any_value(tranche_age) as tranche_age,
        any_value(derniere_classe) as derniere_classe,
        any_value(annee_entree_mlds) as annee_entree_mlds,
        max(situation) filter (where horizon = 'sortie' and is_horizon_atteint) as situation_sortie,
        max(situation) filter (where horizon = '3_mois' and is_horizon_atteint) as situation_3m,
        max(situation) filter (where horizon = '6_mois' and is_horizon_atteint) as situation_6m,
        max(situation) filter (where horizon = '12_mois' and is_horizon_atteint) as situation_12m
    from horizons
    group by jeune_id
),

final as (
    select
        par_jeune.jeune_id,
        par_jeune.code_academie,
        par_jeune.sexe,
        par_jeune.tranche_age,
        par_jeune.derniere_classe,
        par_jeune.annee_entree_mlds,
        jeunes.mois_entree_mlds,
        jeunes.mois_sortie_mlds,
        jeunes.action_mlds,
        par_jeune.situation_sortie,
        par_jeune.situation_3m,
        par_jeune.situation_6m,
        par_jeune.situation_12m,
        observation.observation_date as date_observation
    from par_jeune
    cross join observation
    left join jeunes on par_jeune.jeune_id = jeunes.jeune_id
)

select * from final
