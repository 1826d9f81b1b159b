-- One row per follow-up observation of the current exports, and whether the indicators may use
-- it (docs/methodologie.md, « Parcours et suivis non rattachés »). The first rule a follow-up
-- breaks names its exclusion:
--   suivi_parcours_absent, suivi_parcours_en_quarantaine: it names a parcours the warehouse
--     does not hold (never sent, or quarantined): no end date to place its horizon;
--   suivi_parcours_autre_jeune: the parcours it names is another youth's;
--   suivi_avant_debut_parcours: dated before the parcours it names starts;
--   suivi_jeune_absent, suivi_jeune_en_quarantaine: its youth is known neither from the youth
--     files nor from a parcours: no one the indicators count;
--   suivi_hors_fenetre: it names no parcours and falls in no horizon window: for a youth who had
--     parcours, the window of horizon h of an ended parcours runs from h - 3 months (at the
--     earliest the end) to h + 3 months after its end, and the latest ended parcours whose window
--     holds the date is the one described; for a youth who had none, their MLDS exit likewise.
-- A retained follow-up is attached to a parcours (parcours_rattache_id: the one it names, else the
-- one whose window it falls in). It is used (is_utilisable) only if dated on or before the
-- observation date: a later one has not happened yet (not an exclusion: nothing is wrong with it).
-- These rules compare rows of different files, possibly loaded by different runs, so they are
-- decided here rather than at reading: the row stays in the warehouse, out of the indicators,
-- and is listed per file on the quality page next to the quarantined ones (qualite_regles).
with

suivis as (
    select * from {{ ref('stg_mlds__suivis') }}
),

parcours as (
    select
        parcours_id,
        jeune_id,
        debut_date,
        fin_reelle_date,
        -- Ended, as the export says: the only parcours a follow-up without one can describe.
        debut_date is not null
        and fin_reelle_date is not null
        and statut in ('termine', 'interrompu') as is_termine
    from {{ ref('stg_mlds__parcours') }}
),

observation as (
    select observation_date from {{ ref('int_observation_date') }}
),

horizons as (
    {{ horizons_suivi() }}
),

fenetres_parcours as (
    -- A follow-up without a parcours: the latest ended parcours of the youth whose window for
    -- that horizon holds its date.
    select
        suivis.jeune_id,
        suivis.horizon,
        suivis.observation_date,
        parcours.parcours_id
    from suivis
    inner join horizons on suivis.horizon = horizons.horizon
    inner join parcours
        on
            suivis.jeune_id = parcours.jeune_id
            and parcours.is_termine
            and suivis.observation_date
            >= (parcours.fin_reelle_date + to_months(greatest(horizons.mois - 3, 0)))::date
            and suivis.observation_date
            <= (parcours.fin_reelle_date + to_months(horizons.mois + 3))::date
    where suivis.parcours_id is null
    qualify row_number() over (
        partition by suivis.jeune_id, suivis.horizon, suivis.observation_date
        order by parcours.fin_reelle_date desc, parcours.parcours_id desc
    ) = 1
),

fenetres_sortie as (
    -- A youth who had no parcours: their exit from the MLDS (latest episode at the observation
    -- date), as for the comparison group's horizons.
    select
        suivis.jeune_id,
        suivis.horizon,
        suivis.observation_date,
        suivis.observation_date
        >= (episodes.sortie_mlds_date + to_months(greatest(horizons.mois - 3, 0)))::date
        and suivis.observation_date
        <= (episodes.sortie_mlds_date + to_months(horizons.mois + 3))::date as is_dans_fenetre
    from suivis
    inner join horizons on suivis.horizon = horizons.horizon
    inner join {{ ref('int_jeunes__episode_observe') }} as episodes
        on suivis.jeune_id = episodes.jeune_id
    where suivis.parcours_id is null
),

avec_parcours as (
    select distinct jeune_id from parcours
),

jeunes_connus as (
    select jeune_id from {{ ref('stg_mlds__jeunes') }}
    union
    select jeune_id from parcours
),

quarantaine as (
    select * from {{ ref('int_quarantaine__cles') }}
),

final as (
    select
        suivis.*,
        case
            when suivis.parcours_id is not null and parcours.parcours_id is null
                then
                    case
                        when parcours_en_quarantaine.valeur is not null
                            then 'suivi_parcours_en_quarantaine'
                        else 'suivi_parcours_absent'
                    end
            when parcours.jeune_id != suivis.jeune_id then 'suivi_parcours_autre_jeune'
            when suivis.observation_date < parcours.debut_date then 'suivi_avant_debut_parcours'
            when jeunes_connus.jeune_id is null
                then
                    case
                        when jeune_en_quarantaine.valeur is not null
                            then 'suivi_jeune_en_quarantaine'
                        else 'suivi_jeune_absent'
                    end
            when
                suivis.parcours_id is null
                and avec_parcours.jeune_id is not null
                and fenetres_parcours.parcours_id is null
                then 'suivi_hors_fenetre'
            when
                suivis.parcours_id is null
                and avec_parcours.jeune_id is null
                and not coalesce(fenetres_sortie.is_dans_fenetre, false)
                then 'suivi_hors_fenetre'
        end as regle_exclusion,
        coalesce(suivis.parcours_id, fenetres_parcours.parcours_id) as parcours_rattache_id,
        coalesce(suivis.observation_date <= observation.observation_date, false) as is_observe
    from suivis
    cross join observation
    left join parcours on suivis.parcours_id = parcours.parcours_id
    left join jeunes_connus on suivis.jeune_id = jeunes_connus.jeune_id
    left join avec_parcours on suivis.jeune_id = avec_parcours.jeune_id
    left join fenetres_parcours
        on
            suivis.jeune_id = fenetres_parcours.jeune_id
            and suivis.horizon = fenetres_parcours.horizon
            and suivis.observation_date = fenetres_parcours.observation_date
    left join fenetres_sortie
        on
            suivis.jeune_id = fenetres_sortie.jeune_id
            and suivis.horizon = fenetres_sortie.horizon
            and suivis.observation_date = fenetres_sortie.observation_date
    left join quarantaine as parcours_en_quarantaine
        on
            parcours_en_quarantaine.source = 'mlds_parcours'
            and parcours_en_quarantaine.cle = 'id_parcours'
            and suivis.parcours_id = parcours_en_quarantaine.valeur
    left join quarantaine as jeune_en_quarantaine
        on
            jeune_en_quarantaine.source = 'mlds_jeunes'
            and jeune_en_quarantaine.cle = 'jeune_id'
            and suivis.jeune_id = jeune_en_quarantaine.valeur
)

select
    *,
    regle_exclusion is null as is_retenu,
    -- What the indicators read: retained, and happened by the observation date.
    regle_exclusion is null and is_observe as is_utilisable
from final
