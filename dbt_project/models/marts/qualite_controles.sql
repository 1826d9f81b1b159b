-- The latest Great Expectations result per file, table and suite, for the quality page.
with

checks as (
    select * from {{ ref('stg_ingest__controles') }}
),

ledger as (
    select
        file_sha256,
        file_name
    from {{ ref('stg_ingest__fichiers_recus') }}
),

latest as (
    select *
    from checks
    qualify row_number() over (
        partition by file_sha256, table_name, check_name order by checked_at desc
    ) = 1
),

final as (
    select
        ledger.file_name as fichier,
        latest.table_name as table_brute,
        latest.check_name as controle,
        latest.passed as reussi,
        coalesce(json_array_length(latest.details), 0)::bigint as nb_anomalies,
        latest.checked_at as verifie_le
    from latest
    left join ledger on latest.file_sha256 = ledger.file_sha256
)

select * from final
