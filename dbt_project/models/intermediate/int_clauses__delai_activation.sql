-- Days from notification to the first parcours start, per cell: Kaplan-Meier quartiles, with
-- clauses not yet activated censored at the observation date (a clause notified last month is
-- not a slow one yet). The median carries a 95 % Brookmeyer-Crowley interval (Greenwood variance,
-- linear scale). A quantile the curve never reaches is null: "not reached", never a guess.
{%- set z = var('wilson_z') %}
with

durees as (
    select * from {{ ref('int_clauses__delais_cellules') }}
),

par_jour as (
    select
        niveau,
        code_niveau,
        periode,
        duree_jours,
        count(*) filter (where is_evenement) as evenements,
        count(*) as sorties
    from durees
    group by all
),

a_risque as (
    select
        *,
        -- Clauses still at risk on that day: every clause whose time is that day or later.
        sum(sorties) over (
            partition by niveau, code_niveau, periode
            order by duree_jours desc
            rows between unbounded preceding and current row
        ) as a_risque
    from par_jour
),

courbe as (
    select
        *,
        -- Product-limit estimate; a day on which every clause at risk is activated ends at 0.
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
        partition by niveau, code_niveau, periode
        order by duree_jours
        rows between unbounded preceding and current row
    )
),

quantiles as (
    select
        niveau,
        code_niveau,
        periode,
        sum(evenements) as nb_activees,
        sum(sorties) as nb_clauses,
        -- A quantile is the first day the curve is at or below its level. The product is taken
        -- in floating point (exp of a sum of logs), so a curve landing exactly on ½ may come out
        -- as 0.5000000000000001: compare with a tolerance of 1e-9. It is far above the rounding
        -- error (about 1e-16 per factor, times at most 10^5 factors: 1e-11) and far below any
        -- gap between a level and a value the curve can take near it in practice; the
        -- independent exact computation in tests/indicateurs_reference.py (fractions) checks it.
        min(duree_jours) filter (where evenements > 0 and survie <= 0.75 + 1e-9) as q1,
        min(duree_jours) filter (where evenements > 0 and survie <= 0.5 + 1e-9) as mediane,
        min(duree_jours) filter (where evenements > 0 and survie <= 0.25 + 1e-9) as q3,
        -- Where the curve drops to 0 (every clause still at risk activated that day) Greenwood's
        -- term is undefined but multiplied by a survival of 0: the band closes on that day.
        min(duree_jours) filter (
            where evenements > 0 and survie <= 0.5 + {{ z }} * survie * sqrt(coalesce(greenwood, 0))
        ) as mediane_ic_bas,
        min(duree_jours) filter (
            where evenements > 0 and survie < 0.5 - {{ z }} * survie * sqrt(coalesce(greenwood, 0))
        ) as mediane_ic_haut
    from courbe
    group by all
),

final as (
    select
        indicateurs.indicateur,
        quantiles.niveau,
        quantiles.code_niveau,
        quantiles.periode,
        quantiles.nb_activees as numerateur,
        quantiles.nb_clauses as denominateur,
        indicateurs.valeur::double as valeur,
        indicateurs.ic_bas::double as ic_bas,
        indicateurs.ic_haut::double as ic_haut
    from quantiles
    cross join unnest([
        {
            'indicateur': 'delai_activation_jours', 'valeur': quantiles.mediane,
            'ic_bas': quantiles.mediane_ic_bas, 'ic_haut': quantiles.mediane_ic_haut
        },
        {
            'indicateur': 'delai_activation_jours_q1', 'valeur': quantiles.q1, 'ic_bas': null, 'ic_haut': null
        },
        { 'indicateur': 'delai_activation_jours_q3', 'valeur': quantiles.q3, 'ic_bas': null, 'ic_haut': null }
    ]) as lignes (indicateurs)
)

select * from final
