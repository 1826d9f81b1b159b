-- Every indicator, long format: national and by académie, per year and over all years.
with

unites as (
    select * from {{ ref('int_indicateurs__unites') }}
),

definitions as (
    select * from {{ ref('ref_indicateurs') }}
),

academies as (
    select * from {{ ref('ref_academies') }}
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

aggregated as (
    select
        indicateur,
        annee,
        code_academie,
        grouping(annee) as is_toutes_annees,
        grouping(code_academie) as is_national,
        -- Each unit appears once per indicator: a weighted sum is a count when weights are 1.
        coalesce(sum(poids_numerateur) filter (where is_numerateur), 0) as numerateur,
        coalesce(sum(poids_denominateur) filter (where is_denominateur), 0) as denominateur
    from unites
    group by grouping sets (
        (indicateur, annee, code_academie),
        (indicateur, annee),
        (indicateur, code_academie),
        (indicateur)
    )
),

measured as (
    select
        aggregated.indicateur,
        definitions.libelle as libelle_indicateur,
        definitions.domaine,
        definitions.unite,
        case when aggregated.is_toutes_annees = 1 then 'ensemble' else aggregated.annee::varchar end
            as periode,
        case when aggregated.is_national = 1 then 'national' else 'academie' end as niveau,
        case
            when aggregated.is_national = 1 then 'FR'
            else coalesce(aggregated.code_academie, 'NR')
        end as code_niveau,
        case
            when aggregated.is_national = 1 then 'France'
            else coalesce(academies.libelle_academie, 'Académie non renseignée')
        end as libelle_niveau,
        aggregated.numerateur::bigint as numerateur,
        case when definitions.unite in ('taux', 'ratio') then aggregated.denominateur::bigint end
            as denominateur
    from aggregated
    inner join definitions on aggregated.indicateur = definitions.indicateur
    left join academies on aggregated.code_academie = academies.code_academie
),

primaire as (
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
        case
            when measured.unite = 'nombre' then measured.numerateur::double
            when measured.denominateur > 0
                then measured.numerateur::double / measured.denominateur
        end as valeur,
        case when measured.unite = 'taux'
            then {{ wilson_bound('measured.numerateur', 'measured.denominateur', 'low') }}
        end as ic_bas,
        case when measured.unite = 'taux'
            then {{ wilson_bound('measured.numerateur', 'measured.denominateur', 'high') }}
        end as ic_haut,
        {{ is_diffusable('measured.domaine', 'measured.unite', 'measured.numerateur',
                         'measured.denominateur') }} as diffusable,
        observation.observation_date as date_observation
    from measured
    cross join observation
),

-- Académies add up to the national total within each indicator and period; years add up to
-- "ensemble" within each indicator and place. A cell hidden for one table can leave a single
-- hidden cell in the other, so both passes run twice.
{%- set chain = namespace(previous='primaire') %}
{%- for round in [1, 2] %}

par_academie_{{ round }} as (
    select * exclude (diffusable) rename (diffusable_apres as diffusable)
    from (
        {{ suppression_secondaire(chain.previous, ['indicateur', 'periode'],
                                  "niveau = 'national'", 'code_niveau') }}
    )
),

par_annee_{{ round }} as (
    select * exclude (diffusable) rename (diffusable_apres as diffusable)
    from (
        {{ suppression_secondaire('par_academie_' ~ round, ['indicateur', 'niveau', 'code_niveau'],
                                  "periode = 'ensemble'", 'periode') }}
    )
),
{%- set chain.previous = 'par_annee_' ~ round %}
{%- endfor %}

final as (
    select
        indicateur,
        libelle_indicateur,
        domaine,
        unite,
        periode,
        niveau,
        code_niveau,
        libelle_niveau,
        numerateur,
        denominateur,
        valeur,
        ic_bas,
        ic_haut,
        diffusable,
        date_observation
    from par_annee_2
)

select * from final
