-- The waiting-time curves the dashboard draws: per event (first positioning, first parcours
-- start) and cell, the share of youths oriented to a CSF parcours still waiting after each
-- whole week from their MLDS entry (Kaplan-Meier, macros/kaplan_meier.sql), up to a year. Past
-- the last day any youth of the cell was followed the curve is unknown (null, never drawn
-- flat). Shown under the same rule as the quantiles (fct_attente_delais.diffusable).
with

durees as (
    select * from {{ ref('int_attente__durees') }}
),

courbe as (
    {{ kaplan_meier_courbe('durees', ['evenement', 'niveau', 'code_niveau', 'periode']) }}
),

delais as (
    select * from {{ ref('fct_attente_delais') }}
),

suivi as (
    select
        evenement,
        niveau,
        code_niveau,
        periode,
        max(duree_jours) as suivi_max_jours
    from durees
    group by all
),

grille as (
    select
        suivi.*,
        semaines.semaine,
        semaines.semaine * 7 as jour
    from suivi
    cross join range(0, 53) as semaines (semaine)
),

final as (
    select
        grille.evenement,
        grille.niveau,
        grille.code_niveau,
        grille.periode,
        grille.semaine::integer as semaine,
        case
            when grille.jour <= grille.suivi_max_jours then coalesce(courbe.survie, 1.0)
        end as part_en_attente,
        delais.diffusable
    from grille
    asof left join courbe
        on
            grille.evenement = courbe.evenement
            and grille.niveau = courbe.niveau
            and grille.code_niveau = courbe.code_niveau
            and grille.periode = courbe.periode
            and grille.jour >= courbe.duree_jours
    inner join delais
        on
            grille.evenement = delais.evenement
            and grille.niveau = delais.niveau
            and grille.code_niveau = delais.code_niveau
            and grille.periode = delais.periode
)

select * from final
