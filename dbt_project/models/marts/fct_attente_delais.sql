-- Waiting time of youths oriented to a CSF parcours (int_attente__delais), per event, cell and
-- entry year: Kaplan-Meier quartiles in days and the share who left the MLDS without a parcours.
-- A curve on fewer than `seuil_denominateur` youths is not shown, as a rate on so few youths
-- (indicators.md); the quantiles are not additive, so no other cell can reveal a hidden one.
with

delais as (
    select * from {{ ref('int_attente__delais') }}
),

final as (
    select
        evenement,
        niveau,
        code_niveau,
        periode,
        nb_jeunes::bigint as nb_jeunes,
        nb_evenements::bigint as nb_evenements,
        q1,
        mediane,
        q3,
        mediane_ic_bas,
        mediane_ic_haut,
        nb_sortis_sans_parcours::double / nb_jeunes as part_sortis_sans_parcours,
        nb_jeunes >= {{ var('seuil_denominateur') }} as diffusable
    from delais
)

select * from final
