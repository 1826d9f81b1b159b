-- One row per public buyer (SIRET) of the clause register or of the DECP: public data.
with

acheteurs as (
    select * from {{ ref('int_acheteurs') }}
),

validite as (
    select
        siret,
        is_siret_valide
    from {{ ref('stg_siret__validite') }}
),

final as (
    select
        acheteurs.siret_acheteur,
        acheteurs.nom_acheteur,
        acheteurs.type_acheteur,
        acheteurs.code_academie,
        acheteurs.nb_clauses_csf,
        acheteurs.nb_marches_decp,
        validite.is_siret_valide as est_siret_valide
    from acheteurs
    left join validite on acheteurs.siret_acheteur = validite.siret
)

select * from final
