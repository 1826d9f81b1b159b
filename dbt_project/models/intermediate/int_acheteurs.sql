-- One row per buyer SIRET seen in the clause register or in the DECP, with its latest name and
-- type: the register's wording wins (it is typed by the Mission des achats), the DECP fills in.
with

registre as (
    select
        siret_acheteur,
        any_value(nom_organisme_acheteur order by notification_date desc) as nom_acheteur,
        any_value(type_acheteur order by notification_date desc) as type_acheteur,
        any_value(code_academie order by notification_date desc) as code_academie,
        count(*) as nb_clauses_csf
    from {{ ref('stg_csf__clauses') }}
    where siret_acheteur is not null
    group by siret_acheteur
),

decp as (
    select
        siret_acheteur,
        any_value(acheteur_nom order by date_notification desc nulls last) as nom_acheteur,
        count(*) as nb_marches_decp
    from {{ ref('int_decp__marches') }}
    where siret_acheteur is not null
    group by siret_acheteur
),

final as (
    select
        coalesce(registre.siret_acheteur, decp.siret_acheteur) as siret_acheteur,
        coalesce(registre.nom_acheteur, decp.nom_acheteur) as nom_acheteur,
        registre.type_acheteur,
        registre.code_academie,
        coalesce(registre.nb_clauses_csf, 0) as nb_clauses_csf,
        coalesce(decp.nb_marches_decp, 0) as nb_marches_decp
    from registre
    full outer join decp on registre.siret_acheteur = decp.siret_acheteur
)

select * from final
