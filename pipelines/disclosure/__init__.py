"""Statistical disclosure control over the set of linked youth tables.

`probleme` holds the cells, the quantities they reveal and every additive relation an outsider
can write; `intervalles` computes what an attacker can deduce (HiGHS); `suppression` chooses the
secondary suppressions until every hidden cell keeps its protection interval; `tableaux` builds
the problem from the warehouse's indicator and funnel cells. The dbt model
`int_secret_statistique` runs it: that is the one disclosure decision every output reads.
"""
