-- The blocking-point funnel: per stage, the clauses that reached it, those that stopped there,
-- the conversion from the previous stage and the median days spent there before the next dated
-- stage; national, by académie and by buyer, per notification year and overall. The last two
-- stages describe youths, and so does what stage 7's row says of those that went on (stopped
-- there, days spent there): those rows are shown as int_secret_statistique decided for the
-- cell's youth stages, the procurement stages always. A buyer's cell has no youth stage: at
-- national scale three quarters of them would count 1 to 4 youths (one or two per buyer), so
-- they are not published at all. Its funnel stops at stage 7, as its public clause list does
-- (each clause's furthest stage is brought back to « parcours commencé »): that row is public
-- and counts every clause that reached it as stopped there, with no days (they would be the
-- parcours' length).
with

comptes as (
    select * from {{ ref('int_entonnoir__comptes') }}
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

secret as (
    select * from {{ ref('int_secret_statistique') }}
    where tableau = 'entonnoir'
),

etapes as (
    select
        comptes.*,
        -- The last procurement stage: what its row says of the clauses that went on tells the
        -- first youth stage.
        comptes.domaine = 'achats'
        and coalesce(
            lead(comptes.domaine) over (
                partition by comptes.niveau, comptes.code_niveau, comptes.periode
                order by comptes.rang
            ) = 'jeunes',
            false
        ) as is_derniere_etape_achats
    from comptes
),

final as (
    select
        etapes.niveau,
        etapes.code_niveau,
        case
            when etapes.niveau = 'national' then 'France'
            when etapes.niveau = 'academie'
                then coalesce(academies.libelle_academie, etapes.code_niveau)
            else coalesce(acheteurs.nom_acheteur, etapes.code_niveau)
        end as libelle_niveau,
        etapes.periode,
        etapes.rang::integer as rang_etape,
        etapes.etape,
        etapes.libelle_etape,
        etapes.domaine,
        etapes.nb_clauses_atteinte,
        -- A buyer's funnel ends at its last procurement stage: all its clauses stop there.
        case
            when etapes.niveau = 'acheteur' and etapes.is_derniere_etape_achats
                then etapes.nb_clauses_atteinte
            else etapes.nb_clauses_bloquees
        end as nb_clauses_bloquees,
        case
            when etapes.nb_clauses_etape_precedente > 0
                then etapes.nb_clauses_atteinte::double / etapes.nb_clauses_etape_precedente
        end as taux_conversion,
        case
            when not (etapes.niveau = 'acheteur' and etapes.is_derniere_etape_achats)
                then etapes.delai_median_jours::double
        end as delai_median_jours,
        case
            when not (etapes.niveau = 'acheteur' and etapes.is_derniere_etape_achats)
                then etapes.nb_delais
        end as nb_delais,
        -- A procurement stage is open data, except the last one of a cell whose youth stages
        -- are published (its clauses stopped there and its days tell the next stage): that
        -- one and the youth stages follow the cell's decision (one the decision does not know
        -- is not shown).
        (
            etapes.domaine = 'achats'
            and (not etapes.is_derniere_etape_achats or etapes.niveau = 'acheteur')
        )
        or not coalesce(secret.secret, true) as diffusable,
        observation.observation_date as date_observation
    from etapes
    cross join observation
    left join secret
        on
            etapes.niveau = secret.niveau
            and etapes.code_niveau = secret.code_niveau
            and etapes.periode = secret.periode
    left join academies
        on etapes.niveau = 'academie' and etapes.code_niveau = academies.code_academie
    left join acheteurs
        on etapes.niveau = 'acheteur' and etapes.code_niveau = acheteurs.siret_acheteur
)

select * from final
where not (niveau = 'acheteur' and domaine = 'jeunes')
