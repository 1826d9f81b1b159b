-- Each loaded file's snapshot scope, and whether it is the current export of that scope.
-- An MLDS export is a full snapshot of its académie and the clause register a full snapshot of
-- the register: the newest export of a scope replaces the others (the ledger keeps them all).
-- DECP files are not snapshots (each upserts contracts by uid): all of them stay current.
with

ledger as (
    select * from {{ source('ingest', 'file_ledger') }}
    where status = 'loaded'
),

historiques as (
    select * from {{ ref('ref_academies_historiques') }}
),

jeunes as (
    select
        raw_rows._file_sha256,
        raw_rows.jeune_id,
        coalesce(historiques.code_academie, raw_rows.code_academie) as code_academie
    from {{ source('raw', 'mlds_jeunes') }} as raw_rows
    left join historiques on raw_rows.code_academie = historiques.code_historique
),

-- Where each youth is followed, to place parcours and follow-up files, which name no académie.
academie_du_jeune as (
    select
        jeune_id,
        mode(code_academie) as code_academie
    from jeunes
    group by jeune_id
),

rows_by_academie as (
    select
        _file_sha256,
        code_academie
    from jeunes
    union all
    select
        raw_rows._file_sha256,
        academie_du_jeune.code_academie
    from {{ source('raw', 'mlds_parcours') }} as raw_rows
    inner join academie_du_jeune on raw_rows.jeune_id = academie_du_jeune.jeune_id
    union all
    select
        raw_rows._file_sha256,
        academie_du_jeune.code_academie
    from {{ source('raw', 'mlds_suivis') }} as raw_rows
    inner join academie_du_jeune on raw_rows.jeune_id = academie_du_jeune.jeune_id
),

file_academie as (
    select
        _file_sha256,
        mode(code_academie) as code_academie
    from rows_by_academie
    group by _file_sha256
),

scoped as (
    select
        ledger.file_sha256,
        ledger.file_name,
        ledger.source,
        ledger.file_modified_at,
        ledger.registered_at,
        case
            when ledger.source = 'decp' then 'decp:' || ledger.file_sha256
            when ledger.source = 'csf_clauses' then 'registre'
            -- A file none of whose youths is known cannot be placed: its own scope.
            else coalesce('academie:' || file_academie.code_academie, 'fichier:' || ledger.file_sha256)
        end as perimetre
    from ledger
    left join file_academie on ledger.file_sha256 = file_academie._file_sha256
),

ranked as (
    select
        *,
        row_number() over (
            partition by source, perimetre
            order by file_modified_at desc nulls last, registered_at desc, file_name desc
        ) as rang_export,
        first_value(file_name) over (
            partition by source, perimetre
            order by file_modified_at desc nulls last, registered_at desc, file_name desc
        ) as fichier_courant
    from scoped
),

final as (
    select
        file_sha256,
        file_name,
        source,
        perimetre,
        registered_at,
        rang_export,
        rang_export = 1 as is_courant,
        case when rang_export > 1 then fichier_courant end as remplace_par
    from ranked
)

select * from final
