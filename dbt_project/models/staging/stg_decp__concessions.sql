with

latest as (
    {{ latest_rows('decp_concessions', ['coalesce(rows.uid_publie, rows.autorite_concedante_id || rows.id)']) }}
),

final as (
    select
        coalesce(uid_publie, autorite_concedante_id || id) as uid,
        id as concession_id,
        autorite_concedante_id as siret_autorite_concedante,
        nature,
        objet,
        date_signature,
        valeur_globale_brut,
        valeur_globale,
        case
            when schema_version = '2'
                then coalesce(
                    json_extract_string(considerations_sociales, '$.considerationSociale[*]'), []
                )
        end as considerations_sociales,
        schema_version
    from latest
)

select * from final
