-- Every indicator as units (a clause, a youth) flagged in its numerator and denominator, so the
-- mart computes all of them with one aggregation and one disclosure rule.
with

clauses as (
    select * from {{ ref('int_clauses__activation') }}
),

jeunes as (
    select
        *,
        is_horizon_6m_atteint and situation_6m is not null and situation_6m != 'perdu_de_vue'
            as is_situation_6m_connue
    from {{ ref('int_jeunes_csf__resultats') }}
),

final as (
    select
        'nb_clauses_csf' as indicateur, clause_id as unite_id, annee_notification as annee,
        code_academie, true as is_numerateur, null::boolean as is_denominateur
    from clauses
    union all
    select
        'taux_activation_6m', clause_id, annee_notification, code_academie,
        is_due_6m and is_activated_6m, is_due_6m
    from clauses
    union all
    select 'nb_jeunes_csf', jeune_id, annee_debut, code_academie, true, null
    from jeunes
    union all
    select
        'taux_retour_formation_initiale_6m', jeune_id, annee_debut, code_academie,
        is_situation_6m_connue and situation_6m = 'retour_formation_initiale',
        is_situation_6m_connue
    from jeunes
    union all
    select
        'taux_apprentissage_6m', jeune_id, annee_debut, code_academie,
        is_situation_6m_connue and situation_6m = 'apprentissage', is_situation_6m_connue
    from jeunes
    union all
    select
        'taux_sortie_positive_6m', jeune_id, annee_debut, code_academie,
        is_situation_6m_connue and situation_6m in (
            'retour_formation_initiale', 'apprentissage', 'contrat_professionnalisation',
            'formation_professionnelle', 'emploi', 'service_civique'
        ),
        is_situation_6m_connue
    from jeunes
    union all
    select
        'taux_perdus_de_vue_6m', jeune_id, annee_debut, code_academie,
        is_horizon_6m_atteint and coalesce(situation_6m, 'perdu_de_vue') = 'perdu_de_vue',
        is_horizon_6m_atteint
    from jeunes
)

select * from final
