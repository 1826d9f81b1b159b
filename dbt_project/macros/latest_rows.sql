{#- Rows of a raw table, one per key: the row from the latest-loaded file wins, so an export sent
    again never double counts. Columns are referred to as rows.<column>; `tie_breakers` come
    before the load order (e.g. the latest publication date). -#}
{% macro latest_rows(table_name, partition_by, tie_breakers=[]) -%}
    select rows.*
    from {{ source('raw', table_name) }} as rows
    inner join {{ source('ingest', 'file_ledger') }} as ledger
        on rows._file_sha256 = ledger.file_sha256
    qualify row_number() over (
        partition by {{ partition_by | join(', ') }}
        order by
            {%- for expression in tie_breakers %} {{ expression }},{% endfor %}
            ledger.loaded_at desc,
            rows._line_number desc
    ) = 1
{%- endmacro %}
