-- One row per MLDS episode entered by the observation date: whether the youth waits for a CSF
-- parcours, and from when to when (docs/methodologie.md, « Jeune en attente »). A youth is
-- oriented to a CSF parcours when the MLDS says so (action « parcours CSF ») or when the episode
-- holds a CSF parcours (a positioned youth was oriented). Waiting runs from the MLDS entry to the
-- first parcours start or the MLDS exit, whichever comes first; only what happened by the
-- observation date ends it. An episode whose action is missing and that holds no parcours is
-- counted apart (« action non renseignée »), never dropped nor added to the waiting youths.
with

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

episodes as (
    select episodes.*
    from {{ ref('stg_mlds__episodes') }} as episodes
    cross join observation
    where episodes.entree_mlds_date <= observation.observation_date
),

territoires as (
    select * from {{ ref('int_attente__territoires') }}
),

parcours as (
    -- The episode's parcours, as every indicator attaches them (int_parcours__rattachement).
    select
        parcours.jeune_id,
        parcours.entree_mlds_date,
        min(parcours.positionnement_date) filter (
            where parcours.positionnement_date <= observation.observation_date
        ) as premier_positionnement_date,
        min(parcours.debut_date) filter (where parcours.is_commence) as premier_debut_date,
        count(*) as nb_parcours
    from {{ ref('int_parcours__rattachement') }} as parcours
    cross join observation
    where parcours.is_jeune_connu
    group by parcours.jeune_id, parcours.entree_mlds_date
),

final as (
    select
        episodes.jeune_id,
        episodes.entree_mlds_date,
        territoires.code_academie,
        territoires.code_departement,
        territoires.region_academique,
        episodes.action_mlds,
        coalesce(
            episodes.action_mlds = 'parcours_csf' or parcours.nb_parcours > 0, false
        ) as is_oriente_csf,
        episodes.action_mlds is null and parcours.nb_parcours is null
            as is_action_non_renseignee,
        -- A parcours started before the MLDS entry is read as started on entry. (DuckDB's
        -- greatest and least skip nulls: « not yet » is kept explicitly.)
        case
            when parcours.premier_debut_date is not null
                then greatest(parcours.premier_debut_date, episodes.entree_mlds_date)
        end as premier_debut_date,
        -- A youth started without a recorded positioning was positioned by then.
        case
            when
                coalesce(parcours.premier_positionnement_date, parcours.premier_debut_date)
                is not null
                then greatest(
                    least(parcours.premier_positionnement_date, parcours.premier_debut_date),
                    episodes.entree_mlds_date
                )
        end as premier_positionnement_date,
        case
            when episodes.sortie_mlds_date <= observation.observation_date
                then greatest(episodes.sortie_mlds_date, episodes.entree_mlds_date)
        end as sortie_date,
        observation.observation_date
    from episodes
    cross join observation
    inner join territoires
        on
            episodes.code_academie is not distinct from territoires.source_academie
            and episodes.departement is not distinct from territoires.source_departement
    left join parcours
        on
            episodes.jeune_id = parcours.jeune_id
            and episodes.entree_mlds_date = parcours.entree_mlds_date
)

select
    *,
    -- The first day the youth no longer waits (null: still waiting on the observation date).
    least(premier_debut_date, sortie_date) as fin_attente_date
from final
