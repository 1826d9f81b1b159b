"""The one disclosure decision: which youth cells of the warehouse are shown.

Called by the dbt model `int_secret_statistique`; every output (dashboard, its downloads, PDF and
XLSX reports, research releases) reads its result through the marts' `diffusable` column.
"""

from __future__ import annotations

import logging
import time

import polars as pl

from pipelines.disclosure import familles as fam
from pipelines.disclosure.suppression import supprimer

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


def decider(
    indicateurs: pl.DataFrame,
    entonnoir: pl.DataFrame,
    academies: pl.DataFrame,
    seuils: fam.Seuils | None = None,
) -> tuple[pl.DataFrame, dict]:
    """One row per youth cell (indicator cell, or funnel cell of youth stages): hidden or not.

    Returns the decisions and a summary (cells, primary, secondary, seconds, unmet
    requirements) for the run's log.
    """
    seuils = seuils or fam.Seuils()
    debut = time.perf_counter()
    # Sorted inputs: the same cells always give the same decision, whatever order the query
    # returned them in (two patterns of the same figures could be combined by a reader).
    indicateurs = indicateurs.sort("indicateur", "periode", "niveau", "code_niveau")
    entonnoir = entonnoir.sort("niveau", "code_niveau", "periode")
    regions = fam.regions(academies)
    familles = [*fam.indicateurs(indicateurs, seuils), fam.entonnoir(entonnoir, seuils)]
    # The outcome families first: over all years (« ensemble »), the compared CSF parcours are a
    # subset of all CSF parcours, so a published compared-parcours count bounds a hidden outcome
    # cell from below. Where an outcome position is hidden, the comparison family of the same
    # horizon is hidden at that position too.
    familles.sort(key=lambda f: not f.nom.startswith("resultats_"))
    masquees_resultats: dict[str, set[tuple[str, str, str]]] = {}
    lignes = []
    bilan = {"cellules": 0, "primaires": 0, "secondaires": 0, "non_tenues": 0}
    for famille in familles:
        imposees: frozenset[tuple[str, str, str]] = frozenset()
        if famille.nom.startswith("comparaison_"):
            horizon = famille.nom.removeprefix("comparaison_")
            imposees = frozenset(masquees_resultats.get(horizon, ()))
        resultat = supprimer(famille, regions, imposees=imposees)
        if famille.nom.startswith("resultats_"):
            masquees_resultats[famille.nom.removeprefix("resultats_")] = {
                position
                for position, cache in zip(famille.positions, resultat.masquees, strict=True)
                if cache and position[0] == fam.ENSEMBLE
            }
        bilan["primaires"] += resultat.primaires
        bilan["secondaires"] += resultat.secondaires
        bilan["non_tenues"] += len(resultat.non_tenues)
        for position, exigence in resultat.non_tenues:
            log.warning(
                "secret statistique : %s %s non tenue (%s)", famille.nom, position, exigence
            )
        for i, membres in enumerate(famille.membres):
            for membre, zero in zip(membres, famille.zeros[i], strict=True):
                bilan["cellules"] += 1
                tableau, *cle = membre
                indicateur = cle[0] if tableau == "indicateurs" else None
                periode, niveau, code = cle[-3:]
                lignes.append(
                    (
                        tableau,
                        indicateur,
                        periode,
                        niveau,
                        code,
                        bool(famille.primaire[i]),
                        # A row of zeros is shown even in a hidden position: nothing to hide.
                        bool(resultat.masquees[i]) and not zero,
                    )
                )
    bilan["secondes"] = round(time.perf_counter() - debut, 3)
    log.info("secret statistique : %s", bilan)
    return pl.DataFrame(lignes, schema=SCHEMA, orient="row"), bilan
