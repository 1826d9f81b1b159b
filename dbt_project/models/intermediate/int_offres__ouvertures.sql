-- One row per clause notified by the observation date: when its parcours offer is open, and why
-- it closes (docs/methodologie.md, « Offre ouverte »). An offer is open from the notification
-- while the clause period runs (renewals included), it has at least 150 hours left, and it is
-- declared or still due: an offer never declared closes the day after its declaration deadline
-- (the period's end − 6 months). A youth positioned on, or starting, a parcours of the clause
-- shows the offer existed: it counts as declared from then. A late declaration is awaited until
-- it comes. A started parcours commits its planned hours (an interruption does not reopen the
-- offer). Only what happened by the observation date closes an offer: a later closing is not
-- known yet (the offer is open on the observation date).
with

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

clauses as (
    select clauses.*
    from {{ ref('stg_csf__clauses') }} as clauses
    cross join observation
    where clauses.notification_date <= observation.observation_date
),

territoires as (
    select * from {{ ref('int_attente__territoires') }}
),

parcours as (
    select * from {{ ref('int_parcours__rattachement') }}
    where is_clause_connue
),

engagements as (
    -- Hours left after each started parcours, in start order; a parcours without planned
    -- hours takes what is left.
    select
        parcours.clause_id,
        parcours.debut_date,
        clauses.heures_parcours - sum(
            coalesce(parcours.heures_prevues, clauses.heures_parcours)
        ) over (
            partition by parcours.clause_id
            order by parcours.debut_date, parcours.parcours_id
            rows between unbounded preceding and current row
        ) as heures_restantes
    from parcours
    inner join clauses on parcours.clause_id = clauses.clause_id
    where parcours.is_commence
),

epuisement as (
    -- The start that leaves fewer than 150 hours (one more parcours no longer fits); a clause
    -- without valid hours fits one parcours.
    select
        clause_id,
        min(debut_date) filter (
            where coalesce(heures_restantes < 150, true)
        ) as epuisement_date,
        count(*) as nb_parcours_commences,
        min(heures_restantes) as heures_restantes
    from engagements
    group by clause_id
),

traces as (
    -- The first sign of an offer in the MLDS exports, by the observation date.
    select
        parcours.clause_id,
        min(least(
            parcours.positionnement_date, parcours.convention_date, parcours.debut_date
        )) as premiere_trace_date
    from parcours
    cross join observation
    where
        least(parcours.positionnement_date, parcours.convention_date, parcours.debut_date)
        <= observation.observation_date
    group by parcours.clause_id
),

dates as (
    select
        clauses.clause_id,
        territoires.code_academie,
        territoires.code_departement,
        territoires.region_academique,
        clauses.notification_date as ouverture_date,
        coalesce(clauses.fin_clause_reconduction_date, clauses.fin_clause_date) as fin_periode_date,
        (
            coalesce(clauses.fin_clause_reconduction_date, clauses.fin_clause_date)
            - interval 6 month
        )::date as echeance_declaration_date,
        -- Declared: the register's date when it has come by the observation date, else the
        -- first trace of a youth on the clause.
        least(
            case
                when clauses.declaration_offre_date <= observation.observation_date
                    then clauses.declaration_offre_date
            end,
            traces.premiere_trace_date
        ) as declaration_date,
        epuisement.epuisement_date,
        coalesce(epuisement.nb_parcours_commences, 0) as nb_parcours_commences,
        greatest(coalesce(epuisement.heures_restantes, clauses.heures_parcours), 0)
            as heures_restantes,
        observation.observation_date
    from clauses
    cross join observation
    inner join territoires
        on
            clauses.code_academie is not distinct from territoires.source_academie
            and clauses.departement_parcours is not distinct from territoires.source_departement
    left join epuisement on clauses.clause_id = epuisement.clause_id
    left join traces on clauses.clause_id = traces.clause_id
),

fermetures as (
    select
        *,
        -- The first day the offer is no longer open, among the causes known by then.
        least(
            epuisement_date,
            fin_periode_date + 1,
            case when declaration_date is null then echeance_declaration_date + 1 end
        ) as fermeture_possible_date
    from dates
),

final as (
    select
        clause_id,
        code_academie,
        code_departement,
        region_academique,
        ouverture_date,
        -- A declaration before the notification is read on the notification day. (DuckDB's
        -- greatest and least skip nulls: a null date is kept explicitly.)
        case
            when declaration_date is not null then greatest(declaration_date, ouverture_date)
        end as declaration_date,
        fin_periode_date,
        echeance_declaration_date,
        nb_parcours_commences,
        heures_restantes,
        observation_date,
        case
            when fermeture_possible_date <= observation_date
                then greatest(fermeture_possible_date, ouverture_date)
        end as fermeture_date,
        case
            when fermeture_possible_date > observation_date or fermeture_possible_date is null
                then null
            when fermeture_possible_date = epuisement_date then 'heures_utilisees'
            when fermeture_possible_date = fin_periode_date + 1 then 'fin_periode'
            else 'echeance_sans_declaration'
        end as motif_fermeture
    from fermetures
)

select
    *,
    -- Expired unfilled: closed by the end of its period or of its declaration deadline with at
    -- least 150 hours never used (hosted youths or not).
    coalesce(motif_fermeture in ('fin_periode', 'echeance_sans_declaration'), false)
        as is_expiree
from final
