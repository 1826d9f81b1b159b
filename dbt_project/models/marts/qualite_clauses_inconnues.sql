-- The clauses that parcours name but the register does not hold: absent from it, or quarantined
-- in it (with the register's rule, the first thing to correct). One row per clause identifier,
-- with the MLDS files that name it; no count of parcours or youths (the quality page lists what
-- to correct, it does not describe youths).
with

parcours as (
    select * from {{ ref('int_parcours__rattachement') }}
    where rattachement_clause in ('clause_absente', 'clause_en_quarantaine')
),

quarantaine as (
    select * from {{ ref('int_quarantaine__cles') }}
    where source = 'csf_clauses' and cle = 'id_clause'
),

fichiers as (
    select
        file_sha256,
        file_name
    from {{ ref('stg_ingest__fichiers') }}
),

final as (
    select
        parcours.clause_id,
        any_value(parcours.rattachement_clause) as rattachement_clause,
        any_value(quarantaine.regle) as regle_registre,
        any_value(quarantaine.fichier) as fichier_registre,
        string_agg(distinct fichiers.file_name, ', ' order by fichiers.file_name) as fichiers_parcours
    from parcours
    left join quarantaine on parcours.clause_id = quarantaine.valeur
    left join fichiers on parcours.fichier_sha256 = fichiers.file_sha256
    group by parcours.clause_id
)

select * from final
