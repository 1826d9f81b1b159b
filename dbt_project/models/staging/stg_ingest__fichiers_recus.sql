-- The ingestion ledger as the pipeline writes it: one row per distinct file content ever seen in
-- the inbox, loaded or not (stg_ingest__fichiers keeps the loaded ones, with their scope).
with

final as (
    select
        file_sha256,
        file_name,
        file_path,
        size_bytes,
        source,
        status,
        message,
        encoding,
        separator,
        schema_version,
        is_synthetic,
        rows_read,
        rows_clean,
        rows_quarantined,
        extra_columns_dropped,
        extra_columns_dropped_labels,
        registered_at,
        file_modified_at,
        loaded_at,
        run_id
    from {{ source('ingest', 'file_ledger') }}
)

select * from final
