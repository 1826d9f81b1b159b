-- Every input record that did not reach a raw table, with its file, line and rule, as the
-- readers wrote it (replaced exports included: int_quarantaine__cles keeps current files').
with

final as (
    select
        file_sha256,
        file_name,
        source,
        line_number,
        rule,
        record,
        run_id,
        quarantined_at
    from {{ source('ingest', 'quarantine') }}
)

select * from final
