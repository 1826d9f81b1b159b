-- Every indicator as units (a clause, a youth, a parcours) flagged in its numerator and
-- denominator, with a weight (1, or hours for the hours ratio) and the dimensions that apply to
-- it (null otherwise), so the mart computes all of them with one aggregation and one disclosure
-- rule.
with

clauses as (
    -- A clause notified after the observation date does not exist yet (hard cut-off).
    select * from {{ ref('int_clauses__activation') }}
    where is_notifiee
),

marches as (
    select marches.*
    from {{ ref('stg_decp__marches') }} as marches
    cross join {{ ref('int_observation_date') }} as observation
    where coalesce(marches.date_notification <= observation.observation_date, true)
),

jeunes as (
    -- Each youth once, described by their first started parcours.
    select * from {{ ref('int_jeunes_csf__resultats') }}
),

mesures as (
    {{ mesures_resultats() }}
),

horizons as (
    -- One row per started parcours and horizon: outcomes are counted per parcours.
    select * from {{ ref('int_jeunes_csf__horizons') }}
),

parcours as (
    -- Every started parcours, whatever its clause or youth, described by its own episode and
    -- its status at the observation date (int_parcours__rattachement).
    select * from {{ ref('int_parcours__rattachement') }}
    where is_commence
),

units as (
    select
        'nb_clauses_csf' as indicateur,
        clause_id as unite_id,
        annee_notification as annee,
        true as is_numerateur,
        null::boolean as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur,
        code_academie,
        secteur,
        type_acheteur,
        siret_acheteur,
        division_cpv
    from clauses
    union all by name
    select
        'taux_activation_6m' as indicateur,
        clause_id as unite_id,
        annee_notification as annee,
        is_due_6m and is_activated_6m as is_numerateur,
        is_due_6m as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur,
        code_academie,
        secteur,
        type_acheteur,
        siret_acheteur,
        division_cpv
    from clauses
    union all by name
    select
        'taux_activation' as indicateur,
        clause_id as unite_id,
        annee_notification as annee,
        is_clause_terminee and is_activated as is_numerateur,
        is_clause_terminee as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur,
        code_academie,
        secteur,
        type_acheteur,
        siret_acheteur,
        division_cpv
    from clauses
    union all by name
    select
        'conformite_calibrage' as indicateur,
        clause_id as unite_id,
        annee_notification as annee,
        is_calibrage_conforme as is_numerateur,
        is_calibrage_conforme is not null as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur,
        code_academie,
        secteur,
        type_acheteur,
        siret_acheteur,
        division_cpv
    from clauses
    union all by name
    select
        'taux_realisation_heures' as indicateur,
        clause_id as unite_id,
        annee_notification as annee,
        is_clause_terminee as is_numerateur,
        is_clause_terminee and heures_parcours > 0 as is_denominateur,
        heures_realisees as poids_numerateur,
        heures_parcours as poids_denominateur,
        code_academie,
        secteur,
        type_acheteur,
        siret_acheteur,
        division_cpv
    from clauses
    union all by name
    select
        'nb_clauses_dormantes' as indicateur,
        clause_id as unite_id,
        annee_notification as annee,
        is_dormante as is_numerateur,
        null::boolean as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur,
        code_academie,
        secteur,
        type_acheteur,
        siret_acheteur,
        division_cpv
    from clauses
    union all by name
    select
        -- v2 only: v1.5 has no social-considerations field, so its contracts stay out of both.
        'part_marches_clause_sociale' as indicateur,
        uid as unite_id,
        annee_notification as annee,
        a_clause_sociale as is_numerateur,
        a_clause_sociale is not null as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur,
        siret_acheteur,
        division_cpv
    from marches
    union all by name
    select
        'nb_jeunes_csf' as indicateur,
        jeune_id as unite_id,
        annee_debut as annee,
        true as is_numerateur,
        null::boolean as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur,
        code_academie,
        secteur,
        sexe,
        tranche_age
    from jeunes
    union all by name
    select
        'nb_parcours' as indicateur,
        parcours_id as unite_id,
        annee_debut as annee,
        true as is_numerateur,
        null::boolean as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur,
        code_academie,
        secteur,
        sexe,
        tranche_age
    from parcours
    union all by name
    select
        'taux_achevement' as indicateur,
        parcours_id as unite_id,
        annee_debut as annee,
        statut_observe = 'termine' as is_numerateur,
        statut_observe in ('termine', 'interrompu') as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur,
        code_academie,
        secteur,
        sexe,
        tranche_age
    from parcours
    union all by name
    select
        -- Every outcome rate at every horizon (int_jeunes_comparaison__cellules: same rules).
        mesures.mesure || '_' || horizons.suffixe as indicateur,
        horizons.parcours_id as unite_id,
        horizons.annee_debut as annee,
        {{ resultat_numerateur('mesures', 'horizons') }} as is_numerateur,
        {{ resultat_denominateur('mesures', 'horizons') }} as is_denominateur,
        1 as poids_numerateur,
        1 as poids_denominateur,
        horizons.code_academie,
        horizons.secteur,
        horizons.sexe,
        horizons.tranche_age
    from horizons
    cross join mesures
),

final as (
    select * from units
)

select * from final
