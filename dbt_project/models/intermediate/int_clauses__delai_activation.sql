-- Days from notification to the first parcours start, per cell: Kaplan-Meier quartiles, with
-- clauses not yet activated censored at the observation date (a clause notified last month is
-- not a slow one yet). The median carries a 95 % Brookmeyer-Crowley interval (Greenwood variance,
-- linear scale). A quantile the curve never reaches is null: "not reached", never a guess
-- (macros/kaplan_meier.sql).
with

durees as (
    select * from {{ ref('int_clauses__delais_cellules') }}
),

quantiles as (
    {{ kaplan_meier_quantiles('durees', ['niveau', 'code_niveau', 'periode']) }}
),

final as (
    select
        indicateurs.indicateur,
        quantiles.niveau,
        quantiles.code_niveau,
        quantiles.periode,
        quantiles.nb_evenements as numerateur,
        quantiles.nb_unites as denominateur,
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
