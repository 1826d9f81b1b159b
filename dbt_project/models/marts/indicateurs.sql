-- Every indicator, long format (int_indicateurs__agreges), with its value, its interval
-- and whether it may be shown: primary then secondary suppression, decided here only.
with

measured as (
    select * from {{ ref('int_indicateurs__agreges') }}
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
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
        {{ is_diffusable('measured.domaine', 'measured.unite', 'measured.numerateur',
                         'measured.denominateur') }} as diffusable,
        observation.observation_date as date_observation
    from measured
    cross join observation
),

-- Each dimension's cells add up to the national total within an indicator and period; years add
-- up to "ensemble" within an indicator and cell. The national cell is the total of every
-- dimension's table: it is repeated in each, and hidden if any of them hides it. A cell hidden for
-- one table can leave a single hidden cell in another, so both passes run twice.
{%- set chain = namespace(previous='primaire') %}
{%- for round in [1, 2] %}

    tableaux_{{ round }} as (
        select
            *,
            niveau as tableau
        from {{ chain.previous }}
        where niveau != 'national'
        union all
        select
            cells.*,
            dims.niveau as tableau
        from {{ chain.previous }} as cells
        cross join (  -- noqa: ST05
            select distinct niveau from {{ chain.previous }}
            where niveau != 'national'
        ) as dims
        where cells.niveau = 'national'
    ),

    masques_{{ round }} as (
    {{ suppression_secondaire('tableaux_' ~ round, ['indicateur', 'periode', 'tableau'],
                              "niveau = 'national'", 'code_niveau') }}
    ),

    par_dimension_{{ round }} as (
        select * exclude (tableau, diffusable) rename (diffusable_apres as diffusable)
        from masques_{{ round }}
        where niveau != 'national'
        union all by name
        select
            * exclude (tableau, diffusable, diffusable_apres),
            bool_and(diffusable_apres) as diffusable
        from masques_{{ round }}
        where niveau = 'national'
        group by all
    ),

    par_annee_{{ round }} as (
        select * exclude (diffusable) rename (diffusable_apres as diffusable)
        from (
        {{ suppression_secondaire('par_dimension_' ~ round, ['indicateur', 'niveau', 'code_niveau'],
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
