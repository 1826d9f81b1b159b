with

latest as (
    {{ latest_rows('mlds_parcours', ['raw_rows.id_parcours']) }}
),

final as (
    select
        id_parcours as parcours_id,
        jeune_id,
        id_clause as clause_id,
        siret_entreprise,
        date_positionnement as positionnement_date,
        date_convention as convention_date,
        date_debut as debut_date,
        date_fin_prevue as fin_prevue_date,
        date_fin_reelle as fin_reelle_date,
        heures_prevues,
        heures_realisees,
        statut,
        motif_interruption,
        -- The export the row comes from (quality page: records listed per file).
        _file_sha256 as fichier_sha256
    from latest
)

select * from final
