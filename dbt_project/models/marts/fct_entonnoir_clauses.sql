-- The blocking-point funnel: per stage, the clauses that reached it, those that stopped there,
-- the conversion from the previous stage and the median days spent there before the next dated
-- stage; national, by académie and by buyer, per notification year and overall. The last two
-- stages describe youths: they follow the youth disclosure rules, and so does the count that
-- stopped just before them (it would give them away by difference).
with

clauses as (
    select * from {{ ref('int_clauses__etapes') }}
),

definitions as (
    select * from {{ ref('ref_etapes_clause') }}
),

academies as (
    select * from {{ ref('ref_academies') }}
),

acheteurs as (
    select * from {{ ref('int_acheteurs') }}
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
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

primaire as (
    select
        comptes.*,
        definitions.etape,
        definitions.libelle as libelle_etape,
        definitions.domaine,
        'nombre' as unite,
        comptes.nb_clauses_atteinte as numerateur,
        null::bigint as denominateur,
        lag(comptes.nb_clauses_atteinte) over (
            partition by comptes.niveau, comptes.code_niveau, comptes.periode
            order by comptes.rang
        ) as nb_clauses_etape_precedente,
        -- A youth stage's row shows three counts of clauses, one youth each, so all three
        -- follow the count rule: those that stopped there, and those its delay is measured on.
        {{ is_diffusable('definitions.domaine', "'nombre'", 'comptes.nb_clauses_atteinte',
                         'null') }}
        and {{ is_diffusable('definitions.domaine', "'nombre'", 'comptes.nb_clauses_bloquees',
                             'null') }}
        and {{ is_diffusable('definitions.domaine', "'nombre'", 'comptes.nb_delais',
                             'null') }} as diffusable
    from comptes
    inner join definitions on comptes.rang = definitions.rang
),

tableaux as (
    -- Académies and buyers each add up to the national cell, which is repeated in both.
    select
        *,
        niveau as tableau
    from primaire
    where niveau != 'national'
    union all
    select
        primaire.*,
        dims.tableau
    from primaire
    cross join (values ('academie'), ('acheteur')) as dims (tableau)
    where primaire.niveau = 'national'
),

secondaire_dimension as (
    -- The national cell is hidden if either table hides it.
    select
        * exclude (tableau, diffusable, diffusable_apres),
        bool_and(diffusable_apres) over (partition by niveau, code_niveau, periode, rang)
            as diffusable
    from ({{ suppression_secondaire('tableaux', ['rang', 'periode', 'tableau'],
                                    "niveau = 'national'", 'code_niveau') }})
    qualify row_number() over (partition by niveau, code_niveau, periode, rang order by tableau) = 1
),

secondaire_annee as (
    select * exclude (diffusable) rename (diffusable_apres as diffusable)
    from ({{ suppression_secondaire('secondaire_dimension', ['rang', 'niveau', 'code_niveau'],
                                    "periode = 'ensemble'", 'periode') }})
),

final as (
    select
        secondaire_annee.niveau,
        secondaire_annee.code_niveau,
        case
            when secondaire_annee.niveau = 'national' then 'France'
            when secondaire_annee.niveau = 'academie'
                then coalesce(academies.libelle_academie, secondaire_annee.code_niveau)
            else coalesce(acheteurs.nom_acheteur, secondaire_annee.code_niveau)
        end as libelle_niveau,
        secondaire_annee.periode,
        secondaire_annee.rang::integer as rang_etape,
        secondaire_annee.etape,
        secondaire_annee.libelle_etape,
        secondaire_annee.domaine,
        secondaire_annee.nb_clauses_atteinte,
        secondaire_annee.nb_clauses_bloquees,
        case
            when secondaire_annee.nb_clauses_etape_precedente > 0
                then
                    secondaire_annee.nb_clauses_atteinte::double
                    / secondaire_annee.nb_clauses_etape_precedente
        end as taux_conversion,
        secondaire_annee.delai_median_jours::double as delai_median_jours,
        secondaire_annee.nb_delais,
        -- A row is shown only if its own count, the next stage's (its "stopped here" count is the
        -- difference) and, for youth stages, the conversion base of 20 clauses all allow it.
        secondaire_annee.diffusable
        and coalesce(lead(secondaire_annee.diffusable) over cellule, true)
        and (
            secondaire_annee.domaine = 'achats'
            or coalesce(secondaire_annee.nb_clauses_etape_precedente, 0)
            >= {{ var('seuil_denominateur') }}
        ) as diffusable,
        observation.observation_date as date_observation
    from secondaire_annee
    cross join observation
    left join academies
        on
            secondaire_annee.niveau = 'academie'
            and secondaire_annee.code_niveau = academies.code_academie
    left join acheteurs
        on
            secondaire_annee.niveau = 'acheteur'
            and secondaire_annee.code_niveau = acheteurs.siret_acheteur
    window cellule as (
        partition by secondaire_annee.niveau, secondaire_annee.code_niveau, secondaire_annee.periode
        order by secondaire_annee.rang
    )
),

-- A youth stage's conversion rate times its own count gives the previous stage's count: such a
-- row is hidden when the previous one is (a hidden count would otherwise come back by division).
apres_etape_precedente as (
    select
        * replace (
            diffusable and (
                domaine = 'achats' or coalesce(lag(diffusable) over cellule, true)
            ) as diffusable
        )
    from final
    window cellule as (partition by niveau, code_niveau, periode order by rang_etape)
)

select * from apres_etape_precedente
