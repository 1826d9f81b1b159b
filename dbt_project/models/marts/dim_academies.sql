-- One row per académie (current codes), with its région académique and the service buyers
-- call about a clause: the académie's MLDS, named by its role, never by a person.
with

academies as (
    select * from {{ ref('ref_academies') }}
),

final as (
    select
        code_academie,
        libelle_academie,
        libelle_region_academique,
        est_outre_mer,
        -- French elision: "académie d'Amiens", "académie de Lille".
        'MLDS de l''académie '
        || case when regexp_matches(libelle_academie, '^[AEIOUÉ]') then 'd''' else 'de ' end
        || libelle_academie as contact_mlds
    from academies
)

select * from final
