-- One row per CSF clause: the contract, its buyer and holder (public procurement data), the
-- committed and completed hours, activation and the furthest stage of the process reached.
-- The stages after the last procurement one describe a youth: etape_publique, the stage any
-- clause-level output shows, stops at that last procurement stage (decided here, once).
with

clauses as (
    select * from {{ ref('stg_csf__clauses') }}
),

activation as (
    select * from {{ ref('int_clauses__activation') }}
),

etapes as (
    select
        clause_id,
        rang_etape_atteinte
    from {{ ref('int_clauses__etapes') }}
),

definitions as (
    select * from {{ ref('ref_etapes_clause') }}
),

derniere_publique as (
    select
        rang,
        libelle
    from definitions
    where domaine = 'achats'
    qualify rang = max(rang) over ()
),

final as (
    select
        clauses.clause_id,
        clauses.marche_id,
        clauses.marche_uid,
        clauses.objet_marche,
        clauses.lot,
        clauses.siret_acheteur,
        clauses.nom_organisme_acheteur as nom_acheteur,
        clauses.type_acheteur,
        clauses.siret_titulaire,
        clauses.nom_entreprise as nom_titulaire,
        clauses.secteur_activite_entreprise as secteur,
        activation.division_cpv,
        clauses.code_academie,
        clauses.departement_parcours,
        clauses.notification_date as date_notification,
        clauses.annee_notification,
        coalesce(clauses.fin_clause_reconduction_date, clauses.fin_clause_date) as date_fin_clause,
        -- The holder must declare its offer at least 6 months before the contract ends.
        (
            coalesce(clauses.fin_clause_reconduction_date, clauses.fin_clause_date)
            - interval 6 month
        )::date as date_limite_declaration_offre,
        clauses.montant_previsionnel_ht,
        clauses.heures_parcours,
        clauses.heures_calibrees,
        clauses.is_calibrage_conforme as est_calibrage_conforme,
        activation.heures_realisees::bigint as heures_realisees,
        clauses.transmission_mlds_date as date_transmission_mlds,
        clauses.declaration_offre_date as date_declaration_offre,
        activation.premier_debut_date as date_premier_parcours,
        activation.nb_parcours_commences,
        activation.is_due_6m as est_echue_6m,
        activation.is_activated as est_activee,
        activation.is_activated_6m as est_activee_6m,
        activation.is_clause_terminee as est_terminee,
        activation.is_dormante as est_dormante,
        etapes.rang_etape_atteinte::integer as rang_etape_atteinte,
        definitions.libelle as etape_atteinte,
        case
            when etapes.rang_etape_atteinte > derniere_publique.rang
                then derniere_publique.rang
            else etapes.rang_etape_atteinte
        end::integer as rang_etape_publique,
        case
            when etapes.rang_etape_atteinte > derniere_publique.rang
                then derniere_publique.libelle
            else definitions.libelle
        end as etape_publique,
        activation.observation_date as date_observation
    from clauses
    inner join activation on clauses.clause_id = activation.clause_id
    cross join derniere_publique
    left join etapes on clauses.clause_id = etapes.clause_id
    left join definitions on etapes.rang_etape_atteinte = definitions.rang
)

select * from final
