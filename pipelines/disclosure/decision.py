"""The one disclosure decision: which youth cells of the warehouse are shown.

Called by the dbt model `int_secret_statistique`; every output (dashboard, its downloads, PDF and
XLSX reports, research releases) reads its result through the marts' `diffusable` column.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

import numpy as np
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
    attente: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, dict]:
    """One row per youth cell (indicator cell, funnel cell of youth stages, youth count of the
    waiting series): hidden or not.

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
    annual_hidden: frozenset[tuple[str, str, str]] = frozenset()
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
        if family.name == ANNUAL_PARCOURS:
            annual_hidden = frozenset(
                position
                for position, hidden, zeros in zip(
                    family.positions, result.hidden, family.zeros, strict=True
                )
                if hidden and not all(zeros)
            )
        rows += _rows(family, result.hidden)
    if attente is not None:
        for family, hidden, unmet in _attente(attente, regions, thresholds, annual_hidden):
            summary["primaires"] += int(sum(family.primary))
            summary["secondaires"] += int(hidden.sum()) - int(sum(family.primary))
            summary["non_tenues"] += len(unmet)
            for position, requirement in unmet:
                log.warning(
                    "secret statistique : %s %s non tenue (%s)", family.name, position, requirement
                )
            rows += _rows(family, hidden)
    summary["cellules"] = len(rows)
    summary["secondes"] = round(time.perf_counter() - start, 3)
    log.info("secret statistique : %s", summary)
    return pl.DataFrame(rows, schema=SCHEMA, orient="row"), summary


# The annual count of parcours started: it sums the waiting series' monthly parcours started.
ANNUAL_PARCOURS = "nb_parcours"


def _rows(family: fam.Family, hidden) -> list[tuple]:
    """The decision rows of a family's member cells."""
    rows = []
    for i, members in enumerate(family.members):
        for member, zero in zip(members, family.zeros[i], strict=True):
            table, *key = member
            indicateur = key[0] if table in ("indicateurs", "attente") else None
            periode, niveau, code = key[-3:]
            # A row of zeros is shown even in a hidden position (nothing to hide), unless the
            # family hides them (a zero there would bound its neighbours over time).
            secret = bool(hidden[i]) and (family.hides_zeros or not zero)
            rows.append((table, indicateur, periode, niveau, code, bool(family.primary[i]), secret))
    return rows


def _attente(
    rows: pl.DataFrame,
    regions: dict[str, str],
    thresholds: fam.Thresholds,
    annual_hidden: frozenset[tuple[str, str, str]] = frozenset(),
) -> list[tuple[fam.Family, np.ndarray, list]]:
    """Decisions over the waiting series: the national, région and académie tables first, then
    each académie's départements against the académie's figure; in each, the stock first, then
    the flows (hidden with the stock they feed, bounded below by its rise where it is shown).
    An académie whose départements cannot be protected below its published figure is hidden
    and everything is decided again."""
    rows = rows.sort("indicateur", "periode", "niveau", "code_niveau")
    parents = sorted(
        set(rows.filter(pl.col("niveau") == fam.DEPARTEMENT)["code_parent"].drop_nulls())
    )
    # Each académie's table reads its own rows only (itself and its départements).
    own_rows = {
        parent: rows.filter(
            ((pl.col("niveau") == fam.ACADEMIE) & (pl.col("code_niveau") == parent))
            | ((pl.col("niveau") == fam.DEPARTEMENT) & (pl.col("code_parent") == parent))
        )
        for parent in parents
    }
    forced: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for _ in range(len(parents) * len(fam.ATTENTE) + 2):
        top = _attente_tables(
            fam.attente(rows, thresholds, annual_hidden=annual_hidden), regions, forced
        )
        hidden_top = {
            family.name: {q for q, h in zip(family.positions, hidden, strict=True) if h}
            for family, hidden, _ in top
        }
        below: list[tuple[fam.Family, np.ndarray, list]] = []
        again = False
        for parent in parents:
            families = fam.attente(own_rows[parent], thresholds, total=parent)
            given = {
                f.name: set(f.positions)
                for f in families
                if (f.positions[0][0], fam.ACADEMIE, parent) in hidden_top[f.name]
            }
            # The académie hidden (in every month): so are its départements.
            for family, hidden, unmet in _attente_tables(families, {}, given=given):
                if unmet:
                    forced[family.name].add((family.positions[0][0], fam.ACADEMIE, parent))
                    again = True
                below.append((family, hidden, unmet))
        if not again:
            return [*top, *below]
    raise RuntimeError("secret statistique : la série d'attente ne se stabilise pas")


def _attente_tables(
    families: list[fam.Family],
    regions: dict[str, str],
    forced: dict[str, set[tuple[str, str, str]]] | None = None,
    given: dict[str, set[tuple[str, str, str]]] | None = None,
) -> list[tuple[fam.Family, np.ndarray, list]]:
    """One table of the waiting series decided: the stock, then each flow. `forced` positions
    are hidden before suppression; `given` ones are hidden and not decided here."""
    forced, given = forced or {}, given or {}
    out = []
    stock, hidden_stock = None, set()
    for family in families:
        if family.name in given:
            hidden = np.array([q in given[family.name] for q in family.positions])
            hidden &= np.array(family.maskable, dtype=bool)
            unmet: list = []
        else:
            extra = set(forced.get(family.name, ()))
            if family.name in fam.FLOW_OF_STOCK and stock is not None:
                extra |= hidden_stock & set(family.positions)
                fam.flow_lower_bounds(family, stock, hidden_stock)
            result = suppress(family, regions, forced=frozenset(extra))
            hidden, unmet = result.hidden, result.unmet
        if family.name == fam.STOCK:
            stock = family
            hidden_stock = {q for q, h in zip(family.positions, hidden, strict=True) if h}
        out.append((family, hidden, unmet))
    return out
