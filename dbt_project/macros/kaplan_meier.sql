{#- Kaplan-Meier product-limit curve of `relation` (one row per unit: `duree_jours`, and
    `is_evenement`, false when the unit is censored at that day), per `partition` (a list of
    columns): one row per partition and distinct day, with the units at risk, the events and
    censorings that day, the survival after it and Greenwood's sum. -#}
{% macro kaplan_meier_courbe(relation, partition) -%}
    {%- set cles = partition | join(', ') -%}
    with

    par_jour as (
        select
            {{ cles }},
            duree_jours,
            count(*) filter (where is_evenement) as evenements,
            count(*) as sorties
        from {{ relation }}
        group by all
    ),

    a_risque as (
        select
            *,
            -- Units still at risk on that day: every unit whose time is that day or later.
            sum(sorties) over (
                partition by {{ cles }}
                order by duree_jours desc
                rows between unbounded preceding and current row
            ) as a_risque
        from par_jour
    )

    select
        *,
        -- Product-limit estimate; a day on which every unit at risk has its event ends at 0.
        case
            when bool_or(evenements = a_risque) over cumul then 0.0
            else exp(sum(ln(1 - evenements::double / a_risque)) over cumul)
        end as survie,
        sum(
            case
                when evenements < a_risque
                    then evenements::double / (a_risque * (a_risque - evenements))
            end
        ) over cumul as greenwood
    from a_risque
    window cumul as (
        partition by {{ cles }}
        order by duree_jours
        rows between unbounded preceding and current row
    )
{%- endmacro %}

{#- Quartiles of the Kaplan-Meier curve of `relation` per `partition` (docs/methodologie.md, the
    exact-quantile rule): the first day the curve is at or below the level; null when the curve
    never gets there (« non atteint », never extrapolated). The median carries a 95 %
    Brookmeyer-Crowley interval (Greenwood variance, linear scale). Also the units and events. -#}
{% macro kaplan_meier_quantiles(relation, partition) -%}
    {%- set z = var('wilson_z') -%}
    with courbe as (
        {{ kaplan_meier_courbe(relation, partition) }}
    )

    select
        {{ partition | join(', ') }},
        sum(evenements) as nb_evenements,
        sum(sorties) as nb_unites,
        -- The product is taken in floating point (exp of a sum of logs), so a curve landing
        -- exactly on ½ may come out as 0.5000000000000001: compare with a tolerance of 1e-9. It
        -- is far above the rounding error (about 1e-16 per factor, times at most 10^5 factors:
        -- 1e-11) and far below any gap between a level and a value the curve can take near it
        -- in practice; the independent exact computation in tests/indicateurs_reference.py
        -- (fractions) checks it.
        min(duree_jours) filter (where evenements > 0 and survie <= 0.75 + 1e-9) as q1,
        min(duree_jours) filter (where evenements > 0 and survie <= 0.5 + 1e-9) as mediane,
        min(duree_jours) filter (where evenements > 0 and survie <= 0.25 + 1e-9) as q3,
        -- Where the curve drops to 0 (every unit still at risk has its event that day)
        -- Greenwood's term is undefined but multiplied by a survival of 0: the band closes there.
        min(duree_jours) filter (
            where evenements > 0 and survie <= 0.5 + {{ z }} * survie * sqrt(coalesce(greenwood, 0))
        ) as mediane_ic_bas,
        min(duree_jours) filter (
            where evenements > 0 and survie < 0.5 - {{ z }} * survie * sqrt(coalesce(greenwood, 0))
        ) as mediane_ic_haut
    from courbe
    group by all
{%- endmacro %}
