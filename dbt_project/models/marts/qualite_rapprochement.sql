-- The two sides of the parcours reconciled, nationally: every started parcours the youth side
-- counts (fct_parcours, and the nb_parcours indicator) is either attached to a clause of the
-- register, and counted by the procurement side (fct_clauses' started parcours, from which clause
-- activation is measured), or on one of the « parcours sans clause connue » lines, by kind. The
-- écart line is zero by construction (a test holds it: assert_parcours_rapproches). Parcours
-- whose youth is unknown count on both sides; their lines say how many. Counts of records for
-- the quality page (national role), not published figures.
with

parcours as (
    select
        rattachement_clause,
        rattachement_jeune
    from {{ ref('fct_parcours') }}
),

cote_achats as (
    select coalesce(sum(nb_parcours_commences), 0)::bigint as parcours
    from {{ ref('fct_clauses') }}
),

indicateur as (
    select coalesce(sum(numerateur), 0)::bigint as parcours
    -- The published indicator's count, read before disclosure control (the same numerator).
    from {{ ref('int_indicateurs__mesures') }}
    where indicateur = 'nb_parcours' and niveau = 'national' and periode = 'ensemble'
),

comptes as (
    select
        count(*) as commences,
        count(*) filter (where rattachement_clause = 'clause_absente') as clause_absente,
        count(*) filter (where rattachement_clause = 'clause_en_quarantaine')
            as clause_en_quarantaine,
        count(*) filter (where rattachement_clause = 'sans_identifiant_clause')
            as sans_identifiant_clause,
        count(*) filter (where rattachement_jeune = 'jeune_absent') as jeune_absent,
        count(*) filter (where rattachement_jeune = 'jeune_en_quarantaine') as jeune_en_quarantaine
    from parcours
),

final as (
    select
        lignes.ordre,
        lignes.ligne,
        lignes.parcours::bigint as parcours
    from comptes
    cross join cote_achats
    cross join indicateur
    cross join unnest([
        { 'ordre': 1, 'ligne': 'parcours_commences', 'parcours': comptes.commences },
        { 'ordre': 2, 'ligne': 'indicateur_nb_parcours', 'parcours': indicateur.parcours },
        { 'ordre': 3, 'ligne': 'parcours_clause_connue', 'parcours': cote_achats.parcours },
        { 'ordre': 4, 'ligne': 'parcours_clause_absente', 'parcours': comptes.clause_absente },
        {
            'ordre': 5, 'ligne': 'parcours_clause_en_quarantaine',
            'parcours': comptes.clause_en_quarantaine
        },
        {
            'ordre': 6, 'ligne': 'parcours_sans_identifiant_clause',
            'parcours': comptes.sans_identifiant_clause
        },
        {
            'ordre': 7, 'ligne': 'ecart',
            'parcours': comptes.commences - cote_achats.parcours - comptes.clause_absente
            - comptes.clause_en_quarantaine - comptes.sans_identifiant_clause
        },
        { 'ordre': 8, 'ligne': 'parcours_jeune_absent', 'parcours': comptes.jeune_absent },
        { 'ordre': 9, 'ligne': 'parcours_jeune_en_quarantaine', 'parcours': comptes.jeune_en_quarantaine }
    ]) as rapprochement (lignes)
)

select * from final
