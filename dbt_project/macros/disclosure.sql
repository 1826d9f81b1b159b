{#- Primary suppression (indicators.md), the one place it is decided.
    domaine 'jeunes': a count from 1 to 4 is hidden, a rate on fewer than 20 youths is hidden.
    domaine 'achats': procurement is public open data, never hidden. -#}
{% macro is_diffusable(domaine, unite, numerateur, denominateur) -%}
    case
        when {{ domaine }} = 'achats' then true
        when {{ unite }} = 'nombre'
            then not ({{ numerateur }} between 1 and {{ var('seuil_comptage') }} - 1)
        else coalesce({{ denominateur }}, 0) >= {{ var('seuil_denominateur') }}
    end
{%- endmacro %}
