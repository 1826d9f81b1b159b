with

latest as (
    {{ latest_rows(
        'decp_concessions',
        ['coalesce(raw_rows.uid_publie, raw_rows.autorite_concedante_id || raw_rows.id)']
    ) }}
),

final as (
    select
        id as concession_id,
        autorite_concedante_id as siret_autorite_concedante,
        nature,
        objet,
        date_signature,
        valeur_globale_brut,
        valeur_globale,
        schema_version,
        coalesce(uid_publie, autorite_concedante_id || id) as uid,
        case
            when schema_version = '2'
                then coalesce(
                    json_extract_string(considerations_sociales, '$.considerationSociale[*]'), []
                )
        end as considerations_sociales
    from latest
)

select * from final
