import csv
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.reference import SEEDS
from pipelines.sample import DEFAULT_SEED, generate
from pipelines.sample.world import SCALES
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
