-- One row per youth with a CSF parcours and per follow-up horizon (exit, 3, 6, 12 months after
-- the end of their reference parcours): whether the horizon has elapsed at the observation date,
-- and the situation observed then.
with

resultats as (
    select * from {{ ref('int_jeunes_csf__resultats') }}
),

suivis as (
    -- Follow-ups the cross-file rules leave out are not used (int_suivis__rattachement).
    select * from {{ ref('int_suivis__rattachement') }}
    where is_retenu
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

horizons as (
    {{ horizons_suivi() }}
),

observed as (
    -- An observation tied to the reference parcours wins over one recorded without a parcours.
    select
        resultats.jeune_id,
        suivis.horizon,
        suivis.situation
    from resultats
    inner join suivis
        on
            resultats.jeune_id = suivis.jeune_id
            and (resultats.parcours_id = suivis.parcours_id or suivis.parcours_id is null)
    qualify row_number() over (
        partition by resultats.jeune_id, suivis.horizon
        order by (suivis.parcours_id is null), suivis.observation_date desc
    ) = 1
),

final as (
    select
        resultats.jeune_id,
        resultats.parcours_id,
        resultats.code_academie,
        resultats.annee_debut,
        resultats.sexe,
        resultats.tranche_age,
        resultats.derniere_classe,
        resultats.annee_entree_mlds,
        resultats.secteur,
        horizons.horizon,
        horizons.suffixe,
        -- Censoring: horizon h counts only once h months have elapsed since the parcours end.
        coalesce(
            (resultats.fin_reelle_date + to_months(horizons.mois))::date
            <= observation.observation_date,
            false
        ) as is_horizon_atteint,
        observed.situation
    from resultats
    cross join horizons
    cross join observation
    left join observed
        on resultats.jeune_id = observed.jeune_id and horizons.horizon = observed.horizon
)

select * from final
