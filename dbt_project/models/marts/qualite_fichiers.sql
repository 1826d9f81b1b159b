-- What was done with each file received: the operator's and the quality page's view.
with

ledger as (
    select * from {{ source('ingest', 'file_ledger') }}
),

files as (
    select * from {{ ref('stg_ingest__fichiers') }}
),

final as (
    select
        ledger.file_name as fichier,
        ledger.file_sha256 as empreinte_sha256,
        coalesce(ledger.source, 'inconnue') as source,
        files.perimetre,
        coalesce(files.is_courant, false) as est_courant,
        files.remplace_par,
        ledger.status as statut,
        ledger.message,
        ledger.encoding as encodage,
        ledger.separator as separateur,
        ledger.schema_version as version_schema,
        coalesce(ledger.is_synthetic, false) as donnees_synthetiques,
        ledger.rows_read as lignes_lues,
        ledger.rows_clean as lignes_propres,
        ledger.rows_quarantined as lignes_en_quarantaine,
        ledger.file_modified_at as enregistre_le,
        ledger.loaded_at as charge_le
    from ledger
    left join files on ledger.file_sha256 = files.file_sha256
)

select * from final
