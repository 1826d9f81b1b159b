-- The blocking-point funnel: per stage, the clauses that reached it, those that stopped there,
-- the conversion from the previous stage and the median days spent there before the next dated
-- stage; national, by académie and by buyer, per notification year and overall. The last two
-- stages describe youths, and so does what stage 7's row says of those that went on (stopped
-- there, days spent there): those rows are shown as int_secret_statistique decided for the
-- cell's youth stages, the procurement stages always. A buyer's cell has no youth stage: at
-- national scale three quarters of them would count 1 to 4 youths (one or two per buyer), so
-- they are not published at all, and its stage 7 row keeps only what is public.
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

final as (
    select
        comptes.niveau,
        comptes.code_niveau,
        case
            when comptes.niveau = 'national' then 'France'
            when comptes.niveau = 'academie'
                then coalesce(academies.libelle_academie, comptes.code_niveau)
            else coalesce(acheteurs.nom_acheteur, comptes.code_niveau)
        end as libelle_niveau,
        comptes.periode,
        comptes.rang::integer as rang_etape,
        comptes.etape,
        comptes.libelle_etape,
        comptes.domaine,
        comptes.nb_clauses_atteinte,
        comptes.nb_clauses_bloquees,
        case
            when comptes.nb_clauses_etape_precedente > 0
                then comptes.nb_clauses_atteinte::double / comptes.nb_clauses_etape_precedente
        end as taux_conversion,
        comptes.delai_median_jours::double as delai_median_jours,
        comptes.nb_delais,
        -- A procurement stage followed by another is open data; a youth stage, and the last
        -- procurement stage (its clauses stopped there and its days tell the next stage),
        -- follow the cell's decision (one the decision does not know is not shown).
        (
            comptes.domaine = 'achats'
            and coalesce(lead(comptes.domaine) over etapes, 'achats') = 'achats'
        )
        or not coalesce(secret.secret, true) as diffusable,
        observation.observation_date as date_observation
    from comptes
    cross join observation
    left join secret
        on
            comptes.niveau = secret.niveau
            and comptes.code_niveau = secret.code_niveau
            and comptes.periode = secret.periode
    left join academies
        on comptes.niveau = 'academie' and comptes.code_niveau = academies.code_academie
    left join acheteurs
        on comptes.niveau = 'acheteur' and comptes.code_niveau = acheteurs.siret_acheteur
    window etapes as (
        partition by comptes.niveau, comptes.code_niveau, comptes.periode order by comptes.rang
    )
)

select * from final
where not (niveau = 'acheteur' and domaine = 'jeunes')
