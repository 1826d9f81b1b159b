-- Every indicator as units (a clause, a youth, a parcours) flagged in its numerator and
-- denominator, with a weight (1, or hours for the hours ratio) and the dimensions that apply to
-- it (null otherwise), so the mart computes all of them with one aggregation and one disclosure
-- rule.
{#- The indicators counted over a table of units, one select each: the unit's table (a CTE
    below), whether it is in the numerator and in the denominator (null: a count has none), and
    their weights (1 unless given: hours for the hours ratio). Each unit carries its table's
    dimensions; the others stay null (union all by name). -#}
{%- set tables = {
    'clauses': {
        'unite_id': 'clause_id',
        'annee': 'annee_notification',
        'dimensions': ['code_academie', 'secteur', 'type_acheteur', 'siret_acheteur', 'division_cpv'],
    },
    'marches': {
        'unite_id': 'uid',
        'annee': 'annee_notification',
        'dimensions': ['siret_acheteur', 'division_cpv'],
    },
    'jeunes': {
        'unite_id': 'jeune_id',
        'annee': 'annee_debut',
        'dimensions': ['code_academie', 'secteur', 'sexe', 'tranche_age'],
    },
    'parcours': {
        'unite_id': 'parcours_id',
        'annee': 'annee_debut',
        'dimensions': ['code_academie', 'secteur', 'sexe', 'tranche_age'],
    },
} %}
{%- set indicateurs = [
    {'code': 'nb_clauses_csf', 'table': 'clauses', 'numerateur': 'true'},
    {
        'code': 'taux_activation_6m', 'table': 'clauses',
        'numerateur': 'is_due_6m and is_activated_6m', 'denominateur': 'is_due_6m',
    },
    {
        'code': 'taux_activation', 'table': 'clauses',
        'numerateur': 'is_clause_terminee and is_activated', 'denominateur': 'is_clause_terminee',
    },
    {
        'code': 'conformite_calibrage', 'table': 'clauses',
        'numerateur': 'is_calibrage_conforme', 'denominateur': 'is_calibrage_conforme is not null',
    },
    {
        'code': 'taux_realisation_heures', 'table': 'clauses',
        'numerateur': 'is_clause_terminee', 'denominateur': 'is_clause_terminee and heures_parcours > 0',
        'poids_numerateur': 'heures_realisees', 'poids_denominateur': 'heures_parcours',
    },
    {'code': 'nb_clauses_dormantes', 'table': 'clauses', 'numerateur': 'is_dormante'},
    {
        'code': 'part_marches_clause_sociale', 'table': 'marches',
        'numerateur': 'a_clause_sociale', 'denominateur': 'a_clause_sociale is not null',
    },
    {'code': 'nb_jeunes_csf', 'table': 'jeunes', 'numerateur': 'true'},
    {'code': 'nb_parcours', 'table': 'parcours', 'numerateur': 'true'},
    {
        'code': 'taux_achevement', 'table': 'parcours',
        'numerateur': "statut_observe = 'termine'",
        'denominateur': "statut_observe in ('termine', 'interrompu')",
    },
] %}
with

clauses as (
    -- A clause notified after the observation date does not exist yet (hard cut-off).
    select * from {{ ref('int_clauses__activation') }}
    where is_notifiee
),

marches as (
    -- part_marches_clause_sociale is v2 only: v1.5 has no social-considerations field, so its
    -- contracts (a_clause_sociale null) stay out of both its numerator and its denominator.
    select marches.*
    from {{ ref('int_decp__marches') }} as marches
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
    {%- for indicateur in indicateurs %}
        {%- set table = tables[indicateur.table] %}
        select
            '{{ indicateur.code }}' as indicateur,
            {{ table.unite_id }} as unite_id,
            {{ table.annee }} as annee,
            {{ indicateur.numerateur }} as is_numerateur,
            {{ indicateur.get('denominateur', 'null::boolean') }} as is_denominateur,
            {{ indicateur.get('poids_numerateur', 1) }} as poids_numerateur,
            {{ indicateur.get('poids_denominateur', 1) }} as poids_denominateur,
            {{ table.dimensions | join(',\n            ') }}
        from {{ indicateur.table }}
        union all by name
    {%- endfor %}
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
