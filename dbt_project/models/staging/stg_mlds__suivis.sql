with

latest as (
    {{ latest_rows('mlds_suivis', ['rows.jeune_id', 'rows.id_parcours', 'rows.horizon'], tie_breakers=['rows.date_observation desc']) }}
),

final as (
    select
        jeune_id,
        id_parcours as parcours_id,
        date_observation as observation_date,
        horizon,
        situation
    from latest
)

select * from final
