"""Edge cases of the indicators, end to end (issue 21: « the repro cases are tests and pass »).

Each case an independent check found wrong is rebuilt here as a small hand-crafted inbox, run
through the real ``csf run``, and checked on the figures of ``marts.indicateurs`` in the build
warehouse (with ``marts.fct_parcours`` and ``intermediate.int_suivis__rattachement`` to say why).
The rules are those of docs/methodologie.md (« Date d'observation », « Unité de compte »,
« Rattachement d'un suivi à un parcours », the youth indicators and the activation delay):

1. The observation date is a hard cut-off (``CSF_OBSERVATION_DATE`` the day before, on and after
   the events, one ``csf run`` each): a follow-up dated after it gives no situation at its
   horizon; a parcours exported « terminé » whose real end is after it is still in progress
   (out of ``taux_achevement``); a parcours starting after it is not counted (``nb_parcours``);
   a clause notified after it does not exist yet (``nb_clauses_csf``).
2. A follow-up without a parcours id describes the youth's parcours ended most recently at its
   date, only within the window of its horizon (end .. end + h + 3 months): a 2023 follow-up is
   never the 6-month situation of a 2025 parcours; one outside every window is
   ``suivi_hors_fenetre``.
3. A youth with several parcours: each parcours counts in its own cohort (year of start) for
   ``nb_parcours`` and the outcome rates; ``nb_jeunes_csf`` counts the youth once, in the year of
   their first parcours.
4. The same INE in two académies' youth files: each parcours belongs to the episode containing
   it, so the earlier parcours stays in the first académie and the later one is in the second.
5. Every écart is exactly the gap between the two rates published beside it (the compared CSF
   parcours' rate and the standardised comparison rate), and its numerator is the number of
   compared parcours (demo warehouse).
6. Kaplan–Meier landing exactly on ½ and ¾ (8 clauses notified the same day, 4 activated on 4
   distinct days): the median is the 4th activation day, the first quartile the 2nd.
7. A youth who moved from académie 14 to académie 15, whose parcours and follow-ups are each in
   the files of the académie of their episode (docs/ingestion.md « Replacement »): each file is
   placed in its own académie, not both in one by a tie, so neither replaces the other and both
   parcours count; a corrected export of académie 15's parcours, saved later, replaces académie
   15's file only.

Cases 2, 3, 4 and 6 share one inbox (distinct youths, académies and clauses per case, so that
each case is read in its own cells); case 1 runs one inbox three times; case 7 runs its own inbox
twice in one home (before and after the corrected export arrives).
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.conftest import csf
from tests.test_orphans import (
    FOLLOW_UPS_HEADER,
    PARCOURS_HEADER,
    REGISTER_HEADER,
    SYNTHETIC,
    YOUTHS_HEADER,
    _clause,
    _write,
)

pytestmark = pytest.mark.slow

# A département of each académie used (the youth files carry both).
DEPARTEMENTS = {"13": "17", "14": "35", "15": "67", "16": "31", "17": "44"}


def _fr(day: date | None) -> str:
    """A date as the MLDS exports write it (empty when unknown)."""
    return day.strftime("%d/%m/%Y") if day else ""


def _ine(group: int, n: int) -> str:
    return f"{group}{n:09d}X"


def _youth(
    ine: str, academie: str, entree: date, sortie: date | None = None, situation: str = ""
) -> list[str]:
    """A youth file row: one MLDS episode (entry, and exit when given) in ``academie``."""
    return [
        ine,
        "12/03/2007",
        "F",
        academie,
        DEPARTEMENTS[academie],
        "Terminale",
        _fr(entree),
        "psad",
        _fr(entree),
        "parcours_csf",
        _fr(sortie),
        situation,
        SYNTHETIC,
    ]


def _parcours(
    parcours_id: str,
    ine: str,
    clause: str,
    debut: date,
    fin: date | None = None,
    statut: str = "termine",
) -> list[str]:
    """A parcours file row: positioned 20 days and signed 10 days before it starts; ``fin`` is
    the real end (none while in progress)."""
    return [
        parcours_id,
        ine,
        clause,
        "72361418617915",
        _fr(debut - timedelta(days=20)),
        _fr(debut - timedelta(days=10)),
        _fr(debut),
        _fr(fin or debut + timedelta(days=120)),
        _fr(fin),
        "300",
        "300" if fin else "",
        statut,
        "",
        SYNTHETIC,
    ]


def _follow_up(ine: str, parcours_id: str, day: date, horizon: str, situation: str) -> list[str]:
    return [ine, parcours_id, _fr(day), horizon, situation, SYNTHETIC]


def _write_inbox(
    inbox: Path,
    clauses: list[list[str]],
    youths: list[list[str]],
    parcours: list[list[str]],
    follow_ups: list[list[str]],
) -> None:
    """One youth file per académie (as the MLDS sends them); parcours and follow-ups in one
    file each (a file is placed in the académie most of its youths belong to)."""
    inbox.mkdir(parents=True)
    _write(inbox / "registre_clauses_csf.csv", REGISTER_HEADER, clauses, "cp1252")
    for academie in sorted({row[3] for row in youths}):
        rows = [row for row in youths if row[3] == academie]
        _write(inbox / f"mlds_{academie}_jeunes.csv", YOUTHS_HEADER, rows)
    _write(inbox / "mlds_17_parcours.csv", PARCOURS_HEADER, parcours)
    _write(inbox / "mlds_17_suivis.csv", FOLLOW_UPS_HEADER, follow_ups)


def _run(home: Path, inbox: Path, env: dict[str, str] | None = None) -> Path:
    result = csf(home, "run", "--inbox", str(inbox), env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return home


def _build(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse" / "build.duckdb"), read_only=True)


def _cells(home: Path, indicateur: str, niveau: str, code: str) -> dict[str, tuple]:
    """Period → (numerator, denominator) of one indicator in one cell; a cell no unit falls in
    has no row (read it as (0, 0))."""
    with _build(home) as con:
        rows = con.execute(
            "select periode, numerateur, denominateur from marts.indicateurs "
            "where indicateur = ? and niveau = ? and code_niveau = ?",
            [indicateur, niveau, code],
        ).fetchall()
    return {periode: (num, den) for periode, num, den in rows}


def _cell(home: Path, indicateur: str, niveau: str, code: str, periode: str) -> tuple:
    return _cells(home, indicateur, niveau, code).get(periode, (0, 0))


def _counts(home: Path, indicateur: str, niveau: str, code: str) -> dict[str, int]:
    """Period → count (the numerator; a count has no denominator) of one cell."""
    return {p: num for p, (num, _) in _cells(home, indicateur, niveau, code).items()}


def _count(home: Path, indicateur: str, niveau: str, code: str, periode: str) -> int:
    return _counts(home, indicateur, niveau, code).get(periode, 0)


def _parcours_facts(home: Path) -> dict[str, dict]:
    """``marts.fct_parcours`` by parcours id, each row as a dict."""
    with _build(home) as con:
        cursor = con.execute("select * from marts.fct_parcours")
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


# ---------------------------------------------------------------------------------------------
# One inbox, several independent cases (2, 3, 4 and 6).

# Case 6: 8 clauses notified the same day (académie 17 in the register); 4 activated on 4
# distinct days. The Kaplan–Meier curve falls to 7/8, 6/8 (¾), 5/8, 4/8 (½), exactly, while the
# 4 others stay censored at the observation date.
KM_NOTIFICATION = date(2023, 1, 16)
KM_DAYS = (10, 25, 40, 70)
KM_CLAUSES = [f"CSF-K-{i}" for i in range(1, 9)]
KM_YOUTHS = [_ine(1, i) for i in range(1, 5)]
KM_PARCOURS = [
    _parcours(
        f"PK{i}",
        KM_YOUTHS[i - 1],
        KM_CLAUSES[i - 1],
        KM_NOTIFICATION + timedelta(days=days),
        KM_NOTIFICATION + timedelta(days=days + 30),
    )
    for i, days in enumerate(KM_DAYS, 1)
]
# The other cases' parcours start after CSF-K-1's activation day: its first start is unchanged.
CLAUSE = KM_CLAUSES[0]

# Case 2 (académie 13): one youth, a parcours ended in 2023 and one from 2025 to January 2026;
# follow-ups that name no parcours.
Y2 = _ine(2, 1)
P2_2023 = ("P2-2023", date(2023, 3, 1), date(2023, 6, 30))
P2_2025 = ("P2-2025", date(2025, 3, 3), date(2026, 1, 30))
# (date, horizon, situation, parcours it describes or None, exclusion rule)
Y2_FOLLOW_UPS = [
    # Before any of the youth's parcours has ended: no window.
    (date(2023, 5, 2), "sortie", "emploi", None, "suivi_hors_fenetre"),
    # The 3-month window of the 2023 parcours closes on its last day (end + 6 months).
    (date(2023, 12, 30), "3_mois", "apprentissage", "P2-2023", None),
    (date(2023, 12, 15), "6_mois", "emploi", "P2-2023", None),
    # After the 6-month window of the 2023 parcours (end + 9 months), before the 2025 one: the
    # 2023 parcours' window is over and it cannot describe the 2025 parcours.
    (date(2024, 6, 14), "6_mois", "sans_solution", None, "suivi_hors_fenetre"),
    # The day after the 12-month window closes (end + 15 months).
    (date(2024, 10, 1), "12_mois", "emploi", None, "suivi_hors_fenetre"),
    # The exit of the 2025 parcours: the parcours ended most recently.
    (date(2026, 2, 10), "sortie", "formation_professionnelle", "P2-2025", None),
    # Two days past the 2025 parcours' 3-month window (end + 6 months: 2026-07-30).
    (date(2026, 8, 1), "3_mois", "emploi", None, "suivi_hors_fenetre"),
]

# Case 3 (académie 16): Y3 has a 2024 and a 2025 parcours, Y3B one 2025 parcours.
Y3, Y3B = _ine(3, 1), _ine(3, 2)
S3_PARCOURS = [
    # (parcours, youth, start, end, exit situation)
    ("P3-2024", Y3, date(2024, 3, 4), date(2024, 6, 28), "emploi"),
    ("P3-2025", Y3, date(2025, 2, 3), date(2025, 5, 30), "sans_solution"),
    ("P3B-2025", Y3B, date(2025, 4, 7), date(2025, 7, 25), "apprentissage"),
]

# Case 4: Y4 is followed by académie 14 (2023-2024), then by académie 15 (from September 2024).
Y4 = _ine(4, 1)
S4_PARCOURS = [
    ("P4-2024", date(2024, 3, 4), date(2024, 5, 31), "14"),
    ("P4-2025", date(2025, 1, 13), date(2025, 4, 11), "15"),
]

SCENARIO_YOUTHS = [
    *(_youth(ine, "17", date(2022, 10, 3)) for ine in KM_YOUTHS),
    _youth(Y2, "13", date(2023, 1, 2)),
    _youth(Y3, "16", date(2023, 10, 2)),
    _youth(Y3B, "16", date(2024, 9, 2)),
    _youth(Y4, "14", date(2023, 10, 2), date(2024, 6, 28), "nouvelle_action_mlds"),
    _youth(Y4, "15", date(2024, 9, 2)),
]
SCENARIO_PARCOURS = [
    *KM_PARCOURS,
    *(_parcours(p, Y2, CLAUSE, debut, fin) for p, debut, fin in (P2_2023, P2_2025)),
    *(_parcours(p, ine, CLAUSE, debut, fin) for p, ine, debut, fin, _ in S3_PARCOURS),
    *(_parcours(p, Y4, CLAUSE, debut, fin) for p, debut, fin, _ in S4_PARCOURS),
]
# The latest event, hence the observation date: P2-2025's 6-month horizon has elapsed.
OBSERVATION_A = date(2026, 8, 3)
SCENARIO_FOLLOW_UPS = [
    *(_follow_up(Y2, "", day, horizon, situation) for day, horizon, situation, *_ in Y2_FOLLOW_UPS),
    *(
        _follow_up(ine, p, fin + timedelta(days=7), "sortie", s)
        for p, ine, _, fin, s in S3_PARCOURS
    ),
    _follow_up(Y3B, "P3B-2025", OBSERVATION_A, "12_mois", "emploi"),
]


@pytest.fixture(scope="module")
def scenarios_home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cas_limites")
    _write_inbox(
        root / "inbox",
        [_clause(clause_id, _fr(KM_NOTIFICATION)) for clause_id in KM_CLAUSES],
        SCENARIO_YOUTHS,
        SCENARIO_PARCOURS,
        SCENARIO_FOLLOW_UPS,
    )
    return _run(root / "home", root / "inbox")


def test_the_observation_date_is_the_latest_event(scenarios_home):
    with _build(scenarios_home) as con:
        found = con.execute(
            "select observation_date, is_set_by_parameter from intermediate.int_observation_date"
        ).fetchone()
    assert found == (OBSERVATION_A, False)


def test_a_follow_up_without_parcours_is_placed_by_its_horizon_window(scenarios_home):
    facts = _parcours_facts(scenarios_home)
    situations = {
        p: tuple(facts[p][f"situation_{h}"] for h in ("sortie", "3m", "6m", "12m"))
        for p in ("P2-2023", "P2-2025")
    }
    assert situations == {
        # Its exit follow-up predates its end; its 12-month one is a day late.
        "P2-2023": (None, "apprentissage", "emploi", None),
        # The 6-month horizon has elapsed (2026-07-30) without a follow-up: unknown, never the
        # 2023 or 2024 6-month follow-ups. The 12-month horizon has not elapsed.
        "P2-2025": ("formation_professionnelle", None, None, None),
    }
    with _build(scenarios_home) as con:
        placed = con.execute(
            "select observation_date, horizon, parcours_rattache_id, regle_exclusion "
            "from intermediate.int_suivis__rattachement where parcours_id is null"
        ).fetchall()
    assert sorted(placed) == sorted(
        (day, horizon, parcours, rule) for day, horizon, _, parcours, rule in Y2_FOLLOW_UPS
    )


def test_outcome_rates_of_a_youth_use_each_parcours_own_follow_ups(scenarios_home):
    by_year = _cells(scenarios_home, "taux_sortie_positive_6m", "academie", "13")
    assert by_year["2023"] == (1, 1)
    assert by_year["2025"] == (0, 0)  # elapsed, situation unknown: not in the denominator
    assert by_year["ensemble"] == (1, 1)
    lost = _cells(scenarios_home, "taux_perdus_de_vue_6m", "academie", "13")
    assert lost["2023"] == (0, 1)
    assert lost["2025"] == (1, 1)
    exit_rates = _cells(scenarios_home, "taux_sortie_positive_sortie", "academie", "13")
    assert exit_rates["2025"] == (1, 1)
    assert _cell(scenarios_home, "taux_sortie_positive_sortie", "academie", "13", "2023") == (0, 0)


def test_each_parcours_of_a_youth_counts_in_its_own_cohort(scenarios_home):
    def cells(indicateur):
        found = _cells(scenarios_home, indicateur, "academie", "16")
        return {p: found.get(p, (0, 0)) for p in ("2024", "2025", "ensemble")}

    assert _counts(scenarios_home, "nb_parcours", "academie", "16") == {
        "2024": 1,
        "2025": 2,
        "ensemble": 3,
    }
    assert cells("taux_achevement") == {"2024": (1, 1), "2025": (2, 2), "ensemble": (3, 3)}
    # Unit = the parcours: Y3 counts in 2024 (emploi) and in 2025 (sans solution).
    assert cells("taux_sortie_positive_sortie") == {
        "2024": (1, 1),
        "2025": (1, 2),
        "ensemble": (2, 3),
    }
    assert cells("taux_apprentissage_sortie") == {
        "2024": (0, 1),
        "2025": (1, 2),
        "ensemble": (1, 3),
    }


def test_a_youth_counts_once_in_the_year_of_the_first_parcours(scenarios_home):
    # Y3 in 2024 only (their first parcours), Y3B in 2025.
    assert _counts(scenarios_home, "nb_jeunes_csf", "academie", "16") == {
        "2024": 1,
        "2025": 1,
        "ensemble": 2,
    }
    # Nationally, youths add up over the years to the total; parcours outnumber them.
    national = _counts(scenarios_home, "nb_jeunes_csf", "national", "FR")
    years = sum(n for periode, n in national.items() if periode != "ensemble")
    assert years == national["ensemble"] == 4 + 1 + 2 + 1
    parcours = _count(scenarios_home, "nb_parcours", "national", "FR", "ensemble")
    assert parcours == len(SCENARIO_PARCOURS) == 11


def test_a_youth_in_two_academies_keeps_each_parcours_in_its_episode(scenarios_home):
    facts = _parcours_facts(scenarios_home)
    assert {
        p: (facts[p]["code_academie"], facts[p]["annee_entree_mlds"]) for p, *_ in S4_PARCOURS
    } == {"P4-2024": ("14", 2023), "P4-2025": ("15", 2024)}
    first, second = (_counts(scenarios_home, "nb_parcours", "academie", a) for a in ("14", "15"))
    assert first == {"2024": 1, "ensemble": 1}
    assert second == {"2025": 1, "ensemble": 1}
    # The youth entered the device in académie 14.
    assert _count(scenarios_home, "nb_jeunes_csf", "academie", "14", "ensemble") == 1
    assert _count(scenarios_home, "nb_jeunes_csf", "academie", "15", "ensemble") == 0
    achevement = _cells(scenarios_home, "taux_achevement", "academie", "15")
    assert achevement == {"2025": (1, 1), "ensemble": (1, 1)}


def test_kaplan_meier_quantiles_land_exactly_on_their_level(scenarios_home):
    with _build(scenarios_home) as con:
        rows = {
            indicateur: rest
            for indicateur, *rest in con.execute(
                "select indicateur, numerateur, denominateur, valeur from marts.indicateurs "
                "where indicateur like 'delai_activation_jours%' and niveau = 'national' "
                "and periode = 'ensemble'"
            ).fetchall()
        }
    # 4 activated of 8 followed; S = ½ on the 4th activation day, ¾ on the 2nd, never ¼.
    assert rows == {
        "delai_activation_jours": [4, 8, KM_DAYS[3]],
        "delai_activation_jours_q1": [4, 8, KM_DAYS[1]],
        "delai_activation_jours_q3": [4, 8, None],
    }


# ---------------------------------------------------------------------------------------------
# Case 1: one inbox, the observation date the day before, on and after its events.

EVENT = date(2025, 3, 10)
OBSERVATION_DATES = {
    "veille": EVENT - timedelta(days=1),
    "jour": EVENT,
    "apres": date(2025, 4, 10),
}
YA, YB, YC = _ine(5, 1), _ine(5, 2), _ine(5, 3)
OBSERVATION_INBOX = {
    "clauses": [
        _clause("CSF-O-1", "15/01/2024"),
        _clause("CSF-O-2", _fr(EVENT)),  # notified on the event day
    ],
    "youths": [
        _youth(YA, "13", date(2023, 10, 2)),
        _youth(YB, "14", date(2023, 10, 2)),
        _youth(YC, "16", date(2023, 10, 2)),
    ],
    "parcours": [
        # Exported « terminé », really ended on the event day (académie 13).
        _parcours("PA", YA, "CSF-O-1", date(2024, 9, 2), EVENT),
        # Starts on the event day, in progress (académie 14).
        _parcours("PB", YB, "CSF-O-1", EVENT, None, "en_cours"),
        # Ended before; its exit follow-up is dated the event day (académie 16).
        _parcours("PC", YC, "CSF-O-1", date(2024, 11, 4), date(2025, 2, 28)),
    ],
    "follow_ups": [_follow_up(YC, "PC", EVENT, "sortie", "emploi")],
}


@pytest.fixture(scope="module")
def observation_inbox(tmp_path_factory) -> Path:
    inbox = tmp_path_factory.mktemp("observation") / "inbox"
    _write_inbox(inbox, *OBSERVATION_INBOX.values())
    return inbox


@pytest.fixture(scope="module", params=list(OBSERVATION_DATES))
def observed(request, observation_inbox, tmp_path_factory) -> tuple[str, Path]:
    """(when, CSF_HOME) after a run with CSF_OBSERVATION_DATE set to that date."""
    when = request.param
    home = tmp_path_factory.mktemp(f"observation_{when}") / "home"
    env = {"CSF_OBSERVATION_DATE": OBSERVATION_DATES[when].isoformat()}
    return when, _run(home, observation_inbox, env)


def test_the_observation_date_is_the_one_set(observed):
    when, home = observed
    with _build(home) as con:
        found = con.execute(
            "select observation_date, is_set_by_parameter from intermediate.int_observation_date"
        ).fetchone()
    assert found == (OBSERVATION_DATES[when], True)


def test_a_clause_notified_after_the_observation_date_does_not_exist_yet(observed):
    when, home = observed
    happened = when != "veille"
    assert _count(home, "nb_clauses_csf", "national", "FR", "ensemble") == 1 + happened
    assert _count(home, "nb_clauses_csf", "national", "FR", "2025") == int(happened)


def test_a_parcours_starting_after_the_observation_date_is_not_counted(observed):
    when, home = observed
    happened = when != "veille"
    assert _count(home, "nb_parcours", "academie", "14", "ensemble") == int(happened)
    assert _count(home, "nb_parcours", "national", "FR", "ensemble") == 2 + happened
    assert _count(home, "nb_jeunes_csf", "national", "FR", "ensemble") == 2 + happened
    assert ("PB" in _parcours_facts(home)) is happened


def test_a_parcours_ending_after_the_observation_date_is_in_progress(observed):
    when, home = observed
    happened = when != "veille"
    assert _parcours_facts(home)["PA"]["statut"] == ("termine" if happened else "en_cours")
    expected = (1, 1) if happened else (0, 0)
    assert _cell(home, "taux_achevement", "academie", "13", "ensemble") == expected
    assert _cell(home, "taux_achevement", "national", "FR", "ensemble") == (1 + happened,) * 2


def test_a_follow_up_dated_after_the_observation_date_is_not_used(observed):
    when, home = observed
    happened = when != "veille"
    assert _parcours_facts(home)["PC"]["situation_sortie"] == ("emploi" if happened else None)
    # The exit horizon has elapsed in every run: before the follow-up, the situation is unknown.
    positive = _cell(home, "taux_sortie_positive_sortie", "academie", "16", "ensemble")
    lost = _cell(home, "taux_perdus_de_vue_sortie", "academie", "16", "ensemble")
    assert (positive, lost) == (((1, 1), (0, 1)) if happened else ((0, 0), (1, 1)))
    with _build(home) as con:
        follow_up = con.execute(
            "select parcours_rattache_id, regle_exclusion, is_utilisable "
            "from intermediate.int_suivis__rattachement"
        ).fetchall()
    # Nothing is wrong with it: not excluded, just not happened yet.
    assert follow_up == [("PC", None, happened)]


# ---------------------------------------------------------------------------------------------
# Case 5: the écart and the two rates printed beside it.


def test_every_ecart_is_the_gap_between_the_rates_beside_it(demo_home):
    with _build(demo_home) as con:
        rows = con.execute(
            "select indicateur, periode, niveau, code_niveau, numerateur, denominateur, valeur "
            "from marts.indicateurs where indicateur like 'ecart_%' "
            "or indicateur like '%_csf_compares' or indicateur like '%_comparaison'"
        ).fetchall()
    cells = {(i, p, n, c): (num, den, v) for i, p, n, c, num, den, v in rows}
    ecarts = [key for key in cells if key[0].startswith("ecart_")]
    assert ecarts
    checked = 0
    for key in ecarts:
        rate, cell = key[0].removeprefix("ecart_"), key[1:]
        num, den, gap = cells[key]
        _, csf_den, csf_rate = cells[(f"{rate}_csf_compares", *cell)]
        _, comparison_den, comparison_rate = cells[(f"{rate}_comparaison", *cell)]
        assert num == csf_den, key
        assert den == comparison_den, key
        if gap is None:
            assert csf_rate is None or comparison_rate is None, key
            continue
        assert gap == pytest.approx(csf_rate - comparison_rate, abs=1e-12), key
        checked += 1
    assert checked > 0


# ---------------------------------------------------------------------------------------------
# Case 7: a youth who moved, and each académie's parcours and follow-up files.

YM = _ine(7, 1)
MOVER_CLAUSE = "CSF-M-1"
# Académie → the youth's MLDS episode there (entry, exit).
MOVER_EPISODES = {
    "14": (date(2023, 10, 1), date(2024, 8, 31)),
    "15": (date(2024, 10, 1), None),
}
# Académie → (parcours, start, real end, exit situation): the only parcours of that académie's
# parcours file, within its episode; that académie's follow-up file holds its exit follow-up.
MOVER_PARCOURS = {
    "14": ("PM-2024", date(2024, 2, 5), date(2024, 5, 31), "emploi"),
    "15": ("PM-2025", date(2025, 1, 13), date(2025, 4, 11), "apprentissage"),
}
# A corrected export of académie 15's parcours (the hours realised by PM-2025 corrected).
CORRECTED_PARCOURS = "mlds_15_parcours_v2.csv"
CORRECTED_HOURS = 280


def _mover_parcours(academie: str) -> list[str]:
    parcours_id, debut, fin, _ = MOVER_PARCOURS[academie]
    return _parcours(parcours_id, YM, MOVER_CLAUSE, debut, fin)


@pytest.fixture(scope="module")
def mover_homes(tmp_path_factory) -> dict[str, Path]:
    """Two states of one CSF_HOME: ``initial``, a copy of the build warehouse after a run on the
    mover's inbox (in the layout the helpers read: ``<home>/warehouse/build.duckdb``), and
    ``corrige``, the home after a second run once the corrected export of académie 15's
    parcours, saved a day later than the other files, joined the inbox."""
    root = tmp_path_factory.mktemp("demenagement")
    inbox, home = root / "inbox", root / "home"
    inbox.mkdir()
    register = [_clause(MOVER_CLAUSE, "15/01/2024")]
    _write(inbox / "registre_clauses_csf.csv", REGISTER_HEADER, register, "cp1252")
    for academie, (parcours_id, _, fin, situation) in MOVER_PARCOURS.items():
        entree, sortie = MOVER_EPISODES[academie]
        youth = _youth(YM, academie, entree, sortie, "nouvelle_action_mlds" if sortie else "")
        parcours = _mover_parcours(academie)
        follow_up = _follow_up(YM, parcours_id, fin + timedelta(days=7), "sortie", situation)
        _write(inbox / f"mlds_{academie}_jeunes.csv", YOUTHS_HEADER, [youth])
        _write(inbox / f"mlds_{academie}_parcours.csv", PARCOURS_HEADER, [parcours])
        _write(inbox / f"mlds_{academie}_suivis.csv", FOLLOW_UPS_HEADER, [follow_up])
    # Saved two days ago, all at the same time: no file is newer than another.
    saved = time.time() - 2 * 86400
    for path in inbox.iterdir():
        os.utime(path, (saved, saved))
    _run(home, inbox)
    initial = root / "initial"
    (initial / "warehouse").mkdir(parents=True)
    shutil.copyfile(home / "warehouse" / "build.duckdb", initial / "warehouse" / "build.duckdb")

    corrected = _mover_parcours("15")
    corrected[PARCOURS_HEADER.index("heures_realisees")] = str(CORRECTED_HOURS)
    _write(inbox / CORRECTED_PARCOURS, PARCOURS_HEADER, [corrected])
    os.utime(inbox / CORRECTED_PARCOURS, (saved + 86400, saved + 86400))
    return {"initial": initial, "corrige": _run(home, inbox)}


def _scopes(home: Path) -> dict[str, tuple]:
    """File name → (scope, current, replaced by) in ``staging.stg_ingest__fichiers``."""
    with _build(home) as con:
        rows = con.execute(
            "select file_name, perimetre, is_courant, remplace_par "
            "from staging.stg_ingest__fichiers"
        ).fetchall()
    return {name: tuple(rest) for name, *rest in rows}


def _replaced(home: Path) -> list[tuple]:
    """(file, replaced by) of every file ``marts.qualite_fichiers`` marks not current."""
    with _build(home) as con:
        return con.execute(
            "select fichier, remplace_par from marts.qualite_fichiers "
            "where not est_courant or remplace_par is not null order by fichier"
        ).fetchall()


def test_a_mover_s_files_are_each_placed_in_the_academie_of_their_episode(mover_homes):
    home = mover_homes["initial"]
    assert _scopes(home) == {
        "registre_clauses_csf.csv": ("registre", True, None),
        **{
            f"mlds_{academie}_{kind}.csv": (f"academie:{academie}", True, None)
            for academie in ("14", "15")
            for kind in ("jeunes", "parcours", "suivis")
        },
    }
    assert _replaced(home) == []


def test_both_parcours_of_a_mover_count_in_their_academie(mover_homes):
    home = mover_homes["initial"]
    facts = _parcours_facts(home)
    assert {p: (f["code_academie"], f["situation_sortie"]) for p, f in facts.items()} == {
        parcours_id: (academie, situation)
        for academie, (parcours_id, *_, situation) in MOVER_PARCOURS.items()
    }
    assert _count(home, "nb_parcours", "national", "FR", "ensemble") == 2
    for academie, (_, debut, *_) in MOVER_PARCOURS.items():
        counts = _counts(home, "nb_parcours", "academie", academie)
        assert counts == {str(debut.year): 1, "ensemble": 1}, academie


def test_a_corrected_export_replaces_only_its_own_academie_s_file(mover_homes):
    home = mover_homes["corrige"]
    scopes = _scopes(home)
    assert {
        name: scopes[name]
        for name in ("mlds_14_parcours.csv", "mlds_15_parcours.csv", CORRECTED_PARCOURS)
    } == {
        "mlds_14_parcours.csv": ("academie:14", True, None),
        "mlds_15_parcours.csv": ("academie:15", False, CORRECTED_PARCOURS),
        CORRECTED_PARCOURS: ("academie:15", True, None),
    }
    assert _replaced(home) == [("mlds_15_parcours.csv", CORRECTED_PARCOURS)]
    facts = _parcours_facts(home)
    assert {p: (f["code_academie"], f["heures_realisees"]) for p, f in facts.items()} == {
        "PM-2024": ("14", 300),
        "PM-2025": ("15", CORRECTED_HOURS),
    }
    assert _count(home, "nb_parcours", "national", "FR", "ensemble") == 2
