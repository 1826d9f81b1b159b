"""The warehouse's youth cells grouped into families of linked tables, with the primary rules.

A *family* is a set of cells that share quantities, so that they are shown or hidden together
at each *position* (period × level × code): the five outcome rates of one horizon share their
denominator (parcours whose horizon has elapsed and whose situation is known, K; the lost-from-
view rate's is D = K + its numerator), the comparison rates, the compared CSF parcours' rates and
the gaps of one horizon share the comparison group's size and the compared CSF parcours; a count
or a rate alone is its own family.
At each position a family holds a vector of quantities (its *components*); every component is
additive over the same tables: each dimension's categories add up to the national cell, years
to "ensemble", académies to their région académique.

Primary rules (indicators.md): a count of 1 to 4 youths; a rate on 1 to 19 youths; a gap whose
smaller group has 1 to 19 youths; a funnel youth stage whose count, or count stopped there, is 1
to 4, or whose conversion base is 1 to 19 clauses. A count of 0 and a rate on 0 youths are
shown (nothing to hide: the rate is « sans objet »), so an attacker knows a hidden one is not
zero: components that are counts of a hidden cell are at least 1 (`positives`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

ENSEMBLE = "ensemble"
NATIONAL = "national"
REGION = "region_academique"
ACADEMIE = "academie"
Position = tuple[str, str, str]  # (periode, niveau, code_niveau)

_OUTCOME = re.compile(
    r"^(?P<ecart>ecart_)?taux_(?P<mesure>.+)_(?P<horizon>sortie|3m|6m|12m)"
    r"(?:(?P<comp>_comparaison)|(?P<csf>_csf_compares))?$"
)
_MEASURES = {
    "retour_formation_initiale": "R",
    "apprentissage": "A",
    "contrat_professionnalisation": "C",
    "sortie_positive": "S",
    "perdus_de_vue": "P",
}


@dataclass(frozen=True)
class Thresholds:
    count: int = 5  # counts from 1 to count - 1 are hidden
    denominator: int = 20  # rates on 1 to denominator - 1 youths are hidden
    # A hidden 1-4 count or 1-19 base: the attacker's upper bound at least this far above it
    # (below, an attacker always knows a hidden count is not zero; it must not be pinned).
    protection: int = 1


@dataclass(frozen=True)
class Requirement:
    """What must stay uncertain about an expression of a hidden position's components.

    The attacker's interval around the true value v must reach at least v + `above` and at most
    v - `below`, and hold two values at least (`above` + `below` >= 1 is then implied or asked).
    """

    expression: tuple[tuple[str, int], ...]
    above: int = 0
    below: int = 0


@dataclass
class Family:
    """One family of linked cells: its components, relations and positions."""

    name: str
    components: tuple[str, ...]
    positives: frozenset[str]
    # Per position: sum(coef * x) == 0 (equalities) or <= 0 (inequalities), over components.
    equalities: tuple[dict[str, int], ...] = ()
    inequalities: tuple[dict[str, int], ...] = ()
    public: frozenset[str] = frozenset()  # never hidden (public data)
    positions: list[Position] = field(default_factory=list)
    quantities: list[list[int]] = field(default_factory=list)
    primary: list[bool] = field(default_factory=list)
    maskable: list[bool] = field(default_factory=list)
    requirements: list[list[Requirement]] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    members: list[list[tuple]] = field(default_factory=list)  # output row keys
    # Per position, the components some non-zero member row publishes: the others are known to
    # be zero (a row of zeros is always shown, an absent row is zero), hidden or not.
    reported: list[set[str]] = field(default_factory=list)
    zeros: list[list[bool]] = field(default_factory=list)  # per member row: all its figures 0
    # Periods linked by stocks and flows: a territory hidden in one period is hidden in all.
    whole_columns: bool = False
    # A hidden position hides its rows of zeros too (then nothing says a hidden count is not 0).
    hides_zeros: bool = False
    # Groups of periods whose sums another table publishes (a year of months): the certificates
    # of suppression keep those sums.
    period_group: Callable[[str], str] | None = None
    # (group, niveau, code) whose sum over the group the other table does not show: there a
    # certificate may move the column across groups.
    free_groups: frozenset[tuple[str, str, str]] = frozenset()
    # Per position and component, a lower bound another published table gives (empty: none).
    lower: list[list[int]] = field(default_factory=list)
    _index: dict[Position, int] = field(default_factory=dict)

    def position(self, position: Position) -> int:
        """The index of a position, created empty the first time."""
        i = self._index.get(position)
        if i is None:
            i = len(self.positions)
            self._index[position] = i
            self.positions.append(position)
            self.quantities.append([0] * len(self.components))
            self.primary.append(False)
            self.maskable.append(False)
            self.requirements.append([])
            self.cost.append(0.0)
            self.members.append([])
            self.reported.append(set())
            self.zeros.append([])
        return i

    def index(self, position: Position) -> int | None:
        return self._index.get(position)

    def component(self, name: str) -> int:
        return self.components.index(name)

    def table(self) -> np.ndarray:
        return np.array(self.quantities, dtype=np.int64).reshape(-1, len(self.components))


def _cost(value: int, niveau: str, periode: str) -> float:
    # A hidden total hides more than it protects: national cells and "ensemble" cost more.
    return (1 + value) * (8 if niveau == NATIONAL else 1) * (2 if periode == ENSEMBLE else 1)


def _family_of(indicateur: str, unite: str) -> tuple[str, str, str] | None:
    """(family name, numerator component, denominator component) of an indicator."""
    m = _OUTCOME.match(indicateur)
    if unite == "nombre":
        return indicateur, "n", ""
    if m is None:
        return indicateur, "n", "d"
    code, horizon = _MEASURES.get(m["mesure"]), m["horizon"]
    if code is None:
        return indicateur, "n", "d"
    lost = code == "P"
    if m["ecart"]:
        return (
            f"comparaison_{horizon}",
            ("NCSFD" if lost else "NCSF"),
            ("NCD" if lost else "NC"),
        )
    if m["comp"]:
        return f"comparaison_{horizon}", "X" + code, ("NCD" if lost else "NC")
    if m["csf"]:  # the compared CSF parcours: the écart's own CSF side
        return f"comparaison_{horizon}", "Y" + code, ("NCSFD" if lost else "NCSF")
    return f"resultats_{horizon}", code, ("D" if lost else "K")


def _new_family(name: str, unite: str) -> Family:
    if name.startswith("resultats_"):
        return Family(
            name,
            ("K", "D", "P", "R", "A", "C", "S"),
            frozenset({"K", "D"}),
            equalities=({"D": 1, "K": -1, "P": -1},),
            inequalities=({"R": 1, "A": 1, "C": 1, "S": -1}, {"S": 1, "K": -1}),
        )
    if name.startswith("comparaison_"):
        components = (
            "NC", "NCD", "NCSF", "NCSFD",
            "XR", "XA", "XC", "XS", "XP",  # comparison group numerators
            "YR", "YA", "YC", "YS", "YP",  # compared CSF parcours numerators
        )  # fmt: skip
        return Family(
            name,
            components,
            frozenset({"NC", "NCD", "NCSF", "NCSFD"}),
            inequalities=(
                {"XR": 1, "XA": 1, "XC": 1, "XS": -1},
                {"XS": 1, "NC": -1},
                {"XP": 1, "NCD": -1},
                {"YR": 1, "YA": 1, "YC": 1, "YS": -1},
                {"YS": 1, "NCSF": -1},
                {"YP": 1, "NCSFD": -1},
            ),
        )
    if unite == "nombre":
        return Family(name, ("n",), frozenset({"n"}))
    return Family(
        name,
        ("n", "d"),
        frozenset({"d"}),
        inequalities=({"n": 1, "d": -1},),
    )


def indicateurs(rows: pl.DataFrame, thresholds: Thresholds) -> list[Family]:
    """Families of the youth-domain indicator rows (indicateur, unite, periode, niveau,
    code_niveau, numerateur, denominateur)."""
    families: dict[str, Family] = {}
    for row in rows.iter_rows(named=True):
        name, comp_n, comp_d = _family_of(row["indicateur"], row["unite"])
        family = families.get(name) or families.setdefault(name, _new_family(name, row["unite"]))
        position = (row["periode"], row["niveau"], row["code_niveau"])
        i = family.position(position)
        family.members[i].append(("indicateurs", row["indicateur"], *position))
        zero = not ((row["numerateur"] or 0) or (row["denominateur"] or 0))
        family.zeros[i].append(zero)
        if not zero:
            family.reported[i].update(c for c in (comp_n, comp_d) if c)
        for comp, value in ((comp_n, row["numerateur"]), (comp_d, row["denominateur"])):
            if not comp:
                continue
            j = family.component(comp)
            value = int(value or 0)
            previous = family.quantities[i][j]
            if previous and previous != value:
                raise ValueError(f"{name} {position} {comp} : {previous} et {value}")
            family.quantities[i][j] = value
    for family in families.values():
        _primary_rules(family, thresholds)
    return list(families.values())


def _primary_rules(family: Family, thresholds: Thresholds) -> None:
    """Primary rules, the requirements of each position when hidden, and its cost."""
    p = thresholds.protection
    comps = family.components
    for i, (periode, niveau, _) in enumerate(family.positions):
        v = dict(zip(comps, family.quantities[i], strict=True))
        requirements = [Requirement(((c, 1),), 0, 0) for c in comps if v[c] != 0]
        if family.name.startswith("resultats_") or comps == ("n", "d"):
            base = v["K"] if "K" in v else v["d"]
            bases = {"K": v["K"], "D": v["D"]} if "K" in v else {"d": v["d"]}
            maskable = base > 0 or (v.get("D", 0) > 0)
            primary = any(0 < b < thresholds.denominator for b in bases.values())
            sensitive = {c: b for c, b in bases.items() if 0 < b < thresholds.denominator}
            cost = _cost(max(bases.values()), niveau, periode)
        elif family.name.startswith("comparaison_"):
            groups = {c: v[c] for c in ("NC", "NCD", "NCSF", "NCSFD")}
            maskable = any(b > 0 for b in groups.values())
            sensitive = {c: b for c, b in groups.items() if 0 < b < thresholds.denominator}
            primary = bool(sensitive)
            cost = _cost(max(v["NCSF"], v["NCSFD"]), niveau, periode)
        else:  # a count
            maskable = v["n"] > 0
            sensitive = {"n": v["n"]} if 0 < v["n"] < thresholds.count else {}
            primary = bool(sensitive)
            cost = _cost(v["n"], niveau, periode)
        if primary:
            requirements += [Requirement(((c, 1),), p, 0) for c in sensitive]
        family.primary[i] = primary
        family.maskable[i] = maskable
        family.requirements[i] = requirements
        family.cost[i] = cost


def funnel(rows: pl.DataFrame, thresholds: Thresholds) -> Family:
    """The funnel's youth stages (niveau, code_niveau, periode, commences, termines,
    positives): clauses whose parcours started (stage 7: public, the clause list shows it),
    completed (8), and led to a positive exit at 6 months (9)."""
    family = Family(
        "entonnoir",
        ("c", "a", "b"),
        frozenset(),
        inequalities=({"a": 1, "c": -1}, {"b": 1, "a": -1}),
        public=frozenset({"c"}),
    )
    p = thresholds.protection
    for row in rows.iter_rows(named=True):
        position = (row["periode"], row["niveau"], row["code_niveau"])
        i = family.position(position)
        c, a, b = (int(row[k] or 0) for k in ("commences", "termines", "positives"))
        family.quantities[i] = [c, a, b]
        family.members[i].append(("entonnoir", *position))
        family.reported[i].update(("a", "b"))
        family.zeros[i].append(False)
        counts = {(("a", 1),): a, (("b", 1),): b, (("a", 1), ("b", -1)): a - b}
        delays = (int(row.get("delais_commences") or 0), int(row.get("delais_termines") or 0))
        primary = any(1 <= n < thresholds.count for n in (*counts.values(), *delays)) or (
            0 < c < thresholds.denominator or 0 < a < thresholds.denominator
        )
        requirements = [Requirement(e) for e, n in counts.items() if n != 0]
        if primary:
            # Within what is public: stage 8 and 9 counts are at most stage 7's.
            requirements += [
                Requirement(e, min(p, c - n), 0)
                for e, n in counts.items()
                if 1 <= n < thresholds.count
            ]
            if 0 < a < thresholds.denominator:
                requirements.append(Requirement((("a", 1),), min(p, c - a), 0))
        family.primary[i] = primary
        family.maskable[i] = c > 0
        family.requirements[i] = requirements
        family.cost[i] = _cost(a, row["niveau"], row["periode"])
    return family


def regions(academies: pl.DataFrame) -> dict[str, str]:
    """Académie code -> région académique code as the indicator cells name it."""
    return dict(academies.select("code_academie", "libelle_region_academique").iter_rows())


# The youth counts of the offers-and-waiting series (int_attente__comptes), by family, in the
# order they are decided: the stock of youths waiting with its parts (each at most the whole,
# the longer waits within the shorter; lagged too: W6(m) <= W(m-6)) and its entries, shown or
# hidden together, then each other flow alone. The entries are tied to the stock by more than
# its rise: those waiting under 6 months entered in the last 7 months (W - W6 <= a window of
# entries), and those not yet positioned rise by at most the entries (W - Wp too); an entry
# hidden beside a shown stock would be bounded by relations no certificate reads. Offer counts
# are procurement data and are not here.
STOCK = "attente_stock"
ATTENTE = {
    STOCK: {
        "nb_jeunes_en_attente": "W",
        "nb_jeunes_positionnes_en_attente": "Wp",
        "nb_jeunes_en_attente_6_mois_plus": "W6",
        "nb_jeunes_en_attente_12_mois_plus": "W12",
        "nb_jeunes_entres_en_attente": "E",
    },
    "attente_positionnements": {"nb_positionnements": "n"},
    "attente_parcours": {"nb_parcours_commences": "n"},
    "attente_sans_action": {"nb_jeunes_action_non_renseignee": "n"},
}
ATTENTE_INDICATEURS = tuple(i for group in ATTENTE.values() for i in group)
# A flow bounded by the stock it feeds: Wp(m) <= Wp(m-1) + Pz(m) for those positioned and the
# positionings (exits are not published). Where the stock is hidden the flow is hidden with it;
# where it is shown, the flow is at least the stock's rise.
FLOW_OF_STOCK = {"attente_positionnements": "Wp"}
DEPARTEMENT = "departement"


def _year(periode: str) -> str:
    return periode[:4]


def attente(
    rows: pl.DataFrame,
    thresholds: Thresholds,
    total: str | None = None,
    annual_hidden: frozenset[tuple[str, str, str]] = frozenset(),
) -> list[Family]:
    """Families of the waiting series' youth counts (indicateur, periode, niveau, code_niveau,
    code_parent, valeur), one per group of `ATTENTE`, over months.

    Without `total`: the national, région and académie cells. With `total` an académie code:
    that académie's départements as the categories of a table whose total is the académie
    (already decided: never hidden here, and it decides no row).

    Months are linked by stocks and flows, so a territory is hidden in every month or none
    (`whole_columns`) and its rows of zeros with it (`hides_zeros`: a shown zero would bound a
    flow by the stocks around it); the parcours started keep each year's sums above the
    départements, which the annual youth indicators publish (nb_parcours by year of start),
    except where that indicator is hidden (`annual_hidden`: (year, niveau, code))."""
    families: dict[str, Family] = {}
    for name, indicators in ATTENTE.items():
        families[name] = Family(
            name,
            tuple(indicators.values()),
            frozenset(),
            inequalities=(
                ({"Wp": 1, "W": -1}, {"W6": 1, "W": -1}, {"W12": 1, "W6": -1})
                if name == STOCK
                else ()
            ),
            whole_columns=True,
            hides_zeros=True,
            # Parcours started are also counted by year of start (nb_parcours), by nation,
            # région and académie (not by département).
            period_group=_year if name == "attente_parcours" and total is None else None,
            free_groups=annual_hidden,
        )
    of_indicator = {i: (name, c) for name, group in ATTENTE.items() for i, c in group.items()}
    totals: set[tuple[str, int]] = set()
    for row in rows.iter_rows(named=True):
        found = of_indicator.get(row["indicateur"])
        if found is None:
            continue
        name, component = found
        family = families[name]
        niveau, code = row["niveau"], row["code_niveau"]
        if total is None:
            if niveau == DEPARTEMENT:
                continue
            position = (row["periode"], niveau, code)
        elif niveau == ACADEMIE and code == total:
            position = (row["periode"], NATIONAL, "FR")
        elif niveau == DEPARTEMENT and row.get("code_parent") == total:
            position = (row["periode"], ACADEMIE, code)
        else:
            continue
        i = family.position(position)
        family.quantities[i][family.component(component)] = int(row["valeur"] or 0)
        if position[1] == NATIONAL and total is not None:
            totals.add((name, i))
            continue
        family.members[i].append(("attente", row["indicateur"], row["periode"], niveau, code))
        family.zeros[i].append(not row["valeur"])
    p = thresholds.protection
    for name, family in families.items():
        for i, (periode, niveau, _) in enumerate(family.positions):
            v = dict(zip(family.components, family.quantities[i], strict=True))
            # Nothing is known of a hidden position: its zeros are hidden too.
            family.reported[i] = set(family.components)
            sensitive = [c for c, n in v.items() if 0 < n < thresholds.count]
            family.primary[i] = bool(sensitive) and (name, i) not in totals
            family.maskable[i] = (name, i) not in totals
            family.requirements[i] = [Requirement(((c, 1),)) for c, n in v.items() if n] + [
                Requirement(((c, 1),), p, 0) for c in sensitive
            ]
            family.cost[i] = _cost(max(v.values()), niveau, periode)
    return [f for f in families.values() if f.positions]


def flow_lower_bounds(flow: Family, stock: Family, hidden_stock: set[Position]) -> None:
    """Sets a flow's lower bounds from the stock it feeds where that stock is shown in the month
    and the one before: the flow is at least the stock's rise (exits are not published)."""
    component = stock.component(FLOW_OF_STOCK[flow.name])
    months = sorted({p[0] for p in stock.positions})
    before = dict(zip(months[1:], months[:-1], strict=False))
    flow.lower = [[0] for _ in flow.positions]
    for i, (periode, niveau, code) in enumerate(flow.positions):
        now, previous = (periode, niveau, code), (before.get(periode), niveau, code)
        j, k = stock.index(now), stock.index(previous)
        if j is None or k is None or now in hidden_stock or previous in hidden_stock:
            continue
        rise = stock.quantities[j][component] - stock.quantities[k][component]
        flow.lower[i] = [max(0, rise)]
