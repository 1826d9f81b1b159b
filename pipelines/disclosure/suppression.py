"""Secondary suppression over one family of linked tables (hypercube method with certificates).

Each dimension of a family is a two-way table: periods (years, and "ensemble" their total) by
categories (and "national" their total, shared by every dimension). A hidden cell is protected
when an attacker cannot pin it, and that is proved here by *certificates*: a perturbation of
the hidden cells that keeps every published figure and every relation true, moved as far as it
stays possible. The classic one is a rectangle of four hidden cells (two periods × two
categories), +t and -t at alternate corners, or the same sign where a corner is a total; a
rectangle through the national column must be matched in every other dimension. Each
certificate gives a range of values the attacker cannot rule out (the corners' other quantities
move with them so that the cell's own identities hold: D = K + P, numerator <= denominator...),
so the attacker's interval is at least the union of those ranges: a requirement met by a
certificate is met (sound), whatever else the attacker knows from these tables.

Suppression: hide the primary cells, then, round after round, complete a rectangle (the cheapest
set of extra cells, by youths hidden, totals costing more) for every requirement no certificate
meets, until all are met. The région académique table is derived: a région's cell is hidden when
any of its académies' is, so it publishes nothing the académie table does not (rectangles across
two régions stay valid, their région cells being hidden too). An independent audit (integer
programme over the published files) checks the result in the test suite.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from pipelines.disclosure.families import (
    ACADEMIE,
    ENSEMBLE,
    NATIONAL,
    REGION,
    Family,
    Requirement,
)

log = logging.getLogger(__name__)
Corners = list[tuple[int, int]]  # (position index, sign)
# Certificates read per check: fewer only makes a check stricter (sound), and a check that
# fails with these gets its own rectangle completed.
MAX_CERTIFICATES = 64


@dataclass
class Result:
    hidden: np.ndarray
    n_primary: int
    n_secondary: int
    rounds: int
    seconds: float
    unmet: list  # (position, requirement) still unmet: empty unless the tables are degenerate


class Pattern:
    """The hiding pattern of one family, its tables, and the certificates it allows."""

    def __init__(self, family: Family, regions: dict[str, str]) -> None:
        self.f = family
        self.x = family.table()
        comps = family.components
        # Per position and component, the lowest value an attacker cannot rule out: 1 for a
        # hidden count known not to be zero, or what a linked table shows (family.lower).
        positives = np.array([1 if c in family.positives else 0 for c in comps], dtype=np.int64)
        self.lb = np.tile(positives, (len(self.x), 1))
        if family.lower:
            self.lb = np.maximum(self.lb, np.array(family.lower, dtype=np.int64))
        self.ineq = [
            np.array([g.get(c, 0) for c in comps], dtype=np.int64) for g in family.inequalities
        ]
        # Per position, each inequality's slack (what it leaves before it binds): the same for
        # every group of components, so computed once.
        self._slacks: list[list[int]] = (
            (-(self.x @ np.array(self.ineq).T)).tolist() if self.ineq else [[] for _ in self.x]
        )
        self.mask = np.array(family.primary, dtype=bool)
        # Components an attacker knows at each position even when it is hidden (zero).
        self.known = np.array(
            [[c not in reported for c in comps] for reported in family.reported], dtype=bool
        ).reshape(-1, len(comps))
        self.maskable = np.array(family.maskable, dtype=bool)
        self.regions = regions
        periods = {p for p, _, _ in family.positions}
        self.years = sorted(periods - {ENSEMBLE})
        self.periods = [*self.years, ENSEMBLE] if ENSEMBLE in periods else self.years
        codes: dict[str, set[str]] = defaultdict(set)
        for _, niveau, code in family.positions:
            codes[niveau].add(code)
        # The two-way tables: every dimension but the national total and the derived régions.
        self.dimensions = {n: sorted(c) for n, c in codes.items() if n not in (NATIONAL, REGION)}
        self.companions = {c: _groups(family, c) for c in comps}
        self._margin_cache: dict[tuple[int, ...], tuple] = {}
        self._moves_cache: dict[tuple[tuple[str, int], ...], list] = {}
        # niveau -> periode -> code -> position: the two-way tables as lookups.
        self._grid: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for i, (periode, niveau, code) in enumerate(family.positions):
            self._grid[niveau][periode][code] = i

    # -- certificates ----------------------------------------------------------------------
    def idx(self, periode: str, niveau: str, code: str) -> int | None:
        return self.f.index((periode, niveau, code))

    def _other_periods(self, periode: str) -> list[tuple[str, int]]:
        """Other rows of a rectangle, with the sign of their corners (+1 for the total)."""
        if periode == ENSEMBLE:
            return [(a, 1) for a in self.years]
        others = [(a, -1) for a in self.years if a != periode]
        if ENSEMBLE in self.periods:
            others.append((ENSEMBLE, 1))
        return others

    def free(self, periode: str, other: str, niveau: str, code: str) -> bool:
        """Whether a column may move by +t in one period and -t in the other: always, unless
        another table publishes its sums over groups of periods (months of a year) and the two
        fall in different groups where that table shows the column's sum (or its région's)."""
        group = self.f.period_group
        if group is None or group(periode) == group(other):
            return True
        return self.unsummed(periode, niveau, code) and self.unsummed(other, niveau, code)

    def unsummed(self, periode: str, niveau: str, code: str) -> bool:
        """Whether no other table shows the column's sum over the period's group (and its
        région's, for an académie)."""
        group = self.f.period_group
        if group is None:
            return True
        columns = [(niveau, code)]
        if niveau == ACADEMIE:
            columns.append((REGION, self.regions.get(code, "NR")))
        return all((group(periode), n, c) in self.f.free_groups for n, c in columns)

    def reach(self, corners: Corners, group: tuple[int, ...]) -> tuple[int, int]:
        """How far the perturbation can go up and down (t >= 0) for the target (+1 corner)."""
        margins, rates = self._margins(group)
        slacks = self._slacks
        above = below = math.inf
        for i, sign in corners:
            margin = margins[i]
            if margin < 0:  # a component the attacker knows at this corner cannot move
                return 0, 0
            if sign < 0:
                above = min(above, margin)
            else:
                below = min(below, margin)
            if rates:
                slack = slacks[i]
                for k, rate in rates:
                    rate *= sign
                    if rate > 0:
                        above = min(above, slack[k] // rate)
                    elif rate < 0:
                        below = min(below, slack[k] // -rate)
        return max(above, 0), max(below, 0)

    def _margins(self, group: tuple[int, ...]) -> tuple[list[int], list[tuple[int, int]]]:
        """Per position, the group's smallest margin above its lower bounds (-1 when a component
        is known); and the inequalities the group moves, with their rates. Computed once per
        group (a family has hundreds of groups and thousands of positions: the slacks, the same
        for every group, are in ``_slacks``)."""
        cache = self._margin_cache.get(group)
        if cache is None:
            comps = list(group)
            x = self.x
            margins = np.where(
                self.known[:, comps].any(axis=1), -1, (x[:, comps] - self.lb[:, comps]).min(axis=1)
            ).tolist()
            rates = [(k, int(g[comps].sum())) for k, g in enumerate(self.ineq)]
            cache = (margins, [(k, rate) for k, rate in rates if rate])
            self._margin_cache[group] = cache
        return cache

    def rectangles(self, i0: int, is_hidden) -> _Lazy:
        """Certificates for position i0 whose corners are all hidden under `is_hidden`, made as
        they are read (a check usually needs the first few)."""
        return _Lazy(self._rectangles(i0, is_hidden))

    def _rectangles(self, i0: int, is_hidden) -> Iterator[Corners]:
        periode, niveau, code = self.f.positions[i0]
        if niveau == REGION:
            return
        # The few routes through the national column first: a check reads a bounded number.
        yield from self.through_national(i0, is_hidden)
        if niveau != NATIONAL:
            rows = self._grid[niveau]
            columns = self.dimensions[niveau]
            row = rows[periode]
            if ENSEMBLE not in self.periods and self.unsummed(periode, niveau, code):
                # No sum over periods is published for these columns: two hidden cells of one
                # period suffice.
                for other_c in columns:
                    k = row.get(other_c)
                    if (
                        other_c != code
                        and k is not None
                        and is_hidden(k)
                        and self.unsummed(periode, niveau, other_c)
                    ):
                        yield [(i0, 1), (k, -1)]
            for other_p, sign in self._other_periods(periode):
                other_row = rows[other_p]
                j = other_row.get(code)
                if j is None or not is_hidden(j) or not self.free(periode, other_p, niveau, code):
                    continue
                for other_c in columns:
                    if other_c == code or not self.free(periode, other_p, niveau, other_c):
                        continue
                    k, m = row.get(other_c), other_row.get(other_c)
                    if k is None or m is None or not (is_hidden(k) and is_hidden(m)):
                        continue
                    yield [(i0, 1), (k, -1), (j, sign), (m, -sign)]

    def through_national(self, i0: int, is_hidden) -> list[Corners]:
        """Certificates through the national column: the same move in every dimension."""
        periode, niveau, code = self.f.positions[i0]
        out = []
        if ENSEMBLE not in self.periods and self.f.period_group is None:
            # No sum over periods is published: a hidden national cell moves with one hidden
            # cell of each dimension in the same period.
            n = self.idx(periode, NATIONAL, "FR")
            if n is not None and is_hidden(n):
                corners = [(n, 1)]
                for dimension, codes in self.dimensions.items():
                    cells = [
                        j
                        for c in ([code] if dimension == niveau else codes)
                        if (j := self.idx(periode, dimension, c)) is not None and is_hidden(j)
                    ]
                    if not cells:
                        break
                    corners.append((max(cells, key=lambda j: int(self.x[j].sum())), 1))
                else:
                    out.append(corners)
        for other_p, sign in self._other_periods(periode):
            if not self.free(periode, other_p, NATIONAL, "FR"):
                continue
            corners = []
            for dim_p in (periode, other_p):
                n = self.idx(dim_p, NATIONAL, "FR")
                if n is None or not is_hidden(n):
                    break
                corners.append((n, 1 if dim_p == periode else sign))
            else:
                complete = True
                for dimension, codes in self.dimensions.items():
                    choices = [code] if dimension == niveau else codes
                    best, margin = None, -1
                    for c in choices:  # the pair of hidden cells with the most room
                        if not self.free(periode, other_p, dimension, c):
                            continue
                        a, b = self.idx(periode, dimension, c), self.idx(other_p, dimension, c)
                        if a is not None and b is not None and is_hidden(a) and is_hidden(b):
                            m = int(min(self.x[a].sum(), self.x[b].sum()))
                            if m > margin:
                                best, margin = [(a, 1), (b, sign)], m
                    if best is None:
                        complete = False
                        break
                    corners.extend(best)
                if complete:
                    out.append(corners)
        return out

    def bounds(
        self, i0: int, requirement: Requirement, certificates: Iterable[Corners]
    ) -> tuple[int, int]:
        """The largest move up and down of the expression that the certificates prove.

        Certificates whose corners (the target aside) do not overlap add up: their sum is a
        perturbation too, limited at the target by the target's own margins. Stops as soon as
        the requirement is met.
        """
        above = below = 0
        for group, rate in self._moves(requirement.expression):
            target_up, target_down = self.reach([(i0, 1)], group)
            if target_up == 0 and target_down == 0:
                continue
            # What the requirement needs in the group's own direction.
            need_up, need_down = requirement.above, requirement.below
            if rate < 0:
                need_up, need_down = need_down, need_up
            k = abs(rate)
            need_up, need_down = -(-need_up // k), -(-need_down // k)
            sum_up = sum_down = 0
            taken_up: set[int] = set()
            taken_down: set[int] = set()
            for corners in itertools.islice(certificates, MAX_CERTIFICATES):
                h, b = self.reach([c for c in corners if c[0] != i0], group)
                others = {j for j, _ in corners if j != i0}
                if h > 0 and sum_up < target_up and not others & taken_up:
                    taken_up |= others
                    sum_up += h
                if b > 0 and sum_down < target_down and not others & taken_down:
                    taken_down |= others
                    sum_down += b
                h_, b_ = min(target_up, sum_up), min(target_down, sum_down)
                if h_ >= need_up and b_ >= need_down and h_ + b_ >= 1:
                    break
            h, b = min(target_up, sum_up) * k, min(target_down, sum_down) * k
            if rate < 0:
                h, b = b, h
            above, below = max(above, h), max(below, b)
            if above >= requirement.above and below >= requirement.below and above + below >= 1:
                break
        return above, below

    def _moves(self, expression: tuple[tuple[str, int], ...]) -> list[tuple[tuple[int, ...], int]]:
        """The groups that can move the expression's components, with the rate at which each
        moves the expression (groups that leave it unchanged left out). Computed once per
        expression."""
        moves = self._moves_cache.get(expression)
        if moves is None:
            comps = self.f.components
            coefs = {comps.index(c): k for c, k in expression}
            groups = sorted({tuple(g) for c in coefs for g in self.companions[comps[c]]})
            rates = ((group, sum(coefs.get(g, 0) for g in group)) for group in groups)
            moves = [(group, rate) for group, rate in rates if rate]
            self._moves_cache[expression] = moves
        return moves

    def met(self, i0: int, requirement: Requirement, is_hidden) -> bool:
        above, below = self.bounds(i0, requirement, self.rectangles(i0, is_hidden))
        return above >= requirement.above and below >= requirement.below and above + below >= 1


class _Lazy:
    """A list filled from a generator as far as it is read, and read again from the start."""

    def __init__(self, source: Iterator[Corners]) -> None:
        self._source = source
        self._seen: list[Corners] = []

    def __iter__(self) -> Iterator[Corners]:
        i = 0
        while True:
            if i < len(self._seen):
                yield self._seen[i]
            else:
                item = next(self._source, None)
                if item is None:
                    return
                self._seen.append(item)
                yield item
            i += 1


def _groups(family: Family, component: str, max_size: int = 4) -> list[list[int]]:
    """Sets of components that can move together with `component` by the same amount:
    those that keep the position's equalities (D = K + P), smallest first. Moving more
    components together gives room where an inequality is tight (S = K: all known outcomes
    positive; a numerator equal to its base)."""
    comps = family.components
    free = [c for c in comps if c not in family.public and c != component]
    groups = []
    for size in range(max_size):
        for others in itertools.combinations(free, size):
            group = (component, *others)
            if all(sum(g.get(c, 0) for c in group) == 0 for g in family.equalities):
                groups.append([comps.index(c) for c in group])
    return groups


def _is_met(pattern: Pattern, i0: int, requirement: Requirement) -> bool:
    if pattern.f.positions[i0][1] == REGION:
        return _region_met(pattern, i0, requirement, lambda j: pattern.mask[j])
    return pattern.met(i0, requirement, lambda j: pattern.mask[j])


def _academies_of(pattern: Pattern, i0: int) -> list[int]:
    """The hidden académie cells of a région cell (same period)."""
    periode, _, region = pattern.f.positions[i0]
    return [
        i
        for code in pattern.dimensions.get(ACADEMIE, [])
        if pattern.regions.get(code, "NR") == region
        and (i := pattern.idx(periode, ACADEMIE, code)) is not None
        and pattern.mask[i]
    ]


def _towards_other_region(pattern: Pattern, corners: Corners, region: str) -> bool:
    """A certificate moves the région's sum when its other académie column lies elsewhere."""
    f = pattern.f
    codes = {f.positions[j][2] for j, _ in corners if f.positions[j][1] == ACADEMIE}
    return len(codes) == 1 or any(pattern.regions.get(c, "NR") != region for c in codes)


def _region_met(pattern: Pattern, i0: int, requirement: Requirement, is_hidden) -> bool:
    """A région's cell is the sum of its académies': certificates of one of them whose other
    académie column lies in another région move it by as much."""
    region = pattern.f.positions[i0][2]
    for a in _academies_of(pattern, i0):
        # Read as far as a check needs (bounds reads at most MAX_CERTIFICATES of them).
        certificates = _Lazy(
            c for c in pattern.rectangles(a, is_hidden) if _towards_other_region(pattern, c, region)
        )  # fmt: skip
        above, below = pattern.bounds(a, requirement, certificates)
        if above >= requirement.above and below >= requirement.below and above + below >= 1:
            return True
    return False


def suppress(
    family: Family,
    regions: dict[str, str],
    max_rounds: int = 100,
    forced: frozenset[tuple[str, str, str]] = frozenset(),
) -> Result:
    """Hides the primary cells of a family, the positions ``forced`` (hidden because a linked
    family hides them), and enough others to protect every hidden one."""
    start = time.perf_counter()
    pattern = Pattern(family, regions)
    mask = pattern.mask
    for position in forced:
        i = family.index(position)
        if i is not None and pattern.maskable[i]:
            mask[i] = True
    _whole_columns(pattern)
    rounds = 0
    unmet: list = []
    while rounds < max_rounds:
        rounds += 1
        unmet = _unmet(pattern)
        if not unmet:
            break
        added = 0
        for i, requirement in unmet:
            if _is_met(pattern, int(i), requirement):
                continue  # met by a cell hidden earlier in this round
            to_hide = _complete(pattern, int(i), requirement)
            if to_hide:
                mask[list(to_hide)] = True
                added += len(to_hide)
        _whole_columns(pattern)
        if not added:
            break
    if unmet:
        # No rectangle completes these (tables too small or too sparse): hide every cell of the
        # family that can be hidden rather than publish a cell an attacker could pin.
        log.warning(
            "secret statistique : %s, %d exigences sans certificat, famille entièrement masquée",
            family.name,
            len(unmet),
        )
        mask |= pattern.maskable
        unmet = _unmet(pattern)
    n_primary = int(np.sum(family.primary))
    result = Result(
        hidden=mask.copy(),
        n_primary=n_primary,
        n_secondary=int(mask.sum()) - n_primary,
        rounds=rounds,
        seconds=time.perf_counter() - start,
        unmet=[(family.positions[i], e) for i, e in unmet],
    )
    return result


def _whole_columns(pattern: Pattern) -> None:
    """For a family whose periods are linked by stocks and flows (a month's stock is the last
    one plus entries minus exits), a territory hidden in one period is hidden in all: one shown
    period beside a hidden one would bound it by differences over time."""
    f = pattern.f
    if not f.whole_columns:
        return
    hidden_columns = {
        (niveau, code)
        for i, (_, niveau, code) in enumerate(f.positions)
        if pattern.mask[i] and niveau != REGION
    }
    for i, (_, niveau, code) in enumerate(f.positions):
        if (niveau, code) in hidden_columns and pattern.maskable[i]:
            pattern.mask[i] = True


def _unmet(pattern: Pattern) -> list[tuple[int, Requirement]]:
    """Requirements of hidden cells that no certificate meets (régions derived first)."""
    _regions(pattern)
    f = pattern.f
    return [
        (int(i), e)
        for i in np.flatnonzero(pattern.mask)
        for e in f.requirements[i]
        if not _is_met(pattern, int(i), e)
    ]


def _complete(pattern: Pattern, i0: int, requirement: Requirement) -> set[int]:
    """The cheapest cells to hide so that the certificates meet the requirement.

    Every rectangle (and every route through the national column) that needs new cells is tried
    alone, as if its corners were hidden; those that meet the requirement compete on the cost of
    their new cells, and when none does, the one that gets closest wins (the next round goes on
    from there, with every certificate).
    """
    f = pattern.f
    candidates = lambda j: pattern.mask[j] or pattern.maskable[j]  # noqa: E731
    if f.positions[i0][1] == REGION:
        region = f.positions[i0][2]
        best_moves = []
        for a in _academies_of(pattern, i0):
            for corners in pattern.rectangles(a, candidates):
                new_cells = {j for j, _ in corners if not pattern.mask[j]}
                if new_cells and _towards_other_region(pattern, corners, region):
                    above, below = pattern.bounds(a, requirement, [corners])
                    shortfall = max(0, requirement.above - above) + max(
                        0, requirement.below - below
                    )
                    shortfall += 0 if above + below >= 1 else 1
                    best_moves.append((shortfall, sum(f.cost[j] for j in new_cells), new_cells))
        best_moves.sort(key=lambda m: (m[0], m[1]))
        return best_moves[0][2] if best_moves else set()
    best_moves = []
    for corners in pattern.rectangles(i0, candidates):
        new_cells = {j for j, _ in corners if not pattern.mask[j]}
        if not new_cells:
            continue
        above, below = pattern.bounds(i0, requirement, [corners])
        shortfall = (
            max(0, requirement.above - above)
            + max(0, requirement.below - below)
            + (0 if above + below >= 1 else 1)
        )
        cost = sum(f.cost[j] for j in new_cells)
        best_moves.append((shortfall, cost, len(new_cells), new_cells))
    if not best_moves:
        return set()
    best_moves.sort(key=lambda m: (m[0], m[1], m[2]))
    return best_moves[0][3]


def _regions(pattern: Pattern) -> None:
    """A région's cell is hidden when one of its académies' is (the table is derived), unless
    the académie table already gives its value away (its hidden académies are partners of one
    another): then it is shown, since it tells nothing more and a hidden cell that anyone can
    work out protects nothing (and would read as a leak)."""
    f = pattern.f
    hidden_by_region: dict[tuple[str, str], bool] = defaultdict(bool)
    for i, (periode, niveau, code) in enumerate(f.positions):
        if niveau == ACADEMIE and pattern.mask[i]:
            hidden_by_region[(periode, pattern.regions.get(code, "NR"))] = True
    determined = _determined_sums(pattern)
    for i, (periode, niveau, code) in enumerate(f.positions):
        if niveau == REGION:
            hidden = hidden_by_region[(periode, code)] and (periode, code) not in determined
            if f.primary[i] and not hidden:
                hidden = True  # never expected: a small région has small académies
            pattern.mask[i] = hidden


def _determined_sums(pattern: Pattern) -> set[tuple[str, str]]:
    """(period, région) whose académies' sum the other published cells determine, for every
    component: the région's vector lies in the row space of the additive relations over the
    hidden cells (exact linear algebra; bounds are not used, which only makes fewer sums
    determined)."""
    f = pattern.f
    if ACADEMIE not in pattern.dimensions:
        return set()
    academies_by_region = defaultdict(list)
    for i, (periode, niveau, code) in enumerate(f.positions):
        if niveau == ACADEMIE and pattern.mask[i]:
            academies_by_region[(periode, pattern.regions.get(code, "NR"))].append(i)
    if not academies_by_region:
        return set()
    relations = []
    for periode in pattern.periods:
        total = pattern.idx(periode, NATIONAL, "FR")
        for dimension, codes in pattern.dimensions.items():
            terms = [(pattern.idx(periode, dimension, c), 1) for c in codes]
            relations.append([*terms, (total, -1)])
    # Years add up to « ensemble » where the family has it (a family of months has no total
    # over periods: assuming one would make sums look determined that are not).
    for niveau, codes in [*pattern.dimensions.items(), (NATIONAL, ["FR"])]:
        for code in codes if ENSEMBLE in pattern.periods else []:
            terms = [(pattern.idx(a, niveau, code), 1) for a in pattern.years]
            relations.append([*terms, (pattern.idx(ENSEMBLE, niveau, code), -1)])
    determined = set(academies_by_region)
    for j, comp in enumerate(f.components):
        if comp in f.public:
            continue
        hidden_cells = [
            i
            for i in range(len(f.positions))
            if pattern.mask[i] and not pattern.known[i, j] and f.positions[i][1] != REGION
        ]
        column = {i: k for k, i in enumerate(hidden_cells)}
        rows = []
        for terms in relations:
            row = np.zeros(len(hidden_cells))
            for i, c in terms:
                if i is not None and i in column:
                    row[column[i]] += c
            if row.any():
                rows.append(row)
        kernel = _null_space(np.array(rows, dtype=float).reshape(len(rows), len(hidden_cells)))
        for key in list(determined):
            vector = np.zeros(len(hidden_cells))
            for i in academies_by_region[key]:
                if i in column:
                    vector[column[i]] = 1.0
            if kernel.size and np.abs(kernel.T @ vector).max(initial=0.0) > 1e-9:
                determined.discard(key)
    return determined


def _null_space(a: np.ndarray) -> np.ndarray:
    """An orthonormal basis (columns) of the null space of `a`."""
    n = a.shape[1]
    if a.shape[0] == 0:
        return np.eye(n)
    _, singular, vt = np.linalg.svd(a)
    rank = int((singular > 1e-9).sum())
    return vt[rank:].T
