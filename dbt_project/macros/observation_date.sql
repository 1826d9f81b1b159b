{#- The date censoring rules use: CSF_OBSERVATION_DATE when set, else null (the model that calls
    this falls back to the latest event date in the MLDS data, never the wall clock). -#}
{% macro observation_date_override() -%}
    {%- set value = env_var('CSF_OBSERVATION_DATE', '') | trim -%}
    {%- if value -%} date '{{ value }}' {%- else -%} null::date {%- endif -%}
{%- endmacro %}
