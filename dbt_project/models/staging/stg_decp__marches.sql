with

latest as (
    -- The same contract is often published several times: keep the latest publication.
    {{ latest_rows('decp_marches', ['rows.uid'], tie_breakers=['rows.date_publication_donnees desc nulls last']) }}
),

final as (
    select
        uid,
        id as marche_id,
        acheteur_id as siret_acheteur,
        acheteur_nom,
        nature,
        objet,
        -- CPV arrive with or without check digit, sometimes without its leading zero.
        lpad(regexp_extract(code_cpv, '^\s*(\d+)', 1), 8, '0') as code_cpv,
        left(lpad(regexp_extract(code_cpv, '^\s*(\d+)', 1), 8, '0'), 2) as division_cpv,
        procedure,
        duree_mois,
        duree_mois_brut = 'NC' as is_duree_non_communiquee,
        date_notification,
        year(date_notification) as annee_notification,
        date_publication_donnees,
        montant,
        montant is not null and montant <= 1 as is_montant_fictif,
        titulaire_principal_id,
        titulaire_principal_type,
        considerations_sociales,
        a_clause_sociale,
        schema_version
    from latest
)

select * from final
