"""The one disclosure decision: which youth cells of the warehouse are shown.

Called by the dbt model `int_secret_statistique`; every output (dashboard, its downloads, PDF and
XLSX reports, research releases) reads its result through the marts' `diffusable` column.
"""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from contextlib import ExitStack
from typing import Any

import numpy as np
import polars as pl

from pipelines.disclosure import families as fam
from pipelines.disclosure.suppression import suppress
from pipelines.disclosure.worker import Aside, Job, WorkerFailed, replay

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
    workers: int | None = None,
) -> tuple[pl.DataFrame, dict]:
    """One row per youth cell (indicator cell, funnel cell of youth stages, youth count of the
    waiting series): hidden or not.

    ``workers``: 1 decides everything in this process; 2 sets comparison families aside for a
    second one; None (the default) does so when the machine has two cores and the comparison
    families are large enough to pay for starting a process (``PARALLEL_MIN_SIZE``).

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
    hidden_outcomes: dict[str, set[tuple[str, str, str]]] = {}
    done: dict[str, Any] = {}
    for family in families:
        if family.name.startswith("resultats_") or family.name == ANNUAL_PARCOURS:
            done[family.name] = result = suppress(family, regions)
        if family.name.startswith("resultats_"):
            hidden_outcomes[family.name.removeprefix("resultats_")] = {
                position
                for position, hidden in zip(family.positions, result.hidden, strict=True)
                if hidden and position[0] == fam.ENSEMBLE
            }
    # The other families and the waiting series depend on nothing but those: each is a job, and
    # a share of them (the comparison families, 14 linked quantities each, are most of the
    # time) is decided in a second process meanwhile. A job's result is the same wherever it
    # is computed.
    jobs: dict[str, Job] = {
        family.name: (
            suppress,
            (family, regions),
            {"forced": frozenset(hidden_outcomes.get(family.name.removeprefix("comparaison_"), ()))}
            if family.name.startswith("comparaison_")
            else {},
        )
        for family in families
        if family.name not in done
    }
    if attente is not None:
        annual_hidden = _annual_hidden(families, done)
        jobs[ATTENTE] = (_attente, (attente, regions, thresholds, annual_hidden), {})
    aside = _set_aside(jobs, workers)
    with ExitStack() as stack:
        worker = None
        if aside:
            worker = stack.enter_context(Aside([jobs[name] for name in aside]))
        for name, (function, args, kwargs) in jobs.items():
            if name not in aside:
                done[name] = function(*args, **kwargs)
        if worker is not None:
            try:
                for name, (value, records) in zip(aside, worker.results(), strict=True):
                    done[name] = value
                    replay(records)
            except WorkerFailed as exc:
                # The same jobs give the same result here: slower, not wrong.
                log.warning("secret statistique : %s ; calcul repris dans ce processus", exc)
                for name in aside:
                    function, args, kwargs = jobs[name]
                    done[name] = function(*args, **kwargs)
    rows = []
    summary = {"cellules": 0, "primaires": 0, "secondaires": 0, "non_tenues": 0}
    for family in sorted(families, key=lambda f: not f.name.startswith("resultats_")):
        result = done[family.name]
        summary["primaires"] += result.n_primary
        summary["secondaires"] += result.n_secondary
        summary["non_tenues"] += len(result.unmet)
        for position, requirement in result.unmet:
            log.warning(
                "secret statistique : %s %s non tenue (%s)", family.name, position, requirement
            )
        rows += _rows(family, result.hidden)
    for family, hidden, unmet in done.get(ATTENTE, []):
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


def _annual_hidden(
    families: list[fam.Family], results: dict[str, Any]
) -> frozenset[tuple[str, str, str]]:
    """The hidden positions of the annual count of parcours started that are not all zeros: the
    waiting series' monthly counts, which add up to it, are hidden there too."""
    for family in families:
        if family.name == ANNUAL_PARCOURS:
            hidden = results[family.name].hidden
            return frozenset(
                position
                for position, h, zeros in zip(family.positions, hidden, family.zeros, strict=True)
                if h and not all(zeros)
            )
    return frozenset()


# The work of the jobs, in positions × components of a family (a waiting series row counts
# an eighth: the national sample's series, 33,000 rows, takes about as long as a comparison
# family of 4,000), from which a second process pays for its start: the national sample's jobs
# weigh some 24,000 and take 5 s.
PARALLEL_MIN_SIZE = 8_000
ATTENTE = "série d'attente"  # the waiting series' job (no family has a space in its name)


def _size(job: Job) -> int:
    function, args, _ = job
    if function is _attente:
        return args[0].height // 8
    family = args[0]
    return len(family.positions) * len(family.components)


def _set_aside(jobs: dict[str, Job], workers: int | None) -> list[str]:
    """The jobs to run in a second process: none unless ``workers`` asks for two (or, when
    None, the machine has two cores and the jobs are large enough); else the share that
    balances both processes, the heaviest jobs placed first."""
    sizes = {name: _size(job) for name, job in jobs.items()}
    if workers is None:
        large = sum(sizes.values()) >= PARALLEL_MIN_SIZE
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        workers = 2 if large and (cores or 1) >= 2 else 1
    if workers < 2 or len(jobs) < 2:
        return []
    here = there = 0
    aside = []
    for name in sorted(jobs, key=lambda n: (-sizes[n], n)):
        if there < here:
            there += sizes[name]
            aside.append(name)
        else:
            here += sizes[name]
    return aside


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
