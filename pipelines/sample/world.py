"""A synthetic world of buyers, clauses, youths and follow-ups, before any file format.

The generator draws everything from one seeded ``random.Random``, in a fixed order, so that the
same seed and scale always give the same world (and the writers, the same bytes).
"""

from __future__ import annotations

import bisect
import csv
import math
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from stdnum import luhn

from pipelines.ingest.reference import SEEDS

AS_OF = date(2026, 9, 30)  # the last day the synthetic exports describe
UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
SUBJECTS = ["lot unique", "bâtiments scolaires", "services académiques", "internats"]
COMPANY_SUFFIXES = ["SAS", "SARL", "et Fils", "Services", "Bâtiment"]


@dataclass(frozen=True)
class Scale:
    """How big a world to draw."""

    clauses: int
    other_contracts: int
    comparison_per_csf_youth: float
    first_year: int
    academies: str = "demo"  # demo: seven académies with their own export style; all: every one
    hosting_rounds: int = 1  # youths an activated clause hosts per slot, as a multiple
    establishments_per_academie: int = 1  # buying lycées per académie
    bulk_decp: int = 0  # further DECP contracts, written by DuckDB (decp_bulk)
    # Smaller worlds for tests (None: as drawn for demo and national): the first ``buyers`` buyers
    # drawn only (1: the administration centrale alone, which then holds every clause), and
    # clauses notified in the calendar years ``clause_years`` (first, last) instead of the four
    # years up to AS_OF.
    buyers: int | None = None
    clause_years: tuple[int, int] | None = None
    # Share of clauses with a declared offer that host youths (None: 0.85, as drawn for demo and
    # national; 0: nothing activated; 1: every offer taken).
    activation: float | None = None
    # Edge cases of the indicator rules (docs/methodologie.md, « Unité de compte », « Rattachement
    # d'un suivi à un parcours », « Date d'observation »), all off by default. They are drawn
    # from a random generator of their own, after the rest of the world, and only when on: a
    # world drawn with all of them at 0 is the world drawn before they existed, byte for byte.
    #
    # repeat_youths: share of the CSF parcours given to a youth who already followed an earlier
    # CSF parcours (same INE), when one ended at least 140 days before this one's positioning
    # (the later parcours may be a year or two later, for a clause of another académie). The
    # youth either stays in the same MLDS episode (one jeunes row, the exit that of the later
    # parcours) or re-enters the MLDS in the same académie (a second jeunes row, later entry).
    repeat_youths: float = 0.0
    # moving_youths: share of the youths above who re-enter the MLDS in another académie instead:
    # a second jeunes row in that académie's export (later date_entree_mlds, same INE, names,
    # sex and birth date) whose episode holds the later parcours. The same share of the other
    # CSF youths who left the MLDS re-enter it in another académie after their parcours, with no
    # parcours in the new episode (its follow-ups cite no parcours).
    moving_youths: float = 0.0
    # follow_ups_without_parcours: share of the CSF follow-up rows written with an empty
    # id_parcours (never two such rows of one youth, horizon and date in one export: the
    # export's unique key; two exits of one youth without a parcours may be).
    # A quarter of them are dated after their horizon's window (more than h + 3 months after the
    # parcours' end), and every follow-up of an earlier parcours dated once the youth's later
    # parcours has started cites no parcours either: the attachment window is exercised.
    follow_ups_without_parcours: float = 0.0
    # recent_ends: share of the running parcours (« en cours » on AS_OF) that end instead in the
    # four weeks before AS_OF, exported « terminé » (exit outcome drawn, follow-ups not yet due).
    recent_ends: float = 0.0
    # Waiting and matching dynamics (docs/methodologie.md, « Offres et jeunes en attente »), off
    # by default and drawn from a random generator of their own after everything else, as the
    # edge cases are. Each académie is given a pressure: short of offers, balanced or short of
    # youths (a third each, drawn).
    #
    # waiting_youths: youths oriented to a CSF parcours who never get one, per CSF youth of the
    # académie (x 3 where offers are short, x 1 balanced, x 1/4 where youths are short). They
    # enter the MLDS at any time and leave it without a parcours after an exponential stay
    # (mean WAITING_STAY), or are still waiting on AS_OF; a few have no action written (« non
    # renseignée »).
    waiting_youths: float = 0.0
    # unfilled_offers: share of the activated clauses of an académie short of youths (a quarter
    # of it in a balanced one) whose youths never came: their parcours, youths and follow-ups
    # are withdrawn, so their offers stay open until they expire unfilled.
    # With either knob on, positioned youths whose parcours never started leave the MLDS too.
    unfilled_offers: float = 0.0

    def matching(self) -> bool:
        """Whether the waiting and matching dynamics are on."""
        return bool(self.waiting_youths or self.unfilled_offers)

    def edge_cases(self) -> bool:
        """Whether any edge-case knob is on."""
        return bool(
            self.repeat_youths
            or self.moving_youths
            or self.follow_ups_without_parcours
            or self.recent_ends
        )


SCALES = {
    "demo": Scale(
        clauses=900,
        other_contracts=600,
        comparison_per_csf_youth=4.0,
        first_year=2022,
        waiting_youths=1.5,
        unfilled_offers=0.5,
    ),
    # The volumes of a national year x 5: ~5,000 clauses, ~30,000 parcours, ~400,000 youths
    # followed by the MLDS, > 1 M follow-ups, ~1.5 M DECP contracts. 30,000 parcours of 150 hours
    # or more do not fit in 5,000 clauses of 900 hours at most, so at this scale an activated
    # clause hosts several cohorts and the hours-realisation ratio exceeds 100 %: the national
    # sample is for volumes, the demo sample for plausible figures.
    "national": Scale(
        clauses=5_000,
        other_contracts=20_000,
        comparison_per_csf_youth=12.0,
        first_year=2021,
        academies="all",
        hosting_rounds=10,
        establishments_per_academie=3,
        bulk_decp=1_500_000,
        waiting_youths=0.3,
        unfilled_offers=0.5,
    ),
}

# Factors of the national volumes ``csf sample --scale`` accepts (the benchmark's cost curve).
MIN_FACTOR, MAX_FACTOR = 0.01, 10.0


def national_times(factor: float) -> Scale:
    """The national scale with its volumes multiplied by ``factor``: clauses, other contracts,
    the national DECP file and the buying lycées per académie. Youths, parcours and follow-ups
    follow from the clauses (each activated clause hosts its cohorts), so they grow alike.
    ``national_times(1)`` is the national scale."""
    if not MIN_FACTOR <= factor <= MAX_FACTOR:
        raise ValueError(
            f"facteur d'échelle {_fr(factor)} hors bornes ({_fr(MIN_FACTOR)} à "
            f"{_fr(MAX_FACTOR)} fois le volume national)"
        )
    base = SCALES["national"]
    return replace(
        base,
        clauses=max(1, round(base.clauses * factor)),
        other_contracts=max(1, round(base.other_contracts * factor)),
        bulk_decp=max(1, round(base.bulk_decp * factor)),
        establishments_per_academie=max(1, round(base.establishments_per_academie * factor)),
    )


def _fr(factor: float) -> str:
    return f"{factor:g}".replace(".", ",")


def resolve_scale(scale: str | Scale) -> Scale:
    """A named scale (``demo``, ``national``), a factor of the national volumes (``0.1``,
    ``3``, ``0,5``), or a ``Scale`` as given."""
    if isinstance(scale, Scale):
        return scale
    if scale in SCALES:
        return SCALES[scale]
    try:
        factor = float(scale.replace(",", "."))
    except ValueError:
        factor = math.nan
    if not math.isfinite(factor):
        raise ValueError(
            f"échelle inconnue {scale!r} : {', '.join(SCALES)}, ou un facteur du volume "
            f"national de {_fr(MIN_FACTOR)} à {_fr(MAX_FACTOR)} (par exemple 0,1 ou 3)"
        )
    return national_times(factor)


# Académie code → (weight in the clause register, main départements).
Academies = dict[str, tuple[float, list[str]]]

# The demo's seven académies.
ACADEMIES: Academies = {
    "24": (0.26, ["93", "94", "77"]),
    "25": (0.18, ["92", "78", "95", "91"]),
    "70": (0.18, ["76", "14", "27", "50", "61"]),
    "23": (0.10, ["06", "83"]),
    "04": (0.12, ["33", "64", "40"]),
    "31": (0.06, ["972"]),
    "28": (0.10, ["974"]),
}
# Rough weights of the académies in the national school population (synthetic world only).
NATIONAL_WEIGHTS = {
    "01": 35, "02": 55, "03": 20, "04": 50, "06": 20, "07": 25, "08": 55, "09": 80, "10": 55,
    "11": 45, "12": 40, "13": 25, "14": 40, "15": 30, "16": 50, "17": 60, "18": 40, "19": 20,
    "20": 30, "22": 10, "23": 20, "24": 100, "25": 110, "27": 5, "28": 23, "31": 6, "32": 7,
    "33": 9, "40": 7, "41": 6, "42": 1, "43": 11, "44": 1, "70": 50,
}  # fmt: skip


def academies_of(scale: Scale) -> Academies:
    """Académie code → (weight, départements) for ``scale``: the demo seven, or every académie."""
    if scale.academies == "demo":
        return ACADEMIES
    departements: dict[str, list[str]] = {}
    with open(SEEDS / "ref_departements.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            departements.setdefault(row["code_academie"], []).append(row["code_departement"])
    return {code: (NATIONAL_WEIGHTS[code], departements[code]) for code in NATIONAL_WEIGHTS}


def academie_names(academies: Academies) -> dict[str, str]:
    """Académie code → name from the reference seed, in the order of ``academies``."""
    with open(SEEDS / "ref_academies.csv", encoding="utf-8") as handle:
        names = {row["code_academie"]: row["libelle_academie"] for row in csv.DictReader(handle)}
    return {code: names[code] for code in academies}


SECTORS = [
    ("45", "45210000-2", "Bâtiment et travaux publics"),
    ("45", "45310000-3", "Électricité du bâtiment"),
    ("90", "90910000-9", "Propreté et nettoyage"),
    ("55", "55520000-1", "Restauration collective"),
    ("72", "72000000-5", "Services informatiques"),
    ("77", "77310000-6", "Espaces verts"),
    ("50", "50700000-2", "Maintenance des bâtiments"),
    ("79", "79500000-9", "Services administratifs"),
    ("09", "09310000-5", "Énergie"),
    ("30", "30190000-7", "Fournitures de bureau"),
]
FIRST_NAMES = [
    "Camille",
    "Lina",
    "Inès",
    "Yanis",
    "Lucas",
    "Emma",
    "Nolan",
    "Jade",
    "Adam",
    "Léa",
    "Mohamed",
    "Chloé",
    "Enzo",
    "Sarah",
    "Kylian",
    "Manon",
    "Rayan",
    "Maëlys",
    "Théo",
    "Aya",
    "Noah",
    "Zoé",
    "Ibrahim",
    "Louise",
    "Sacha",
    "Maël",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Diallo",
    "Traoré",
    "Nguyen",
    "Hoarau",
    "Payet",
    "Louis-Joseph",
    "Célestine",
]
CLASSES = ["3e", "2nde GT", "2nde pro", "1re pro", "CAP 1re année", "CAP 2e année", "Terminale"]
DIPLOMES = ["aucun", "aucun", "DNB", "DNB", "CAP"]
POSITIVE = [
    "retour_formation_initiale",
    "apprentissage",
    "contrat_professionnalisation",
    "formation_professionnelle",
    "emploi",
    "service_civique",
]
OUTCOMES_CSF = {
    "retour_formation_initiale": 0.40,
    "apprentissage": 0.18,
    "contrat_professionnalisation": 0.05,
    "formation_professionnelle": 0.06,
    "emploi": 0.05,
    "service_civique": 0.02,
    "nouvelle_action_mlds": 0.05,
    "autre_accompagnement": 0.04,
    "sans_solution": 0.07,
    "perdu_de_vue": 0.06,
    "autre": 0.02,
}
OUTCOMES_COMPARISON = {
    "retour_formation_initiale": 0.27,
    "apprentissage": 0.11,
    "contrat_professionnalisation": 0.03,
    "formation_professionnelle": 0.07,
    "emploi": 0.05,
    "service_civique": 0.03,
    "nouvelle_action_mlds": 0.09,
    "autre_accompagnement": 0.08,
    "sans_solution": 0.14,
    "perdu_de_vue": 0.11,
    "autre": 0.02,
}


@dataclass
class Buyer:
    siret: str
    name: str
    kind: str  # rectorat | administration_centrale | etablissement | autre
    academie: str


@dataclass
class Clause:
    id_clause: str
    id_marche: str
    buyer: Buyer
    subject: str
    lot: str
    notified: date
    end: date
    end_with_renewals: date
    amount: float
    hours: int
    holder_siret: str
    holder_name: str
    sector: tuple[str, str, str]
    academie: str
    departement: str
    form_received: bool
    transmitted: date | None
    offer_declared: date | None


@dataclass
class Youth:
    ine: str
    last_name: str
    first_name: str
    birth: date
    sex: str
    academie: str
    departement: str
    uai: str
    last_class: str
    diploma: str
    spotted: date
    spotted_by: str
    entry: date
    action: str
    exit: date | None = None
    exit_situation: str | None = None
    phone: str = ""


@dataclass
class Parcours:
    id_parcours: str
    youth: Youth
    clause: Clause
    positioned: date
    agreement: date | None
    start: date | None
    planned_end: date | None
    real_end: date | None
    hours_planned: int
    hours_done: int | None
    status: str
    interruption: str
    # Edge cases only (Scale.repeat_youths): the outcome at this parcours' exit when the youth's
    # episode went on to a later parcours (its exit is then the later one's), and that parcours.
    outcome: str | None = None
    followed_by: Parcours | None = None


@dataclass
class FollowUp:
    youth: Youth
    parcours: Parcours | None
    observed: date
    horizon: str
    situation: str
    # False: written with an empty id_parcours although it observes ``parcours``
    # (Scale.follow_ups_without_parcours).
    cites_parcours: bool = True


@dataclass
class World:
    academies: Academies
    academie_names: dict[str, str]
    buyers: list[Buyer]
    clauses: list[Clause]
    youths: list[Youth] = field(default_factory=list)
    parcours: list[Parcours] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    other_contracts: int = 0


def siret(rng: random.Random) -> str:
    """A SIRET whose SIREN and whole number both pass the Luhn check."""
    siren_body = f"{rng.randrange(10**7, 10**8)}"
    siren = siren_body + luhn.calc_check_digit(siren_body)
    nic_body = siren + f"{rng.randrange(1, 10**4):04d}"
    return nic_body + luhn.calc_check_digit(nic_body)


def ine(rng: random.Random) -> str:
    """An INE-shaped id: 10 digits + 1 letter, or 9 digits + 2 letters."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    if rng.random() < 0.5:
        return f"{rng.randrange(10**9, 10**10)}{rng.choice(letters)}"
    return f"{rng.randrange(10**8, 10**9)}{rng.choice(letters)}{rng.choice(letters)}"


def uai(rng: random.Random, departement: str) -> str:
    """A UAI with its check letter (first 7 characters modulo 23)."""
    # Corsica's UAI use 620 (2A) and 720 (2B), as the national directory does.
    prefix = {"2A": "620", "2B": "720"}.get(departement, departement[-3:].zfill(3))
    base = f"{prefix}{rng.randrange(0, 10**4):04d}"
    return base + UAI_LETTERS[int(base) % 23]


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def calibrated_hours(amount: float) -> int:
    """Hours the buyers' guide asks for, by firm-period amount excl. VAT."""
    if amount < 100_000:
        return 150
    if amount < 200_000:
        return 300
    if amount < 400_000:
        return 450
    return 900


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def draw_world(seed: int, scale: Scale) -> World:
    """Draw buyers, clauses, parcours, youths and follow-ups for ``scale``."""
    world = _draw_core(seed, scale)
    if scale.matching():
        _match_offers_and_youths(random.Random(f"{seed}-attente"), world, scale)
    return world


def _draw_core(seed: int, scale: Scale) -> World:
    """The world without its waiting and matching dynamics."""
    rng = random.Random(seed)
    academies = academies_of(scale)
    names = academie_names(academies)
    buyers = _draw_buyers(rng, names, scale.establishments_per_academie)
    if scale.buyers is not None:
        buyers = buyers[: max(1, scale.buyers)]
    clauses = [
        _draw_clause(rng, i, buyers, academies, scale.clause_years) for i in range(scale.clauses)
    ]
    world = World(
        academies=academies,
        academie_names=names,
        buyers=buyers,
        clauses=clauses,
        other_contracts=scale.other_contracts,
    )
    youth_count = 0
    for clause in clauses:
        drawn = _draw_parcours(
            rng, clause, len(world.parcours), academies, scale.hosting_rounds, scale.activation
        )
        for parcours in drawn:
            youth_count += 1
            world.parcours.append(parcours)
            world.youths.append(parcours.youth)
    comparison = int(youth_count * scale.comparison_per_csf_youth)
    codes = list(academies)
    weights = [academies[a][0] for a in codes]
    for _ in range(comparison):
        academie = rng.choices(codes, weights=weights)[0]
        entry = scale_date(rng, date(scale.first_year, 9, 1), AS_OF - timedelta(days=20))
        youth = _draw_youth(rng, academies, academie, entry, "autre")
        youth.action = rng.choice(["module_remobilisation", "preparation_diplome", "autre"])
        stay = timedelta(days=rng.randint(60, 300))
        if entry + stay <= AS_OF:
            youth.exit = entry + stay
            youth.exit_situation = _weighted(rng, OUTCOMES_COMPARISON)
        world.youths.append(youth)
    if not scale.edge_cases():
        last_parcours = {id(p.youth): p for p in world.parcours}
        for youth in world.youths:
            world.follow_ups.extend(_draw_follow_ups(rng, youth, last_parcours.get(id(youth))))
        return world
    edges = random.Random(f"{seed}-cas-limites")
    if scale.recent_ends:
        _end_recently(edges, world, scale.recent_ends)
    if scale.repeat_youths:
        _repeat_youths(edges, world, scale.repeat_youths, scale.moving_youths)
    if scale.moving_youths:
        _move_after_parcours(edges, world, scale.moving_youths)
    parcours_of: dict[int, list[Parcours]] = {}
    for p in world.parcours:
        parcours_of.setdefault(id(p.youth), []).append(p)
    for youth in world.youths:
        own = sorted(parcours_of.get(id(youth), []), key=lambda p: p.positioned)
        for earlier in own[:-1]:  # an episode that held two parcours
            world.follow_ups.extend(_draw_follow_ups(rng, youth, earlier, earlier.outcome))
        world.follow_ups.extend(_draw_follow_ups(rng, youth, own[-1] if own else None))
    if scale.follow_ups_without_parcours:
        _drop_parcours_ids(edges, world, scale.follow_ups_without_parcours)
    return world


def scale_date(rng: random.Random, first: date, last: date) -> date:
    """A uniform date between ``first`` and ``last`` included."""
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _draw_buyers(rng: random.Random, names: dict[str, str], establishments: int) -> list[Buyer]:
    buyers = [
        Buyer(
            siret(rng),
            "Ministère de l'Éducation nationale - administration centrale",
            "administration_centrale",
            "24",
        )
    ]
    for code, name in names.items():
        buyers.append(Buyer(siret(rng), f"Rectorat de l'académie de {name}", "rectorat", code))
        for _ in range(establishments):
            buyers.append(
                Buyer(
                    siret(rng),
                    f"Lycée des métiers {rng.choice(LAST_NAMES)} ({name})",
                    "etablissement",
                    code,
                )
            )
    buyers.append(Buyer(siret(rng), "CROUS de Créteil", "autre", "24"))
    buyers.append(Buyer(siret(rng), "Université de Rouen Normandie", "autre", "70"))
    return buyers


def _draw_clause(
    rng: random.Random,
    i: int,
    buyers: list[Buyer],
    academies: Academies,
    years: tuple[int, int] | None = None,
) -> Clause:
    codes = list(academies)
    academie = rng.choices(codes, weights=[academies[a][0] for a in codes])[0]
    local = [b for b in buyers if b.academie == academie]
    buyer = rng.choice([*local, buyers[0]]) if rng.random() < 0.8 else buyers[0]
    if years is None:
        notified = scale_date(rng, date(AS_OF.year - 4, AS_OF.month, 1), AS_OF)
    else:
        notified = scale_date(rng, date(years[0], 1, 1), min(date(years[1], 12, 31), AS_OF))
    duration = rng.choice([12, 24, 36, 48])
    amount = round(rng.lognormvariate(12.0, 0.8), 2)
    hours = calibrated_hours(amount)
    if rng.random() < 0.06:  # buyers sometimes mis-calibrate
        hours = rng.choice([h for h in (150, 300, 450, 900) if h != hours])
    sector = rng.choice(SECTORS)
    form = rng.random() < 0.8
    transmitted = (
        notified + timedelta(days=rng.randint(10, 60)) if form and rng.random() < 0.8 else None
    )
    declared = (
        transmitted + timedelta(days=rng.randint(15, 90))
        if transmitted and rng.random() < 0.8
        else None
    )
    transmitted = transmitted if transmitted and transmitted <= AS_OF else None
    declared = declared if declared and declared <= AS_OF else None
    return Clause(
        id_clause=f"CSF-{notified.year}-{i + 1:05d}",
        id_marche=f"{notified.year}{rng.choice(['MAPA', 'AO', 'AC'])}{rng.randrange(10**4, 10**5)}",
        buyer=buyer,
        subject=f"{sector[2]} - {rng.choice(SUBJECTS)}",
        lot=str(rng.randint(1, 6)) if rng.random() < 0.4 else "",
        notified=notified,
        end=add_months(notified, duration),
        end_with_renewals=add_months(notified, duration + rng.choice([0, 12, 24])),
        amount=amount,
        hours=hours,
        holder_siret=siret(rng),
        holder_name=f"{rng.choice(LAST_NAMES)} {rng.choice(COMPANY_SUFFIXES)}",
        sector=sector,
        academie=academie,
        departement=rng.choice(academies[academie][1]),
        form_received=form,
        transmitted=transmitted,
        offer_declared=declared,
    )


def _draw_youth(
    rng: random.Random,
    academies: Academies,
    academie: str,
    entry: date,
    action: str,
) -> Youth:
    departement = rng.choice(academies[academie][1])
    birth = entry - timedelta(days=rng.randint(15 * 365, 19 * 365))
    spotted = entry - timedelta(days=rng.randint(5, 90))
    return Youth(
        ine=ine(rng),
        last_name=rng.choice(LAST_NAMES),
        first_name=rng.choice(FIRST_NAMES),
        birth=birth,
        sex=rng.choice("FM"),
        academie=academie,
        departement=departement,
        uai=uai(rng, departement),
        last_class=rng.choice(CLASSES),
        diploma=rng.choice(DIPLOMES),
        spotted=spotted,
        spotted_by=rng.choice(["siei", "gpds", "cio", "psad", "spontane", "autre"]),
        entry=entry,
        action=action,
        phone=f"06{rng.randrange(10**7, 10**8)}",
    )


def _draw_parcours(
    rng: random.Random,
    clause: Clause,
    numbering: int,
    academies: Academies,
    rounds: int,
    activation: float | None = None,
) -> list[Parcours]:
    """Parcours a clause produced: none if it stalled before the offer, else one per youth.

    Youths follow one another every four months or so; ``rounds`` youths start together.
    """
    stalled = 0.15 if activation is None else 1 - activation
    if clause.offer_declared is None or rng.random() < stalled:
        return []
    youths_hosted = rng.choice(
        {150: [1], 300: [1, 2], 450: [1, 3], 900: [1, 2, 3, 6]}[clause.hours]
    )
    result = []
    positioned = clause.offer_declared + timedelta(days=rng.randint(10, 60))
    for k in range(youths_hosted * rounds):
        positioned_k = positioned + timedelta(days=120 * (k // rounds) + rng.randint(0, 30))
        if positioned_k > AS_OF:
            break
        hours = clause.hours // youths_hosted
        entry = positioned_k - timedelta(days=rng.randint(20, 120))
        youth = _draw_youth(rng, academies, clause.academie, entry, "parcours_csf")
        agreement = positioned_k + timedelta(days=rng.randint(7, 30))
        start = agreement + timedelta(days=rng.randint(3, 20))
        planned_end = start + timedelta(days=round(hours / 35 * 7))
        status, real_end, done, reason = "positionne", None, None, ""
        if rng.random() < 0.05:
            status, agreement, start = "non_commence", None, None
        elif agreement > AS_OF:
            agreement = start = None
        elif start > AS_OF:
            status, start = "convention_signee", None
        elif planned_end > AS_OF:
            status = "en_cours"
        elif rng.random() < 0.13:
            status = "interrompu"
            real_end = start + timedelta(
                days=rng.randint(5, max(6, (planned_end - start).days - 1))
            )
            done = round(hours * (real_end - start).days / max(1, (planned_end - start).days))
            reason = rng.choice(
                ["abandon du jeune", "déménagement", "raison de santé", "entrée en apprentissage"]
            )
        else:
            status, real_end, done = "termine", planned_end, hours
        if start is None:
            planned_end = None
        parcours = Parcours(
            id_parcours=f"P{numbering + len(result) + 1:06d}",
            youth=youth,
            clause=clause,
            positioned=positioned_k,
            agreement=agreement,
            start=start,
            planned_end=planned_end,
            real_end=real_end,
            hours_planned=hours,
            hours_done=done,
            status=status,
            interruption=reason,
        )
        if real_end is not None:
            youth.exit = real_end + timedelta(days=rng.randint(0, 10))
            youth.exit_situation = _weighted(rng, OUTCOMES_CSF)
            if youth.exit > AS_OF:
                youth.exit = youth.exit_situation = None
        result.append(parcours)
    return result


HORIZONS = (("sortie", 0), ("3_mois", 3), ("6_mois", 6), ("12_mois", 12))


def _draw_follow_ups(
    rng: random.Random, youth: Youth, parcours: Parcours | None, outcome: str | None = None
) -> list[FollowUp]:
    """Observations at exit, 3, 6 and 12 months after the end, for horizons already reached.

    The situation at exit is ``outcome``, else the youth's exit situation, else drawn."""
    end = parcours.real_end if parcours else youth.exit
    if end is None:
        return []
    outcomes = OUTCOMES_CSF if parcours else OUTCOMES_COMPARISON
    situation = outcome or youth.exit_situation or _weighted(rng, outcomes)
    result = []
    for horizon, months in HORIZONS:
        observed = add_months(end, months) + timedelta(days=rng.randint(0, 20))
        if observed > AS_OF:
            break
        if months and rng.random() < 0.1:  # not reached this time: no row at all
            continue
        if months and rng.random() < 0.35:  # situations change over time
            situation = _weighted(rng, outcomes)
        result.append(FollowUp(youth, parcours, observed, horizon, situation))
    return result


# --------------------------------------------------------------------------------------------
# Edge cases of the indicator rules (Scale.repeat_youths and the knobs after it)

# Whole years at MLDS entry the ingestion accepts (pipelines/ingest/plausibility.py).
AGE_ENTRY_MAX = 25
# Between the end of a youth's parcours and the positioning of the next one: the later episode's
# entry (at most 120 days before positioning) then comes after the exit (at most 10 days after
# the end).
REPEAT_GAP = timedelta(days=140)


def _age(birth: date, day: date) -> int:
    """Whole years completed on ``day``, as the ingestion counts the age at entry."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _end_recently(rng: random.Random, world: World, share: float) -> None:
    """Some running parcours end in the four weeks before AS_OF instead, « terminé »."""
    for p in world.parcours:
        if p.status != "en_cours" or rng.random() >= share:
            continue
        end = AS_OF - timedelta(days=rng.randint(0, 27))
        if p.start is None or end < p.start + timedelta(days=7):
            continue
        p.status, p.planned_end, p.real_end, p.hours_done = "termine", end, end, p.hours_planned
        youth = p.youth
        youth.exit = end + timedelta(days=rng.randint(0, 10))
        youth.exit_situation = _weighted(rng, OUTCOMES_CSF)
        if youth.exit > AS_OF:
            youth.exit = youth.exit_situation = None


def _repeat_youths(rng: random.Random, world: World, share: float, moving: float) -> None:
    """Give about ``share`` of the parcours to a youth whose earlier parcours had ended."""
    ended = sorted(
        (p for p in world.parcours if p.real_end is not None and p.youth.exit is not None),
        key=lambda p: p.real_end or AS_OF,
    )
    ends = [p.real_end or AS_OF for p in ended]
    paired: set[int] = set()  # youths (episodes) already given or taken a parcours
    for later in world.parcours:
        if id(later.youth) in paired or rng.random() >= share:
            continue
        first, second = None, later.youth
        reachable = bisect.bisect_right(ends, later.positioned - REPEAT_GAP)
        for _ in range(min(reachable, 20)):  # a few tries among the parcours ended early enough
            candidate = ended[rng.randrange(reachable)]
            if id(candidate.youth) not in paired and (
                _age(candidate.youth.birth, second.entry) <= AGE_ENTRY_MAX
            ):
                first, earlier = candidate.youth, candidate
                break
        if first is None:
            continue
        paired |= {id(first), id(second)}
        earlier.followed_by = later
        others = [a for a in world.academies if a != first.academie]
        if moving and others and rng.random() < moving:
            elsewhere = later.clause.academie
            _reenter(rng, world, first, second, elsewhere if elsewhere in others else None)
        elif rng.random() < 0.5:  # one episode for both parcours: its exit is the later one's
            earlier.outcome = first.exit_situation
            first.exit, first.exit_situation = second.exit, second.exit_situation
            later.youth = first
            world.youths = [y for y in world.youths if y is not second]
        else:  # back to the MLDS of the same académie: a second episode in the same export
            _reenter(rng, world, first, second, first.academie)


def _reenter(
    rng: random.Random, world: World, first: Youth, second: Youth, academie: str | None
) -> None:
    """``second``, a later episode, becomes ``first``'s re-entry into the MLDS of ``academie``
    (None: another académie than ``first``'s, drawn)."""
    second.ine, second.last_name, second.first_name = first.ine, first.last_name, first.first_name
    second.birth, second.sex, second.phone = first.birth, first.sex, first.phone
    if academie is None:
        academie = rng.choice([a for a in world.academies if a != first.academie])
    if academie != second.academie:
        second.academie = academie
        second.departement = rng.choice(world.academies[academie][1])
        second.uai = uai(rng, second.departement)
    if first.exit is not None:  # spotted again once out of the first episode
        second.spotted = max(second.spotted, first.exit)


def _move_after_parcours(rng: random.Random, world: World, share: float) -> None:
    """About ``share`` of the youths out of the MLDS after their only parcours re-enter it in
    another académie, in an episode with no parcours."""
    if len(world.academies) < 2:
        return
    paired = {p.youth.ine for p in world.parcours if p.followed_by is not None}
    moved: set[int] = set()
    for p in list(world.parcours):
        youth = p.youth
        if youth.exit is None or youth.ine in paired or id(youth) in moved:
            continue
        if rng.random() >= share:
            continue
        moved.add(id(youth))
        entry = youth.exit + timedelta(days=rng.randint(30, 400))
        if entry > AS_OF - timedelta(days=20) or _age(youth.birth, entry) > AGE_ENTRY_MAX:
            continue
        action = rng.choice(["module_remobilisation", "preparation_diplome", "autre"])
        again = _draw_youth(rng, world.academies, youth.academie, entry, action)
        _reenter(rng, world, youth, again, None)
        stay = timedelta(days=rng.randint(60, 300))
        if entry + stay <= AS_OF:
            again.exit = entry + stay
            again.exit_situation = _weighted(rng, OUTCOMES_COMPARISON)
        world.youths.append(again)


def _drop_parcours_ids(rng: random.Random, world: World, share: float) -> None:
    """About ``share`` of the CSF follow-ups cite no parcours; some are dated out of window."""

    # The exports' unique key is the INE, the parcours, the horizon and the date: at most one
    # follow-up without a parcours per export (the youth's académie), youth, horizon and date.
    def key(f: FollowUp) -> tuple:
        return f.youth.academie, f.youth.ine, f.horizon, f.observed

    taken = {key(f) for f in world.follow_ups if not f.parcours}
    months = dict(HORIZONS)
    for f in world.follow_ups:
        p = f.parcours
        if p is None or p.real_end is None:
            continue
        later = p.followed_by
        after_later = later is not None and later.start is not None and f.observed >= later.start
        if not after_later and rng.random() >= share:
            continue
        observed = f.observed
        if not after_later and rng.random() < 0.25:  # past its horizon's window
            late = add_months(p.real_end, months[f.horizon] + 3)
            late += timedelta(days=rng.randint(1, 90))
            observed = late if late <= AS_OF else observed
        if key(replace(f, observed=observed)) in taken:
            continue
        f.observed, f.cites_parcours = observed, False
        taken.add(key(f))


# --------------------------------------------------------------------------------------------
# Waiting and matching dynamics (Scale.waiting_youths, Scale.unfilled_offers)

WAITING_STAY = 300  # mean days in the MLDS of a youth who waits for a parcours that never comes
# Youths oriented to a CSF parcours, per CSF youth, by the académie's pressure; and the share of
# Scale.unfilled_offers applied there.
PRESSURES = {"manque_offres": (3.0, 0.0), "equilibre": (1.0, 0.25), "manque_jeunes": (0.25, 1.0)}
NO_ACTION = 0.04  # waiting youths whose export gives no action (« non renseignée »)


def pressures(rng: random.Random, academies: Academies) -> dict[str, str]:
    """Académie → pressure: a third short of offers, a third short of youths, the rest balanced."""
    codes = sorted(academies)
    rng.shuffle(codes)
    third = round(len(codes) / 3)
    return {
        code: "manque_offres" if i < third else "manque_jeunes" if i < 2 * third else "equilibre"
        for i, code in enumerate(codes)
    }


def _match_offers_and_youths(rng: random.Random, world: World, scale: Scale) -> None:
    """Withdraw the youths of some activated clauses, then add youths who wait in vain."""
    pressure = pressures(rng, world.academies)
    if scale.unfilled_offers:
        _leave_offers_unfilled(rng, world, pressure, scale.unfilled_offers)
    for p in world.parcours:  # a positioning that came to nothing: the youth leaves in time
        youth = p.youth
        if p.status == "non_commence" and youth.exit is None and rng.random() < 0.9:
            youth.exit = p.positioned + timedelta(days=rng.randint(30, 180))
            youth.exit_situation = _weighted(rng, OUTCOMES_COMPARISON)
            if youth.exit > AS_OF:
                youth.exit = youth.exit_situation = None
    if not scale.waiting_youths:
        return
    csf_youths = Counter(p.clause.academie for p in world.parcours)
    first = date(scale.first_year, 9, 1)
    for academie in world.academies:  # in the académies' order: the draw is reproducible
        factor = PRESSURES[pressure[academie]][0]
        for _ in range(round(scale.waiting_youths * factor * csf_youths.get(academie, 0))):
            entry = scale_date(rng, first, AS_OF)
            action = None if rng.random() < NO_ACTION else "parcours_csf"
            youth = _draw_youth(rng, world.academies, academie, entry, "parcours_csf")
            youth.action = action
            exit_ = entry + timedelta(days=max(1, round(rng.expovariate(1 / WAITING_STAY))))
            if exit_ <= AS_OF:
                youth.exit, youth.exit_situation = exit_, _weighted(rng, OUTCOMES_COMPARISON)
            world.youths.append(youth)
            world.follow_ups.extend(_draw_follow_ups(rng, youth, None))


def _leave_offers_unfilled(
    rng: random.Random, world: World, pressure: dict[str, str], share: float
) -> None:
    """Withdraw every parcours (with its youth and follow-ups) of some activated clauses."""
    # Youths with two parcours or two episodes (Scale.repeat_youths, Scale.moving_youths) keep
    # them: withdrawing one would leave the other half drawn.
    hosts = Counter(id(p.youth) for p in world.parcours)
    episodes = Counter(y.ine for y in world.youths)
    followed = {id(p.followed_by) for p in world.parcours if p.followed_by is not None}
    by_clause: dict[str, list[Parcours]] = {}
    for p in world.parcours:
        by_clause.setdefault(p.clause.id_clause, []).append(p)
    withdrawn: set[int] = set()
    for clause in world.clauses:
        drawn = by_clause.get(clause.id_clause)
        if not drawn or rng.random() >= share * PRESSURES[pressure[clause.academie]][1]:
            continue
        shared = (hosts[id(p.youth)] > 1 or episodes[p.youth.ine] > 1 for p in drawn)
        if any(shared) or any(p.followed_by or id(p) in followed for p in drawn):
            continue
        withdrawn |= {id(p.youth) for p in drawn}
    world.parcours = [p for p in world.parcours if id(p.youth) not in withdrawn]
    world.youths = [y for y in world.youths if id(y) not in withdrawn]
    world.follow_ups = [f for f in world.follow_ups if id(f.youth) not in withdrawn]
