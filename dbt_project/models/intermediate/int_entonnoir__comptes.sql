-- The blocking-point funnel before disclosure control: per stage, the clauses that reached it,
-- those that stopped there and the median days spent there before the next dated stage;
-- national, by académie and by buyer, per notification year and overall.
with

clauses as (
    select * from {{ ref('int_clauses__etapes') }}
),

definitions as (
    select * from {{ ref('ref_etapes_clause') }}
),

par_etape as (
    -- One row per clause and stage, with the days until the next dated stage reached.
    select
        clauses.clause_id,
        clauses.code_academie,
        clauses.siret_acheteur,
        clauses.annee_notification,
        etape.rang,
        clauses.rang_etape_atteinte >= etape.rang as is_atteinte,
        clauses.rang_etape_atteinte = etape.rang as is_bloquee,
        (
            select min(suivante.date)
            from unnest(clauses.etapes) as suivantes (suivante)
            where suivante.rang > etape.rang and suivante.atteinte and suivante.date is not null
        ) - etape.date as jours_etape
    from clauses
    cross join unnest(clauses.etapes) as etapes (etape)
),

cellules as (
    {{ cellules('par_etape', {
        'academie': 'code_academie',
        'acheteur': 'siret_acheteur',
    }, 'annee_notification') }}
),

comptes as (
    select
        cellules.niveau,
        cellules.code_niveau,
        cellules.periode,
        cellules.rang,
        count(*) filter (where cellules.is_atteinte) as nb_clauses_atteinte,
        count(*) filter (where cellules.is_bloquee) as nb_clauses_bloquees,
        -- Days only from clauses that moved on, never negative (dates entered out of order).
        median(cellules.jours_etape) filter (where cellules.jours_etape >= 0)
            as delai_median_jours,
        count(cellules.jours_etape) filter (where cellules.jours_etape >= 0) as nb_delais
    from cellules
    group by all
),

final as (
    select
        comptes.niveau,
        comptes.code_niveau,
        comptes.periode,
        comptes.rang,
        definitions.etape,
        definitions.libelle as libelle_etape,
        definitions.domaine,
        comptes.nb_clauses_atteinte,
        comptes.nb_clauses_bloquees,
        comptes.delai_median_jours,
        comptes.nb_delais,
        lag(comptes.nb_clauses_atteinte) over (
            partition by comptes.niveau, comptes.code_niveau, comptes.periode
            order by comptes.rang
        ) as nb_clauses_etape_precedente
    from comptes
    inner join definitions on comptes.rang = definitions.rang
)

select * from final
