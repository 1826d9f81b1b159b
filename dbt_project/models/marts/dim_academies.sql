-- One row per académie (current codes), with its région académique.
with

academies as (
    select * from {{ ref('ref_academies') }}
),

final as (
    select
        code_academie,
        libelle_academie,
        libelle_region_academique,
        est_outre_mer
    from academies
)

select * from final
