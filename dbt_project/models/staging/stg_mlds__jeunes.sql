with

jeunes as (
    select * from {{ source('raw', 'mlds_jeunes') }}
),

ledger as (
    select file_sha256, loaded_at from {{ source('ingest', 'file_ledger') }}
),

historiques as (
    select * from {{ ref('ref_academies_historiques') }}
),

latest as (
    -- A youth may have been followed more than once: keep the latest MLDS entry.
    select jeunes.*
    from jeunes
    inner join ledger on jeunes._file_sha256 = ledger.file_sha256
    qualify row_number() over (
        partition by jeunes.jeune_id
        order by jeunes.date_entree_mlds desc, ledger.loaded_at desc, jeunes._line_number desc
    ) = 1
),

final as (
    select
        latest.jeune_id,
        latest.annee_naissance,
        latest.age_entree,
        latest.sexe,
        coalesce(historiques.code_academie, latest.code_academie) as code_academie,
        latest.departement,
        latest.uai_etablissement_origine,
        latest.derniere_classe,
        latest.diplome_le_plus_eleve,
        latest.date_reperage as reperage_date,
        latest.source_reperage,
        latest.date_entree_mlds as entree_mlds_date,
        latest.action_mlds,
        latest.date_sortie_mlds as sortie_mlds_date,
        latest.situation_sortie
    from latest
    left join historiques on latest.code_academie = historiques.code_historique
)

select * from final
