-- Records set aside or flagged, per file and rule: where the exports are dirty, for the quality
-- page and csf status. Two stages: at ingestion, the quarantine (records not loaded, one rule
-- each); in the warehouse, the cross-file rules, which compare rows of different files (perhaps
-- loaded by different runs) and so cannot be decided when a file is read: a parcours whose
-- clause or youth is unknown (int_parcours__rattachement), a follow-up that cannot be placed
-- (int_suivis__rattachement), a youth whose parcours did not load (int_jeunes__rattachement).
-- Nothing leaves the figures without a row here.
with

quarantine as (
    select * from {{ ref('stg_ingest__quarantaine') }}
),

ledger as (
    select
        file_sha256,
        file_name
    from {{ ref('stg_ingest__fichiers_recus') }}
),

parcours as (
    select * from {{ ref('int_parcours__rattachement') }}
),

suivis as (
    select * from {{ ref('int_suivis__rattachement') }}
),

jeunes as (
    select * from {{ ref('int_jeunes__rattachement') }}
),

ingestion as (
    select
        file_name as fichier,
        file_sha256 as empreinte_sha256,
        coalesce(source, 'inconnue') as source,
        'ingestion' as etape,
        rule as regle,
        'quarantaine' as traitement,
        count(*) as lignes
    from quarantine
    group by all
),

-- One row per record and rule it breaks: a parcours may lack both its clause and its youth.
constats as (
    select
        fichier_sha256,
        'mlds_parcours' as source,
        'parcours_' || rattachement_clause as regle,
        -- Counted on the youth side, not attached to any clause.
        'hors_clauses' as traitement
    from parcours
    where not is_clause_connue
    union all
    select
        fichier_sha256,
        'mlds_parcours' as source,
        'parcours_' || rattachement_jeune as regle,
        -- Counted on both sides, the youth's sex and age unknown.
        'signale' as traitement
    from parcours
    where not is_jeune_connu
    union all
    select
        fichier_sha256,
        'mlds_suivis' as source,
        regle_exclusion as regle,
        'exclu' as traitement
    from suivis
    where not is_retenu
    union all
    select
        fichier_sha256,
        'mlds_jeunes' as source,
        'jeune_parcours_non_charge' as regle,
        -- Neither a CSF youth (no parcours to measure) nor a comparison youth.
        'exclu' as traitement
    from jeunes
    where rattachement_parcours = 'parcours_non_charge'
),

rapprochement as (
    select
        ledger.file_name as fichier,
        constats.fichier_sha256 as empreinte_sha256,
        constats.source,
        'rapprochement' as etape,
        constats.regle,
        constats.traitement,
        count(*) as lignes
    from constats
    left join ledger on constats.fichier_sha256 = ledger.file_sha256
    group by all
),

final as (
    select * from ingestion
    union all by name
    select * from rapprochement
)

select
    fichier,
    empreinte_sha256,
    source,
    etape,
    regle,
    traitement,
    lignes
from final
