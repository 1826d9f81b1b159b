with

-- Modifications of the current publication of each contract (it repeats earlier ones).
latest as (
    {{ latest_rows(
        'decp_marches', [decp_uid()],
        tie_breakers=['raw_rows.date_publication_donnees desc nulls last']
    ) }}
),

listed as (
    select
        {{ decp_uid('latest') }} as uid,
        json_extract(latest.modifications, '$[*]') as items
    from latest
    where json_array_length(latest.modifications) > 0
),

unnested as (
    select
        uid,
        unnest(items) as item,
        unnest(range(1, len(items) + 1)) as position_publication
    from listed
),

parsed as (
    select
        uid,
        position_publication,
        coalesce(item -> '$.modification', item) as modification
    from unnested
),

final as (
    select
        uid,
        -- Applied in order of notification; the publication order breaks ties.
        row_number() over (
            partition by uid
            order by
                try_cast(left(modification ->> '$.dateNotificationModification', 10) as date)
                nulls last,
                position_publication
        ) as rang_modification,
        position_publication,
        modification ->> '$.objetModification' as objet_modification,
        try_cast(left(modification ->> '$.dateNotificationModification', 10) as date)
            as date_notification_modification,
        try_cast(left(modification ->> '$.datePublicationDonneesModification', 10) as date)
            as date_publication_modification,
        try_cast(modification ->> '$.montant' as double) as montant,
        try_cast(modification ->> '$.dureeMois' as integer) as duree_mois,
        {{ decp_titulaires("modification -> '$.titulaires'") }} as titulaires
    from parsed
)

select * from final
