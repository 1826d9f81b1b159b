import csv
import json
import random
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.csv_reader import read_csv_export
from pipelines.ingest.inbox import detect_source
from pipelines.ingest.reference import SEEDS
from pipelines.ingest.sources import CSV_SOURCES
from pipelines.sample import DEFAULT_SEED, generate, writers
from pipelines.sample.world import (
    AS_OF,
    HORIZONS,
    SCALES,
    add_months,
    draw_world,
    national_times,
    pressures,
)
from tests.conftest import csf, status

COMMITTED = Path(__file__).resolve().parent.parent / "data" / "sample"


def test_generator_reproduces_the_committed_sample_byte_for_byte(tmp_path):
    generate(tmp_path, "demo", DEFAULT_SEED)
    produced = sorted(p.name for p in tmp_path.iterdir())
    assert produced == sorted(p.name for p in COMMITTED.iterdir())
    for name in produced:
        assert (tmp_path / name).read_bytes() == (COMMITTED / name).read_bytes(), name


def test_another_seed_gives_other_data(tmp_path):
    generate(tmp_path, "demo", DEFAULT_SEED + 1)
    assert (tmp_path / "registre_clauses_csf.csv").read_bytes() != (
        COMMITTED / "registre_clauses_csf.csv"
    ).read_bytes()


def test_a_factor_scales_every_national_volume_and_one_is_the_national_scale():
    assert national_times(1) == SCALES["national"]
    tenth, triple = national_times(0.1), national_times(3)
    for volume in ("clauses", "other_contracts", "bulk_decp"):
        national = getattr(SCALES["national"], volume)
        assert getattr(tenth, volume) == round(national / 10), volume
        assert getattr(triple, volume) == 3 * national, volume
    assert triple.establishments_per_academie == 9


def test_csf_sample_takes_a_factor_and_refuses_one_out_of_bounds_by_name(tmp_path):
    done = csf(tmp_path / "home", "sample", "--scale", "0,01", "--out", str(tmp_path / "s"))
    assert done.returncode == 0, done.stderr
    register = (tmp_path / "s" / "registre_clauses_csf.csv").read_bytes()
    # 50 clauses (5,000 x 0.01), one row each, some duplicated or broken on purpose (~1 %).
    assert 50 <= len(register.splitlines()) - 1 <= 55
    bulk = json.loads((tmp_path / "s" / "decp_national_v2.json").read_bytes())
    assert len(bulk["marches"]["marche"]) == 15_000  # 1.5 M x 0.01
    for bad, says in (("12", "hors bornes"), ("0", "hors bornes"), ("nan", "échelle inconnue")):
        refused = csf(tmp_path / "home", "sample", "--scale", bad, "--out", str(tmp_path / bad))
        assert refused.returncode != 0 and says in refused.stderr, (bad, refused.stderr)
        assert not (tmp_path / bad).exists()


EDGE_CASES = {
    "repeat_youths": 0.5,
    "moving_youths": 0.5,
    "follow_ups_without_parcours": 0.5,
    "recent_ends": 0.5,
}


def test_edge_case_knobs_draw_every_case_of_the_indicator_rules():
    world = draw_world(DEFAULT_SEED, replace(SCALES["demo"], clauses=200, **EDGE_CASES))
    # Several parcours for one youth: in one episode, or in two (two jeunes rows, same INE).
    assert 2 in Counter(id(p.youth) for p in world.parcours).values()
    episodes = defaultdict(list)
    for youth in world.youths:
        episodes[youth.ine].append(youth)
    repeated = {p.youth.ine for p in world.parcours if p.followed_by is not None}
    assert any(len({id(e) for e in episodes[ine]}) == 2 for ine in repeated)
    moved = [e for e in episodes.values() if len({y.academie for y in e}) > 1]
    assert moved
    # The episodes of one youth: the same person, one after the other, aged 14 to 25 at entry.
    for youths in episodes.values():
        youths.sort(key=lambda y: y.entry)
        assert len({(y.last_name, y.first_name, y.birth, y.sex) for y in youths}) == 1
        for before, after in pairwise(youths):
            assert before.exit is not None and before.exit < after.entry
        for y in youths:
            birthday_to_come = (y.entry.month, y.entry.day) < (y.birth.month, y.birth.day)
            age = y.entry.year - y.birth.year - birthday_to_come
            assert 14 <= age <= 25
            assert y.spotted <= y.entry and (y.exit is None or y.entry <= y.exit <= AS_OF)
    # Each parcours belongs to the episode it starts in.
    for p in world.parcours:
        if p.start is not None:
            entered = [y for y in episodes[p.youth.ine] if y.entry <= p.start]
            assert entered[-1] is p.youth
    # Follow-ups without a parcours: out of their horizon's window, or after the next parcours.
    months = dict(HORIZONS)
    uncited = [f for f in world.follow_ups if f.parcours and not f.cites_parcours]
    assert any(f.observed > add_months(f.parcours.real_end, months[f.horizon] + 3) for f in uncited)
    assert any(
        f.parcours.followed_by and f.observed >= f.parcours.followed_by.start for f in uncited
    )
    assert all(f.observed <= AS_OF for f in world.follow_ups)
    # « Terminé » in the last weeks before AS_OF.
    assert any(
        p.status == "termine" and p.real_end > AS_OF - timedelta(days=28) for p in world.parcours
    )


def test_edge_cases_load_clean_and_leave_the_other_exports_unchanged(tmp_path, monkeypatch):
    scale = replace(SCALES["demo"], clauses=200, other_contracts=10)
    generate(tmp_path / "usual", scale, DEFAULT_SEED)
    edges = tmp_path / "edges"
    generate(edges, replace(scale, **EDGE_CASES), DEFAULT_SEED)
    # Drawn apart from the rest of the world: the register and the DECP are the same.
    for path in [*edges.glob("decp_*.json"), edges / "registre_clauses_csf.csv"]:
        assert path.read_bytes() == (tmp_path / "usual" / path.name).read_bytes(), path.name
    # Without the deliberate dirty rows, no row is quarantined (no doublon, no plausibility rule).
    monkeypatch.setattr(writers.Table, "dirty", lambda self, rate, faults: None)
    clean = tmp_path / "clean"
    generate(clean, replace(scale, **EDGE_CASES), DEFAULT_SEED)
    for path in sorted(clean.glob("mlds_*.csv")):
        data = path.read_bytes()
        source = CSV_SOURCES[detect_source(data[:65536])]
        quarantine = read_csv_export(data, source, b"k" * 32, AS_OF).quarantine
        assert quarantine["rule"].to_list() == [], path.name


def test_matching_dynamics_draw_territories_short_of_offers_and_of_youths():
    # The demo's waiting and matching dynamics, drawn after the rest of the world.
    scale = SCALES["demo"]
    assert scale.matching()
    world = draw_world(DEFAULT_SEED, scale)
    core = draw_world(DEFAULT_SEED, replace(scale, waiting_youths=0, unfilled_offers=0))
    pressure = pressures(random.Random(f"{DEFAULT_SEED}-attente"), world.academies)
    assert set(pressure.values()) == {"manque_offres", "equilibre", "manque_jeunes"}
    # The register is the same; the parcours kept are the core's, unchanged.
    assert [c.id_clause for c in world.clauses] == [c.id_clause for c in core.clauses]
    kept = {p.id_parcours: p for p in core.parcours}
    assert all(kept[p.id_parcours].positioned == p.positioned for p in world.parcours)
    # Where youths are short, some activated clauses lost every youth: their offers go unfilled.
    hosting = {p.clause.id_clause for p in world.parcours}
    lost = {p.clause.id_clause for p in core.parcours} - hosting
    academie_of = {c.id_clause: c.academie for c in world.clauses}
    assert lost and all(pressure[academie_of[c]] != "manque_offres" for c in lost)
    assert any(pressure[academie_of[c]] == "manque_jeunes" for c in lost)
    # Youths oriented to a CSF parcours (a few with no action written) who never get one: some
    # still waiting on the observation date, the others out of the MLDS without a parcours.
    hosted = {id(p.youth) for p in world.parcours}
    oriented = ("parcours_csf", None)
    waiting = [y for y in world.youths if id(y) not in hosted and y.action in oriented]
    assert any(y.action is None for y in waiting)
    assert any(y.exit is None for y in waiting) and any(y.exit is not None for y in waiting)
    assert all(y.exit is None or y.entry < y.exit <= AS_OF for y in waiting)

    def per_parcours(kind: str) -> float:
        codes = {a for a, k in pressure.items() if k == kind}
        n = sum(y.academie in codes for y in waiting)
        return n / max(1, sum(p.clause.academie in codes for p in world.parcours))

    assert per_parcours("manque_offres") > 2 * per_parcours("equilibre")
    assert per_parcours("equilibre") > 2 * per_parcours("manque_jeunes")
    # A positioning that came to nothing: most of those youths have left the MLDS by now (each
    # with probability 0.9; without the dynamics, none).
    stale = [
        p.youth
        for p in world.parcours
        if p.status == "non_commence" and p.positioned < AS_OF - timedelta(days=400)
    ]
    assert stale and sum(y.exit is not None for y in stale) > 0.5 * len(stale)


@pytest.mark.slow
def test_national_scale_world_covers_every_academie_through_the_pipeline(tmp_path, demo_home):
    # The national scale's shape (every académie, its own export style, the bulk DECP file),
    # at a size CI can run; `make bench` draws the full volumes.
    scale = replace(SCALES["national"], clauses=300, other_contracts=300, bulk_decp=4_000)
    inbox = tmp_path / "inbox"
    generate(inbox, scale, DEFAULT_SEED)
    with open(SEEDS / "ref_academies.csv", encoding="utf-8") as handle:
        codes = {row["code_academie"] for row in csv.DictReader(handle)}
    for kind in ("jeunes", "parcours", "suivis"):
        assert {p.name for p in inbox.glob(f"mlds_*_{kind}.csv")} == {
            f"mlds_{code}_{kind}.csv" for code in codes
        }
    home = tmp_path / "home"
    result = csf(home, "run", "--inbox", str(inbox))
    assert result.returncode == 0, result.stderr[-3000:]
    files = status(home)["files"]
    assert all(f["status"] == "loaded" for f in files), [f for f in files if f["message"]]
    read = sum(f["rows_read"] for f in files)
    quarantined = sum(f["rows_quarantined"] for f in files)
    # The demo's dirty-row mix: every kind of fault, about 1 % of rows each (bulk DECP too).
    assert 0.01 < quarantined / read < 0.10

    def rules(found: list[dict]) -> set[str]:
        return {rule for f in found for rule in f["quarantine_by_rule"]}

    assert rules(files) == rules(status(demo_home)["files"])
    bulk = next(f for f in files if f["file"].endswith("decp_national_v2.json"))
    assert set(bulk["quarantine_by_rule"]) == {
        "date_invalide:dateNotification",
        "valeur_manquante:acheteur.id",
    }
    con = duckdb.connect(str(home / "warehouse" / "published.duckdb"), read_only=True)
    with con:
        youths_by_academie = con.execute(
            "select count(*) from marts.indicateurs where indicateur = 'nb_jeunes_csf' "
            "and niveau = 'academie' and periode = 'ensemble' and numerateur > 0"
        ).fetchone()[0]
    assert youths_by_academie >= 20  # youths in most académies, not only the demo's seven
