-- The comparison group: one row per MLDS youth who never had a CSF parcours and per follow-up
-- horizon (exit, 3, 6, 12 months after leaving the MLDS), censored at the observation date like
-- the CSF group, whose horizons run from the end of the parcours.
with

jeunes as (
    -- Each youth's latest episode entered by the observation date.
    select * from {{ ref('int_jeunes__episode_observe') }}
),

-- Youths without any CSF parcours, loaded or shown by the exports (int_jeunes__rattachement).
comparables as (
    select jeune_id from {{ ref('int_jeunes__rattachement') }}
    where is_comparable
),

suivis as (
    -- Follow-ups the cross-file rules leave out (a comparison youth's must fall in the window of
    -- their MLDS exit) or dated after the observation date are not used (int_suivis__rattachement).
    select * from {{ ref('int_suivis__rattachement') }}
    where is_utilisable
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

horizons as (
    {{ horizons_suivi() }}
),

comparaison as (
    select jeunes.*
    from jeunes
    semi join comparables on jeunes.jeune_id = comparables.jeune_id
),

observed as (
    select
        suivis.jeune_id,
        suivis.horizon,
        suivis.situation
    from suivis
    semi join comparaison on suivis.jeune_id = comparaison.jeune_id
    qualify row_number() over (
        partition by suivis.jeune_id, suivis.horizon order by suivis.observation_date desc
    ) = 1
),

final as (
    select
        comparaison.jeune_id,
        comparaison.code_academie,
        year(comparaison.entree_mlds_date) as annee_entree_mlds,
        comparaison.sexe,
        {{ tranche_age('comparaison.age_entree') }} as tranche_age,
        comparaison.derniere_classe,
        horizons.horizon,
        horizons.suffixe,
        coalesce(
            (comparaison.sortie_mlds_date + to_months(horizons.mois))::date
            <= observation.observation_date,
            false
        ) as is_horizon_atteint,
        -- The exit situation may be recorded on the youth rather than as a follow-up (an exit
        -- after the observation date has not happened: its horizon is not reached).
        coalesce(
            observed.situation,
            case when horizons.horizon = 'sortie' then comparaison.situation_sortie end
        ) as situation
    from comparaison
    cross join horizons
    cross join observation
    left join observed
        on comparaison.jeune_id = observed.jeune_id and horizons.horizon = observed.horizon
)

select * from final
