"""The one disclosure decision of the warehouse: which youth cells are shown.

Primary and secondary suppression over every linked youth table at once (indicators by every
dimension, région académique and year, the funnel's youth stages, and the youth counts of the
offers-and-waiting series by month, académie and département), by
pipelines.disclosure (see its modules for the method). The marts `indicateurs`,
`fct_entonnoir_clauses` and `fct_offres_attente` read it into their `diffusable` column, which
every output reads.
"""

from pipelines.disclosure.decision import decide
from pipelines.disclosure.families import Thresholds

YOUTH_CELLS = """
select indicateur, unite, periode, niveau, code_niveau, numerateur, denominateur
from mesures where domaine = 'jeunes'
"""
# Per funnel cell (national and by académie): clauses whose parcours started (the last
# procurement stage), completed, and led to a positive exit, and the counts of days measured at
# those two stages.
FUNNEL_CELLS = """
with premiere as (
    select niveau, code_niveau, periode, min(rang) filter (where domaine = 'jeunes') as r8
    from comptes group by all
)
select
    comptes.niveau, comptes.code_niveau, comptes.periode,
    max(nb_clauses_atteinte) filter (where rang = premiere.r8 - 1) as commences,
    max(nb_clauses_atteinte) filter (where rang = premiere.r8) as termines,
    max(nb_clauses_atteinte) filter (where rang = premiere.r8 + 1) as positives,
    max(nb_delais) filter (where rang = premiere.r8 - 1) as delais_commences,
    max(nb_delais) filter (where rang = premiere.r8) as delais_termines
from comptes
inner join premiere using (niveau, code_niveau, periode)
where niveau != 'acheteur'  -- a buyer's youth stages are not published (fct_entonnoir_clauses)
group by all
"""

# The youth counts of the offers-and-waiting series, every month and territory (zeros included).
ATTENTE_CELLS = """
select indicateur, periode, niveau, code_niveau, code_parent, valeur
from comptes where domaine = 'jeunes'
"""


def model(dbt, session):
    dbt.config(materialized="table")
    seuils = Thresholds(
        count=int(dbt.config.get("seuil_comptage")),
        denominator=int(dbt.config.get("seuil_denominateur")),
        protection=int(dbt.config.get("protection_secret")),
    )
    indicateurs = dbt.ref("int_indicateurs__mesures").query("mesures", YOUTH_CELLS).pl()
    entonnoir = dbt.ref("int_entonnoir__comptes").query("comptes", FUNNEL_CELLS).pl()
    academies = dbt.ref("ref_academies").pl()
    attente = dbt.ref("int_attente__comptes").query("comptes", ATTENTE_CELLS).pl()
    # The waiting series' youth counts are decided (and published) for its last years only.
    if attente.height:
        last_year = int(attente["periode"].max()[:4])
        first = f"{last_year - int(dbt.config.get('attente_annees_jeunes')) + 1}-01"
        attente = attente.filter(attente["periode"] >= first)
    decisions, _ = decide(indicateurs, entonnoir, academies, seuils, attente)
    return decisions.to_arrow()
