-- One row per indicator: its French label and definition, published with the figures so that
-- every output (dashboard, reports, research releases) quotes the same definition.
with

definitions as (
    select * from {{ ref('ref_indicateurs') }}
),

final as (
    select
        indicateur,
        ordre,
        domaine,
        unite,
        libelle as libelle_indicateur,
        definition as definition_indicateur,
        dimensions,
        -- What one unit of the indicator is (docs/methodologie.md, « Unité de compte »): clause,
        -- marche, heure, jeune, parcours, or parcours_et_jeune for an écart.
        unite_compte
    from definitions
)

select * from final
