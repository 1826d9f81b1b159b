{#- The date censoring rules use: the `observation_date` variable when set (csf run passes
    CSF_OBSERVATION_DATE with --vars), else null (the model that calls this falls back to the latest
    event date in the MLDS data, never the wall clock). -#}
{% macro observation_date_override() -%}
    {%- set value = var('observation_date', '') | string | trim -%}
    {%- if value -%} date '{{ value }}' {%- else -%} null::date {%- endif -%}
{%- endmacro %}
