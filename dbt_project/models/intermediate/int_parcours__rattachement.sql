-- One row per CSF parcours of the current exports, and the one decision on what it is attached
-- to (docs/methodologie.md, « Parcours et suivis non rattachés »):
--   its clause: known in the register (clause_connue), absent from it (clause_absente),
--   quarantined in it (clause_en_quarantaine), or not given (sans_identifiant_clause);
--   its youth: known in the MLDS youth files (jeune_connu), absent from them (jeune_absent),
--   quarantined in them (jeune_en_quarantaine).
-- Every model that counts parcours reads these flags: the youth side counts every started
-- parcours (they are real youths), the procurement side only those attached to a known clause;
-- the others make the « parcours sans clause connue » line of qualite_rapprochement. A parcours
-- whose youth is unknown counts on both sides, its youth's sex and age « non renseignés ».
with

parcours as (
    select * from {{ ref('stg_mlds__parcours') }}
),

clauses as (
    select clause_id from {{ ref('stg_csf__clauses') }}
),

jeunes as (
    select jeune_id from {{ ref('stg_mlds__jeunes') }}
),

quarantaine as (
    select * from {{ ref('int_quarantaine__cles') }}
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

final as (
    select
        parcours.*,
        case
            when parcours.clause_id is null then 'sans_identifiant_clause'
            when clauses.clause_id is not null then 'clause_connue'
            when clause_en_quarantaine.valeur is not null then 'clause_en_quarantaine'
            else 'clause_absente'
        end as rattachement_clause,
        clauses.clause_id is not null as is_clause_connue,
        clause_en_quarantaine.regle as regle_quarantaine_clause,
        case
            when jeunes.jeune_id is not null then 'jeune_connu'
            when jeune_en_quarantaine.valeur is not null then 'jeune_en_quarantaine'
            else 'jeune_absent'
        end as rattachement_jeune,
        jeunes.jeune_id is not null as is_jeune_connu,
        -- Started at the observation date: what every count of parcours counts.
        coalesce(parcours.debut_date <= observation.observation_date, false) as is_commence
    from parcours
    cross join observation
    left join clauses on parcours.clause_id = clauses.clause_id
    left join jeunes on parcours.jeune_id = jeunes.jeune_id
    left join quarantaine as clause_en_quarantaine
        on
            clause_en_quarantaine.source = 'csf_clauses'
            and clause_en_quarantaine.cle = 'id_clause'
            and parcours.clause_id = clause_en_quarantaine.valeur
    left join quarantaine as jeune_en_quarantaine
        on
            jeune_en_quarantaine.source = 'mlds_jeunes'
            and jeune_en_quarantaine.cle = 'jeune_id'
            and parcours.jeune_id = jeune_en_quarantaine.valeur
)

select * from final
