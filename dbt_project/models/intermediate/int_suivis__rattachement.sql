-- One row per follow-up observation of the current exports, and whether the indicators may use
-- it (docs/methodologie.md, « Parcours et suivis non rattachés »). The first rule a follow-up
-- breaks names its exclusion:
--   suivi_parcours_absent, suivi_parcours_en_quarantaine: it names a parcours the warehouse
--     does not hold (never sent, or quarantined): no end date to place its horizon;
--   suivi_parcours_autre_jeune: the parcours it names is another youth's;
--   suivi_avant_debut_parcours: dated before the parcours it names starts;
--   suivi_jeune_absent, suivi_jeune_en_quarantaine: its youth is known neither from the youth
--     files nor from a parcours: no one the indicators count.
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
        debut_date
    from {{ ref('stg_mlds__parcours') }}
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
        end as regle_exclusion
    from suivis
    left join parcours on suivis.parcours_id = parcours.parcours_id
    left join jeunes_connus on suivis.jeune_id = jeunes_connus.jeune_id
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
    regle_exclusion is null as is_retenu
from final
