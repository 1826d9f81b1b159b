-- What was done with each file received: the operator's and the quality page's view.
with

ledger as (
    select * from {{ source('ingest', 'file_ledger') }}
),

final as (
    select
        file_name as fichier,
        file_sha256 as empreinte_sha256,
        coalesce(source, 'inconnue') as source,
        status as statut,
        message,
        encoding as encodage,
        separator as separateur,
        schema_version as version_schema,
        coalesce(is_synthetic, false) as donnees_synthetiques,
        rows_read as lignes_lues,
        rows_clean as lignes_propres,
        rows_quarantined as lignes_en_quarantaine,
        loaded_at as charge_le
    from ledger
)

select * from final
