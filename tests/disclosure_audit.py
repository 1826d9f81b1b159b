"""An outsider's differencing attack on one research release: every hidden youth-side quantity's
feasible interval, computed exactly by integer programming (HiGHS).

This module is an independent audit of statistical secrecy (indicators.md, « Small numbers and
disclosure »; issue 19). It deliberately shares no code with ``pipelines/disclosure`` nor with
any other part of the pipeline: it only reads the files a release publishes, as an attacker
would, and writes every relation an outsider can write from the published definitions.

What it reads, from ``<release>/csv/``:

- ``indicateurs.csv``: the youth-domain cells (``domaine = 'jeunes'``);
- ``entonnoir_clauses.csv``: the blocking-point funnel (youth stages 8 and 9, and stage 7 whose
  "stopped here" count gives stage 8 away);
- ``clauses.csv``: public procurement data, from which anyone recounts stages 1–7 of the funnel
  (clauses by ``rang_etape_atteinte``) per académie, buyer and notification year;
- ``academies.csv``: which académie belongs to which région académique;
- optionally a directory of dashboard CSV downloads: any file in it whose header carries the
  indicator table's key (``indicateur, periode, niveau, code_niveau``) adds its shown values.

The research microdata (``microdonnees_*``) are left out on purpose: they are pseudonymous data
handed to research teams under an agreement, not open data, so they are not part of what an
outsider holds (they are protected by k-anonymity, checked elsewhere).

The model (what an outsider knows):

- A shown cell publishes its numerator and denominator; a shown rate's numerator is
  rate × denominator even when its column is blanked; for a count the value is the numerator.
  A hidden cell's numerator and denominator are unknown. A cell absent from the file is 0.
- Shared quantities are one variable: at each horizon h, the four rates retour / apprentissage /
  contrat de professionnalisation / sortie positive share the denominator ``K_h``; the
  lost-from-view rate's denominator is ``D_h = K_h + P_h`` (P_h its numerator); the comparison
  rates share ``NC_h``, the écart rows carry ``NCSF_h`` (numerator) and ``NC_h`` (denominator),
  the compared CSF parcours' rates have ``NCSF_h`` as denominator; the lost-from-view
  comparison, compared CSF rate and écart have their own ``NCD_h`` / ``NCSFD_h``.
- Per cell: 0 ≤ numerator ≤ denominator; R + A + C ≤ S ≤ K (and the same for the comparison
  numerators); a hidden count and a hidden denominator are ≥ 1 (zeros and rates on no one are
  always shown, so an attacker knows a hidden count is not zero) — ``hidden_nonzero``.
- Additive relations per quantity: each dimension's categories (académie, secteur, sexe, tranche
  d'âge; 'NR' is a category) sum to the national cell; académies sum to their région académique
  (an académie code absent from ``academies.csv`` belongs to région 'NR') and régions to the
  national cell; years sum to 'ensemble' for every (niveau, code).
- Funnel, per (niveau, code, période): 0 ≤ a9 ≤ a8 ≤ a7 (a7 public), nb_delais(r) ≤ a(r+1),
  bloquées(8) = a8 − a9; a shown row gives its counts, bloquées(r) gives a(r+1) where the cell
  publishes stage r+1 (a buyer's funnel ends at stage 7, as its clause list does: that last
  row's stopped count is every clause that reached it, and says nothing of stage 8), the
  conversion rate gives a(r−1); académies and buyers sum to national, years to 'ensemble'.
- Every relation family is checked on the values the outsider can see (and, when given, on the
  truth): a family that provably does not hold as an equality is written as sum ≤ total (e.g.
  funnel clauses without académie), one that does not even hold as ≤ is dropped. Notes say which.
- ``use_motifs``: a release that says why a cell is hidden (``motif_secret``) tells the attacker
  more (a primary 1–4 count lies in 1..4, a rate hidden for its base has a denominator ≤ 19, a
  secondary rate has one ≥ 20); these are added as bounds.

Each hidden variable's interval [lo, hi] is the minimum and maximum of an integer programme over
its connected component of hidden variables (never fixing an unknown value: an attacker does not
know true values). The linear relaxation is solved first (hot-started simplex per objective); its
optimum is the integer optimum when integral, otherwise HiGHS's MIP solver is run.

Requirements checked (the documented target of the suppression engine):

- R1: no hidden quantity whose true value is non-zero is pinned (lo == hi);
- R2: a hidden count of youths of 1–4 (count cells and funnel youth-stage counts) and a hidden
  rate denominator of 1–19 keep hi ≥ value + 1 (upper protection level; below, the attacker
  always knows a hidden count is not zero, and R1 forbids pinning), within what public
  data allows (funnel youth counts are capped by the public stage-7 count).

With ``truth`` the audit also checks its own assumptions (R0): every true value lies in its
interval, and every public stage-7 count it uses (a shown funnel row, else its recount from
``clauses.csv``) is the warehouse's. A clause list that recounts another stage 7 than the funnel
makes R2's cap describe another release: a cap above the true public count asks a protection that
no suppression can give, one below it would make the audit unsound.

Without ``truth`` only intervals are reported and "pinned" means lo == hi (value = lo).
"""

from __future__ import annotations

import csv
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HORIZONS = ("sortie", "3m", "6m", "12m")
MESURES = (
    "retour_formation_initiale",
    "apprentissage",
    "contrat_professionnalisation",
    "sortie_positive",
)
DIMENSIONS = ("academie", "secteur", "sexe", "tranche_age")
FUNNEL_NIVEAUX = ("academie", "acheteur")
SEUIL_COMPTAGE = 5  # counts of 1..4 are hidden
SEUIL_DENOMINATEUR = 20  # rates on fewer than 20 are hidden
# R2: upper protection level above the true value (τ-ARGUS frequency rule, methodologie.md)
MARGE = 1

_RATE = re.compile(
    r"taux_(retour_formation_initiale|apprentissage|contrat_professionnalisation|sortie_positive"
    r"|perdus_de_vue)_(sortie|3m|6m|12m)(_comparaison|_csf_compares)?"
)
_ECART = re.compile(
    r"ecart_taux_(retour_formation_initiale|apprentissage|contrat_professionnalisation"
    r"|sortie_positive|perdus_de_vue)_(sortie|3m|6m|12m)"
)


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class Variable:
    """One unknown quantity: an indicator cell's numerator or denominator (shared between the
    cells that publish it), or a funnel cell's youth-stage count."""

    name: tuple
    kind: str  # 'effectif' (count of youths), 'denominateur', 'numerateur', 'autre'
    cells: list = field(default_factory=list)  # (table, key, column) publishing it
    in_hidden_cell: bool = False
    cap: float | None = None  # public upper bound (funnel: the stage-7 count)
    value: int | None = None  # truth, when given
    lo: float | None = None
    hi: float | None = None  # math.inf when unbounded

    @property
    def pinned(self) -> bool:
        return self.lo is not None and self.lo == self.hi


@dataclass
class Violation:
    # 'R1', 'R2', 'R0' (an assumption of the audit is false: a true value outside its interval,
    # or a public stage-7 count that is not the warehouse's)
    rule: str
    variable: Variable
    detail: str

    def __str__(self) -> str:
        v = self.variable
        return (
            f"{self.rule} {_fmt_name(v.name)} valeur={v.value} intervalle=[{v.lo}, {v.hi}] "
            f"({self.detail}); cellules: {', '.join(map(_fmt_cell, v.cells[:3]))}"
        )


@dataclass
class Report:
    release_dir: Path
    hidden_cells: int = 0  # youth indicator rows and funnel rows (stages 7–9) that are hidden
    variables: list[Variable] = field(default_factory=list)  # every unpublished quantity
    n_components: int = 0
    largest_component: int = 0
    violations: list[Violation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    n_lp: int = 0
    n_mip: int = 0
    # Components with no solution: the release contradicts an assumption (a hidden zero or 0/0
    # cell where the rules say zeros are shown, or a relation that does not hold).
    infeasible: list[list[tuple]] = field(default_factory=list)

    @property
    def hidden_variables(self) -> list[Variable]:
        """Quantities carried by at least one hidden cell (the ones R1/R2 protect)."""
        return [v for v in self.variables if v.in_hidden_cell]

    @property
    def recoverable(self) -> list[Variable]:
        """Hidden quantities an outsider pins exactly (non-zero ones when the truth is known)."""
        return [
            v
            for v in self.hidden_variables
            if v.pinned and (v.value if v.value is not None else v.lo) != 0
        ]

    @property
    def recoverable_cell_values(self) -> list[tuple]:
        """(table, key, column) of hidden cells whose value comes back exactly (non-zero)."""
        return [c for v in self.recoverable for c in v.cells if c[3]]

    def rule(self, name: str) -> list[Violation]:
        return [x for x in self.violations if x.rule == name]

    def summary(self) -> str:
        hv = self.hidden_variables
        lines = [
            f"audit de {self.release_dir}",
            f"  cellules masquées : {self.hidden_cells}",
            f"  variables inconnues : {len(self.variables)} dont {len(hv)} portées par une "
            f"cellule masquée",
            f"  composantes connexes : {self.n_components}, la plus grande : "
            f"{self.largest_component} variables",
            f"  résolutions : {self.n_lp} LP, {self.n_mip} MIP, {self.seconds:.1f} s",
            f"  variables masquées retrouvées exactement (non nulles) : {len(self.recoverable)} "
            f"({len(self.recoverable_cell_values)} valeurs de cellules masquées)",
            f"  violations : R1 {len(self.rule('R1'))}, R2 {len(self.rule('R2'))}, "
            f"R0 {len(self.rule('R0'))}",
        ]
        lines += [f"  note : {n}" for n in self.notes]
        return "\n".join(lines)


def _fmt_name(name: tuple) -> str:
    return "/".join(str(p) for p in name)


def _fmt_cell(cell: tuple) -> str:
    table, key, column, _hidden = cell
    return f"{table}[{'|'.join(map(str, key))}].{column}"


# --------------------------------------------------------------------------------------------
# Reading


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _num(text: str | None) -> float | None:
    if text is None or text == "":
        return None
    return float(text)


def _true(text: str | None) -> bool:
    return (text or "").strip().lower() in ("true", "1", "vrai", "t")


def _shown(row: dict) -> bool:
    """A row is shown when its ``diffusable`` flag says so (a release without that column: when
    it carries a value)."""
    if "diffusable" in row:
        return _true(row["diffusable"])
    return any(row.get(c) not in (None, "") for c in ("valeur", "nb_clauses_atteinte"))


def _int_of(x: float, what: str) -> int:
    r = round(x)
    if abs(x - r) > 1e-6 * max(1.0, abs(x)):
        raise ValueError(f"{what}: {x} n'est pas entier")
    return int(r)


def quantities(indicateur: str, unite: str) -> tuple[str, str | None, bool]:
    """(numerator quantity, denominator quantity, is valeur = numerator / denominator)."""
    m = _RATE.fullmatch(indicateur)
    if m:
        mesure, h, comparaison = m.groups()
        if comparaison == "_comparaison":
            den = f"NCD_{h}" if mesure == "perdus_de_vue" else f"NC_{h}"
            return f"{mesure}_{h}_comparaison", den, False
        if comparaison:  # the compared CSF parcours: the écart's numerator is their count
            den = f"NCSFD_{h}" if mesure == "perdus_de_vue" else f"NCSF_{h}"
            return f"{mesure}_{h}_csf_compares", den, True
        den = f"D_{h}" if mesure == "perdus_de_vue" else f"K_{h}"
        return f"{mesure}_{h}", den, True
    m = _ECART.fullmatch(indicateur)
    if m:
        mesure, h = m.groups()
        if mesure == "perdus_de_vue":
            return f"NCSFD_{h}", f"NCD_{h}", False
        return f"NCSF_{h}", f"NC_{h}", False
    if unite == "nombre":
        return indicateur, None, True
    return f"{indicateur}.num", f"{indicateur}.den", unite == "taux"


def _kind_of(qty: str, role: str) -> str:
    if role == "den" or qty.startswith(("NCSF_", "NCSFD_")):
        return "denominateur"
    return "numerateur"


class _Model:
    """Names → integer variables, published values, bounds and linear relations."""

    def __init__(self) -> None:
        self.vars: dict[tuple, Variable] = {}
        self.known: dict[tuple, int] = {}
        self.conflicts: list[str] = []
        self.lb: dict[tuple, float] = defaultdict(float)
        self.ub: dict[tuple, float] = defaultdict(lambda: math.inf)
        # relation instances: (family, terms {name: coef}, lo, hi); families decide = / ≤ / drop
        self.relations: list[tuple[tuple, dict, float, float]] = []
        self.truth: dict[tuple, int] = {}
        # Funnel stage-7 counts recounted from the public clause list, per funnel cell's a7.
        self.recounts: dict[tuple, int] = {}

    def var(self, name: tuple, kind: str) -> Variable:
        v = self.vars.get(name)
        if v is None:
            v = self.vars[name] = Variable(name=name, kind=kind)
        return v

    def know(self, name: tuple, value: int, source: str) -> None:
        old = self.known.get(name)
        if old is not None and old != value:
            self.conflicts.append(f"{_fmt_name(name)}: {old} et {value} ({source})")
        self.known[name] = value

    def bound(self, name: tuple, lo: float | None = None, hi: float | None = None) -> None:
        if lo is not None:
            self.lb[name] = max(self.lb[name], lo)
        if hi is not None:
            self.ub[name] = min(self.ub[name], hi)

    def relation(self, family: tuple, terms: dict, lo: float, hi: float) -> None:
        self.relations.append((family, terms, lo, hi))

    def total(self, family: tuple, parts: list[tuple], total: tuple) -> None:
        """sum(parts) = total (degraded to ≤ when the family provably is not an equality)."""
        terms: dict = defaultdict(float)
        for p in parts:
            terms[p] += 1.0
        terms[total] -= 1.0
        self.relation(family, dict(terms), 0.0, 0.0)


# --------------------------------------------------------------------------------------------
# Indicators


def _load_indicator_rows(release: Path, dashboard_dir: Path | None, notes: list[str]) -> list:
    rows = [
        r
        for r in _read_csv(release / "csv" / "indicateurs.csv")
        if r.get("domaine", "jeunes") == "jeunes"
    ]
    if dashboard_dir is not None:
        units = {r["indicateur"]: r["unite"] for r in rows}
        key = ("indicateur", "periode", "niveau", "code_niveau")
        for path in sorted(Path(dashboard_dir).glob("*.csv")):
            extra = _read_csv(path)
            if not extra or not all(k in extra[0] for k in key):
                notes.append(f"téléchargement non lu (pas de clé d'indicateur) : {path.name}")
                continue
            for r in extra:
                if r["indicateur"] in units and _true(r.get("diffusable", "true")):
                    r.setdefault("unite", units[r["indicateur"]])
                    r["domaine"] = "jeunes"
                    r["diffusable"] = "true"
                    r.setdefault("motif_secret", "")
                    r["_source"] = path.name
                    rows.append(r)
    return rows


def _region_of(release: Path) -> dict[str, str]:
    return {
        r["code_academie"]: r["libelle_region_academique"]
        for r in _read_csv(release / "csv" / "academies.csv")
    }


def _add_indicators(
    m: _Model, rows: list, regions: dict[str, str], hidden_nonzero: bool, use_motifs: bool
) -> int:
    hidden = 0
    present: dict[str, set] = defaultdict(set)  # quantity → cells (periode, niveau, code)
    cell_of: dict[tuple, set] = defaultdict(set)  # cell → quantities
    niveaux_of: dict[str, set] = defaultdict(set)
    seen_rows: set = set()
    for r in rows:
        ind, unite = r["indicateur"], r["unite"]
        cell = (r["periode"], r["niveau"], r["code_niveau"])
        key = (ind, *cell)
        num_q, den_q, is_ratio = quantities(ind, unite)
        nv = ("I", num_q, *cell)
        dv = ("I", den_q, *cell) if den_q else None
        shown = _shown(r)
        from_dashboard = "_source" in r
        if not from_dashboard:
            if key in seen_rows:
                continue
            seen_rows.add(key)
        table = r.get("_source", "indicateurs.csv")
        kind_num = "effectif" if unite == "nombre" else _kind_of(num_q, "num")
        vn = m.var(nv, kind_num)
        vn.cells.append((table, key, "numerateur", not shown))
        if dv:
            vd = m.var(dv, _kind_of(den_q, "den"))
            vd.cells.append((table, key, "denominateur", not shown))
        for q, name in ((num_q, nv), (den_q, dv)):
            if name:
                present[q].add(cell)
                cell_of[cell].add(q)
                niveaux_of[q].add(cell[1])
        motif = r.get("motif_secret") or ""
        if shown:
            num, den, val = (
                _num(r.get("numerateur")),
                _num(r.get("denominateur")),
                _num(r.get("valeur")),
            )
            if dv and den is not None:
                m.know(dv, _int_of(den, str(key)), table)
            if num is not None:
                m.know(nv, _int_of(num, str(key)), table)
            elif unite == "nombre" and val is not None:
                m.know(nv, _int_of(val, str(key)), table)
            elif is_ratio and den is not None and val is not None:
                m.know(nv, _int_of(val * den, str(key)), table)
            elif den == 0:
                m.know(nv, 0, table)
            if use_motifs and motif == "numerateur_1_a_4":
                m.bound(nv, 1, SEUIL_COMPTAGE - 1)
        else:
            if not from_dashboard:
                hidden += 1
            vn.in_hidden_cell = True
            if dv:
                vd.in_hidden_cell = True
            if hidden_nonzero:
                m.bound(dv if dv else nv, lo=1)
            if use_motifs:
                if motif == "effectif_1_a_4" and unite == "nombre":
                    m.bound(nv, 1, SEUIL_COMPTAGE - 1)
                elif motif == "denominateur_inferieur_a_20" and dv:
                    m.bound(dv, hi=SEUIL_DENOMINATEUR - 1)
                elif motif == "secondaire" and dv and unite == "taux":
                    m.bound(dv, lo=SEUIL_DENOMINATEUR)
                elif motif == "secondaire" and unite == "nombre" and hidden_nonzero:
                    m.bound(nv, lo=SEUIL_COMPTAGE)
        if dv and unite != "ecart":  # an écart row's numerator counts CSF youths, not a subset
            m.relation(("num<=den", num_q), {nv: 1.0, dv: -1.0}, -math.inf, 0.0)

    # Per-cell structure of the outcome rates.
    for cell, qs in cell_of.items():
        for h in HORIZONS:
            for suffix, den in (
                ("", f"K_{h}"),
                ("_comparaison", f"NC_{h}"),
                ("_csf_compares", f"NCSF_{h}"),
            ):
                parts = [f"{mes}_{h}{suffix}" for mes in MESURES[:3]]
                s = f"sortie_positive_{h}{suffix}"
                if s in qs and all(p in qs for p in parts):
                    m.relation(
                        ("R+A+C<=S", h + suffix),
                        {**{("I", p, *cell): 1.0 for p in parts}, ("I", s, *cell): -1.0},
                        -math.inf,
                        0.0,
                    )
                if s in qs and den in qs:
                    m.relation(
                        ("S<=K", h + suffix),
                        {("I", s, *cell): 1.0, ("I", den, *cell): -1.0},
                        -math.inf,
                        0.0,
                    )
            if f"D_{h}" in qs and f"K_{h}" in qs and f"perdus_de_vue_{h}" in qs:
                m.relation(
                    ("D=K+P", h),
                    {
                        ("I", f"D_{h}", *cell): 1.0,
                        ("I", f"K_{h}", *cell): -1.0,
                        ("I", f"perdus_de_vue_{h}", *cell): -1.0,
                    },
                    0.0,
                    0.0,
                )

    # Additive relations per quantity.
    for q, cells in present.items():
        by_period: dict[str, dict] = defaultdict(lambda: defaultdict(list))
        for periode, niveau, code in cells:
            by_period[periode][niveau].append(code)
        for periode, niveaux in by_period.items():
            national = ("I", q, periode, "national", "FR")
            if "FR" in niveaux.get("national", []):
                for dim in DIMENSIONS:
                    if dim in niveaux_of[q]:
                        m.total(
                            ("dim", q, dim),
                            [("I", q, periode, dim, c) for c in niveaux.get(dim, [])],
                            national,
                        )
                regs = niveaux.get("region_academique", [])
                if "region_academique" in niveaux_of[q]:
                    m.total(
                        ("regions=national", q),
                        [("I", q, periode, "region_academique", c) for c in regs],
                        national,
                    )
            groups: dict[str, list] = defaultdict(list)
            for code in niveaux.get("academie", []):
                groups[regions.get(code, "NR")].append(code)
            for reg, codes in groups.items():
                if reg in niveaux.get("region_academique", []):
                    m.total(
                        ("academies=region", q),
                        [("I", q, periode, "academie", c) for c in codes],
                        ("I", q, periode, "region_academique", reg),
                    )
        by_unit: dict[tuple, list] = defaultdict(list)
        for periode, niveau, code in cells:
            by_unit[(niveau, code)].append(periode)
        for (niveau, code), periodes in by_unit.items():
            if "ensemble" in periodes:
                m.total(
                    ("annees", q),
                    [("I", q, p, niveau, code) for p in periodes if p != "ensemble"],
                    ("I", q, "ensemble", niveau, code),
                )
    return hidden


# --------------------------------------------------------------------------------------------
# Funnel


def _public_stage7(release: Path) -> dict[tuple, int]:
    """Clauses that reached stage 7, recounted from the public clause list, per funnel cell."""
    counts: dict[tuple, int] = defaultdict(int)
    path = release / "csv" / "clauses.csv"
    if not path.exists():
        return counts
    for r in _read_csv(path):
        rang = _num(r.get("rang_etape_atteinte"))
        cells = [("national", "FR")]
        if r.get("code_academie"):
            cells.append(("academie", r["code_academie"]))
        if r.get("siret_acheteur"):
            cells.append(("acheteur", r["siret_acheteur"]))
        periodes = ["ensemble"] + ([r["annee_notification"]] if r.get("annee_notification") else [])
        for niveau, code in cells:
            for p in periodes:
                counts[(niveau, code, p)] += int(rang is not None and rang >= 7)
    return counts


def _add_funnel(
    m: _Model, release: Path, hidden_nonzero: bool, use_motifs: bool, notes: list[str]
) -> int:
    path = release / "csv" / "entonnoir_clauses.csv"
    if not path.exists():
        return 0
    rows = _read_csv(path)
    public7 = _public_stage7(release)
    by_cell: dict[tuple, dict[int, dict]] = defaultdict(dict)
    for r in rows:
        by_cell[(r["niveau"], r["code_niveau"], r["periode"])][int(r["rang_etape"])] = r
    hidden = 0
    mismatches = 0

    def F(q: str, cell: tuple) -> tuple:
        return ("F", q, *cell)

    for cell, stages in by_cell.items():
        # a7 is public: the funnel's stage-7 row, else the clause list.
        a7 = None
        r7 = stages.get(7)
        if r7 is not None and _shown(r7) and r7.get("nb_clauses_atteinte"):
            a7 = _int_of(float(r7["nb_clauses_atteinte"]), str(cell))
            if cell in public7 and public7[cell] != a7:
                mismatches += 1
        elif cell in public7:
            a7 = public7[cell]
        names = {q: F(q, cell) for q in ("a7", "a8", "a9", "b8", "d7", "d8", "d9")}
        if cell in public7:
            m.recounts[names["a7"]] = public7[cell]
        for q in ("a8", "a9", "b8", "d7", "d8", "d9"):
            v = m.var(names[q], "effectif" if q != "d9" else "autre")
            if a7 is not None:
                v.cap = a7
        if a7 is not None:
            m.var(names["a7"], "autre")
            m.know(names["a7"], a7, "clauses.csv")
        else:
            m.var(names["a7"], "autre")
        for rang in (7, 8, 9):
            r = stages.get(rang)
            if r is None:
                continue
            key = (r["niveau"], r["code_niveau"], r["periode"], rang)
            shown = _shown(r)
            cols = {"nb_clauses_atteinte": f"a{rang}", "nb_delais": f"d{rang}"}
            if rang == 8:
                cols["nb_clauses_bloquees"] = "b8"
            for col, q in cols.items():
                m.vars[names[q]].cells.append(("entonnoir_clauses.csv", key, col, not shown))
            if not shown:
                hidden += 1
                for q in cols.values():
                    if q != "a7":
                        m.vars[names[q]].in_hidden_cell = True
                if rang == 7:
                    m.vars[names["a8"]].in_hidden_cell = True  # bloquées(7) = a7 - a8
                # No lower bound of 1 here: a youth stage is also hidden when its base (the
                # previous stage) has 1-19 clauses, whatever its own count, zero included.
                if (
                    use_motifs
                    and rang in (8, 9)
                    and (r.get("motif_secret") or "") == "denominateur_inferieur_a_20"
                ):
                    m.bound(names[f"a{rang - 1}"], hi=SEUIL_DENOMINATEUR - 1)
                continue
            a = _num(r.get("nb_clauses_atteinte"))
            b = _num(r.get("nb_clauses_bloquees"))
            t = _num(r.get("taux_conversion"))
            d = _num(r.get("nb_delais"))
            if a is not None:
                m.know(names[f"a{rang}"], _int_of(a, str(key)), "entonnoir")
            if d is not None:
                m.know(names[f"d{rang}"], _int_of(d, str(key)), "entonnoir")
            if a is not None and b is not None:
                nxt = int(a - b)
                if rang < 9 and rang + 1 in stages:
                    m.know(names[f"a{rang + 1}"], nxt, "entonnoir (bloquées)")
                if rang == 8:
                    m.know(names["b8"], int(b), "entonnoir")
            if a is not None and t is not None and t > 0 and rang >= 8:
                m.know(names[f"a{rang - 1}"], round(a / t), "entonnoir (conversion)")
        # Per-cell chain.
        m.relation(("F a9<=a8",), {names["a9"]: 1.0, names["a8"]: -1.0}, -math.inf, 0.0)
        m.relation(("F a8<=a7",), {names["a8"]: 1.0, names["a7"]: -1.0}, -math.inf, 0.0)
        m.relation(
            ("F b8=a8-a9",), {names["b8"]: 1.0, names["a8"]: -1.0, names["a9"]: 1.0}, 0.0, 0.0
        )
        m.relation(("F d7<=a8",), {names["d7"]: 1.0, names["a8"]: -1.0}, -math.inf, 0.0)
        m.relation(("F d8<=a9",), {names["d8"]: 1.0, names["a9"]: -1.0}, -math.inf, 0.0)
        m.relation(("F d9<=0",), {names["d9"]: 1.0}, -math.inf, 0.0)
    if mismatches:
        notes.append(f"entonnoir : {mismatches} comptes de l'étape 7 diffèrent de clauses.csv")

    # Additive relations.
    cells = set(by_cell)
    for q in ("a8", "a9", "b8", "d7", "d8", "d9"):
        per_period: dict[str, dict] = defaultdict(lambda: defaultdict(list))
        for niveau, code, periode in cells:
            per_period[periode][niveau].append(code)
        for periode, niveaux in per_period.items():
            if "FR" not in niveaux.get("national", []):
                continue
            for niveau in FUNNEL_NIVEAUX:
                m.total(
                    ("F dim", q, niveau),
                    [F(q, (niveau, c, periode)) for c in niveaux.get(niveau, [])],
                    F(q, ("national", "FR", periode)),
                )
        per_unit: dict[tuple, list] = defaultdict(list)
        for niveau, code, periode in cells:
            per_unit[(niveau, code)].append(periode)
        for (niveau, code), periodes in per_unit.items():
            if "ensemble" in periodes:
                m.total(
                    ("F annees", q),
                    [F(q, (niveau, code, p)) for p in periodes if p != "ensemble"],
                    F(q, (niveau, code, "ensemble")),
                )
    return hidden


# --------------------------------------------------------------------------------------------
# Truth


def truth_from_warehouse(duckdb_path: str | Path) -> dict[tuple, tuple]:
    """Truth mapping read from a published DuckDB snapshot (marts.indicateurs and
    marts.fct_entonnoir_clauses hold the true values next to ``diffusable``):
    (indicateur, periode, niveau, code_niveau) → (numerateur, denominateur) and
    ('entonnoir', niveau, code_niveau, periode, rang_etape) → (nb_clauses_atteinte, nb_delais)."""
    import duckdb

    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        truth: dict[tuple, tuple] = {}
        for ind, p, n, c, num, den in con.execute(
            "select indicateur, periode, niveau, code_niveau, numerateur, denominateur "
            "from marts.indicateurs where domaine = 'jeunes'"
        ).fetchall():
            truth[(ind, p, n, c)] = (num, den)
        for n, c, p, rang, a, d in con.execute(
            "select niveau, code_niveau, periode, rang_etape, nb_clauses_atteinte, nb_delais "
            "from marts.fct_entonnoir_clauses where rang_etape >= 7"
        ).fetchall():
            truth[("entonnoir", n, c, p, int(rang))] = (a, d)
        return truth
    finally:
        con.close()


def truth_to_csv(truth: dict[tuple, tuple], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["cle", "numerateur", "denominateur"])
        for key in sorted(truth, key=lambda k: tuple(map(str, k))):
            num, den = truth[key]
            w.writerow(
                ["|".join(map(str, key)), "" if num is None else num, "" if den is None else den]
            )


def truth_from_csv(path: Path) -> dict[tuple, tuple]:
    truth: dict[tuple, tuple] = {}
    for r in _read_csv(path):
        parts = r["cle"].split("|")
        if parts[0] == "entonnoir":
            parts[-1] = int(parts[-1])
        num = int(r["numerateur"]) if r["numerateur"] != "" else None
        den = int(r["denominateur"]) if r["denominateur"] != "" else None
        truth[tuple(parts)] = (num, den)
    return truth


def _apply_truth(m: _Model, truth: dict[tuple, tuple], rows: list, notes: list[str]) -> None:
    conflicts = 0

    def put(name: tuple, value) -> None:
        nonlocal conflicts
        if value is None or name not in m.vars:
            return
        old = m.truth.get(name)
        if old is not None and old != value:
            conflicts += 1
        m.truth[name] = int(value)

    for r in rows:
        key = (r["indicateur"], r["periode"], r["niveau"], r["code_niveau"])
        if key not in truth:
            continue
        num_q, den_q, _ = quantities(r["indicateur"], r["unite"])
        num, den = truth[key]
        put(("I", num_q, *key[1:]), num)
        if den_q:
            put(("I", den_q, *key[1:]), den)
    for key, (a, d) in truth.items():
        if key[0] != "entonnoir":
            continue
        _, n, c, p, rang = key
        put(("F", f"a{rang}", n, c, p), a)
        put(("F", f"d{rang}", n, c, p), d)
    for name in list(m.vars):
        if name[0] == "F" and name[1] == "b8":
            a8 = m.truth.get(("F", "a8", *name[2:]))
            a9 = m.truth.get(("F", "a9", *name[2:]))
            if a8 is not None and a9 is not None:
                m.truth[name] = a8 - a9
    if conflicts:
        notes.append(
            f"vérité : {conflicts} quantités partagées ont des valeurs différentes "
            "selon la cellule (une hypothèse de partage est fausse)"
        )


# --------------------------------------------------------------------------------------------
# Relation families


def _decide_families(m: _Model, notes: list[str]) -> list[tuple[dict, float, float]]:
    """Keep each relation as written, as ≤ when the family provably is not an equality, or drop
    it when not even that holds — judged on published values and on the truth when given."""
    status: dict[tuple, str] = {}
    order = {"eq": 0, "le": 1, "drop": 2}

    def worse(fam: tuple, st: str) -> None:
        if order[st] > order[status.get(fam, "eq")]:
            status[fam] = st

    for values in (m.known, m.truth):
        for fam, terms, lo, hi in m.relations:
            if not all(n in values for n in terms):
                continue
            s = sum(c * values[n] for n, c in terms.items())
            if lo <= s + 1e-9 and s - 1e-9 <= hi:
                continue
            if lo == hi and s < lo:  # parts < total: holds as ≤
                worse(fam, "le")
            else:
                worse(fam, "drop")
    kept = []
    for fam, terms, lo, hi in m.relations:
        st = status.get(fam, "eq")
        if st == "drop":
            continue
        kept.append((terms, -math.inf if st == "le" else lo, hi))
    for fam, st in sorted(status.items(), key=lambda x: tuple(map(str, x[0]))):
        notes.append(
            f"relation {' '.join(map(str, fam))} : "
            f"{'écrite sum ≤ total' if st == 'le' else 'abandonnée'}"
        )
    return kept


# --------------------------------------------------------------------------------------------
# Solving


class _Infeasible(Exception):
    """The published values contradict the audit's model (e.g. a hidden zero)."""


def _build(idx: dict, crow: list, col_lb, col_ub, integer: bool):
    """One component's programme in HiGHS (variables in ``idx`` order, rows ``crow``)."""
    import highspy

    k = len(idx)
    inf = highspy.kHighsInf
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.5)  # objectives are integers: optimal to the unit
    h.addVars(k, col_lb, col_ub)
    starts, index, value, rlo, rhi = [], [], [], [], []
    for terms, lo, hi in crow:
        starts.append(len(index))
        for n, c in terms.items():
            index.append(idx[n])
            value.append(c)
        rlo.append(lo if lo > -math.inf else -inf)
        rhi.append(hi if hi < math.inf else inf)
    h.addRows(
        len(crow),
        np.array(rlo),
        np.array(rhi),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value, dtype=float),
    )
    if integer:
        h.changeColsIntegrality(
            k, np.arange(k, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * k)
        )
    return h


def _solve(m: _Model, relations: list, report: Report) -> None:
    import highspy

    known = dict(m.known)
    lb = {n: m.lb[n] for n in m.vars}
    ub = {n: m.ub[n] for n in m.vars}
    # Substitute published values; propagate equalities with one unknown left (exact, sound).
    rows = []
    for terms, lo, hi in relations:
        rows.append([dict(terms), lo, hi])
    changed = True
    while changed:
        changed = False
        for row in rows:
            terms, lo, hi = row
            const = 0.0
            for n in [n for n in terms if n in known]:
                const += terms.pop(n) * known[n]
            row[1], row[2] = lo - const, hi - const
            if len(terms) == 1:
                ((n, c),) = terms.items()
                a, b = sorted(((row[1]) / c, (row[2]) / c))
                if a == b:
                    if abs(a - round(a)) < 1e-9:
                        known[n] = round(a)
                        changed = True
                        terms.clear()
                else:
                    if a > -math.inf:
                        lb[n] = max(lb[n], math.ceil(a - 1e-9))
                    if b < math.inf:
                        ub[n] = min(ub[n], math.floor(b + 1e-9))
                    terms.clear()
        for n in m.vars:
            if n not in known and lb[n] == ub[n]:
                known[n] = int(lb[n])
                changed = True
    rows = [r for r in rows if r[0]]

    unknown = [n for n in m.vars if n not in known]
    for n, v in known.items():
        if n in m.vars and n not in m.known:
            m.vars[n].lo = m.vars[n].hi = v  # pinned by propagation
    # Components (union-find over relations).
    parent = {n: n for n in unknown}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for terms, _, _ in rows:
        names = list(terms)
        for other in names[1:]:
            ra, rb = find(names[0]), find(other)
            if ra != rb:
                parent[ra] = rb
    comps: dict = defaultdict(list)
    for n in unknown:
        comps[find(n)].append(n)
    rows_of: dict = defaultdict(list)
    for row in rows:
        rows_of[find(next(iter(row[0])))].append(row)
    report.n_components = len(comps)
    report.largest_component = max((len(c) for c in comps.values()), default=0)

    for root, names in comps.items():
        idx = {n: i for i, n in enumerate(names)}
        crow = rows_of.get(root, [])
        k = len(names)
        inf = highspy.kHighsInf
        col_lb = np.array([lb[n] for n in names], dtype=float)
        col_ub = np.array([ub[n] if ub[n] < math.inf else inf for n in names], dtype=float)
        if np.any(col_lb > col_ub):
            for n in names:
                m.vars[n].lo, m.vars[n].hi = None, None
            report.infeasible.append(names)
            continue
        if not crow:
            for n in names:
                m.vars[n].lo, m.vars[n].hi = lb[n], ub[n]
            continue

        try:
            lp = _build(idx, crow, col_lb, col_ub, False)
            mip = None
            all_idx = np.arange(k, dtype=np.int32)
            wmin = np.full(k, math.inf)
            wmax = np.full(k, -math.inf)
            status_ok = highspy.HighsModelStatus.kOptimal
            status_unb = (
                highspy.HighsModelStatus.kUnbounded,
                highspy.HighsModelStatus.kUnboundedOrInfeasible,
            )
            prev = None
            for i, n in enumerate(names):
                bounds = []
                for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                    is_min = sense == highspy.ObjSense.kMinimize
                    # A witness already at the variable's explicit bound settles this side.
                    if is_min and wmin[i] <= col_lb[i]:
                        bounds.append(col_lb[i])
                        continue
                    if not is_min and col_ub[i] < inf and wmax[i] >= col_ub[i]:
                        bounds.append(col_ub[i])
                        continue
                    if prev != i:
                        cost = np.zeros(k)
                        cost[i] = 1.0
                        lp.changeColsCost(k, all_idx, cost)
                        prev = i
                    lp.changeObjectiveSense(sense)
                    lp.run()
                    report.n_lp += 1
                    st = lp.getModelStatus()
                    if st not in (status_ok, *status_unb, highspy.HighsModelStatus.kInfeasible):
                        # A hot start can end without a verdict (HiGHS "Unknown"): solve this
                        # objective again from scratch before giving up.
                        lp.clearSolver()
                        lp.run()
                        report.n_lp += 1
                        st = lp.getModelStatus()
                    if st in status_unb:
                        bounds.append(math.inf if not is_min else -math.inf)
                        continue
                    if st == highspy.HighsModelStatus.kInfeasible:
                        raise _Infeasible
                    if st != status_ok:
                        raise RuntimeError(f"LP {lp.modelStatusToString(st)} pour {_fmt_name(n)}")
                    x = np.array(lp.getSolution().col_value)
                    if np.all(np.abs(x - np.round(x)) < 1e-7):
                        x = np.round(x)
                        wmin = np.minimum(wmin, x)
                        wmax = np.maximum(wmax, x)
                        bounds.append(float(x[i]))
                        continue
                    if mip is None:
                        mip = _build(idx, crow, col_lb, col_ub, True)
                    c2 = np.zeros(k)
                    c2[i] = 1.0
                    mip.changeColsCost(k, all_idx, c2)
                    mip.changeObjectiveSense(sense)
                    mip.run()
                    report.n_mip += 1
                    st2 = mip.getModelStatus()
                    if st2 == highspy.HighsModelStatus.kInfeasible:
                        raise _Infeasible
                    if st2 != status_ok:
                        raise RuntimeError(
                            f"MIP {mip.modelStatusToString(st2)} pour {_fmt_name(n)}"
                        )
                    y = np.round(np.array(mip.getSolution().col_value))
                    wmin = np.minimum(wmin, y)
                    wmax = np.maximum(wmax, y)
                    bounds.append(float(y[i]))
                m.vars[n].lo, m.vars[n].hi = bounds[0] + 0.0, bounds[1] + 0.0
        except _Infeasible:
            for n in names:
                m.vars[n].lo = m.vars[n].hi = None
            report.infeasible.append(names)


# --------------------------------------------------------------------------------------------
# Entry point


def audit_release(
    release_dir: str | Path,
    dashboard_dir: str | Path | None = None,
    truth: dict[tuple, tuple] | None = None,
    *,
    hidden_nonzero: bool = True,
    use_motifs: bool = True,
) -> Report:
    """Audit one research release (and optionally a directory of dashboard CSV downloads).

    ``truth`` maps (indicateur, periode, niveau, code_niveau) → (numerateur, denominateur) and
    ('entonnoir', niveau, code_niveau, periode, rang_etape) → (nb_clauses_atteinte, nb_delais)
    (see ``truth_from_warehouse``); with it, R1/R2 are judged on true values and the audit
    checks its own soundness (every true value inside its interval, else an R0 violation).
    ``hidden_nonzero``: hidden counts and denominators are ≥ 1 (the documented rule that zeros and
    0/0 rates are always shown); pass False for a release made under older rules."""
    start = time.perf_counter()
    release = Path(release_dir)
    report = Report(release_dir=release)
    m = _Model()
    rows = _load_indicator_rows(
        release, Path(dashboard_dir) if dashboard_dir else None, report.notes
    )
    report.hidden_cells += _add_indicators(m, rows, _region_of(release), hidden_nonzero, use_motifs)
    report.hidden_cells += _add_funnel(m, release, hidden_nonzero, use_motifs, report.notes)
    if m.conflicts:
        report.notes.append(
            f"{len(m.conflicts)} valeurs publiées contradictoires, ex. {m.conflicts[0]}"
        )
    if truth is not None:
        _apply_truth(m, truth, rows, report.notes)
    relations = _decide_families(m, report.notes)
    _solve(m, relations, report)

    for name, v in m.vars.items():
        if name in m.known:
            continue
        v.value = m.truth.get(name)
        report.variables.append(v)
    for names in report.infeasible:
        report.notes.append(
            f"composante infaisable de {len(names)} variables ({_fmt_name(names[0])}, …) : "
            "une hypothèse de l'audit est fausse pour cette diffusion (valeur masquée nulle ?)"
        )
    # The stage-7 counts anyone recounts from the public clause list must be the warehouse's:
    # where the funnel row is hidden they are the attacker's a7, which R2 caps a hidden youth
    # stage by, so a clause list that tells another story makes that cap, and every bound
    # derived from it, describe another release than the one audited.
    for name, public in m.recounts.items():
        true = m.truth.get(name)
        if true is not None and true != public:
            v = m.vars[name]
            v.lo = v.hi = float(m.known.get(name, public))
            v.value = true
            report.violations.append(
                Violation(
                    "R0",
                    v,
                    f"étape 7 : {public} selon clauses.csv, {true} dans l'entrepôt",
                )
            )
    for v in report.variables:
        if v.lo is None:
            if v.in_hidden_cell:
                report.violations.append(Violation("R0", v, "composante infaisable"))
            continue
        if v.value is not None and not (v.lo - 1e-9 <= v.value <= v.hi + 1e-9):
            report.violations.append(Violation("R0", v, "vraie valeur hors de l'intervalle"))
            continue
        if not v.in_hidden_cell:
            continue
        value = v.value if v.value is not None else (v.lo if v.pinned else None)
        if v.pinned and value != 0:
            report.violations.append(Violation("R1", v, "valeur retrouvée exactement"))
            continue
        if v.value is None:
            continue
        small = (v.kind == "effectif" and 1 <= value <= SEUIL_COMPTAGE - 1) or (
            v.kind == "denominateur" and 1 <= value <= SEUIL_DENOMINATEUR - 1
        )
        if small:
            need_hi = value + MARGE if v.cap is None else min(value + MARGE, v.cap)
            if v.hi < need_hi:
                report.violations.append(Violation("R2", v, f"exigé hi ≥ {need_hi}"))
    report.seconds = time.perf_counter() - start
    return report


# --------------------------------------------------------------------------------------------
# Freezing a release as a small test fixture

_KEEP = {
    "indicateurs.csv": (
        "indicateur",
        "domaine",
        "unite",
        "periode",
        "niveau",
        "code_niveau",
        "numerateur",
        "denominateur",
        "valeur",
        "diffusable",
        "motif_secret",
    ),
    "entonnoir_clauses.csv": (
        "niveau",
        "code_niveau",
        "periode",
        "rang_etape",
        "domaine",
        "nb_clauses_atteinte",
        "nb_clauses_bloquees",
        "taux_conversion",
        "nb_delais",
        "diffusable",
        "motif_secret",
    ),
    "clauses.csv": (
        "clause_id",
        "siret_acheteur",
        "code_academie",
        "annee_notification",
        "rang_etape_atteinte",
    ),
    "academies.csv": ("code_academie", "libelle_academie", "libelle_region_academique"),
}


def indicator_group(indicateur: str) -> str:
    """The set of indicators an indicator shares quantities with (its horizon, or itself)."""
    m = _RATE.fullmatch(indicateur) or _ECART.fullmatch(indicateur)
    return m.group(2) if m else indicateur


def freeze_release(
    release_dir: str | Path,
    out_dir: str | Path,
    truth: dict | None = None,
    groups: set[str] | None = None,
) -> None:
    """Copy what the audit reads from a release into ``out_dir/csv`` (youth rows and the needed
    columns only; ``groups``: keep only these indicator groups — a horizon such as '6m' or an
    indicator name — which is sound since groups share no quantity), and the truth as
    ``out_dir/verite.csv``."""
    release, out = Path(release_dir), Path(out_dir)
    (out / "csv").mkdir(parents=True, exist_ok=True)
    kept_indicators: set[str] = set()
    for name, columns in _KEEP.items():
        rows = _read_csv(release / "csv" / name)
        if name == "indicateurs.csv":
            rows = [
                r
                for r in rows
                if r["domaine"] == "jeunes"
                and (groups is None or indicator_group(r["indicateur"]) in groups)
            ]
            kept_indicators = {r["indicateur"] for r in rows}
        with open(out / "csv" / name, "w", newline="", encoding="utf-8") as handle:
            w = csv.writer(handle, lineterminator="\n")
            w.writerow(columns)
            for r in rows:
                w.writerow([r.get(c, "") for c in columns])
    if truth is not None:
        truth_to_csv(
            {k: v for k, v in truth.items() if k[0] == "entonnoir" or k[0] in kept_indicators},
            out / "verite.csv",
        )
