-- Each loaded file's snapshot scope, and whether it is the current export of that scope.
-- An MLDS export is a full snapshot of its académie and the clause register a full snapshot of
-- the register: the newest export of a scope replaces the others (the ledger keeps them all).
-- DECP files are not snapshots (each upserts contracts by uid): all of them stay current.
with

ledger as (
    select * from {{ ref('stg_ingest__fichiers_recus') }}
    where status = 'loaded'
),

historiques as (
    select * from {{ ref('ref_academies_historiques') }}
),

jeunes as (
    select
        raw_rows._file_sha256,
        raw_rows.jeune_id,
        raw_rows.date_entree_mlds,
        coalesce(historiques.code_academie, raw_rows.code_academie) as code_academie,
        ledger.file_modified_at,
        ledger.registered_at
    from {{ source('raw', 'mlds_jeunes') }} as raw_rows
    inner join ledger on raw_rows._file_sha256 = ledger.file_sha256
    left join historiques on raw_rows.code_academie = historiques.code_historique
),

-- Where each youth was followed at a date, to place parcours and follow-up files, which name
-- no académie: the académie of the youth's MLDS entry on or before that date (else their first
-- entry), as a parcours belongs to its episode (int_parcours__rattachement). A youth who moved
-- from one académie to another places each file by its own dates, not by a tie between both.
lignes_a_placer as (
    select
        _file_sha256,
        _line_number,
        jeune_id,
        coalesce(date_debut, date_convention, date_positionnement) as date_ligne
    from {{ source('raw', 'mlds_parcours') }}
    union all
    select
        _file_sha256,
        _line_number,
        jeune_id,
        date_observation as date_ligne
    from {{ source('raw', 'mlds_suivis') }}
),

lignes_placees as (
    select
        lignes_a_placer._file_sha256,
        jeunes.code_academie
    from lignes_a_placer
    inner join jeunes on lignes_a_placer.jeune_id = jeunes.jeune_id
    qualify row_number() over (
        partition by lignes_a_placer._file_sha256, lignes_a_placer._line_number
        order by
            {{ episode_a_la_date('jeunes.date_entree_mlds', 'lignes_a_placer.date_ligne') }},
            -- Two entries on one day (two académies' files): the most recently saved file wins,
            -- as in stg_mlds__episodes (latest_rows), then the code, never the row order.
            jeunes.file_modified_at desc nulls last,
            jeunes.registered_at desc,
            jeunes.code_academie asc
    ) = 1
),

rows_by_academie as (
    select
        _file_sha256,
        code_academie
    from jeunes
    union all
    select * from lignes_placees
),

file_academie as (
    -- The académie most of the file's rows are placed in; a tie goes to the smaller code, never
    -- to whichever row came first (mode() would).
    select
        _file_sha256,
        code_academie
    from rows_by_academie
    group by _file_sha256, code_academie
    qualify row_number() over (
        partition by _file_sha256 order by count(*) desc, code_academie asc
    ) = 1
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
