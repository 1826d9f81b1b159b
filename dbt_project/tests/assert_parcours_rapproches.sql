-- The youth and procurement sides count the same parcours (qualite_rapprochement): every started
-- parcours of fct_parcours is either counted by fct_clauses or on a « parcours sans clause
-- connue » line, and the nb_parcours indicator counts them all. Blocking: whatever the data,
-- a failure means a model lost or double-counted parcours, so the published figures are wrong.
with

lignes as (
    select
        ligne,
        parcours
    from {{ ref('qualite_rapprochement') }}
),

commences as (
    select parcours from lignes
    where ligne = 'parcours_commences'
)

select lignes.*
from lignes
cross join commences
where
    (lignes.ligne = 'ecart' and lignes.parcours != 0)
    or (lignes.ligne = 'indicateur_nb_parcours' and lignes.parcours != commences.parcours)
