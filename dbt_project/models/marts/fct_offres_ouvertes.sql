-- The offers open on the observation date, one row per clause, with the next date that closes
-- them unless a youth is hosted: the end of the clause's period, or the declaration deadline of
-- an offer not yet declared (docs/methodologie.md, « Offre ouverte »). Public procurement data:
-- the MLDS of an académie reads it to position youths before offers expire.
with

offres as (
    select * from {{ ref('int_offres__ouvertures') }}
    where
        ouverture_date <= observation_date
        and fermeture_date is null
),

clauses as (
    select * from {{ ref('stg_csf__clauses') }}
),

territoires as (
    select distinct
        code_departement,
        libelle_departement
    from {{ ref('int_attente__territoires') }}
),

final as (
    select
        offres.clause_id,
        offres.code_academie,
        offres.region_academique,
        offres.code_departement,
        territoires.libelle_departement,
        clauses.siret_acheteur,
        clauses.nom_organisme_acheteur as nom_acheteur,
        clauses.nom_entreprise,
        clauses.secteur_activite_entreprise as secteur,
        clauses.heures_parcours::integer as heures_clause,
        -- What started parcours left: it tells their hours, so only a reader who may see
        -- youths is shown it (the clause's hours are public).
        offres.heures_restantes::integer as heures_restantes,
        offres.declaration_date is not null as is_declaree,
        case
            when offres.declaration_date is null
                then least(offres.echeance_declaration_date, offres.fin_periode_date)
            else offres.fin_periode_date
        end as echeance_date,
        case
            when
                offres.declaration_date is null
                and offres.echeance_declaration_date < offres.fin_periode_date
                then 'declaration'
            else 'fin_periode'
        end as motif_echeance,
        offres.observation_date
    from offres
    inner join clauses on offres.clause_id = clauses.clause_id
    left join territoires on offres.code_departement = territoires.code_departement
)

select
    *,
    date_diff('day', observation_date, echeance_date) as jours_avant_echeance
from final
