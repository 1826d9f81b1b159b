{#- DECP helpers. v2 wraps list items ({"titulaire": {...}}, {"modification": {...}}), v1.5 does
    not: each helper reads both shapes. -#}

{#- The national key: v1.5 sometimes publishes it, otherwise buyer SIRET + contract id. -#}
{% macro decp_uid(relation='raw_rows') -%}
    coalesce({{ relation }}.uid_publie, {{ relation }}.acheteur_id || {{ relation }}.id)
{%- endmacro %}

{#- A holders JSON array as a list of structs (type, id, name), or null when absent. -#}
{% macro decp_titulaires(json_column) -%}
    list_transform(
        json_extract({{ json_column }}, '$[*]'),
        lambda t: {
            'type_identifiant': coalesce(t->>'$.titulaire.typeIdentifiant', t->>'$.typeIdentifiant'),
            'id': trim(coalesce(t->>'$.titulaire.id', t->>'$.id')),
            'denomination': coalesce(t->>'$.titulaire.denominationSociale', t->>'$.denominationSociale')
        }
    )
{%- endmacro %}

{#- CPV without its check digit and with its leading zero back: '45316110-9' -> '45316110',
    '9310000' -> '09310000'; null when the text holds no 7- or 8-digit code. -#}
{% macro cpv_normalise(column) -%}
    lpad(nullif(regexp_extract({{ column }}, '^\s*(\d{7,8})(-\d)?\s*$', 1), ''), 8, '0')
{%- endmacro %}

{#- Procurement category of a CPV division: 45 works, 01-44 and 48 supplies, 50-98 services. -#}
{% macro cpv_categorie(division) -%}
    case
        when {{ division }} = '45' then 'travaux'
        when {{ division }} between '01' and '44' or {{ division }} = '48' then 'fournitures'
        when {{ division }} between '50' and '98' then 'services'
    end
{%- endmacro %}
