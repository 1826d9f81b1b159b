-- One row per youth oriented to a CSF parcours, event (first positioning, first parcours start)
-- and cell (national, région académique, académie; entry year and « ensemble »): the days from
-- the MLDS entry to the event, or to the MLDS exit or the observation date when it has not
-- happened (censored). What the waiting-time quantiles and curves are computed from.
with

jeunes as (
    select * from {{ ref('int_attente__jeunes') }}
    where is_oriente_csf
),

durees as (
    select
        jeunes.jeune_id,
        year(jeunes.entree_mlds_date) as annee_entree,
        jeunes.code_academie,
        jeunes.region_academique,
        evenements.evenement,
        evenements.evenement_date is not null as is_evenement,
        date_diff(
            'day',
            jeunes.entree_mlds_date,
            coalesce(
                evenements.evenement_date,
                least(jeunes.sortie_date, jeunes.observation_date)
            )
        ) as duree_jours,
        jeunes.premier_debut_date is null and jeunes.sortie_date is not null as is_sorti_sans_parcours
    from jeunes
    cross join unnest([
        { 'evenement': 'positionnement', 'evenement_date': jeunes.premier_positionnement_date },
        { 'evenement': 'debut_parcours', 'evenement_date': jeunes.premier_debut_date }
    ]) as evenements (evenements)
),

final as (
    {{ cellules('durees', {
        'region_academique': 'region_academique',
        'academie': 'code_academie',
    }, 'annee_entree') }}
)

select * from final
