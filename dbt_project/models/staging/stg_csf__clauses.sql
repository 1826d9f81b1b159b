with

historiques as (
    select * from {{ ref('ref_academies_historiques') }}
),

latest as (
    {{ latest_rows('csf_clauses', ['raw_rows.id_clause']) }}
),

final as (
    select
        latest.id_clause as clause_id,
        latest.id_marche as marche_id,
        latest.siret_acheteur,
        latest.siret_acheteur || latest.id_marche as marche_uid,
        latest.nom_organisme_acheteur,
        latest.type_acheteur,
        latest.objet_marche,
        latest.lot,
        latest.date_notification_marche as notification_date,
        year(latest.date_notification_marche) as annee_notification,
        latest.date_fin_clause_sociale as fin_clause_date,
        latest.date_fin_clause_sociale_reconduction_comprise as fin_clause_reconduction_date,
        latest.montant_previsionnel_ht,
        latest.heures_parcours,
        latest.heures_parcours in (150, 300, 450, 900) as is_heures_valides,
        -- Calibration on the firm period's forecast amount (buyers' guide).
        case
            when latest.montant_previsionnel_ht < 100000 then 150
            when latest.montant_previsionnel_ht < 200000 then 300
            when latest.montant_previsionnel_ht < 400000 then 450
            when latest.montant_previsionnel_ht >= 400000 then 900
        end as heures_calibrees,
        latest.siret_titulaire,
        latest.nom_entreprise,
        latest.secteur_activite_entreprise,
        coalesce(historiques.code_academie, latest.academie_parcours) as code_academie,
        latest.departement_parcours,
        latest.fiche_entreprise_recue as has_fiche_entreprise,
        latest.date_transmission_mlds as transmission_mlds_date,
        latest.date_declaration_offre as declaration_offre_date
    from latest
    left join historiques on latest.academie_parcours = historiques.code_historique
)

select
    *,
    heures_parcours = heures_calibrees as is_calibrage_conforme
from final
