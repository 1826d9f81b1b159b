-- One row per youth followed by the MLDS at the observation date: their latest episode entered
-- on or before it (an episode entered later has not happened yet). It describes a youth who had
-- no parcours: the comparison group, and the exit a follow-up without a parcours is placed after.
with

episodes as (
    select * from {{ ref('stg_mlds__episodes') }}
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

final as (
    select episodes.*
    from episodes
    cross join observation
    where episodes.entree_mlds_date <= observation.observation_date
    qualify row_number() over (
        partition by episodes.jeune_id order by episodes.entree_mlds_date desc
    ) = 1
)

select * from final
