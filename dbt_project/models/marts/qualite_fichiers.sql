-- What was done with each file received: the operator's and the quality page's view.
with

ledger as (
    select * from {{ ref('stg_ingest__fichiers_recus') }}
),

files as (
    select * from {{ ref('stg_ingest__fichiers') }}
),

-- Per file, the records the cross-file rules flag (qualite_regles, stage « rapprochement »):
-- left out of the indicators, or counted but flagged (a parcours without a known clause counts
-- on the youth side only; one whose youth is unknown, with its sex and age unknown).
constats as (
    select
        fichier_sha256,
        0 as exclues,
        count(*) as signalees
    from {{ ref('int_parcours__rattachement') }}
    where not is_clause_connue or not is_jeune_connu
    group by fichier_sha256
    union all
    select
        fichier_sha256,
        count(*) as exclues,
        0 as signalees
    from {{ ref('int_suivis__rattachement') }}
    where not is_retenu
    group by fichier_sha256
    union all
    select
        fichier_sha256,
        count(*) as exclues,
        0 as signalees
    from {{ ref('int_jeunes__rattachement') }}
    where rattachement_parcours = 'parcours_non_charge'
    group by fichier_sha256
),

par_fichier as (
    select
        fichier_sha256,
        sum(exclues) as exclues,
        sum(signalees) as signalees
    from constats
    group by fichier_sha256
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
        case
            when ledger.status = 'loaded' then coalesce(par_fichier.exclues, 0)
        end::bigint as lignes_exclues,
        case
            when ledger.status = 'loaded' then coalesce(par_fichier.signalees, 0)
        end::bigint as lignes_signalees,
        ledger.file_modified_at as enregistre_le,
        ledger.loaded_at as charge_le
    from ledger
    left join files on ledger.file_sha256 = files.file_sha256
    left join par_fichier on ledger.file_sha256 = par_fichier.fichier_sha256
)

select * from final
