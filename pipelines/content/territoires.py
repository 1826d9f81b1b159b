"""The académies on a tile-grid map: each one's tile position, and short names that fit a tile
(pure data and functions: the dashboard and the reports draw them with ``figures.tuiles``).

Two arrangements of the same metropolitan grid: ``TUILES``, overseas académies in a block beside
it (a wide screen or a page), and ``TUILES_COMPACT``, overseas in rows below it (a phone: six
columns, so that a tile stays wide enough for its name). Every académie of the
``ref_academies`` seed has a tile in both, and the metropolitan grid has no hole inside it
(``tests/test_figures.py`` checks both).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable

# Metropolitan académies, (column, row) from the north-west: roughly where they are, each row
# without a gap, Corsica off the south-east corner.
METROPOLE: dict[str, tuple[int, int]] = {
    "09": (2, 0),  # Lille
    "70": (1, 1),  # Normandie
    "20": (2, 1),  # Amiens
    "19": (3, 1),  # Reims
    "14": (0, 2),  # Rennes
    "25": (1, 2),  # Versailles
    "01": (2, 2),  # Paris
    "24": (3, 2),  # Créteil
    "12": (4, 2),  # Nancy-Metz
    "15": (5, 2),  # Strasbourg
    "17": (0, 3),  # Nantes
    "13": (1, 3),  # Poitiers
    "18": (2, 3),  # Orléans-Tours
    "07": (3, 3),  # Dijon
    "03": (4, 3),  # Besançon
    "04": (0, 4),  # Bordeaux
    "22": (1, 4),  # Limoges
    "06": (2, 4),  # Clermont-Ferrand
    "10": (3, 4),  # Lyon
    "08": (4, 4),  # Grenoble
    "16": (1, 5),  # Toulouse
    "11": (2, 5),  # Montpellier
    "02": (3, 5),  # Aix-Marseille
    "23": (4, 5),  # Nice
    "27": (5, 6),  # Corse
}
# Overseas académies, Atlantic and Caribbean first, then the Indian Ocean and the Pacific.
OUTRE_MER = ("32", "31", "33", "44", "28", "43", "40", "41", "42")

# Wide: overseas in two columns to the right of the metropolitan grid, a column apart.
TUILES: dict[str, tuple[int, int]] = METROPOLE | {
    code: (7 + i % 2, i // 2) for i, code in enumerate(OUTRE_MER)
}
# Narrow: overseas in rows of five below the metropolitan grid, a row apart.
TUILES_COMPACT: dict[str, tuple[int, int]] = METROPOLE | {
    code: (i % 5, 8 + i // 5) for i, code in enumerate(OUTRE_MER)
}


def positions(compact: bool = False) -> dict[str, tuple[int, int]]:
    """The tile positions of every académie, wide or narrow arrangement."""
    return dict(TUILES_COMPACT if compact else TUILES)


# ------------------------------------------------------------------------------ short names

# Advance widths of Marianne Regular, the DSFR's font, in thousandths of the font size (read
# from the font's ``hmtx`` table; kerning ignored): what a tile's text measures, so that a short
# name is chosen for the room it has rather than for a count of letters (« Normandie » is as
# wide as « Versailles »). An accented letter measures as its base letter.
_CHASSE = {
    "\u202f": 135, "ijl": 265, ". '’,\u00a0": 270, "-": 310, "I": 316, "J": 328, "f": 388,
    "r": 397, "t": 420, "s": 443, "1": 462, "z": 505, "FL": 523, "x": 530, "v": 534, "–": 540,
    "k": 546, "y": 549, "g": 557, "c": 560, "a": 562, "E": 563, "P": 574, "e": 581, "S": 588,
    "B023456789": 600, "u": 604, "hn": 621, "T": 629, "o": 640, "R": 641, "d": 659, "pq": 660,
    "b": 661, "Z": 668, "Y": 676, "X": 716, "K": 721, "U": 725, "AV": 738, "C": 757, "D": 799,
    "w": 802, "G": 809, "%": 824, "HN": 835, "OQ": 837, "M": 889, "m": 945, "W": 1039,
}  # fmt: skip
CHASSE = {c: w for chars, w in _CHASSE.items() for c in chars}
CHASSE_INCONNUE = 1000  # a character not in the table: counted wide, never too narrow


def largeur_texte(texte: str, taille: float) -> float:
    """The width in pixels of one line of ``texte`` in Marianne at ``taille`` pixels."""
    total = 0
    for c in texte:
        base = unicodedata.normalize("NFD", c)[0]
        total += CHASSE.get(c, CHASSE.get(base, CHASSE_INCONNUE))
    return total * taille / 1000


VOYELLES = frozenset("aeiouyAEIOUY")
# Customary French abbreviations of whole words (without a final dot: they end with the word's
# own last letter, as French typography writes them).
USUELLES = {"Saint": "St", "Sainte": "Ste", "Nouvelle": "Nlle"}
_MOTS = re.compile(r"([- ])")
Mesure = Callable[[str], float]  # the width of one line of text


def _voyelle(c: str) -> bool:
    return unicodedata.normalize("NFD", c)[0] in VOYELLES


def _formes(mot: str) -> list[str]:
    """A word and its abbreviations, longest first: the customary one, then the word cut after
    a consonant and before a vowel (the French rule: « Mars. », « Strasb. »), or after its
    initial, each ending with a dot. Words of three letters or fewer (« et », « La ») stay."""
    if len(mot) <= 3:
        return [mot]
    formes = {mot}
    if mot in USUELLES:
        formes.add(USUELLES[mot])
    formes.add(mot[0] + ".")
    for i in range(2, len(mot) - 1):
        if not _voyelle(mot[i - 1]) and _voyelle(mot[i]):
            formes.add(mot[:i] + ".")
    return sorted(formes, key=lambda f: (-len(f), f))


def _lignes(
    mots: list[str], separateurs: list[str], lignes: int, longueur: float, mesure: Mesure
) -> list[str]:
    """Lay words out on as few lines as hold ``longueur`` each (at most ``lignes``), breaking
    after a hyphen (kept) or at a space (dropped), the longest line as short as possible (the
    first line the longer on a tie: « Wallis et / Futuna »); past ``lignes``, the layout with
    the shortest longest line."""

    def cle(texte: list[str]) -> tuple[float, float]:
        return max(map(mesure, texte)), -mesure(texte[0])

    best: list[str] = []
    for n in range(min(lignes, len(mots))):
        for coupures in itertools.combinations(range(len(separateurs)), n):
            texte, faites = [mots[0]], []
            for i, sep in enumerate(separateurs):
                if i in coupures:
                    faites.append("".join(texte) + (sep if sep == "-" else ""))
                    texte = [mots[i + 1]]
                else:
                    texte += [sep, mots[i + 1]]
            faites.append("".join(texte))
            if not best or cle(faites) < cle(best):
                best = faites
        if cle(best)[0] <= longueur:
            break
    return best


def abreger(nom: str, longueur: float, lignes: int = 1, mesure: Mesure = len) -> str:
    """A short name of ``nom`` whose lines each measure at most ``longueur``, joined by ``\\n``
    (« Clermont-F. » on one line of 11 characters, « Clermont-\\nFerrand » on two of 9);
    ``mesure`` measures a line (characters by default, or ``largeur_texte`` in pixels).

    A word is never cut without a dot: whole words first, then the customary abbreviations, then
    words cut after a consonant, keeping as many letters as fit (the later words cut first, since
    the first word names the place best). Past every abbreviation, the shortest form is given."""
    morceaux = _MOTS.split(nom)
    mots, separateurs = morceaux[::2], morceaux[1::2]
    candidats = []
    for formes in itertools.product(*(_formes(m) for m in mots)):
        texte = _lignes(list(formes), separateurs, lignes, longueur, mesure)
        plus_longue = max(map(mesure, texte))
        garde = tuple(len(f.rstrip(".")) for f in formes)
        # Fitting first; then the most letters kept (or, when none fits, the narrowest);
        # then the earlier words the longest.
        tient = plus_longue <= longueur
        candidats.append(((tient, sum(garde) if tient else -plus_longue, garde), texte))
    return "\n".join(max(candidats)[1])


def abreviations(
    noms: Iterable[str], longueur: float, lignes: int = 1, mesure: Mesure = len
) -> dict[str, str]:
    """``abreger`` for each name; raises when two names would get the same short name (a map
    whose tiles could not be told apart)."""
    courts = {nom: abreger(nom, longueur, lignes, mesure) for nom in noms}
    vus: dict[str, str] = {}
    for nom, court in courts.items():
        autre = vus.setdefault(court.replace("\n", " "), nom)
        if autre != nom:
            raise ValueError(f"« {autre} » et « {nom} » ont le même nom court « {court} »")
    return courts
