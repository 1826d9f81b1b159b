-- Every publication of a DECP contract, as loaded (a contract is often published several times;
-- stg_decp__marches keeps the latest): what int_decp__marches counts its publications from.
with

final as (
    select
        {{ decp_uid() }} as uid,
        raw_rows.date_publication_donnees,
        raw_rows._file_sha256 as fichier_sha256,
        raw_rows._line_number as line_number
    from {{ source('raw', 'decp_marches') }} as raw_rows
)

select * from final
