-- One row per youth of the MLDS youth files, and whether they had a CSF parcours
-- (docs/methodologie.md, « Parcours et suivis non rattachés »): parcours_charge when a parcours
-- of theirs is in the warehouse; parcours_non_charge when the exports show one that is not (a
-- quarantined parcours record names them, or a follow-up of theirs names a parcours): such a
-- youth is neither a CSF youth (no parcours to measure) nor a comparison youth (they had one),
-- and is listed on the quality page; sans_parcours otherwise: the comparison group's youths.
with

jeunes as (
    select
        jeune_id,
        fichier_sha256
    from {{ ref('stg_mlds__jeunes') }}
),

avec_parcours as (
    select distinct jeune_id from {{ ref('stg_mlds__parcours') }}
),

parcours_signales as (
    select valeur as jeune_id from {{ ref('int_quarantaine__cles') }}
    where source = 'mlds_parcours' and cle = 'jeune_id'
    union
    select jeune_id from {{ ref('stg_mlds__suivis') }}
    where parcours_id is not null
),

final as (
    select
        jeunes.jeune_id,
        jeunes.fichier_sha256,
        case
            when avec_parcours.jeune_id is not null then 'parcours_charge'
            when parcours_signales.jeune_id is not null then 'parcours_non_charge'
            else 'sans_parcours'
        end as rattachement_parcours
    from jeunes
    left join avec_parcours on jeunes.jeune_id = avec_parcours.jeune_id
    left join parcours_signales on jeunes.jeune_id = parcours_signales.jeune_id
)

select
    *,
    rattachement_parcours = 'sans_parcours' as is_comparable
from final
