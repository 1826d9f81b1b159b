-- The months of the offers-and-waiting series: from the first month an offer or a youth oriented
-- to a CSF parcours is known, up to the month of the observation date (marked partial when the
-- observation date is not its last day; its stocks are taken on the observation date). At most
-- `attente_mois_max` months back: an aberrant old date in one export must not draw decades of
-- empty months.
with

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

premiers as (
    select min(notification_date) as premier_date from {{ ref('stg_csf__clauses') }}
    union all
    select min(entree_mlds_date) from {{ ref('stg_mlds__episodes') }}
),

bornes as (
    select
        date_trunc('month', observation.observation_date)::date as dernier_mois,
        greatest(
            date_trunc('month', coalesce(min(premiers.premier_date), observation.observation_date)),
            date_trunc(
                'month',
                observation.observation_date - to_months({{ var('attente_mois_max') }} - 1)
            )
        )::date as premier_mois
    from premiers
    cross join observation
    group by observation.observation_date
),

final as (
    select
        mois.mois::date as mois,
        strftime(mois.mois, '%Y-%m') as periode,
        least(last_day(mois.mois), observation.observation_date) as fin_mois_date,
        last_day(mois.mois) > observation.observation_date as is_partiel
    from bornes
    cross join observation
    cross join generate_series(
        bornes.premier_mois::timestamp, bornes.dernier_mois::timestamp, interval 1 month
    ) as mois (mois)
)

select * from final
