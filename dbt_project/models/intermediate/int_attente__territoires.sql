-- The one rule placing a row of the offers-and-waiting marts in a territory, per (académie,
-- département) pair as the sources give it: the académie (its current code, « NR » when
-- unknown), its région académique, and the département when it belongs to that académie
-- (ref_departements), else the académie's « non renseigné » département `<académie>-NR`. A
-- missing département, or one of another académie, is counted there, never dropped, so the
-- départements of an académie always add up to it (docs/methodologie.md).
with

academies as (
    select * from {{ ref('ref_academies') }}
),

departements as (
    select * from {{ ref('ref_departements') }}
),

couples as (
    select
        code_academie,
        departement_parcours as departement
    from {{ ref('stg_csf__clauses') }}
    union
    select
        code_academie,
        departement
    from {{ ref('stg_mlds__episodes') }}
    union
    select
        code_academie,
        departement_episode
    from {{ ref('int_parcours__rattachement') }}
),

final as (
    select
        couples.code_academie as source_academie,
        couples.departement as source_departement,
        coalesce(couples.code_academie, 'NR') as code_academie,
        coalesce(
            departements.code_departement, coalesce(couples.code_academie, 'NR') || '-NR'
        ) as code_departement,
        coalesce(academies.libelle_region_academique, 'NR') as region_academique,
        coalesce(academies.libelle_academie, 'Académie non renseignée') as libelle_academie,
        coalesce(
            departements.libelle_departement,
            'Département non renseigné ('
            || coalesce(academies.libelle_academie, 'académie non renseignée')
            || ')'
        ) as libelle_departement
    from couples
    left join departements
        on
            couples.departement = departements.code_departement
            and couples.code_academie = departements.code_academie
    left join academies on couples.code_academie = academies.code_academie
)

select * from final
