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
-- It also decides, once, what describes the parcours (« Unité de compte »): its MLDS episode (the
-- youth's latest entry on or before its start, else their first), hence its académie (else the
-- clause's), age band, last class and MLDS entry year; and what had happened by the observation
-- date (a hard cut-off): started, ended (an end after it is not an end yet), its status then.
with

parcours as (
    select * from {{ ref('stg_mlds__parcours') }}
),

clauses as (
    -- The register at the observation date: a clause notified later does not exist yet, so a
    -- parcours naming it is attached to no known clause (« clause absente »), as in every
    -- indicator (int_clauses__activation.is_notifiee).
    select
        clauses.clause_id,
        clauses.code_academie,
        clauses.secteur_activite_entreprise
    from {{ ref('stg_csf__clauses') }} as clauses
    cross join {{ ref('int_observation_date') }} as observation
    where clauses.notification_date <= observation.observation_date
),

jeunes as (
    select
        jeune_id,
        sexe
    from {{ ref('stg_mlds__jeunes') }}
),

episodes as (
    -- Episodes that exist at the observation date (one entered later has not happened yet).
    select episodes.*
    from {{ ref('stg_mlds__episodes') }} as episodes
    cross join {{ ref('int_observation_date') }} as observation
    where episodes.entree_mlds_date <= observation.observation_date
),

episode_du_parcours as (
    -- The episode containing the parcours: the latest entered on or before its start (its
    -- agreement or positioning when it has not started), else the youth's first one.
    select
        parcours.parcours_id,
        episodes.code_academie,
        episodes.age_entree,
        episodes.derniere_classe,
        episodes.departement,
        episodes.entree_mlds_date
    from {{ ref('stg_mlds__parcours') }} as parcours
    inner join episodes on parcours.jeune_id = episodes.jeune_id
    qualify row_number() over (
        partition by parcours.parcours_id
        order by
            {{ episode_a_la_date(
                'episodes.entree_mlds_date',
                'coalesce(parcours.debut_date, parcours.convention_date, parcours.positionnement_date)'
            ) }}
    ) = 1
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
        coalesce(parcours.debut_date <= observation.observation_date, false) as is_commence,
        -- Ended at the observation date, the one definition every model reads: started, a
        -- real end on or before it (a later end has not happened yet), and an ended status (an
        -- export saying « en cours » beside an end date is not taken as ended).
        case
            when
                parcours.debut_date <= observation.observation_date
                and parcours.fin_reelle_date <= observation.observation_date
                and parcours.statut in ('termine', 'interrompu')
                then parcours.fin_reelle_date
        end as fin_observee_date,
        -- The status at the observation date, whatever the export says of later events: a
        -- parcours that ends after it was in progress; one that starts after it was at most signed.
        case
            when parcours.debut_date <= observation.observation_date
                then
                    case
                        when
                            parcours.statut in ('termine', 'interrompu')
                            and coalesce(
                                parcours.fin_reelle_date <= observation.observation_date, true
                            )
                            then parcours.statut
                        when parcours.statut in ('termine', 'interrompu') then 'en_cours'
                        else parcours.statut
                    end
            when parcours.statut in ('convention_signee', 'en_cours', 'termine', 'interrompu')
                then
                    case
                        when parcours.convention_date <= observation.observation_date
                            then 'convention_signee'
                        else 'positionne'
                    end
            else parcours.statut
        end as statut_observe,
        -- What describes the parcours in every indicator (docs/methodologie.md).
        coalesce(episode_du_parcours.code_academie, clauses.code_academie) as code_academie,
        clauses.secteur_activite_entreprise as secteur,
        jeunes.sexe,
        {{ tranche_age('episode_du_parcours.age_entree') }} as tranche_age,
        episode_du_parcours.derniere_classe,
        -- The episode itself (its entry date is its key with the youth) and its département.
        episode_du_parcours.entree_mlds_date,
        episode_du_parcours.departement as departement_episode,
        year(episode_du_parcours.entree_mlds_date) as annee_entree_mlds,
        year(parcours.debut_date) as annee_debut
    from parcours
    cross join observation
    left join clauses on parcours.clause_id = clauses.clause_id
    left join jeunes on parcours.jeune_id = jeunes.jeune_id
    left join episode_du_parcours on parcours.parcours_id = episode_du_parcours.parcours_id
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
