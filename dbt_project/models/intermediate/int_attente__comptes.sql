-- Every count of the offers-and-waiting series, per month and territory (national, région
-- académique, académie, département), zeros included: stocks on the month's last day (the
-- observation date for the current month) and flows within the month (docs/methodologie.md,
-- « Offres et jeunes en attente »). Offers are procurement data; the other counts are youths
-- (int_secret_statistique decides which cells are shown). An offer or a wait of no day at all
-- (closed on the day it opened) is neither a new offer, an expiry nor an entry.
with

mois as (
    select * from {{ ref('int_attente__mois') }}
),

offres as (
    select * from {{ ref('int_offres__ouvertures') }}
),

jeunes as (
    select * from {{ ref('int_attente__jeunes') }}
),

territoires as (
    select * from {{ ref('int_attente__territoires') }}
),

parcours as (
    -- Every parcours, counted where its youth is followed (int_parcours__rattachement: the
    -- episode's académie, else the clause's), as the youth indicators count them.
    select
        parcours.parcours_id,
        parcours.positionnement_date,
        parcours.debut_date,
        parcours.is_commence,
        territoires.code_academie,
        territoires.code_departement,
        territoires.region_academique,
        observation.observation_date
    from {{ ref('int_parcours__rattachement') }} as parcours
    cross join {{ ref('int_observation_date') }} as observation
    inner join territoires
        on
            parcours.code_academie is not distinct from territoires.source_academie
            and parcours.departement_episode is not distinct from territoires.source_departement
),

unites as (
    select
        'nb_offres_ouvertes' as indicateur,
        mois.periode,
        offres.code_academie,
        offres.code_departement,
        offres.region_academique
    from offres
    inner join mois
        on
            offres.ouverture_date <= mois.fin_mois_date
            and coalesce(offres.fermeture_date > mois.fin_mois_date, true)
    union all
    select
        'nb_offres_declarees' as indicateur,
        mois.periode,
        offres.code_academie,
        offres.code_departement,
        offres.region_academique
    from offres
    inner join mois
        on
            offres.declaration_date <= mois.fin_mois_date
            and offres.ouverture_date <= mois.fin_mois_date
            and coalesce(offres.fermeture_date > mois.fin_mois_date, true)
    union all
    select
        'nb_offres_nouvelles' as indicateur,
        mois.periode,
        offres.code_academie,
        offres.code_departement,
        offres.region_academique
    from offres
    inner join mois on date_trunc('month', offres.ouverture_date) = mois.mois
    where coalesce(offres.fermeture_date > offres.ouverture_date, true)
    union all
    select
        'nb_offres_expirees' as indicateur,
        mois.periode,
        offres.code_academie,
        offres.code_departement,
        offres.region_academique
    from offres
    inner join mois on date_trunc('month', offres.fermeture_date) = mois.mois
    where offres.is_expiree and offres.fermeture_date > offres.ouverture_date
    union all
    select
        'nb_jeunes_en_attente' as indicateur,
        mois.periode,
        jeunes.code_academie,
        jeunes.code_departement,
        jeunes.region_academique
    from jeunes
    inner join mois
        on
            jeunes.entree_mlds_date <= mois.fin_mois_date
            and coalesce(jeunes.fin_attente_date > mois.fin_mois_date, true)
    where jeunes.is_oriente_csf
    union all
    select
        'nb_jeunes_positionnes_en_attente' as indicateur,
        mois.periode,
        jeunes.code_academie,
        jeunes.code_departement,
        jeunes.region_academique
    from jeunes
    inner join mois
        on
            jeunes.premier_positionnement_date <= mois.fin_mois_date
            and jeunes.entree_mlds_date <= mois.fin_mois_date
            and coalesce(jeunes.fin_attente_date > mois.fin_mois_date, true)
    where jeunes.is_oriente_csf
    union all
    select
        duree.indicateur,
        mois.periode,
        jeunes.code_academie,
        jeunes.code_departement,
        jeunes.region_academique
    from jeunes
    inner join mois
        on
            jeunes.entree_mlds_date <= mois.fin_mois_date
            and coalesce(jeunes.fin_attente_date > mois.fin_mois_date, true)
    -- Youths waiting for 6 months or more, and for 12 months or more, at the month's end.
    inner join (
        values ('nb_jeunes_en_attente_6_mois_plus', 6), ('nb_jeunes_en_attente_12_mois_plus', 12)
    ) as duree (indicateur, mois_attente)
        on jeunes.entree_mlds_date <= (mois.fin_mois_date - to_months(duree.mois_attente))::date
    where jeunes.is_oriente_csf
    union all
    select
        'nb_jeunes_action_non_renseignee' as indicateur,
        mois.periode,
        jeunes.code_academie,
        jeunes.code_departement,
        jeunes.region_academique
    from jeunes
    inner join mois
        on
            jeunes.entree_mlds_date <= mois.fin_mois_date
            and coalesce(jeunes.fin_attente_date > mois.fin_mois_date, true)
    where jeunes.is_action_non_renseignee
    union all
    select
        'nb_jeunes_entres_en_attente' as indicateur,
        mois.periode,
        jeunes.code_academie,
        jeunes.code_departement,
        jeunes.region_academique
    from jeunes
    inner join mois on date_trunc('month', jeunes.entree_mlds_date) = mois.mois
    where
        jeunes.is_oriente_csf
        and coalesce(jeunes.fin_attente_date > jeunes.entree_mlds_date, true)
    union all
    select
        'nb_positionnements' as indicateur,
        mois.periode,
        parcours.code_academie,
        parcours.code_departement,
        parcours.region_academique
    from parcours
    inner join mois on date_trunc('month', parcours.positionnement_date) = mois.mois
    where parcours.positionnement_date <= parcours.observation_date
    union all
    select
        'nb_parcours_commences' as indicateur,
        mois.periode,
        parcours.code_academie,
        parcours.code_departement,
        parcours.region_academique
    from parcours
    inner join mois on date_trunc('month', parcours.debut_date) = mois.mois
    where parcours.is_commence
),

comptes as (
    select
        unites.indicateur,
        unites.periode,
        cellules.cellule.niveau,
        cellules.cellule.code_niveau,
        count(*) as valeur
    from unites
    cross join
        unnest([
            { 'niveau': 'national', 'code_niveau': 'FR' },
            { 'niveau': 'region_academique', 'code_niveau': unites.region_academique },
            { 'niveau': 'academie', 'code_niveau': unites.code_academie },
            { 'niveau': 'departement', 'code_niveau': unites.code_departement }
        ]) as cellules (cellule)
    group by all
),

cellules as (
    -- Every territory the sources name, with its French name and the one above it.
    select distinct
        'national' as niveau,
        'FR' as code_niveau,
        'France' as libelle_niveau,
        null as code_parent
    from territoires
    union all
    select distinct
        'region_academique' as niveau,
        region_academique as code_niveau,
        case
            when region_academique = 'NR' then 'Région académique non renseignée'
            else region_academique
        end as libelle_niveau,
        'FR' as code_parent
    from territoires
    union all
    select distinct
        'academie' as niveau,
        code_academie as code_niveau,
        libelle_academie as libelle_niveau,
        region_academique as code_parent
    from territoires
    union all
    select distinct
        'departement' as niveau,
        code_departement as code_niveau,
        libelle_departement as libelle_niveau,
        code_academie as code_parent
    from territoires
),

indicateurs as (
    -- Each count, its domain, its nature and its French label (the one every output shows).
    select * from (
        values
        ('nb_offres_ouvertes', 'offres', 'stock', 'Offres ouvertes'),
        ('nb_offres_declarees', 'offres', 'stock', 'dont offres déclarées par l''entreprise'),
        ('nb_offres_nouvelles', 'offres', 'flux', 'Nouvelles offres'),
        ('nb_offres_expirees', 'offres', 'flux', 'Offres expirées non pourvues'),
        ('nb_jeunes_en_attente', 'jeunes', 'stock', 'Jeunes en attente d''un parcours'),
        (
            'nb_jeunes_positionnes_en_attente', 'jeunes', 'stock',
            'dont jeunes positionnés sur une offre'
        ),
        (
            'nb_jeunes_en_attente_6_mois_plus', 'jeunes', 'stock',
            'dont jeunes en attente depuis 6 mois ou plus'
        ),
        (
            'nb_jeunes_en_attente_12_mois_plus', 'jeunes', 'stock',
            'dont jeunes en attente depuis 12 mois ou plus'
        ),
        (
            'nb_jeunes_action_non_renseignee', 'jeunes', 'stock',
            'Jeunes suivis sans action renseignée'
        ),
        ('nb_jeunes_entres_en_attente', 'jeunes', 'flux', 'Jeunes entrés en attente'),
        ('nb_positionnements', 'jeunes', 'flux', 'Positionnements sur une offre'),
        ('nb_parcours_commences', 'jeunes', 'flux', 'Parcours commencés')
    ) as indicateurs (indicateur, domaine, nature, libelle_indicateur)
),

final as (
    select
        indicateurs.indicateur,
        indicateurs.libelle_indicateur,
        indicateurs.domaine,
        indicateurs.nature,
        mois.periode,
        mois.is_partiel,
        cellules.niveau,
        cellules.code_niveau,
        cellules.libelle_niveau,
        cellules.code_parent,
        coalesce(comptes.valeur, 0) as valeur
    from indicateurs
    cross join mois
    cross join cellules
    left join comptes
        on
            indicateurs.indicateur = comptes.indicateur
            and mois.periode = comptes.periode
            and cellules.niveau = comptes.niveau
            and cellules.code_niveau = comptes.code_niveau
)

select * from final
