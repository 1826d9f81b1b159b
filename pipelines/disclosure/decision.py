"""The one disclosure decision: which youth cells of the warehouse are shown.

Called by the dbt model `int_secret_statistique`; every output (dashboard, its downloads, PDF and
XLSX reports, research releases) reads its result through the marts' `diffusable` column.
"""

from __future__ import annotations

import logging
import time

import polars as pl

from pipelines.disclosure import families as fam
from pipelines.disclosure.suppression import suppress

log = logging.getLogger(__name__)

SCHEMA = {
    "tableau": pl.Utf8,
    "indicateur": pl.Utf8,
    "periode": pl.Utf8,
    "niveau": pl.Utf8,
    "code_niveau": pl.Utf8,
    "primaire": pl.Boolean,
    "secret": pl.Boolean,
}


def decide(
    indicateurs: pl.DataFrame,
    funnel: pl.DataFrame,
    academies: pl.DataFrame,
    thresholds: fam.Thresholds | None = None,
) -> tuple[pl.DataFrame, dict]:
    """One row per youth cell (indicator cell, or funnel cell of youth stages): hidden or not.

    Returns the decisions and a summary (cells, primary, secondary, seconds, unmet
    requirements) for the run's log.
    """
    thresholds = thresholds or fam.Thresholds()
    start = time.perf_counter()
    # Sorted inputs: the same cells always give the same decision, whatever order the query
    # returned them in (two patterns of the same figures could be combined by a reader).
    indicateurs = indicateurs.sort("indicateur", "periode", "niveau", "code_niveau")
    funnel = funnel.sort("niveau", "code_niveau", "periode")
    regions = fam.regions(academies)
    families = [*fam.indicateurs(indicateurs, thresholds), fam.funnel(funnel, thresholds)]
    # The outcome families first: over all years (« ensemble »), the compared CSF parcours are a
    # subset of all CSF parcours, so a published compared-parcours count bounds a hidden outcome
    # cell from below. Where an outcome position is hidden, the comparison family of the same
    # horizon is hidden at that position too.
    families.sort(key=lambda f: not f.name.startswith("resultats_"))
    hidden_outcomes: dict[str, set[tuple[str, str, str]]] = {}
    rows = []
    summary = {"cellules": 0, "primaires": 0, "secondaires": 0, "non_tenues": 0}
    for family in families:
        forced: frozenset[tuple[str, str, str]] = frozenset()
        if family.name.startswith("comparaison_"):
            horizon = family.name.removeprefix("comparaison_")
            forced = frozenset(hidden_outcomes.get(horizon, ()))
        result = suppress(family, regions, forced=forced)
        if family.name.startswith("resultats_"):
            hidden_outcomes[family.name.removeprefix("resultats_")] = {
                position
                for position, hidden in zip(family.positions, result.hidden, strict=True)
                if hidden and position[0] == fam.ENSEMBLE
            }
        summary["primaires"] += result.n_primary
        summary["secondaires"] += result.n_secondary
        summary["non_tenues"] += len(result.unmet)
        for position, requirement in result.unmet:
            log.warning(
                "secret statistique : %s %s non tenue (%s)", family.name, position, requirement
            )
        for i, members in enumerate(family.members):
            for member, zero in zip(members, family.zeros[i], strict=True):
                summary["cellules"] += 1
                table, *key = member
                indicateur = key[0] if table == "indicateurs" else None
                periode, niveau, code = key[-3:]
                rows.append(
                    (
                        table,
                        indicateur,
                        periode,
                        niveau,
                        code,
                        bool(family.primary[i]),
                        # A row of zeros is shown even in a hidden position: nothing to hide.
                        bool(result.hidden[i]) and not zero,
                    )
                )
    summary["secondes"] = round(time.perf_counter() - start, 3)
    log.info("secret statistique : %s", summary)
    return pl.DataFrame(rows, schema=SCHEMA, orient="row"), summary
