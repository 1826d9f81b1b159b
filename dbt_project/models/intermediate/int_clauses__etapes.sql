-- One row per CSF clause: each stage of the process with whether it was reached and when, the
-- furthest stage reached, and the days spent at each stage before the next dated one. Stages
-- (indicators.md): clause written → company form received → transmitted to the MLDS → offer
-- declared → youth positioned → agreement signed → parcours started → parcours completed →
-- positive outcome at 6 months. Only events up to the observation date count.
with

clauses as (
    select * from {{ ref('int_clauses__activation') }}
),

registre as (
    select
        clause_id,
        has_fiche_entreprise,
        transmission_mlds_date,
        declaration_offre_date
    from {{ ref('stg_csf__clauses') }}
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

parcours as (
    select
        parcours.clause_id,
        min(parcours.positionnement_date) as positionnement_date,
        min(parcours.convention_date) as convention_date,
        -- The status at the observation date: an end after it has not happened yet.
        min(parcours.fin_reelle_date) filter (where parcours.statut_observe = 'termine')
            as achevement_date,
        bool_or(parcours.statut_observe = 'termine') as has_parcours_termine,
        -- Any parcours row means a youth was positioned, even without a recorded date.
        count(*) > 0 as has_positionnement,
        bool_or(
            parcours.convention_date <= observation.observation_date
            or parcours.statut_observe in ('convention_signee', 'en_cours', 'termine', 'interrompu')
        ) as has_convention
    from {{ ref('int_parcours__rattachement') }} as parcours
    cross join observation
    where
        parcours.is_clause_connue
        and coalesce(parcours.positionnement_date, parcours.debut_date, parcours.convention_date)
        <= observation.observation_date
    group by parcours.clause_id
),

sorties_positives as (
    -- A youth of the clause in a positive situation at 6 months, horizon elapsed.
    select distinct parcours.clause_id
    from {{ ref('int_jeunes_csf__horizons') }} as horizons
    inner join {{ ref('int_parcours__rattachement') }} as parcours
        on horizons.parcours_id = parcours.parcours_id
    where
        parcours.is_clause_connue
        and horizons.horizon = '6_mois'
        and horizons.is_horizon_atteint
        and horizons.situation in ({{ situations_positives() }})
),

etapes as (
    select
        clauses.clause_id,
        clauses.code_academie,
        clauses.siret_acheteur,
        clauses.annee_notification,
        clauses.observation_date,
        list_value(
            { 'rang': 1, 'atteinte': true, 'date': clauses.notification_date },
            { 'rang': 2, 'atteinte': coalesce(registre.has_fiche_entreprise, false), 'date': null },
            {
                'rang': 3, 'atteinte': registre.transmission_mlds_date <= clauses.observation_date,
                'date': registre.transmission_mlds_date
            },
            {
                'rang': 4, 'atteinte': registre.declaration_offre_date <= clauses.observation_date,
                'date': registre.declaration_offre_date
            },
            {
                'rang': 5, 'atteinte': coalesce(parcours.has_positionnement, false),
                'date': parcours.positionnement_date
            },
            {
                'rang': 6, 'atteinte': coalesce(parcours.has_convention, false),
                'date': parcours.convention_date
            },
            { 'rang': 7, 'atteinte': clauses.is_activated, 'date': clauses.premier_debut_date },
            {
                'rang': 8, 'atteinte': coalesce(parcours.has_parcours_termine, false),
                'date': parcours.achevement_date
            },
            -- Its date is the end plus 6 months by definition: no days to measure before it.
            { 'rang': 9, 'atteinte': sorties_positives.clause_id is not null, 'date': null }
        ) as etapes
    from clauses
    left join registre on clauses.clause_id = registre.clause_id
    left join parcours on clauses.clause_id = parcours.clause_id
    left join sorties_positives on clauses.clause_id = sorties_positives.clause_id
    -- A clause notified after the observation date does not exist yet (hard cut-off).
    where clauses.is_notifiee
),

final as (
    select
        etapes.clause_id,
        etapes.code_academie,
        etapes.siret_acheteur,
        etapes.annee_notification,
        -- Later evidence implies the earlier stages (a started parcours was transmitted), so the
        -- furthest stage is the last one reached, whatever was left unrecorded before it.
        list_max([
            case when etape.atteinte then etape.rang else 1 end for etape in etapes
        ]) as rang_etape_atteinte,
        etapes
    from etapes
)

select * from final
