-- Offers and youths waiting, per month and territory (docs/methodologie.md, « Offres et jeunes
-- en attente »), long format: every count of int_attente__comptes, the offers expired unfilled
-- over the 12 months to the month, and the tension (youths waiting per open offer, with its
-- 95 % interval), each with its French label and unit, and whether it may be shown: offer counts
-- always (procurement open data), youth counts as int_secret_statistique decided, the tension
-- only where the youths waiting are shown (it reveals them given the public offer count).
{%- set z = var('wilson_z') %}
with

comptes as (
    select * from {{ ref('int_attente__comptes') }}
),

secret as (
    select * from {{ ref('int_secret_statistique') }}
    where tableau = 'attente'
),

decides as (
    select
        comptes.*,
        -- A youth cell the decision does not know is not shown (fail closed).
        comptes.domaine = 'offres' or not coalesce(secret.secret, true) as diffusable
    from comptes
    left join secret
        on
            comptes.indicateur = secret.indicateur
            and comptes.periode = secret.periode
            and comptes.niveau = secret.niveau
            and comptes.code_niveau = secret.code_niveau
),

tension as (
    -- W youths waiting and O open offers: given W + O, W is binomial with p = W / (W + O) when
    -- both are independent Poisson counts; the Wilson interval of p, mapped by p / (1 - p),
    -- bounds W / O. No ratio without an offer (« sans offre ») nor without anyone.
    select
        jeunes.periode,
        jeunes.is_partiel,
        jeunes.niveau,
        jeunes.code_niveau,
        jeunes.libelle_niveau,
        jeunes.code_parent,
        jeunes.valeur as attente,
        offres.valeur as ouvertes,
        jeunes.diffusable,
        {{ wilson_bound('jeunes.valeur', '(jeunes.valeur + offres.valeur)', 'low') }} as p_bas,
        {{ wilson_bound('jeunes.valeur', '(jeunes.valeur + offres.valeur)', 'high') }} as p_haut
    from decides as jeunes
    inner join decides as offres
        on
            jeunes.periode = offres.periode
            and jeunes.niveau = offres.niveau
            and jeunes.code_niveau = offres.code_niveau
    where
        jeunes.indicateur = 'nb_jeunes_en_attente'
        and offres.indicateur = 'nb_offres_ouvertes'
),

expirees_12_mois as (
    -- Offers expired unfilled over the 12 months ending with the month (fewer at the start of
    -- the series): every territory has every month, so 12 rows are 12 months.
    select
        'nb_offres_expirees_12m' as indicateur,
        'Offres expirées non pourvues sur 12 mois' as libelle_indicateur,
        domaine,
        'flux' as nature,
        periode,
        is_partiel,
        niveau,
        code_niveau,
        libelle_niveau,
        code_parent,
        sum(valeur) over (
            partition by niveau, code_niveau
            order by periode
            rows between 11 preceding and current row
        ) as valeur,
        diffusable
    from decides
    where indicateur = 'nb_offres_expirees'
),

final as (
    select
        indicateur,
        libelle_indicateur,
        domaine,
        nature,
        'nombre' as unite,
        periode,
        is_partiel,
        niveau,
        code_niveau,
        libelle_niveau,
        code_parent,
        valeur::double as valeur,
        null::double as ic_bas,
        null::double as ic_haut,
        diffusable
    from decides
    union all
    select
        indicateur,
        libelle_indicateur,
        domaine,
        nature,
        'nombre' as unite,
        periode,
        is_partiel,
        niveau,
        code_niveau,
        libelle_niveau,
        code_parent,
        valeur::double as valeur,
        null::double as ic_bas,
        null::double as ic_haut,
        diffusable
    from expirees_12_mois
    union all
    select
        'tension_jeunes_par_offre' as indicateur,
        'Jeunes en attente par offre ouverte' as libelle_indicateur,
        'jeunes' as domaine,
        'ratio' as nature,
        'rapport' as unite,
        periode,
        is_partiel,
        niveau,
        code_niveau,
        libelle_niveau,
        code_parent,
        case when ouvertes > 0 then attente::double / ouvertes end as valeur,
        case when ouvertes > 0 then p_bas / (1 - p_bas) end as ic_bas,
        -- An upper bound of p at 1 (no offer would be plausible) leaves the ratio unbounded.
        case when ouvertes > 0 and p_haut < 1 then p_haut / (1 - p_haut) end as ic_haut,
        diffusable
    from tension
)

select * from final
