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
from dataclasses import dataclass, field

import numpy as np
import polars as pl

ENSEMBLE = "ensemble"
NATIONAL = "national"
REGION = "region_academique"
ACADEMIE = "academie"
Position = tuple[str, str, str]  # (periode, niveau, code_niveau)

_RESULTAT = re.compile(
    r"^(?P<ecart>ecart_)?taux_(?P<mesure>.+)_(?P<horizon>sortie|3m|6m|12m)"
    r"(?:(?P<comp>_comparaison)|(?P<csf>_csf_compares))?$"
)
_MESURES = {
    "retour_formation_initiale": "R",
    "apprentissage": "A",
    "contrat_professionnalisation": "C",
    "sortie_positive": "S",
    "perdus_de_vue": "P",
}


@dataclass(frozen=True)
class Seuils:
    comptage: int = 5  # counts from 1 to comptage - 1 are hidden
    denominateur: int = 20  # rates on 1 to denominateur - 1 youths are hidden
    # A hidden 1-4 count or 1-19 base: the attacker's upper bound at least this far above it
    # (below, an attacker always knows a hidden count is not zero; it must not be pinned).
    protection: int = 1


@dataclass(frozen=True)
class Exigence:
    """What must stay uncertain about an expression of a hidden position's components.

    The attacker's interval around the true value v must reach at least v + `haut` and at most
    v - `bas`, and hold two values at least (`haut` + `bas` >= 1 is then implied or asked).
    """

    expression: tuple[tuple[str, int], ...]
    haut: int = 0
    bas: int = 0


@dataclass
class Famille:
    """One family of linked cells: its components, relations and positions."""

    nom: str
    composantes: tuple[str, ...]
    positives: frozenset[str]
    # Per position: sum(coef * x) == 0 (equalites) or <= 0 (inegalites), over components.
    egalites: tuple[dict[str, int], ...] = ()
    inegalites: tuple[dict[str, int], ...] = ()
    publiques: frozenset[str] = frozenset()  # never hidden (public data)
    positions: list[Position] = field(default_factory=list)
    valeurs: list[list[int]] = field(default_factory=list)
    primaire: list[bool] = field(default_factory=list)
    masquable: list[bool] = field(default_factory=list)
    exigences: list[list[Exigence]] = field(default_factory=list)
    cout: list[float] = field(default_factory=list)
    membres: list[list[tuple]] = field(default_factory=list)  # output row keys
    # Per position, the components some non-zero member row publishes: the others are known to
    # be zero (a row of zeros is always shown, an absent row is zero), hidden or not.
    portees: list[set[str]] = field(default_factory=list)
    zeros: list[list[bool]] = field(default_factory=list)  # per member row: all its figures 0
    _index: dict[Position, int] = field(default_factory=dict)

    def position(self, position: Position) -> int:
        """The index of a position, created empty the first time."""
        i = self._index.get(position)
        if i is None:
            i = len(self.positions)
            self._index[position] = i
            self.positions.append(position)
            self.valeurs.append([0] * len(self.composantes))
            self.primaire.append(False)
            self.masquable.append(False)
            self.exigences.append([])
            self.cout.append(0.0)
            self.membres.append([])
            self.portees.append(set())
            self.zeros.append([])
        return i

    def index(self, position: Position) -> int | None:
        return self._index.get(position)

    def composante(self, nom: str) -> int:
        return self.composantes.index(nom)

    def tableau(self) -> np.ndarray:
        return np.array(self.valeurs, dtype=np.int64).reshape(-1, len(self.composantes))


def _cout(valeur: int, niveau: str, periode: str) -> float:
    # A hidden total hides more than it protects: national cells and "ensemble" cost more.
    return (1 + valeur) * (8 if niveau == NATIONAL else 1) * (2 if periode == ENSEMBLE else 1)


def _famille_de(indicateur: str, unite: str) -> tuple[str, str, str] | None:
    """(family name, numerator component, denominator component) of an indicator."""
    m = _RESULTAT.match(indicateur)
    if unite == "nombre":
        return indicateur, "n", ""
    if m is None:
        return indicateur, "n", "d"
    code, horizon = _MESURES.get(m["mesure"]), m["horizon"]
    if code is None:
        return indicateur, "n", "d"
    perdus = code == "P"
    if m["ecart"]:
        return (
            f"comparaison_{horizon}",
            ("NCSFD" if perdus else "NCSF"),
            ("NCD" if perdus else "NC"),
        )
    if m["comp"]:
        return f"comparaison_{horizon}", "X" + code, ("NCD" if perdus else "NC")
    if m["csf"]:  # the compared CSF parcours: the écart's own CSF side
        return f"comparaison_{horizon}", "Y" + code, ("NCSFD" if perdus else "NCSF")
    return f"resultats_{horizon}", code, ("D" if perdus else "K")


def _nouvelle_famille(nom: str, unite: str) -> Famille:
    if nom.startswith("resultats_"):
        return Famille(
            nom,
            ("K", "D", "P", "R", "A", "C", "S"),
            frozenset({"K", "D"}),
            egalites=({"D": 1, "K": -1, "P": -1},),
            inegalites=({"R": 1, "A": 1, "C": 1, "S": -1}, {"S": 1, "K": -1}),
        )
    if nom.startswith("comparaison_"):
        composantes = (
            "NC", "NCD", "NCSF", "NCSFD",
            "XR", "XA", "XC", "XS", "XP",  # comparison group numerators
            "YR", "YA", "YC", "YS", "YP",  # compared CSF parcours numerators
        )  # fmt: skip
        return Famille(
            nom,
            composantes,
            frozenset({"NC", "NCD", "NCSF", "NCSFD"}),
            inegalites=(
                {"XR": 1, "XA": 1, "XC": 1, "XS": -1},
                {"XS": 1, "NC": -1},
                {"XP": 1, "NCD": -1},
                {"YR": 1, "YA": 1, "YC": 1, "YS": -1},
                {"YS": 1, "NCSF": -1},
                {"YP": 1, "NCSFD": -1},
            ),
        )
    if unite == "nombre":
        return Famille(nom, ("n",), frozenset({"n"}))
    return Famille(
        nom,
        ("n", "d"),
        frozenset({"d"}),
        inegalites=({"n": 1, "d": -1},),
    )


def indicateurs(lignes: pl.DataFrame, seuils: Seuils) -> list[Famille]:
    """Families of the youth-domain indicator rows (indicateur, unite, periode, niveau,
    code_niveau, numerateur, denominateur)."""
    familles: dict[str, Famille] = {}
    for row in lignes.iter_rows(named=True):
        nom, comp_n, comp_d = _famille_de(row["indicateur"], row["unite"])
        famille = familles.get(nom) or familles.setdefault(
            nom, _nouvelle_famille(nom, row["unite"])
        )
        position = (row["periode"], row["niveau"], row["code_niveau"])
        i = famille.position(position)
        famille.membres[i].append(("indicateurs", row["indicateur"], *position))
        zero = not ((row["numerateur"] or 0) or (row["denominateur"] or 0))
        famille.zeros[i].append(zero)
        if not zero:
            famille.portees[i].update(c for c in (comp_n, comp_d) if c)
        for comp, valeur in ((comp_n, row["numerateur"]), (comp_d, row["denominateur"])):
            if not comp:
                continue
            j = famille.composante(comp)
            valeur = int(valeur or 0)
            ancienne = famille.valeurs[i][j]
            if ancienne and ancienne != valeur:
                raise ValueError(f"{nom} {position} {comp} : {ancienne} et {valeur}")
            famille.valeurs[i][j] = valeur
    for famille in familles.values():
        _regles_primaires(famille, seuils)
    return list(familles.values())


def _regles_primaires(famille: Famille, seuils: Seuils) -> None:
    """Primary rules, the requirements of each position when hidden, and its cost."""
    p = seuils.protection
    comps = famille.composantes
    for i, (periode, niveau, _) in enumerate(famille.positions):
        v = dict(zip(comps, famille.valeurs[i], strict=True))
        exigences = [Exigence(((c, 1),), 0, 0) for c in comps if v[c] != 0]
        if famille.nom.startswith("resultats_") or comps == ("n", "d"):
            base = v["K"] if "K" in v else v["d"]
            bases = {"K": v["K"], "D": v["D"]} if "K" in v else {"d": v["d"]}
            masquable = base > 0 or (v.get("D", 0) > 0)
            primaire = any(0 < b < seuils.denominateur for b in bases.values())
            sensibles = {c: b for c, b in bases.items() if 0 < b < seuils.denominateur}
            cout = _cout(max(bases.values()), niveau, periode)
        elif famille.nom.startswith("comparaison_"):
            groupes = {c: v[c] for c in ("NC", "NCD", "NCSF", "NCSFD")}
            masquable = any(b > 0 for b in groupes.values())
            sensibles = {c: b for c, b in groupes.items() if 0 < b < seuils.denominateur}
            primaire = bool(sensibles)
            cout = _cout(max(v["NCSF"], v["NCSFD"]), niveau, periode)
        else:  # a count
            masquable = v["n"] > 0
            sensibles = {"n": v["n"]} if 0 < v["n"] < seuils.comptage else {}
            primaire = bool(sensibles)
            cout = _cout(v["n"], niveau, periode)
        if primaire:
            exigences += [Exigence(((c, 1),), p, 0) for c in sensibles]
        famille.primaire[i] = primaire
        famille.masquable[i] = masquable
        famille.exigences[i] = exigences
        famille.cout[i] = cout


def entonnoir(lignes: pl.DataFrame, seuils: Seuils) -> Famille:
    """The funnel's youth stages (niveau, code_niveau, periode, commences, termines,
    positives): clauses whose parcours started (stage 7: public, the clause list shows it),
    completed (8), and led to a positive exit at 6 months (9)."""
    famille = Famille(
        "entonnoir",
        ("c", "a", "b"),
        frozenset(),
        inegalites=({"a": 1, "c": -1}, {"b": 1, "a": -1}),
        publiques=frozenset({"c"}),
    )
    p = seuils.protection
    for row in lignes.iter_rows(named=True):
        position = (row["periode"], row["niveau"], row["code_niveau"])
        i = famille.position(position)
        c, a, b = (int(row[k] or 0) for k in ("commences", "termines", "positives"))
        famille.valeurs[i] = [c, a, b]
        famille.membres[i].append(("entonnoir", *position))
        famille.portees[i].update(("a", "b"))
        famille.zeros[i].append(False)
        comptes = {(("a", 1),): a, (("b", 1),): b, (("a", 1), ("b", -1)): a - b}
        delais = (int(row.get("delais_commences") or 0), int(row.get("delais_termines") or 0))
        primaire = any(1 <= n < seuils.comptage for n in (*comptes.values(), *delais)) or (
            0 < c < seuils.denominateur or 0 < a < seuils.denominateur
        )
        exigences = [Exigence(e) for e, n in comptes.items() if n != 0]
        if primaire:
            # Within what is public: stage 8 and 9 counts are at most stage 7's.
            exigences += [
                Exigence(e, min(p, c - n), 0)
                for e, n in comptes.items()
                if 1 <= n < seuils.comptage
            ]
            if 0 < a < seuils.denominateur:
                exigences.append(Exigence((("a", 1),), min(p, c - a), 0))
        famille.primaire[i] = primaire
        famille.masquable[i] = c > 0
        famille.exigences[i] = exigences
        famille.cout[i] = _cout(a, row["niveau"], row["periode"])
    return famille


def regions(academies: pl.DataFrame) -> dict[str, str]:
    """Académie code -> région académique code as the indicator cells name it."""
    return dict(academies.select("code_academie", "libelle_region_academique").iter_rows())
