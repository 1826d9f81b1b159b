{#- 95 % Wilson score interval for num successes out of den; null when den is 0 or null. -#}
{% macro wilson_bound(num, den, side) -%}
    {%- set z = var('wilson_z') -%}
    {%- set p = '(' ~ num ~ '::double / ' ~ den ~ ')' -%}
    case when {{ den }} > 0 then
        greatest(0.0, least(1.0,
            ({{ p }} + {{ z }} * {{ z }} / (2.0 * {{ den }})
             {{ '-' if side == 'low' else '+' }} {{ z }} * sqrt(
                {{ p }} * (1 - {{ p }}) / {{ den }} + {{ z }} * {{ z }} / (4.0 * {{ den }} * {{ den }})
             ))
            / (1 + {{ z }} * {{ z }} / {{ den }})
        ))
    end
{%- endmacro %}
