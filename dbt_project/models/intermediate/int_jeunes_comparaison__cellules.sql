-- CSF youths and comparison youths counted per standardisation stratum (académie × MLDS entry
-- year × sex × age band × last class) and per outcome rate, then placed in every cell the
-- stratum belongs to (national, académie, région académique, sex, age band; per entry year and
-- overall). Unknown sex, age band or class form a stratum of their own ('NR').
with

mesures as (
    {{ mesures_resultats() }}
),

academies as (
    select * from {{ ref('ref_academies') }}
),

unites as (
    select
        'csf' as groupe,
        code_academie,
        annee_entree_mlds,
        sexe,
        tranche_age,
        derniere_classe,
        suffixe,
        is_horizon_atteint,
        situation
    from {{ ref('int_jeunes_csf__horizons') }}
    union all
    select
        'comparaison' as groupe,
        code_academie,
        annee_entree_mlds,
        sexe,
        tranche_age,
        derniere_classe,
        suffixe,
        is_horizon_atteint,
        situation
    from {{ ref('int_jeunes_comparaison__horizons') }}
),

drapeaux as (
    select
        unites.groupe,
        mesures.mesure || '_' || unites.suffixe as indicateur,
        unites.code_academie,
        unites.annee_entree_mlds,
        coalesce(unites.sexe, 'NR') as sexe,
        coalesce(unites.tranche_age, 'NR') as tranche_age,
        coalesce(unites.derniere_classe, 'NR') as derniere_classe,
        -- Same rules as the CSF indicators (int_indicateurs__unites).
        {{ resultat_denominateur('mesures', 'unites') }} as is_denominateur,
        {{ resultat_numerateur('mesures', 'unites') }} as is_numerateur
    from unites
    cross join mesures
),

strates as (
    select
        indicateur,
        code_academie,
        annee_entree_mlds,
        sexe,
        tranche_age,
        derniere_classe,
        count(*) filter (where groupe = 'csf' and is_denominateur) as n_csf,
        count(*) filter (where groupe = 'csf' and is_denominateur and is_numerateur) as x_csf,
        count(*) filter (where groupe = 'comparaison' and is_denominateur) as n_comparaison,
        count(*) filter (where groupe = 'comparaison' and is_denominateur and is_numerateur)
            as x_comparaison
    from drapeaux
    group by all
    having n_csf > 0 or n_comparaison > 0
),

avec_region as (
    select
        strates.*,
        academies.libelle_region_academique as region_academique,
        nullif(strates.sexe, 'NR') as sexe_connu,
        nullif(strates.tranche_age, 'NR') as tranche_age_connue
    from strates
    left join academies on strates.code_academie = academies.code_academie
),

final as (
    {{ cellules('avec_region', {
        'academie': 'code_academie',
        'region_academique': 'region_academique',
        'sexe': 'sexe_connu',
        'tranche_age': 'tranche_age_connue',
    }, 'annee_entree_mlds') }}
)

select * from final
