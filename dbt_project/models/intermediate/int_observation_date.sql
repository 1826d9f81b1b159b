-- The one date every censoring rule uses: CSF_OBSERVATION_DATE when set, else the latest event
-- date in the MLDS data (never the wall clock, so a rerun on the same data gives the same figures).
-- An inbox without any MLDS event (the procurement side sent first, or exports with headers only)
-- still publishes: the latest event of the clause register, else the day the latest file was
-- received (a recorded date, so a rerun still gives the same figures).
with

mlds_events as (
    select max(observation_date) as event_date from {{ ref('stg_mlds__suivis') }}
    union all
    select greatest(max(debut_date), max(fin_reelle_date)) from {{ ref('stg_mlds__parcours') }}
    union all
    select greatest(max(entree_mlds_date), max(sortie_mlds_date)) from {{ ref('stg_mlds__jeunes') }}
),

register_events as (
    select
        greatest(
            max(notification_date), max(transmission_mlds_date), max(declaration_offre_date)
        ) as event_date
    from {{ ref('stg_csf__clauses') }}
),

receipts as (
    select max(registered_at)::date as received_date from {{ ref('stg_ingest__fichiers') }}
),

final as (
    select
        coalesce(
            {{ observation_date_override() }},
            (select max(event_date) from mlds_events),
            (
                select least(register_events.event_date, receipts.received_date)
                from register_events, receipts
            ),
            (select received_date from receipts)
        ) as observation_date,
        {{ observation_date_override() }} is not null as is_set_by_parameter
)

select * from final
