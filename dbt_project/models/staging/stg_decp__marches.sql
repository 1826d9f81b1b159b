-- The latest publication of each DECP contract (the same contract is often published several
-- times), as published: CPV normalised, quirks flagged, not rejected. Its modifications, its
-- number of publications and its SIRETs' validity are joined in int_decp__marches.
with

latest as (
    {{ latest_rows(
        'decp_marches', [decp_uid()],
        tie_breakers=['raw_rows.date_publication_donnees desc nulls last']
    ) }}
),

contracts as (
    select
        {{ decp_uid('latest') }} as uid,
        latest.id as marche_id,
        latest.acheteur_id as siret_acheteur,
        latest.acheteur ->> '$.nom' as acheteur_nom,
        latest.nature,
        latest.objet,
        latest.code_cpv as code_cpv_brut,
        {{ cpv_normalise('latest.code_cpv') }} as code_cpv,
        latest.procedure,
        latest.lieu_execution ->> '$.code' as lieu_execution_code,
        latest.lieu_execution ->> '$.typeCode' as lieu_execution_type,
        latest.duree_mois_brut,
        latest.duree_mois as duree_mois_initiale,
        latest.date_notification,
        latest.date_publication_donnees,
        latest.montant_brut,
        -- Placeholder amounts (1 €, sometimes 0) carry no information: null, and flagged.
        latest.montant <= 1 as is_montant_fictif,
        case when latest.montant > 1 then latest.montant end as montant_initial,
        {{ decp_titulaires('latest.titulaires') }} as titulaires_initiaux,
        case
            when latest.schema_version = '2'
                then coalesce(
                    json_extract_string(
                        latest.considerations_sociales, '$.considerationSociale[*]'
                    ),
                    []
                )
        end as considerations_sociales,
        latest.schema_version
    from latest
),

final as (
    select
        uid,
        marche_id,
        siret_acheteur,
        acheteur_nom,
        nature,
        objet,
        code_cpv_brut,
        code_cpv,
        left(code_cpv, 2) as division_cpv,
        {{ cpv_categorie('left(code_cpv, 2)') }} as categorie_cpv,
        procedure,
        lieu_execution_code,
        lieu_execution_type,
        duree_mois_brut,
        duree_mois_brut = 'NC' as is_duree_non_communiquee,
        duree_mois_initiale,
        date_notification,
        year(date_notification) as annee_notification,
        date_publication_donnees,
        montant_brut,
        is_montant_fictif,
        montant_initial,
        titulaires_initiaux,
        considerations_sociales,
        -- v1.5 has no such field: unknown (null), never "no".
        list_contains(considerations_sociales, 'Clause sociale') as a_clause_sociale,
        len(list_filter(
            considerations_sociales,
            lambda c: c in ('Clause sociale', 'Critère social', 'Marché réservé')  -- noqa: RF02
        )) > 0 as a_consideration_sociale,
        schema_version
    from contracts
)

select * from final
