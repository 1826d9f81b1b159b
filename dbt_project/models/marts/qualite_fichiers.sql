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
        status as statut,
        message,
        encoding as encodage,
        separator as separateur,
        schema_version as version_schema,
        coalesce(is_synthetic, false) as donnees_synthetiques,
        rows_read as lignes_lues,
        rows_clean as lignes_propres,
        rows_quarantined as lignes_en_quarantaine,
        ledger.file_modified_at as enregistre_le,
        ledger.loaded_at as charge_le
    from ledger
    left join files on ledger.file_sha256 = files.file_sha256
)

select * from final
