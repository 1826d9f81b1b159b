-- Quarantined records per file and rule: where the exports are dirty, for the quality page.
with

quarantine as (
    select * from {{ source('ingest', 'quarantine') }}
),

final as (
    select
        file_name as fichier,
        coalesce(source, 'inconnue') as source,
        rule as regle,
        count(*) as lignes
    from quarantine
    group by all
)

select * from final
