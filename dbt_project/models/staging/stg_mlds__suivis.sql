-- One row per follow-up: per youth, parcours and horizon; without a parcours, per date too (a
-- youth with several parcours has one exit per parcours: int_suivis__rattachement places it).
with

latest as (
    {{ latest_rows(
        'mlds_suivis',
        [
            'raw_rows.jeune_id', 'raw_rows.id_parcours', 'raw_rows.horizon',
            'case when raw_rows.id_parcours is null then raw_rows.date_observation end'
        ],
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
