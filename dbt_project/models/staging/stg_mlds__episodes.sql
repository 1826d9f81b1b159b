-- One row per MLDS episode: a youth's follow-up from one MLDS entry (docs/methodologie.md,
-- « Unité de compte »). A parcours belongs to the episode that contains it
-- (int_parcours__rattachement).
with

historiques as (
    select * from {{ ref('ref_academies_historiques') }}
),

latest as (
    -- A youth may have been followed more than once, possibly in two académies: each MLDS entry
    -- is an episode of its own (the export's key is the INE and the entry date).
    {{ latest_rows('mlds_jeunes', ['raw_rows.jeune_id', 'raw_rows.date_entree_mlds']) }}
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
        -- UAI: 7 characters and a check letter chosen by the first seven modulo 23.
        right(latest.uai_etablissement_origine, 1) = substr(
            'ABCDEFGHJKLMNPRSTUVWXYZ',
            try_cast(left(latest.uai_etablissement_origine, 7) as integer) % 23 + 1,
            1
        ) and length(latest.uai_etablissement_origine) = 8 as is_uai_valide,
        latest.derniere_classe,
        latest.diplome_le_plus_eleve,
        latest.date_reperage as reperage_date,
        latest.source_reperage,
        latest.date_entree_mlds as entree_mlds_date,
        latest.action_mlds,
        latest.date_sortie_mlds as sortie_mlds_date,
        latest.situation_sortie,
        latest._file_sha256 as fichier_sha256
    from latest
    left join historiques on latest.code_academie = historiques.code_historique
)

select * from final
