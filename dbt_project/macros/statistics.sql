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

{#- Age band of a youth at MLDS entry (indicators and releases never show the age itself). -#}
{% macro tranche_age(age) -%}
    case
        when {{ age }} is null then null
        when {{ age }} <= 15 then '15 ans et moins'
        when {{ age }} <= 17 then '16-17 ans'
        else '18 ans et plus'
    end
{%- endmacro %}

{#- Situations that count as a positive exit (data-contracts.md: the first six codes). -#}
{% macro situations_positives() -%}
    'retour_formation_initiale', 'apprentissage', 'contrat_professionnalisation',
    'formation_professionnelle', 'emploi', 'service_civique'
{%- endmacro %}

{#- One row per unit and per cell it belongs to: the national cell, one per dimension whose value
    is known, each for the unit's year and for "ensemble". For indicators that are not sums
    (quantiles, standardised rates), where unknown values need no cell of their own.
    `dimensions` maps a niveau to the column holding its code. -#}
{% macro cellules(relation, dimensions, annee) -%}
    {%- set cells = ["{'niveau': 'national', 'code_niveau': 'FR'}"] -%}
    {%- for niveau, column in dimensions.items() -%}
        {%- set _ = cells.append(
            "{'niveau': '" ~ niveau ~ "', 'code_niveau': unites." ~ column ~ "::varchar}"
        ) -%}
    {%- endfor %}
    select
        unites.*,
        cellule.niveau,
        cellule.code_niveau,
        periodes.periode
    from {{ relation }} as unites
    cross join unnest([{{ cells | join(', ') }}]) as cellules (cellule)
    cross join unnest([unites.{{ annee }}::varchar, 'ensemble']) as periodes (periode)
    where cellule.code_niveau is not null and periodes.periode is not null
{%- endmacro %}

{#- The follow-up horizons (MLDS code, indicator suffix, months after the reference date), shared
    by the CSF group and the comparison group. -#}
{% macro horizons_suivi() -%}
    select * from (
        values ('sortie', 'sortie', 0), ('3_mois', '3m', 3), ('6_mois', '6m', 6), ('12_mois', '12m', 12)
    ) as horizons (horizon, suffixe, mois)
{%- endmacro %}

{#- The outcome rates at each horizon and the situations in their numerator (lost from view
    counts a missing observation as lost), for the CSF indicators and the comparison group. -#}
{% macro mesures_resultats() -%}
    select * from (
        values
        ('taux_retour_formation_initiale', ['retour_formation_initiale']),
        ('taux_apprentissage', ['apprentissage']),
        ('taux_contrat_professionnalisation', ['contrat_professionnalisation']),
        ('taux_sortie_positive', [{{ situations_positives() }}]),
        ('taux_perdus_de_vue', ['perdu_de_vue'])
    ) as mesures (mesure, situations)
{%- endmacro %}

{#- Denominator of an outcome rate: horizon elapsed and, except for the lost-from-view rate,
    situation known. -#}
{% macro resultat_denominateur(mesures, unites) -%}
    case
        when {{ mesures }}.mesure = 'taux_perdus_de_vue' then {{ unites }}.is_horizon_atteint
        else
            {{ unites }}.is_horizon_atteint
            and coalesce({{ unites }}.situation, 'perdu_de_vue') != 'perdu_de_vue'
    end
{%- endmacro %}

{#- Numerator of an outcome rate: horizon elapsed and situation among the rate's ones. -#}
{% macro resultat_numerateur(mesures, unites) -%}
    {{ unites }}.is_horizon_atteint
    and list_contains({{ mesures }}.situations, coalesce({{ unites }}.situation, 'perdu_de_vue'))
    and ({{ mesures }}.mesure = 'taux_perdus_de_vue' or {{ unites }}.situation is not null)
{%- endmacro %}

{#- Order of a youth's MLDS entries for a row dated `date`: the latest entry on or before it
    first, else the earliest entry (docs/methodologie.md, « Unité de compte »). One rule for a
    parcours' episode (int_parcours__rattachement) and a file's scope (stg_ingest__fichiers). -#}
{% macro episode_a_la_date(entree, date) -%}
    coalesce({{ entree }} <= {{ date }}, false) desc,
    case when {{ entree }} <= {{ date }} then {{ entree }} end desc nulls last,
    {{ entree }} asc
{%- endmacro %}
