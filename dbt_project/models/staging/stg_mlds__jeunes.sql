-- One row per youth followed by the MLDS: their latest episode (stg_mlds__episodes). Models that
-- describe a parcours read its own episode (int_parcours__rattachement), not this one.
with

episodes as (
    select * from {{ ref('stg_mlds__episodes') }}
),

final as (
    select * from episodes
    qualify row_number() over (
        partition by jeune_id order by entree_mlds_date desc nulls last
    ) = 1
)

select * from final
