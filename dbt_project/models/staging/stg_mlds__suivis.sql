with

suivis as (
    select * from {{ source('raw', 'mlds_suivis') }}
),

ledger as (
    select file_sha256, loaded_at from {{ source('ingest', 'file_ledger') }}
),

latest as (
    select suivis.*
    from suivis
    inner join ledger on suivis._file_sha256 = ledger.file_sha256
    qualify row_number() over (
        partition by suivis.jeune_id, suivis.id_parcours, suivis.horizon
        order by suivis.date_observation desc, ledger.loaded_at desc, suivis._line_number desc
    ) = 1
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
