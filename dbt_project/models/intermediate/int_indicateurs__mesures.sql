-- Every indicator, long format, with its value and interval: what the mart publishes before
-- disclosure control (int_secret_statistique decides which youth cells are shown).
with

measured as (
    select * from {{ ref('int_indicateurs__agreges') }}
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

final as (
    select
        measured.indicateur,
        measured.libelle_indicateur,
        measured.domaine,
        measured.unite,
        measured.periode,
        measured.niveau,
        measured.code_niveau,
        measured.libelle_niveau,
        measured.numerateur,
        measured.denominateur,
        -- Quantiles and standardised rates come with their value; sums are turned into one here.
        case
            when coalesce(measured.is_valeur_calculee, false) then measured.valeur
            when measured.unite = 'nombre' then measured.numerateur::double
            when measured.denominateur > 0
                then measured.numerateur::double / measured.denominateur
        end as valeur,
        case
            when coalesce(measured.is_valeur_calculee, false) then measured.ic_bas
            when measured.unite = 'taux'
                then {{ wilson_bound('measured.numerateur', 'measured.denominateur', 'low') }}
        end as ic_bas,
        case
            when coalesce(measured.is_valeur_calculee, false) then measured.ic_haut
            when measured.unite = 'taux'
                then {{ wilson_bound('measured.numerateur', 'measured.denominateur', 'high') }}
        end as ic_haut,
        observation.observation_date as date_observation
    from measured
    cross join observation
)

select * from final
