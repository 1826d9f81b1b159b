-- The comparison group's outcome rates, directly standardised on the CSF group's mix: within a
-- cell, each stratum's comparison rate is weighted by its share of CSF youths. Strata without any
-- comparison youth cannot be standardised: their CSF youths are left out of both sides, and the
-- CSF rate of the difference is recomputed on the parcours kept (the `_csf_compares` rows).
-- The difference is an "écart observé", not an effect: nothing but this mix is adjusted for.
{%- set z = var('wilson_z') %}
{%- set strate = 'code_academie, annee_entree_mlds, sexe, tranche_age, derniere_classe' %}
with

cellules as (
    select * from {{ ref('int_jeunes_comparaison__cellules') }}
),

comparables as (
    select * from cellules
    where n_csf > 0 and n_comparaison > 0
),

par_cellule as (
    select
        indicateur,
        niveau,
        code_niveau,
        periode,
        sum(n_csf) as n_csf,
        sum(x_csf) as x_csf,
        sum(n_comparaison) as n_comparaison,
        sum(x_comparaison) as x_comparaison,
        -- Floating-point sums in a fixed order, so two runs give the same bits.
        sum(n_csf * x_comparaison::double / n_comparaison order by {{ strate }})
        / sum(n_csf) as taux_standardise,
        -- Variance of a weighted sum of independent binomial proportions.
        sum(
            n_csf * n_csf
            * (x_comparaison::double / n_comparaison) * (1 - x_comparaison::double / n_comparaison)
            / n_comparaison
            order by {{ strate }}
        ) / (sum(n_csf) * sum(n_csf)) as variance_standardise
    from comparables
    group by all
),

mesures as (
    select
        *,
        x_csf::double / n_csf as taux_csf,
        x_csf::double / n_csf - taux_standardise as ecart,
        sqrt(variance_standardise) as erreur_standardise,
        sqrt(variance_standardise + (x_csf::double / n_csf) * (1 - x_csf::double / n_csf) / n_csf)
            as erreur_ecart
    from par_cellule
),

final as (
    select
        indicateur || '_comparaison' as indicateur,
        niveau,
        code_niveau,
        periode,
        x_comparaison as numerateur,
        n_comparaison as denominateur,
        taux_standardise as valeur,
        greatest(0.0, taux_standardise - {{ z }} * erreur_standardise) as ic_bas,
        least(1.0, taux_standardise + {{ z }} * erreur_standardise) as ic_haut
    from mesures
    union all
    -- The CSF side of the écart: the same rate on the compared CSF parcours only (strata with
    -- comparison youths). Every output prints it, not the all-parcours rate, beside the écart.
    select
        indicateur || '_csf_compares' as indicateur,
        niveau,
        code_niveau,
        periode,
        x_csf as numerateur,
        n_csf as denominateur,
        taux_csf as valeur,
        {{ wilson_bound('x_csf', 'n_csf', 'low') }} as ic_bas,
        {{ wilson_bound('x_csf', 'n_csf', 'high') }} as ic_haut
    from mesures
    union all
    select
        'ecart_' || indicateur as indicateur,
        niveau,
        code_niveau,
        periode,
        n_csf as numerateur,
        n_comparaison as denominateur,
        ecart as valeur,
        ecart - {{ z }} * erreur_ecart as ic_bas,
        ecart + {{ z }} * erreur_ecart as ic_haut
    from mesures
)

select * from final
