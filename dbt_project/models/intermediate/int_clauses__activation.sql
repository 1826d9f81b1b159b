-- One row per CSF clause with its activation facts, censored at the observation date.
with

clauses as (
    select * from {{ ref('stg_csf__clauses') }}
),

parcours as (
    -- Only parcours attached to a clause of the register (int_parcours__rattachement): the
    -- others are counted apart, as parcours without a known clause (qualite_rapprochement).
    select * from {{ ref('int_parcours__rattachement') }}
    where is_clause_connue
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

decp as (
    select
        uid,
        division_cpv
    from {{ ref('int_decp__marches') }}
),

started as (
    select
        parcours.clause_id,
        min(parcours.debut_date) as premier_debut_date,
        count(*) as nb_parcours_commences,
        -- A parcours ending after the observation date has not realised its hours yet (the
        -- export gives them at its end): they count once it has ended.
        coalesce(
            sum(parcours.heures_realisees) filter (
                where
                parcours.fin_reelle_date is null
                or parcours.fin_reelle_date <= observation.observation_date
            ),
            0
        ) as heures_realisees
    from parcours
    cross join observation
    where parcours.is_commence
    group by parcours.clause_id
),

final as (
    select
        clauses.clause_id,
        clauses.code_academie,
        clauses.siret_acheteur,
        clauses.type_acheteur,
        clauses.nom_organisme_acheteur,
        clauses.secteur_activite_entreprise as secteur,
        decp.division_cpv,
        clauses.annee_notification,
        clauses.notification_date,
        clauses.heures_parcours,
        clauses.is_calibrage_conforme,
        coalesce(started.heures_realisees, 0) as heures_realisees,
        -- The clause period (renewals included when known) has ended at the observation date.
        coalesce(
            coalesce(clauses.fin_clause_reconduction_date, clauses.fin_clause_date)
            < observation.observation_date,
            false
        ) as is_clause_terminee,
        started.premier_debut_date,
        coalesce(started.nb_parcours_commences, 0) as nb_parcours_commences,
        started.premier_debut_date is not null as is_activated,
        -- Right-censoring: a clause enters the 6-month denominator only once 6 months have passed.
        (clauses.notification_date + interval 6 month)::date
        <= observation.observation_date as is_due_6m,
        coalesce(
            started.premier_debut_date <= (clauses.notification_date + interval 6 month)::date,
            false
        ) as is_activated_6m,
        -- Dormant: due at 6 months, never activated, and the clause still runs (action list).
        (clauses.notification_date + interval 6 month)::date <= observation.observation_date
        and started.premier_debut_date is null
        and coalesce(
            coalesce(clauses.fin_clause_reconduction_date, clauses.fin_clause_date)
            >= observation.observation_date,
            true
        ) as is_dormante,
        -- Notified by the observation date: a clause notified later does not exist yet for any
        -- indicator (a hard cut-off); fct_clauses still lists it.
        coalesce(clauses.notification_date <= observation.observation_date, false) as is_notifiee,
        observation.observation_date
    from clauses
    cross join observation
    left join started on clauses.clause_id = started.clause_id
    left join decp on clauses.marche_uid = decp.uid
)

select * from final
