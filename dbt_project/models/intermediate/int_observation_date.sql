-- The one date every censoring rule uses: CSF_OBSERVATION_DATE when set, else the latest event
-- date in the MLDS data (never the wall clock, so a rerun on the same data gives the same figures).
with

events as (
    select max(observation_date) as event_date from {{ ref('stg_mlds__suivis') }}
    union all
    select greatest(max(debut_date), max(fin_reelle_date)) from {{ ref('stg_mlds__parcours') }}
    union all
    select greatest(max(entree_mlds_date), max(sortie_mlds_date)) from {{ ref('stg_mlds__jeunes') }}
),

final as (
    select
        coalesce({{ observation_date_override() }}, max(event_date)) as observation_date,
        {{ observation_date_override() }} is not null as is_set_by_parameter
    from events
)

select * from final
