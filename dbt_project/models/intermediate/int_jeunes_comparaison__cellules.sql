-- CSF youths and comparison youths counted per standardisation stratum (académie × MLDS entry
-- year × sex × age band × last class) and per outcome rate, then placed in every cell the
-- stratum belongs to (national, académie, région académique, sex, age band; per entry year and
-- overall). Unknown sex, age band or class form a stratum of their own ('NR').
with

mesures as (
    -- The rate and the situations in its numerator; perdus de vue counts unknown situations.
    select * from (
        values
        ('taux_retour_formation_initiale', ['retour_formation_initiale']),
        ('taux_apprentissage', ['apprentissage']),
        ('taux_contrat_professionnalisation', ['contrat_professionnalisation']),
        ('taux_sortie_positive', [{{ situations_positives() }}]),
        ('taux_perdus_de_vue', ['perdu_de_vue'])
    ) as mesures (mesure, situations)
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
        -- Same rules as the CSF indicators: horizon elapsed; known situation except for the
        -- lost-from-view rate, which counts a missing observation as lost.
        case
            when mesures.mesure = 'taux_perdus_de_vue' then unites.is_horizon_atteint
            else
                unites.is_horizon_atteint
                and coalesce(unites.situation, 'perdu_de_vue') != 'perdu_de_vue'
        end as is_denominateur,
        unites.is_horizon_atteint
        and list_contains(mesures.situations, coalesce(unites.situation, 'perdu_de_vue'))
        and (mesures.mesure = 'taux_perdus_de_vue' or unites.situation is not null)
            as is_numerateur
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
