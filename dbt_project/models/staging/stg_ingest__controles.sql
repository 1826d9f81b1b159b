-- Great Expectations results per file batch, raw table and suite, every run's (qualite_controles
-- keeps the latest).
with

final as (
    select
        file_sha256,
        table_name,
        check_name,
        passed,
        details,
        run_id,
        checked_at
    from {{ source('ingest', 'batch_checks') }}
)

select * from final
