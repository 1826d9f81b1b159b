-- One row per CSF clause and per cell (national, académie, région académique, buyer type, buyer,
-- sector, CPV division; per notification year and overall): days from notification to the first
-- parcours start, or to the observation date for a clause not yet activated (censored).
with

clauses as (
    select * from {{ ref('int_clauses__activation') }}
),

academies as (
    select * from {{ ref('ref_academies') }}
),

durees as (
    select
        clauses.clause_id,
        clauses.annee_notification,
        -- An unknown value forms its own « Non renseigné » cell, as for every other clause
        -- indicator (int_indicateurs__agreges): the cells of a dimension cover every clause.
        coalesce(clauses.code_academie, 'NR') as code_academie,
        coalesce(academies.libelle_region_academique, 'NR') as region_academique,
        coalesce(clauses.type_acheteur, 'NR') as type_acheteur,
        coalesce(clauses.siret_acheteur, 'NR') as siret_acheteur,
        coalesce(clauses.secteur, 'NR') as secteur,
        coalesce(clauses.division_cpv, 'NR') as division_cpv,
        -- A parcours recorded before the notification counts as activation on day 0.
        greatest(0, date_diff(
            'day',
            clauses.notification_date,
            coalesce(clauses.premier_debut_date, clauses.observation_date)
        )) as duree_jours,
        clauses.is_activated as is_evenement
    from clauses
    left join academies on clauses.code_academie = academies.code_academie
    where clauses.notification_date <= clauses.observation_date
),

final as (
    {{ cellules('durees', {
        'academie': 'code_academie',
        'region_academique': 'region_academique',
        'type_acheteur': 'type_acheteur',
        'acheteur': 'siret_acheteur',
        'secteur': 'secteur',
        'division_cpv': 'division_cpv',
    }, 'annee_notification') }}
)

select * from final
