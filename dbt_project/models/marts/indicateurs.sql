-- Every indicator, long format (int_indicateurs__mesures), with its value, its interval and
-- whether it may be shown: procurement cells always (open data), youth cells as
-- int_secret_statistique decided (primary and secondary suppression over all linked tables).
with

mesures as (
    select * from {{ ref('int_indicateurs__mesures') }}
),

secret as (
    select * from {{ ref('int_secret_statistique') }}
    where tableau = 'indicateurs'
),

final as (
    select
        mesures.indicateur,
        mesures.libelle_indicateur,
        mesures.domaine,
        mesures.unite,
        mesures.periode,
        mesures.niveau,
        mesures.code_niveau,
        mesures.libelle_niveau,
        mesures.numerateur,
        mesures.denominateur,
        mesures.valeur,
        mesures.ic_bas,
        mesures.ic_haut,
        -- A youth cell the decision does not know is not shown (fail closed).
        mesures.domaine = 'achats' or not coalesce(secret.secret, true) as diffusable,
        mesures.date_observation
    from mesures
    left join secret
        on
            mesures.indicateur = secret.indicateur
            and mesures.periode = secret.periode
            and mesures.niveau = secret.niveau
            and mesures.code_niveau = secret.code_niveau
)

select * from final
