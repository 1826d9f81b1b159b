with

latest as (
    {{ latest_rows(
        'mlds_suivis',
        ['raw_rows.jeune_id', 'raw_rows.id_parcours', 'raw_rows.horizon'],
        tie_breakers=['raw_rows.date_observation desc']
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
