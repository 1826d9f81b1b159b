-- The keys of the records quarantined in current exports: a clause of the register, a youth, a
-- parcours (and the youth it names). The cross-file checks read them to tell a reference to a
-- quarantined record from a reference to one that was never sent. Only current files count
-- (stg_ingest__fichiers): a replaced export's quarantine says nothing of today's data. One row
-- per source, key and value, with the rule and file of its first quarantined record.
with

quarantaine as (
    select * from {{ ref('stg_ingest__quarantaine') }}
),

courants as (
    select file_sha256 from {{ ref('stg_ingest__fichiers') }}
    where is_courant
),

cles as (
    select
        quarantaine.source,
        cle.nom as cle,
        trim(cle.valeur) as valeur,
        quarantaine.rule as regle,
        quarantaine.file_name as fichier,
        quarantaine.file_sha256 as fichier_sha256,
        quarantaine.line_number
    from quarantaine
    semi join courants on quarantaine.file_sha256 = courants.file_sha256
    cross join
        unnest([
            { 'source': 'csf_clauses', 'nom': 'id_clause', 'valeur': quarantaine.record ->> 'id_clause' },
            { 'source': 'mlds_jeunes', 'nom': 'jeune_id', 'valeur': quarantaine.record ->> 'jeune_id' },
            {
                'source': 'mlds_parcours',
                'nom': 'id_parcours',
                'valeur': quarantaine.record ->> 'id_parcours'
            },
            { 'source': 'mlds_parcours', 'nom': 'jeune_id', 'valeur': quarantaine.record ->> 'jeune_id' }
        ]) as cles (cle)
    where quarantaine.source = cle.source
),

final as (
    select
        source,
        cle,
        valeur,
        regle,
        fichier,
        fichier_sha256
    from cles
    where valeur is not null and valeur != ''
    qualify row_number() over (
        partition by source, cle, valeur order by fichier, line_number
    ) = 1
)

select * from final
