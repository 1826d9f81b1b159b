with

parcours as (
    select * from {{ source('raw', 'mlds_parcours') }}
),

ledger as (
    select file_sha256, loaded_at from {{ source('ingest', 'file_ledger') }}
),

latest as (
    select parcours.*
    from parcours
    inner join ledger on parcours._file_sha256 = ledger.file_sha256
    qualify row_number() over (
        partition by parcours.id_parcours
        order by ledger.loaded_at desc, parcours._line_number desc
    ) = 1
),

final as (
    select
        id_parcours as parcours_id,
        jeune_id,
        id_clause as clause_id,
        siret_entreprise,
        date_positionnement as positionnement_date,
        date_convention as convention_date,
        date_debut as debut_date,
        date_fin_prevue as fin_prevue_date,
        date_fin_reelle as fin_reelle_date,
        heures_prevues,
        heures_realisees,
        statut,
        motif_interruption
    from latest
)

select * from final
