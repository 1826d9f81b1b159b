with

-- The same contract is often published several times: keep the latest publication.
latest as (
    {{ latest_rows(
        'decp_marches', [decp_uid()],
        tie_breakers=['raw_rows.date_publication_donnees desc nulls last']
    ) }}
),

publications as (
    select
        {{ decp_uid() }} as uid,
        count(*) as nb_publications
    from {{ source('raw', 'decp_marches') }} as raw_rows
    group by all
),

modifications as (
    select * from {{ ref('stg_decp__modifications') }}
),

-- Current state: each field takes its value from the last modification that set it.
current_state as (
    select
        uid,
        count(*) as nb_modifications,
        arg_max(montant, rang_modification) filter (where montant is not null) as montant,
        arg_max(duree_mois, rang_modification) filter (where duree_mois is not null)
            as duree_mois,
        arg_max(titulaires, rang_modification) filter (where titulaires is not null)
            as titulaires
    from modifications
    group by uid
),

siret as (
    select * from {{ ref('stg_siret__validite') }}
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
        contracts.uid,
        contracts.marche_id,
        contracts.siret_acheteur,
        acheteur_siret.is_siret_valide as is_siret_acheteur_valide,
        contracts.acheteur_nom,
        contracts.nature,
        contracts.objet,
        contracts.code_cpv_brut,
        contracts.code_cpv,
        left(contracts.code_cpv, 2) as division_cpv,
        {{ cpv_categorie('left(contracts.code_cpv, 2)') }} as categorie_cpv,
        contracts.procedure,
        contracts.lieu_execution_code,
        contracts.lieu_execution_type,
        contracts.duree_mois_brut,
        contracts.duree_mois_brut = 'NC' as is_duree_non_communiquee,
        contracts.duree_mois_initiale,
        coalesce(current_state.duree_mois, contracts.duree_mois_initiale) as duree_mois,
        contracts.date_notification,
        year(contracts.date_notification) as annee_notification,
        contracts.date_publication_donnees,
        contracts.montant_brut,
        contracts.is_montant_fictif,
        contracts.montant_initial,
        case
            when current_state.montant > 1 then current_state.montant
            else contracts.montant_initial
        end as montant,
        contracts.titulaires_initiaux,
        coalesce(current_state.titulaires, contracts.titulaires_initiaux) as titulaires,
        coalesce(current_state.titulaires, contracts.titulaires_initiaux)[1].id
            as titulaire_principal_id,
        coalesce(current_state.titulaires, contracts.titulaires_initiaux)[1].type_identifiant
            as titulaire_principal_type,
        case
            when
                coalesce(current_state.titulaires, contracts.titulaires_initiaux)[1].type_identifiant
                = 'SIRET'
                then coalesce(titulaire_siret.is_siret_valide, false)
        end as is_siret_titulaire_valide,
        contracts.considerations_sociales,
        -- v1.5 has no such field: unknown (null), never "no".
        list_contains(contracts.considerations_sociales, 'Clause sociale') as a_clause_sociale,
        len(list_filter(
            contracts.considerations_sociales,
            lambda c: c in ('Clause sociale', 'Critère social', 'Marché réservé')  -- noqa: RF02
        )) > 0 as a_consideration_sociale,
        coalesce(current_state.nb_modifications, 0) as nb_modifications,
        publications.nb_publications,
        contracts.schema_version
    from contracts
    left join current_state on contracts.uid = current_state.uid
    left join publications on contracts.uid = publications.uid
    left join siret as acheteur_siret on contracts.siret_acheteur = acheteur_siret.siret
    left join siret as titulaire_siret
        on
            coalesce(current_state.titulaires, contracts.titulaires_initiaux)[1].id
            = titulaire_siret.siret
)

select * from final
