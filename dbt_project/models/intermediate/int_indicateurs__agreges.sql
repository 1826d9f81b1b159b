-- Every indicator's numerator and denominator, long format: national and by each dimension that
-- applies to it (académie, région académique, buyer type, buyer, sector, CPV division, sex, age
-- band), per year and over all years. Disclosure is decided in the mart, in one place.
{#- Dimension name → the unit column holding its code; ref_indicateurs.dimensions says which
    apply to each indicator. -#}
{%- set dimensions = {
    'academie': 'code_academie',
    'region_academique': 'region_academique',
    'type_acheteur': 'type_acheteur',
    'acheteur': 'siret_acheteur',
    'secteur': 'secteur',
    'division_cpv': 'division_cpv',
    'sexe': 'sexe',
    'tranche_age': 'tranche_age',
} %}
with

definitions as (
    select * from {{ ref('ref_indicateurs') }}
),

academies as (
    select * from {{ ref('ref_academies') }}
),

acheteurs as (
    select
        siret_acheteur,
        nom_acheteur
    from {{ ref('int_acheteurs') }}
),

unites as (
    select
        unites.*,
        definitions.domaine,
        string_split(definitions.dimensions, ' ') as dimensions,
        academies.libelle_region_academique as region_academique
    from {{ ref('int_indicateurs__unites') }} as unites
    inner join definitions on unites.indicateur = definitions.indicateur
    left join academies on unites.code_academie = academies.code_academie
),

sommes as (
    select
        indicateur,
        annee,
        'national' as niveau,
        'FR' as code_niveau,
        grouping(annee) as is_toutes_annees,
        -- Each unit appears once per indicator: a weighted sum is a count when weights are 1.
        coalesce(sum(poids_numerateur) filter (where is_numerateur), 0) as numerateur,
        coalesce(sum(poids_denominateur) filter (where is_denominateur), 0) as denominateur
    from unites
    group by indicateur, rollup(annee)
    {%- for niveau, column in dimensions.items() %}
        union all
        select
            indicateur,
            annee,
            '{{ niveau }}' as niveau,
            coalesce({{ column }}::varchar, 'NR') as code_niveau,
            grouping(annee) as is_toutes_annees,
            coalesce(sum(poids_numerateur) filter (where is_numerateur), 0) as numerateur,
            coalesce(sum(poids_denominateur) filter (where is_denominateur), 0) as denominateur
        from unites
        where list_contains(dimensions, '{{ niveau }}')
        -- By the code shown, not the raw value: a sector or buyer typed « NR » and a missing one
        -- are the same « Non renseigné » cell (two cells with one key would block publishing).
        group by indicateur, coalesce({{ column }}::varchar, 'NR'), rollup(annee)
    {%- endfor %}
),

aggregated as (
    -- Sums of units; their value and interval are derived in the mart.
    select
        indicateur,
        case when is_toutes_annees = 1 then 'ensemble' else annee::varchar end as periode,
        niveau,
        code_niveau,
        numerateur,
        denominateur,
        false as is_valeur_calculee,
        null::double as valeur,
        null::double as ic_bas,
        null::double as ic_haut
    from sommes
    union all
    -- Indicators that are not sums carry their own value and interval: activation delay
    -- quantiles (Kaplan-Meier) and the standardised comparison group.
    select
        indicateur,
        periode,
        niveau,
        code_niveau,
        numerateur,
        denominateur,
        true as is_valeur_calculee,
        valeur,
        ic_bas,
        ic_haut
    from (
        select * from {{ ref('int_clauses__delai_activation') }}
        union all by name
        select * from {{ ref('int_jeunes__comparaison') }}
    ) as calcules
),

measured as (
    select
        aggregated.indicateur,
        definitions.libelle as libelle_indicateur,
        definitions.domaine,
        definitions.unite,
        aggregated.periode,
        aggregated.niveau,
        aggregated.code_niveau,
        case
            when aggregated.niveau = 'national' then 'France'
            when aggregated.code_niveau = 'NR' then 'Non renseigné'
            when aggregated.niveau = 'academie'
                then coalesce(academies.libelle_academie, aggregated.code_niveau)
            when aggregated.niveau = 'acheteur'
                then coalesce(acheteurs.nom_acheteur, aggregated.code_niveau)
            when aggregated.niveau = 'type_acheteur'
                then case aggregated.code_niveau
                    when 'rectorat' then 'Rectorat'
                    when 'administration_centrale' then 'Administration centrale'
                    when 'etablissement' then 'Établissement'
                    else 'Autre'
                end
            when aggregated.niveau = 'division_cpv' then 'Division CPV ' || aggregated.code_niveau
            when aggregated.niveau = 'sexe'
                then case aggregated.code_niveau when 'F' then 'Filles' else 'Garçons' end
            else aggregated.code_niveau
        end as libelle_niveau,
        aggregated.numerateur::bigint as numerateur,
        case when definitions.unite != 'nombre' then aggregated.denominateur::bigint end
            as denominateur,
        aggregated.is_valeur_calculee,
        aggregated.valeur,
        aggregated.ic_bas,
        aggregated.ic_haut
    from aggregated
    inner join definitions on aggregated.indicateur = definitions.indicateur
    left join academies
        on aggregated.niveau = 'academie' and aggregated.code_niveau = academies.code_academie
    left join acheteurs
        on aggregated.niveau = 'acheteur' and aggregated.code_niveau = acheteurs.siret_acheteur
)

select * from measured
