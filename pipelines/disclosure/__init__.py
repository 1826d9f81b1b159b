"""Statistical disclosure control over the set of linked youth tables.

`families` groups the warehouse's youth cells into families of linked tables (shared quantities,
additive relations) and applies the primary rules; `suppression` chooses the secondary
suppressions until every hidden cell keeps its protection interval (certificates of the
hypercube method); `decision` puts them together. The dbt model `int_secret_statistique` runs it:
that is the one disclosure decision every output reads.
"""
