-- One row per youth who started a CSF parcours by the observation date, described by their
-- first started parcours (docs/methodologie.md, « Unité de compte »): nb_jeunes_csf counts each
-- youth once, in the year, académie, sector and age band of their entry into the device, so that
-- the categories and the years add up to the total. Outcomes are per parcours
-- (int_jeunes_csf__horizons).
with

parcours as (
    -- Every parcours, whatever its clause or youth (int_parcours__rattachement): they are real
    -- youths, counted on the youth side even when their clause is unknown.
    select * from {{ ref('int_parcours__rattachement') }}
    where is_commence
),

final as (
    select
        jeune_id,
        parcours_id,
        code_academie,
        annee_debut,
        sexe,
        tranche_age,
        secteur
    from parcours
    qualify row_number() over (
        partition by jeune_id order by debut_date asc, parcours_id asc
    ) = 1
)

select * from final
