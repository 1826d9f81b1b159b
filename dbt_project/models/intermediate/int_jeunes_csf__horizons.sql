-- One row per started CSF parcours and per follow-up horizon (exit, 3, 6, 12 months after its
-- end): whether the horizon has elapsed at the observation date, and the situation observed then
-- (docs/methodologie.md: the unit of outcomes is the parcours; a youth with two parcours counts
-- for each, from each one's own end).
with

parcours as (
    select * from {{ ref('int_parcours__rattachement') }}
    where is_commence
),

suivis as (
    -- Follow-ups attached to a parcours and dated by the observation date
    -- (int_suivis__rattachement: the one decision on which parcours a follow-up describes).
    select * from {{ ref('int_suivis__rattachement') }}
    where is_utilisable and parcours_rattache_id is not null
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

horizons as (
    {{ horizons_suivi() }}
),

observed as (
    -- A follow-up naming the parcours wins over one placed by its window, then the latest.
    select
        suivis.parcours_rattache_id as parcours_id,
        suivis.horizon,
        suivis.situation
    from suivis
    qualify row_number() over (
        partition by suivis.parcours_rattache_id, suivis.horizon
        order by (suivis.parcours_id is null), suivis.observation_date desc
    ) = 1
),

final as (
    select
        parcours.jeune_id,
        parcours.parcours_id,
        parcours.code_academie,
        parcours.annee_debut,
        parcours.sexe,
        parcours.tranche_age,
        parcours.derniere_classe,
        parcours.annee_entree_mlds,
        parcours.secteur,
        horizons.horizon,
        horizons.suffixe,
        -- Censoring: horizon h counts only once h months have elapsed since the parcours ended
        -- (an end after the observation date is no end yet: fin_observee_date is then null).
        coalesce(
            (parcours.fin_observee_date + to_months(horizons.mois))::date
            <= observation.observation_date,
            false
        ) as is_horizon_atteint,
        observed.situation
    from parcours
    cross join horizons
    cross join observation
    left join observed
        on parcours.parcours_id = observed.parcours_id and horizons.horizon = observed.horizon
)

select * from final
