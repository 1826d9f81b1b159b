"""Secrecy of the offers-and-waiting series (youth counts by month, académie and département).

Random small worlds of waiting youths are counted by month the way int_attente__comptes does,
decided by the engine (pipelines.disclosure, through `decide`), and attacked by an integer
programme written here, independently of the engine: the attacker knows every published cell,
that territories add up (départements to their académie, académies to their région and to
the nation), that a part is at most its whole (positioned, waiting 6 months or more, 12 months
or more), the stock-and-flow bounds between months (W(m) <= W(m-1) + E(m), the same for the
positioned and positionings, and for those not yet positioned: W(m) - Wp(m) <= W(m-1) - Wp(m-1)
+ E(m)), the lagged bounds W6(m) <= W(m-6), W12(m) <= W6(m-6), the windows of entries (those
waiting under 6 months entered in the last 7 months: W - W6 <= E(m-6) + ... + E(m); W6 - W12
<= E(m-12) + ... + E(m-6)) and, at worst, every yearly
sum of parcours started by nation, région and académie that the annual indicator
nb_parcours publishes (decided with the series, as the warehouse does). No hidden count of 1 to 4
may be bounded above by less than itself + 1 (R2), and no hidden non-zero count may be pinned
(R1).
"""

from __future__ import annotations

import os
import random
from collections import defaultdict

import highspy
import numpy as np
import polars as pl
import pytest

from pipelines.disclosure import families as fam
from pipelines.disclosure.decision import decide

ACADEMIES = pl.DataFrame(
    {
        "code_academie": ["24", "25", "70", "31"],
        "libelle_academie": ["Créteil", "Versailles", "Normandie", "Martinique"],
        "libelle_region_academique": ["Île-de-France", "Île-de-France", "Normandie", "Martinique"],
    }
)
REGIONS = dict(zip(ACADEMIES["code_academie"], ACADEMIES["libelle_region_academique"], strict=True))
DEPARTEMENTS = {"24": ["77", "93", "94"], "25": ["78", "91"], "70": ["14", "76"], "31": ["972"]}
EMPTY = pl.DataFrame(
    schema={
        "indicateur": pl.Utf8, "unite": pl.Utf8, "periode": pl.Utf8, "niveau": pl.Utf8,
        "code_niveau": pl.Utf8, "numerateur": pl.Int64, "denominateur": pl.Int64,
    }
)  # fmt: skip
EMPTY_FUNNEL = pl.DataFrame(
    schema={
        "niveau": pl.Utf8, "code_niveau": pl.Utf8, "periode": pl.Utf8, "commences": pl.Int64,
        "termines": pl.Int64, "positives": pl.Int64, "delais_commences": pl.Int64,
        "delais_termines": pl.Int64,
    }
)  # fmt: skip
W, WP, W6, W12, E, PZ, PC, NR = fam.ATTENTE_INDICATEURS
ATTENTE_WHOLE = {WP: W, W6: W, W12: W6}


def _months(n: int) -> list[str]:
    return [f"{2025 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def _hand_world(indicators: tuple[str, ...], cells: list[tuple], months: int = 12) -> pl.DataFrame:
    """The same counts every month: cells are (niveau, code, parent, *one value per indicator)."""
    rows = [
        (indicateur, periode, niveau, code, parent, value)
        for periode in _months(months)
        for niveau, code, parent, *values in cells
        for indicateur, value in zip(indicators, values, strict=True)
    ]
    return pl.DataFrame(
        rows,
        schema=["indicateur", "periode", "niveau", "code_niveau", "code_parent", "valeur"],
        orient="row",
    )


def _world(rng: random.Random, n: int, months: int, academies: int) -> pl.DataFrame:
    """Monthly counts of random youths (indicateur, periode, niveau, code_niveau, code_parent,
    valeur), every territory and month present, zeros included."""
    codes = ACADEMIES["code_academie"].to_list()[:academies]
    weights = [rng.random() ** 2 + 0.05 for _ in codes]
    counts: dict[tuple, int] = defaultdict(int)
    for _ in range(n):
        academie = rng.choices(codes, weights)[0]
        departement = rng.choice(DEPARTEMENTS[academie])
        entry = rng.randrange(-14, months)
        position = entry + rng.randrange(0, 10) if rng.random() < 0.6 else None
        start = (position or entry) + rng.randrange(0, 6) if rng.random() < 0.5 else None
        exit_ = entry + rng.randrange(1, 20) if rng.random() < 0.3 else None
        no_action = rng.random() < 0.08
        cells = [
            ("national", "FR"),
            ("region_academique", REGIONS[academie]),
            ("academie", academie),
            ("departement", departement),
        ]
        for m in range(months):
            waiting = entry <= m and (start is None or start > m) and (exit_ is None or exit_ > m)
            found = {
                W: waiting and not no_action,
                WP: waiting and not no_action and position is not None and position <= m,
                W6: waiting and not no_action and entry <= m - 6,
                W12: waiting and not no_action and entry <= m - 12,
                E: entry == m and not no_action,
                PZ: position == m and not no_action,
                PC: start == m,
                NR: waiting and no_action,
            }
            for indicateur, counted in found.items():
                if counted:
                    for cell in cells:
                        counts[(indicateur, m, *cell)] += 1
    rows = []
    territories = [("national", "FR", None)]
    territories += [("region_academique", r, "FR") for r in sorted(set(REGIONS.values()))]
    territories += [("academie", a, REGIONS[a]) for a in codes]
    territories += [("departement", d, a) for a in codes for d in DEPARTEMENTS[a]]
    for indicateur in fam.ATTENTE_INDICATEURS:
        for m, periode in enumerate(_months(months)):
            for niveau, code, parent in territories:
                if niveau == "region_academique" and not any(REGIONS[a] == code for a in codes):
                    continue
                rows.append(
                    (
                        indicateur,
                        periode,
                        niveau,
                        code,
                        parent,
                        counts[(indicateur, m, niveau, code)],
                    )
                )
    return pl.DataFrame(
        rows,
        schema=["indicateur", "periode", "niveau", "code_niveau", "code_parent", "valeur"],
        orient="row",
    )


def _annual(world: pl.DataFrame) -> pl.DataFrame:
    """The annual indicator nb_parcours of the same parcours (by year of start, nation, région
    and académie), as the warehouse decides it beside the waiting series."""
    return (
        world.filter((pl.col("indicateur") == PC) & (pl.col("niveau") != "departement"))
        .group_by(pl.col("periode").str.slice(0, 4), "niveau", "code_niveau")
        .agg(pl.col("valeur").sum().alias("numerateur"))
        .select(
            pl.lit("nb_parcours").alias("indicateur"),
            pl.lit("nombre").alias("unite"),
            "periode",
            "niveau",
            "code_niveau",
            "numerateur",
            pl.lit(None, dtype=pl.Int64).alias("denominateur"),
        )
    )


def _decide(world: pl.DataFrame) -> set[tuple]:
    """Hidden cells of the waiting series, and of the annual parcours count, as one decision."""
    decision, _ = decide(_annual(world), EMPTY_FUNNEL, ACADEMIES, attente=world)
    cells = decision.filter(pl.col("tableau") == "attente")
    assert cells.height == world.height  # one decision per cell
    return {
        (r["indicateur"], r["periode"], r["niveau"], r["code_niveau"])
        for r in decision.filter(pl.col("secret")).iter_rows(named=True)
    }


def _attack(world: pl.DataFrame, hidden: set[tuple]) -> list[str]:
    """The integer programme's bounds on every hidden non-zero cell: the violations found."""
    truth = {
        (r["indicateur"], r["periode"], r["niveau"], r["code_niveau"]): r["valeur"]
        for r in world.iter_rows(named=True)
    }
    parent = {
        (r["niveau"], r["code_niveau"]): r["code_parent"] for r in world.iter_rows(named=True)
    }
    names = sorted(h for h in hidden if h in truth)
    index = {n: i for i, n in enumerate(names)}
    rows: list[tuple[dict[int, float], float, float]] = []

    def relation(terms: list[tuple[tuple, int]], lo: float, hi: float) -> None:
        """sum(coef * cell) in [lo, hi], published cells moved to the bounds."""
        if any(key not in truth for key, _ in terms):
            return  # a count the world does not have
        variables: dict[int, float] = defaultdict(float)
        for key, coef in terms:
            if key in index:
                variables[index[key]] += coef
            else:
                lo, hi = lo - coef * truth[key], hi - coef * truth[key]
        if variables:
            rows.append((dict(variables), lo, hi))

    months = sorted({k[1] for k in truth})
    territories = sorted({(k[2], k[3]) for k in truth})

    def children(niveau: str, code: str) -> list[tuple[str, str]]:
        """The territories that add up to this one."""
        if niveau == "national":
            return [t for t in territories if t[0] == "academie"]
        if niveau == "region_academique":
            return [t for t in territories if t[0] == "academie" and REGIONS[t[1]] == code]
        if niveau == "academie":
            return [t for t in territories if t[0] == "departement" and parent[t] == code]
        return []

    for indicateur in fam.ATTENTE_INDICATEURS:
        for periode in months:
            for niveau, code in territories:
                parts = [(indicateur, periode, *t) for t in children(niveau, code)]
                if parts:
                    whole = (indicateur, periode, niveau, code)
                    relation([(whole, 1), *((part, -1) for part in parts)], 0, 0)
    for niveau, code in territories:
        for i, periode in enumerate(months):
            c = lambda ind, p=periode, n=niveau, k=code: (ind, p, n, k)  # noqa: E731
            for part, whole in ATTENTE_WHOLE.items():
                relation([(c(part), 1), (c(whole), -1)], -np.inf, 0)
            if i:
                before = months[i - 1]
                relation([(c(W), 1), (c(W, before), -1), (c(E), -1)], -np.inf, 0)
                relation([(c(WP), 1), (c(WP, before), -1), (c(PZ), -1)], -np.inf, 0)
                # Those not yet positioned: U = W - Wp, U(m) <= U(m-1) + E(m).
                u = [(c(W), 1), (c(WP), -1), (c(W, before), -1), (c(WP, before), 1), (c(E), -1)]
                relation(u, -np.inf, 0)
            # Those waiting under 6 months entered in the last 7 months (a month's end minus 6
            # months may fall a day into the seventh), those waiting 6 to 12 months 6 to 12
            # months ago: W - W6 <= E(m-6) + ... + E(m), W6 - W12 <= E(m-12) + ... + E(m-6),
            # where the series holds those months.
            if i >= 6:
                recent = [(c(E, months[j]), -1) for j in range(i - 6, i + 1)]
                relation([(c(W), 1), (c(W6), -1), *recent], -np.inf, 0)
                relation([(c(W6), 1), (c(W, months[i - 6]), -1)], -np.inf, 0)
                relation([(c(W12), 1), (c(W6, months[i - 6]), -1)], -np.inf, 0)
            if i >= 12:
                older = [(c(E, months[j]), -1) for j in range(i - 12, i - 5)]
                relation([(c(W6), 1), (c(W12), -1), *older], -np.inf, 0)
        # The annual indicator, where it is published (it has no département).
        for year in sorted({p[:4] for p in months}) if niveau != "departement" else []:
            in_year = [p for p in months if p[:4] == year and (PC, p, niveau, code) in truth]
            total = sum(truth[(PC, p, niveau, code)] for p in in_year)
            if ("nb_parcours", year, niveau, code) not in hidden:
                relation([((PC, p, niveau, code), 1) for p in in_year], total, total)
    if not names:
        return []
    inf = highspy.kHighsInf
    k = len(names)

    def programme(integer: bool) -> highspy.Highs:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.5)
        h.addVars(k, np.zeros(k), np.full(k, inf))
        for variables, lo, hi in rows:
            h.addRow(
                lo if lo > -np.inf else -inf,
                hi if hi < np.inf else inf,
                len(variables),
                np.array(list(variables), dtype=np.int32),
                np.array(list(variables.values()), dtype=float),
            )
        if integer:
            h.changeColsIntegrality(
                k, np.arange(k, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * k)
            )
        return h

    lp, mip = programme(False), None
    truth_vector = np.array([truth[n] for n in names], dtype=float)
    moved = np.zeros(k, dtype=bool)  # cells some solution found holds another value than truth

    def run(h: highspy.Highs, name: tuple, sense) -> np.ndarray | None:
        cost = np.zeros(k)
        cost[index[name]] = 1.0
        h.changeColsCost(k, np.arange(k, dtype=np.int32), cost)
        h.changeObjectiveSense(sense)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None  # unbounded
        return np.array(h.getSolution().col_value)

    def extreme(name: tuple, sense) -> float | None:
        """The integer programme's optimum: the linear one's when it is integral (as it is
        for these near-network relations), else solved with integers."""
        nonlocal mip
        solution = run(lp, name, sense)
        if solution is not None and np.abs(solution - np.round(solution)).max() > 1e-6:
            mip = mip or programme(True)
            solution = run(mip, name, sense)
        if solution is None:
            return None
        moved[np.abs(solution - truth_vector) > 0.5] = True  # a witness for every cell
        return round(solution[index[name]])

    violations = []
    # R2 first: the upper bound of every hidden 1-4 count; each solution also shows which other
    # cells can move, so that R1 needs a programme only for the cells none has moved yet.
    for name in names:
        value = truth[name]
        if 1 <= value <= 4:
            hi = extreme(name, highspy.ObjSense.kMaximize)
            assert hi is None or hi >= value, (name, hi)
            if hi is not None and hi < value + 1:
                violations.append(f"R2 {name} = {value}, borne haute {hi}")
    for name in names:
        if truth[name] and not moved[index[name]]:
            hi = extreme(name, highspy.ObjSense.kMaximize)
            if hi is not None and hi == truth[name]:
                lo = extreme(name, highspy.ObjSense.kMinimize)
                if lo == hi:
                    violations.append(f"R1 {name} = {truth[name]} épinglé")
    return violations


@pytest.mark.parametrize("seed", range(5))
def test_random_waiting_worlds_survive_the_attack(seed):
    rng = random.Random(seed)
    world = _world(rng, rng.randrange(15, 120), rng.choice((12, 18, 24)), rng.randrange(1, 5))
    hidden = _decide(world)
    assert not _attack(world, hidden)


def test_a_territory_hidden_in_one_month_is_hidden_in_every_month_zeros_included():
    world = _world(random.Random(4), 120, 18, 4)
    hidden = _decide(world)
    for indicateur in fam.ATTENTE_INDICATEURS:
        columns = world.filter(pl.col("indicateur") == indicateur)
        by_column: dict[tuple, set[bool]] = defaultdict(set)
        for r in columns.iter_rows(named=True):
            key = (indicateur, r["periode"], r["niveau"], r["code_niveau"])
            if r["niveau"] != "region_academique":
                by_column[(r["niveau"], r["code_niveau"])].add(key in hidden)
        assert all(len(states) == 1 for states in by_column.values()), indicateur


def test_a_lone_small_academie_gets_a_partner_and_the_nation_stays_shown():
    # 40 youths waiting in Créteil every month, 2 in Normandie, 30 in Versailles.
    world = _hand_world(
        (W,),
        [
            ("national", "FR", None, 72),
            ("region_academique", "Île-de-France", "FR", 70),
            ("region_academique", "Normandie", "FR", 2),
            ("academie", "24", "Île-de-France", 40),
            ("academie", "25", "Île-de-France", 30),
            ("academie", "70", "Normandie", 2),
        ],
    )
    hidden = _decide(world)
    shown = lambda niveau, code: (W, "2025-06", niveau, code) not in hidden  # noqa: E731
    assert not shown("academie", "70")
    assert shown("national", "FR")
    # Normandie's figure alone would come back as the nation minus the other two.
    assert not (shown("academie", "24") and shown("academie", "25"))
    assert not shown("region_academique", "Normandie")
    assert not _attack(world, hidden)


def test_a_whole_no_larger_than_its_hidden_part_is_hidden_with_it():
    # Everyone waiting in Normandie has waited 6 months or more: a shown W would bound W6.
    world = _hand_world(
        (W, W6),
        [
            ("national", "FR", None, 60, 12),
            ("region_academique", "Île-de-France", "FR", 57, 9),
            ("region_academique", "Normandie", "FR", 3, 3),
            ("academie", "24", "Île-de-France", 30, 5),
            ("academie", "25", "Île-de-France", 27, 4),
            ("academie", "70", "Normandie", 3, 3),
        ],
    )
    hidden = _decide(world)
    assert (W6, "2025-03", "academie", "70") in hidden
    assert (W, "2025-03", "academie", "70") in hidden
    assert not _attack(world, hidden)


def test_few_entries_hide_the_stock_they_feed():
    # Créteil: 40 youths waiting, 2 entries a month. Hidden alone, the entries would be bounded
    # by the shown stock in ways no certificate reads (the windows of the attack): the stock
    # is hidden with them, and a partner with it.
    world = _hand_world(
        (W, W6, E),
        [
            ("national", "FR", None, 110, 40, 22),
            ("region_academique", "Île-de-France", "FR", 70, 25, 12),
            ("region_academique", "Normandie", "FR", 40, 15, 10),
            ("academie", "24", "Île-de-France", 40, 20, 2),
            ("academie", "25", "Île-de-France", 30, 5, 10),
            ("academie", "70", "Normandie", 40, 15, 10),
        ],
    )
    hidden = _decide(world)
    assert (W, "2025-06", "academie", "24") in hidden
    assert (W6, "2025-06", "academie", "24") in hidden
    assert (E, "2025-06", "academie", "24") in hidden
    assert sum((E, "2025-06", "academie", c) in hidden for c in ("25", "70")) >= 1
    assert not _attack(world, hidden)


def test_the_attack_finds_what_primary_suppression_alone_leaves():
    # Control: hiding only the counts of 1 to 4 lets them come back by subtraction.
    world = _world(random.Random(2), 80, 12, 3)
    primary = {
        (r["indicateur"], r["periode"], r["niveau"], r["code_niveau"])
        for r in world.filter(pl.col("valeur").is_between(1, 4)).iter_rows(named=True)
    }
    assert any(v.startswith("R2") for v in _attack(world, primary))


@pytest.mark.worlds
@pytest.mark.parametrize("seed", range(100, 100 + int(os.environ.get("CSF_WORLDS", "12"))))
def test_drawn_waiting_worlds_survive_the_attack(seed):
    rng = random.Random(seed)
    world = _world(rng, rng.randrange(5, 250), rng.choice((6, 12, 18, 24)), rng.randrange(1, 5))
    hidden = _decide(world)
    assert not _attack(world, hidden)
