-- The action list for buyers: clauses notified at least 6 months ago, with no parcours started,
-- whose period still runs; the oldest first, with the date by which the holder must declare its
-- offer and the académie whose MLDS to call (as a role, never a person).
with

clauses as (
    select * from {{ ref('fct_clauses') }}
),

academies as (
    select * from {{ ref('dim_academies') }}
),

final as (
    select
        clauses.clause_id,
        clauses.marche_id,
        clauses.objet_marche,
        clauses.siret_acheteur,
        clauses.nom_acheteur,
        clauses.type_acheteur,
        clauses.siret_titulaire,
        clauses.nom_titulaire,
        clauses.secteur,
        clauses.code_academie,
        academies.libelle_academie,
        coalesce(academies.contact_mlds, 'MLDS de l''académie ' || clauses.code_academie)
            as contact_mlds,
        clauses.date_notification,
        date_diff('month', clauses.date_notification, clauses.date_observation)
            as mois_depuis_notification,
        clauses.date_fin_clause,
        clauses.date_limite_declaration_offre,
        clauses.date_limite_declaration_offre < clauses.date_observation
            as est_delai_offre_depasse,
        clauses.heures_parcours,
        clauses.date_transmission_mlds,
        clauses.date_declaration_offre,
        clauses.etape_atteinte,
        clauses.date_observation
    from clauses
    left join academies on clauses.code_academie = academies.code_academie
    where clauses.est_dormante
)

select * from final
