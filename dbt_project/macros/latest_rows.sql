{#- Rows of a raw table, one per key, from current files only.
    A file replaced by a newer export of the same scope (stg_ingest__fichiers) contributes
    nothing, so a corrected export replaces the rows of the one before it and never adds to them.
    Among current files (several DECP files, or a youth seen in two académies) the row of the most
    recently saved file wins. Columns are referred to as raw_rows.<column>; `tie_breakers` come first
    (e.g. the latest publication date). -#}
{% macro latest_rows(table_name, partition_by, tie_breakers=[]) -%}
    select raw_rows.*
    from {{ source('raw', table_name) }} as raw_rows
    inner join {{ ref('stg_ingest__fichiers') }} as files
        on raw_rows._file_sha256 = files.file_sha256 and files.is_courant
    inner join {{ source('ingest', 'file_ledger') }} as ledger
        on raw_rows._file_sha256 = ledger.file_sha256
    qualify row_number() over (
        partition by {{ partition_by | join(', ') }}
        order by
    {%- for expression in tie_breakers %} {{ expression }},{% endfor %}
            ledger.file_modified_at desc nulls last,
            ledger.registered_at desc,
            raw_rows._line_number desc
    ) = 1
{%- endmacro %}
