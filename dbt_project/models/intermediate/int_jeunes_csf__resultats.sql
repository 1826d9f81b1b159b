-- One row per youth who started a CSF parcours: their reference parcours (the latest started)
-- and their situation 6 months after its end, censored at the observation date (every horizon:
-- int_jeunes_csf__horizons).
with

parcours as (
    -- Every parcours, whatever its clause or youth (int_parcours__rattachement): they are real
    -- youths, counted on the youth side even when their clause is unknown.
    select * from {{ ref('int_parcours__rattachement') }}
),

jeunes as (
    select * from {{ ref('stg_mlds__jeunes') }}
),

clauses as (
    select
        clause_id,
        code_academie,
        secteur_activite_entreprise
    from {{ ref('stg_csf__clauses') }}
),

suivis as (
    -- Follow-ups the cross-file rules leave out are not used (int_suivis__rattachement).
    select * from {{ ref('int_suivis__rattachement') }}
    where is_retenu
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

reference as (
    select parcours.*
    from parcours
    where parcours.is_commence
    qualify row_number() over (
        partition by parcours.jeune_id order by parcours.debut_date desc, parcours.parcours_id desc
    ) = 1
),

suivi_6m as (
    -- An observation tied to the reference parcours wins over one recorded without a parcours.
    select
        reference.jeune_id,
        suivis.situation
    from reference
    inner join suivis
        on
            reference.jeune_id = suivis.jeune_id
            and (reference.parcours_id = suivis.parcours_id or suivis.parcours_id is null)
    where suivis.horizon = '6_mois'
    qualify row_number() over (
        partition by reference.jeune_id
        order by (suivis.parcours_id is null), suivis.observation_date desc
    ) = 1
),

final as (
    select
        reference.jeune_id,
        reference.parcours_id,
        coalesce(jeunes.code_academie, clauses.code_academie) as code_academie,
        year(reference.debut_date) as annee_debut,
        year(jeunes.entree_mlds_date) as annee_entree_mlds,
        jeunes.sexe,
        {{ tranche_age('jeunes.age_entree') }} as tranche_age,
        jeunes.derniere_classe,
        clauses.secteur_activite_entreprise as secteur,
        reference.fin_reelle_date,
        suivi_6m.situation as situation_6m,
        -- Censoring: the 6-month horizon counts only once it has elapsed since the end.
        coalesce(
            (reference.fin_reelle_date + interval 6 month)::date <= observation.observation_date,
            false
        ) as is_horizon_6m_atteint
    from reference
    cross join observation
    left join jeunes on reference.jeune_id = jeunes.jeune_id
    left join clauses on reference.clause_id = clauses.clause_id
    left join suivi_6m on reference.jeune_id = suivi_6m.jeune_id
)

select * from final
