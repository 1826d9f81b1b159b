-- One row per follow-up: per youth, parcours, horizon and date. Every dated observation is kept:
-- a youth with several parcours has one exit per parcours (int_suivis__rattachement places one
-- without a parcours), and a situation recorded twice for one horizon keeps both dates, so that
-- a computation at a past observation date reads the one observed by then
-- (int_jeunes_csf__horizons takes the latest on or before it).
with

latest as (
    {{ latest_rows(
        'mlds_suivis',
        ['raw_rows.jeune_id', 'raw_rows.id_parcours', 'raw_rows.horizon', 'raw_rows.date_observation']
    ) }}
),

final as (
    select
        jeune_id,
        id_parcours as parcours_id,
        date_observation as observation_date,
        horizon,
        situation,
        _file_sha256 as fichier_sha256
    from latest
)

select * from final
