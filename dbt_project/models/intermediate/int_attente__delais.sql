-- Waiting time of the youths oriented to a CSF parcours, from their MLDS entry to their first
-- positioning and to their first parcours start, per cell (national, région académique,
-- académie; entry year and « ensemble »): Kaplan-Meier quartiles (macros/kaplan_meier.sql). A
-- youth who has not reached the event is censored at their MLDS exit or at the observation date:
-- the curve answers « how long does a youth still followed wait ». Leaving the MLDS first is a
-- competing outcome, so the share of youths who left without a parcours is given beside it.
with

cellules as (
    select * from {{ ref('int_attente__durees') }}
),

quantiles as (
    {{ kaplan_meier_quantiles('cellules', ['evenement', 'niveau', 'code_niveau', 'periode']) }}
),

sorties as (
    select
        niveau,
        code_niveau,
        periode,
        count(*) filter (where is_sorti_sans_parcours) as nb_sortis_sans_parcours,
        count(*) as nb_jeunes
    from cellules
    where evenement = 'debut_parcours'
    group by all
),

final as (
    select
        quantiles.evenement,
        quantiles.niveau,
        quantiles.code_niveau,
        quantiles.periode,
        quantiles.nb_unites as nb_jeunes,
        quantiles.nb_evenements,
        quantiles.q1,
        quantiles.mediane,
        quantiles.q3,
        quantiles.mediane_ic_bas,
        quantiles.mediane_ic_haut,
        sorties.nb_sortis_sans_parcours
    from quantiles
    inner join sorties
        on
            quantiles.niveau = sorties.niveau
            and quantiles.code_niveau = sorties.code_niveau
            and quantiles.periode = sorties.periode
)

select * from final
