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

from pipelines.disclosure.familles import (
    ACADEMIE,
    ENSEMBLE,
    NATIONAL,
    REGION,
    Exigence,
    Famille,
)

log = logging.getLogger(__name__)
Coins = list[tuple[int, int]]  # (position index, sign)
# Certificates read per check: fewer only makes a check stricter (sound), and a check that
# fails with these gets its own rectangle completed.
CERTIFICATS_MAX = 64


@dataclass
class Resultat:
    masquees: np.ndarray
    primaires: int
    secondaires: int
    tours: int
    secondes: float
    non_tenues: list  # (position, requirement) still unmet: empty unless the tables are degenerate


class Motif:
    """The hiding pattern of one family, its tables, and the certificates it allows."""

    def __init__(self, famille: Famille, regions: dict[str, str]) -> None:
        self.f = famille
        self.x = famille.tableau()
        comps = famille.composantes
        self.lb = np.array([1 if c in famille.positives else 0 for c in comps], dtype=np.int64)
        self.ineg = [
            np.array([g.get(c, 0) for c in comps], dtype=np.int64) for g in famille.inegalites
        ]
        self.masque = np.array(famille.primaire, dtype=bool)
        # Components an attacker knows at each position even when it is hidden (zero).
        self.connues = np.array(
            [[c not in portees for c in comps] for portees in famille.portees], dtype=bool
        ).reshape(-1, len(comps))
        self.masquable = np.array(famille.masquable, dtype=bool)
        self.regions = regions
        periodes = {p for p, _, _ in famille.positions}
        self.annees = sorted(periodes - {ENSEMBLE})
        self.periodes = [*self.annees, ENSEMBLE] if ENSEMBLE in periodes else self.annees
        codes: dict[str, set[str]] = defaultdict(set)
        for _, niveau, code in famille.positions:
            codes[niveau].add(code)
        # The two-way tables: every dimension but the national total and the derived régions.
        self.dimensions = {n: sorted(c) for n, c in codes.items() if n not in (NATIONAL, REGION)}
        self.compagnons = {c: _groupes(famille, c) for c in comps}
        self._cache_marges: dict[tuple[int, ...], tuple] = {}
        # niveau -> periode -> code -> position: the two-way tables as lookups.
        self._grille: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for i, (periode, niveau, code) in enumerate(famille.positions):
            self._grille[niveau][periode][code] = i

    # -- certificates ----------------------------------------------------------------------
    def idx(self, periode: str, niveau: str, code: str) -> int | None:
        return self.f.index((periode, niveau, code))

    def _autres_periodes(self, periode: str) -> list[tuple[str, int]]:
        """Other rows of a rectangle, with the sign of their corners (+1 for the total)."""
        if periode == ENSEMBLE:
            return [(a, 1) for a in self.annees]
        autres = [(a, -1) for a in self.annees if a != periode]
        if ENSEMBLE in self.periodes:
            autres.append((ENSEMBLE, 1))
        return autres

    def portee(self, coins: Coins, groupe: tuple[int, ...]) -> tuple[int, int]:
        """How far the perturbation can go up and down (t >= 0) for the target (+1 corner)."""
        marges, jeux = self._marges(groupe)
        haut = bas = math.inf
        for i, signe in coins:
            marge = marges[i]
            if marge < 0:  # a component the attacker knows at this corner cannot move
                return 0, 0
            if signe < 0:
                haut = min(haut, marge)
            else:
                bas = min(bas, marge)
            for vitesse, jeu in jeux[i]:
                vitesse *= signe
                if vitesse > 0:
                    haut = min(haut, jeu[0] // vitesse)
                elif vitesse < 0:
                    bas = min(bas, jeu[0] // -vitesse)
        return max(haut, 0), max(bas, 0)

    def _marges(self, groupe: tuple[int, ...]) -> tuple[list[int], list[list]]:
        """Per position: the group's smallest margin above its lower bounds (-1 when a component
        is known), and each inequality's rate and slack. Computed once per group."""
        cache = self._cache_marges.get(groupe)
        if cache is None:
            comps = list(groupe)
            x = self.x
            marges = np.where(
                self.connues[:, comps].any(axis=1), -1, (x[:, comps] - self.lb[comps]).min(axis=1)
            ).tolist()
            jeux: list[list] = [[] for _ in range(len(x))]
            for g in self.ineg:
                vitesse = int(g[comps].sum())
                if vitesse:
                    for i, jeu in enumerate((-(x @ g)).tolist()):
                        jeux[i].append((vitesse, (jeu,)))
            cache = (marges, jeux)
            self._cache_marges[groupe] = cache
        return cache

    def rectangles(self, i0: int, caches) -> _Paresseux:
        """Certificates for position i0 whose corners are all hidden under `caches`, made as
        they are read (a check usually needs the first few)."""
        return _Paresseux(self._rectangles(i0, caches))

    def _rectangles(self, i0: int, caches) -> Iterator[Coins]:
        periode, niveau, code = self.f.positions[i0]
        if niveau == REGION:
            return
        # The few routes through the national column first: a check reads a bounded number.
        yield from self.par_le_national(i0, caches)
        if niveau != NATIONAL:
            lignes = self._grille[niveau]
            colonnes = self.dimensions[niveau]
            ligne = lignes[periode]
            for autre_p, signe in self._autres_periodes(periode):
                autre_ligne = lignes[autre_p]
                j = autre_ligne.get(code)
                if j is None or not caches(j):
                    continue
                for autre_c in colonnes:
                    if autre_c == code:
                        continue
                    k, m = ligne.get(autre_c), autre_ligne.get(autre_c)
                    if k is None or m is None or not (caches(k) and caches(m)):
                        continue
                    yield [(i0, 1), (k, -1), (j, signe), (m, -signe)]

    def par_le_national(self, i0: int, caches) -> list[Coins]:
        """Certificates through the national column: the same move in every dimension."""
        periode, niveau, code = self.f.positions[i0]
        sortie = []
        for autre_p, signe in self._autres_periodes(periode):
            coins = []
            for dim_p in (periode, autre_p):
                n = self.idx(dim_p, NATIONAL, "FR")
                if n is None or not caches(n):
                    break
                coins.append((n, 1 if dim_p == periode else signe))
            else:
                complet = True
                for dimension, codes in self.dimensions.items():
                    choix = [code] if dimension == niveau else codes
                    trouve, marge = None, -1
                    for c in choix:  # the pair of hidden cells with the most room
                        a, b = self.idx(periode, dimension, c), self.idx(autre_p, dimension, c)
                        if a is not None and b is not None and caches(a) and caches(b):
                            m = int(min(self.x[a].sum(), self.x[b].sum()))
                            if m > marge:
                                trouve, marge = [(a, 1), (b, signe)], m
                    if trouve is None:
                        complet = False
                        break
                    coins.extend(trouve)
                if complet:
                    sortie.append(coins)
        return sortie

    def bornes(self, i0: int, exigence: Exigence, certificats: Iterable[Coins]) -> tuple[int, int]:
        """The largest move up and down of the expression that the certificates prove.

        Certificates whose corners (the target aside) do not overlap add up: their sum is a
        perturbation too, limited at the target by the target's own margins. Stops as soon as
        the requirement is met.
        """
        comps = self.f.composantes
        coefs = {comps.index(c): k for c, k in exigence.expression}
        haut = bas = 0
        groupes = sorted({tuple(g) for c in coefs for g in self.compagnons[comps[c]]})
        for groupe in groupes:
            vitesse = sum(coefs.get(g, 0) for g in groupe)
            if vitesse == 0:
                continue
            cible_h, cible_b = self.portee([(i0, 1)], groupe)
            if cible_h == 0 and cible_b == 0:
                continue
            # What the requirement needs in the group's own direction.
            besoin_h, besoin_b = exigence.haut, exigence.bas
            if vitesse < 0:
                besoin_h, besoin_b = besoin_b, besoin_h
            k = abs(vitesse)
            besoin_h, besoin_b = -(-besoin_h // k), -(-besoin_b // k)
            somme_h = somme_b = 0
            pris_h: set[int] = set()
            pris_b: set[int] = set()
            for coins in itertools.islice(certificats, CERTIFICATS_MAX):
                h, b = self.portee([c for c in coins if c[0] != i0], groupe)
                autres = {j for j, _ in coins if j != i0}
                if h > 0 and somme_h < cible_h and not autres & pris_h:
                    pris_h |= autres
                    somme_h += h
                if b > 0 and somme_b < cible_b and not autres & pris_b:
                    pris_b |= autres
                    somme_b += b
                h_, b_ = min(cible_h, somme_h), min(cible_b, somme_b)
                if h_ >= besoin_h and b_ >= besoin_b and h_ + b_ >= 1:
                    break
            h, b = min(cible_h, somme_h) * k, min(cible_b, somme_b) * k
            if vitesse < 0:
                h, b = b, h
            haut, bas = max(haut, h), max(bas, b)
            if haut >= exigence.haut and bas >= exigence.bas and haut + bas >= 1:
                break
        return haut, bas

    def tenue(self, i0: int, exigence: Exigence, caches) -> bool:
        haut, bas = self.bornes(i0, exigence, self.rectangles(i0, caches))
        return haut >= exigence.haut and bas >= exigence.bas and haut + bas >= 1


class _Paresseux:
    """A list filled from a generator as far as it is read, and read again from the start."""

    def __init__(self, source: Iterator[Coins]) -> None:
        self._source = source
        self._vus: list[Coins] = []

    def __iter__(self) -> Iterator[Coins]:
        i = 0
        while True:
            if i < len(self._vus):
                yield self._vus[i]
            else:
                suivant = next(self._source, None)
                if suivant is None:
                    return
                self._vus.append(suivant)
                yield suivant
            i += 1


def _groupes(famille: Famille, composante: str, taille_max: int = 4) -> list[list[int]]:
    """Sets of components that can move together with `composante` by the same amount:
    those that keep the position's equalities (D = K + P), smallest first. Moving more
    components together gives room where an inequality is tight (S = K: all known outcomes
    positive; a numerator equal to its base)."""
    comps = famille.composantes
    libres = [c for c in comps if c not in famille.publiques and c != composante]
    groupes = []
    for taille in range(taille_max):
        for autres in itertools.combinations(libres, taille):
            groupe = (composante, *autres)
            if all(sum(g.get(c, 0) for c in groupe) == 0 for g in famille.egalites):
                groupes.append([comps.index(c) for c in groupe])
    return groupes


def _est_tenue(motif: Motif, i0: int, exigence: Exigence) -> bool:
    if motif.f.positions[i0][1] == REGION:
        return _region_tenue(motif, i0, exigence, lambda j: motif.masque[j])
    return motif.tenue(i0, exigence, lambda j: motif.masque[j])


def _academies_de(motif: Motif, i0: int) -> list[int]:
    """The hidden académie cells of a région cell (same period)."""
    periode, _, region = motif.f.positions[i0]
    return [
        i
        for code in motif.dimensions.get(ACADEMIE, [])
        if motif.regions.get(code, "NR") == region
        and (i := motif.idx(periode, ACADEMIE, code)) is not None
        and motif.masque[i]
    ]


def _vers_autre_region(motif: Motif, coins: Coins, region: str) -> bool:
    """A certificate moves the région's sum when its other académie column lies elsewhere."""
    f = motif.f
    codes = {f.positions[j][2] for j, _ in coins if f.positions[j][1] == ACADEMIE}
    return len(codes) == 1 or any(motif.regions.get(c, "NR") != region for c in codes)


def _region_tenue(motif: Motif, i0: int, exigence: Exigence, caches) -> bool:
    """A région's cell is the sum of its académies': certificates of one of them whose other
    académie column lies in another région move it by as much."""
    region = motif.f.positions[i0][2]
    for a in _academies_de(motif, i0):
        certificats = [
            c for c in motif.rectangles(a, caches) if _vers_autre_region(motif, c, region)
        ]  # fmt: skip
        haut, bas = motif.bornes(a, exigence, certificats)
        if haut >= exigence.haut and bas >= exigence.bas and haut + bas >= 1:
            return True
    return False


def supprimer(
    famille: Famille,
    regions: dict[str, str],
    tours_max: int = 100,
    imposees: frozenset[tuple[str, str, str]] = frozenset(),
) -> Resultat:
    """Hides the primary cells of a family, the positions ``imposees`` (hidden because a linked
    family hides them), and enough others to protect every hidden one."""
    debut = time.perf_counter()
    motif = Motif(famille, regions)
    masque = motif.masque
    for position in imposees:
        i = famille.index(position)
        if i is not None and motif.masquable[i]:
            masque[i] = True
    tours = 0
    non_tenues: list = []
    while tours < tours_max:
        tours += 1
        non_tenues = _non_tenues(motif)
        if not non_tenues:
            break
        ajoutees = 0
        for i, exigence in non_tenues:
            if _est_tenue(motif, int(i), exigence):
                continue  # met by a cell hidden earlier in this round
            a_masquer = _completer(motif, int(i), exigence)
            if a_masquer:
                masque[list(a_masquer)] = True
                ajoutees += len(a_masquer)
        if not ajoutees:
            break
    if non_tenues:
        # No rectangle completes these (tables too small or too sparse): hide every cell of the
        # family that can be hidden rather than publish a cell an attacker could pin.
        log.warning(
            "secret statistique : %s, %d exigences sans certificat, famille entièrement masquée",
            famille.nom,
            len(non_tenues),
        )
        masque |= motif.masquable
        non_tenues = _non_tenues(motif)
    primaires = int(np.sum(famille.primaire))
    resultat = Resultat(
        masquees=masque.copy(),
        primaires=primaires,
        secondaires=int(masque.sum()) - primaires,
        tours=tours,
        secondes=time.perf_counter() - debut,
        non_tenues=[(famille.positions[i], e) for i, e in non_tenues],
    )
    return resultat


def _non_tenues(motif: Motif) -> list[tuple[int, Exigence]]:
    """Requirements of hidden cells that no certificate meets (régions derived first)."""
    _regions(motif)
    f = motif.f
    return [
        (int(i), e)
        for i in np.flatnonzero(motif.masque)
        for e in f.exigences[i]
        if not _est_tenue(motif, int(i), e)
    ]


def _completer(motif: Motif, i0: int, exigence: Exigence) -> set[int]:
    """The cheapest cells to hide so that the certificates meet the requirement.

    Every rectangle (and every route through the national column) that needs new cells is tried
    alone, as if its corners were hidden; those that meet the requirement compete on the cost of
    their new cells, and when none does, the one that gets closest wins (the next round goes on
    from there, with every certificate).
    """
    f = motif.f
    possibles = lambda j: motif.masque[j] or motif.masquable[j]  # noqa: E731
    if f.positions[i0][1] == REGION:
        region = f.positions[i0][2]
        meilleurs = []
        for a in _academies_de(motif, i0):
            for coins in motif.rectangles(a, possibles):
                nouvelles = {j for j, _ in coins if not motif.masque[j]}
                if nouvelles and _vers_autre_region(motif, coins, region):
                    haut, bas = motif.bornes(a, exigence, [coins])
                    manque = max(0, exigence.haut - haut) + max(0, exigence.bas - bas)
                    manque += 0 if haut + bas >= 1 else 1
                    meilleurs.append((manque, sum(f.cout[j] for j in nouvelles), nouvelles))
        meilleurs.sort(key=lambda m: (m[0], m[1]))
        return meilleurs[0][2] if meilleurs else set()
    meilleurs = []
    for coins in motif.rectangles(i0, possibles):
        nouvelles = {j for j, _ in coins if not motif.masque[j]}
        if not nouvelles:
            continue
        haut, bas = motif.bornes(i0, exigence, [coins])
        manque = (
            max(0, exigence.haut - haut)
            + max(0, exigence.bas - bas)
            + (0 if haut + bas >= 1 else 1)
        )
        cout = sum(f.cout[j] for j in nouvelles)
        meilleurs.append((manque, cout, len(nouvelles), nouvelles))
    if not meilleurs:
        return set()
    meilleurs.sort(key=lambda m: (m[0], m[1], m[2]))
    return meilleurs[0][3]


def _regions(motif: Motif) -> None:
    """A région's cell is hidden when one of its académies' is (the table is derived), unless
    the académie table already gives its value away (its hidden académies are partners of one
    another): then it is shown, since it tells nothing more and a hidden cell that anyone can
    work out protects nothing (and would read as a leak)."""
    f = motif.f
    caches_par_region: dict[tuple[str, str], bool] = defaultdict(bool)
    for i, (periode, niveau, code) in enumerate(f.positions):
        if niveau == ACADEMIE and motif.masque[i]:
            caches_par_region[(periode, motif.regions.get(code, "NR"))] = True
    determinees = _sommes_determinees(motif)
    for i, (periode, niveau, code) in enumerate(f.positions):
        if niveau == REGION:
            cache = caches_par_region[(periode, code)] and (periode, code) not in determinees
            if f.primaire[i] and not cache:
                cache = True  # never expected: a small région has small académies
            motif.masque[i] = cache


def _sommes_determinees(motif: Motif) -> set[tuple[str, str]]:
    """(period, région) whose académies' sum the other published cells determine, for every
    component: the région's vector lies in the row space of the additive relations over the
    hidden cells (exact linear algebra; bounds are not used, which only makes fewer sums
    determined)."""
    f = motif.f
    if ACADEMIE not in motif.dimensions:
        return set()
    regions_de = defaultdict(list)
    for i, (periode, niveau, code) in enumerate(f.positions):
        if niveau == ACADEMIE and motif.masque[i]:
            regions_de[(periode, motif.regions.get(code, "NR"))].append(i)
    if not regions_de:
        return set()
    relations = []
    for periode in motif.periodes:
        total = motif.idx(periode, NATIONAL, "FR")
        for dimension, codes in motif.dimensions.items():
            termes = [(motif.idx(periode, dimension, c), 1) for c in codes]
            relations.append([*termes, (total, -1)])
    for niveau, codes in [*motif.dimensions.items(), (NATIONAL, ["FR"])]:
        for code in codes:
            termes = [(motif.idx(a, niveau, code), 1) for a in motif.annees]
            relations.append([*termes, (motif.idx(ENSEMBLE, niveau, code), -1)])
    determinees = set(regions_de)
    for j, comp in enumerate(f.composantes):
        if comp in f.publiques:
            continue
        cachees = [
            i
            for i in range(len(f.positions))
            if motif.masque[i] and not motif.connues[i, j] and f.positions[i][1] != REGION
        ]
        colonne = {i: k for k, i in enumerate(cachees)}
        lignes = []
        for termes in relations:
            ligne = np.zeros(len(cachees))
            for i, c in termes:
                if i is not None and i in colonne:
                    ligne[colonne[i]] += c
            if ligne.any():
                lignes.append(ligne)
        noyau = _noyau(np.array(lignes, dtype=float).reshape(len(lignes), len(cachees)))
        for cle in list(determinees):
            vecteur = np.zeros(len(cachees))
            for i in regions_de[cle]:
                if i in colonne:
                    vecteur[colonne[i]] = 1.0
            if noyau.size and np.abs(noyau.T @ vecteur).max(initial=0.0) > 1e-9:
                determinees.discard(cle)
    return determinees


def _noyau(a: np.ndarray) -> np.ndarray:
    """An orthonormal basis (columns) of the null space of `a`."""
    n = a.shape[1]
    if a.shape[0] == 0:
        return np.eye(n)
    _, valeurs, vt = np.linalg.svd(a)
    rang = int((valeurs > 1e-9).sum())
    return vt[rang:].T
